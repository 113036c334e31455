"""Addresses for matching: house number, normalized street, unit, postal code, town."""

from __future__ import annotations

import pytest

from singleview.domain.records import PostalAddress
from singleview.matching.address import normalize_postal_code, parse_address


@pytest.mark.parametrize(
    ("lines", "house_number", "street", "unit"),
    [
        pytest.param(("12 Oak St",), "12", ("oak", "street"), "", id="st is street"),
        pytest.param(("12 Oak Street",), "12", ("oak", "street"), "", id="street as is"),
        pytest.param(("12 OAK ST.",), "12", ("oak", "street"), "", id="upper case and period"),
        pytest.param(("5 Elm Ave",), "5", ("elm", "avenue"), "", id="ave is avenue"),
        pytest.param(("5 Elm Av",), "5", ("elm", "avenue"), "", id="av is avenue"),
        pytest.param(("9 Mill Rd",), "9", ("mill", "road"), "", id="rd is road"),
        pytest.param(("9 Sunset Blvd",), "9", ("sunset", "boulevard"), "", id="blvd"),
        pytest.param(("9 Park Ln",), "9", ("park", "lane"), "", id="ln is lane"),
        pytest.param(("9 Park Dr",), "9", ("park", "drive"), "", id="dr is drive"),
        pytest.param(("9 Park Ct",), "9", ("park", "court"), "", id="ct is court"),
        pytest.param(("9 Park Pl",), "9", ("park", "place"), "", id="pl is place"),
        pytest.param(
            ("123 N Main St",), "123", ("north", "main", "street"), "", id="direction written out"
        ),
        pytest.param(
            ("7 St James St",), "7", ("saint", "james", "street"), "", id="leading st is saint"
        ),
        pytest.param(("12 Oak St Apt 4B",), "12", ("oak", "street"), "4b", id="apartment apart"),
        pytest.param(("12 Oak St #4",), "12", ("oak", "street"), "4", id="hash is a unit"),
        pytest.param(("Suite 200", "12 Oak St"), "12", ("oak", "street"), "200", id="unit line"),
        pytest.param(
            ("12 Rue Ste Catherine",),
            "12",
            ("rue", "ste", "catherine"),
            "",
            id="ste before a word is not a suite",
        ),
        pytest.param(("Hauptstraße 5",), "5", ("hauptstrasse",), "", id="number last"),
        pytest.param(("Hauptstr. 5",), "5", ("hauptstrasse",), "", id="german str written out"),
        pytest.param(("c/o Jane Doe", "12 Oak St"), "12", ("oak", "street"), "", id="care of"),
        pytest.param(("Rose Cottage",), "", ("rose", "cottage"), "", id="no number"),
        pytest.param((), "", (), "", id="no lines"),
    ],
)
def test_street_lines(
    lines: tuple[str, ...], house_number: str, street: tuple[str, ...], unit: str
) -> None:
    parsed = parse_address(PostalAddress(lines=lines))
    assert (parsed.house_number, parsed.street, parsed.unit) == (house_number, street, unit)


@pytest.mark.parametrize(
    ("code", "country", "normalized"),
    [
        pytest.param("62701", "US", "62701", id="zip"),
        pytest.param("62701-1234", "US", "62701", id="zip+4 cut to zip"),
        pytest.param("627011234", "USA", "62701", id="zip+4 without hyphen"),
        pytest.param("62701-1234", "", "62701", id="zip+4 shape without country"),
        pytest.param("sw1a 1aa", "GB", "SW1A1AA", id="uk upper case without space"),
        pytest.param("K1A 0B1", "CA", "K1A0B1", id="canada"),
        pytest.param("01310-100", "BR", "01310100", id="hyphen removed"),
        pytest.param("  10115 ", "DE", "10115", id="whitespace"),
        pytest.param("", "US", "", id="empty"),
    ],
)
def test_postal_codes(code: str, country: str, normalized: str) -> None:
    assert normalize_postal_code(code, country) == normalized


def test_locality_and_country_are_folded() -> None:
    parsed = parse_address(PostalAddress(locality="St. Louis", country="United States"))
    assert (parsed.locality, parsed.country) == ("saint louis", "united states")


def test_locality_with_diacritics() -> None:
    assert parse_address(PostalAddress(locality="Kraków")).locality == "krakow"
