"""Reads of the store profile card that the timeline's own queries do not cover."""

from __future__ import annotations

from singleview.domain.timeline import Interaction
from singleview.store.database import Connection
from singleview.store.sql import query
from singleview.store.timeline import interactions_by_id

_FILE = "card.sql"


async def recent_purchases(conn: Connection, ids: list[str], limit: int) -> list[Interaction]:
    """Newest first, across the customer and the names merged into it (`ids`)."""
    cur = await conn.execute(query(_FILE, "recent_purchase_ids"), {"ids": ids, "limit": limit})
    order = [row[0] for row in await cur.fetchall()]
    found = await interactions_by_id(conn, order)
    return [found[i] for i in order if i in found]
