"""Bulk import throughput and memory: `singleview import` of a synthetic JSONL file.

    .venv/bin/python -m bench.bulk_import [--records 1000000] [--file PATH] [--keep-file]
    .venv/bin/python -m bench.bulk_import --verify [--records 3000]
    .venv/bin/python -m bench.bulk_import --records 10000 --batch 1,500   # batching vs not

Writes N ResolveRequests (bench/synthetic.py: people from several cultures with 1-5 records
each across sources, nicknames, typos, swapped dates, households sharing a landline or a
mailbox, walk-ins on a store's phone, placeholders), generated in chunks so the generator's
memory stays flat too; starts a private PostgreSQL (or uses SINGLEVIEW_DATABASE_URL) and one
fresh `singleview serve`; runs `singleview import FILE` as its own process; prints records/s,
wall time, the peak RSS of the server and of the client, and the final customer count.

--verify also resolves the same file one request at a time (Resolve, in file order) on a
second fresh server and checks both stores hold the same clusters.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import psycopg
from google.protobuf import json_format

from bench.synthetic import generate
from singleview.store.embedded import EmbeddedPostgres
from singleview.v1 import identity_service_pb2
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from tests.support.clusters import Cluster, stored_clusters
from tests.support.database import create_database
from tests.support.process import ServeProcess

PY_SPY = [str(Path(sys.executable).with_name("py-spy")), "record", "--format", "raw", "--idle"]
"""Folded stacks (flamegraph.pl / speedscope input); idle frames kept: waiting is time too."""

PEOPLE_PER_CHUNK = 5000
"""People generated at a time (about 2.5 records each): bounded memory for any file size."""


def synthetic_requests(records: int, seed: int) -> Iterator[identity_service_pb2.ResolveRequest]:
    """`records` requests, chunk after chunk; record ids carry the chunk so they stay unique."""
    chunk = 0
    written = 0
    while written < records:
        data = generate(people=PEOPLE_PER_CHUNK, seed=seed + chunk)
        for synthetic in data.records:
            if written == records:
                return
            request = synthetic.request
            request.record_id = f"{chunk}-{request.record_id}"
            yield request
            written += 1
        chunk += 1


def write_file(path: Path, records: int, seed: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for request in synthetic_requests(records, seed):
            line = json_format.MessageToDict(request, preserving_proto_field_name=False)
            out.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")


def peak_rss_mib(pid: int) -> float:
    """VmHWM of a live process (its peak resident set), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int, *, children: bool = False) -> float:
    """User + system CPU of a live process (with `children`, also of its exited children)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    used = int(fields[11]) + int(fields[12])
    if children:
        used += int(fields[13]) + int(fields[14])
    return used / os.sysconf("SC_CLK_TCK")


def postgres_cpu(pgdata: Path | None) -> float:
    """CPU the embedded PostgreSQL used so far: the postmaster and its exited backends."""
    if pgdata is None:
        return 0.0
    try:
        pid = int((pgdata / "postmaster.pid").read_text().split()[0])
        return cpu_seconds(pid, children=True)
    except (OSError, ValueError, IndexError):
        return 0.0


def run_import(path: Path, target: str) -> tuple[float, float, float, str]:
    """Wall seconds, the client's peak RSS (MiB) and CPU seconds and its summary, for
    `singleview import`."""
    started = time.monotonic()
    client = subprocess.Popen(
        [sys.executable, "-m", "singleview.cli", "import", str(path), "--target", target],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert client.stdout is not None
    summary = client.stdout.read()
    _, status, usage = os.wait4(client.pid, 0)
    seconds = time.monotonic() - started
    client.returncode = os.waitstatus_to_exitcode(status)
    if client.returncode not in (0, 1):  # 1: some lines failed, reported in the summary
        raise SystemExit(f"import failed with exit code {client.returncode}:\n{summary}")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, summary


def live_customers(database: str) -> int:
    with psycopg.connect(database) as conn:
        row = conn.execute("SELECT count(*) FROM customer WHERE merged_into IS NULL").fetchone()
        return int(row[0]) if row else 0


def resolve_one_by_one(path: Path, target: str) -> None:
    with grpc.insecure_channel(target) as channel, path.open(encoding="utf-8") as lines:
        identity = IdentityServiceStub(channel)
        for line in lines:
            request = json_format.Parse(line, identity_service_pb2.ResolveRequest())
            with contextlib.suppress(grpc.RpcError):  # fails alone, as in the import
                identity.Resolve(request)


@dataclass(frozen=True)
class Run:
    batch: str
    seconds: float
    server_rss: float
    client_rss: float
    summary: str
    customers: int
    clusters: set[Cluster] | None
    cpu: tuple[float, float, float] = (0.0, 0.0, 0.0)
    """CPU seconds of the server, PostgreSQL and the client: what the machine spent, which
    says more than a rate when other work shares its cores."""


def import_once(
    path: Path,
    server_url: str,
    batch: int | None,
    profile: Path | None,
    clusters: bool,
    pgdata: Path | None = None,
) -> Run:
    """`singleview import` of the file into a fresh database through a fresh server."""
    database = create_database(server_url)
    env = {"SINGLEVIEW_DATABASE_URL": database}
    if batch:
        env["SINGLEVIEW_IMPORT_BATCH"] = str(batch)
    serve = ServeProcess(env=env).wait_serving()
    pg_before = postgres_cpu(pgdata)
    try:
        spy = None
        if profile:
            spy = subprocess.Popen(
                [*PY_SPY, "-o", str(profile), "--pid", str(serve.process.pid)],
                stdout=subprocess.DEVNULL,
            )
        seconds, client_rss, client_cpu, summary = run_import(path, serve.target)
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(60)
        server_rss = peak_rss_mib(serve.process.pid)
        server_cpu = cpu_seconds(serve.process.pid)
        found = stored_clusters(grpc.insecure_channel(serve.target)) if clusters else None
    finally:
        serve.terminate()
    time.sleep(1)  # the server's backends exit and are counted with the postmaster
    cpu = (server_cpu, postgres_cpu(pgdata) - pg_before, client_cpu)
    shown = str(batch) if batch else "default"
    customers = live_customers(database)
    return Run(shown, seconds, server_rss, client_rss, summary, customers, found, cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=None, help="1,000,000 (3,000 to verify)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--file", type=Path, help="write the records here (default: a temp file)")
    parser.add_argument("--keep-file", action="store_true")
    parser.add_argument(
        "--batch",
        default="",
        help="SINGLEVIEW_IMPORT_BATCH of the server; several (1,500) import once each, in turn",
    )
    parser.add_argument("--verify", action="store_true", help="compare with one-by-one Resolve")
    parser.add_argument(
        "--profile", type=Path, help="py-spy the server during the import: write its profile here"
    )
    args = parser.parse_args(argv)
    records = args.records or (3000 if args.verify else 1_000_000)
    batches: list[int | None] = [int(b) for b in args.batch.split(",") if b] or [None]
    workdir = Path(tempfile.mkdtemp(prefix="singleview-bulk-"))
    path = args.file or workdir / "records.jsonl"
    started = time.monotonic()
    write_file(path, records, args.seed)
    print(f"wrote {records:,} records to {path} in {time.monotonic() - started:,.1f} s")
    embedded = None
    server_url = os.environ.get("SINGLEVIEW_DATABASE_URL")
    if not server_url:
        embedded = EmbeddedPostgres(workdir / "pg")
        server_url = embedded.start()
    try:
        pgdata = embedded.pgdata if embedded is not None else None
        runs = [
            import_once(path, server_url, b, args.profile, args.verify, pgdata) for b in batches
        ]
        print(runs[-1].summary.rstrip())
        print(report(records, runs))
        print(
            "load average at the end (1, 5, 15 min): "
            + ", ".join(f"{n:.2f}" for n in os.getloadavg())
        )
        if args.verify:
            serial = create_database(server_url)
            one = ServeProcess(env={"SINGLEVIEW_DATABASE_URL": serial}).wait_serving()
            try:
                started = time.monotonic()
                resolve_one_by_one(path, one.target)
                seconds = time.monotonic() - started
                print(f"one-by-one Resolve: {records / seconds:,.0f} records/s ({seconds:,.1f} s)")
                serial_clusters = stored_clusters(grpc.insecure_channel(one.target))
            finally:
                one.terminate()
            same = all(run.clusters == serial_clusters for run in runs)
            print(f"verify: clusters {'equal' if same else 'DIFFER'} to one-by-one Resolve")
            if not same:
                return 1
    finally:
        if embedded is not None:
            embedded.stop()
        if not args.keep_file and args.file is None:
            path.unlink(missing_ok=True)
            shutil.rmtree(workdir, ignore_errors=True)  # the private PostgreSQL's data too
    return 0


def report(records: int, runs: list[Run]) -> str:
    first = runs[0].seconds
    lines = [
        f"{records:,} records; speed-up = the first run's wall time over this one's",
        f"{'batch':>8}{'records/s':>11}{'wall s':>9}{'server MiB':>12}{'client MiB':>12}"
        f"{'customers':>11}{'speed-up':>10}   CPU ms/record: server, PostgreSQL, client",
    ]
    for run in runs:
        lines.append(
            f"{run.batch:>8}{records / run.seconds:>11,.0f}{run.seconds:>9,.1f}"
            f"{run.server_rss:>12,.0f}{run.client_rss:>12,.0f}{run.customers:>11,}"
            f"{first / run.seconds:>10.2f}   "
            + ", ".join(f"{1000 * c / records:.2f}" for c in run.cpu)
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
