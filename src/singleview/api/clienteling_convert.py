"""Clienteling messages to domain values and back: search, card, preferences, visits."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp

from singleview.api.convert import (
    DECISION_TO_PB,
    customer_to_pb,
    identifier_to_pb,
    raw_identifiers,
    timestamp,
    timestamp_to_datetime,
)
from singleview.api.timeline_convert import (
    CHANNEL_FROM_PB,
    CHANNEL_TO_PB,
    DIRECTION_TO_PB,
    enum_from_pb,
    interaction_to_pb,
)
from singleview.domain.clienteling import (
    ConsentDraft,
    ConsentLevel,
    CustomerCard,
    Preferences,
    PreferencesUpdate,
    RecordedVisit,
    RecordVisitInput,
    SearchPage,
    StoreVisit,
    VisitOutcome,
)
from singleview.domain.timeline import Interaction
from singleview.service.names import customer_name
from singleview.service.timeline_validation import interaction_name
from singleview.v1 import common_pb2
from singleview.v1 import profile_service_pb2 as pb

CONSENT_FROM_PB: dict[common_pb2.ConsentLevel.ValueType, ConsentLevel] = {
    common_pb2.CONSENT_LEVEL_MARKETING: ConsentLevel.MARKETING,
    common_pb2.CONSENT_LEVEL_SERVICE: ConsentLevel.SERVICE,
    common_pb2.CONSENT_LEVEL_DO_NOT_CONTACT: ConsentLevel.DO_NOT_CONTACT,
}
CONSENT_TO_PB = {level: value for value, level in CONSENT_FROM_PB.items()}
OUTCOME_FROM_PB: dict[pb.VisitOutcome.ValueType, VisitOutcome] = {
    pb.VISIT_OUTCOME_PURCHASE: VisitOutcome.PURCHASE,
    pb.VISIT_OUTCOME_NO_PURCHASE: VisitOutcome.NO_PURCHASE,
    pb.VISIT_OUTCOME_RETURN: VisitOutcome.RETURN,
    pb.VISIT_OUTCOME_EXCHANGE: VisitOutcome.EXCHANGE,
    pb.VISIT_OUTCOME_APPOINTMENT_BOOKED: VisitOutcome.APPOINTMENT_BOOKED,
    pb.VISIT_OUTCOME_SERVICE_COMPLETED: VisitOutcome.SERVICE_COMPLETED,
    pb.VISIT_OUTCOME_FOLLOW_UP_NEEDED: VisitOutcome.FOLLOW_UP_NEEDED,
}
VIEWS = (pb.CUSTOMER_VIEW_UNSPECIFIED, pb.CUSTOMER_VIEW_BASIC, pb.CUSTOMER_VIEW_CARD)


def _time(value: datetime | None) -> Timestamp | None:
    return timestamp(value) if value is not None else None


def _optional_time(message: Timestamp, present: bool, path: str) -> datetime | None:
    return timestamp_to_datetime(message, path) if present else None


def search_response(page: SearchPage) -> pb.SearchCustomersResponse:
    return pb.SearchCustomersResponse(
        matches=[
            pb.CustomerMatch(
                customer=customer_to_pb(m.customer), score=m.score, reasons=list(m.reasons)
            )
            for m in page.matches
        ],
        next_page_token=page.next_page_token,
    )


def preferences_to_pb(preferences: Preferences) -> common_pb2.Preferences:
    channel = preferences.preferred_channel
    return common_pb2.Preferences(
        preferred_channel=CHANNEL_TO_PB[channel] if channel else common_pb2.CHANNEL_UNSPECIFIED,
        preferred_channel_time=_time(preferences.preferred_channel_time),
        preferred_channel_source=preferences.preferred_channel_source,
        consents=[
            common_pb2.ChannelConsent(
                channel=CHANNEL_TO_PB[c.channel],
                level=CONSENT_TO_PB[c.level],
                given_time=timestamp(c.given_time),
                source=c.source,
            )
            for c in preferences.consents
        ],
        update_time=_time(preferences.update_time),
    )


def activity_to_pb(interaction: Interaction) -> common_pb2.CardActivity:
    return common_pb2.CardActivity(
        interaction=interaction_name(interaction.customer_id, interaction.id),
        channel=CHANNEL_TO_PB[interaction.channel],
        direction=DIRECTION_TO_PB[interaction.direction],
        occur_time=timestamp(interaction.occur_time),
        summary=interaction.summary,
        outcome=interaction.outcome,
        store_id=interaction.store_id,
        agent_id=interaction.agent_id,
        active=interaction.state.is_active,
    )


def customer_card_to_pb(found: CustomerCard) -> common_pb2.Customer:
    message = customer_to_pb(found.customer)
    card = found.card
    message.card.CopyFrom(
        common_pb2.CustomerCard(
            preferences=preferences_to_pb(card.preferences),
            loyalty_ids=[identifier_to_pb(i) for i in card.loyalty_ids],
            recent_purchases=[activity_to_pb(i) for i in card.recent_purchases],
            store_visits=[activity_to_pb(i) for i in card.store_visits],
            latest_contacts=[activity_to_pb(i) for i in card.latest_contacts],
            masked=card.masked,
        )
    )
    return message


def preferences_update(request: pb.UpdatePreferencesRequest, actor: str) -> PreferencesUpdate:
    consents = tuple(
        ConsentDraft(
            channel=enum_from_pb(c.channel, CHANNEL_FROM_PB, f"consents[{n}].channel"),
            level=enum_from_pb(c.level, CONSENT_FROM_PB, f"consents[{n}].level"),
            given_time=_optional_time(
                c.given_time, c.HasField("given_time"), f"consents[{n}].given_time"
            ),
            source=c.source,
        )
        for n, c in enumerate(request.consents)
    )
    return PreferencesUpdate(
        customer=request.customer,
        preferred_channel=enum_from_pb(
            request.preferred_channel, CHANNEL_FROM_PB, "preferred_channel"
        ),
        consents=consents,
        source=request.source,
        given_time=_optional_time(request.given_time, request.HasField("given_time"), "given_time"),
        paths=tuple(request.update_mask.paths),
        request_id=request.request_id,
        actor=actor,
    )


def visit_input(request: pb.RecordVisitRequest) -> RecordVisitInput:
    visit = request.visit
    return RecordVisitInput(
        source=request.source,
        visit_id=request.visit_id,
        customer=request.customer,
        identifiers=raw_identifiers(request.identifiers),
        visit=StoreVisit(
            store_id=visit.store_id,
            associate_id=visit.associate_id,
            purpose=visit.purpose,
            outcome=enum_from_pb(visit.outcome, OUTCOME_FROM_PB, "visit.outcome"),
            notes=visit.notes,
            visit_time=_optional_time(
                visit.visit_time, visit.HasField("visit_time"), "visit.visit_time"
            ),
            ongoing=visit.ongoing,
        ),
    )


def visit_response(recorded: RecordedVisit) -> pb.RecordVisitResponse:
    return pb.RecordVisitResponse(
        interaction=interaction_to_pb(recorded.interaction),
        customer=customer_name(recorded.customer_id),
        decision=DECISION_TO_PB[recorded.decision],
    )
