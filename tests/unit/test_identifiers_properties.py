"""Properties of identifier normalization that must hold for any input, checked with hypothesis."""

from __future__ import annotations

import string
import unicodedata

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st

from singleview.config import NormalizationSettings
from singleview.domain.identifiers import (
    Identifier,
    IdentifierError,
    IdentifierKind,
    RawIdentifier,
)
from singleview.identifiers import normalize_identifier

DEFAULTS = NormalizationSettings()

# No example database: the tree is shared and the tests must not leave files behind.
# No deadline: the first phone number parsed loads metadata, which is slow once.
PROPERTY = settings(database=None, deadline=None, max_examples=150)

REGIONS = ("US", "CA", "GB", "FR", "DE", "ES", "IT", "NL", "IN", "BR", "JP", "AU", "ZA", "MX")
NUMBER_TYPES = (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE)
FORMATS = (
    phonenumbers.PhoneNumberFormat.E164,
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    phonenumbers.PhoneNumberFormat.NATIONAL,
)


def _example_phones() -> list[tuple[str, str, str]]:
    """(region, spelling, E.164) for example numbers of several regions in every format."""
    phones = []
    for region in REGIONS:
        for number_type in NUMBER_TYPES:
            number = phonenumbers.example_number_for_type(region, number_type)
            if number is None:
                continue
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            for number_format in FORMATS:
                phones.append((region, phonenumbers.format_number(number, number_format), e164))
    return phones


EXAMPLE_PHONES = _example_phones()


