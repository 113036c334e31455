"""A bulk import's held-back writes land exactly as the lone resolve's statements write them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg

from singleview.domain.identifiers import Identifier, IdentifierKind
from singleview.domain.records import (
    Decision,
    Evidence,
    PersonAttributes,
    SourceRecord,
    SourceRecordRef,
)
from singleview.store.resolution import NewRecord, insert_new_record, reserve_record_pks
from singleview.store.search import NameRow
from singleview.store.write_behind import WriteBehind


@dataclass(frozen=True)
class _Decided:
    decision: Decision = Decision.NEW
    evidence: tuple[Evidence, ...] = ()


TABLES = {
    "customer": "SELECT id FROM customer ORDER BY id",
    "record": "SELECT source, record_id, customer_id, attributes, identifiers, content_hash,"
    " decision FROM source_record ORDER BY record_id",
    "identifiers": "SELECT r.record_id, i.kind, i.namespace, i.value FROM record_identifier i"
    " JOIN source_record r ON r.id = i.record_pk ORDER BY 1, 2, 3, 4",
    "keys": "SELECT r.record_id, k.key FROM record_blocking_key k"
    " JOIN source_record r ON r.id = k.record_pk ORDER BY 1, 2",
    "names": "SELECT r.record_id, n.given, n.family, n.lexemes::text FROM search_name n"
    " JOIN source_record r ON r.id = n.record_pk ORDER BY 1",
}


async def _write(conninfo: str, behind: bool) -> tuple[dict[str, list[Any]], int]:
    async with await psycopg.AsyncConnection.connect(conninfo) as conn:
        await conn.execute("TRUNCATE customer, source_record CASCADE")
        pk = (await reserve_record_pks(conn, 1))[0]
        record = SourceRecord(
            SourceRecordRef("crm", "r1"),
            (Identifier(IdentifierKind.PHONE, "", "+13125550142"),),
            PersonAttributes(given_name="Ana", family_name="Lima"),
            datetime(2026, 1, 2, tzinfo=UTC),
        )
        name = NameRow(pk, ("ana",), ("lima",), ("ana", "lima"))
        new = NewRecord(pk, record, "c1", True, _Decided(), ["fb:LM|1980", "nn:AN|LM"], name)
        held = 0
        if behind:
            writes = WriteBehind(conn)
            await insert_new_record(writes.connection, new)
            held = writes.held
            await writes.flush()
        else:
            await insert_new_record(conn, new)
        await conn.commit()
        tables = {}
        for table, statement in TABLES.items():
            cur = await conn.execute(statement.encode())
            tables[table] = await cur.fetchall()
        return tables, held


def test_a_new_record_written_behind_lands_as_its_own_statement_writes_it(
    clean_database: str,
) -> None:
    alone, _ = asyncio.run(_write(clean_database, behind=False))
    behind, held = asyncio.run(_write(clean_database, behind=True))

    assert held == 1, "the new record's statement was sent, not held back"
    assert behind == alone
    assert all(alone.values())
