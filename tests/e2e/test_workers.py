"""`serve --workers 2`: two processes on one port, supervised, drained together on SIGTERM.

(Two separate servers on one database are driven at once in test_concurrency.py.)"""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import grpc
import psutil
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from singleview.v1 import common_pb2
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from tests.support.builders import email, record
from tests.support.process import ServeProcess

pytestmark = pytest.mark.slow


def _wait_for_workers(server: ServeProcess, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while sum("serving gRPC on" in line for line in server.lines) < count:
        if server.process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"the workers did not come up:\n{server.output}")
        time.sleep(0.1)


def test_two_workers_share_one_port_and_one_embedded_database(tmp_path: Path) -> None:
    server = ServeProcess("--workers", "2", data_dir=tmp_path / "data")
    try:
        _wait_for_workers(server, 2)
        workers = psutil.Process(server.process.pid).children()
        assert len(workers) == 2
        ports = {c.laddr.port for w in workers for c in w.net_connections() if c.status == "LISTEN"}
        assert server.port in ports
        failures: list[str] = []

        def drive(n: int) -> None:
            # A channel per thread: separate connections the kernel spreads over the workers.
            with grpc.insecure_channel(server.target) as channel:
                identity = IdentityServiceStub(channel)
                for i in range(10):
                    answer = identity.Resolve(record("web", f"{n}-{i}", email(f"p{n}@example.com")))
                    if i and answer.decision != common_pb2.DECISION_LINKED:
                        failures.append(f"{n}-{i}: {answer.decision}")

        threads = [threading.Thread(target=drive, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert failures == []
        with grpc.insecure_channel(server.target) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            answer = health.Check(health_pb2.HealthCheckRequest(service=""))
            assert answer.status == health_pb2.HealthCheckResponse.SERVING
    finally:
        code = server.terminate(signal.SIGTERM)
    assert code == 0, server.output
    assert "supervising 2 workers" in server.output
    assert server.output.count("finishing in-flight calls") == 2
    assert "embedded PostgreSQL stopped" in server.output
