"""The statements of Lookup and GetContext are served by indexes in the plan they actually run
with: one generic plan per prepared statement (store/database.py), made without the values.
A scan of every customer, record or interaction would make the hot path slower as the store
grows; this is what keeps it flat."""

from __future__ import annotations

import re

import psycopg
import pytest

from singleview.store.sql import query

HOT_PATH = [
    ("matching.sql", "generic_among"),
    ("resolution.sql", "customers_of_identifiers"),
    ("matching.sql", "records_by_blocking_keys"),
    ("matching.sql", "records_of_customers_newest"),
    ("customers.sql", "customer_seqs"),
    ("customers.sql", "customer_views"),
    ("stewardship_links.sql", "cannot_link_pairs"),
    ("timeline.sql", "resumable_conversations"),
    ("timeline.sql", "active_interactions"),
    ("timeline.sql", "list_interactions"),
    ("timeline.sql", "contact_facts"),
    ("preferences.sql", "preferences_of"),
    ("context.sql", "customer_context"),
    ("lookup.sql", "identifiers_at_a_glance"),
    ("customers.sql", "resolve_names"),
]
_PARAMETER = re.compile(r"%\((\w+)\)s")


def _numbered(statement: str) -> str:
    """`%(name)s` placeholders as `$1`, `$2`, ... (one number per name), as psycopg sends them."""
    names: dict[str, int] = {}
    return _PARAMETER.sub(lambda m: f"${names.setdefault(m[1], len(names) + 1)}", statement)


@pytest.mark.parametrize(("filename", "name"), HOT_PATH, ids=[n for _, n in HOT_PATH])
def test_the_generic_plan_reads_through_indexes(
    clean_database: str, filename: str, name: str
) -> None:
    with psycopg.connect(clean_database) as conn:
        conn.execute("SET enable_seqscan = off")
        statement = _numbered(query(filename, name).as_string(conn))
        rows = conn.execute(f"EXPLAIN (GENERIC_PLAN) {statement}".encode()).fetchall()

    plan = "\n".join(row[0] for row in rows)
    assert "Seq Scan" not in plan, plan
