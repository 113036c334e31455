"""Reads batched into one round trip (store/sql.py Batch) answer exactly what each read
answers alone, in the order they were added; a read with nothing to ask sends nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
from psycopg import sql

from singleview.store.sql import Batch, Read, run


def _values(rows: list[tuple[Any, ...]]) -> list[Any]:
    return [row[0] for row in rows]


READS = [
    Read(sql.SQL("SELECT generate_series(1, %(n)s)"), {"n": 3}, _values),
    Read(None, {}, lambda rows: ["nothing asked", len(rows)]),
    Read(sql.SQL("SELECT upper(%(word)s)"), {"word": "pipelined"}, _values),
    Read(sql.SQL("SELECT 1 WHERE false"), {}, _values),
]


async def _both(conninfo: str) -> tuple[list[Any], list[Any], int]:
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
        alone = [await run(conn, read) for read in READS]
        async with Batch(conn) as batch:
            pending = [batch.add(read) for read in READS]
        cur = await conn.execute("SELECT count(*) FROM pg_stat_activity")  # still usable
        row = await cur.fetchone()
        return alone, [p.value for p in pending], int(row[0]) if row else 0


def test_a_batch_answers_as_its_reads_do_one_by_one(clean_database: str) -> None:
    alone, batched, sessions = asyncio.run(_both(clean_database))

    assert batched == alone
    assert batched == [[1, 2, 3], ["nothing asked", 0], ["PIPELINED"], []]
    assert sessions >= 1
