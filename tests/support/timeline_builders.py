"""Timeline test support: short request builders for interactions and updates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.timestamp_pb2 import Timestamp

from singleview.v1 import (
    common_pb2,
)
from singleview.v1 import timeline_service_pb2 as pb


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
