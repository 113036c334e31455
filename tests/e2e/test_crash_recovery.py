"""`kill -9` of `serve` in the middle of a bulk import: after a restart on the same data
directory, running the same import again stores every record exactly once, in the clusters an
uninterrupted run gives, and every invariant holds.

The server is the operator's `singleview serve --data-dir DIR` (embedded PostgreSQL): the kill
also orphans its PostgreSQL, which the restarted `serve` adopts. The import is the CLI. With
`--workers`, killing the supervisor makes its workers drain and exit by themselves.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import grpc
import psutil
import psycopg
import pytest
from google.protobuf import json_format

from singleview.store.embedded import EmbeddedPostgres
from singleview.store.invariants import check_invariants
from singleview.v1 import identity_service_pb2
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from tests.support.clusters import expected_clusters, overlapping_records, stored_clusters
from tests.support.process import ServeProcess

pytestmark = pytest.mark.slow

RECORDS = 600
# The interrupted server commits in small batches, so the kill lands with most of the file still
# to come however fast the machine is: at the default 500 a fast machine committed all 600 records
# between the poll and the kill, and the import had nothing left to lose.
INTERRUPTED_BATCH = "20"


def _import(path: Path, target: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "singleview.cli", "import", str(path), "--target", target]
        + ["--no-progress"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _count(conninfo: str, table: str) -> int:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}".encode()).fetchone()
        return int(row[0]) if row else 0


def test_an_import_interrupted_by_kill_9_and_run_again_ends_as_an_uninterrupted_one(
    tmp_path: Path,
) -> None:
    requests, keys = overlapping_records(seed=11, people=80, records=RECORDS)
    path = tmp_path / "records.jsonl"
    path.write_text("".join(json_format.MessageToJson(r, indent=None) + "\n" for r in requests))
    data_dir = tmp_path / "data"

    first = ServeProcess(data_dir=data_dir, env={"SINGLEVIEW_IMPORT_BATCH": INTERRUPTED_BATCH})
    try:
        _interrupt_and_resume(first.wait_serving(), path, data_dir, requests, keys)
    finally:
        first.kill()
        _stop_leftover(data_dir)


def _stop_leftover(data_dir: Path) -> None:
    """A failed run may leave the killed server's PostgreSQL running: adopt it and stop it."""
    leftover = EmbeddedPostgres(data_dir)
    if leftover.running_uri() is not None:
        leftover.start()
        leftover.stop()


def _interrupt_and_resume(
    first: ServeProcess,
    path: Path,
    data_dir: Path,
    requests: list[identity_service_pb2.ResolveRequest],
    keys: list[list[str]],
) -> None:
    conninfo = EmbeddedPostgres(data_dir).running_uri()
    assert conninfo is not None
    importing = _import(path, first.target)
    deadline = time.monotonic() + 120
    while _count(conninfo, "source_record") < RECORDS // 4:
        assert importing.poll() is None, importing.communicate()[0]
        assert time.monotonic() < deadline, "the import made no progress"
        time.sleep(0.02)
    first.kill()  # SIGKILL: no drain, transactions in flight are cut off
    interrupted, _ = importing.communicate(timeout=120)
    assert importing.returncode == 2, interrupted
    assert _count(conninfo, "source_record") < RECORDS

    second = ServeProcess(data_dir=data_dir).wait_serving()
    try:
        again = _import(path, second.target)
        output, _ = again.communicate(timeout=300)
        assert again.returncode == 0, output

        assert _count(conninfo, "source_record") == RECORDS
        assert _count(conninfo, "source_record_history") == 0  # replays changed nothing
        with grpc.insecure_channel(second.target) as channel:
            assert stored_clusters(channel) == expected_clusters(requests, keys)
        assert check_invariants(conninfo) == []
    finally:
        assert second.terminate() == 0, second.output


def test_kill_9_of_the_supervisor_stops_its_workers_and_a_restart_serves_the_same_data(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    supervisor = ServeProcess("--workers", "2", data_dir=data_dir)
    restarted: ServeProcess | None = None
    try:
        deadline = time.monotonic() + 60
        while sum("serving gRPC on" in line for line in supervisor.lines) < 2:
            assert time.monotonic() < deadline, f"the workers did not come up:\n{supervisor.output}"
            time.sleep(0.1)
        workers = psutil.Process(supervisor.process.pid).children()
        assert len(workers) == 2
        requests, keys = overlapping_records(seed=3, people=10, records=40)
        with grpc.insecure_channel(supervisor.target) as channel:
            results = IdentityServiceStub(channel).ImportRecords(iter(requests))
            assert [r.error.reason for r in results if r.HasField("error")] == []

        supervisor.kill()
        _, alive = psutil.wait_procs(workers, timeout=30)
        assert alive == []  # no orphan keeps serving on the port

        restarted = ServeProcess(data_dir=data_dir).wait_serving()
        with grpc.insecure_channel(restarted.target) as channel:
            assert stored_clusters(channel) == expected_clusters(requests, keys)
        conninfo = EmbeddedPostgres(data_dir).running_uri()
        assert conninfo is not None and check_invariants(conninfo) == []
    finally:
        supervisor.kill()
        if restarted is not None:
            assert restarted.terminate() == 0, restarted.output
        _stop_leftover(data_dir)
