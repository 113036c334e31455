"""Survivorship: the customer's best attributes, derived from its records by per-attribute rules.

Rules are settings (config.SurvivorshipSettings): most recent (the default for every
attribute), source priority, most frequent, longest. Each value remembers the record it came
from, so a steward and a store associate can see where the golden record's values come from.
The golden record is recomputed whenever the customer's records change (`refresh_golden`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from singleview.config import (
    GOLDEN_ATTRIBUTES,
    AttributeRule,
    SurvivorshipRule,
    SurvivorshipSettings,
)
from singleview.domain.records import (
    GoldenAttributes,
    PersonAttributes,
    PostalAddress,
    SourceRecordRef,
)
from singleview.matching.kinship import is_named
from singleview.matching.names import fold
from singleview.store import resolution as store
from singleview.store.database import Connection
from singleview.store.resolution import RecordAttributes

Value = str | date | PostalAddress
Candidate = tuple[RecordAttributes, Value]
"""A record and its non-empty value of one attribute; candidates come newest record first."""


NAME_ATTRIBUTES = frozenset({"given_name", "family_name", "full_name"})


def _value(attributes: PersonAttributes, name: str) -> Value | None:
    if name in NAME_ATTRIBUTES and not is_named(attributes):
        return None  # "Walk In" typed by a till is nobody's name
    value: Value | None = getattr(attributes, name)
    if isinstance(value, PostalAddress):
        return None if value.is_empty() else value
    return value or None


def _text(value: Value) -> str:
    if isinstance(value, PostalAddress):
        parts = (*value.lines, value.locality, value.region, value.postal_code, value.country)
        return " ".join(part for part in parts if part)
    return value.isoformat() if isinstance(value, date) else value


def _most_recent(candidates: Sequence[Candidate], rule: AttributeRule) -> Candidate:
    return candidates[0]


def _source_priority(candidates: Sequence[Candidate], rule: AttributeRule) -> Candidate:
    """The best-ranked source wins; unlisted sources rank after every listed one."""
    rank = {source: index for index, source in enumerate(rule.sources)}
    worst = len(rank)
    return min(candidates, key=lambda c: rank.get(c[0].ref.source, worst))


def _most_frequent(candidates: Sequence[Candidate], rule: AttributeRule) -> Candidate:
    """Values are counted folded ("SMITH" and "Smith" agree); the winner is spelled as its most
    recent record spells it. Ties go to the value seen most recently."""
    counts: dict[str, int] = {}
    for _, value in candidates:
        key = fold(_text(value))
        counts[key] = counts.get(key, 0) + 1
    return max(candidates, key=lambda c: counts[fold(_text(c[1]))])


def _longest(candidates: Sequence[Candidate], rule: AttributeRule) -> Candidate:
    return max(candidates, key=lambda c: len(_text(c[1]).strip()))


_CHOOSERS: dict[SurvivorshipRule, Callable[[Sequence[Candidate], AttributeRule], Candidate]] = {
    SurvivorshipRule.MOST_RECENT: _most_recent,
    SurvivorshipRule.SOURCE_PRIORITY: _source_priority,
    SurvivorshipRule.MOST_FREQUENT: _most_frequent,
    SurvivorshipRule.LONGEST: _longest,
}
"""min and max keep the first of equals, and candidates are newest first: ties go to recency."""


def golden_record(
    records: Sequence[RecordAttributes], rules: SurvivorshipSettings | None = None
) -> GoldenAttributes:
    """Per attribute, the value its rule picks among the records that have one.

    `records` come newest observation first. The address is taken whole, never mixed from the
    parts of several records, because a street from one and a postal code from another is
    nobody's address.
    """
    rules = rules or SurvivorshipSettings()
    chosen: dict[str, Any] = {}
    sources: dict[str, SourceRecordRef] = {}
    for name in GOLDEN_ATTRIBUTES:
        candidates = [
            (record, value)
            for record in records
            if (value := _value(record.attributes, name)) is not None
        ]
        if not candidates:
            continue
        rule = rules.rule_for(name)
        record, value = _CHOOSERS[rule.rule](candidates, rule)
        chosen[name] = value
        sources[name] = record.ref
    return GoldenAttributes(replace(PersonAttributes(), **chosen), sources)


async def refresh_golden(conn: Connection, customer_id: str, rules: SurvivorshipSettings) -> None:
    """Recompute and store the golden record; call after anything changes the customer's records
    (a resolve, a merge, a split, a re-evaluation), inside the same transaction."""
    records = await store.record_attributes_of_customer(conn, customer_id)
    await store.update_golden(conn, customer_id, golden_record(records, rules))
