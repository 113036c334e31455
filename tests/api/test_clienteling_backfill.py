"""Records stored before the search index existed get their entries when the server starts."""

from __future__ import annotations

import asyncio

import grpc
import psycopg

from singleview.service.search_index import backfill
from singleview.store.database import Database
from singleview.v1 import profile_service_pb2 as pb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from tests.support.builders import phone, record


def _backfill(conninfo: str, batch: int) -> int:
    async def run() -> int:
        database = await Database.open(conninfo, min_size=1, max_size=1, retries=0)
        try:
            return await backfill(database, batch)
        finally:
            await database.close()

    return asyncio.run(run())


def test_the_backfill_indexes_every_named_record_once_then_stops(
    channel: grpc.Channel, clean_database: str
) -> None:
    identity = IdentityServiceStub(channel)
    families = ["Lee", "Okafor", "Tanaka", "Novak", "Haddad"]
    for n, family in enumerate(families):
        identity.Resolve(record("crm", str(n), phone(f"312555010{n}"), full_name=f"Ann {family}"))
    identity.Resolve(record("ivr", "contact", phone("3125550199")))
    with psycopg.connect(clean_database, autocommit=True) as conn:
        conn.execute("DELETE FROM search_name")
        conn.execute("INSERT INTO search_backfill (pending) VALUES (true)")

    assert (
        ProfileServiceStub(channel)
        .SearchCustomers(pb.SearchCustomersRequest(query="ann novak"))
        .matches
        == []
    )
    assert _backfill(clean_database, batch=2) == 5
    assert _backfill(clean_database, batch=2) == 0

    [match] = (
        ProfileServiceStub(channel)
        .SearchCustomers(pb.SearchCustomersRequest(query="ann novak"))
        .matches[:1]
    )
    assert match.customer.golden.full_name == "Ann Novak"
