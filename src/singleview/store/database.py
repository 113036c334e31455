"""The connection pool, transactions with retry, and the one place psycopg errors change type."""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, nullcontext
from typing import TypeVar

import psycopg
from psycopg import errors as pg_errors
from psycopg import sql
from psycopg.rows import TupleRow
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from singleview.domain.errors import Aborted, DeadlineExceeded, DomainError, Internal, Unavailable
from singleview.store.deadlines import time_remaining
from singleview.store.sql import query

log = logging.getLogger(__name__)

T = TypeVar("T")
_FILE = "database.sql"
Connection = psycopg.AsyncConnection[TupleRow]


class RetryableConflict(Exception):
    """Raised inside a transaction when what it read has changed; the transaction is re-run."""


_RETRYABLE = (pg_errors.DeadlockDetected, pg_errors.SerializationFailure, RetryableConflict)

ACQUIRE_TIMEOUT_SECONDS = 10.0
"""The longest a call waits for a pooled connection when it has no nearer deadline; past it
the call answers UNAVAILABLE (the pool is exhausted or the database cannot be reached)."""

UNREACHABLE_ACQUIRE_SECONDS = 0.5
"""The wait for a pooled connection while readiness finds the database unreachable: calls then
answer UNAVAILABLE at once (a channel on its hot path falls back instead of hanging), and still
get a connection as soon as the pool has reconnected."""

_ANSWER_MARGIN = 0.1
"""The share of a caller's remaining time kept back when waiting for a connection or running a
statement, so the server's own answer (UNAVAILABLE, retryable, for an unreachable database;
DEADLINE_EXCEEDED with its reason for a cancelled statement) reaches the caller before the
caller's own timer ends the call without details."""


def _deadline_passed() -> DeadlineExceeded:
    return DeadlineExceeded("the deadline passed before the database answered")


def _acquire_timeout(reachable: bool) -> float:
    """How long to wait for a connection: ACQUIRE_TIMEOUT_SECONDS, less near a deadline, and
    UNREACHABLE_ACQUIRE_SECONDS while the database is known to be down."""
    longest = ACQUIRE_TIMEOUT_SECONDS if reachable else UNREACHABLE_ACQUIRE_SECONDS
    remaining = time_remaining()
    if remaining is None:
        return longest
    if remaining <= 0:
        raise _deadline_passed()
    return min(longest, remaining * (1 - _ANSWER_MARGIN))


def _statement_timeout() -> str | None:
    """The caller's remaining time as a `statement_timeout` value, or None without a deadline."""
    remaining = time_remaining()
    if remaining is None:
        return None
    if remaining <= 0:
        raise _deadline_passed()
    return f"{max(1, int(remaining * (1 - _ANSWER_MARGIN) * 1000))}ms"


def to_domain_error(exc: psycopg.Error | PoolTimeout) -> DomainError:
    """Map a database error to what a client may see; never leaks SQL or values."""
    if isinstance(exc, PoolTimeout):
        return Unavailable("no database connection available; retry shortly")
    if isinstance(exc, pg_errors.QueryCanceled):
        return DeadlineExceeded("the database statement was cancelled at the deadline")
    if isinstance(exc, psycopg.OperationalError | pg_errors.AdminShutdown):
        return Unavailable("the database is unavailable; retry shortly")
    log.error("database error %s (sqlstate %s)", type(exc).__name__, getattr(exc, "sqlstate", ""))
    return Internal("database error", reason="DATABASE_ERROR")


IDLE_CHECK_SECONDS = 2.0
"""A pooled connection idle longer than this is pinged before use; a busy one is not."""

PREPARED_STATEMENTS = 256
"""Server-side prepared statements kept per connection: every named statement of store/ fits."""


