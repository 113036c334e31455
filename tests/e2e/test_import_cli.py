"""`singleview import FILE.jsonl`: bad lines are reported by number and the rest still lands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import grpc

from singleview.v1 import profile_service_pb2
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from tests.support.server import ServerThread


def _line(record_id: str, *identifiers: tuple[str, str]) -> str:
    return json.dumps(
        {
            "source": "crm",
            "recordId": record_id,
            "identifiers": [{"kind": kind, "value": value} for kind, value in identifiers],
        }
    )


def test_import_reports_bad_lines_and_loads_the_rest(
    server: ServerThread, clean_database: str, tmp_path: Path
) -> None:
    lines = [
        _line("1", ("IDENTIFIER_KIND_PHONE", "(312) 555-0100")),
        "{not json",
        _line(
            "2", ("IDENTIFIER_KIND_PHONE", "+1 312.555.0100"), ("IDENTIFIER_KIND_EMAIL", "a@x.org")
        ),
        _line("3", ("IDENTIFIER_KIND_PHONE", "call me maybe")),
        "",
        _line("4", ("IDENTIFIER_KIND_EMAIL", "b@example.com")),
    ]
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(lines) + "\n")

    finished = subprocess.run(
        [sys.executable, "-m", "singleview.cli", "import", str(path), "--target", server.target],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert finished.returncode == 1, finished.stderr
    assert "line 2" in finished.stdout
    assert "line 4" in finished.stdout and "identifiers[0].value" in finished.stdout
    assert "call me maybe" not in finished.stdout
    with grpc.insecure_channel(server.target) as channel:
        page = ProfileServiceStub(channel).ListCustomers(profile_service_pb2.ListCustomersRequest())
    clusters = sorted(sorted(r.record_id for r in c.records) for c in page.customers)
    assert clusters == [["1", "2"], ["4"]]


def test_import_against_no_server_fails_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    path.write_text(_line("1", ("IDENTIFIER_KIND_PHONE", "3125550100")) + "\n")

    finished = subprocess.run(
        [sys.executable, "-m", "singleview.cli", "import", str(path), "--target", "127.0.0.1:1"],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert finished.returncode == 2
    assert "127.0.0.1:1" in finished.stderr
