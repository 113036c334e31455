"""Named SQL statements, read once from the `.sql` files of this package, and batches of
reads sent in one round trip.

A file holds blocks that start with a `-- name --` line; a reader finds every statement of a
feature in one file, by name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Generic, TypeVar

import psycopg
from psycopg import sql

T = TypeVar("T")

_HEADER = re.compile(r"^-- ([a-z0-9_]+) --$", re.MULTILINE)


def _compact(body: str) -> str:
    """The statement as sent: without comment lines and indentation. psycopg parses a
    statement's placeholders on every execution unless it is at most 4 KiB long (then the parse
    is cached); GetContext's one statement fits only without them."""
    lines = (line.strip() for line in body.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("--"))


@cache
def _load(filename: str) -> dict[str, str]:
    text = resources.files("singleview.store").joinpath(filename).read_text("utf-8")
    parts = _HEADER.split(text)
    queries = {name: _compact(body) for name, body in zip(parts[1::2], parts[2::2], strict=True)}
    if not queries:
        raise RuntimeError(f"{filename} holds no named queries")
    return queries


def query(filename: str, name: str) -> sql.SQL:
    """The statement `name` of `filename`, ready for `conn.execute`."""
    return sql.SQL(_load(filename)[name])


@dataclass(frozen=True)
class Read(Generic[T]):
    """One read statement with its parameters and what its rows mean, not yet sent; with no
    statement (nothing to ask, e.g. an empty list of ids) its answer is `decode([])`."""

    statement: sql.SQL | None
    params: Mapping[str, Any]
    decode: Callable[[list[tuple[Any, ...]]], T]


class Pending(Generic[T]):
    """The answer of a Read in a Batch, available once the batch has run."""

    def __init__(self, read: Read[T]) -> None:
        self.read = read
        self._value: T | None = None
        self._done = False

    @property
    def done(self) -> bool:
        """Whether a batch ran it (a reader that rode along another's batch may not have)."""
        return self._done

    @property
    def value(self) -> T:
        if not self._done:
            raise RuntimeError("the batch has not run yet")
        return self._value  # type: ignore[return-value]

    def set(self, value: T) -> None:
        self._value, self._done = value, True


class Batch:
    """Reads that do not depend on each other, sent in one pipeline: one round trip.

        async with Batch(conn) as batch:
            customers = batch.add(read_customers(ids))
            timeline = batch.add(read_timeline(ids))
        customers.value, timeline.value

    Each statement costs the database its execution only; the network round trip, the
    wake-ups of both processes and the per-statement latency are paid once for the batch.
    """

    def __init__(self, conn: psycopg.AsyncConnection[Any]) -> None:
        self.conn = conn
        self.pending: list[Pending[Any]] = []

    def add(self, read: Read[T]) -> Pending[T]:
        return self.join(Pending(read))

    def join(self, pending: Pending[T]) -> Pending[T]:
        """Run a read someone else made (and keeps the answer of) in this batch."""
        self.pending.append(pending)
        return pending

    async def __aenter__(self) -> Batch:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        if exc_type is not None or not self.pending:
            return
        await run_reads(self.conn, self.pending)


async def run_reads(conn: psycopg.AsyncConnection[Any], pending: list[Pending[Any]]) -> None:
    for p in pending:
        if p.read.statement is None:
            p.set(p.read.decode([]))
    asked = [p for p in pending if p.read.statement is not None]
    if len(asked) == 1:
        read = asked[0].read
        cur = await conn.execute(read.statement, read.params)  # type: ignore[arg-type]
        asked[0].set(read.decode(await cur.fetchall()))
    elif asked:
        async with conn.pipeline():
            cursors = [
                await conn.execute(p.read.statement, p.read.params)  # type: ignore[arg-type]
                for p in asked
            ]
            for p, cur in zip(asked, cursors, strict=True):
                p.set(p.read.decode(await cur.fetchall()))


async def run(conn: psycopg.AsyncConnection[Any], read: Read[T]) -> T:
    """One Read on its own."""
    pending = Pending(read)
    await run_reads(conn, [pending])
    return pending.value
