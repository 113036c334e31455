"""The search index: folded record names, and the index-served candidate queries of a search.

Every candidate query is bounded by `limit` and served by an index (search_name's GIN indexes,
record_identifier's value index, its reversed-phone and email-trigram partial indexes), so a
search costs the same in a store of ten thousand customers as in one of a million.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from singleview.domain.identifiers import IdentifierKind
from singleview.domain.records import PersonAttributes
from singleview.store.codec import attributes_from_json
from singleview.store.database import Connection
from singleview.store.sql import query

_FILE = "search.sql"


@dataclass(frozen=True)
class NameRow:
    """A record's search entry: folded words and their lexemes (service/search_terms.py)."""

    record_pk: int
    given: tuple[str, ...]
    family: tuple[str, ...]
    lexemes: tuple[str, ...]


def _columns(rows: Sequence[NameRow]) -> dict[str, list[Any]]:
    return {
        "pks": [r.record_pk for r in rows],
        "givens": [" ".join(r.given) for r in rows],
        "families": [" ".join(r.family) for r in rows],
        "lexemes": [" ".join(r.lexemes) for r in rows],
    }


async def upsert_names(conn: Connection, rows: Sequence[NameRow]) -> None:
    if rows:
        await conn.execute(query(_FILE, "upsert_record_names"), _columns(rows))


async def insert_missing_names(conn: Connection, rows: Sequence[NameRow]) -> None:
    if rows:
        await conn.execute(query(_FILE, "insert_missing_record_names"), _columns(rows))


async def delete_name(conn: Connection, record_pk: int) -> None:
    await conn.execute(query(_FILE, "delete_record_name"), {"record_pk": record_pk})


async def backfill_pending(conn: Connection) -> bool:
    cur = await conn.execute(query(_FILE, "backfill_pending"))
    row = await cur.fetchone()
    return bool(row and row[0])


async def backfill_done(conn: Connection) -> None:
    await conn.execute(query(_FILE, "backfill_done"))


async def records_after(
    conn: Connection, after: int, limit: int
) -> list[tuple[int, PersonAttributes]]:
    cur = await conn.execute(query(_FILE, "records_after"), {"after": after, "limit": limit})
    return [(pk, attributes_from_json(attrs)) for pk, attrs in await cur.fetchall()]


async def use_index_plans(conn: Connection) -> None:
    """No sequential scans for the rest of the current transaction (see search.sql)."""
    await conn.execute(query(_FILE, "index_only_plans"))


async def set_similarity_threshold(conn: Connection, threshold: float) -> None:
    """For pg_trgm's `%` in the rest of the current transaction."""
    await conn.execute(query(_FILE, "similarity_threshold"), {"threshold": str(threshold)})


async def _customer_ids(conn: Connection, name: str, params: dict[str, Any]) -> list[str]:
    cur = await conn.execute(query(_FILE, name), params)
    return [row[0] for row in await cur.fetchall()]


@dataclass(frozen=True)
class NameBounds:
    """How much of a name index one lookup reads and keeps."""

    limit: int
    """Records returned, most similar first."""

    scan: int
    """Index matches compared with the query."""

    namesakes: int
    """Records of any one name kept among them."""


async def customers_by_name_lexemes(
    conn: Connection, tsquery: str, name: str, bounds: NameBounds
) -> list[str]:
    params = {"tsquery": tsquery, "name": name, **asdict(bounds)}
    return await _customer_ids(conn, "customers_by_name_lexemes", params)


async def customers_by_name_trigrams(conn: Connection, name: str, bounds: NameBounds) -> list[str]:
    """Call inside a transaction after `set_similarity_threshold`."""
    return await _customer_ids(conn, "customers_by_name_trigrams", {"name": name, **asdict(bounds)})


async def customers_by_identifier(
    conn: Connection, kind: IdentifierKind, value: str, limit: int
) -> list[str]:
    params = {"kind": kind.value, "value": value, "limit": limit}
    return await _customer_ids(conn, "customers_by_identifier", params)


def _suffix_range(digits: str) -> dict[str, str]:
    """Reversed E.164 values that start with the reversed digits (ASCII digits only)."""
    low = digits[::-1]
    return {"low": low, "high": low[:-1] + chr(ord(low[-1]) + 1)}


async def customers_by_phone_suffix(conn: Connection, digits: str, limit: int) -> list[str]:
    """Customers with a phone number ending in `digits`."""
    params = {**_suffix_range(digits), "limit": limit}
    return await _customer_ids(conn, "customers_by_phone_suffix", params)


async def customers_by_phone_suffix_and_name(
    conn: Connection, digits: str, tsquery: str, limit: int, scan: int
) -> list[str]:
    """Customers with a phone number ending in `digits` whose name satisfies `tsquery`."""
    params = {**_suffix_range(digits), "tsquery": tsquery, "limit": limit, "scan": scan}
    return await _customer_ids(conn, "customers_by_phone_suffix_and_name", params)


async def customers_by_email_local_part(conn: Connection, email: str, limit: int) -> list[str]:
    local = email.rpartition("@")[0] or email
    params = {"local": local, "limit": limit}
    return await _customer_ids(conn, "customers_by_email_local_part", params)


async def customers_by_near_email(conn: Connection, email: str, limit: int) -> list[str]:
    """Call inside a transaction after `set_similarity_threshold`."""
    local = email.rpartition("@")[0] or email
    return await _customer_ids(conn, "customers_by_near_email", {"local": local, "limit": limit})


@dataclass
class CandidateDetails:
    """What a search compares the query with, per customer: names and contact identifiers."""

    names: list[tuple[tuple[str, ...], tuple[str, ...]]]
    phones: list[str]
    emails: list[str]
    loyalty_ids: list[str]


async def candidate_details(conn: Connection, ids: list[str]) -> dict[str, CandidateDetails]:
    found = {customer_id: CandidateDetails([], [], [], []) for customer_id in ids}
    if not ids:
        return found
    cur = await conn.execute(query(_FILE, "names_of_customers"), {"ids": ids})
    for customer_id, given, family in await cur.fetchall():
        found[customer_id].names.append((tuple(given.split()), tuple(family.split())))
    cur = await conn.execute(query(_FILE, "contacts_of_customers"), {"ids": ids})
    for customer_id, kind, value in await cur.fetchall():
        details = found[customer_id]
        {
            IdentifierKind.PHONE.value: details.phones,
            IdentifierKind.EMAIL.value: details.emails,
            IdentifierKind.LOYALTY_ID.value: details.loyalty_ids,
        }[kind].append(value)
    return found
