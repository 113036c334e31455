"""Readiness that follows the database: NOT_SERVING while it is unreachable, SERVING again once
it answers.

A load balancer or Kubernetes readiness probe then sends calls only to replicas that can answer
them, and a replica that lost its database is taken out of rotation rather than restarted (the
process itself is healthy; restarting it would not bring the database back).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from grpc_health.v1 import health_pb2
from grpc_health.v1._async import HealthServicer

from singleview.store import operations
from singleview.store.database import Database

log = logging.getLogger(__name__)

READINESS_INTERVAL_SECONDS = 2.0
"""How often readiness asks the database; an outage shows as NOT_SERVING within about this."""

READINESS_TIMEOUT_SECONDS = 2.0
"""A database that does not answer `SELECT 1` within this is unreachable."""

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


async def set_health(
    health: HealthServicer,
    services: Iterable[str],
    status: health_pb2.HealthCheckResponse.ServingStatus,
) -> None:
    for name in ("", *services):
        await health.set(name, status)


async def follow_database(
    database: Database,
    health: HealthServicer,
    services: Iterable[str],
    interval: float | None = None,
) -> None:
    """Until cancelled: ping the database every `interval` (READINESS_INTERVAL_SECONDS), and
    report what it finds when that changes."""
    names = tuple(services)
    serving = True
    while True:
        await asyncio.sleep(interval or READINESS_INTERVAL_SECONDS)
        try:
            await asyncio.wait_for(operations.ping(database), READINESS_TIMEOUT_SECONDS)
            reachable = True
        except Exception as exc:  # whatever the failure, the replica cannot answer calls
            reachable = False
            if serving:
                log.warning("database unreachable (%s): NOT_SERVING", type(exc).__name__)
        database.reachable = reachable
        if reachable != serving:
            serving = reachable
            if reachable:
                log.info("database reachable again: SERVING")
            await set_health(health, names, SERVING if reachable else NOT_SERVING)
