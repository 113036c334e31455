"""Storage of the stewards' work: review tasks and verdicts, idempotent requests, the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from psycopg.types.json import Jsonb

from singleview.domain.identifiers import Identifier
from singleview.domain.records import Decision, SourceRecordRef
from singleview.domain.stewardship import (
    AuditEvent,
    RecordDetail,
    ReviewTask,
    ReviewTaskState,
    ReviewVerdict,
)
from singleview.store.codec import attributes_from_json, evidence_from_json, identifier_from_row
from singleview.store.database import Connection
from singleview.store.resolution import lock_key
from singleview.store.sql import query

_FILE = "stewardship.sql"


@dataclass(frozen=True)
class TaskKey:
    """Where a page of review tasks continues: after this (rank, priority, seq)."""

    rank: int
    priority: float
    seq: int


@dataclass(frozen=True)
class TaskFilter:
    ids: list[str] | None = None
    state: ReviewTaskState | None = None
    customer_id: str | None = None


def _task(row: tuple[Any, ...]) -> tuple[ReviewTask, TaskKey]:
    (id_, seq, live_a, live_b, score, evidence, state, verdict, reason, decided_by) = row[:10]
    (create_time, decide_time, version, source, record_id, recent, priority, rank) = row[10:]
    task = ReviewTask(
        id=id_,
        seq=seq,
        customer_ids=(live_a, live_b),
        score=score,
        evidence=evidence_from_json(evidence),
        state=ReviewTaskState(state),
        verdict=ReviewVerdict(verdict) if verdict else None,
        reason=reason,
        decided_by=decided_by,
        create_time=create_time,
        decide_time=decide_time,
        version=version,
        record=SourceRecordRef(source, record_id) if source is not None else None,
        recent_interactions=recent,
        priority=priority,
    )
    return task, TaskKey(rank, priority, seq)


async def review_tasks(
    conn: Connection,
    where: TaskFilter,
    *,
    as_of: datetime,
    window: timedelta,
    after: TaskKey | None = None,
    limit: int = 1,
) -> list[tuple[ReviewTask, TaskKey]]:
    """Tasks in queue order with the key of each, for the page token."""
    params = {
        "ids": where.ids,
        "state": where.state.value if where.state else None,
        "customer": where.customer_id,
        "as_of": as_of,
        "window": window,
        "after_rank": after.rank if after else None,
        "after_priority": after.priority if after else None,
        "after_seq": after.seq if after else None,
        "limit": limit,
    }
    cur = await conn.execute(query(_FILE, "review_tasks"), params)
    return [_task(row) for row in await cur.fetchall()]


@dataclass(frozen=True)
class LockedTask:
    """A review task row-locked for a decision, with its live sides."""

    id: str
    state: ReviewTaskState
    verdict: ReviewVerdict | None
    decided_by: str
    version: int
    live_a: str
    live_b: str


async def lock_review_task(conn: Connection, task_id: str) -> LockedTask | None:
    cur = await conn.execute(query(_FILE, "lock_review_task"), {"id": task_id})
    row = await cur.fetchone()
    if row is None:
        return None
    id_, state, verdict, decided_by, version, live_a, live_b = row
    return LockedTask(
        id_,
        ReviewTaskState(state),
        ReviewVerdict(verdict) if verdict else None,
        decided_by,
        version,
        live_a,
        live_b,
    )


async def record_verdict(
    conn: Connection,
    task_id: str,
    *,
    state: ReviewTaskState,
    verdict: ReviewVerdict,
    reason: str,
    actor: str,
    request_id: str,
) -> None:
    await conn.execute(
        query(_FILE, "record_verdict"),
        {
            "id": task_id,
            "state": state.value,
            "verdict": verdict.value,
            "reason": reason,
            "actor": actor,
            "request_id": request_id or None,
        },
    )


async def obsolete_tasks_within(conn: Connection, customer_id: str) -> None:
    """Open tasks whose two sides both resolve to `customer_id` now are moot."""
    await conn.execute(query(_FILE, "obsolete_tasks_within"), {"customer": customer_id})


async def obsolete_tasks_between(conn: Connection, decided: str, x: str, y: str) -> None:
    """Other open tasks on the live pair (x, y) are moot once `decided` settled the pair."""
    await conn.execute(query(_FILE, "obsolete_tasks_between"), {"decided": decided, "x": x, "y": y})


async def open_task_between(conn: Connection, x: str, y: str) -> bool:
    cur = await conn.execute(query(_FILE, "open_task_between"), {"x": x, "y": y})
    row = await cur.fetchone()
    return bool(row and row[0])


async def customers_sharing_identifiers(
    conn: Connection, part: str, placeholders: Sequence[tuple[str, str]], limit: int
) -> dict[str, Identifier]:
    """Live customers sharing a proving identifier with `part`, each with one it shares."""
    cur = await conn.execute(
        query(_FILE, "customers_sharing_identifiers"),
        {
            "part": part,
            "placeholder_kinds": [kind for kind, _ in placeholders],
            "placeholder_patterns": [pattern for _, pattern in placeholders],
            "limit": limit,
        },
    )
    return {
        str(customer): identifier_from_row(kind, namespace, value)
        for customer, kind, namespace, value in await cur.fetchall()
    }


async def tasks_to_inherit(conn: Connection, left: str, others: Sequence[str]) -> dict[str, str]:
    """Other customer -> the latest review task between it and `left`."""
    cur = await conn.execute(
        query(_FILE, "tasks_to_inherit"), {"left": left, "others": list(others)}
    )
    return {str(other): str(task) for task, other in await cur.fetchall()}


async def inherit_task(
    conn: Connection, *, task_id: str, from_task: str, part: str, other: str
) -> None:
    await conn.execute(
        query(_FILE, "inherit_task"),
        {"id": task_id, "from_task": from_task, "part": part, "other": other},
    )


@dataclass(frozen=True)
class StoredRequest:
    method: str
    fingerprint: str
    result: dict[str, Any]


async def lock_request(conn: Connection, request_id: str) -> None:
    key = lock_key(f"steward-request\x1f{request_id}")
    await conn.execute(query(_FILE, "lock_request"), {"key": key})


async def stored_request(conn: Connection, request_id: str) -> StoredRequest | None:
    cur = await conn.execute(query(_FILE, "stored_request"), {"request_id": request_id})
    row = await cur.fetchone()
    return StoredRequest(row[0], row[1], dict(row[2])) if row is not None else None


async def save_request(
    conn: Connection,
    request_id: str,
    *,
    method: str,
    fingerprint: str,
    result: dict[str, Any],
    actor: str,
) -> None:
    await conn.execute(
        query(_FILE, "save_request"),
        {
            "request_id": request_id,
            "method": method,
            "fingerprint": fingerprint,
            "result": Jsonb(result),
            "actor": actor,
        },
    )


async def audit_events(
    conn: Connection,
    *,
    customer_ids: list[str] | None,
    actor: str | None,
    before_id: int | None,
    limit: int,
) -> list[AuditEvent]:
    """Newest first, below `before_id`; `customer_ids` matches events naming any of them."""
    cur = await conn.execute(
        query(_FILE, "audit_events"),
        {"customers": customer_ids, "actor": actor, "before_id": before_id, "limit": limit},
    )
    return [
        AuditEvent(
            id=row[0],
            action=row[1],
            actor=row[2],
            event_time=row[3],
            customer_ids=tuple(row[4]),
            reason=row[5],
            before=row[6],
            after=row[7],
        )
        for row in await cur.fetchall()
    ]


async def record_details(
    conn: Connection, customer_ids: list[str], per_customer: int
) -> dict[str, list[RecordDetail]]:
    """Customer id -> its newest records in full, newest observation first."""
    cur = await conn.execute(
        query(_FILE, "record_details"), {"ids": customer_ids, "per_customer": per_customer}
    )
    found: dict[str, list[RecordDetail]] = {}
    for (
        _pk,
        customer_id,
        source,
        record_id,
        ids,
        attrs,
        observed_at,
        decision,
        ev,
    ) in await cur.fetchall():
        found.setdefault(customer_id, []).append(
            RecordDetail(
                ref=SourceRecordRef(source, record_id),
                identifiers=tuple(identifier_from_row(*i) for i in ids),
                attributes=attributes_from_json(attrs),
                observed_at=observed_at,
                decision=Decision(decision),
                evidence=evidence_from_json(ev),
            )
        )
    return found
