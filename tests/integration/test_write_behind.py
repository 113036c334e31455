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
    EvidenceKind,
    PersonAttributes,
    SourceRecord,
    SourceRecordRef,
)
from singleview.store.matching import insert_review_task
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
    "reviews": "SELECT t.id, r.record_id, t.customer_a, t.customer_b, t.score, t.evidence,"
    " t.state FROM review_task t LEFT JOIN source_record r ON r.id = t.record_pk ORDER BY t.seq",
}
EVIDENCE = (
    Evidence(
        EvidenceKind.COMPARISON, "given name", field="given_name", level="nickname", weight=2.5
    ),
)


async def _raise_reviews(conn: Any, record_pk: int) -> None:
    """Two tasks on one pair (the second is not raised: one task per open pair), one on another,
    in that order."""
    for task_id, other in (("t1", "c2"), ("t2", "c2"), ("t3", "c3")):
        await insert_review_task(
            conn,
            task_id=task_id,
            record_pk=record_pk,
            customer_a="c1",
            customer_b=other,
            score=0.1 + 1 / 3,
            evidence=EVIDENCE,
        )


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
        await conn.execute("INSERT INTO customer (id) VALUES ('c2'), ('c3')")
        held = 0
        if behind:
            writes = WriteBehind(conn)
            await insert_new_record(writes.connection, new)
            await _raise_reviews(writes.connection, pk)
            held = writes.held
            await writes.flush()
        else:
            await insert_new_record(conn, new)
            await _raise_reviews(conn, pk)
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

    assert held == 4, "the new record's or the review tasks' statements were sent, not held back"
    assert behind == alone
    assert all(alone.values())
