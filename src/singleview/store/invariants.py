"""Consistency checks of the stored single view; each names what it found broken."""

from __future__ import annotations

import psycopg

from singleview.store.sql import query

_FILE = "invariants.sql"
CHECKS = {
    "records_on_dead_customers": "records belong to a merged-away customer",
    "live_customers_without_records": "live customers have no records",
    "dangling_redirects": "merged-away customers redirect to another merged-away customer",
    "identifiers_out_of_step": "records whose identifier index differs from their identifiers",
    "customers_sharing_an_identifier": "identifiers held by more than one live customer",
}


def check_invariants(conninfo: str) -> list[str]:
    """One line per violated invariant, with its count; empty when all hold."""
    problems = []
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for name, description in CHECKS.items():
            row = conn.execute(query(_FILE, name)).fetchone()
            count = int(row[0]) if row else 0
            if count:
                problems.append(f"{name}: {count} {description}")
    return problems
