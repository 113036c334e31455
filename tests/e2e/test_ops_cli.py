"""`singleview migrate` and `singleview check`: the operator's steps, and the checker catching
each kind of corruption by name."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import psycopg
import pytest

from singleview.config import DEFAULT_PLACEHOLDERS
from singleview.store.invariants import CHECKS, check_invariants
from singleview.v1 import common_pb2
from singleview.v1 import steward_service_pb2 as pb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.steward_service_pb2_grpc import StewardServiceStub
from tests.support.builders import email, phone, record
from tests.support.database import create_database
from tests.support.server import ServerThread
from tests.support.stewardship import decide, open_task, uncertain_pair

pytestmark = pytest.mark.slow


def _cli(*args: str, database: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SINGLEVIEW_DATABASE_URL": database}
    return subprocess.run(
        [sys.executable, "-m", "singleview.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def _populate(server: ServerThread) -> None:
    """Links, a merge, a steward's DIFFERENT and an identifier both kept-apart people hold."""
    import grpc

    with grpc.insecure_channel(server.target) as channel:
        identity = IdentityServiceStub(channel)
        identity.Resolve(record("crm", "a1", email("ann@example.com"), given_name="Ann"))
        identity.Resolve(record("pos", "a2", phone("312 555 0100"), given_name="Ann"))
        bridge = identity.Resolve(
            record("web", "a3", email("ann@example.com"), phone("312 555 0100"))
        )
        assert bridge.decision == common_pb2.DECISION_MERGED
        pair = uncertain_pair(identity)
        steward = StewardServiceStub(channel)
        decide(steward, open_task(steward, pair).name, pb.VERDICT_DIFFERENT)
        identity.Resolve(record("app", "m0", email(pair.email), phone(pair.phone)))


def test_migrate_then_check_passes_on_a_fresh_and_on_a_used_database(pg_server: str) -> None:
    database = create_database(pg_server)
    migrated = _cli("migrate", database=database)
    assert migrated.returncode == 0, migrated.stderr
    assert "up to date" in migrated.stdout
    server = ServerThread(database).start()
    try:
        _populate(server)
    finally:
        server.stop()

    checked = _cli("check", database=database)

    assert checked.returncode == 0, checked.stderr
    assert f"all {len(CHECKS)} invariants hold" in checked.stdout


def test_check_exits_non_zero_and_names_the_broken_invariant(pg_server: str) -> None:
    database = create_database(pg_server)
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("INSERT INTO customer (id) VALUES ('orphan')")

    checked = _cli("check", database=database)

    assert checked.returncode == 1
    assert "live_customers_without_records: 1" in checked.stderr


def _delete_an_index_row(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    conn.execute(
        "DELETE FROM record_identifier WHERE ctid = (SELECT min(ctid) FROM record_identifier)"
    )


def _merge_away_a_holder(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    conn.execute(
        "UPDATE customer SET merged_into = (SELECT max(id) FROM customer)"
        " WHERE id = (SELECT min(customer_id) FROM source_record)"
        "   AND id <> (SELECT max(id) FROM customer)"
    )


def _chain_a_redirect(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    conn.execute("INSERT INTO customer (id) VALUES ('gone-1'), ('gone-2')")
    conn.execute("UPDATE customer SET merged_into = 'gone-2' WHERE id = 'gone-1'")
    conn.execute(
        "UPDATE customer SET merged_into = (SELECT min(customer_id) FROM source_record)"
        " WHERE id = 'gone-2'"
    )


def _join_kept_apart_records(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    conn.execute(
        "UPDATE source_record SET customer_id = ("
        "  SELECT r.customer_id FROM cannot_link_record AS c"
        "  JOIN source_record AS r ON r.id = c.record_pk WHERE c.side = 0 LIMIT 1)"
        " WHERE id IN (SELECT record_pk FROM cannot_link_record WHERE side = 1)"
    )


def _share_an_identifier_silently(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    conn.execute("DELETE FROM review_task")
    conn.execute("DELETE FROM cannot_link")


@pytest.mark.parametrize(
    ("corrupt", "broken"),
    [
        (_delete_an_index_row, "identifiers_out_of_step"),
        (_merge_away_a_holder, "records_on_dead_customers"),
        (_chain_a_redirect, "dangling_redirects"),
        (_join_kept_apart_records, "merged_across_a_cannot_link"),
        (_share_an_identifier_silently, "customers_sharing_an_identifier"),
    ],
)
def test_each_corruption_is_found_by_name(
    server: ServerThread,
    clean_database: str,
    corrupt: Callable[[psycopg.Connection[tuple[object, ...]]], None],
    broken: str,
) -> None:
    _populate(server)
    assert check_invariants(clean_database, DEFAULT_PLACEHOLDERS) == []
    with psycopg.connect(clean_database, autocommit=True) as conn:
        corrupt(conn)

    problems = check_invariants(clean_database, DEFAULT_PLACEHOLDERS)

    assert any(p.startswith(f"{broken}:") for p in problems), problems


def test_placeholder_identifiers_may_be_shared(server: ServerThread, clean_database: str) -> None:
    import grpc

    with grpc.insecure_channel(server.target) as channel:
        identity = IdentityServiceStub(channel)
        for n, name in enumerate(("Ann", "Bob")):
            identity.Resolve(record("pos", f"w{n}", email("noreply@shop.com"), given_name=name))
    assert check_invariants(clean_database, DEFAULT_PLACEHOLDERS) == []
