"""The composition root of `singleview serve`: database, migrations, pool, gRPC, signals."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
from collections.abc import Callable

from singleview.api.server import start_server
from singleview.config import Settings, is_loopback
from singleview.store.database import Database
from singleview.store.embedded import EmbeddedPostgres
from singleview.store.migrations import apply_migrations
from singleview.supervisor import supervise
from singleview.telemetry import configure, settings_from_env

log = logging.getLogger(__name__)


async def _serve_with(
    conninfo: str, settings: Settings, announce: Callable[[str], None], worker: bool = False
) -> None:
    if not worker:  # a supervisor migrated before starting its workers
        await asyncio.to_thread(apply_migrations, conninfo)
    database = await Database.open(
        conninfo,
        min_size=settings.pool_min_size,
        max_size=settings.pool_max_size,
        retries=settings.resolve_retries,
    )
    try:
        running = await start_server(database, settings, reuse_port=worker)
        _settle_garbage_collection()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        orphaned = asyncio.create_task(_stop_when_orphaned(stop)) if worker else None
        security = ", ".join(
            part
            for part, on in (("TLS", settings.tls_enabled), ("auth", settings.auth_enabled))
            if on
        )
        announce(
            f"singleview serving gRPC on {settings.host}:{running.port}"
            + (f" ({security})" if security else "")
        )
        if running.console is not None:
            announce(f"singleview console on {running.console.url}")
        await stop.wait()
        if orphaned is not None:
            orphaned.cancel()
        announce("singleview shutting down: finishing in-flight calls")
        await running.stop(settings.shutdown_grace_seconds)
    finally:
        await database.close()


GC_YOUNG_THRESHOLD = 20_000
"""Allocations between young collections (Python's default: 700). A call allocates thousands
of short-lived objects; collecting every 700 made the collector run several times per call and
promoted live call state into the older generations, whose collections walk everything."""


def _settle_garbage_collection() -> None:
    """Once serving: what was built at start (modules, protobuf descriptors, the pool, the match
    model) lives as long as the process, so it is frozen out of the collector's walks, and young
    collections run less often. Full collections were the spikes in Resolve's p99."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


PARENT_CHECK_SECONDS = 0.5
"""How often a worker checks that its supervisor still lives."""


async def _stop_when_orphaned(stop: asyncio.Event) -> None:
    """A worker whose supervisor died (`kill -9`, out of memory) drains and exits on its own,
    so no orphan keeps serving on the port after the unit is restarted."""
    parent = os.getppid()
    while os.getppid() == parent:
        await asyncio.sleep(PARENT_CHECK_SECONDS)
    log.warning("the supervising process is gone: draining and exiting")
    stop.set()


def serve(
    settings: Settings,
    announce: Callable[[str], None] = print,
    *,
    workers: int = 1,
    worker: bool = False,
) -> int:
    """Run until SIGINT or SIGTERM; the embedded PostgreSQL, if any, is stopped on the way out.

    With `workers` > 1 this process supervises that many worker processes on one port
    (supervisor.py); `worker` marks such a process. Telemetry (OTEL_* variables) is set up once
    per serving process. An unsafe configuration (ConfigError) is refused before anything starts.
    Returns the exit code.
    """
    settings.check_security()
    if settings.auth_enabled and not settings.tls_enabled and not is_loopback(settings.host):
        log.warning("bearer tokens will cross the network in clear text: configure TLS")
    embedded: EmbeddedPostgres | None = None
    if settings.database_url:
        conninfo = settings.database_url
    else:
        embedded = EmbeddedPostgres(settings.data_dir)
        conninfo = embedded.start()
        announce(f"embedded PostgreSQL running in {embedded.pgdata}")
    try:
        if workers > 1:
            apply_migrations(conninfo)
            return supervise(settings, conninfo, workers, announce)
        telemetry = configure(settings_from_env(os.environ))
        try:
            asyncio.run(_serve_with(conninfo, settings, announce, worker))
        finally:
            if telemetry is not None:
                telemetry.shutdown()
        return 0
    finally:
        if embedded is not None:
            embedded.stop()
            announce("embedded PostgreSQL stopped")
