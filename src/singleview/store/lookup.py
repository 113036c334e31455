"""A lookup by identifiers alone, in one statement (lookup.sql).

Lookup and GetContext by a phone or an email asked four statements at once (generic
identifiers, their holders, the holders' newest records, the first holders' views); psycopg's
per-statement work (converting the same three identifier arrays four times, four results) cost
the server more than the rows. One statement answers all four, as JSON arrays in the column
order of the statements it replaces, decoded by their own decoders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from singleview.domain.identifiers import Identifier
from singleview.domain.records import Customer
from singleview.store.codec import identifier_columns, identifier_from_row, identifiers_by_owner
from singleview.store.customers import views_from_rows
from singleview.store.matching import StoredCandidate, candidate_from_row
from singleview.store.sql import Read, query

_FILE = "lookup.sql"


@dataclass(frozen=True)
class AtAGlance:
    """What the store knows about some identifiers, as a lookup by them needs it."""

    generic: set[Identifier]
    holders: dict[str, set[Identifier]]
    """Customer id -> the given identifiers it holds."""
    records: list[StoredCandidate]
    """The newest records of the first holders (lowest ids first)."""
    views: dict[str, Customer]
    """Full views of the first few holders."""


def _view_row(item: Sequence[Any]) -> tuple[Any, ...]:
    customer_id, golden, create_time, update_time, records, identifiers, merged = item
    return (
        customer_id,
        golden,
        datetime.fromisoformat(create_time),
        datetime.fromisoformat(update_time),
        records,
        identifiers,
        merged,
    )


def _glance(rows: list[tuple[Any, ...]]) -> AtAGlance:
    generic, holders, records, views = rows[0] if rows else (None, None, None, None)
    return AtAGlance(
        generic={identifier_from_row(*item) for item in generic or ()},
        holders=identifiers_by_owner(holders or ()),
        records=[candidate_from_row(item) for item in records or ()],
        views=views_from_rows([_view_row(item) for item in views or ()]),
    )


def identifiers_at_a_glance_read(
    identifiers: tuple[Identifier, ...], holders: int, per_customer: int, views: int
) -> Read[AtAGlance]:
    """Generic ones among `identifiers`, their holders, the newest `per_customer` records of
    the first `holders` of them and the views of the first `views`."""
    columns = identifier_columns(identifiers)
    params: dict[str, Any] = {
        "kinds": columns["kinds"],
        "namespaces": columns["namespaces"],
        "values": columns["ids"],
        "holders": holders,
        "per_customer": per_customer,
        "views": views,
    }
    statement = query(_FILE, "identifiers_at_a_glance") if identifiers else None
    return Read(statement, params, _glance)
