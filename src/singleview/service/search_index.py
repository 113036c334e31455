"""Keeping the search index of record names current: on every record write, and once after the
migration that introduced it (records stored before it have no entry yet).

The index is kept per record, not per customer: a customer is read through its records at
search time, so merges, splits and erasure (which move or delete records) need no upkeep here.
"""

from __future__ import annotations

import logging

from singleview.domain.records import PersonAttributes
from singleview.service.search_terms import name_entry
from singleview.store import search as store
from singleview.store.database import Connection, Database

log = logging.getLogger(__name__)

BACKFILL_BATCH = 2000


def name_row(record_pk: int, attributes: PersonAttributes) -> store.NameRow | None:
    entry = name_entry(attributes)
    if entry is None:
        return None
    return store.NameRow(record_pk, entry.given, entry.family, entry.lexemes)


async def index_record_name(conn: Connection, record_pk: int, attributes: PersonAttributes) -> None:
    """Index the name of a record just written; call in the transaction that wrote it."""
    row = name_row(record_pk, attributes)
    if row is None:
        await store.delete_name(conn, record_pk)
    else:
        await store.upsert_names(conn, [row])


async def backfill(database: Database, batch: int = BACKFILL_BATCH) -> int:
    """Index the names of records stored before the search index existed; returns how many.

    Runs at start-up only while the migration's flag says so; several processes starting at
    once do the same harmless work (entries are only inserted, never overwritten, so one that a
    concurrent resolve wrote from a newer version of the record stays).
    """
    async with database.connection() as conn:
        if not await store.backfill_pending(conn):
            return 0
        after, indexed = 0, 0
        while records := await store.records_after(conn, after, batch):
            rows = [row for pk, attributes in records if (row := name_row(pk, attributes))]
            await store.insert_missing_names(conn, rows)
            after, indexed = records[-1][0], indexed + len(rows)
        await store.backfill_done(conn)
    log.info("search index: indexed the names of %d existing records", indexed)
    return indexed
