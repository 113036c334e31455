"""Reads of customers: by name (following merges), as a page, as full views."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from singleview.domain.identifiers import Identifier
from singleview.domain.records import Customer, Decision, Evidence, SourceRecordRef
from singleview.store.codec import evidence_from_json, golden_from_json, identifier_from_row
from singleview.store.database import Connection
from singleview.store.sql import Batch, Read, query, run

_FILE = "customers.sql"


@dataclass(frozen=True)
class RecordLink:
    """Why one record is in its customer."""

    ref: SourceRecordRef
    decision: Decision
    evidence: tuple[Evidence, ...]
    link_time: datetime


async def resolve_names(conn: Connection, customer_ids: list[str]) -> dict[str, str]:
    """Requested id -> the live customer it stands for; unknown ids are absent."""
    if not customer_ids:
        return {}
    cur = await conn.execute(query(_FILE, "resolve_names"), {"ids": customer_ids})
    return {requested: live for requested, live in await cur.fetchall()}


_VIEW_QUERIES = (
    "customers_by_id",
    "records_of_customers",
    "identifiers_of_customers",
    "merged_names_of_customers",
)


def customer_view_reads(customer_ids: list[str]) -> tuple[Read[list[tuple[Any, ...]]], ...]:
    """The four reads behind `load_customers`, for a caller that batches them with others;
    `customers_from` makes their rows the views."""
    params = {"ids": customer_ids}
    return tuple(
        Read(query(_FILE, name) if customer_ids else None, params, list) for name in _VIEW_QUERIES
    )


def customers_from(
    heads: list[tuple[Any, ...]],
    record_rows: list[tuple[Any, ...]],
    identifier_rows: list[tuple[Any, ...]],
    merged_rows: list[tuple[Any, ...]],
) -> dict[str, Customer]:
    records: dict[str, list[SourceRecordRef]] = {}
    for customer_id, source, record_id in record_rows:
        records.setdefault(customer_id, []).append(SourceRecordRef(source, record_id))
    identifiers: dict[str, list[Identifier]] = {}
    for customer_id, kind, namespace, value in identifier_rows:
        identifiers.setdefault(customer_id, []).append(identifier_from_row(kind, namespace, value))
    merged: dict[str, list[str]] = {}
    for survivor, loser in merged_rows:
        merged.setdefault(survivor, []).append(loser)
    goldens = {customer_id: golden_from_json(golden) for customer_id, golden, *_ in heads}
    return {
        customer_id: Customer(
            id=customer_id,
            golden=goldens[customer_id].attributes,
            identifiers=tuple(identifiers.get(customer_id, ())),
            records=tuple(records.get(customer_id, ())),
            create_time=create_time,
            update_time=update_time,
            merged_ids=tuple(merged.get(customer_id, ())),
            golden_sources=goldens[customer_id].sources,
        )
        for customer_id, _, create_time, update_time in heads
    }


async def load_customers(conn: Connection, customer_ids: list[str]) -> dict[str, Customer]:
    """Full views of live customers: golden record, identifiers, records, merged-away names,
    read in one round trip."""
    async with Batch(conn) as batch:
        parts = [batch.add(read) for read in customer_view_reads(customer_ids)]
    return customers_from(*(part.value for part in parts))


async def live_customer_page(conn: Connection, after: str, limit: int) -> list[str]:
    cur = await conn.execute(query(_FILE, "live_customer_page"), {"after": after, "limit": limit})
    return [row[0] for row in await cur.fetchall()]


def customer_ages_read(customer_ids: list[str]) -> Read[dict[str, int]]:
    """id -> creation sequence, so the oldest customer can be chosen as a merge's survivor."""
    return Read(
        query(_FILE, "customer_seqs") if customer_ids else None,
        {"ids": customer_ids},
        lambda rows: {customer_id: seq for customer_id, seq in rows},
    )


async def customer_ages(conn: Connection, customer_ids: list[str]) -> dict[str, int]:
    return await run(conn, customer_ages_read(customer_ids))


async def record_links(conn: Connection, customer_id: str) -> list[RecordLink]:
    cur = await conn.execute(query(_FILE, "record_links_of_customer"), {"customer_id": customer_id})
    return [
        RecordLink(
            SourceRecordRef(source, record_id), Decision(decision), evidence_from_json(ev), at
        )
        for source, record_id, decision, ev, at in await cur.fetchall()
    ]
