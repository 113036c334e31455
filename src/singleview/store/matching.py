"""Storage for matching: blocking keys, candidate records, generic identifiers, review tasks."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from psycopg.types.json import Jsonb

from singleview.domain.identifiers import Identifier
from singleview.domain.records import Evidence, PersonAttributes, SourceRecord
from singleview.store.codec import (
    attributes_from_json,
    attributes_to_json,
    evidence_to_json,
    identifier_columns,
    identifier_from_row,
    identifiers_to_json,
)
from singleview.store.database import Connection
from singleview.store.decoded import StoredCandidate as StoredCandidate
from singleview.store.decoded import candidate_from_row as candidate_from_row
from singleview.store.decoded import candidates_from_text_rows
from singleview.store.sql import Read, query, run

_FILE = "matching.sql"


def candidate_of(pk: int, customer_id: str, record: SourceRecord) -> StoredCandidate:
    """A record just written, exactly as `records_by_blocking_keys` would read it back."""
    attributes = json.loads(json.dumps(attributes_to_json(record.attributes)))
    identifiers = identifiers_to_json(record.identifiers)
    return candidate_from_row(
        (pk, customer_id, record.ref.source, record.ref.record_id, attributes, identifiers)
    )


async def replace_blocking_keys(
    conn: Connection, record_pk: int, keys: Iterable[str], *, fresh: bool
) -> None:
    if not fresh:
        await conn.execute(query(_FILE, "delete_blocking_keys"), {"record_pk": record_pk})
    keys = sorted(set(keys))
    if keys:
        await conn.execute(
            query(_FILE, "insert_blocking_keys"), {"record_pk": record_pk, "keys": keys}
        )


def records_by_blocking_keys_read(keys: Iterable[str], per_key: int) -> Read[list[StoredCandidate]]:
    keys = sorted(set(keys))
    statement = query(_FILE, "records_by_blocking_keys") if keys else None
    return Read(statement, {"keys": keys, "per_key": per_key}, candidates_from_text_rows)


async def records_by_blocking_keys(
    conn: Connection, keys: Iterable[str], per_key: int
) -> list[StoredCandidate]:
    return await run(conn, records_by_blocking_keys_read(keys, per_key))


def records_of_customers_read(
    customer_ids: Iterable[str], per_customer: int
) -> Read[list[StoredCandidate]]:
    ids = sorted(set(customer_ids))
    statement = query(_FILE, "records_of_customers_newest") if ids else None
    return Read(statement, {"ids": ids, "per_customer": per_customer}, candidates_from_text_rows)


async def records_of_customers(
    conn: Connection, customer_ids: Iterable[str], per_customer: int
) -> list[StoredCandidate]:
    return await run(conn, records_of_customers_read(customer_ids, per_customer))


async def records_holding_identifiers(
    conn: Connection,
    customer_ids: Iterable[str],
    identifiers: Iterable[Identifier],
    per_customer: int,
) -> list[StoredCandidate]:
    """The newest `per_customer` records of each customer that hold any of the identifiers."""
    ids, wanted = sorted(set(customer_ids)), sorted(set(identifiers))
    if not ids or not wanted:
        return []
    cur = await conn.execute(
        query(_FILE, "records_holding_identifiers"),
        {
            "customers": ids,
            "kinds": [i.kind.value for i in wanted],
            "namespaces": [i.namespace for i in wanted],
            "ids": [i.value for i in wanted],
            "per_customer": per_customer,
        },
    )
    return [candidate_from_row(row) for row in await cur.fetchall()]


async def all_records_of_customer(conn: Connection, customer_id: str) -> list[StoredCandidate]:
    cur = await conn.execute(query(_FILE, "all_records_of_customer"), {"customer_id": customer_id})
    return [candidate_from_row(row) for row in await cur.fetchall()]


def generic_among_read(identifiers: Iterable[Identifier]) -> Read[set[Identifier]]:
    ids = tuple(identifiers)
    return Read(
        query(_FILE, "generic_among") if ids else None,
        identifier_columns(ids),
        lambda rows: {identifier_from_row(*row) for row in rows},
    )


async def generic_among(conn: Connection, identifiers: Iterable[Identifier]) -> set[Identifier]:
    return await run(conn, generic_among_read(identifiers))


async def mark_generic(conn: Connection, identifier: Identifier, reason: str) -> bool:
    """True when the identifier was not generic before."""
    cur = await conn.execute(
        query(_FILE, "mark_generic"),
        {
            "kind": identifier.kind.value,
            "namespace": identifier.namespace,
            "value": identifier.value,
            "reason": reason,
        },
    )
    return await cur.fetchone() is not None


async def insert_review_task(
    conn: Connection,
    *,
    task_id: str,
    record_pk: int | None,
    customer_a: str,
    customer_b: str,
    score: float,
    evidence: tuple[Evidence, ...],
) -> None:
    await conn.execute(
        query(_FILE, "insert_review_task"),
        {
            "id": task_id,
            "record_pk": record_pk,
            "customer_a": customer_a,
            "customer_b": customer_b,
            "score": score,
            "evidence": Jsonb(evidence_to_json(evidence)),
        },
    )


RecordPair = tuple[
    PersonAttributes, tuple[Identifier, ...], PersonAttributes, tuple[Identifier, ...]
]


def _pair(row: tuple[Any, ...]) -> RecordPair:
    a_attrs, a_ids, b_attrs, b_ids = row
    return (
        attributes_from_json(a_attrs),
        tuple(identifier_from_row(*i) for i in a_ids),
        attributes_from_json(b_attrs),
        tuple(identifier_from_row(*i) for i in b_ids),
    )


async def sample_record_pairs(conn: Connection, n: int) -> list[RecordPair]:
    cur = await conn.execute(query(_FILE, "sample_record_pairs"), {"n": n})
    return [_pair(row) for row in await cur.fetchall()]


async def sample_blocked_pairs(conn: Connection, n: int) -> list[RecordPair]:
    cur = await conn.execute(query(_FILE, "sample_blocked_pairs"), {"n": n})
    return [_pair(row) for row in await cur.fetchall()]
