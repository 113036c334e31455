"""SearchCustomers latency as the store grows: p50/p95/p99 at 10k and 100k customers (and 1M).

    .venv/bin/python -m bench.search [--sizes 10000,100000] [--calls 1000]

The store is filled with COPY by bench/preload.py (one-record customers with a name, a phone,
an email, the search index entries the service writes with each record, a timeline), plus a
loyalty card per customer. Then a
`singleview serve` process answers what a store associate types, for customers drawn at random
from the store: a misspelled, reordered name; a given name with the last four phone digits; a
phone number in another format; an email with a typo; a loyalty number. The echo server of the
same run is the reference: flat latency means p50 and the ratio do not move as the store grows.
`found` is the share of searches whose true customer, or a namesake, is among the first ten
results; `first` the share whose first result is the true customer or a namesake. Namesakes
(same given and family name) score the same and cannot be told apart by a name alone: the
synthetic store gives each name to about one customer in 15,000, so a 1M store has dozens of
each, as a real one has of "John Smith". Results are judged after the timed run.

`--database URL` measures a database an earlier run filled (sizes it already holds are not
filled again), to iterate on the search without refilling a million customers.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import grpc
import psycopg
from grpc_health.v1 import health_pb2, health_pb2_grpc

from bench import preload
from bench.harness import Figures, database_server, drive, echo_server, running, serve
from singleview.v1 import profile_service_pb2
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub

KINDS = (
    "name: reordered, typo",
    "name: typo in first letters",
    "given name + last 4 digits",
    "phone in another format",
    "email with a typo",
    "loyalty number",
)


def fill_clienteling(conninfo: str, after_pk: int) -> None:
    """COPY a loyalty card of every record past `after_pk`."""
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        cur.execute("SELECT id FROM source_record WHERE id > %s ORDER BY id", (after_pk,))
        records = cur.fetchall()
        with cur.copy("COPY record_identifier (record_pk, kind, namespace, value) FROM STDIN") as c:
            for (pk,) in records:
                c.write_row((pk, "LOYALTY_ID", "acme", f"L{pk:09d}"))
        conn.commit()
        conn.execute("ANALYZE")


@dataclass(frozen=True)
class Probe:
    """One search an associate might type, and the customer it should find."""

    kind: str
    query: str
    customer: str
    name: tuple[str, str]


def _typo(word: str, rng: random.Random, first: int) -> str:
    """Swap two neighbouring letters from position `first` on: a typing slip."""
    if len(word) < first + 2:
        return word + word[-1]
    i = rng.randrange(first, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def probes(conninfo: str, count: int, seed: int) -> list[Probe]:
    rng = random.Random(seed)
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(
            "SELECT r.id, r.customer_id, r.attributes, p.value, e.value FROM source_record r"
            " JOIN record_identifier p ON p.record_pk = r.id AND p.kind = 'PHONE'"
            " JOIN record_identifier e ON e.record_pk = r.id AND e.kind = 'EMAIL'"
            " WHERE r.source = 'seed' ORDER BY random() LIMIT %s",
            (count,),
        ).fetchall()
    found = []
    for n, (pk, customer_id, attributes, mobile, mail) in enumerate(rows):
        given, family = attributes["given_name"], attributes["family_name"]
        local, _, domain = mail.partition("@")
        queries = (
            f"{_typo(family, rng, 3).lower()} {given}",
            f"{given} {_typo(family, rng, 1)}",
            f"{given} {mobile[-4:]}",
            f"({mobile[2:5]}) {mobile[5:8]}-{mobile[8:]}",
            f"{local}@{_typo(domain, rng, 1)}",
            f"L{pk:09d}",
        )
        kind = KINDS[n % len(KINDS)]
        query = queries[KINDS.index(kind)]
        found.append(Probe(kind, query, f"customers/{customer_id}", (given, family)))
    return found


Shares = dict[str, tuple[float, float]]
"""Probe kind -> (found among the first ten, first result the customer or a namesake)."""


def _share(values: list[bool]) -> float:
    return sum(values) / len(values) if values else 0.0


async def measure(
    conninfo: str, target: str, echo_target: str, size: int, probes_: list[Probe]
) -> tuple[list[Figures], Shares]:
    async with grpc.aio.insecure_channel(target) as ch, grpc.aio.insecure_channel(echo_target) as e:
        profiles = ProfileServiceStub(ch)
        echo = health_pb2_grpc.HealthStub(e)
        answers: dict[int, list[str]] = {}

        def searching(n: int, probe: Probe) -> Callable[[], Awaitable[Any]]:
            async def call() -> None:
                request = profile_service_pb2.SearchCustomersRequest(
                    query=probe.query, page_size=10
                )
                answer = await profiles.SearchCustomers(request)
                answers[n] = [m.customer.name for m in answer.matches]

            return call

        async def check() -> None:
            await echo.Check(health_pb2.HealthCheckRequest())

        figures = [await drive(f"echo @ {size:,}", [check] * len(probes_), 8)]
        for kind in KINDS:
            calls = [searching(n, p) for n, p in enumerate(probes_) if p.kind == kind]
            figures.append(await drive(f"{kind} @ {size:,}", calls, 8))
    return figures, judge(conninfo, probes_, answers)


def _names_of(conninfo: str, customers: set[str]) -> dict[str, set[tuple[str, str]]]:
    ids = [c.removeprefix("customers/") for c in customers]
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(
            "SELECT customer_id, lower(attributes->>'given_name'),"
            " lower(attributes->>'family_name')"
            " FROM source_record WHERE customer_id = ANY(%s)",
            (ids,),
        ).fetchall()
    names: dict[str, set[tuple[str, str]]] = {}
    for customer_id, given, family in rows:
        names.setdefault(f"customers/{customer_id}", set()).add((given or "", family or ""))
    return names


def judge(conninfo: str, probes_: list[Probe], answers: dict[int, list[str]]) -> Shares:
    """Per kind: (true customer or a namesake in the first ten, the first result such)."""
    names = _names_of(conninfo, {c for found in answers.values() for c in found})
    hits: dict[str, list[bool]] = {kind: [] for kind in KINDS}
    firsts: dict[str, list[bool]] = {kind: [] for kind in KINDS}
    for n, probe in enumerate(probes_):
        wanted = (probe.name[0].lower(), probe.name[1].lower())
        right = [c == probe.customer or wanted in names.get(c, set()) for c in answers.get(n, [])]
        hits[probe.kind].append(any(right))
        firsts[probe.kind].append(bool(right) and right[0])
    return {kind: (_share(hits[kind]), _share(firsts[kind])) for kind in KINDS}


def _line(f: Figures, echo: Figures, shares: tuple[float, float] | None) -> str:
    found = f"{shares[0]:>7.0%}{shares[1]:>7.0%}" if shares is not None else ""
    return (
        f"{f.method:<36}{f.rate:>9.0f}{f.percentile(50):>9.2f}{f.percentile(95):>9.2f}"
        f"{f.percentile(99):>9.2f}{f.rate / echo.rate:>8.3f}{found}"
    )


def run_size(database: str, size: int, calls: int) -> list[str]:
    with running(serve(database, 1)) as server, running(echo_server()) as echo:
        figures, shares = asyncio.run(
            measure(database, server.target, echo.target, size, probes(database, calls, seed=size))
        )
    kinds = [None, *KINDS]
    return [
        _line(f, figures[0], shares[k] if k else None) for f, k in zip(figures, kinds, strict=True)
    ]


def _customers(conninfo: str) -> int:
    with psycopg.connect(conninfo) as conn:
        row = conn.execute("SELECT count(*) FROM customer").fetchone()
    return int(row[0]) if row else 0


def _max_pk(conninfo: str) -> int:
    with psycopg.connect(conninfo) as conn:
        row = conn.execute("SELECT coalesce(max(id), 0) FROM source_record").fetchone()
    return int(row[0]) if row else 0


@contextmanager
def _database(given: str | None) -> Iterator[str]:
    """The database an earlier run filled, or a fresh one (see bench/harness.py)."""
    if given:
        yield given
        return
    with database_server() as database:
        yield database


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--database", help="a database an earlier run filled")
    args = parser.parse_args(argv)
    lines = [
        f"{'run (concurrency 8)':<36}{'calls/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'ratio':>8}{'found':>7}{'first':>7}"
    ]
    with _database(args.database) as database:
        stored = _customers(database)
        for size in (int(s) for s in args.sizes.split(",")):
            started = time.perf_counter()
            if size > stored:
                after = _max_pk(database)
                preload.fill(database, stored, size - stored)
                fill_clienteling(database, after)
                stored = size
            print(f"filled {size:,} customers in {time.perf_counter() - started:.0f} s", flush=True)
            lines += run_size(database, size, args.calls)
            print("\n".join(lines), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
