"""A steward's changes, each a step inside the caller's transaction: merge, keep apart, split.

Every step locks the customers it changes (row locks in id order, as a resolve takes them), moves
records together with their identifiers, golden attributes and interactions, records the
constraint that makes the decision stick, and appends an audit event with before and after
(ids and record references only: no personal data, so the append-only log survives erasure).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from singleview.config import Settings
from singleview.domain.errors import FailedPrecondition, FieldViolation, InvalidArgument
from singleview.domain.records import Decision, Evidence, EvidenceKind, SourceRecordRef
from singleview.service.golden import refresh_golden
from singleview.service.households import refresh_households_of_customers
from singleview.service.names import customer_name, new_customer_id, new_id
from singleview.store import households as household_store
from singleview.store import resolution
from singleview.store import stewardship as steward_store
from singleview.store import stewardship_links as links
from singleview.store import timeline as timeline_store
from singleview.store.database import Connection
from singleview.store.matching import insert_review_task

RecordRefs = list[tuple[int, SourceRecordRef]]


def _refs(held: RecordRefs) -> list[list[str]]:
    return [[ref.source, ref.record_id] for _, ref in held]


async def merge(
    conn: Connection, customer_ids: Sequence[str], *, actor: str, reason: str, settings: Settings
) -> str:
    """Merge live customers into the oldest; the records they hold now become a must-link group.

    Refused (CANNOT_LINK) when a steward kept any two of them apart.
    """
    ages = await resolution.lock_customers(conn, set(customer_ids))
    apart = await links.cannot_link_pairs(conn, customer_ids)
    if apart:
        pair = min(sorted(p) for p in apart)
        raise FailedPrecondition(
            "a steward decided these customers are different people",
            reason="CANNOT_LINK",
            metadata={"customers": ",".join(customer_name(c) for c in pair)},
        )
    ordered = sorted(customer_ids, key=lambda c: ages[c])
    survivor, losers = ordered[0], ordered[1:]
    held = await links.record_refs_of_customers(conn, ordered)
    await resolution.merge_customers(conn, survivor, losers)
    await timeline_store.follow_merge(conn, survivor, losers)
    await household_store.follow_merge(conn, survivor, losers)
    await links.insert_must_link(conn, new_id(), [pk for c in ordered for pk, _ in held[c]])
    await steward_store.obsolete_tasks_within(conn, survivor)
    await refresh_golden(conn, survivor, settings.survivorship)
    await resolution.insert_audit_event(
        conn,
        action="MERGE",
        actor=actor,
        customers=ordered,
        reason=reason,
        before={"customers": {c: {"records": _refs(held[c])} for c in ordered}},
        after={"survivor": survivor, "merged": losers},
    )
    return survivor


async def keep_apart(
    conn: Connection, a: str, b: str, *, actor: str, reason: str, review_task_id: str
) -> None:
    """A cannot-link between the records the two customers hold now; other tasks on the pair
    become moot."""
    await resolution.lock_customers(conn, {a, b})
    held = await links.record_refs_of_customers(conn, [a, b])
    await links.insert_cannot_link(
        conn,
        [pk for pk, _ in held[a]],
        [pk for pk, _ in held[b]],
        actor=actor,
        reason=reason,
        review_task_id=review_task_id,
    )
    await steward_store.obsolete_tasks_between(conn, review_task_id, a, b)


@dataclass(frozen=True)
class SplitOutcome:
    customer_id: str
    restored: bool


def _chosen(
    customer_id: str, held: RecordRefs, refs: Sequence[SourceRecordRef]
) -> tuple[list[int], list[int]]:
    """(moving, staying) record pks; INVALID_ARGUMENT unless some but not all are the customer's."""
    by_ref = {ref: pk for pk, ref in held}
    violations = [
        FieldViolation(f"records[{i}]", f"not a record of {customer_name(customer_id)}")
        for i, ref in enumerate(refs)
        if ref not in by_ref
    ]
    if not violations and len(refs) >= len(held):
        violations.append(
            FieldViolation("records", "would take every record; leave at least one behind")
        )
    if violations:
        raise InvalidArgument(violations)
    moving = [by_ref[ref] for ref in refs]
    return moving, [pk for pk, _ in held if pk not in set(moving)]


