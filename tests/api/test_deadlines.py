"""Deadlines and cancellation reach the database: a write stuck behind a lock is cancelled in
PostgreSQL when its caller's deadline passes or the caller cancels, and rolls back whole.

The lock is `EXCLUSIVE` on `record_identifier`, held by another connection: a Resolve reads its
candidates, inserts the customer and the source record, then waits to index the identifiers.
So a transaction that did not roll back whole would leave a customer and a record behind.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import grpc
import psycopg
import pytest

from singleview.store.invariants import check_invariants
from singleview.v1 import common_pb2, identity_service_pb2, privacy_service_pb2
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.privacy_service_pb2_grpc import PrivacyServiceStub
from tests.support.builders import email, phone, record
from tests.support.status import rich_error

_WAITING = (
    "SELECT count(*) FROM pg_stat_activity"
    " WHERE application_name = 'singleview' AND wait_event_type = 'Lock'"
    " AND datname = current_database()"
)


def _ann() -> identity_service_pb2.ResolveRequest:
    return record("crm", "c-1", phone("(312) 555-0100"), email("ann@example.com"), given_name="Ann")


@pytest.fixture
def locked_index(clean_database: str) -> Iterator[psycopg.Connection[tuple[int]]]:
    """A transaction that keeps every writer out of the identifier index until released."""
    with psycopg.connect(clean_database) as conn:
        conn.execute("LOCK TABLE record_identifier IN EXCLUSIVE MODE")
        yield conn
        conn.rollback()


def _waiting(conninfo: str) -> int:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute(_WAITING).fetchone()
        return int(row[0]) if row else 0


def _wait_until_waiting(conninfo: str, count: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while _waiting(conninfo) != count:
        assert time.monotonic() < deadline, f"never saw {count} singleview statements waiting"
        time.sleep(0.05)


def _stored(conninfo: str) -> tuple[int, int, int]:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM customer), (SELECT count(*) FROM source_record),"
            " (SELECT count(*) FROM record_identifier)"
        ).fetchone()
        assert row is not None
        return int(row[0]), int(row[1]), int(row[2])


def test_a_write_past_its_deadline_is_cancelled_in_the_database_and_rolled_back(
    identity: IdentityServiceStub,
    clean_database: str,
    locked_index: psycopg.Connection[tuple[int]],
) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        identity.Resolve(_ann(), timeout=3)

    error = rich_error(raised.value)
    assert error.code == grpc.StatusCode.DEADLINE_EXCEEDED
    # The server answered it (reason set): the database cancelled the statement at the deadline.
    assert error.reason == "DEADLINE_EXCEEDED"
    _wait_until_waiting(clean_database, 0)
    locked_index.rollback()
    assert _stored(clean_database) == (0, 0, 0)
    assert identity.Resolve(_ann()).decision == common_pb2.DECISION_NEW
    assert check_invariants(clean_database) == []


def test_a_cancelled_write_leaves_nothing_half_done(
    identity: IdentityServiceStub,
    clean_database: str,
    locked_index: psycopg.Connection[tuple[int]],
) -> None:
    call = identity.Resolve.future(_ann())
    _wait_until_waiting(clean_database, 1)

    assert call.cancel()  # type: ignore[no-untyped-call]
    _wait_until_waiting(clean_database, 0)  # the statement was cancelled, not left waiting
    locked_index.rollback()

    assert _stored(clean_database) == (0, 0, 0)
    assert identity.Resolve(_ann()).decision == common_pb2.DECISION_NEW
    assert _stored(clean_database) == (1, 1, 2)
    assert check_invariants(clean_database) == []


def test_a_read_past_its_deadline_stops_waiting_in_the_database(
    identity: IdentityServiceStub, clean_database: str
) -> None:
    with psycopg.connect(clean_database) as blocker:
        blocker.execute("LOCK TABLE record_identifier IN ACCESS EXCLUSIVE MODE")
        lookup = identity_service_pb2.LookupRequest(identifiers=[phone("(312) 555-0100")])
        with pytest.raises(grpc.RpcError) as raised:
            identity.Lookup(lookup, timeout=1)
        assert raised.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        _wait_until_waiting(clean_database, 0)  # cancelled with the call, not left waiting
        blocker.rollback()


def test_a_call_with_a_deadline_may_still_read_one_snapshot(
    identity: IdentityServiceStub, channel: grpc.Channel
) -> None:
    """ExportCustomer starts its transaction with SET TRANSACTION ISOLATION LEVEL, which must
    come before any query: the deadline's statement timeout is set without one."""
    ann = identity.Resolve(_ann())
    privacy = PrivacyServiceStub(channel)

    exported = privacy.ExportCustomer(
        privacy_service_pb2.ExportCustomerRequest(name=ann.customer.name), timeout=30
    )

    assert ann.customer.name in exported.json
