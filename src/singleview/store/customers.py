"""Reads of customers: by name (following merges), as a page, as full views."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from singleview.domain.records import Customer, Decision, Evidence, SourceRecordRef
from singleview.store.codec import (
    evidence_from_json,
    golden_from_json,
    identifier_from_row,
)
from singleview.store.database import Connection
from singleview.store.sql import Read, query, run

_FILE = "customers.sql"


@dataclass(frozen=True)
class RecordLink:
    """Why one record is in its customer."""

    ref: SourceRecordRef
    decision: Decision
    evidence: tuple[Evidence, ...]
    link_time: datetime


def resolve_names_read(customer_ids: list[str]) -> Read[dict[str, str]]:
    """Requested id -> the live customer it stands for; unknown ids are absent."""
    return Read(
        query(_FILE, "resolve_names") if customer_ids else None,
        {"ids": customer_ids},
        lambda rows: {requested: live for requested, live in rows},
    )


async def resolve_names(conn: Connection, customer_ids: list[str]) -> dict[str, str]:
    return await run(conn, resolve_names_read(customer_ids))


def views_from_rows(rows: Iterable[Sequence[Any]]) -> dict[str, Customer]:
    """customer_views' rows as full views by customer id."""
    views = {}
    for customer_id, golden_json, create_time, update_time, records, ids, merged in rows:
        golden = golden_from_json(golden_json)
        views[customer_id] = Customer(
            id=customer_id,
            golden=golden.attributes,
            identifiers=tuple(identifier_from_row(*i) for i in ids),
            records=tuple(SourceRecordRef(source, record_id) for source, record_id in records),
            create_time=create_time,
            update_time=update_time,
            merged_ids=tuple(merged),
            golden_sources=golden.sources,
        )
    return views


def customer_views_read(customer_ids: list[str]) -> Read[dict[str, Customer]]:
    """Full views of live customers (golden record, identifiers, records, merged-away names)
    in one statement; ids of customers merged away or unknown are absent."""
    statement = query(_FILE, "customer_views") if customer_ids else None
    return Read(statement, {"ids": customer_ids}, views_from_rows)


def live_customer_views_read(customer_ids: list[str]) -> Read[dict[str, Customer]]:
    """Asked id -> the full view of the live customer it stands for (itself, or its survivor);
    unknown ids are absent."""

    def decode(rows: list[tuple[Any, ...]]) -> dict[str, Customer]:
        views = views_from_rows(row[1:] for row in rows)
        return {row[0]: views[row[1]] for row in rows}

    statement = query(_FILE, "live_customer_views") if customer_ids else None
    return Read(statement, {"ids": customer_ids}, decode)


async def load_live_customers(conn: Connection, customer_ids: list[str]) -> dict[str, Customer]:
    return await run(conn, live_customer_views_read(customer_ids))


async def load_customers(conn: Connection, customer_ids: list[str]) -> dict[str, Customer]:
    return await run(conn, customer_views_read(customer_ids))


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