async def split(
    conn: Connection,
    customer_id: str,
    refs: Sequence[SourceRecordRef],
    *,
    actor: str,
    reason: str,
    settings: Settings,
) -> SplitOutcome:
    """Move the chosen records out, with their interactions, and keep the two parts apart.

    When they are exactly the records of a customer merged in earlier, that customer comes back
    under its own name, with the interactions recorded for it by name: a merge split back leaves
    both timelines as they were, apart from what arrived since.
    """
    await resolution.lock_customers(conn, {customer_id})
    held = (await links.record_refs_of_customers(conn, [customer_id]))[customer_id]
    moving, staying = _chosen(customer_id, held, refs)
    target, restored = await _split_target(conn, customer_id, moving)
    await timeline_store.follow_split(conn, customer_id, target, moving)
    await links.insert_cannot_link(conn, staying, moving, actor=actor, reason=reason)
    await links.partition_must_links(conn, moving, target)
    await ask_about_shared_identifiers(conn, customer_id, target, settings.matching.placeholders)
    for changed in (customer_id, target):
        await refresh_golden(conn, changed, settings.survivorship)
    await refresh_households_of_customers(conn, [customer_id, target])
    await _audit_split(conn, customer_id, target, held, set(moving), restored, actor, reason)
    return SplitOutcome(target, restored)


SHARING_CUSTOMERS_ASKED = 20
"""At most this many customers are put to a steward for one part split off (a bound on the work
of one split; more would mean an identifier that should have been found generic)."""

UNCOMPARED_SCORE = 0.5
"""The score of a review task raised for a pair nobody compared yet: as uncertain as can be.
The console compares the two sides field by field when the task is opened."""


async def ask_about_shared_identifiers(
    conn: Connection, left: str, part: str, placeholders: Sequence[tuple[str, str]]
) -> None:
    """After `part` was split off `left`: no customer may silently share a proving identifier
    with it. Every such customer not kept apart from it and not already asked about gets a
    review task: the one it had with `left` when there was one (the part was in `left` when it
    was raised), else a new one naming the identifier they share."""
    sharing = await steward_store.customers_sharing_identifiers(
        conn, part, placeholders, SHARING_CUSTOMERS_ASKED
    )
    if not sharing:
        return
    apart = await links.cannot_link_pairs(conn, [part, *sharing])
    inherited = await steward_store.tasks_to_inherit(conn, left, list(sharing))
    for other, identifier in sorted(sharing.items()):
        if frozenset((part, other)) in apart:
            continue
        if await steward_store.open_task_between(conn, part, other):
            continue
        if other in inherited:
            await steward_store.inherit_task(
                conn, task_id=new_id(), from_task=inherited[other], part=part, other=other
            )
            continue
        why = Evidence(
            EvidenceKind.IDENTIFIER_MATCH,
            f"shares an identifier with {customer_name(other)}, split off "
            f"{customer_name(left)}; not compared yet",
            customer_id=other,
            identifier=identifier,
        )
        await insert_review_task(
            conn,
            task_id=new_id(),
            record_pk=None,
            customer_a=other,
            customer_b=part,
            score=UNCOMPARED_SCORE,
            evidence=(why,),
        )


async def _split_target(conn: Connection, customer_id: str, moving: list[int]) -> tuple[str, bool]:
    """Move the records to the customer they came from, if exactly its records, else a new one."""
    merged = await links.restorable_merge(conn, customer_id, moving)
    if merged is not None:
        await links.restore_merged(conn, merged, customer_id)
        await links.rehome_records(conn, moving, merged.loser)
        await links.return_named_interactions(
            conn, customer_id, merged.loser, merged.named_interactions, moving
        )
        return merged.loser, True
    target = new_customer_id()
    await resolution.insert_customer(conn, target)
    why = Evidence(
        EvidenceKind.STEWARD_DECISION,
        f"split out of {customer_name(customer_id)} by a steward",
        customer_id=customer_id,
    )
    await resolution.move_records_to(conn, moving, target, Decision.NEW, (why,))
    return target, False


async def _audit_split(
    conn: Connection,
    customer_id: str,
    target: str,
    held: RecordRefs,
    moving: set[int],
    restored: bool,
    actor: str,
    reason: str,
) -> None:
    await resolution.insert_audit_event(
        conn,
        action="SPLIT",
        actor=actor,
        customers=[customer_id, target],
        reason=reason,
        before={"customer": customer_id, "records": _refs(held)},
        after={
            "remaining": {
                "customer": customer_id,
                "records": _refs([h for h in held if h[0] not in moving]),
            },
            "split_off": {
                "customer": target,
                "records": _refs([h for h in held if h[0] in moving]),
                "restored": restored,
            },
        },
    )
