"""Timeline test support: a server that serves TimelineService, and short request builders.

Until api/server.py registers the TimelineServicer, `serving_timeline` starts a private server
(identity, profile and timeline servicers, the event hub) on the session database; once the
shared test server serves the timeline, it is used instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import grpc
from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.timestamp_pb2 import Timestamp

from singleview.api.errors import ErrorInterceptor
from singleview.api.identity import IdentityServicer
from singleview.api.profile import ProfileServicer
from singleview.api.timeline import TimelineServicer
from singleview.matching.comparisons import default_comparisons
from singleview.matching.model import load_model
from singleview.service.events import EventHub
from singleview.service.matcher import Matcher
from singleview.service.profiles import ProfileService
from singleview.service.resolve import ResolveService
from singleview.service.timeline import TimelineService
from singleview.service.timeline_settings import TimelineSettings
from singleview.store.database import Database
from singleview.v1 import (
    common_pb2,
    identity_service_pb2_grpc,
    profile_service_pb2_grpc,
    timeline_service_pb2_grpc,
)
from singleview.v1 import timeline_service_pb2 as pb
from tests.support.server import ServerThread


class TimelineServerThread(ServerThread):
    """A gRPC server with the servicers a timeline test calls, on its own event loop."""

    def __init__(self, conninfo: str, timeline: TimelineSettings | None = None) -> None:
        super().__init__(conninfo)
        self.timeline = timeline or TimelineSettings()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        settings = self.settings
        database = await Database.open(self.conninfo, min_size=2, max_size=16, retries=8)
        server = grpc.aio.server(interceptors=[ErrorInterceptor()])
        matcher = Matcher(
            settings.matching, load_model(settings.matching.model_path), default_comparisons()
        )
        resolver = ResolveService(database, settings, matcher)
        events = EventHub(database, self.timeline)
        timeline = TimelineService(database, settings, resolver, self.timeline)
        identity_service_pb2_grpc.add_IdentityServiceServicer_to_server(
            IdentityServicer(resolver), server
        )
        profile_service_pb2_grpc.add_ProfileServiceServicer_to_server(
            ProfileServicer(ProfileService(database, settings)), server
        )
        timeline_service_pb2_grpc.add_TimelineServiceServicer_to_server(
            TimelineServicer(timeline, events), server
        )
        try:
            await events.start()
            self.port = server.add_insecure_port("127.0.0.1:0")
            await server.start()
            self._ready.set()
            await self._stop.wait()
        finally:
            await events.close()
            await server.stop(2)
            await database.close()


def _serves_timeline(target: str) -> bool:
    with grpc.insecure_channel(target) as channel:
        stub = timeline_service_pb2_grpc.TimelineServiceStub(channel)
        try:
            stub.ListInteractions(pb.ListInteractionsRequest(), timeout=10)
        except grpc.RpcError as error:
            assert isinstance(error, grpc.Call)
            return error.code() != grpc.StatusCode.UNIMPLEMENTED
        return True


@contextmanager
def serving_timeline(shared: ServerThread, conninfo: str) -> Iterator[str]:
    """The target of a server that serves TimelineService on `conninfo`."""
    if _serves_timeline(shared.target):
        yield shared.target
        return
    private = TimelineServerThread(conninfo).start()
    try:
        yield private.target
    finally:
        private.stop()


def at(minutes_ago: float) -> Timestamp:
    """A timestamp `minutes_ago` before now: scenarios happen in the recent past."""
    ts = Timestamp()
    ts.FromDatetime(datetime.now(UTC) - timedelta(minutes=minutes_ago))
    return ts


def interaction(
    channel: common_pb2.Channel.ValueType,
    *,
    minutes_ago: float | None = None,
    direction: common_pb2.Direction.ValueType = common_pb2.DIRECTION_INBOUND,
    state: pb.InteractionState.ValueType = pb.INTERACTION_STATE_OPEN,
    handler: pb.Handler.ValueType = pb.HANDLER_UNSPECIFIED,
    summary: str = "",
    transcript: str = "",
    conversation_id: str = "",
    agent_id: str = "",
    attributes: dict[str, str] | None = None,
) -> pb.Interaction:
    message = pb.Interaction(
        channel=channel,
        direction=direction,
        state=state,
        handler=handler,
        summary=summary,
        transcript=transcript,
        conversation_id=conversation_id,
        agent_id=agent_id,
        attributes=attributes or {},
    )
    if minutes_ago is not None:
        message.occur_time.CopyFrom(at(minutes_ago))
    return message


def record(
    source: str,
    event_id: str,
    what: pb.Interaction,
    *identifiers: common_pb2.Identifier,
    customer: str = "",
) -> pb.RecordInteractionRequest:
    return pb.RecordInteractionRequest(
        source=source,
        source_event_id=event_id,
        identifiers=list(identifiers),
        customer=customer,
        interaction=what,
    )


def update(name: str, *paths: str, **fields: object) -> pb.UpdateInteractionRequest:
    return pb.UpdateInteractionRequest(
        name=name,
        interaction=pb.Interaction(**fields),  # type: ignore[arg-type]
        update_mask=FieldMask(paths=list(paths)),
    )
