"""Resolve, Lookup and GetCustomer throughput and latency, against a reference echo server.

    .venv/bin/python -m bench.resolve [--records 5000] [--concurrency 8] [--deadline SECONDS]

Starts a private PostgreSQL (or uses SINGLEVIEW_DATABASE_URL), one `singleview serve` process
and the reference echo server, then drives each method with the same asyncio client at fixed
concurrency and prints calls/s, p50/p95/p99 and the ratio of each method's throughput to the
echo's measured in the same run. With --deadline every call carries that deadline, which the
server turns into its statement timeout (what that costs is the difference between two runs).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from singleview.store.embedded import EmbeddedPostgres
from singleview.v1 import common_pb2, identity_service_pb2, profile_service_pb2
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from tests.support.database import create_database
from tests.support.process import ServeProcess


@dataclass(frozen=True)
class Figures:
    method: str
    calls: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.calls / self.seconds

    def percentile(self, q: int) -> float:
        return statistics.quantiles(self.latencies_ms, n=100)[q - 1]


async def drive(
    method: str, calls: Sequence[Callable[[], Awaitable[Any]]], concurrency: int
) -> Figures:
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


def _phone(n: int) -> common_pb2.Identifier:
    return common_pb2.Identifier(
        kind=common_pb2.IDENTIFIER_KIND_PHONE,
        value=f"+1 312 {200 + n // 10000:03d} {n % 10000:04d}",
    )


def _email(n: int) -> common_pb2.Identifier:
    return common_pb2.Identifier(kind=common_pb2.IDENTIFIER_KIND_EMAIL, value=f"p{n}@example.com")


async def run(
    target: str, echo_target: str, records: int, concurrency: int, deadline: float | None = None
) -> list[Figures]:
    async with (
        grpc.aio.insecure_channel(target) as channel,
        grpc.aio.insecure_channel(echo_target) as echo_channel,
    ):
        identity = IdentityServiceStub(channel)
        profiles = ProfileServiceStub(channel)
        echo = health_pb2_grpc.HealthStub(echo_channel)
        names: list[str] = [""] * records

        def resolve_new(n: int) -> Callable[[], Awaitable[Any]]:
            async def call() -> None:
                request = identity_service_pb2.ResolveRequest(
                    source="crm", record_id=f"c{n}", identifiers=[_phone(n), _email(n)]
                )
                names[n] = (await identity.Resolve(request, timeout=deadline)).customer.name

            return call

        def resolve_linked(n: int) -> Callable[[], Awaitable[Any]]:
            request = identity_service_pb2.ResolveRequest(
                source="web", record_id=f"w{n}", identifiers=[_email(n)]
            )
            return lambda: identity.Resolve(request, timeout=deadline)

        def lookup(n: int) -> Callable[[], Awaitable[Any]]:
            request = identity_service_pb2.LookupRequest(identifiers=[_phone(n)])
            return lambda: identity.Lookup(request, timeout=deadline)

        def get_customer(n: int) -> Callable[[], Awaitable[Any]]:
            return lambda: profiles.GetCustomer(
                profile_service_pb2.GetCustomerRequest(name=names[n]), timeout=deadline
            )

        def check(_: int) -> Callable[[], Awaitable[Any]]:
            return lambda: echo.Check(health_pb2.HealthCheckRequest())

        figures = [await drive("echo (reference)", [check(n) for n in range(records)], concurrency)]
        for name, make in [
            ("Resolve (new customer)", resolve_new),
            ("Resolve (linked)", resolve_linked),
            ("Lookup", lookup),
            ("GetCustomer", get_customer),
        ]:
            figures.append(await drive(name, [make(n) for n in range(records)], concurrency))
        return figures


def report(figures: list[Figures], concurrency: int) -> str:
    echo = figures[0].rate
    lines = [
        f"concurrency {concurrency}; ratio = calls/s over the echo's calls/s in this run",
        f"{'method':<24}{'calls':>8}{'calls/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'ratio':>8}",
    ]
    for f in figures:
        lines.append(
            f"{f.method:<24}{f.calls:>8}{f.rate:>10.0f}{f.percentile(50):>9.2f}"
            f"{f.percentile(95):>9.2f}{f.percentile(99):>9.2f}{f.rate / echo:>8.2f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--deadline", type=float, help="seconds: every call carries a deadline")
    args = parser.parse_args(argv)
    embedded = None
    server_url = os.environ.get("SINGLEVIEW_DATABASE_URL")
    if not server_url:
        embedded = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="singleview-bench-")))
        server_url = embedded.start()
    try:
        database = create_database(server_url)
        serve = ServeProcess(env={"SINGLEVIEW_DATABASE_URL": database}).wait_serving()
        echo = ServeProcess(command=[sys.executable, "-m", "bench.echo_server"]).wait_serving()
        try:
            figures = asyncio.run(
                run(serve.target, echo.target, args.records, args.concurrency, args.deadline)
            )
        finally:
            serve.terminate()
            echo.terminate()
        print(report(figures, args.concurrency))
    finally:
        if embedded is not None:
            embedded.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
