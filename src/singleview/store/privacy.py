"""Erasure, export and suppression: the SQL of privacy requests (store/privacy.sql)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from psycopg.types.json import Jsonb

from singleview.domain.identifiers import Identifier
from singleview.store.codec import identifier_columns, identifier_from_row
from singleview.store.database import Connection, RetryableConflict
from singleview.store.sql import Read, query, run

_FILE = "privacy.sql"


@dataclass(frozen=True)
class ErasureScope:
    """What one erasure covers: the live customer, its merged-away names, their records."""

    live_id: str
    customer_ids: tuple[str, ...]
    record_pks: tuple[int, ...]
    record_refs: tuple[tuple[str, str], ...]

    @property
    def params(self) -> dict[str, Any]:
        return {"ids": list(self.customer_ids), "pks": list(self.record_pks)}


async def scope_of(conn: Connection, live_id: str) -> ErasureScope:
    cur = await conn.execute(query(_FILE, "scope_customers"), {"id": live_id})
    ids = tuple(row[0] for row in await cur.fetchall())
    cur = await conn.execute(query(_FILE, "records_of_customers"), {"ids": list(ids)})
    rows = await cur.fetchall()
    return ErasureScope(
        live_id,
        ids,
        tuple(row[0] for row in rows),
        tuple((row[1], row[2]) for row in rows),
    )


async def lock_scope(conn: Connection, scope: ErasureScope) -> None:
    """Row-lock the customers; conflict (and re-run) if the scope changed since it was read."""
    cur = await conn.execute(
        query(_FILE, "lock_scope_customers"), {"ids": list(scope.customer_ids)}
    )
    rows = await cur.fetchall()
    live = [customer_id for customer_id, merged_into in rows if merged_into is None]
    if len(rows) != len(scope.customer_ids) or live != [scope.live_id]:
        raise RetryableConflict("the customer changed while the erasure waited")
    if await scope_of(conn, scope.live_id) != scope:
        raise RetryableConflict("the customer changed while the erasure waited")


async def identifiers_of(conn: Connection, scope: ErasureScope) -> tuple[Identifier, ...]:
    cur = await conn.execute(query(_FILE, "identifiers_of_records"), scope.params)
    return tuple(sorted({identifier_from_row(*row) for row in await cur.fetchall()}))


async def identifiers_kept_elsewhere(
    conn: Connection, identifiers: Sequence[Identifier], scope: ErasureScope
) -> set[Identifier]:
    if not identifiers:
        return set()
    params = {**identifier_columns(tuple(identifiers)), "pks": list(scope.record_pks)}
    cur = await conn.execute(query(_FILE, "identifiers_kept_elsewhere"), params)
    return {identifier_from_row(*row) for row in await cur.fetchall()}


@dataclass(frozen=True)
class Deleted:
    records: int
    interactions: int


async def delete_scope(conn: Connection, scope: ErasureScope) -> Deleted:
    """Delete everything the scope holds, children before parents."""
    params = scope.params
    cur = await conn.execute(query(_FILE, "delete_interactions"), params)
    interactions = cur.rowcount
    for name in ("delete_conversations", "delete_review_tasks", "delete_merge_log"):
        await conn.execute(query(_FILE, name), params)
    cur = await conn.execute(query(_FILE, "delete_records"), params)
    records = cur.rowcount
    await conn.execute(query(_FILE, "delete_customers"), params)
    return Deleted(records, interactions)


async def suppression_key(conn: Connection) -> bytes:
    """The HMAC key of suppression entries, made (256 random bits) on first use."""
    await conn.execute(query(_FILE, "create_suppression_key"), {"secret": secrets.token_bytes(32)})
    cur = await conn.execute(query(_FILE, "suppression_key"))
    row = await cur.fetchone()
    assert row is not None
    return bytes(row[0])


def suppression_key_if_needed_read() -> Read[bytes | None]:
    return Read(
        query(_FILE, "suppression_key_if_needed"),
        {},
        lambda rows: bytes(rows[0][0]) if rows else None,
    )


async def suppression_key_if_needed(conn: Connection) -> bytes | None:
    return await run(conn, suppression_key_if_needed_read())


async def insert_suppressions(
    conn: Connection, entries: Sequence[tuple[str, str]], erasure_id: str
) -> None:
    """(digest, kind) pairs; an identifier already suppressed stays as it is."""
    if entries:
        await conn.execute(
            query(_FILE, "insert_suppressions"),
            {
                "digests": [digest for digest, _ in entries],
                "kinds": [kind for _, kind in entries],
                "erasure_id": erasure_id,
            },
        )


async def suppressed_among(conn: Connection, digests: Sequence[str]) -> set[str]:
    cur = await conn.execute(query(_FILE, "suppressed_among"), {"digests": list(digests)})
    return {row[0] for row in await cur.fetchall()}


async def lift_suppressions(conn: Connection, digests: Sequence[str]) -> None:
    await conn.execute(query(_FILE, "lift_suppressions"), {"digests": list(digests)})


@dataclass(frozen=True)
class PriorRequest:
    method: str
    customer: str
    response: dict[str, Any]


async def prior_request(conn: Connection, request_id: str) -> PriorRequest | None:
    cur = await conn.execute(query(_FILE, "privacy_request"), {"request_id": request_id})
    row = await cur.fetchone()
    return PriorRequest(row[0], row[1], dict(row[2])) if row else None


async def save_request(
    conn: Connection, request_id: str, method: str, customer: str, response: dict[str, Any]
) -> None:
    await conn.execute(
        query(_FILE, "insert_privacy_request"),
        {
            "request_id": request_id,
            "method": method,
            "customer": customer,
            "response": Jsonb(response),
        },
    )


async def repeatable_read(conn: Connection) -> None:
    """First statement of a transaction: every later read sees one snapshot."""
    await conn.execute(query(_FILE, "repeatable_read"))


_EXPORT_PARTS = (
    ("customers", "export_customers"),
    ("records", "export_records"),
    ("identifiers", "export_identifiers"),
    ("interactions", "export_interactions"),
    ("conversations", "export_conversations"),
    ("review_tasks", "export_review_tasks"),
    ("preferences", "export_preferences"),
    ("consents", "export_consents"),
    ("households", "export_households"),
    ("audit_events", "export_audit_events"),
)


async def export_parts(conn: Connection, customer_ids: Sequence[str]) -> dict[str, list[Any]]:
    """Everything held about the customers, part by part, as JSON-ready values."""
    parts: dict[str, list[Any]] = {}
    for part, name in _EXPORT_PARTS:
        cur = await conn.execute(query(_FILE, name), {"ids": list(customer_ids)})
        parts[part] = [row[0] for row in await cur.fetchall()]
    return parts
