"""The vocabulary of comparisons: small, ordered, explainable levels (as in Splink).

A comparison looks at one field of two match profiles and answers with the first level whose
condition holds. Each level has a stable `name` (the key of its weight in the model file) and a
`label` a steward can read ("given names are nicknames of each other (Bob = Robert)").
A level that `contradicts` says the two are clearly different people on this field; it vetoes a
merge that a shared phone or email would otherwise make.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol


@dataclass(frozen=True)
class Level:
    name: str
    label: str
    contradicts: bool = False


@dataclass(frozen=True)
class FieldComparison:
    """The level one comparison reached; `level` is None when a side lacks the value."""

    field: str
    level: Level | None


@dataclass(frozen=True)
class MatchProfile:
    """What matching needs of a record, prepared once: folded names, parsed address, keys."""

    given: tuple[str, ...] = ()
    """Folded given-name tokens (ASCII, lower case, no punctuation); the first is the primary."""
    family: tuple[str, ...] = ()
    """Folded family-name tokens."""
    birth_date: date | None = None
    house_number: str = ""
    street: tuple[str, ...] = ()
    """Street tokens with suffixes normalized (st -> street), house number removed."""
    postal_code: str = ""
    locality: str = ""
    country: str = ""
    emails: tuple[str, ...] = field(default_factory=tuple)
    """Normalized email addresses (as stored identifiers: canonical mailbox)."""
    phones: tuple[str, ...] = field(default_factory=tuple)
    """E.164 phone numbers."""


class Comparison(Protocol):
    """One field's comparison: ordered levels, best first."""

    @property
    def field(self) -> str: ...

    @property
    def levels(self) -> tuple[Level, ...]: ...

    def compare(self, left: MatchProfile, right: MatchProfile) -> FieldComparison: ...
