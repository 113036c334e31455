"""Postal addresses prepared for comparison: house number, normalized street, postal code.

Addresses are typed in many ways ("12 Oak St. Apt 4", "12 OAK STREET #4"): parsing brings
them to one form so that the comparison can ask simple questions (same street? same postal
code?). Apartment and unit designators are kept apart (`unit`) rather than in the street: two
records of one person often disagree on whether they wrote the flat, never on the street.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from singleview.domain.records import PostalAddress
from singleview.matching.names import fold

_MEMO = 1 << 15
"""Addresses remembered parsed: about the records one import compares with at a time."""

STREET_SUFFIXES: dict[str, str] = {
    "st": "street",
    "str": "street",
    "ave": "avenue",
    "av": "avenue",
    "rd": "road",
    "blvd": "boulevard",
    "dr": "drive",
    "ln": "lane",
    "ct": "court",
    "pl": "place",
    "sq": "square",
    "ter": "terrace",
    "cir": "circle",
    "hwy": "highway",
    "pkwy": "parkway",
    "trl": "trail",
    "cres": "crescent",
}
"""USPS-style abbreviations of the street type, written out (the type is a word of the name)."""

DIRECTIONS: dict[str, str] = {
    "n": "north",
    "s": "south",
    "e": "east",
    "w": "west",
    "ne": "northeast",
    "nw": "northwest",
    "se": "southeast",
    "sw": "southwest",
}

LEADING_ABBREVIATIONS: dict[str, str] = {
    "st": "saint",
    "mt": "mount",
    "ft": "fort",
    "dr": "doctor",
}
"""Abbreviations that mean something else as the first word ("St James St" is Saint James)."""

UNIT_DESIGNATORS = frozenset(
    {"apt", "apartment", "unit", "ste", "suite", "fl", "floor", "rm", "room", "flat"}
)
"""Words that introduce an apartment or unit; "#" is read as "unit"."""

US_COUNTRIES = frozenset({"us", "usa", "u s", "u s a", "united states", "united states of america"})

_ZIP_PLUS_4 = re.compile(r"(\d{5})-?\d{4}")


@dataclass(frozen=True)
class ParsedAddress:
    house_number: str = ""
    street: tuple[str, ...] = ()
    """Street words, abbreviations written out, without house number and unit."""
    unit: str = ""
    """Apartment, suite or floor ("4b"), not used by the comparison."""
    postal_code: str = ""
    locality: str = ""
    country: str = ""


@lru_cache(maxsize=_MEMO)
def parse_address(address: PostalAddress) -> ParsedAddress:
    """The parts of an address that matching compares, each in one canonical spelling.

    Remembered: a stored record is compared with every incoming record that shares a
    blocking key with it, and parsing its address each time was a tenth of a bulk import."""
    lines = [_line_tokens(line) for line in address.lines]
    units = [unit for _, unit in lines if unit]
    house_number, street = _street_line([tokens for tokens, _ in lines])
    return ParsedAddress(
        house_number=house_number,
        street=normalize_street(street),
        unit=units[0] if units else "",
        postal_code=normalize_postal_code(address.postal_code, address.country),
        locality=" ".join(_expand_leading(tuple(fold(address.locality).split()))),
        country=fold(address.country),
    )


def normalize_postal_code(code: str, country: str) -> str:
    """Upper case, no spaces or hyphens; a US ZIP+4 is cut to its five-digit ZIP.

    The +4 part is often missing from one of two records of the same address. With no
    country, a 5+4-digit code is taken as a ZIP+4 too: no other common format has that shape.
    """
    compact = re.sub(r"\s+", "", code).upper()
    zip_plus_4 = _ZIP_PLUS_4.fullmatch(compact)
    if zip_plus_4 is not None and (not country.strip() or fold(country) in US_COUNTRIES):
        return zip_plus_4.group(1)
    return compact.replace("-", "")


def normalize_street(tokens: Sequence[str]) -> tuple[str, ...]:
    """Write out directions anywhere and street-type abbreviations after the first word.

    German compounds are written out too ("hauptstr" -> "hauptstrasse"), as "Str." is the
    usual abbreviation there and is glued to the name.
    """
    expanded = _expand_leading(tuple(tokens))
    return tuple(_street_word(token, first=i == 0) for i, token in enumerate(expanded))


def _street_word(token: str, *, first: bool) -> str:
    if token in DIRECTIONS:
        return DIRECTIONS[token]
    if token in STREET_SUFFIXES:
        return token if first else STREET_SUFFIXES[token]
    if token.endswith("str") and len(token) > 3:
        return token[:-3] + "strasse"
    return token


def _expand_leading(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """ "St" first in a name of several words is "Saint" (St Louis, St James Street)."""
    if len(tokens) > 1 and tokens[0] in LEADING_ABBREVIATIONS:
        return (LEADING_ABBREVIATIONS[tokens[0]], *tokens[1:])
    return tokens


def _line_tokens(line: str) -> tuple[tuple[str, ...], str]:
    """Folded words of one address line without its unit designator, and the unit.

    A designator counts only when followed by something that looks like a unit (a digit or a
    single letter): "Ste 200" is a suite, "Ste Catherine" a street.
    """
    tokens = fold(line.replace("#", " unit ")).split()
    kept: list[str] = []
    unit = ""
    i = 0
    while i < len(tokens):
        token = tokens[i]
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token in UNIT_DESIGNATORS and _looks_like_unit(following):
            unit = unit or following
            i += 2
            continue
        kept.append(token)
        i += 1
    return tuple(kept), unit


def _looks_like_unit(token: str) -> bool:
    return len(token) == 1 or any(c.isdigit() for c in token)


def _street_line(lines: Sequence[tuple[str, ...]]) -> tuple[str, tuple[str, ...]]:
    """House number and street words of the line that holds the street.

    That is the first line with both a number and a word ("12 Oak St", "Hauptstrasse 5"),
    else the first non-empty line. The number is the first word (US, UK) or the last (most of
    continental Europe).
    """
    candidates = [t for t in lines if t]
    with_number = [t for t in candidates if _has_number_and_word(t)]
    if not (with_number or candidates):
        return "", ()
    tokens = (with_number or candidates)[0]
    if tokens[0][0].isdigit() and len(tokens) > 1:
        return tokens[0], tokens[1:]
    if tokens[-1][0].isdigit() and len(tokens) > 1:
        return tokens[-1], tokens[:-1]
    return "", tokens


def _has_number_and_word(tokens: tuple[str, ...]) -> bool:
    return any(t[0].isdigit() for t in tokens) and any(t.isalpha() for t in tokens)
