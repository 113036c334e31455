"""What every benchmark here shares: a store to run against, the processes under test, the
client loop at fixed concurrency and the table of figures with ratios against the echo.

Machines here are noisy (two cores, shared), so absolute figures drift from run to run; each
benchmark measures the bare grpc.aio echo server (bench/echo_server.py) with the same client in
the same run, and the ratio of a method's throughput to the echo's is the figure that counts.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
from psycopg.conninfo import conninfo_to_dict

from singleview.store.embedded import EmbeddedPostgres
from tests.support.database import create_database
from tests.support.process import ServeProcess

Call = Callable[[], Awaitable[Any]]


@dataclass(frozen=True)
class Figures:
    method: str
    calls: int
    seconds: float
    latencies_ms: list[float]
    errors: int = 0
    cpu_ms: dict[str, float] | None = None
    """CPU time per call of the processes measured (CpuMeter), e.g. server and database."""

    @property
    def rate(self) -> float:
        return self.calls / self.seconds

    def percentile(self, q: int) -> float:
        """Interpolated between the observed latencies, never beyond the slowest (the default
        "exclusive" method extrapolates past it on small samples)."""
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else float("nan")
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[q - 1]


async def drive(method: str, calls: Sequence[Call], concurrency: int) -> Figures:
    """Run the calls with `concurrency` workers; every call's latency is kept."""
    queue = list(reversed(calls))
    latencies: list[float] = []

    async def worker() -> None:
        while queue:
            call = queue.pop()
            start = time.perf_counter()
            await call()
            latencies.append((time.perf_counter() - start) * 1000)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Figures(method, len(calls), time.perf_counter() - start, latencies)


async def drive_for(
    method: str, make: Callable[[int], Call], concurrency: int, seconds: float
) -> Figures:
    """Call `make(n)()` for n = 0, 1, 2, ... from `concurrency` workers for `seconds`.

    Fixed duration rather than a fixed count, so a slow method and a fast one are measured
    over the same stretch of the machine's (noisy) time. Every call that started is waited
    for and its latency kept, a failed one too (its caller waited that long for an answer, so
    the percentiles leave no slow failure out); only successful calls count in `calls` (and
    the rate), failures in `errors`. Latency is from sending to the answer, in a closed loop:
    it includes queueing in the server and in this client, as a channel's caller sees it.
    """
    latencies: list[float] = []
    errors = 0
    counter = iter(range(sys.maxsize))
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            call = make(next(counter))
            start = time.perf_counter()
            try:
                await call()
            except Exception:  # noqa: BLE001 - a benchmark counts failures, it does not stop
                errors += 1
            latencies.append((time.perf_counter() - start) * 1000)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    return Figures(method, len(latencies) - errors, elapsed, latencies, errors)


def report(figures: Sequence[Figures], echo_rate: float, title: str = "") -> str:
    """One line per method: calls/s, percentiles, the ratio to the echo's calls/s, and the
    CPU milliseconds per call of each measured process group."""
    groups = sorted({group for f in figures for group in f.cpu_ms or {}})
    lines = [title] if title else []
    lines.append(
        f"{'method':<28}{'calls':>8}{'calls/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'ratio':>7}{'errors':>8}" + "".join(f"{'cpu ' + g:>12}" for g in groups)
    )
    for f in figures:
        cpu = "".join(f"{(f.cpu_ms or {}).get(g, float('nan')):>12.2f}" for g in groups)
        lines.append(
            f"{f.method:<28}{f.calls:>8}{f.rate:>9.0f}{f.percentile(50):>9.2f}"
            f"{f.percentile(95):>9.2f}{f.percentile(99):>9.2f}{f.rate / echo_rate:>7.2f}"
            f"{f.errors:>8}{cpu}"
        )
    return "\n".join(lines)


class CpuMeter:
    """CPU seconds (user + system) used by groups of processes, for CPU per call.

    On a shared machine throughput moves with the neighbours' load; the CPU a call costs the
    server and the database moves much less, so it shows what a change saved.
    """

    def __init__(self, groups: dict[str, Callable[[], list[psutil.Process]]]) -> None:
        self.groups = groups

    def sample(self) -> dict[str, dict[int, float]]:
        taken: dict[str, dict[int, float]] = {}
        for name, find in self.groups.items():
            taken[name] = {}
            for process in find():
                with suppress(psutil.Error):
                    times = process.cpu_times()
                    taken[name][process.pid] = times.user + times.system
        return taken

    @staticmethod
    def per_call(
        before: dict[str, dict[int, float]], after: dict[str, dict[int, float]], calls: int
    ) -> dict[str, float]:
        return {
            name: 1000
            * sum(t - before[name].get(pid, 0.0) for pid, t in after[name].items())
            / max(calls, 1)
            for name in after
        }


def process_tree(pid: int) -> Callable[[], list[psutil.Process]]:
    """A process and its children (a supervisor's workers)."""

    def find() -> list[psutil.Process]:
        with suppress(psutil.Error):
            root = psutil.Process(pid)
            return [root, *root.children(recursive=True)]
        return []

    return find


def database_backends(conninfo: str) -> Callable[[], list[psutil.Process]]:
    """The PostgreSQL backends serving the database of `conninfo` (same machine)."""
    marker = f" {conninfo_to_dict(conninfo)['dbname']} "

    def find() -> list[psutil.Process]:
        found = []
        for process in psutil.process_iter(["cmdline"]):
            cmdline = " ".join(process.info["cmdline"] or ())
            if cmdline.startswith("postgres:") and marker in cmdline + " ":
                found.append(process)
        return found

    return find


@contextmanager
def database_server() -> Iterator[str]:
    """SINGLEVIEW_DATABASE_URL, or a private embedded PostgreSQL stopped and deleted on the way
    out (a 100,000-customer store is about a gigabyte); yields the URL of a fresh database on
    it."""
    embedded = None
    server_url = os.environ.get("SINGLEVIEW_DATABASE_URL")
    directory = None
    if not server_url:
        directory = Path(tempfile.mkdtemp(prefix="singleview-bench-"))
        embedded = EmbeddedPostgres(directory)
        server_url = embedded.start()
    try:
        yield create_database(server_url)
    finally:
        if embedded is not None:
            embedded.stop()
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def running(process: ServeProcess, serving_lines: int = 1) -> Iterator[ServeProcess]:
    """Wait until `serving_lines` processes announced their port (one per worker); terminate
    on the way out."""
    try:
        process.wait_serving()
        deadline = time.monotonic() + 60
        while sum("serving gRPC on" in line for line in process.lines) < serving_lines:
            if process.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"not every worker came up:\n{process.output}")
            time.sleep(0.1)
        yield process
    finally:
        process.terminate()


def serve(database: str, workers: int, env: dict[str, str] | None = None) -> ServeProcess:
    """`singleview serve` on `database` with `workers` processes (no console)."""
    args = ("--workers", str(workers)) if workers > 1 else ()
    return ServeProcess(
        *args,
        env={"SINGLEVIEW_DATABASE_URL": database, "SINGLEVIEW_CONSOLE_PORT": "off", **(env or {})},
    )


def echo_server() -> ServeProcess:
    return ServeProcess(command=[sys.executable, "-m", "bench.echo_server"])
