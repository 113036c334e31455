"""Specification of identifier normalization: which spellings are one identifier, which are none."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from singleview.config import NormalizationSettings
from singleview.domain.identifiers import (
    Identifier,
    IdentifierError,
    IdentifierKind,
    RawIdentifier,
)
from singleview.identifiers import canonical_mailbox, normalize_identifier

PHONE = IdentifierKind.PHONE
EMAIL = IdentifierKind.EMAIL
HANDLE = IdentifierKind.SOCIAL_HANDLE
DEVICE = IdentifierKind.DEVICE_ID
LOYALTY = IdentifierKind.LOYALTY_ID
EXTERNAL = IdentifierKind.EXTERNAL_ID

DEFAULTS = NormalizationSettings()


@dataclass(frozen=True)
class Same:
    """Every spelling in `spellings` (within `namespace`) normalizes to `expected`."""

    kind: IdentifierKind
    expected: Identifier
    spellings: tuple[str, ...]
    namespace: str = ""


def _same(
    kind: IdentifierKind, expected_ns: str, expected: str, *spellings: str, namespace: str = ""
) -> Same:
    return Same(kind, Identifier(kind, expected_ns, expected), spellings, namespace or expected_ns)


EQUIVALENT = [
    _same(
        PHONE,
        "",
        "+13125550100",
        "+13125550100",
        "(312) 555-0100",
        "+1 312.555.0100",
        "1 312 555 0100",
        "+1-312-555-0100",
        "3125550100",
        "312-555-0100",
        "312-555-0100 ext. 7",  # extensions are dropped
        "3125550100 x7",
        "  312 555 0100  ",
        "+1 (312) 555-0100",
        "＋１ ３１２ ５５５ ０１００",  # full-width digits and ideographic space
        "312\u2010555\u20100100",  # Unicode hyphens
        "011 1 312 555 0100",  # the North American international prefix
        "00 1 312 555 0100",  # the international prefix used nearly everywhere else
    ),
    _same(
        PHONE,
        "",
        "+13125550100",
        "(312) 555-0100",
        namespace="ignored",  # the country code lives in the value
    ),
    _same(
        PHONE, "", "+442079460958", "+44 20 7946 0958", "+44 (0)20 7946 0958", "0044 20 7946 0958"
    ),
    _same(PHONE, "", "+33142685300", "+33 1 42 68 53 00", "0033 1 42 68 53 00"),
    _same(PHONE, "", "+4930123456", "0049 30 123456", "+49 30 123456"),
    _same(
        EMAIL,
        "",
        "alice@example.com",
        "alice@example.com",
        "Alice@Example.COM",
        "  ALICE@example.com\n",
    ),
    _same(
        EMAIL,
        "",
        "a.lice+news@example.com",  # outside canonical providers dots and tags may matter
        "A.Lice+News@example.com",
    ),
    _same(
        EMAIL,
        "",
        "johnsmith@gmail.com",
        "johnsmith@gmail.com",
        "John.Smith@gmail.com",
        "j.o.h.n.s.m.i.t.h@gmail.com",
        "johnsmith+shopping@gmail.com",
        "John.Smith+a+b@GMail.com",
        "john.smith@googlemail.com",
        "JohnSmith+x@GoogleMail.com",
    ),
    _same(
        EMAIL,
        "",
        "user@bücher.example",
        "user@bücher.example",
        "User@BÜCHER.example",
        "user@xn--bcher-kva.example",  # IDNA: the Unicode form is stored
    ),
    _same(
        HANDLE,
        "instagram",
        "someone",
        "someone",
        "@SomeOne",
        " @someone ",
        "instagram.com/someone/",
        "https://www.instagram.com/SomeOne/?hl=en",
        "http://instagram.com/someone#top",
        "＠ｓｏｍｅｏｎｅ",
    ),
    _same(HANDLE, "instagram", "someone", "@someone", namespace=" Instagram "),
    _same(
        HANDLE,
        "x",
        "someone",
        "https://twitter.com/SomeOne",
        "https://x.com/someone/status/1234",
        "@someone",
        namespace="twitter",  # renamed platform: one namespace
    ),
    _same(HANDLE, "x", "someone", "@SOMEONE", namespace="X"),
    _same(HANDLE, "tiktok", "some.one", "https://www.tiktok.com/@Some.One", namespace="TikTok"),
    _same(HANDLE, "linkedin", "jane-doe", "https://www.linkedin.com/in/Jane-Doe/"),
    _same(HANDLE, "github", "strasse", "Straße", "STRASSE"),  # casefold, not lower
    _same(
        DEVICE,
        "idfa",
        "6d92078a-8246-4ba4-ae5b-76104861e7dc",
        "6D92078A-8246-4BA4-AE5B-76104861E7DC",
        "6d92078a82464ba4ae5b76104861e7dc",
        "{6d92078a-8246-4ba4-ae5b-76104861e7dc}",
        " 6D92078A82464BA4AE5B76104861E7DC ",
    ),
    _same(
        DEVICE,
        "gaid",
        "38400000-8cf0-11bd-b23e-10b96e40000d",
        "38400000-8CF0-11BD-B23E-10B96E40000D",
        namespace="GAID",
    ),
    _same(DEVICE, "android_id", "9774d56d682e549c", "9774D56D682E549C", " 9774d56d682e549c"),
    _same(DEVICE, "cookie", "ab12cd", "AB12cd"),
    _same(
        LOYALTY,
        "acme",
        "5745480672",
        "5745480672",
        "5745 480 672",
        "57454-80672",
        "5745.480.672",
        "5745/480/672",
        "５７４５４８０６７２",
        namespace=" ACME ",
    ),
    _same(LOYALTY, "acme", "AB12CD", "ab-12-cd", "AB 12 CD"),
    _same(EXTERNAL, "crm", "Cust-0042", "Cust-0042", "  Cust-0042\t", namespace="CRM"),
    _same(EXTERNAL, "shop_eu", "a b", "a b", namespace="shop_eu"),
]


def _cases() -> list[object]:
    return [
        pytest.param(
            case.kind,
            case.namespace,
            spelling,
            case.expected,
            id=f"{case.kind.name.lower()}[{case.namespace.strip()}]: {spelling!r}",
        )
        for case in EQUIVALENT
        for spelling in case.spellings
    ]


@pytest.mark.parametrize(("kind", "namespace", "value", "expected"), _cases())
def test_equivalent_spellings_normalize_to_one_identifier(
    kind: IdentifierKind, namespace: str, value: str, expected: Identifier
) -> None:
    assert normalize_identifier(RawIdentifier(kind, namespace, value), DEFAULTS) == expected


_AD_ID = "6d92078a-8246-4ba4-ae5b-76104861e7dc"

REJECTED = [
    pytest.param(None, "", "+13125550100", "kind", id="unknown kind"),
    # phone
    pytest.param(PHONE, "", "", "value", id="phone: empty"),
    pytest.param(PHONE, "", "   ", "value", id="phone: blank"),
    pytest.param(PHONE, "", "abc", "value", id="phone: letters only"),
    pytest.param(PHONE, "", "1-800-FLOWERS", "value", id="phone: vanity letters"),
    pytest.param(PHONE, "", "call 312 555 0100", "value", id="phone: free text"),
    pytest.param(PHONE, "", "123", "value", id="phone: too short"),
    pytest.param(PHONE, "", "+1 312 555 01", "value", id="phone: one digit short"),
    pytest.param(PHONE, "", "+1 312 555 010000000", "value", id="phone: too long"),
    pytest.param(PHONE, "", "+1 012 555 0100", "value", id="phone: impossible area code"),
    pytest.param(PHONE, "", "+999 1234567", "value", id="phone: unknown country code"),
    pytest.param(PHONE, "", "312 555\x000100", "value", id="phone: NUL"),
    pytest.param(PHONE, "", "312 555 0100 ext.", "value", id="phone: extension without digits"),
    # email
    pytest.param(EMAIL, "", "", "value", id="email: empty"),
    pytest.param(EMAIL, "", "alice", "value", id="email: no at-sign"),
    pytest.param(EMAIL, "", "alice@", "value", id="email: no domain"),
    pytest.param(EMAIL, "", "@example.com", "value", id="email: no local part"),
    pytest.param(EMAIL, "", "alice@localhost", "value", id="email: no dot in domain"),
    pytest.param(EMAIL, "", "al ice@example.com", "value", id="email: inner space"),
    pytest.param(EMAIL, "", "a..b@example.com", "value", id="email: double dot"),
    pytest.param(EMAIL, "", "alice@example.com\x00", "value", id="email: NUL"),
    pytest.param(EMAIL, "", "alice\u200b@example.com", "value", id="email: zero-width space"),
    pytest.param(EMAIL, "", "+tag@gmail.com", "value", id="email: canonical mailbox empty"),
    pytest.param(EMAIL, "", '"a b"@example.com', "value", id="email: quoted local part"),
    # social handle
    pytest.param(HANDLE, "", "someone", "namespace", id="handle: no platform"),
    pytest.param(HANDLE, "  ", "someone", "namespace", id="handle: blank platform"),
    pytest.param(HANDLE, "my platform", "someone", "namespace", id="handle: space in platform"),
    pytest.param(HANDLE, "insta\x00", "someone", "namespace", id="handle: NUL in platform"),
    pytest.param(HANDLE, "instagram", "", "value", id="handle: empty"),
    pytest.param(HANDLE, "instagram", "@", "value", id="handle: at-sign only"),
    pytest.param(HANDLE, "instagram", "some one", "value", id="handle: inner space"),
    pytest.param(HANDLE, "instagram", "some\tone", "value", id="handle: inner tab"),
    pytest.param(HANDLE, "instagram", "https://instagram.com/", "value", id="handle: bare URL"),
    pytest.param(HANDLE, "instagram", "some/one", "value", id="handle: slash outside a URL"),
    pytest.param(HANDLE, "instagram", "some\u202eone", "value", id="handle: bidi override"),
    # device id
    pytest.param(DEVICE, "", _AD_ID, "namespace", id="device: no id type"),
    pytest.param(DEVICE, "id fa", _AD_ID, "namespace", id="device: space in id type"),
    pytest.param(DEVICE, "idfa", "", "value", id="device: empty"),
    pytest.param(DEVICE, "idfa", "not-a-uuid", "value", id="device: idfa not a UUID"),
    pytest.param(DEVICE, "gaid", _AD_ID[:-1], "value", id="device: gaid one digit short"),
    pytest.param(DEVICE, "idfv", _AD_ID + "0", "value", id="device: idfv one digit long"),
    pytest.param(DEVICE, "cookie", "ab cd", "value", id="device: inner space"),
    pytest.param(DEVICE, "cookie", "ab\x01cd", "value", id="device: control character"),
    # loyalty id
    pytest.param(LOYALTY, "", "5745480672", "namespace", id="loyalty: no programme"),
    pytest.param(LOYALTY, "acme", "", "value", id="loyalty: empty"),
    pytest.param(LOYALTY, "acme", "123", "value", id="loyalty: too short"),
    pytest.param(LOYALTY, "acme", "1-2-3", "value", id="loyalty: too short after separators"),
    pytest.param(LOYALTY, "acme", "5745_480_672", "value", id="loyalty: underscore"),
    pytest.param(LOYALTY, "acme", "5745#480", "value", id="loyalty: punctuation"),
    pytest.param(LOYALTY, "acme", "ÄBCD1234", "value", id="loyalty: non-ASCII letter"),
    # external id
    pytest.param(EXTERNAL, "", "Cust-0042", "namespace", id="external: no system"),
    pytest.param(EXTERNAL, "crm", "", "value", id="external: empty"),
    pytest.param(EXTERNAL, "crm", "Cust\x00-0042", "value", id="external: NUL"),
    pytest.param(EXTERNAL, "crm", "Cust\n0042", "value", id="external: inner newline"),
    pytest.param(EXTERNAL, "crm", "Cust\u20280042", "value", id="external: line separator"),
]


@pytest.mark.parametrize(("kind", "namespace", "value", "part"), REJECTED)
def test_rejected_inputs_name_the_offending_part(
    kind: IdentifierKind | None, namespace: str, value: str, part: str
) -> None:
    with pytest.raises(IdentifierError) as caught:
        normalize_identifier(RawIdentifier(kind, namespace, value), DEFAULTS)
    assert caught.value.part == part
    assert caught.value.message
    if value.strip():
        assert value.strip() not in caught.value.message


def test_default_region_reads_national_numbers() -> None:
    gb = NormalizationSettings(default_region="GB")
    raw = RawIdentifier(PHONE, "", "020 7946 0958")
    assert normalize_identifier(raw, gb) == Identifier(PHONE, "", "+442079460958")


def test_default_region_does_not_affect_international_numbers() -> None:
    gb = NormalizationSettings(default_region="GB")
    raw = RawIdentifier(PHONE, "", "+1 312 555 0100")
    assert normalize_identifier(raw, gb).value == "+13125550100"


def test_national_number_of_another_region_is_rejected() -> None:
    raw = RawIdentifier(PHONE, "", "020 7946 0958")
    with pytest.raises(IdentifierError) as caught:
        normalize_identifier(raw, DEFAULTS)
    assert caught.value.part == "value"


CUSTOM = NormalizationSettings(
    canonical_email_domains=("fastmail.com",),
    canonical_email_domain_alias={"fastmail.fm": "fastmail.com"},
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("J.Doe+news@fastmail.com", "jdoe@fastmail.com", id="listed domain"),
        pytest.param("j.doe+news@FastMail.fm", "jdoe@fastmail.com", id="alias of listed domain"),
        pytest.param("j.doe+news@gmail.com", "j.doe+news@gmail.com", id="gmail no longer listed"),
        pytest.param("J.Doe@googlemail.com", "j.doe@googlemail.com", id="default alias replaced"),
    ],
)
def test_custom_canonical_email_domains(value: str, expected: str) -> None:
    identifier = normalize_identifier(RawIdentifier(EMAIL, "", value), CUSTOM)
    assert identifier == Identifier(EMAIL, "", expected)


def test_no_canonical_domains_keeps_gmail_dots_and_tags() -> None:
    plain = NormalizationSettings(canonical_email_domains=(), canonical_email_domain_alias={})
    raw = RawIdentifier(EMAIL, "", "John.Smith+x@gmail.com")
    assert normalize_identifier(raw, plain).value == "john.smith+x@gmail.com"


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        pytest.param("j.smith+x@gmail.com", "jsmith@gmail.com", id="canonical provider"),
        pytest.param("j.smith+x@googlemail.com", "jsmith@gmail.com", id="aliased provider"),
        pytest.param("j.smith+x@example.com", "j.smith+x@example.com", id="other provider"),
    ],
)
def test_canonical_mailbox(email: str, expected: str) -> None:
    assert canonical_mailbox(email, DEFAULTS) == expected


def test_the_all_zero_advertising_id_is_kept_for_matching_to_treat_as_a_placeholder() -> None:
    raw = RawIdentifier(IdentifierKind.DEVICE_ID, "IDFA", "{00000000000000000000000000000000}")
    assert normalize_identifier(raw, NormalizationSettings()).value == (
        "00000000-0000-0000-0000-000000000000"
    )
