"""Blocking keys: the same person keeps a key through typos, nicknames, swaps and marriage."""

from __future__ import annotations

from datetime import date

import pytest

from singleview.domain.identifiers import Identifier, IdentifierKind
from singleview.domain.records import PersonAttributes, PostalAddress
from singleview.matching.blocking import MAX_KEYS, blocking_keys, ranked_hits
from singleview.matching.levels import MatchProfile
from singleview.matching.profile import build_profile


def person(
    given: str = "",
    family: str = "",
    *,
    full: str = "",
    born: str = "",
    postal: str = "",
    email: str = "",
) -> MatchProfile:
    identifiers = [Identifier(IdentifierKind.EMAIL, "", email)] if email else []
    attributes = PersonAttributes(
        given_name=given,
        family_name=family,
        full_name=full,
        birth_date=date.fromisoformat(born) if born else None,
        address=PostalAddress(postal_code=postal, country="US"),
    )
    return build_profile(attributes, identifiers)


def shared(left: MatchProfile, right: MatchProfile) -> set[str]:
    return set(blocking_keys(left)) & set(blocking_keys(right))


SAME_PERSON = [
    pytest.param(
        person("John", "Smith", born="1990-04-01"),
        person("John", "Smith", born="1990-04-01"),
        id="identical",
    ),
    pytest.param(
        person("Jonathan", "Smith", born="1990-04-01"),
        person("Jonathon", "Smyth", born="1990-04-01"),
        id="typos in both names",
    ),
    pytest.param(
        person("Bob", "Smith"),
        person("Robert", "Smith"),
        id="nickname, no birth date",
    ),
    pytest.param(
        person("Bill", "Jones"),
        person("William", "Jones"),
        id="Bill = William, no birth date",
    ),
    pytest.param(
        person("Peggy", "Olson"),
        person("Margaret", "Olson"),
        id="Peggy = Margaret, no birth date",
    ),
    pytest.param(
        person("Smith", "John"),
        person("John", "Smith"),
        id="swapped names, no birth date",
    ),
    pytest.param(
        person(full="Lee Ann"),
        person(full="Lee, Ann"),
        id="full name in both orders",
    ),
    pytest.param(
        person("Ann", "Lee", born="1985-07-12"),
        person("Ann", "Park", born="1985-07-12"),
        id="family name changed at marriage",
    ),
    pytest.param(
        person("Ann", "Lee", born="1985-07-12"),
        person("Ann", "Park", born="1985-12-07"),
        id="family name changed and day/month swapped",
    ),
    pytest.param(
        person("Maria", "Garcia Lopez", born="1970-02-14"),
        person("Maria", "Garcia", born="1971-02-14"),
        id="double-barrelled name and a year typo",
    ),
    pytest.param(
        person("José", "Müller", born="1975-11-30"),
        person("Jose", "Mueller", born="1975-11-03"),
        id="diacritics and a day typo",
    ),
    pytest.param(
        person("Ann", "Lee", postal="62701"),
        person("Anne", "Lee", postal="62701-1234"),
        id="given typo, no birth date, ZIP+4",
    ),
    pytest.param(
        person("Ann", "Lee", email="ann.lee@work.com"),
        person("Annie", "Park", email="annlee@gmail.com"),
        id="only the email name in common",
    ),
    pytest.param(
        person(full="Choi Ji-ho", born="2003-03-18", postal="E1 4YL"),
        person("Ji-ho", "Choi", born="2003-03-18", postal="E1 4YL"),
        id="family name first without a comma",
    ),
]


@pytest.mark.parametrize(("left", "right"), SAME_PERSON)
def test_the_same_person_shares_a_key(left: MatchProfile, right: MatchProfile) -> None:
    assert shared(left, right)


DIFFERENT_PEOPLE = [
    pytest.param(
        person("John", "Smith", born="1990-04-01", postal="62701"),
        person("Maria", "Garcia", born="1975-11-30", postal="62701"),
        id="neighbours",
    ),
    pytest.param(
        person("Ann", "Lee", born="1980-01-01"),
        person("Omar", "Haddad", born="1992-06-17"),
        id="strangers",
    ),
    pytest.param(
        person("Yuki", "Tanaka", email="info@shop.example"),
        person("Piotr", "Nowak", email="info@shop.example"),
        id="a shared role mailbox is no key",
    ),
]


@pytest.mark.parametrize(("left", "right"), DIFFERENT_PEOPLE)
def test_clearly_different_people_share_no_key(left: MatchProfile, right: MatchProfile) -> None:
    assert not shared(left, right)


def test_keys_are_few_short_and_prefixed_by_their_rule() -> None:
    profile = person(
        "Bill", "Garcia Lopez", born="1990-04-01", postal="62701", email="bill.g@example.com"
    )
    keys = blocking_keys(profile)
    assert 0 < len(keys) <= MAX_KEYS
    assert len(set(keys)) == len(keys)
    assert {k.split(":", 1)[0] for k in keys} == {"fb", "gp", "dg", "df", "dp", "nn", "em"}
    assert all(len(k) <= 40 for k in keys)


def test_keys_are_deterministic_and_independent_of_identifier_order() -> None:
    emails = [Identifier(IdentifierKind.EMAIL, "", e) for e in ("zed@b.com", "anna@a.com")]
    attributes = PersonAttributes(given_name="Anna", family_name="Novak")
    forward = blocking_keys(build_profile(attributes, emails))
    backward = blocking_keys(build_profile(attributes, emails[::-1]))
    assert forward == backward == blocking_keys(build_profile(attributes, emails))


def test_a_record_without_attributes_has_no_keys() -> None:
    assert blocking_keys(MatchProfile()) == ()


RANKED = [
    # (each key's hits, newest first) -> records, most keys first, then oldest first
    ([], []),
    ([[5, 3]], [3, 5]),
    ([[9, 4, 2], [4], [7, 4]], [4, 2, 7, 9]),
    ([[8, 6], [8, 6], [6]], [6, 8]),
    ([[3, 3, 1]], [1, 3]),  # a record listed twice under one key is one hit of that key
]


@pytest.mark.parametrize(("hits_per_key", "expected"), RANKED)
def test_records_found_by_more_keys_come_first(
    hits_per_key: list[list[int]], expected: list[int]
) -> None:
    assert ranked_hits(hits_per_key) == expected
