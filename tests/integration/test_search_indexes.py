"""Every candidate query of SearchCustomers can be served by an index: none needs a scan of all
customers, records or identifiers, which is what keeps search latency flat as the store grows."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from singleview.store.sql import query

CANDIDATE_QUERIES: list[tuple[str, dict[str, Any]]] = [
    (
        "customers_by_name_lexemes",
        {
            "tsquery": "('t_john' | 'p_jn') & 't_smi':*",
            "name": "john smi",
            "limit": 100,
            "scan": 2000,
            "namesakes": 20,
        },
    ),
    (
        "customers_by_name_trigrams",
        {"name": "john smith", "limit": 200, "scan": 2000, "namesakes": 20},
    ),
    ("customers_by_identifier", {"kind": "PHONE", "value": "+13125550100", "limit": 200}),
    ("customers_by_phone_suffix", {"low": "0010", "high": "0011", "limit": 200}),
    ("customers_by_near_email", {"local": "john", "limit": 200}),
    ("customers_by_email_local_part", {"local": "john", "limit": 200}),
    (
        "customers_by_phone_suffix_and_name",
        {"low": "0010", "high": "0011", "tsquery": "'t_ann'", "limit": 100, "scan": 2000},
    ),
    ("names_of_customers", {"ids": ["a", "b"]}),
    ("contacts_of_customers", {"ids": ["a", "b"]}),
]


@pytest.mark.parametrize(
    ("name", "params"), CANDIDATE_QUERIES, ids=[q[0] for q in CANDIDATE_QUERIES]
)
def test_the_query_is_served_by_an_index(
    clean_database: str, name: str, params: dict[str, Any]
) -> None:
    with psycopg.connect(clean_database) as conn:
        conn.execute("SET enable_seqscan = off")
        statement = query("search.sql", name).as_string(conn)
        rows = conn.execute(f"EXPLAIN {statement}".encode(), params).fetchall()

    plan = "\n".join(row[0] for row in rows)
    assert "Seq Scan" not in plan, plan


def test_recent_purchases_are_served_by_their_partial_index(clean_database: str) -> None:
    with psycopg.connect(clean_database) as conn:
        conn.execute("SET enable_seqscan = off")
        statement = query("card.sql", "recent_purchase_ids").as_string(conn)
        rows = conn.execute(f"EXPLAIN {statement}".encode(), {"ids": ["a"], "limit": 5}).fetchall()

    assert "interaction_purchase_idx" in "\n".join(row[0] for row in rows)


def _many_anns(conn: psycopg.Connection[Any], count: int) -> None:
    """A store where "ann" is a common name and each phone ending is rare, as in production:
    the plan the test inspects is the one the statistics of such a store lead to."""
    conn.execute(
        "INSERT INTO customer (id) SELECT 'c' || n FROM generate_series(1, %(n)s) AS n",
        {"n": count},
    )
    conn.execute(
        "INSERT INTO source_record (source, record_id, customer_id, observed_at, attributes,"
        " identifiers, content_hash, decision)"
        " SELECT 'crm', 'r' || n, 'c' || n, now(), '{}', '[]', '', 'NEW'"
        " FROM generate_series(1, %(n)s) AS n",
        {"n": count},
    )
    conn.execute(
        "INSERT INTO search_name (record_pk, given, family, lexemes)"
        " SELECT id, 'ann', 'lee', 't_ann t_lee'::tsvector FROM source_record"
    )
    conn.execute(
        "INSERT INTO record_identifier (record_pk, kind, namespace, value)"
        " SELECT id, 'PHONE', '', '+1312555' || lpad(id::text, 4, '0') FROM source_record"
    )
    conn.execute("ANALYZE customer, source_record, search_name, record_identifier")


def test_a_name_beside_phone_digits_is_checked_per_customer_not_looked_up(
    clean_database: str,
) -> None:
    """The name lexemes' index would read every Ann: the few customers whose number ends in the
    digits are checked one by one instead."""
    params = {"low": "0010", "high": "0011", "tsquery": "'t_ann'", "limit": 100, "scan": 2000}
    with psycopg.connect(clean_database) as conn:
        _many_anns(conn, 2000)
        conn.execute("SET enable_seqscan = off")
        statement = query("search.sql", "customers_by_phone_suffix_and_name").as_string(conn)
        rows = conn.execute(f"EXPLAIN {statement}".encode(), params).fetchall()

    plan = "\n".join(row[0] for row in rows)
    assert "search_name_lexemes_idx" not in plan, plan
    assert "search_name_pkey" in plan, plan
