"""Timeline messages to domain values and back; the timeline half of api/convert.py."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from singleview.api.convert import (
    DECISION_TO_PB,
    customer_to_pb,
    evidence_to_pb,
    raw_attributes,
    raw_identifiers,
    timestamp,
    timestamp_to_datetime,
)
from singleview.api.household_convert import candidates_to_pb, question_to_pb, raw_last4
from singleview.domain.errors import FieldViolation, InvalidArgument
from singleview.domain.timeline import (
    Channel,
    ContextQuery,
    Conversation,
    CustomerEvent,
    CustomerEventKind,
    Direction,
    Handler,
    Interaction,
    InteractionDraft,
    InteractionFilter,
    InteractionState,
    InteractionUpdate,
    ListInteractionsInput,
    RecordInteractionInput,
)
from singleview.domain.timeline import Context as DomainContext
from singleview.service.households import household_name
from singleview.service.names import customer_name
from singleview.service.timeline_validation import conversation_name, interaction_name
from singleview.v1 import common_pb2
from singleview.v1 import timeline_service_pb2 as pb

E = TypeVar("E")
K = TypeVar("K", bound=int)

CHANNEL_FROM_PB: dict[common_pb2.Channel.ValueType, Channel] = {
    common_pb2.CHANNEL_VOICE: Channel.VOICE,
    common_pb2.CHANNEL_CHAT: Channel.CHAT,
    common_pb2.CHANNEL_EMAIL: Channel.EMAIL,
    common_pb2.CHANNEL_SMS: Channel.SMS,
    common_pb2.CHANNEL_SOCIAL: Channel.SOCIAL,
    common_pb2.CHANNEL_APP: Channel.APP,
    common_pb2.CHANNEL_WEB: Channel.WEB,
    common_pb2.CHANNEL_STORE: Channel.STORE,
    common_pb2.CHANNEL_VIDEO: Channel.VIDEO,
}
CHANNEL_TO_PB = {channel: value for value, channel in CHANNEL_FROM_PB.items()}
DIRECTION_FROM_PB: dict[common_pb2.Direction.ValueType, Direction] = {
    common_pb2.DIRECTION_INBOUND: Direction.INBOUND,
    common_pb2.DIRECTION_OUTBOUND: Direction.OUTBOUND,
}
DIRECTION_TO_PB = {direction: value for value, direction in DIRECTION_FROM_PB.items()}
STATE_FROM_PB: dict[pb.InteractionState.ValueType, InteractionState] = {
    pb.INTERACTION_STATE_OPEN: InteractionState.OPEN,
    pb.INTERACTION_STATE_WAITING: InteractionState.WAITING,
    pb.INTERACTION_STATE_CLOSED: InteractionState.CLOSED,
    pb.INTERACTION_STATE_ABANDONED: InteractionState.ABANDONED,
    pb.INTERACTION_STATE_DROPPED: InteractionState.DROPPED,
}
STATE_TO_PB = {state: value for value, state in STATE_FROM_PB.items()}
HANDLER_FROM_PB: dict[pb.Handler.ValueType, Handler] = {
    pb.HANDLER_HUMAN: Handler.HUMAN,
    pb.HANDLER_BOT: Handler.BOT,
    pb.HANDLER_SELF_SERVICE: Handler.SELF_SERVICE,
}
HANDLER_TO_PB = {handler: value for value, handler in HANDLER_FROM_PB.items()}
EVENT_KIND_TO_PB = {
    CustomerEventKind.INTERACTION_RECORDED: pb.CUSTOMER_EVENT_KIND_INTERACTION_RECORDED,
    CustomerEventKind.INTERACTION_UPDATED: pb.CUSTOMER_EVENT_KIND_INTERACTION_UPDATED,
    CustomerEventKind.CONVERSATION_OPENED: pb.CUSTOMER_EVENT_KIND_CONVERSATION_OPENED,
    CustomerEventKind.CONVERSATION_CLOSED: pb.CUSTOMER_EVENT_KIND_CONVERSATION_CLOSED,
    CustomerEventKind.CUSTOMER_MERGED: pb.CUSTOMER_EVENT_KIND_CUSTOMER_MERGED,
    CustomerEventKind.CUSTOMER_SPLIT: pb.CUSTOMER_EVENT_KIND_CUSTOMER_SPLIT,
    CustomerEventKind.PROFILE_CHANGED: pb.CUSTOMER_EVENT_KIND_PROFILE_CHANGED,
    CustomerEventKind.CUSTOMER_ERASED: pb.CUSTOMER_EVENT_KIND_CUSTOMER_ERASED,
}


def enum_from_pb(value: int, mapping: Mapping[K, E], field_path: str) -> E | None:
    """None for UNSPECIFIED (0); INVALID_ARGUMENT for a number this version does not know."""
    if value == 0:
        return None
    found = next((item for key, item in mapping.items() if key == value), None)
    if found is None:
        raise InvalidArgument([FieldViolation(field_path, f"unknown value {value}")])
    return found


def _known(values: Iterable[int], mapping: Mapping[K, E], field_path: str) -> tuple[E, ...]:
    found = (enum_from_pb(v, mapping, f"{field_path}[{i}]") for i, v in enumerate(values))
    return tuple(item for item in found if item is not None)


def draft_from_pb(message: pb.Interaction, path: str = "interaction") -> InteractionDraft:
    occur_time = (
        timestamp_to_datetime(message.occur_time, f"{path}.occur_time")
        if message.HasField("occur_time")
        else None
    )
    return InteractionDraft(
        channel=enum_from_pb(message.channel, CHANNEL_FROM_PB, f"{path}.channel"),
        direction=enum_from_pb(message.direction, DIRECTION_FROM_PB, f"{path}.direction"),
        occur_time=occur_time,
        summary=message.summary,
        conversation_id=message.conversation_id,
        agent_id=message.agent_id,
        team_id=message.team_id,
        store_id=message.store_id,
        state=enum_from_pb(message.state, STATE_FROM_PB, f"{path}.state"),
        handler=enum_from_pb(message.handler, HANDLER_FROM_PB, f"{path}.handler"),
        transcript=message.transcript,
        outcome=message.outcome,
        attributes=dict(message.attributes),
    )


def record_input(request: pb.RecordInteractionRequest) -> RecordInteractionInput:
    return RecordInteractionInput(
        source=request.source,
        source_event_id=request.source_event_id,
        customer=request.customer,
        identifiers=raw_identifiers(request.identifiers),
        interaction=draft_from_pb(request.interaction),
    )


def update_input(request: pb.UpdateInteractionRequest) -> InteractionUpdate:
    return InteractionUpdate(
        name=request.name,
        interaction=draft_from_pb(request.interaction),
        paths=tuple(request.update_mask.paths),
        request_id=request.request_id,
    )


def list_input(request: pb.ListInteractionsRequest) -> ListInteractionsInput:
    start = request.start_time if request.HasField("start_time") else None
    end = request.end_time if request.HasField("end_time") else None
    return ListInteractionsInput(
        parent=request.parent,
        page_size=request.page_size,
        page_token=request.page_token,
        filter=InteractionFilter(
            channels=_known(request.channels, CHANNEL_FROM_PB, "channels"),
            states=_known(request.states, STATE_FROM_PB, "states"),
            start_time=timestamp_to_datetime(start, "start_time") if start else None,
            end_time=timestamp_to_datetime(end, "end_time") if end else None,
            conversation_id=request.conversation_id,
        ),
    )


def context_query(request: pb.GetContextRequest) -> ContextQuery:
    return ContextQuery(
        customer=request.customer,
        identifiers=raw_identifiers(request.identifiers),
        attributes=raw_attributes(request.attributes),
        channel=enum_from_pb(request.channel, CHANNEL_FROM_PB, "channel"),
        last4=raw_last4(request.last4),
    )


def interaction_to_pb(interaction: Interaction) -> pb.Interaction:
    return pb.Interaction(
        name=interaction_name(interaction.customer_id, interaction.id),
        channel=CHANNEL_TO_PB[interaction.channel],
        direction=DIRECTION_TO_PB[interaction.direction],
        occur_time=timestamp(interaction.occur_time),
        summary=interaction.summary,
        conversation_id=conversation_name(interaction.conversation_id),
        agent_id=interaction.agent_id,
        store_id=interaction.store_id,
        state=STATE_TO_PB[interaction.state],
        handler=HANDLER_TO_PB[interaction.handler]
        if interaction.handler
        else pb.HANDLER_UNSPECIFIED,
        transcript=interaction.transcript,
        team_id=interaction.team_id,
        outcome=interaction.outcome,
        attributes=dict(interaction.attributes),
        source=interaction.source,
        source_event_id=interaction.source_event_id,
        update_time=timestamp(interaction.update_time),
    )


def conversation_to_pb(conversation: Conversation) -> pb.Conversation:
    message = pb.Conversation(
        name=conversation_name(conversation.id),
        channels=[CHANNEL_TO_PB[c] for c in conversation.channels],
        start_time=timestamp(conversation.start_time),
        interaction_count=conversation.interaction_count,
    )
    if conversation.latest is not None:
        message.latest.CopyFrom(interaction_to_pb(conversation.latest))
    return message


def context_to_pb(context: DomainContext) -> pb.Context:
    p = context.pressure
    message = pb.Context(
        known=context.known,
        decision=DECISION_TO_PB[context.decision],
        open_conversations=[conversation_to_pb(c) for c in context.open_conversations],
        active_contacts=[interaction_to_pb(i) for i in context.active_contacts],
        recent_interactions=[interaction_to_pb(i) for i in context.recent_interactions],
        reply_channel=CHANNEL_TO_PB[context.reply_channel]
        if context.reply_channel
        else common_pb2.CHANNEL_UNSPECIFIED,
        pressure=pb.ContactPressure(
            contacts_24h=p.contacts_24h,
            channels_24h=p.channels_24h,
            repeat_contact=p.repeat_contact,
            escalate=p.escalate,
        ),
        evidence=[evidence_to_pb(e) for e in context.evidence],
        candidates=candidates_to_pb(context.ambiguity),
        household=household_name(context.household_id) if context.household_id else "",
    )
    if context.customer is not None:
        message.customer.CopyFrom(customer_to_pb(context.customer))
    if context.ambiguity is not None and context.ambiguity.question is not None:
        message.question.CopyFrom(question_to_pb(context.ambiguity.question))
    return message


def event_to_pb(event: CustomerEvent) -> pb.CustomerEvent:
    message = pb.CustomerEvent(
        kind=EVENT_KIND_TO_PB[event.kind],
        customer=customer_name(event.customer_id),
        event_time=timestamp(event.event_time),
        conversation=conversation_name(event.conversation_id) if event.conversation_id else "",
        related_customers=[customer_name(c) for c in event.related_customer_ids],
    )
    if event.interaction is not None:
        message.interaction.CopyFrom(interaction_to_pb(event.interaction))
    return message
