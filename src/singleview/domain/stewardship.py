"""What data stewards work with: review tasks, verdicts, side-by-side evidence, audit events."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from singleview.domain.identifiers import Identifier
from singleview.domain.records import (
    Customer,
    Decision,
    Evidence,
    PersonAttributes,
    SourceRecordRef,
)


class ReviewTaskState(enum.Enum):
    """Stored in review_task.state. An UNSURE verdict leaves a task OPEN: it stays in the queue."""

    OPEN = "OPEN"
    DECIDED = "DECIDED"
    OBSOLETE = "OBSOLETE"


class ReviewVerdict(enum.Enum):
    """A steward's judgement on an uncertain pair (positive / negative / unsure)."""

    SAME = "SAME"
    DIFFERENT = "DIFFERENT"
    UNSURE = "UNSURE"


@dataclass(frozen=True)
class ReviewTask:
    """An uncertain pair as the queue shows it; `customer_ids` are the live customers now."""

    id: str
    seq: int
    customer_ids: tuple[str, str]
    score: float
    evidence: tuple[Evidence, ...]
    state: ReviewTaskState
    verdict: ReviewVerdict | None
    reason: str
    decided_by: str
    create_time: datetime
    decide_time: datetime | None
    version: int
    record: SourceRecordRef | None
    recent_interactions: int
    priority: float

    @property
    def etag(self) -> str:
        return str(self.version)


@dataclass(frozen=True)
class RecordDetail:
    """One source record in full, with why it is in its customer."""

    ref: SourceRecordRef
    identifiers: tuple[Identifier, ...]
    attributes: PersonAttributes
    observed_at: datetime
    decision: Decision
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class ReviewSide:
    customer: Customer
    records: tuple[RecordDetail, ...]


@dataclass(frozen=True)
class SideBySide:
    """One field of the two sides' best-matching records and the comparison level it reached."""

    field: str
    left: str
    right: str
    level: str
    label: str
    weight: float
    contradicts: bool


@dataclass(frozen=True)
class ReviewTaskDetail:
    task: ReviewTask
    sides: tuple[ReviewSide, ...]
    comparisons: tuple[SideBySide, ...]
    compared_records: tuple[SourceRecordRef, ...]


@dataclass(frozen=True)
class AuditEvent:
    """One change to the single view. before/after hold ids and record references, no names."""

    id: int
    action: str
    actor: str
    event_time: datetime
    customer_ids: tuple[str, ...]
    reason: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class SplitResult:
    remaining: Customer
    split_off: Customer
    restored: bool
    """The split-off part is a customer merged in earlier, brought back under its own name."""


@dataclass(frozen=True)
class DecideInput:
    name: str
    verdict: ReviewVerdict | None
    reason: str
    request_id: str
    etag: str
    actor: str


@dataclass(frozen=True)
class MergeInput:
    names: tuple[str, ...]
    reason: str
    request_id: str
    actor: str


@dataclass(frozen=True)
class SplitInput:
    name: str
    records: tuple[SourceRecordRef, ...]
    reason: str
    request_id: str
    actor: str


@dataclass(frozen=True)
class ReviewTaskQuery:
    page_size: int
    page_token: str
    state: ReviewTaskState | None
    customer: str


@dataclass(frozen=True)
class AuditQuery:
    customer: str
    actor: str
    page_size: int
    page_token: str
