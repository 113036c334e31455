"""`singleview serve`: embedded PostgreSQL, health, one server per data directory, clean stop."""

from __future__ import annotations

import signal
from pathlib import Path

import grpc
import psutil
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from singleview.v1 import identity_service_pb2_grpc, profile_service_pb2
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from tests.support.builders import phone, record
from tests.support.process import ServeProcess

pytestmark = pytest.mark.slow


def _postgres_processes(pgdata: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(attrs=["name", "cmdline", "status"]):
        cmdline = proc.info["cmdline"] or []
        if (
            proc.info["name"] == "postgres"
            and proc.info["status"] != psutil.STATUS_ZOMBIE
            and str(pgdata) in " ".join(cmdline)
        ):
            found.append(proc)
    return found


def _serving(target: str) -> bool:
    with grpc.insecure_channel(target) as channel:
        answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
    return bool(answer.status == health_pb2.HealthCheckResponse.SERVING)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_starts_an_embedded_postgres_and_stops_it_on_a_signal(
    tmp_path: Path, sig: int
) -> None:
    data_dir = tmp_path / "data"
    serve = ServeProcess(data_dir=data_dir).wait_serving()
    try:
        assert _serving(serve.target)
        with grpc.insecure_channel(serve.target) as channel:
            identity = identity_service_pb2_grpc.IdentityServiceStub(channel)
            made = identity.Resolve(record("crm", "1", phone("3125550100")))
        assert _postgres_processes(data_dir / "pgdata")
    finally:
        code = serve.terminate(sig)

    assert code == 0, serve.output
    assert "embedded PostgreSQL stopped" in serve.output
    assert _postgres_processes(data_dir / "pgdata") == []

    again = ServeProcess(data_dir=data_dir).wait_serving()
    try:
        with grpc.insecure_channel(again.target) as channel:
            kept = ProfileServiceStub(channel).GetCustomer(
                profile_service_pb2.GetCustomerRequest(name=made.customer.name)
            )
        assert [(r.source, r.record_id) for r in kept.records] == [("crm", "1")]
    finally:
        assert again.terminate() == 0


def test_a_second_serve_on_the_same_data_directory_fails_clearly(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = ServeProcess(data_dir=data_dir).wait_serving()
    try:
        second = ServeProcess(data_dir=data_dir)
        code = second.process.wait(60)
        second.terminate()
        assert code != 0
        assert "another singleview process" in second.output
        assert str(data_dir) in second.output
        assert _serving(first.target)
    finally:
        assert first.terminate() == 0
