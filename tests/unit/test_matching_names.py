"""Names for matching: folding, parsing full names, nicknames and phonetic codes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from singleview.matching.names import (
    are_nicknames,
    fold,
    nickname_variants,
    parse_name,
    phonetic,
)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        pytest.param("José", "jose", id="acute accent dropped"),
        pytest.param("MÜLLER", "muller", id="umlaut dropped, lower case"),
        pytest.param("Łódź", "lodz", id="polish letters transliterated"),
        pytest.param("Straße", "strasse", id="sharp s written out"),
        pytest.param("王小明", "wangxiaoming", id="chinese romanized"),
        pytest.param("O'Brien", "obrien", id="apostrophe deleted"),
        pytest.param("D’Angelo", "dangelo", id="typographic apostrophe deleted"),
        pytest.param("Anne-Marie", "anne marie", id="hyphen is a space"),
        pytest.param("  J.  R.  ", "j r", id="periods and spaces collapsed"),
        pytest.param("Smith,John", "smith john", id="comma separates"),
        pytest.param("", "", id="empty"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(st.text())
def test_fold_gives_lower_case_ascii_words(text: str) -> None:
    folded = fold(text)
    assert folded == " ".join(folded.split())
    assert all(c.isdigit() or "a" <= c <= "z" or c == " " for c in folded)


N = tuple[tuple[str, ...], tuple[str, ...]]


@pytest.mark.parametrize(
    ("given_name", "family_name", "full_name", "parsed"),
    [
        pytest.param("John", "Smith", "", (("john",), ("smith",)), id="structured parts"),
        pytest.param("Mary Ann", "Smith", "", (("mary", "ann"), ("smith",)), id="middle name"),
        pytest.param("", "", "Lee, Ann", (("ann",), ("lee",)), id="comma form"),
        pytest.param(
            "", "", "Smith Jr., John Paul", (("john", "paul"), ("smith",)), id="comma form suffix"
        ),
        pytest.param("", "", "Ann Lee", (("ann",), ("lee",)), id="given then family"),
        pytest.param(
            "", "", "John Smith, Jr.", (("john",), ("smith",)), id="comma before a suffix only"
        ),
        pytest.param(
            "", "", "Mr. John Q. Public III", (("john", "q"), ("public",)), id="title and suffix"
        ),
        pytest.param(
            "", "", "Maria de la Cruz", (("maria",), ("de", "la", "cruz")), id="particles"
        ),
        pytest.param(
            "", "", "Ana García-López", (("ana",), ("garcia", "lopez")), id="hyphenated family"
        ),
        pytest.param("", "", "Huang Lei", (("lei",), ("huang",)), id="a family name first"),
        pytest.param("", "", "CHOI JI-HO", (("jiho",), ("choi",)), id="family first, hyphen"),
        pytest.param("", "", "Lei Huang", (("lei",), ("huang",)), id="given first, Asian"),
        pytest.param("", "", "Park Min", (("min",), ("park",)), id="Korean, family first"),
        pytest.param("", "", "Kim Smith", (("kim",), ("smith",)), id="Kim is also a given name"),
        pytest.param("", "", "Cher", (("cher",), ()), id="one word is a given name"),
        pytest.param("Ann", "", "Ann Lee", (("ann",), ("lee",)), id="full name fills family"),
        pytest.param("Ann", "Lee", "Bob Jones", (("ann",), ("lee",)), id="parts win over full"),
        pytest.param("", "", "", ((), ()), id="nothing"),
        pytest.param("Dr.", "", "", ((), ()), id="only a title"),
        pytest.param("", "", "Walk In", ((), ()), id="a till's walk-in name is no name"),
        pytest.param("", "", "STORE GUEST", ((), ()), id="store guest"),
        pytest.param("Cash", "Customer", "", ((), ()), id="cash customer, in parts"),
        pytest.param("Guest", "", "", ((), ()), id="guest alone"),
        pytest.param("", "", "N/A", ((), ()), id="not available"),
        pytest.param("", "", "Edgar Guest", (("edgar",), ("guest",)), id="Guest as a family name"),
        pytest.param("Guest", "Guest", "Anna Ortiz", (("anna",), ("ortiz",)), id="full name wins"),
    ],
)
def test_parse_name(given_name: str, family_name: str, full_name: str, parsed: N) -> None:
    assert parse_name(given_name, family_name, full_name) == parsed


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        pytest.param("bob", "robert", True, id="nickname of canonical"),
        pytest.param("robert", "bob", True, id="canonical of nickname"),
        pytest.param("bill", "william", True, id="bill = william"),
        pytest.param("peggy", "margaret", True, id="peggy = margaret"),
        pytest.param("bob", "rob", True, id="two nicknames of robert"),
        pytest.param("suzy", "susan", True, id="a short form the package lacks"),
        pytest.param("jesus", "chuy", True, id="a Spanish short form"),
        pytest.param("masha", "maria", True, id="a Russian short form"),
        pytest.param("kasia", "katarzyna", True, id="a Polish short form"),
        pytest.param("sissi", "elisabeth", True, id="a German short form"),
        pytest.param("venky", "venkatesh", True, id="an Indian short form"),
        pytest.param("emeka", "chukwuemeka", True, id="an Igbo short form"),
        pytest.param("seun", "oluwaseun", True, id="a Yoruba short form"),
        pytest.param("Bob", "ROBERT", True, id="case does not matter"),
        pytest.param("john", "john", False, id="the same name is not a nickname"),
        pytest.param("john", "james", False, id="different names"),
        pytest.param("anna", "petra", False, id="different names again"),
        pytest.param("", "bob", False, id="empty"),
    ],
)
def test_are_nicknames(a: str, b: str, expected: bool) -> None:
    assert are_nicknames(a, b) is expected


@pytest.mark.parametrize(
    ("name", "variant"),
    [
        pytest.param("bob", "robert", id="bob"),
        pytest.param("bill", "william", id="bill"),
        pytest.param("peggy", "margaret", id="peggy"),
        pytest.param("robert", "robert", id="a canonical name is its own variant"),
    ],
)
def test_nickname_variants_include_the_name_and_its_canonical_forms(
    name: str, variant: str
) -> None:
    variants = nickname_variants(name)
    assert variants[0] == name
    assert variant in variants
    assert len(variants) <= 3


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param("smith", "smyth", id="y for i"),
        pytest.param("catherine", "kathryn", id="c for k"),
        pytest.param("garcia", "garsia", id="c for s"),
        pytest.param("mueller", "muller", id="ue for u"),
    ],
)
def test_spelling_variants_sound_the_same(a: str, b: str) -> None:
    assert phonetic(a) == phonetic(b)


def test_names_that_sound_different_have_different_codes() -> None:
    assert phonetic("smith") != phonetic("jones")


def test_phonetic_code_is_never_empty() -> None:
    assert phonetic("42") == "42"


@pytest.mark.parametrize(
    ("full", "given", "family"),
    [
        pytest.param(
            "Kim, Do-hyun", ("dohyun",), ("kim",), id="comma form keeps a hyphenated given"
        ),
        pytest.param("Jean-Luc Picard", ("jeanluc",), ("picard",), id="hyphenated given is one"),
        pytest.param("Ana Garcia-Lopez", ("ana",), ("garcia", "lopez"), id="double family stays"),
    ],
)
def test_a_hyphenated_given_name_is_one_name(
    full: str, given: tuple[str, ...], family: tuple[str, ...]
) -> None:
    assert parse_name("", "", full) == (given, family)
