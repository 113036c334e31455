"""Where a method's time goes in the server: py-spy samples the serving process under load.

    .venv/bin/python -m bench.profile [--method GetContext] [--customers 10000] [--seconds 10]

Preloads a store (bench/preload.py), starts one `singleview serve` process, drives the method
with bench/load.py's client at concurrency 8 and lets py-spy sample the server meanwhile (idle
samples left out). Prints the share of samples per function, inclusive (the function or
anything it calls) and exclusive (its own code), and keeps the raw stacks in `--output` for a
flame graph (`flamegraph.pl` or speedscope.app read them). Needs py-spy (`.venv/bin/pip install
py-spy`); native code (gRPC's core, libpq) shows as the Python frame that called it.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import grpc

from bench import preload
from bench.harness import database_server, drive_for, running, serve
from bench.load import Load, methods


async def _drive(target: str, load: Load, method: str) -> int:
    async with grpc.aio.insecure_channel(target) as channel:
        make = dict(methods(channel, load))[method]
        return (await drive_for(method, make, load.concurrency, load.seconds)).calls


def _py_spy() -> str:
    """py-spy beside this interpreter (`pip install py-spy` in the venv), else on PATH."""
    beside = Path(sys.executable).with_name("py-spy")
    found = str(beside) if beside.exists() else shutil.which("py-spy")
    if found is None:
        raise SystemExit("py-spy not found: .venv/bin/pip install py-spy")
    return found


def _function(frame: str) -> str:
    """`name (path/file.py:123)` as `name (file.py)`: samples add up per function."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rsplit('/', 1)[-1].split(':')[0].rstrip(')')})"


def summarize(stacks: Path, top: int) -> str:
    """Inclusive and exclusive shares of samples per function from py-spy's raw output."""
    inclusive: Counter[str] = Counter()
    exclusive: Counter[str] = Counter()
    total = 0
    for line in stacks.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        frames = [_function(frame) for frame in stack.split(";")]
        count = int(count_text)
        total += count
        for frame in set(frames):
            inclusive[frame] += count
        exclusive[frames[-1]] += count
    lines = [f"{total} samples; inclusive share (function and callees), then exclusive"]
    lines += [f"{n / total:6.1%}  {frame}" for frame, n in inclusive.most_common(top)]
    lines.append("")
    lines += [f"{n / total:6.1%}  {frame}" for frame, n in exclusive.most_common(top)]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--method", default="GetContext")
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument(
        "--output", type=Path, default=Path(tempfile.gettempdir()) / "singleview-profile.txt"
    )
    args = parser.parse_args(argv)
    with database_server() as database:
        preload.fill(database, 0, args.customers)
        with running(serve(database, 1)) as server:
            load = Load(args.customers, 8, args.seconds, f"p{int(time.time())}")
            asyncio.run(
                _drive(server.target, Load(args.customers, 8, 2, load.run + "w"), args.method)
            )
            spy = subprocess.Popen(
                [
                    _py_spy(),
                    "record",
                    "--pid",
                    str(server.process.pid),
                    "--duration",
                    str(int(args.seconds)),
                    "--rate",
                    "200",
                    "--format",
                    "raw",
                    "--output",
                    str(args.output),
                    "--nonblocking",
                ],
                stdout=subprocess.DEVNULL,
            )
            calls = asyncio.run(_drive(server.target, load, args.method))
            spy.wait()
    print(f"{args.method}: {calls} calls in {args.seconds:g} s while sampled")
    print(summarize(args.output, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
