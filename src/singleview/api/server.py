"""The gRPC server: servicers, health, reflection (v1alpha and v1), the telemetry, auth and
error interceptors, optional (mutual) TLS, and readiness that follows the database."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer
from grpc_reflection.v1alpha import reflection, reflection_pb2
from grpc_reflection.v1alpha._async import ReflectionServicer

from singleview.api.auth import AuthInterceptor, server_credentials
from singleview.api.errors import ErrorInterceptor
from singleview.api.identity import IdentityServicer
from singleview.api.privacy import PrivacyServicer
from singleview.api.profile import ProfileServicer
from singleview.api.readiness import follow_database
from singleview.api.steward import StewardServicer
from singleview.api.stream_limits import StreamLimitInterceptor
from singleview.api.telemetry import database_gauges, server_interceptors
from singleview.api.timeline import TimelineServicer
from singleview.config import Settings
from singleview.console.context import ConsoleServices
from singleview.console.server import ConsoleServer, start_console
from singleview.console.sessions import SessionStore
from singleview.matching.comparisons import default_comparisons
from singleview.matching.model import load_model
from singleview.service import search_index
from singleview.service.clienteling import Clienteling
from singleview.service.events import EventHub
from singleview.service.household_stewardship import HouseholdService
from singleview.service.matcher import Matcher
from singleview.service.privacy import PrivacyService
from singleview.service.profiles import ProfileService
from singleview.service.resolve import ResolveService
from singleview.service.stewardship import StewardshipService
from singleview.service.timeline import TimelineService
from singleview.service.timeline_settings import TimelineSettings
from singleview.service.tokens import TokenService
from singleview.store.database import Database
from singleview.v1 import (
    identity_service_pb2,
    identity_service_pb2_grpc,
    privacy_service_pb2,
    privacy_service_pb2_grpc,
    profile_service_pb2,
    profile_service_pb2_grpc,
    steward_service_pb2,
    steward_service_pb2_grpc,
    timeline_service_pb2,
    timeline_service_pb2_grpc,
)

log = logging.getLogger(__name__)

SERVICE_NAMES = tuple(
    module.DESCRIPTOR.services_by_name[name].full_name
    for module, name in (
        (identity_service_pb2, "IdentityService"),
        (profile_service_pb2, "ProfileService"),
        (timeline_service_pb2, "TimelineService"),
        (steward_service_pb2, "StewardService"),
        (privacy_service_pb2, "PrivacyService"),
    )
)
_REFLECTION_V1 = "grpc.reflection.v1.ServerReflection"


@dataclass
class RunningServer:
    server: grpc.aio.Server
    health: HealthServicer
    port: int
    events: EventHub
    console: ConsoleServer | None = None
    """The stewards' web console beside gRPC (None when SINGLEVIEW_CONSOLE_PORT=off)."""
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    """Readiness and gauge loops (api/readiness.py, api/telemetry.py), cancelled at stop."""

    async def stop(self, grace: float) -> None:
        """Report NOT_SERVING, end watch streams, let in-flight calls finish within `grace`."""
        for task in self.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.health.enter_graceful_shutdown()
        if self.console is not None:
            await self.console.stop()
        await self.events.close()
        await self.server.stop(grace)


def _add_reflection(server: grpc.aio.Server) -> None:
    names = (
        *SERVICE_NAMES,
        health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
        reflection.SERVICE_NAME,
    )
    reflection.enable_server_reflection(names, server)
    # grpc.reflection.v1 has the same messages as v1alpha, so one servicer answers both.
    servicer = ReflectionServicer(names)
    handler = grpc.stream_stream_rpc_method_handler(
        servicer.ServerReflectionInfo,
        request_deserializer=reflection_pb2.ServerReflectionRequest.FromString,
        response_serializer=reflection_pb2.ServerReflectionResponse.SerializeToString,
    )
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler(_REFLECTION_V1, {"ServerReflectionInfo": handler}),)
    )


def _interceptors(database: Database, settings: Settings) -> list[grpc.aio.ServerInterceptor]:  # type: ignore[type-arg]
    """Authentication (when on) outermost: a refused call never runs; stream limits inside it
    (they count per authenticated caller); errors innermost, next to the servicers."""
    chain: list[grpc.aio.ServerInterceptor] = []  # type: ignore[type-arg]
    if settings.auth_enabled:
        chain.append(AuthInterceptor(TokenService(database)))
    chain.append(StreamLimitInterceptor(settings.limits))
    chain.append(ErrorInterceptor())
    return chain


async def start_server(
    database: Database, settings: Settings, *, reuse_port: bool = False
) -> RunningServer:
    """Bind, start and report SERVING; the caller owns shutdown.

    `reuse_port` lets several worker processes bind one port (SO_REUSEPORT; the kernel spreads
    connections among them); off otherwise, so a second server on a taken port fails loudly.
    """
    options = [
        ("grpc.max_receive_message_length", settings.limits.max_message_bytes),
        ("grpc.max_send_message_length", settings.limits.max_message_bytes),
        ("grpc.so_reuseport", 1 if reuse_port else 0),
    ]
    settings.check_security()
    server = grpc.aio.server(
        interceptors=[*server_interceptors(), *_interceptors(database, settings)], options=options
    )
    matcher = Matcher(
        settings.matching, load_model(settings.matching.model_path), default_comparisons()
    )
    resolver = ResolveService(database, settings, matcher)
    identity_service_pb2_grpc.add_IdentityServiceServicer_to_server(
        IdentityServicer(resolver), server
    )
    timeline_settings = TimelineSettings()
    events = EventHub(database, timeline_settings)
    await events.start()
    timeline = TimelineService(database, settings, resolver, timeline_settings)
    timeline_service_pb2_grpc.add_TimelineServiceServicer_to_server(
        TimelineServicer(timeline, events), server
    )
    profiles = ProfileService(database, settings)
    await search_index.backfill(database)
    clienteling = Clienteling(
        database,
        settings,
        profiles,
        TimelineService(database, settings, resolver, timeline_settings),
    )
    stewardship = StewardshipService(database, settings, matcher)
    households = HouseholdService(database, settings, stewardship)
    profile_service_pb2_grpc.add_ProfileServiceServicer_to_server(
        ProfileServicer(profiles, clienteling, households), server
    )
    steward_service_pb2_grpc.add_StewardServiceServicer_to_server(
        StewardServicer(profiles, stewardship, households), server
    )
    privacy_service_pb2_grpc.add_PrivacyServiceServicer_to_server(
        PrivacyServicer(PrivacyService(database, settings)), server
    )
    health = HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health, server)
    _add_reflection(server)
    address = f"{settings.host}:{settings.port}"
    credentials = server_credentials(settings.security)
    if credentials is None:
        port = server.add_insecure_port(address)
    else:
        port = server.add_secure_port(address, credentials)
    if port == 0:
        raise OSError(f"cannot bind {settings.host}:{settings.port}")
    console = None
    if settings.console_port is not None:
        services = ConsoleServices(
            settings, stewardship, profiles, timeline, TokenService(database), SessionStore()
        )
        try:
            console = await start_console(services, settings)
        except BaseException:
            await events.close()
            await server.stop(0)
            raise
    await server.start()
    for name in ("", *SERVICE_NAMES):
        await health.set(name, health_pb2.HealthCheckResponse.SERVING)
    tasks = [
        asyncio.create_task(follow_database(database, health, SERVICE_NAMES)),
        asyncio.create_task(database_gauges().watch(database)),
    ]
    return RunningServer(server, health, port, events, console, tasks)
