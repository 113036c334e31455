"""Load: calls/s and p50/p95/p99 per method at fixed concurrency, as a ratio of the echo's.

    .venv/bin/python -m bench.load [--customers 100000] [--concurrency 8] [--seconds 10]
        [--workers 1] [--sizes 10000,100000,1000000] [--methods 'GetContext;Resolve (new, fuzzy)']

Starts a private PostgreSQL (or uses SINGLEVIEW_DATABASE_URL), preloads it with synthetic
customers and their timelines by COPY (bench/preload.py), starts `singleview serve` (with
`--workers N` processes on one port) and the bare grpc.aio echo server of the same stack, then
drives each method with the same asyncio client, `--concurrency` calls in flight, for
`--seconds` each: GetContext and Lookup of preloaded customers by phone, Resolve of a new person
(names that collide with stored ones, so the fuzzy candidate path runs) and of a new record of an
existing customer (linked by its email), RecordInteraction by phone, SearchCustomers by name,
and the echo's own health check made to singleview (the cost of its interceptor chain).
The echo is measured before and after the methods; ratios are against their mean.

With `--sizes` the same load runs at each store size in turn (the store grows between runs),
and a last table compares each size with the first: flat cost means ratios that hold.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import grpc
from google.protobuf.timestamp_pb2 import Timestamp
from grpc_health.v1 import health_pb2, health_pb2_grpc

from bench import preload
from bench.harness import (
    Call,
    CpuMeter,
    Figures,
    database_backends,
    database_server,
    drive_for,
    echo_server,
    process_tree,
    report,
    running,
)
from bench.harness import serve as serve_process
from singleview.v1 import common_pb2, identity_service_pb2, profile_service_pb2
from singleview.v1 import timeline_service_pb2 as timeline_pb2
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from singleview.v1.timeline_service_pb2_grpc import TimelineServiceStub

PHONE = common_pb2.IDENTIFIER_KIND_PHONE
EMAIL = common_pb2.IDENTIFIER_KIND_EMAIL


@dataclass(frozen=True)
class Load:
    customers: int
    concurrency: int
    seconds: float
    run: str
    """Tells this run's new records and events apart from earlier runs' on the same store."""


def _phone(n: int) -> common_pb2.Identifier:
    return common_pb2.Identifier(kind=PHONE, value=preload.phone(n))


def _new_person(rng: random.Random, n: int, run: str) -> identity_service_pb2.ResolveRequest:
    attributes = preload.person(rng)
    return identity_service_pb2.ResolveRequest(
        source="bench",
        record_id=f"{run}-new-{n}",
        identifiers=[common_pb2.Identifier(kind=EMAIL, value=f"{run}.{n}@example.org")],
        attributes=common_pb2.PersonAttributes(
            given_name=attributes.given_name,
            family_name=attributes.family_name,
            birth_date=str(attributes.birth_date),
            address=common_pb2.PostalAddress(
                lines=list(attributes.address.lines), postal_code=attributes.address.postal_code
            ),
        ),
    )


def methods(channel: grpc.aio.Channel, load: Load) -> list[tuple[str, Callable[[int], Call]]]:
    """Each method as n -> one call; n counts up, so writes never repeat a record or event."""
    identity = IdentityServiceStub(channel)
    timeline = TimelineServiceStub(channel)
    profiles = ProfileServiceStub(channel)
    health_checks = health_pb2_grpc.HealthStub(channel)
    rng = random.Random(load.run)

    def known() -> int:
        return rng.randrange(load.customers)

    def get_context(_: int) -> Call:
        request = timeline_pb2.GetContextRequest(
            identifiers=[_phone(known())], channel=common_pb2.CHANNEL_CHAT
        )
        return lambda: timeline.GetContext(request)

    def lookup(_: int) -> Call:
        request = identity_service_pb2.LookupRequest(identifiers=[_phone(known())])
        return lambda: identity.Lookup(request)

    def resolve_new(n: int) -> Call:
        request = _new_person(rng, n, load.run)
        return lambda: identity.Resolve(request)

    def resolve_existing(n: int) -> Call:
        request = identity_service_pb2.ResolveRequest(
            source="app",
            record_id=f"{load.run}-app-{n}",
            identifiers=[common_pb2.Identifier(kind=EMAIL, value=preload.email(known()))],
        )
        return lambda: identity.Resolve(request)

    def record_interaction(n: int) -> Call:
        occur = Timestamp()
        occur.GetCurrentTime()
        request = timeline_pb2.RecordInteractionRequest(
            source="bench",
            source_event_id=f"{load.run}-{n}",
            identifiers=[_phone(known())],
            interaction=timeline_pb2.Interaction(
                channel=common_pb2.CHANNEL_CHAT,
                direction=common_pb2.DIRECTION_INBOUND,
                occur_time=occur,
                state=timeline_pb2.INTERACTION_STATE_CLOSED,
                summary="asked about an order",
            ),
        )
        return lambda: timeline.RecordInteraction(request)

    def search(_: int) -> Call:
        query = f"{rng.choice(preload.GIVEN)} {rng.choice(preload.FAMILY)}"
        request = profile_service_pb2.SearchCustomersRequest(query=query, page_size=10)
        return lambda: profiles.SearchCustomers(request)

    def health(_: int) -> Call:
        return lambda: health_checks.Check(health_pb2.HealthCheckRequest())

    made = [get_context, lookup, resolve_new, resolve_existing, record_interaction, search, health]
    return list(zip(METHODS, made, strict=True))


METHODS = (
    "GetContext",
    "Lookup",
    "Resolve (new, fuzzy)",
    "Resolve (existing)",
    "RecordInteraction",
    "SearchCustomers",
    "Health (interceptors)",
)
"""`Health (interceptors)` is the echo's call made to singleview: what the interceptor chain and the
server's set-up cost every call before its own work (compare its CPU per call with the echo's)."""


async def measure(
    target: str, echo_target: str, load: Load, meter: CpuMeter, only: Sequence[str] = ()
) -> tuple[list[Figures], float]:
    """Every method's figures (or those named in `only`) and the echo's rate (the mean of a run
    before and one after)."""
    async with (
        grpc.aio.insecure_channel(target) as channel,
        grpc.aio.insecure_channel(echo_target) as echo_channel,
    ):
        echo = health_pb2_grpc.HealthStub(echo_channel)

        def check(_: int) -> Call:
            return lambda: echo.Check(health_pb2.HealthCheckRequest())

        c, s = load.concurrency, load.seconds

        async def metered(name: str, make: Callable[[int], Call]) -> Figures:
            before = meter.sample()
            figures = await drive_for(name, make, c, s)
            cpu = CpuMeter.per_call(before, meter.sample(), figures.calls)
            return replace(figures, cpu_ms=cpu)

        figures = [await metered("echo (reference, before)", check)]
        for name, make in methods(channel, load):
            if only and name not in only:
                continue
            await drive_for(name, make, c, min(1.0, s / 5))  # warm-up: connections, plans
            figures.append(await metered(name, make))
        figures.append(await metered("echo (reference, after)", check))
    return figures, (figures[0].rate + figures[-1].rate) / 2


def run_size(
    database: str, load: Load, workers: int, only: Sequence[str] = ()
) -> tuple[list[Figures], float]:
    with (
        running(serve_process(database, workers), serving_lines=workers) as server,
        running(echo_server()) as echo,
    ):
        meter = CpuMeter(
            {
                "server": process_tree(server.process.pid),
                "echo": process_tree(echo.process.pid),
                "db": database_backends(database),
            }
        )
        return asyncio.run(measure(server.target, echo.target, load, meter, only))


def _flatness(results: Sequence[tuple[int, list[Figures], float]]) -> str:
    """Each size against the first: throughput ratio to the echo and p99, as a change."""
    base_size, base, base_echo = results[0]
    lines = [
        f"change from {base_size:,} customers (ratio to echo, p99), negative = slower",
        f"{'method':<28}" + "".join(f"{size:>22,}" for size, *_ in results[1:]),
    ]
    for index, first in enumerate(base):
        if first.method.startswith("echo"):
            continue
        cells = []
        for _, figures, echo_rate in results[1:]:
            f = figures[index]
            ratio_change = (f.rate / echo_rate) / (first.rate / base_echo) - 1
            p99_change = f.percentile(99) / first.percentile(99) - 1
            cells.append(f"{ratio_change:>+11.0%} {p99_change:>+9.0%}")
        lines.append(f"{first.method:<28}" + "".join(f"{c:>22}" for c in cells))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--sizes", default="", help="comma-separated store sizes, in order")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--methods", default="", help="method names separated by ; (default: all)")
    args = parser.parse_args(argv)
    only = [m.strip() for m in args.methods.split(";") if m.strip()]
    if unknown := set(only) - set(METHODS):
        parser.error(f"unknown methods {sorted(unknown)}; known: {', '.join(METHODS)}")
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [args.customers]
    results: list[tuple[int, list[Figures], float]] = []
    with database_server() as database:
        stored = 0
        for size in sizes:
            seconds = preload.fill(database, stored, size - stored)
            print(f"preloaded {size - stored:,} customers in {seconds:.0f} s", flush=True)
            stored = size
            load = Load(size, args.concurrency, args.seconds, f"r{int(time.time())}s{size}")
            figures, echo_rate = run_size(database, load, args.workers, only)
            results.append((size, figures, echo_rate))
            title = (
                f"{size:,} customers, concurrency {args.concurrency}, {args.seconds:g} s per"
                f" method, {args.workers} worker(s); ratio = calls/s / echo calls/s"
            )
            print(report(figures, echo_rate, title), flush=True)
    if len(results) > 1:
        print(_flatness(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
