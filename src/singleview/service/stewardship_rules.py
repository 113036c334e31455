"""How automatic matching respects stewards' decisions: the rules resolve and recluster apply.

- Cannot-link: a record never merges customers a steward kept apart. Of the customers a record
  would link, the record's own customer keeps it; every other customer in a kept-apart pair is
  downgraded to review (and no task is raised again for a pair a steward already decided).
- Must-link: records a steward confirmed as one person stay together when a customer is
  re-evaluated (see service/recluster.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from singleview.domain.records import Evidence, EvidenceKind
from singleview.service.names import customer_name


def held_apart(
    linked: Iterable[str], own_customer: str | None, apart: Iterable[frozenset[str]]
) -> set[str]:
    """The linked customers that must not be merged: each is in a kept-apart pair of `linked`."""
    candidates = set(linked)
    held: set[str] = set()
    for pair in apart:
        if pair <= candidates:
            held |= pair - {own_customer}
    return held


def kept_apart_evidence(customer_ids: Iterable[str]) -> tuple[Evidence, ...]:
    return tuple(
        Evidence(
            EvidenceKind.STEWARD_DECISION,
            f"a steward kept {customer_name(c)} apart from another customer this record "
            "matches: sent to review instead of merged",
            customer_id=c,
        )
        for c in sorted(customer_ids)
    )
