"""Cost of one Resolve as the store grows: p50/p95/p99 at 10k, 100k (and 1M) stored records.

    .venv/bin/python -m bench.scaling [--sizes 10000,100000,1000000] [--calls 2000]

The store is filled directly with COPY (customers, records, normalized identifiers and the same
blocking keys the service computes), because resolving a million records one by one would
measure the import, not the lookup. Then a `singleview serve` process answers Resolve calls for
new records whose names and birth years collide with stored ones, so every call does the full
fuzzy path: identifier lookups, blocking-key candidates, comparisons, decision and the write.
The echo server of the same run is the reference; flat cost means the ratio does not fall as
the store grows.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import grpc
import psycopg
from grpc_health.v1 import health_pb2, health_pb2_grpc

from bench.resolve import Figures, drive
from singleview.domain.identifiers import Identifier, IdentifierKind
from singleview.domain.records import PersonAttributes, PostalAddress
from singleview.matching.blocking import blocking_keys
from singleview.matching.profile import build_profile
from singleview.service.names import new_customer_id
from singleview.store.codec import attributes_to_json, content_hash, identifiers_to_json
from singleview.store.embedded import EmbeddedPostgres
from singleview.v1 import common_pb2, identity_service_pb2
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from tests.support.database import create_database
from tests.support.process import ServeProcess

_GIVEN_TEXT = """
Ann Maria Luis Omar Yuki Petra Ben Emma Oliver Sofia Liam Noah Ava Mia Lucas Elena Ivan Fatima
Aisha Chen Wei Hiro Kenji Priya Ravi Arjun Carlos Ana Jose Lucia Marta Pablo Nina Olga Sven Ingrid
Lars Anna Paul Greta Hugo Lea Tom Eva Max Ida Jonas Sara Ali Leila
"""
_FAMILY_TEXT = """
Smith Garcia Lee Brown Okafor Tanaka Novak Haddad Nguyen Patel Kim Muller Rossi Silva Jones
Ivanova Kowalski Larsen Dubois Moreau Schmidt Fischer Weber Becker Khan Ahmed Singh Kumar Lopez
Martinez Perez Sanchez Romero Costa Santos Ferreira Almeida Olsen Hansen Nielsen Berg Lind Wong
Chan Yamamoto Sato Suzuki Watanabe Ito Nakamura
"""
GIVEN = tuple(_GIVEN_TEXT.split())
FAMILY = tuple(_FAMILY_TEXT.split())


def _person(rng: random.Random, n: int) -> tuple[PersonAttributes, tuple[Identifier, ...]]:
    born = f"{rng.randint(1940, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    attributes = PersonAttributes(
        given_name=rng.choice(GIVEN),
        family_name=f"{rng.choice(FAMILY)}{rng.choice(['', 'son', 'er', 'a', 'ez', 'i'])}",
        birth_date=date.fromisoformat(born),
        address=PostalAddress(
            lines=(f"{rng.randint(1, 999)} Oak St",), postal_code=f"{rng.randint(10000, 99999)}"
        ),
    )
    identifiers = (
        Identifier(IdentifierKind.PHONE, "", f"+1312{2000000 + n:07d}"),
        Identifier(IdentifierKind.EMAIL, "", f"p{n}@example.com"),
    )
    return attributes, identifiers


def _rows(start: int, count: int, seed: int) -> Any:
    rng = random.Random(seed)
    for n in range(start, start + count):
        attributes, identifiers = _person(rng, n)
        keys = blocking_keys(build_profile(attributes, identifiers))
        yield n, new_customer_id(), attributes, identifiers, keys


def fill(conninfo: str, start: int, count: int) -> None:
    """COPY `count` one-record customers into the store, with identifiers and blocking keys."""
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        rows = list(_rows(start, count, seed=start))
        with cur.copy("COPY customer (id) FROM STDIN") as copy:
            for _, customer_id, *_ in rows:
                copy.write_row((customer_id,))
        cur.execute("SELECT coalesce(max(id), 0) FROM source_record")
        first_pk = int(cur.fetchone()[0]) + 1  # type: ignore[index]
        with cur.copy(
            "COPY source_record (source, record_id, customer_id, observed_at, attributes,"
            " identifiers, content_hash, decision) FROM STDIN"
        ) as copy:
            for n, customer_id, attributes, identifiers, _ in rows:
                copy.write_row(
                    (
                        "seed",
                        str(n),
                        customer_id,
                        "2025-01-01T00:00:00Z",
                        json.dumps(attributes_to_json(attributes)),
                        json.dumps(identifiers_to_json(identifiers)),
                        content_hash(identifiers, attributes),
                        "NEW",
                    )
                )
        with cur.copy("COPY record_identifier (record_pk, kind, namespace, value) FROM STDIN") as c:
            for offset, (_, _, _, identifiers, _) in enumerate(rows):
                for i in identifiers:
                    c.write_row((first_pk + offset, i.kind.value, i.namespace, i.value))
        with cur.copy("COPY record_blocking_key (key, record_pk) FROM STDIN") as copy:
            for offset, (*_, keys) in enumerate(rows):
                for key in set(keys):
                    copy.write_row((key, first_pk + offset))
        conn.commit()
        conn.execute("ANALYZE")


def _new_record(rng: random.Random, n: int) -> identity_service_pb2.ResolveRequest:
    attributes, _ = _person(rng, n)
    return identity_service_pb2.ResolveRequest(
        source="bench",
        record_id=f"new-{n}",
        identifiers=[
            common_pb2.Identifier(
                kind=common_pb2.IDENTIFIER_KIND_EMAIL, value=f"new{n}@example.org"
            )
        ],
        attributes=common_pb2.PersonAttributes(
            given_name=attributes.given_name,
            family_name=attributes.family_name,
            birth_date=str(attributes.birth_date),
            address=common_pb2.PostalAddress(
                lines=list(attributes.address.lines), postal_code=attributes.address.postal_code
            ),
        ),
    )


async def measure(target: str, echo_target: str, size: int, calls: int) -> list[Figures]:
    rng = random.Random(size)
    async with grpc.aio.insecure_channel(target) as ch, grpc.aio.insecure_channel(echo_target) as e:
        identity = IdentityServiceStub(ch)
        echo = health_pb2_grpc.HealthStub(e)
        requests = [_new_record(rng, 10_000_000 * (1 + size) + n) for n in range(calls)]

        def resolving(request: identity_service_pb2.ResolveRequest) -> Callable[[], Awaitable[Any]]:
            return lambda: identity.Resolve(request)

        async def check() -> None:
            await echo.Check(health_pb2.HealthCheckRequest())

        resolve_calls = [resolving(r) for r in requests]
        return [
            await drive(f"echo @ {size:,}", [check] * calls, 8),
            await drive(f"Resolve (fuzzy) @ {size:,}", resolve_calls, 8),
        ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    embedded = None
    server_url = os.environ.get("SINGLEVIEW_DATABASE_URL")
    if not server_url:
        embedded = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="singleview-scaling-")))
        server_url = embedded.start()
    lines = [f"{'run':<28}{'calls/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'ratio':>8}"]
    try:
        database = create_database(server_url)
        stored = 0
        for size in sizes:
            started = time.perf_counter()
            fill(database, stored, size - stored)
            stored = size
            print(f"filled {size:,} records in {time.perf_counter() - started:.0f} s", flush=True)
            serve = ServeProcess(env={"SINGLEVIEW_DATABASE_URL": database}).wait_serving()
            echo = ServeProcess(command=[sys.executable, "-m", "bench.echo_server"]).wait_serving()
            try:
                echo_f, resolve_f = asyncio.run(
                    measure(serve.target, echo.target, size, args.calls)
                )
            finally:
                serve.terminate()
                echo.terminate()
            for f in (echo_f, resolve_f):
                lines.append(
                    f"{f.method:<28}{f.rate:>9.0f}{f.percentile(50):>9.2f}{f.percentile(95):>9.2f}"
                    f"{f.percentile(99):>9.2f}{f.rate / echo_f.rate:>8.3f}"
                )
            print("\n".join(lines[-2:]), flush=True)
        print("\n".join(lines))
    finally:
        if embedded is not None:
            embedded.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
