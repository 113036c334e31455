"""Two `serve` processes on one database, 8 import streams each, end like a serial run."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import grpc
import pytest

from singleview.store.invariants import check_invariants
from singleview.v1 import identity_service_pb2
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from tests.support.clusters import expected_clusters, overlapping_records, stored_clusters
from tests.support.database import create_database
from tests.support.process import ServeProcess

pytestmark = pytest.mark.slow

STREAMS_PER_PROCESS = 8


@pytest.fixture
def two_servers(pg_server: str) -> Iterator[tuple[str, list[ServeProcess]]]:
    database = create_database(pg_server)
    env = {"SINGLEVIEW_DATABASE_URL": database}
    servers = [ServeProcess(env=env) for _ in range(2)]
    try:
        for server in servers:
            server.wait_serving()
        yield database, servers
    finally:
        for server in servers:
            server.terminate()


def _import(target: str, requests: list[identity_service_pb2.ResolveRequest]) -> list[str]:
    with grpc.insecure_channel(target) as channel:
        results = IdentityServiceStub(channel).ImportRecords(iter(requests))
        return [f"{r.index}: {r.error.reason}" for r in results if r.HasField("error")]


def test_concurrent_resolves_on_two_processes_end_in_the_serial_clusters(
    two_servers: tuple[str, list[ServeProcess]],
) -> None:
    database, servers = two_servers
    requests, keys = overlapping_records(seed=7, people=150, records=1200)
    streams = len(servers) * STREAMS_PER_PROCESS
    failures: list[str] = []
    lock = threading.Lock()

    def run(slot: int) -> None:
        errors = _import(servers[slot % len(servers)].target, requests[slot::streams])
        with lock:
            failures.extend(errors)

    threads = [threading.Thread(target=run, args=(slot,)) for slot in range(streams)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)

    assert failures == []
    with grpc.insecure_channel(servers[0].target) as channel:
        assert stored_clusters(channel) == expected_clusters(requests, keys)
    assert check_invariants(database) == []