@st.composite
def randomly_cased(draw: st.DrawFn, text: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(c.upper() if flip else c for c, flip in zip(text, flips, strict=True))


@st.composite
def phones(draw: st.DrawFn) -> tuple[NormalizationSettings, RawIdentifier, str]:
    """An example number spelled as a person might, read in its own region."""
    region, spelling, e164 = draw(st.sampled_from(EXAMPLE_PHONES))
    padding = draw(st.sampled_from(["", " ", "  "]))
    raw = RawIdentifier(IdentifierKind.PHONE, "", f"{padding}{spelling}{padding}")
    return NormalizationSettings(default_region=region), raw, e164


@st.composite
def regrouped_phones(draw: st.DrawFn) -> tuple[RawIdentifier, str]:
    """An E.164 example number with separators sprinkled between its digits."""
    _, _, e164 = draw(st.sampled_from(EXAMPLE_PHONES))
    digits = e164[1:]
    separators = draw(st.lists(st.sampled_from(["", "", " ", "-", ".", "/"]), min_size=len(digits)))
    spelled = "".join(d + s for d, s in zip(digits, separators, strict=False)).strip("-./ ")
    return RawIdentifier(IdentifierKind.PHONE, "", "+" + spelled), e164


_ATOM = st.text(alphabet=string.ascii_lowercase + string.digits + "_-", min_size=1, max_size=8)
EMAIL_DOMAINS = (
    "gmail.com",
    "googlemail.com",
    "example.com",
    "mail.example.org",
    "bücher.example",
    "xn--bcher-kva.example",
)


@st.composite
def emails(draw: st.DrawFn) -> RawIdentifier:
    local = ".".join(draw(st.lists(_ATOM, min_size=1, max_size=3)))
    tag = draw(st.one_of(st.just(""), _ATOM.map(lambda atom: "+" + atom)))
    domain = draw(st.sampled_from(EMAIL_DOMAINS))
    address = draw(randomly_cased(f"{local}{tag}@{domain}"))
    return RawIdentifier(IdentifierKind.EMAIL, "", address)


_HANDLE = st.text(alphabet=string.ascii_lowercase + string.digits + "_.", min_size=1, max_size=15)
HANDLE_SPELLINGS = (
    "{}",
    "@{}",
    " @{} ",
    "https://www.instagram.com/{}/",
    "twitter.com/{}?ref=home",
    "https://www.tiktok.com/@{}",
)


@st.composite
def handles(draw: st.DrawFn) -> RawIdentifier:
    spelling = draw(st.sampled_from(HANDLE_SPELLINGS)).format(draw(_HANDLE))
    platform = draw(st.sampled_from(["instagram", "Twitter", "x", " TikTok "]))
    return RawIdentifier(IdentifierKind.SOCIAL_HANDLE, platform, draw(randomly_cased(spelling)))


@st.composite
def advertising_ids(draw: st.DrawFn) -> RawIdentifier:
    uuid = draw(st.uuids().filter(lambda u: u.int != 0))
    spelling = draw(st.sampled_from([str(uuid), uuid.hex, f"{{{uuid}}}", str(uuid).upper()]))
    id_type = draw(st.sampled_from(["idfa", "GAID", "idfv"]))
    return RawIdentifier(IdentifierKind.DEVICE_ID, id_type, spelling)


OTHER_DEVICE_IDS = st.builds(
    lambda id_type, value: RawIdentifier(IdentifierKind.DEVICE_ID, id_type, value),
    st.sampled_from(["android_id", "cookie", "push_token"]),
    st.text(alphabet=string.ascii_letters + string.digits + ":_-", min_size=1, max_size=40),
)


@st.composite
def loyalty_ids(draw: st.DrawFn) -> RawIdentifier:
    groups = draw(
        st.lists(st.text(alphabet=string.ascii_letters + string.digits, min_size=2), min_size=2)
    )
    separator = draw(st.sampled_from(["", " ", "-", ".", "/"]))
    return RawIdentifier(IdentifierKind.LOYALTY_ID, "Acme", separator.join(groups))


EXTERNAL_IDS = st.builds(
    lambda system, value: RawIdentifier(IdentifierKind.EXTERNAL_ID, system, value),
    st.sampled_from(["crm", " CRM ", "shop_eu"]),
    st.text(min_size=1),
)

VALID_ISH = st.one_of(
    phones().map(lambda case: case[1]),
    emails(),
    handles(),
    advertising_ids(),
    OTHER_DEVICE_IDS,
    loyalty_ids(),
    EXTERNAL_IDS,
)

KINDS = st.one_of(st.none(), st.sampled_from(IdentifierKind))


def _renormalize(identifier: Identifier, config: NormalizationSettings) -> Identifier:
    again = RawIdentifier(identifier.kind, identifier.namespace, identifier.value)
    return normalize_identifier(again, config)


@PROPERTY
@given(phones())
def test_example_numbers_read_in_their_region_give_their_e164_form(
    case: tuple[NormalizationSettings, RawIdentifier, str],
) -> None:
    config, raw, e164 = case
    identifier = normalize_identifier(raw, config)
    assert identifier == Identifier(IdentifierKind.PHONE, "", e164)
    assert _renormalize(identifier, DEFAULTS) == identifier


@PROPERTY
@given(regrouped_phones())
def test_separators_between_digits_do_not_matter(case: tuple[RawIdentifier, str]) -> None:
    raw, e164 = case
    assert normalize_identifier(raw, DEFAULTS).value == e164


@PROPERTY
@given(VALID_ISH)
def test_normalizing_a_normalized_identifier_changes_nothing(raw: RawIdentifier) -> None:
    try:
        identifier = normalize_identifier(raw, DEFAULTS)
    except IdentifierError:
        return  # some generated external ids are control characters only, for example
    assert _renormalize(identifier, DEFAULTS) == identifier


@PROPERTY
@given(emails())
def test_generated_emails_are_accepted(raw: RawIdentifier) -> None:
    identifier = normalize_identifier(raw, DEFAULTS)
    assert identifier.value == identifier.value.lower()


@PROPERTY
@given(handles())
def test_generated_handles_are_accepted(raw: RawIdentifier) -> None:
    identifier = normalize_identifier(raw, DEFAULTS)
    assert not identifier.value.startswith("@")
    assert "/" not in identifier.value


@PROPERTY
@given(st.one_of(advertising_ids(), OTHER_DEVICE_IDS, loyalty_ids()))
def test_generated_device_and_loyalty_ids_are_accepted(raw: RawIdentifier) -> None:
    normalize_identifier(raw, DEFAULTS)


@PROPERTY
@given(kind=st.sampled_from(IdentifierKind), namespace=st.text(), value=st.text())
def test_any_accepted_text_is_a_fixed_point(
    kind: IdentifierKind, namespace: str, value: str
) -> None:
    try:
        identifier = normalize_identifier(RawIdentifier(kind, namespace, value), DEFAULTS)
    except IdentifierError:
        return
    assert _renormalize(identifier, DEFAULTS) == identifier


def _with_a_digit(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Text that cannot be mistaken for a word of an error message, which holds no digits."""
    return st.builds(lambda a, d, b: a + d + b, text, st.sampled_from("0123456789"), text)


def _spellings(text: str) -> set[str]:
    return {text, text.strip(), unicodedata.normalize("NFKC", text).strip()}


@PROPERTY
@given(kind=KINDS, namespace=_with_a_digit(st.text()), value=_with_a_digit(st.text()))
def test_error_messages_never_repeat_the_input(
    kind: IdentifierKind | None, namespace: str, value: str
) -> None:
    try:
        normalize_identifier(RawIdentifier(kind, namespace, value), DEFAULTS)
    except IdentifierError as error:
        assert error.part in {"kind", "namespace", "value"}
        assert error.message == str(error)
        for spelling in _spellings(value) | _spellings(namespace):
            assert spelling not in error.message
        assert error.__cause__ is None  # chained library errors would quote the input
