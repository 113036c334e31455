"""PostgreSQL restarted under load: while it is down every call answers UNAVAILABLE with
reason DATABASE_UNAVAILABLE (never INTERNAL) and readiness is NOT_SERVING; when it is back the
pool reconnects by itself and the same `serve` process answers again, nothing lost.

The database is a private embedded PostgreSQL of this test, stopped (fast shutdown: sessions
end mid-query) and started again on the same data directory; never the shared session one.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import grpc
import psycopg
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from singleview.store.invariants import check_invariants
from singleview.v1 import identity_service_pb2
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from tests.support.builders import email, phone, record
from tests.support.database import RestartablePostgres, create_database
from tests.support.process import ServeProcess
from tests.support.status import rich_error

pytestmark = pytest.mark.slow

CALLERS = 4
Status = health_pb2.HealthCheckResponse


class Load:
    """Callers resolving new records until stopped; every outcome is counted by phase."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.phase = "before"
        self.outcomes: Counter[tuple[str, str]] = Counter()
        self.sent: list[identity_service_pb2.ResolveRequest] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._call, args=(n,)) for n in range(CALLERS)]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(60)

    def count(self, phase: str, outcome: str) -> int:
        with self._lock:
            return self.outcomes[(phase, outcome)]

    def wait_for(self, phase: str, outcome: str, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.count(phase, outcome) < count:
            assert time.monotonic() < deadline, f"{phase}: {dict(self.outcomes)}"
            time.sleep(0.05)

    def _call(self, caller: int) -> None:
        with grpc.insecure_channel(self.target) as channel:
            identity = IdentityServiceStub(channel)
            n = 0
            while not self._stop.is_set():
                n += 1
                # Pairs of records share a phone: links as well as new customers.
                request = record(
                    "crm",
                    f"{caller}-{n}",
                    phone(f"+1312555{caller:02d}{n // 2:02d}"[:12]),
                    email(f"caller{caller}.{n}@example.com"),
                )
                phase = self.phase
                try:
                    identity.Resolve(request, timeout=5)
                    outcome = "OK"
                except grpc.RpcError as error:
                    details = rich_error(error) if error.code() != grpc.StatusCode.OK else None
                    outcome = f"{error.code().name}/{details.reason if details else ''}"
                    time.sleep(0.05)
                with self._lock:
                    self.outcomes[(phase, outcome)] += 1
                    self.sent.append(request)


def _health(target: str) -> int:
    with grpc.insecure_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        return int(stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=5).status)


def _wait_health(target: str, wanted: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while _health(target) != wanted:
        name = Status.ServingStatus.Name(wanted)
        assert time.monotonic() < deadline, f"health never became {name}"
        time.sleep(0.1)


@pytest.fixture
def own_postgres(tmp_path: Path) -> Iterator[tuple[RestartablePostgres, str]]:
    postgres = RestartablePostgres(tmp_path / "pg")
    server = postgres.start()
    try:
        yield postgres, create_database(server)
    finally:
        postgres.close()


def test_a_database_restart_under_load_costs_only_retryable_unavailable_answers(
    own_postgres: tuple[RestartablePostgres, str],
) -> None:
    postgres, database = own_postgres
    serve = ServeProcess(env={"SINGLEVIEW_DATABASE_URL": database}).wait_serving()
    try:
        with Load(serve.target) as load:
            load.wait_for("before", "OK", 20)
            load.phase = "down"
            postgres.stop_server()
            _wait_health(serve.target, Status.NOT_SERVING)
            load.wait_for("down", "UNAVAILABLE/DATABASE_UNAVAILABLE", 2 * CALLERS)
            postgres.start_server()
            load.phase = "back"
            _wait_health(serve.target, Status.SERVING)
            load.wait_for("back", "OK", 20)
        outcomes = {outcome for _, outcome in load.outcomes}
        assert outcomes <= {"OK", "UNAVAILABLE/DATABASE_UNAVAILABLE"}, dict(load.outcomes)
        assert serve.process.poll() is None  # the same process answered throughout

        # What failed was not half-written: replaying everything stores each record once.
        with grpc.insecure_channel(serve.target) as channel:
            identity = IdentityServiceStub(channel)
            for request in load.sent:
                identity.Resolve(request, timeout=10)
        with psycopg.connect(database, autocommit=True) as conn:
            row = conn.execute("SELECT count(*) FROM source_record").fetchone()
        assert row is not None and row[0] == len({r.record_id for r in load.sent})
        assert check_invariants(database) == []
    finally:
        serve.terminate()
