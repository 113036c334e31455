"""Source records, customers and the decisions that put one into the other."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from singleview.domain.identifiers import Identifier, RawIdentifier

if TYPE_CHECKING:
    from singleview.domain.households import Ambiguity


@dataclass(frozen=True)
class PostalAddress:
    lines: tuple[str, ...] = ()
    locality: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""

    def is_empty(self) -> bool:
        return not (self.lines or self.locality or self.region or self.postal_code or self.country)


@dataclass(frozen=True)
class PersonAttributes:
    given_name: str = ""
    family_name: str = ""
    full_name: str = ""
    birth_date: date | None = None
    address: PostalAddress = field(default_factory=PostalAddress)

    def is_empty(self) -> bool:
        return not (
            self.given_name
            or self.family_name
            or self.full_name
            or self.birth_date
            or not self.address.is_empty()
        )


@dataclass(frozen=True)
class RawPersonAttributes:
    """Person attributes as a channel sent them; `birth_date` is still text."""

    given_name: str = ""
    family_name: str = ""
    full_name: str = ""
    birth_date: str = ""
    address: PostalAddress = field(default_factory=PostalAddress)


@dataclass(frozen=True)
class SourceRecordRef:
    source: str
    record_id: str


@dataclass(frozen=True)
class ResolveInput:
    """What a channel asks to resolve, before validation and normalization."""

    source: str
    record_id: str
    identifiers: tuple[RawIdentifier, ...]
    attributes: RawPersonAttributes
    observed_at: datetime | None


@dataclass(frozen=True)
class SourceRecord:
    """One validated version of what a source knows about a person."""

    ref: SourceRecordRef
    identifiers: tuple[Identifier, ...]
    attributes: PersonAttributes
    observed_at: datetime


class Decision(enum.Enum):
    """What resolving a record did; values are stored in the database."""

    NEW = "NEW"
    LINKED = "LINKED"
    MERGED = "MERGED"
    REVIEW = "REVIEW"
    AMBIGUOUS = "AMBIGUOUS"


class RecordOutcome(enum.Enum):
    """What happened to the stored record itself."""

    CREATED = "CREATED"
    UPDATED = "UPDATED"
    UNCHANGED = "UNCHANGED"
    STALE = "STALE"


class EvidenceKind(enum.Enum):
    IDENTIFIER_MATCH = "IDENTIFIER_MATCH"
    SAME_RECORD = "SAME_RECORD"
    COMPARISON = "COMPARISON"
    STEWARD_DECISION = "STEWARD_DECISION"


@dataclass(frozen=True)
class Evidence:
    """One reason behind a decision, readable by a steward."""

    kind: EvidenceKind
    label: str
    customer_id: str = ""
    identifier: Identifier | None = None
    field: str = ""
    level: str = ""
    weight: float = 0.0


@dataclass(frozen=True)
class GoldenAttributes:
    """The customer's best attributes, derived from its records."""

    attributes: PersonAttributes
    sources: dict[str, SourceRecordRef] = field(default_factory=dict)


@dataclass(frozen=True)
class Customer:
    id: str
    golden: PersonAttributes
    identifiers: tuple[Identifier, ...]
    records: tuple[SourceRecordRef, ...]
    create_time: datetime
    update_time: datetime
    merged_ids: tuple[str, ...] = ()
    golden_sources: Mapping[str, SourceRecordRef] = field(default_factory=dict)
    """Golden attribute name -> the record whose value survived."""


@dataclass(frozen=True)
class ResolveResult:
    customer: Customer
    decision: Decision
    evidence: tuple[Evidence, ...]
    outcome: RecordOutcome
    merged_customer_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class LookupResult:
    """What a set of identifiers would resolve to, without writing anything."""

    customer: Customer | None
    decision: Decision
    evidence: tuple[Evidence, ...]
    candidate_ids: tuple[str, ...] = ()
    household_id: str = ""
    """The household the identifiers belong to, if any."""
    ambiguity: Ambiguity | None = None
    """DECISION_AMBIGUOUS: the candidates and what to ask."""
