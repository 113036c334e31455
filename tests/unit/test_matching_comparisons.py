"""The comparisons: which level two records reach on each field, as a table per field."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from singleview.domain.identifiers import Identifier, IdentifierKind
from singleview.domain.records import PersonAttributes, PostalAddress
from singleview.matching.comparisons import (
    AddressComparison,
    BirthDateComparison,
    EmailComparison,
    FamilyNameComparison,
    GivenNameComparison,
    PhoneComparison,
    default_comparisons,
)
from singleview.matching.decision import SHARED_FIELD, score_pair
from singleview.matching.levels import Comparison, MatchProfile
from singleview.matching.model import load_model
from singleview.matching.profile import build_profile

P = dict[str, str]
"""A person as a table cell: given, family, full, born, line, postal, town, emails, phones."""


def person(cell: P) -> MatchProfile:
    """The match profile of a table cell; emails and phones are space-separated lists."""
    identifiers = [Identifier(IdentifierKind.EMAIL, "", e) for e in cell.get("emails", "").split()]
    identifiers += [Identifier(IdentifierKind.PHONE, "", p) for p in cell.get("phones", "").split()]
    born = cell.get("born", "")
    attributes = PersonAttributes(
        given_name=cell.get("given", ""),
        family_name=cell.get("family", ""),
        full_name=cell.get("full", ""),
        birth_date=date.fromisoformat(born) if born else None,
        address=PostalAddress(
            lines=(cell["line"],) if "line" in cell else (),
            locality=cell.get("town", ""),
            postal_code=cell.get("postal", ""),
            country=cell.get("country", ""),
        ),
    )
    return build_profile(attributes, identifiers)


def level_of(comparison: Comparison, left: P, right: P) -> str | None:
    level = comparison.compare(person(left), person(right)).level
    return level.name if level is not None else None


def case(left: P, right: P, expected: str | None, id: str) -> object:
    return pytest.param(left, right, expected, id=id)


def g(given: str, family: str = "") -> P:
    return {"given": given, "family": family}


GIVEN_NAME_CASES = [
    case(g("John"), g("John"), "exact", "same name"),
    case(g("José"), g("Jose"), "exact", "diacritics José = Jose"),
    case(g("John Michael"), g("Michael"), "exact", "goes by the middle name"),
    case(g("Bob"), g("Robert"), "nickname", "Bob = Robert"),
    case(g("Bill"), g("William"), "nickname", "Bill = William"),
    case(g("Peggy"), g("Margaret"), "nickname", "Peggy = Margaret"),
    case(g("Bob"), g("Rob"), "nickname", "Bob = Rob, both Robert"),
    case(g("Jonathon"), g("Jonathan"), "nickname", "Jonathon = Jonathan, listed as variants"),
    case(g("J"), g("John"), "initial", "initial J = John"),
    case(g("J."), g("John"), "initial", "initial with a period"),
    case(g("J Michael"), g("John"), "initial", "initial and middle name"),
    case(g("Micheal"), g("Michael"), "typo", "Micheal = Michael"),
    case(g("Katherine"), g("Catherine"), "typo", "Katherine = Catherine"),
    case(g("Eric"), g("Erik"), "weak_typo", "Eric = Erik"),
    case(g("Geoffrey"), g("Jeffrey"), "weak_typo", "Geoffrey = Jeffrey"),
    case(g("Sue"), g("Suuan"), "nickname", "a short form against a typo of the full name"),
    case(g("Jon"), g("Jan"), "different", "three letters one edit apart: Jon and Jan"),
    case(g("Lei", "Huang"), g("Mei", "Huang"), "different", "twins Lei and Mei: short names"),
    case({"full": "Huang Lei"}, {"full": "Huang Mei"}, "different", "twins, family name first"),
    case(g("Smith", "John"), g("John", "Smith"), "swapped", "swapped"),
    case({"full": "Lee Ann"}, g("Ann", "Lee"), "swapped", "full name in the wrong order"),
    case(g("Smith", "Bob"), g("Robert", "Smith"), "swapped", "swapped with a nickname"),
    case({"full": "L Mai"}, g("Mai", "Lê"), "initial", "swapped, the family name as an initial"),
    case(g("Mai", "L."), g("Lê", "Mai"), "initial", "swapped, the family name initial last"),
    case({"full": "K Mai"}, g("Mai", "Lê"), "different", "swapped, but another initial"),
    case({"full": "L M"}, g("Mai", "Lê"), "different", "two initials swapped say too little"),
    case({"full": "Lee, Ann"}, g("Ann", "Lee"), "exact", "comma form Lee, Ann"),
    case(g("Anna", "Novak"), g("Petra", "Novak"), "different", "twins Anna and Petra"),
    case(g("John Michael"), g("James Michael"), "different", "twins sharing a middle name"),
    case(g("J"), g("K"), "different", "different initials"),
    case(g(""), g("John"), None, "missing on one side"),
    case({"full": "Store Guest"}, g("Ewa"), None, "a placeholder name is no name"),
    case(g("Zhiwei", "Zhu"), {"full": "Zhi Wei Zhu"}, "exact", "one word or two: Zhiwei, Zhi Wei"),
    case(g("Julien"), {"full": "Lefebvre Julien"}, "weak_typo", "alone, against a family-first"),
    case(g("Anna"), {"full": "Lefebvre Julien"}, "different", "alone, and another name"),
    case({"full": "Smith"}, g("John"), "different", "one word full name is a given name"),
]


@pytest.mark.parametrize(("left", "right", "expected"), GIVEN_NAME_CASES)
def test_given_name(left: P, right: P, expected: str | None) -> None:
    assert level_of(GivenNameComparison(), left, right) == expected


def f(family: str, given: str = "") -> P:
    return {"given": given, "family": family}


FAMILY_NAME_CASES = [
    case(f("Smith"), f("SMITH"), "exact", "case"),
    case(f("Müller"), f("Muller"), "exact", "Müller = Muller"),
    case(f("McDonald"), f("Mc Donald"), "exact", "spacing"),
    case(f("O'Brien"), f("OBrien"), "exact", "apostrophe"),
    case(f("Johnson"), f("Jonhson"), "typo", "Johnson = Jonhson"),
    case(f("Smith"), f("Smyth"), "phonetic", "Smith = Smyth"),
    case(f("Müller"), f("Mueller"), "phonetic", "Müller = Mueller"),
    case(f("Garcia Lopez"), f("Garcia"), "token_overlap", "double-barrelled"),
    case(f("García-López"), f("Lopez"), "token_overlap", "hyphenated, second part"),
    case(f("de la Cruz"), f("de Souza"), "different", "particles alone are no overlap"),
    case(f("John", "Smith"), f("Smith", "John"), "swapped", "swapped"),
    case({"full": "L Mai"}, f("Lê", "Mai"), "swapped", "swapped, the family name as an initial"),
    case(f("Smith"), f("Jones"), "different", "different (married, perhaps)"),
    case(f(""), f("Smith"), None, "missing on one side"),
]


@pytest.mark.parametrize(("left", "right", "expected"), FAMILY_NAME_CASES)
def test_family_name(left: P, right: P, expected: str | None) -> None:
    assert level_of(FamilyNameComparison(), left, right) == expected


def b(born: str) -> P:
    return {"born": born}


BIRTH_DATE_CASES = [
    case(b("1990-04-01"), b("1990-04-01"), "exact", "same date"),
    case(b("1900-01-01"), b("1983-08-18"), None, "a form's placeholder date is no date"),
    case(b("1990-04-01"), b("1990-01-04"), "day_month_swapped", "day and month swapped"),
    case(b("1990-04-01"), b("1990-04-07"), "typo", "one digit of the day"),
    case(b("1980-06-15"), b("1990-06-15"), "typo", "one digit of the year"),
    case(b("1989-06-15"), b("1998-06-15"), "typo", "two adjacent digits swapped"),
    case(b("1990-04-01"), b("1990-09-20"), "same_year", "same year only"),
    case(b("1990-04-01"), b("1975-11-30"), "different", "different dates"),
    case(b("1990-04-01"), {}, None, "missing on one side"),
]


@pytest.mark.parametrize(("left", "right", "expected"), BIRTH_DATE_CASES)
def test_birth_date(left: P, right: P, expected: str | None) -> None:
    assert level_of(BirthDateComparison(), left, right) == expected


def a(line: str, postal: str = "62701", town: str = "Springfield") -> P:
    return {"line": line, "postal": postal, "town": town, "country": "US"}


ADDRESS_CASES = [
    case(a("12 Oak St"), a("12 Oak Street"), "exact", "St = Street"),
    case(a("12 Oak St"), a("12 OAK ST.", postal="62701-1234"), "exact", "ZIP+4 = ZIP"),
    case(a("12 Oak St Apt 4"), a("12 Oak Street"), "exact", "apartment left out"),
    case(a("12 Oak St", postal=""), a("12 Oak St", postal=""), "exact", "town, no postal code"),
    case(a("14 Oak St"), a("12 Oak St"), "street", "same street, other number"),
    case(a("3 Elm Ave"), a("12 Oak St"), "postal_code", "same postal code only"),
    case(a("3 Elm Ave", postal="62702"), a("12 Oak St"), "locality", "same town only"),
    case(a("12 Oak St", postal="62702"), a("12 Oak St"), "locality", "postal code differs"),
    case(a("1 Main St", "10001", "New York"), a("12 Oak St"), "different", "moved away"),
    case(a("12 Oak St"), {}, None, "missing on one side"),
    case({"postal": "62701"}, {"town": "Springfield"}, None, "nothing comparable"),
]


@pytest.mark.parametrize(("left", "right", "expected"), ADDRESS_CASES)
def test_address(left: P, right: P, expected: str | None) -> None:
    assert level_of(AddressComparison(), left, right) == expected


def e(emails: str) -> P:
    return {"emails": emails}


EMAIL_CASES = [
    case(e("ann@example.com"), e("ann@example.com"), "exact", "same address"),
    case(e("a@x.com ann@example.com"), e("ann@example.com"), "exact", "one of several shared"),
    case(e("john.smith@work.com"), e("johnsmith@gmail.com"), "same_local", "other provider"),
    case(e("jsmith+shop@work.com"), e("jsmith@mail.com"), "same_local", "tag ignored"),
    case(e("jsmith@work.com"), e("jsmith1@mail.com"), "similar_local", "similar local parts"),
    case(e("info@shop-a.com"), e("info@shop-b.com"), "different", "role mailbox is no one"),
    case(e("ann@example.com"), e("bob@example.com"), "different", "different people"),
    case(e("ann@example.com"), {}, None, "missing on one side"),
]


@pytest.mark.parametrize(("left", "right", "expected"), EMAIL_CASES)
def test_email(left: P, right: P, expected: str | None) -> None:
    assert level_of(EmailComparison(), left, right) == expected


def ph(phones: str) -> P:
    return {"phones": phones}


PHONE_CASES = [
    case(ph("+12175550142"), ph("+12175550142"), "exact", "same number"),
    case(ph("+12175550142 +447700900123"), ph("+447700900123"), "exact", "one of several"),
    case(ph("+12175550142"), ph("+12175550143"), "typo", "one digit different"),
    case(ph("+12175550142"), ph("+12175550124"), "typo", "adjacent digits swapped"),
    case(ph("+12175550142"), ph("+12175551942"), "different", "two digits different"),
    case(ph("+12175550142"), ph("+121755501420"), "different", "different length"),
    case(ph("+12175550142"), {}, None, "missing on one side"),
]


@pytest.mark.parametrize(("left", "right", "expected"), PHONE_CASES)
def test_phone(left: P, right: P, expected: str | None) -> None:
    assert level_of(PhoneComparison(), left, right) == expected


def test_only_different_given_names_and_birth_dates_contradict() -> None:
    contradicting = {
        f"{c.field}.{level.name}"
        for c in default_comparisons()
        for level in c.levels
        if level.contradicts
    }
    assert contradicting == {"given_name.different", "birth_date.different"}


def test_fields_and_level_names_are_unique_and_labelled() -> None:
    comparisons = default_comparisons()
    assert len({c.field for c in comparisons}) == len(comparisons)
    for comparison in comparisons:
        names = [level.name for level in comparison.levels]
        assert len(set(names)) == len(names), comparison.field
        assert all(level.label for level in comparison.levels)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: GivenNameComparison(typo_threshold=0.0), id="given typo zero"),
        pytest.param(lambda: GivenNameComparison(typo_threshold=1.5), id="given typo above one"),
        pytest.param(
            lambda: GivenNameComparison(typo_threshold=0.8, weak_typo_threshold=0.9),
            id="given weak above strong",
        ),
        pytest.param(lambda: FamilyNameComparison(typo_threshold=-1), id="family negative"),
        pytest.param(lambda: EmailComparison(similar_threshold=2), id="email above one"),
        pytest.param(lambda: PhoneComparison(min_typo_digits=0), id="phone no digits"),
    ],
)
def test_bad_thresholds_are_refused(make: Callable[[], Comparison]) -> None:
    with pytest.raises(ValueError):
        make()


NAMES = ["bob", "robert", "rob", "bill", "william", "j", "john", "jon", "jonathan", "ann", "lee"]
FAMILIES = ["smith", "smyth", "garcia", "garcia lopez", "lopez", "lee", "ann", "john", "muller"]
DATES = [date(1990, 4, 1), date(1990, 1, 4), date(1990, 4, 7), date(1980, 4, 1), date(1990, 9, 9)]
LINES = ["12 Oak St", "12 Oak Street", "14 Oak St", "3 Elm Ave", ""]
EMAILS = ["ann@example.com", "ann@other.org", "ann1@example.com", "info@example.com", "bo@x.io"]
PHONES = ["+12175550142", "+12175550143", "+12175550124", "+447700900123"]


def _words(vocabulary: Sequence[str]) -> st.SearchStrategy[str]:
    """A name from the vocabulary, a random one, or none."""
    random = st.text(alphabet="abcdejmnorsty", min_size=1, max_size=8)
    return st.one_of(st.sampled_from(vocabulary), random, st.just(""))


profiles = st.builds(
    lambda given, family, born, line, postal, town, emails, phones: person(
        {
            "given": given,
            "family": family,
            "born": born.isoformat() if born else "",
            "line": line,
            "postal": postal,
            "town": town,
            "emails": " ".join(emails),
            "phones": " ".join(phones),
        }
    ),
    _words(NAMES),
    _words(FAMILIES),
    st.one_of(st.none(), st.sampled_from(DATES), st.dates()),
    st.sampled_from(LINES),
    st.sampled_from(["62701", "62702", ""]),
    st.sampled_from(["Springfield", "Chicago", ""]),
    st.lists(st.sampled_from(EMAILS), max_size=2),
    st.lists(st.sampled_from(PHONES), max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(profiles, profiles)
def test_every_comparison_is_symmetric(left: MatchProfile, right: MatchProfile) -> None:
    for comparison in default_comparisons():
        assert comparison.compare(left, right) == comparison.compare(right, left)


@settings(max_examples=100, deadline=None)
@given(profiles)
def test_a_profile_never_contradicts_itself(profile: MatchProfile) -> None:
    for comparison in default_comparisons():
        level = comparison.compare(profile, profile).level
        assert level is None or not level.contradicts


HOME_CELL = {"family": "Balogun", "line": "2620 Lincoln Street", "postal": "94110"}


@pytest.mark.parametrize(
    ("left", "right", "weighs"),
    [
        pytest.param("Tunde", "Tunde", True, id="same given name"),
        pytest.param("Bob", "Robert", True, id="nickname"),
        pytest.param("Micheal", "Michael", True, id="typo"),
        pytest.param("Yetunde", "Tunde", False, id="only similar: another member"),
        pytest.param("", "Tunde", False, id="no given name: any member"),
    ],
)
def test_a_household_line_weighs_only_with_a_matching_given_name(
    left: str, right: str, weighs: bool
) -> None:
    """Members share the line, the address and the family name: only the given name tells
    them apart, so the line counts only once it agrees."""
    pair = score_pair(
        person({**HOME_CELL, "given": left}),
        person({**HOME_CELL, "given": right}),
        default_comparisons(),
        load_model(),
        shares_small_group=True,
    )
    assert any(c.field == SHARED_FIELD for c in pair.comparisons) is weighs


def test_two_names_whose_nicknames_are_one_edit_apart_are_still_different() -> None:
    """Jenny and Jonny are one edit apart; Jennifer and Jonathan are not one person."""
    assert level_of(GivenNameComparison(), g("Jennifer"), g("Jonathan")) == "different"
