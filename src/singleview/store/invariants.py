"""Consistency checks of the stored single view; each names what it found broken.

`singleview check` runs them against a live database (after a fault, a restore, a manual fix),
and the concurrency tests run them after racing resolves: a broken invariant is a bug that a
client would otherwise meet much later as a wrong answer.
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg

from singleview.store.sql import query

_FILE = "invariants.sql"
CHECKS = {
    "records_on_dead_customers": "records belong to a merged-away customer",
    "live_customers_without_records": "live customers have no records",
    "dangling_redirects": "merged-away customers redirect to another merged-away customer",
    "identifiers_out_of_step": "records whose identifier index differs from their identifiers",
    "merged_across_a_cannot_link": "cannot-links whose two sides share a live customer",
    "customers_sharing_an_identifier": (
        "non-generic identifiers held by live customers neither kept apart nor under review"
    ),
}


def check_invariants(conninfo: str, placeholders: Sequence[tuple[str, str]] = ()) -> list[str]:
    """One line per violated invariant, with its count; empty when all hold.

    `placeholders` are the (kind, full-match regex) values matching never uses as proof
    (MatchingSettings.placeholders): customers may share them.
    """
    params = {
        "placeholder_kinds": [kind for kind, _ in placeholders],
        "placeholder_patterns": [pattern for _, pattern in placeholders],
    }
    problems = []
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for name, description in CHECKS.items():
            row = conn.execute(query(_FILE, name), params).fetchone()
            count = int(row[0]) if row else 0
            if count:
                problems.append(f"{name}: {count} {description}")
    return problems
