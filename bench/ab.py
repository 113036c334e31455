"""Two code trees side by side: CPU per call and latency of the write methods, before and after.

    .venv/bin/python -m bench.ab --base ../wt-main [--new .] [--customers 10000] [--seconds 6]
        [--rounds 3] [--methods "Resolve (new, fuzzy);RecordInteraction"]

On a shared machine two `bench.load` runs one after the other see different neighbours. Here one
private PostgreSQL holds two databases preloaded alike, one `singleview serve` per tree runs on
each (the tree's `src` first on PYTHONPATH; `--base` is a worktree at the commit to compare,
with its generated `singleview/v1` code), and each round drives every method on both trees in
turn, in alternating order, with `bench.load`'s clients; the echo is measured at the start of
each round for the neighbours' load. CPU per call (server process, its database's backends) is
the figure to compare; the trees share the schema of the new tree's migrations.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from psycopg.conninfo import make_conninfo

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
    running,
    serve,
)
from bench.load import Load, methods
from tests.support.database import create_database

WRITES = "Resolve (new, fuzzy);Resolve (existing);RecordInteraction"


def _row(label: str, f: Figures) -> str:
    cpu = f.cpu_ms or {}
    return (
        f"{label:<36}{f.calls:>7}{f.rate:>9.0f}{f.percentile(50):>9.2f}{f.percentile(99):>9.2f}"
        f"{cpu.get('server', 0.0):>9.2f}{cpu.get('db', 0.0):>9.2f}"
    )


async def _rounds(
    targets: dict[str, str],
    echo_target: str,
    meters: dict[str, CpuMeter],
    load: Load,
    wanted: Sequence[str],
    rounds: int,
) -> None:
    header = ("calls", "calls/s", "p50 ms", "p99 ms", "cpu srv", "cpu db")
    print(f"{'method [tree]':<36}{header[0]:>7}" + "".join(f"{h:>9}" for h in header[1:]))
    channels = {tree: grpc.aio.insecure_channel(target) for tree, target in targets.items()}
    async with grpc.aio.insecure_channel(echo_target) as echo_channel:
        echo = health_pb2_grpc.HealthStub(echo_channel)

        def check(_: int) -> Call:
            return lambda: echo.Check(health_pb2.HealthCheckRequest())

        makers = {
            tree: dict(methods(channel, replace(load, run=f"{load.run}{tree}")))
            for tree, channel in channels.items()
        }
        for n in range(rounds):
            figures = await drive_for("echo", check, load.concurrency, load.seconds)
            loadavg = Path("/proc/loadavg").read_text().split()[0]
            print(f"{_row(f'round {n + 1}: echo', figures)}   load average {loadavg}")
            order = list(targets) if n % 2 == 0 else list(reversed(targets))
            for name in wanted:
                for tree in order:
                    make = makers[tree][name]
                    await drive_for(name, make, load.concurrency, min(1.0, load.seconds / 5))
                    before = meters[tree].sample()
                    figures = await drive_for(name, make, load.concurrency, load.seconds)
                    cpu = CpuMeter.per_call(before, meters[tree].sample(), figures.calls)
                    print(_row(f"{name} [{tree}]", replace(figures, cpu_ms=cpu)), flush=True)
    for channel in channels.values():
        await channel.close(None)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True, help="the tree to compare with (a worktree)")
    parser.add_argument("--new", default=".")
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--methods", default=WRITES, help="bench.load methods, separated by ;")
    args = parser.parse_args(argv)
    trees = {"base": Path(args.base).resolve(), "new": Path(args.new).resolve()}
    with database_server() as first:
        databases = {"base": first, "new": create_database(make_conninfo(first, dbname="postgres"))}
        for tree, database in databases.items():
            seconds = preload.fill(database, 0, args.customers)
            print(f"{tree}: {args.customers:,} customers preloaded in {seconds:.0f} s", flush=True)
        processes = {
            tree: serve(database, 1, env={"PYTHONPATH": str(trees[tree] / "src")})
            for tree, database in databases.items()
        }
        with (
            running(processes["base"]) as base,
            running(processes["new"]) as new,
            running(echo_server()) as echo,
        ):
            servers = {"base": base, "new": new}
            meters = {
                tree: CpuMeter(
                    {
                        "server": process_tree(server.process.pid),
                        "db": database_backends(databases[tree]),
                    }
                )
                for tree, server in servers.items()
            }
            load = Load(args.customers, 8, args.seconds, f"r{int(time.time())}")
            targets = {tree: server.target for tree, server in servers.items()}
            wanted = [m.strip() for m in args.methods.split(";")]
            asyncio.run(_rounds(targets, echo.target, meters, load, wanted, args.rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
