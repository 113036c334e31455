"""`serve --workers N`: N serving processes on one port, supervised by the parent.

One Python process serves one event loop on one core; a machine with more cores serves more
calls with more processes. Each worker is a fresh `singleview serve --worker` process (not a
fork: gRPC and OpenTelemetry exporters do not survive fork), binding the same port with
SO_REUSEPORT so the kernel spreads connections among them. The service is stateless, so the
workers behave like the separate replicas of a fleet: they share only the database.

The parent owns what there is one of: the embedded PostgreSQL when no database URL is given
(the workers get its URL) and the migrations, applied once before any worker starts. It forwards
SIGTERM and SIGINT, so every worker drains gracefully, and exits when they have exited; when one
worker dies on its own, the others are stopped too, so an orchestrator sees the failure and
restarts the whole unit rather than running short-handed unnoticed.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from types import FrameType

from singleview.config import Settings

log = logging.getLogger(__name__)

_POLL_SECONDS = 0.2


def free_port(host: str) -> int:
    """A port free now on `host`, for `--port 0`: every worker must be told the same one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


MIN_POOL_PER_WORKER = 4


def worker_pool_size(settings: Settings, workers: int, environ: dict[str, str]) -> int:
    """Connections per worker: the process's pool divided among the workers.

    One process serves as many concurrent calls as its pool has connections, and the workers
    together serve the same calls one process would, on more cores; so, unless the operator
    set SINGLEVIEW_POOL_MAX_SIZE (per process) explicitly, each worker gets its share, and the
    database sees the same number of connections whatever the number of workers.
    """
    if "SINGLEVIEW_POOL_MAX_SIZE" in environ:
        return settings.pool_max_size
    return max(MIN_POOL_PER_WORKER, -(-settings.pool_max_size // workers))


def worker_command(settings: Settings, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "singleview.cli",
        "serve",
        "--worker",
        "--host",
        settings.host,
        "--port",
        str(port),
    ]


def supervise(
    settings: Settings,
    conninfo: str,
    workers: int,
    announce: Callable[[str], None],
) -> int:
    """Run `workers` worker processes until they exit; returns the first failing exit code."""
    port = settings.port or free_port(settings.host)
    children: list[subprocess.Popen[bytes]] = []
    stopping = False

    def forward(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        pool_size = worker_pool_size(settings, workers, dict(os.environ))
        for index in range(workers):
            env = {
                **os.environ,
                "SINGLEVIEW_DATABASE_URL": conninfo,
                "SINGLEVIEW_POOL_MAX_SIZE": str(pool_size),
                "SINGLEVIEW_POOL_MIN_SIZE": str(min(settings.pool_min_size, pool_size)),
            }
            if index > 0:
                env["SINGLEVIEW_CONSOLE_PORT"] = "off"  # one console per port is enough
            children.append(subprocess.Popen(worker_command(settings, port), env=env))
        announce(f"singleview supervising {workers} workers on {settings.host}:{port}")
        code = 0
        while any(child.poll() is None for child in children):
            exited = [c for c in children if c.returncode is not None]
            if exited and not stopping:
                failed = next((c.returncode for c in exited if c.returncode), 0)
                log.warning("a worker exited (code %d): stopping the others", failed)
                code = code or failed or 1
                forward(signal.SIGTERM, None)
            time.sleep(_POLL_SECONDS)
        for child in children:
            if child.returncode and child.returncode not in (-signal.SIGTERM, -signal.SIGINT):
                code = code or child.returncode
        return code
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
