"""Bearer tokens: create (shown once), revoke, and authenticate a presented token.

A token is `svt_` plus 256 random bits (URL-safe base64). Only its SHA-256 is stored, so a copy
of the database does not let anyone call the service; a high-entropy token needs no slow hash.
Revocation takes effect on the next call: every call looks its token up (an indexed read), no
process caches a verdict.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from singleview.domain.errors import (
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
    Unauthenticated,
)
from singleview.domain.security import Caller, Role
from singleview.store import tokens as store
from singleview.store.database import Database

TOKEN_PREFIX = "svt_"
_TOKEN = re.compile(r"^svt_[A-Za-z0-9_-]{43}$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse_role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise InvalidArgument([FieldViolation("role", f"must be one of {roles}")]) from None


def check_token_name(name: str) -> str:
    if not _NAME.match(name):
        raise InvalidArgument(
            [FieldViolation("name", "1-64 letters, digits, '.', '_', '@' or '-'")]
        )
    return name


class TokenService:
    def __init__(self, database: Database) -> None:
        self.database = database

    async def create(self, name: str, role: str) -> str:
        """A new token for `name`; the only time the token itself exists outside the client."""
        parsed_role = parse_role(role)
        check_token_name(name)
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        async with self.database.connection() as conn:
            created = await store.create_token(conn, name, parsed_role.value, token_hash(token))
        if not created:
            raise FailedPrecondition(
                f"a token named {name} exists; revoke it first",
                reason="TOKEN_EXISTS",
                metadata={"name": name},
            )
        return token

    async def revoke(self, name: str) -> None:
        async with self.database.connection() as conn:
            revoked = await store.revoke_token(conn, name)
        if not revoked:
            raise NotFound(
                f"no active token named {name}", reason="TOKEN_NOT_FOUND", metadata={"name": name}
            )

    async def list(self) -> list[store.TokenListing]:
        async with self.database.connection() as conn:
            return await store.list_tokens(conn)

    async def authenticate(self, token: str) -> Caller:
        """The caller a presented token names; UNAUTHENTICATED when it names nobody active."""
        if not _TOKEN.match(token):
            raise Unauthenticated("the bearer token is not valid", reason="INVALID_TOKEN")
        async with self.database.connection() as conn:
            stored = await store.token_by_hash(conn, token_hash(token))
        if stored is None:
            raise Unauthenticated("the bearer token is not valid", reason="INVALID_TOKEN")
        if stored.revoked:
            raise Unauthenticated("the bearer token was revoked", reason="REVOKED_TOKEN")
        return Caller(stored.name, Role(stored.role), authenticated=True)
