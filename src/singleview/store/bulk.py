"""Reads a bulk import makes for a whole window of records: keys and versions first, content
only of the records whose content it has not decoded yet (service/decoded_records.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from singleview.store.database import Connection, RetryableConflict
from singleview.store.decoded import StoredCandidate, candidate_from_row
from singleview.store.sql import query

_FILE = "bulk.sql"


@dataclass(frozen=True)
class Hit:
    """A stored record found by a key, as it is now: its key, customer, version and content
    hash (what tells its decoded content apart, store/decoded.py)."""

    pk: int
    customer_id: str
    version: int
    content_hash: str


async def blocking_key_hits(
    conn: Connection, keys: Iterable[str], per_key: int
) -> dict[str, list[Hit]]:
    """Per key, the records `records_by_blocking_keys` would find, newest (highest pk) first;
    one Hit per record, however many keys find it. Conflicts if one went away meanwhile."""
    wanted = sorted(set(keys))
    found: dict[str, list[Hit]] = {k: [] for k in wanted}
    if not wanted:
        return found
    cur = await conn.execute(
        query(_FILE, "blocking_key_hit_pks"), {"keys": wanted, "per_key": per_key}
    )
    pks_of: dict[str, list[int]] = {key: pks for key, pks in await cur.fetchall()}
    every = sorted({pk for pks in pks_of.values() for pk in pks})
    cur = await conn.execute(query(_FILE, "record_versions"), {"pks": every})
    hits = {row[0]: Hit(*row) for row in await cur.fetchall()}
    if len(hits) != len(every):
        raise RetryableConflict("a candidate record went away while the batch was read")
    for key, pks in pks_of.items():
        found[key] = [hits[pk] for pk in pks]
    return found


async def newest_records_of_customers(
    conn: Connection, customer_ids: Iterable[str], per_customer: int
) -> list[tuple[Hit, datetime]]:
    """What `records_of_customers` reads, in its order, as hits with their observation time."""
    ids = sorted(set(customer_ids))
    if not ids:
        return []
    cur = await conn.execute(
        query(_FILE, "newest_record_versions_of_customers"),
        {"ids": ids, "per_customer": per_customer},
    )
    return [(Hit(pk, c, v, h), observed_at) for c, pk, observed_at, v, h in await cur.fetchall()]


async def record_contents(
    conn: Connection, pks: Iterable[int]
) -> dict[int, tuple[int, StoredCandidate]]:
    """pk -> (version, the record as matching reads it) of the records that still exist."""
    wanted = sorted(set(pks))
    if not wanted:
        return {}
    cur = await conn.execute(query(_FILE, "record_contents_by_pks"), {"pks": wanted})
    found = {}
    for row in await cur.fetchall():
        pk, version, *content = row
        found[pk] = (version, candidate_from_row((pk, *content)))
    return found
