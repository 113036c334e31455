"""Readiness follows the database: NOT_SERVING while it refuses connections, SERVING again
once it is back; the process itself stays up."""

from __future__ import annotations

import time
from collections.abc import Iterator

import grpc
import psycopg
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from psycopg.conninfo import conninfo_to_dict

from singleview.api import readiness
from tests.support.database import create_database
from tests.support.server import ServerThread

Status = health_pb2.HealthCheckResponse


def _wait_for(target: str, wanted: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    with grpc.insecure_channel(target) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        while True:
            status = health.Check(health_pb2.HealthCheckRequest(service="")).status
            if status == wanted:
                return
            assert time.monotonic() < deadline, f"health stayed {Status.ServingStatus.Name(status)}"
            time.sleep(0.1)


@pytest.fixture
def own_database(pg_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str]]:
    monkeypatch.setattr(readiness, "READINESS_INTERVAL_SECONDS", 0.2)
    database = create_database(pg_server)
    name = str(conninfo_to_dict(database)["dbname"])
    yield database, name
    _refuse_connections(pg_server, name, refuse=False)


def _refuse_connections(server_conninfo: str, name: str, refuse: bool) -> None:
    with psycopg.connect(server_conninfo, autocommit=True) as conn:
        conn.execute(
            f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(not refuse).lower()}'.encode()
        )
        if refuse:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )


def test_health_reports_not_serving_while_the_database_is_unreachable(
    pg_server: str, own_database: tuple[str, str]
) -> None:
    database, name = own_database
    server = ServerThread(database).start()
    try:
        _wait_for(server.target, Status.SERVING)
        _refuse_connections(pg_server, name, refuse=True)
        _wait_for(server.target, Status.NOT_SERVING)
        _refuse_connections(pg_server, name, refuse=False)
        _wait_for(server.target, Status.SERVING)
    finally:
        server.stop()
