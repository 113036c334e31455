"""A resolve that waited for a customer a steward was splitting reads the candidates again.

A split moves records under the customer's row lock, without the identifiers' advisory locks a
resolve takes first. A resolve that read the identifier's holders before the split committed
and then waited for the row lock must not decide on what it read: it would miss the part split
off and leave two customers silently sharing an identifier.
"""

from __future__ import annotations

import asyncio
import threading
import time

import psycopg

from singleview.config import Settings
from singleview.domain.records import SourceRecordRef
from singleview.service.stewardship_changes import split
from singleview.store import resolution
from singleview.store.invariants import check_invariants
from singleview.v1 import identity_service_pb2
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from tests.support.builders import phone, record

WAIT_GUARD_SECONDS = 30.0
"""Only a guard against a hung test; nothing is asserted about time."""


def _wait_until_a_backend_waits_for_a_lock(conninfo: str) -> None:
    deadline = time.monotonic() + WAIT_GUARD_SECONDS
    with psycopg.connect(conninfo, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()
            if row and row[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the resolve never waited for the customer's row lock")


def test_a_resolve_waiting_on_a_split_customer_links_to_the_part_split_off(
    identity: IdentityServiceStub, database_url: str
) -> None:
    ann = identity.Resolve(
        record("crm", "1", phone("3125550101"), given_name="Ann", family_name="Lee")
    ).customer.name
    identity.Resolve(record("crm", "2", phone("3125550101"), phone("3125550102")))
    customer_id = ann.split("/")[1]
    answers: list[identity_service_pb2.ResolveResponse] = []

    async def split_while_a_resolve_waits() -> str:
        conn = await psycopg.AsyncConnection.connect(database_url)
        async with conn, conn.transaction():
            await resolution.lock_customers(conn, {customer_id})
            caller = threading.Thread(
                target=lambda: answers.append(
                    identity.Resolve(record("web", "x", phone("3125550102")), timeout=60)
                )
            )
            caller.start()
            await asyncio.to_thread(_wait_until_a_backend_waits_for_a_lock, database_url)
            outcome = await split(
                conn,
                customer_id,
                [SourceRecordRef("crm", "2")],
                actor="steward",
                reason="two people",
                settings=Settings(),
            )
        await asyncio.to_thread(caller.join, WAIT_GUARD_SECONDS)
        return outcome.customer_id

    split_off = asyncio.run(split_while_a_resolve_waits())

    assert [a.customer.name for a in answers] == [f"customers/{split_off}"]
    assert check_invariants(database_url) == []
