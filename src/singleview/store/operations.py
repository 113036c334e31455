"""The few statements operations needs: readiness and the review-queue depth gauge."""

from __future__ import annotations

from singleview.store.database import Database
from singleview.store.sql import query

_FILE = "operations.sql"


async def ping(database: Database) -> None:
    """Raises a DomainError (UNAVAILABLE, ...) when the database does not answer."""
    async with database.connection() as conn:
        await conn.execute(query(_FILE, "ping"))


async def open_review_tasks(database: Database) -> int:
    async with database.connection() as conn:
        cur = await conn.execute(query(_FILE, "open_review_tasks"))
        row = await cur.fetchone()
        return int(row[0]) if row else 0
