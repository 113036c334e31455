"""`serve` with OTEL_TRACES_EXPORTER=console and OTEL_METRICS_EXPORTER=console writes its
spans and metrics as JSON lines to SINGLEVIEW_TELEMETRY_FILE, flushed at shutdown."""

from __future__ import annotations

import json
from pathlib import Path

import grpc
import pytest

from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from tests.support.builders import email, record
from tests.support.database import create_database
from tests.support.process import ServeProcess

pytestmark = pytest.mark.slow


def test_console_exporters_write_spans_and_metrics_to_the_file(
    pg_server: str, tmp_path: Path
) -> None:
    output = tmp_path / "telemetry.jsonl"
    env = {
        "SINGLEVIEW_DATABASE_URL": create_database(pg_server),
        "OTEL_TRACES_EXPORTER": "console",
        "OTEL_METRICS_EXPORTER": "console",
        "SINGLEVIEW_TELEMETRY_FILE": str(output),
        "SINGLEVIEW_LOG_FORMAT": "json",
    }
    server = ServeProcess(env=env).wait_serving()
    try:
        with grpc.insecure_channel(server.target) as channel:
            IdentityServiceStub(channel).Resolve(record("crm", "1", email("kim@example.com")))
    finally:
        assert server.terminate() == 0, server.output

    lines = [json.loads(line) for line in output.read_text("utf-8").splitlines() if line]
    spans = {line["name"] for line in lines if "name" in line and "context" in line}
    assert {"/singleview.v1.IdentityService/Resolve", "resolve.persist"} <= spans
    exported = json.dumps([line for line in lines if "resource_metrics" in line])
    assert "rpc.server.duration" in exported and "singleview.resolve.decisions" in exported
    assert "kim@example.com" not in output.read_text("utf-8")
    assert any('"level"' in line for line in server.lines)
