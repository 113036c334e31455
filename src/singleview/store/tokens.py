"""API tokens: stored as SHA-256 hashes only; the token itself is never written anywhere."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from singleview.store.database import Connection
from singleview.store.sql import query

_FILE = "tokens.sql"


@dataclass(frozen=True)
class StoredToken:
    name: str
    role: str
    revoked: bool


@dataclass(frozen=True)
class TokenListing:
    name: str
    role: str
    create_time: datetime
    revoke_time: datetime | None


async def create_token(conn: Connection, name: str, role: str, token_hash: str) -> bool:
    """False when an active token already has this name."""
    cur = await conn.execute(
        query(_FILE, "create_token"), {"name": name, "role": role, "token_hash": token_hash}
    )
    return await cur.fetchone() is not None


async def revoke_token(conn: Connection, name: str) -> bool:
    """False when no active token has this name."""
    cur = await conn.execute(query(_FILE, "revoke_token"), {"name": name})
    return await cur.fetchone() is not None


async def token_by_hash(conn: Connection, token_hash: str) -> StoredToken | None:
    cur = await conn.execute(query(_FILE, "token_by_hash"), {"token_hash": token_hash})
    row = await cur.fetchone()
    return StoredToken(row[0], row[1], bool(row[2])) if row else None


async def list_tokens(conn: Connection) -> list[TokenListing]:
    cur = await conn.execute(query(_FILE, "list_tokens"))
    return [TokenListing(*row) for row in await cur.fetchall()]
