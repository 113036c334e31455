"""Tokens for tests: made and revoked through the token service, as `singleview token` does."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from singleview.service.tokens import TokenService
from singleview.store.database import Database

T = TypeVar("T")


def _with_tokens(conninfo: str, work: Callable[[TokenService], Awaitable[T]]) -> T:
    async def run() -> T:
        database = await Database.open(conninfo, min_size=1, max_size=1, retries=0)
        try:
            return await work(TokenService(database))
        finally:
            await database.close()

    return asyncio.run(run())


def create_token(conninfo: str, name: str, role: str) -> str:
    return _with_tokens(conninfo, lambda tokens: tokens.create(name, role))


def revoke_token(conninfo: str, name: str) -> None:
    _with_tokens(conninfo, lambda tokens: tokens.revoke(name))


Metadata = tuple[tuple[str, str], ...]


def bearer(token: str) -> Metadata:
    return (("authorization", f"Bearer {token}"),)