class _IdleCheck:
    """Check a connection out of the pool only when it sat idle for a while.

    psycopg_pool's `check_connection` pings on every checkout: a round trip per call, as much
    as the call's own query on the hot path (GetContext, Lookup). A connection in steady use is
    known good; one idle for IDLE_CHECK_SECONDS (the database may have restarted meanwhile, the
    readiness loop notices within about as long) is pinged as before.
    """

    def __init__(self) -> None:
        self.returned: weakref.WeakKeyDictionary[Connection, float] = weakref.WeakKeyDictionary()

    async def check(self, conn: Connection) -> None:
        last = self.returned.get(conn)
        if last is None or time.monotonic() - last > IDLE_CHECK_SECONDS or conn.broken:
            await AsyncConnectionPool.check_connection(conn)

    async def reset(self, conn: Connection) -> None:
        self.returned[conn] = time.monotonic()


async def _configure(conn: Connection) -> None:
    """Every statement here is prepared once per connection and run again and again with other
    values; its plan is made once too. PostgreSQL's default re-plans a prepared statement for
    each call whenever it guesses that custom values might deserve a better plan, which for
    these indexed lookups costs more than running them (measured in bench/README.md)."""
    conn.prepared_max = PREPARED_STATEMENTS
    await conn.execute("SET plan_cache_mode = force_generic_plan")


class Database:
    """An open pool plus the transaction helpers every store module uses."""

    def __init__(self, pool: AsyncConnectionPool[Connection], *, retries: int = 8) -> None:
        self.pool = pool
        self.retries = retries
        self.reachable = True
        """False while readiness (api/readiness.py) finds the database down: calls fail fast."""

    @classmethod
    async def open(cls, conninfo: str, *, min_size: int, max_size: int, retries: int) -> Database:
        idle = _IdleCheck()
        pool: AsyncConnectionPool[Connection] = AsyncConnectionPool(
            conninfo,
            min_size=min_size,
            max_size=max_size,
            open=False,
            check=idle.check,
            reset=idle.reset,
            configure=_configure,
            kwargs={
                "autocommit": True,
                "application_name": "singleview",
                # Prepared from the first use: every statement here runs again and again.
                "prepare_threshold": 0,
            },
            timeout=10.0,
        )
        await pool.open(wait=True, timeout=30.0)
        return cls(pool, retries=retries)

    async def close(self) -> None:
        await self.pool.close()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        """A pooled connection in autocommit mode, for reads; errors become domain errors.

        Near a deadline it waits less for a connection. Its statements get no timeout of their
        own (two more round trips per read): when the deadline passes gRPC cancels the call,
        and psycopg cancels the running statement in PostgreSQL as the call's task is cancelled.
        """
        try:
            async with self.pool.connection(timeout=_acquire_timeout(self.reachable)) as conn:
                yield conn
        except (psycopg.Error, PoolTimeout) as exc:
            raise to_domain_error(exc) from exc

    async def in_transaction(
        self, work: Callable[[Connection], Awaitable[T]], *, pipeline: bool = False
    ) -> T:
        """Run `work` in one transaction, re-running it after deadlocks and conflicts.

        Within a call's deadline each statement is cancelled when the deadline passes
        (DEADLINE_EXCEEDED) and the transaction rolls back whole, as it does when the call is
        cancelled: nothing is ever half-written.

        With `pipeline`, the transaction runs in psycopg's pipeline mode: BEGIN, the statement
        timeout and every write are sent without waiting for their answers, along with the
        next read that waits (a fetch); COMMIT is the last round trip.
        """
        attempt = 0
        while True:
            attempt += 1
            try:
                async with (
                    self.pool.connection(timeout=_acquire_timeout(self.reachable)) as conn,
                    conn.pipeline() if pipeline else nullcontext(),
                    conn.transaction(),
                ):
                    limit = _statement_timeout()
                    if limit is not None:
                        statement = query(_FILE, "limit_statements")
                        await conn.execute(statement.format(timeout=sql.Literal(limit)))
                    return await work(conn)
            except _RETRYABLE as exc:
                if attempt > self.retries:
                    log.warning("transaction gave up after %d attempts", attempt)
                    raise Aborted("too much contention on these customers; retry") from exc
                await asyncio.sleep(min(0.002 * 2**attempt, 0.2))
            except (psycopg.Error, PoolTimeout) as exc:
                raise to_domain_error(exc) from exc
