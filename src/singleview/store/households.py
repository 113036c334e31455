"""Households in PostgreSQL: members, shared identifiers, exclusions, and how they follow merges.

Kept apart from the resolve and timeline statements so each feature's SQL reads in one file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg.types.json import Jsonb

from singleview.domain.households import Household, HouseholdMember, MemberOrigin, MemberRole
from singleview.domain.identifiers import Identifier
from singleview.domain.records import Evidence
from singleview.store.codec import (
    evidence_from_json,
    evidence_to_json,
    identifier_columns,
    identifier_from_row,
    identifiers_by_owner,
)
from singleview.store.database import Connection
from singleview.store.sql import Read, query, run

_FILE = "households.sql"


def households_of_customers_read(
    customer_ids: Sequence[str],
) -> Read[dict[str, tuple[str, MemberRole]]]:
    """customer id -> (household id, role), for the customers in a household."""
    statement = query(_FILE, "households_of_customers") if customer_ids else None
    return Read(
        statement,
        {"ids": list(customer_ids)},
        lambda rows: {row[0]: (row[1], MemberRole(row[2])) for row in rows},
    )


async def households_of_customers(
    conn: Connection, customer_ids: Sequence[str]
) -> dict[str, tuple[str, MemberRole]]:
    return await run(conn, households_of_customers_read(customer_ids))


def households_of_identifiers_read(
    identifiers: Sequence[Identifier],
) -> Read[dict[str, set[Identifier]]]:
    """household id -> the given identifiers it shares."""
    statement = query(_FILE, "households_of_identifiers") if identifiers else None
    return Read(statement, identifier_columns(tuple(identifiers)), identifiers_by_owner)


async def households_of_identifiers(
    conn: Connection, identifiers: Sequence[Identifier]
) -> dict[str, set[Identifier]]:
    return await run(conn, households_of_identifiers_read(identifiers))


def exclusions_of_customers_read(customer_ids: Sequence[str]) -> Read[dict[str, set[str]]]:
    """customer id -> the households a steward removed the customer from."""

    def excluded(rows: list[tuple[Any, ...]]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for customer_id, household_id in rows:
            found.setdefault(customer_id, set()).add(household_id)
        return found

    statement = query(_FILE, "exclusions_of_customers") if customer_ids else None
    return Read(statement, {"ids": list(customer_ids)}, excluded)


async def load_household(
    conn: Connection, household_id: str, *, lock: bool = False
) -> Household | None:
    if lock:
        cur = await conn.execute(query(_FILE, "household_for_update"), {"id": household_id})
        if await cur.fetchone() is None:
            return None
    cur = await conn.execute(query(_FILE, "household"), {"id": household_id})
    row = await cur.fetchone()
    if row is None:
        return None
    members_cur = await conn.execute(query(_FILE, "household_members"), {"id": household_id})
    members = tuple(
        HouseholdMember(m[0], MemberRole(m[1]), MemberOrigin(m[2]), evidence_from_json(m[3]))
        for m in await members_cur.fetchall()
    )
    ids_cur = await conn.execute(query(_FILE, "household_identifiers"), {"id": household_id})
    identifiers = tuple(identifier_from_row(*i) for i in await ids_cur.fetchall())
    return Household(row[0], members, identifiers, row[1], row[2])


async def insert_household(conn: Connection, household_id: str) -> None:
    await conn.execute(query(_FILE, "insert_household"), {"id": household_id})


async def touch(conn: Connection, household_id: str) -> None:
    await conn.execute(query(_FILE, "touch_household"), {"id": household_id})


def _member_params(
    household_id: str,
    customer_id: str,
    origin: MemberOrigin,
    evidence: tuple[Evidence, ...],
) -> dict[str, object]:
    return {
        "household_id": household_id,
        "customer_id": customer_id,
        "origin": origin.value,
        "evidence": Jsonb(evidence_to_json(evidence)),
    }


async def insert_member(
    conn: Connection,
    household_id: str,
    customer_id: str,
    role: MemberRole,
    origin: MemberOrigin,
    evidence: tuple[Evidence, ...] = (),
) -> bool:
    """False when the customer is in a household already."""
    params = {**_member_params(household_id, customer_id, origin, evidence), "role": role.value}
    cur = await conn.execute(query(_FILE, "insert_member"), params)
    return await cur.fetchone() is not None


async def promote_member(
    conn: Connection,
    household_id: str,
    customer_id: str,
    origin: MemberOrigin,
    evidence: tuple[Evidence, ...],
) -> bool:
    params = _member_params(household_id, customer_id, origin, evidence)
    cur = await conn.execute(query(_FILE, "promote_member"), params)
    return await cur.fetchone() is not None


async def delete_member(conn: Connection, household_id: str, customer_id: str) -> bool:
    cur = await conn.execute(
        query(_FILE, "delete_member"), {"household_id": household_id, "customer_id": customer_id}
    )
    return await cur.fetchone() is not None


async def insert_identifier(conn: Connection, household_id: str, identifier: Identifier) -> None:
    await conn.execute(
        query(_FILE, "insert_identifier"),
        {
            "household_id": household_id,
            "kind": identifier.kind.value,
            "namespace": identifier.namespace,
            "value": identifier.value,
        },
    )


async def delete_identifier(conn: Connection, identifier: Identifier) -> list[str]:
    """Households that shared the identifier."""
    cur = await conn.execute(
        query(_FILE, "delete_identifier"),
        {
            "kind": identifier.kind.value,
            "namespace": identifier.namespace,
            "value": identifier.value,
        },
    )
    return [row[0] for row in await cur.fetchall()]


async def set_excluded(
    conn: Connection, household_id: str, customer_id: str, excluded: bool
) -> None:
    name = "insert_exclusion" if excluded else "delete_exclusion"
    await conn.execute(
        query(_FILE, name), {"household_id": household_id, "customer_id": customer_id}
    )


async def follow_merge(conn: Connection, survivor: str, losers: Sequence[str]) -> None:
    """The survivor takes the household place of the merged customers (its own first, a
    member's before a contact's); the other rows go, and a household left with fewer than two
    members dissolves. Call inside the merge."""
    if not losers:
        return
    ids = [survivor, *losers]
    cur = await conn.execute(query(_FILE, "member_rows_of"), {"ids": ids, "survivor": survivor})
    rows = await cur.fetchall()
    if not rows:
        return
    keep_household, keep_customer, _ = rows[0]
    touched = {row[0] for row in rows}
    for household_id, customer_id, _ in rows[1:]:
        await delete_member(conn, household_id, customer_id)
    if keep_customer != survivor:
        await conn.execute(
            query(_FILE, "repoint_member"),
            {"household_id": keep_household, "customer_id": keep_customer, "survivor": survivor},
        )
    await dissolve_small(conn, touched)


async def forget_customers(conn: Connection, customer_ids: Sequence[str]) -> None:
    """Erasure: the customers leave their households, which dissolve if too small."""
    if not customer_ids:
        return
    cur = await conn.execute(query(_FILE, "delete_members_of"), {"ids": list(customer_ids)})
    await dissolve_small(conn, {row[0] for row in await cur.fetchall()})


async def dissolve_small(conn: Connection, household_ids: set[str]) -> set[str]:
    """Delete those of the households with fewer than two members; returns them."""
    if not household_ids:
        return set()
    cur = await conn.execute(query(_FILE, "dissolve_small"), {"ids": sorted(household_ids)})
    return {row[0] for row in await cur.fetchall()}


async def reattribute(
    conn: Connection,
    from_customers: Sequence[str],
    to_customer: str,
    conversation_ids: Sequence[str] | None = None,
    *,
    open_only: bool = False,
) -> tuple[list[str], list[str]]:
    """Move the contacts' conversations (all, these, or the open ones) and their interactions to
    a member. Returns (conversation ids, interaction ids) moved."""
    if not from_customers:
        return [], []
    cur = await conn.execute(
        query(_FILE, "reattribute_conversations"),
        {
            "from_customers": list(from_customers),
            "to_customer": to_customer,
            "ids": list(conversation_ids) if conversation_ids is not None else None,
            "open_only": open_only,
        },
    )
    moved = [row[0] for row in await cur.fetchall()]
    if not moved:
        return [], []
    cur = await conn.execute(
        query(_FILE, "reattribute_interactions"),
        {
            "from_customers": list(from_customers),
            "to_customer": to_customer,
            "conversation_ids": moved,
        },
    )
    return moved, [row[0] for row in await cur.fetchall()]
