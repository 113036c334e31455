"""The writes of one resolve, each a step the service composes inside one transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from psycopg.types.json import Jsonb

from singleview.domain.identifiers import Identifier
from singleview.domain.records import (
    Decision,
    Evidence,
    GoldenAttributes,
    PersonAttributes,
    SourceRecord,
    SourceRecordRef,
)
from singleview.store.codec import (
    attributes_from_json,
    attributes_to_json,
    content_hash,
    evidence_from_json,
    evidence_to_json,
    golden_to_json,
    identifier_columns,
    identifiers_by_owner,
    identifiers_to_json,
)
from singleview.store.database import Connection, RetryableConflict
from singleview.store.search import NameRow
from singleview.store.sql import Read, query, run

_FILE = "resolution.sql"


def lock_key(text: str) -> int:
    """A signed 64-bit advisory lock key for a string (a record ref or an identifier)."""
    return int.from_bytes(
        hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big", signed=True
    )


def resolve_lock_keys(record: SourceRecord, blocking_keys: Sequence[str] = ()) -> list[int]:
    """Locks for the record, its identifiers and its blocking keys, in one fixed order."""
    keys = {lock_key(f"record\x1f{record.ref.source}\x1f{record.ref.record_id}")}
    keys.update(lock_key(f"identifier\x1f{i.key()}") for i in record.identifiers)
    keys.update(lock_key(f"block\x1f{k}") for k in blocking_keys)
    return sorted(keys)


def lock_keys_read(keys: Sequence[int]) -> Read[None]:
    """`lock_keys` as a Read: reads after it in the same batch run once the locks are held."""
    return Read(query(_FILE, "lock_keys"), {"keys": list(keys)}, lambda rows: None)


async def lock_keys(conn: Connection, keys: list[int]) -> None:
    await conn.execute(query(_FILE, "lock_keys"), {"keys": keys})


async def plan_each_statement(conn: Connection) -> None:
    """Plan every statement of this transaction for its actual arguments.

    A prepared statement's generic plan assumes an `unnest` of about ten values and, made while
    the tables were small, can keep scanning a whole table long after it has grown: a bulk
    import runs the same statements thousands of times from an empty store.
    """
    await conn.execute(query(_FILE, "plan_each_statement"))


@dataclass(frozen=True)
class StoredRecord:
    pk: int
    customer_id: str
    observed_at: datetime
    content_hash: str
    version: int
    decision: Decision
    evidence: tuple[Evidence, ...]


def _stored(row: tuple[Any, ...]) -> StoredRecord:
    return StoredRecord(
        pk=row[0],
        customer_id=row[1],
        observed_at=row[2],
        content_hash=row[3],
        version=row[4],
        decision=Decision(row[5]),
        evidence=evidence_from_json(row[6]),
    )


def select_record_for_update_read(ref: SourceRecordRef) -> Read[StoredRecord | None]:
    return Read(
        query(_FILE, "select_record_for_update"),
        {"source": ref.source, "record_id": ref.record_id},
        lambda rows: _stored(rows[0]) if rows else None,
    )


async def select_record_for_update(conn: Connection, ref: SourceRecordRef) -> StoredRecord | None:
    return await run(conn, select_record_for_update_read(ref))


async def select_records_for_update(
    conn: Connection, refs: Sequence[SourceRecordRef]
) -> dict[SourceRecordRef, StoredRecord]:
    """The stored records among `refs`, row-locked; refs not stored are absent."""
    if not refs:
        return {}
    cur = await conn.execute(
        query(_FILE, "select_records_for_update"),
        {"sources": [r.source for r in refs], "record_ids": [r.record_id for r in refs]},
    )
    return {SourceRecordRef(row[0], row[1]): _stored(row[2:]) for row in await cur.fetchall()}


def customers_of_identifiers_read(
    identifiers: tuple[Identifier, ...],
) -> Read[dict[str, set[Identifier]]]:
    """Live customer id -> the given identifiers it holds."""
    statement = query(_FILE, "customers_of_identifiers") if identifiers else None
    return Read(statement, identifier_columns(identifiers), identifiers_by_owner)


async def customers_of_identifiers(
    conn: Connection, identifiers: tuple[Identifier, ...]
) -> dict[str, set[Identifier]]:
    return await run(conn, customers_of_identifiers_read(identifiers))


def customers_of_identifiers_bounded_read(
    identifiers: tuple[Identifier, ...], per_identifier: int, *, contacts: bool = True
) -> Read[dict[str, set[Identifier]]]:
    """`customers_of_identifiers_bounded` as a Read."""
    statement = query(_FILE, "customers_of_identifiers_bounded") if identifiers else None
    params: dict[str, Any] = {
        **identifier_columns(identifiers),
        "per_identifier": per_identifier,
        "contacts": contacts,
    }
    return Read(statement, params, identifiers_by_owner)


async def customers_of_identifiers_bounded(
    conn: Connection,
    identifiers: tuple[Identifier, ...],
    per_identifier: int,
    *,
    contacts: bool = True,
) -> dict[str, set[Identifier]]:
    """Like `customers_of_identifiers`, newest `per_identifier` records per identifier only;
    `contacts=False` leaves out households' contact customers (who matching counts as holding
    a shared line)."""
    return await run(
        conn, customers_of_identifiers_bounded_read(identifiers, per_identifier, contacts=contacts)
    )


def lock_customers_read(customer_ids: set[str]) -> Read[dict[str, int] | None]:
    """Row locks as a Read: id -> seq (age order), or None if one was merged away or is gone
    (`locked_ages` turns that into the conflict); reads after it in a batch run under them."""

    def ages(rows: list[tuple[Any, ...]]) -> dict[str, int] | None:
        if len(rows) != len(customer_ids) or any(merged is not None for _, _, merged in rows):
            return None
        return {customer_id: seq for customer_id, seq, _ in rows}

    statement = query(_FILE, "lock_customers") if customer_ids else None
    return Read(statement, {"ids": sorted(customer_ids)}, ages)


def locked_ages(ages: dict[str, int] | None) -> dict[str, int]:
    if ages is None:
        raise RetryableConflict("a candidate customer changed while the resolve waited")
    return ages


async def lock_customers(conn: Connection, customer_ids: set[str]) -> dict[str, int]:
    """Row-lock the customers; returns id -> seq (age order). Conflicts if one was merged away."""
    return locked_ages(await run(conn, lock_customers_read(customer_ids)))


async def insert_customer(conn: Connection, customer_id: str) -> None:
    await conn.execute(query(_FILE, "insert_customer"), {"id": customer_id})


def _record_params(
    record: SourceRecord, customer_id: str, decision: Decision, evidence: tuple[Evidence, ...]
) -> dict[str, Any]:
    return {
        "source": record.ref.source,
        "record_id": record.ref.record_id,
        "customer_id": customer_id,
        "observed_at": record.observed_at,
        "attributes": Jsonb(attributes_to_json(record.attributes)),
        "identifiers": Jsonb(identifiers_to_json(record.identifiers)),
        "content_hash": content_hash(record.identifiers, record.attributes),
        "decision": decision.value,
        "evidence": Jsonb(evidence_to_json(evidence)),
    }


async def insert_record(
    conn: Connection,
    record: SourceRecord,
    customer_id: str,
    decision: Decision,
    evidence: tuple[Evidence, ...],
    pk: int | None = None,
) -> int:
    """Insert a new record; with `pk` (from `reserve_record_pks`) without waiting for an answer."""
    params = _record_params(record, customer_id, decision, evidence)
    if pk is None:
        cur = await conn.execute(query(_FILE, "insert_record"), params)
        row = await cur.fetchone()
        assert row is not None
        pk = int(row[0])
    else:
        await conn.execute(query(_FILE, "insert_record_with_id"), {**params, "id": pk})
    await _insert_identifiers(conn, pk, record.identifiers)
    return pk


def reserve_record_pks_read(count: int) -> Read[list[int]]:
    """`count` new record primary keys, in increasing order."""
    return Read(
        query(_FILE, "reserve_record_pks"),
        {"count": count},
        lambda rows: sorted(row[0] for row in rows),
    )


class Decided(Protocol):
    """What a resolve decided about a record (service/resolve.py's plan)."""

    @property
    def decision(self) -> Decision: ...

    @property
    def evidence(self) -> tuple[Evidence, ...]: ...


@dataclass(frozen=True)
class NewRecord:
    """A new record under a reserved key, with everything written along with it."""

    pk: int
    record: SourceRecord
    customer_id: str
    new_customer: bool
    """The customer is made for this record (in the same statement)."""
    why: Decided
    """The decision and its evidence, stored with the record."""
    blocking_keys: Sequence[str]
    name: NameRow | None
    """Its search entry (service/search_index.py), if it has a name."""


async def insert_new_record(conn: Connection, new: NewRecord) -> None:
    """`insert_customer`, `insert_record`, `replace_blocking_keys` and `upsert_names` of a new
    record in one statement: one execution instead of five (nothing is read back)."""
    names = [new.name] if new.name is not None else []
    params: dict[str, Any] = {
        **_record_params(new.record, new.customer_id, new.why.decision, new.why.evidence),
        **identifier_columns(new.record.identifiers),
        "id": new.pk,
        "new_customer": new.new_customer,
        "keys": sorted(set(new.blocking_keys)),
        "givens": [" ".join(n.given) for n in names],
        "families": [" ".join(n.family) for n in names],
        "lexemes": [" ".join(n.lexemes) for n in names],
    }
    await conn.execute(query(_FILE, "insert_new_record"), params)


async def reserve_record_pks(conn: Connection, count: int) -> list[int]:
    return await run(conn, reserve_record_pks_read(count))


async def replace_record(
    conn: Connection,
    pk: int,
    record: SourceRecord,
    customer_id: str,
    decision: Decision,
    evidence: tuple[Evidence, ...],
) -> None:
    """Apply a newer version; the one it replaces is kept as history."""
    await conn.execute(query(_FILE, "archive_record_version"), {"record_pk": pk})
    params = _record_params(record, customer_id, decision, evidence)
    params["record_pk"] = pk
    await conn.execute(query(_FILE, "update_record"), params)
    await conn.execute(query(_FILE, "delete_record_identifiers"), {"record_pk": pk})
    await _insert_identifiers(conn, pk, record.identifiers)


async def archive_stale_version(conn: Connection, pk: int, record: SourceRecord) -> None:
    await conn.execute(
        query(_FILE, "archive_stale_version"),
        {
            "record_pk": pk,
            "observed_at": record.observed_at,
            "attributes": Jsonb(attributes_to_json(record.attributes)),
            "identifiers": Jsonb(identifiers_to_json(record.identifiers)),
            "content_hash": content_hash(record.identifiers, record.attributes),
        },
    )


async def _insert_identifiers(
    conn: Connection, pk: int, identifiers: tuple[Identifier, ...]
) -> None:
    if identifiers:
        params: dict[str, Any] = {"record_pk": pk, **identifier_columns(identifiers)}
        await conn.execute(query(_FILE, "insert_record_identifiers"), params)


async def merge_customers(conn: Connection, survivor: str, losers: list[str]) -> None:
    """Move the losers' records to the survivor; their names redirect to it (until a steward
    splits exactly a loser's records back out, which restores it from the merge log)."""
    params = {"survivor": survivor, "losers": losers}
    await conn.execute(query(_FILE, "log_merge"), params)
    await conn.execute(query(_FILE, "move_records"), params)
    await conn.execute(query(_FILE, "redirect_customers"), params)


@dataclass(frozen=True)
class RecordAttributes:
    ref: SourceRecordRef
    observed_at: datetime
    attributes: PersonAttributes


def keyed_record_attributes_read(customer_id: str) -> Read[list[tuple[int, RecordAttributes]]]:
    """The customer's records with their keys, newest observation (then key) first."""
    return Read(
        query(_FILE, "record_attributes_of_customer"),
        {"customer_id": customer_id},
        lambda rows: [
            (
                pk,
                RecordAttributes(
                    SourceRecordRef(source, record_id), observed_at, attributes_from_json(attrs)
                ),
            )
            for pk, source, record_id, observed_at, attrs in rows
        ],
    )


async def record_attributes_of_customer(
    conn: Connection, customer_id: str
) -> list[RecordAttributes]:
    """The customer's records, newest observation first, for survivorship."""
    return [r for _, r in await run(conn, keyed_record_attributes_read(customer_id))]


async def update_golden(conn: Connection, customer_id: str, golden: GoldenAttributes) -> None:
    await conn.execute(
        query(_FILE, "update_golden"),
        {"customer_id": customer_id, "golden": golden_to_json(golden)},
    )


async def insert_audit_event(
    conn: Connection,
    *,
    action: str,
    actor: str,
    customers: list[str],
    reason: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    await conn.execute(
        query(_FILE, "insert_audit_event"),
        {
            "action": action,
            "actor": actor,
            "customers": customers,
            "reason": reason,
            "before": Jsonb(before) if before is not None else None,
            "after": Jsonb(after) if after is not None else None,
        },
    )


async def move_records_to(
    conn: Connection,
    pks: list[int],
    customer_id: str,
    decision: Decision,
    evidence: tuple[Evidence, ...],
) -> None:
    """Re-home records (a split), with the reason they now belong where they are."""
    await conn.execute(
        query(_FILE, "move_records_to"),
        {
            "pks": pks,
            "customer_id": customer_id,
            "decision": decision.value,
            "evidence": Jsonb(evidence_to_json(evidence)),
        },
    )
