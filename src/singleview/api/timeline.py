"""TimelineService: convert, call the timeline service (or the event hub), convert back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc

from singleview.api import timeline_convert as convert
from singleview.api.convert import DECISION_TO_PB
from singleview.service.events import EventHub
from singleview.service.households import household_name
from singleview.service.names import customer_name
from singleview.service.timeline import TimelineService
from singleview.v1 import timeline_service_pb2 as pb
from singleview.v1 import timeline_service_pb2_grpc as pb_grpc

Context = grpc.aio.ServicerContext[Any, Any]


class TimelineServicer(pb_grpc.TimelineServiceServicer):
    def __init__(self, timeline: TimelineService, events: EventHub) -> None:
        self.timeline = timeline
        self.events = events

    async def RecordInteraction(
        self, request: pb.RecordInteractionRequest, context: Context
    ) -> pb.RecordInteractionResponse:
        recorded = await self.timeline.record_interaction(convert.record_input(request))
        return pb.RecordInteractionResponse(
            interaction=convert.interaction_to_pb(recorded.interaction),
            customer=customer_name(recorded.customer_id),
            decision=DECISION_TO_PB[recorded.decision],
            household=household_name(recorded.household_id) if recorded.household_id else "",
        )

    async def ListInteractions(
        self, request: pb.ListInteractionsRequest, context: Context
    ) -> pb.ListInteractionsResponse:
        page = await self.timeline.list_interactions(convert.list_input(request))
        return pb.ListInteractionsResponse(
            interactions=[convert.interaction_to_pb(i) for i in page.interactions],
            next_page_token=page.next_page_token,
        )

    async def UpdateInteraction(
        self, request: pb.UpdateInteractionRequest, context: Context
    ) -> pb.Interaction:
        updated = await self.timeline.update_interaction(convert.update_input(request))
        return convert.interaction_to_pb(updated)

    async def GetContext(self, request: pb.GetContextRequest, context: Context) -> pb.Context:
        return convert.context_to_pb(
            await self.timeline.get_context(convert.context_query(request))
        )

    async def WatchCustomer(
        self, request: pb.WatchCustomerRequest, context: Context
    ) -> AsyncIterator[pb.CustomerEvent]:
        """Headers go out once the watch is subscribed: a client that waits for them (initial
        metadata) knows every write committed afterwards will reach it."""
        async with self.events.watch(request.name) as events:
            await context.send_initial_metadata(())
            async for event in events:
                yield convert.event_to_pb(event)
