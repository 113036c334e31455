"""RecordVisit: a store visit lands on the timeline as a CHANNEL_STORE interaction, its identifiers
resolve like any contact's, and every other channel's GetContext sees it."""

from __future__ import annotations

import grpc
import pytest

from singleview.v1 import common_pb2
from singleview.v1 import profile_service_pb2 as pb
from singleview.v1 import timeline_service_pb2 as timeline_pb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from singleview.v1.timeline_service_pb2_grpc import TimelineServiceStub
from tests.support.builders import email, loyalty, phone, record
from tests.support.status import rich_error

STORE, VOICE, CHAT = common_pb2.CHANNEL_STORE, common_pb2.CHANNEL_VOICE, common_pb2.CHANNEL_CHAT


@pytest.fixture
def timeline(channel: grpc.Channel) -> TimelineServiceStub:
    return TimelineServiceStub(channel)


def _visit(
    visit_id: str,
    *identifiers: common_pb2.Identifier,
    customer: str = "",
    ongoing: bool = False,
    outcome: pb.VisitOutcome.ValueType = pb.VISIT_OUTCOME_PURCHASE,
) -> pb.RecordVisitRequest:
    return pb.RecordVisitRequest(
        source="clienteling-eu",
        visit_id=visit_id,
        customer=customer,
        identifiers=list(identifiers),
        visit=pb.StoreVisit(
            store_id="store-042",
            associate_id="assoc-7",
            purpose="fitting for a suit",
            outcome=outcome,
            notes="prefers navy",
            ongoing=ongoing,
        ),
    )


def test_a_visit_is_a_store_interaction_of_the_customer_its_identifiers_resolve_to(
    identity: IdentityServiceStub, profiles: ProfileServiceStub
) -> None:
    known = identity.Resolve(
        record("crm", "1", phone("3125550100"), loyalty("acme", "5745480672"), given_name="Ann")
    ).customer.name

    recorded = profiles.RecordVisit(_visit("v-1", loyalty("acme", "5745 480 672")))

    assert recorded.customer == known
    assert recorded.decision == common_pb2.DECISION_LINKED
    visit = recorded.interaction
    assert visit.name.startswith(f"{known}/interactions/")
    assert (visit.channel, visit.direction) == (STORE, common_pb2.DIRECTION_INBOUND)
    assert (visit.store_id, visit.agent_id) == ("store-042", "assoc-7")
    assert (visit.summary, visit.transcript, visit.outcome) == (
        "fitting for a suit",
        "prefers navy",
        "PURCHASE",
    )
    assert visit.state == timeline_pb.INTERACTION_STATE_CLOSED
    assert visit.handler == timeline_pb.HANDLER_HUMAN
    assert (visit.source, visit.source_event_id) == ("clienteling-eu", "v-1")


def test_a_visit_of_a_stranger_makes_a_new_customer(profiles: ProfileServiceStub) -> None:
    recorded = profiles.RecordVisit(_visit("v-1", email("walk.in@example.com")))

    assert recorded.decision == common_pb2.DECISION_NEW
    customer = profiles.GetCustomer(pb.GetCustomerRequest(name=recorded.customer))
    assert [i.value for i in customer.identifiers] == ["walk.in@example.com"]


def test_a_visit_can_name_the_customer_the_associate_found(
    identity: IdentityServiceStub, profiles: ProfileServiceStub
) -> None:
    known = identity.Resolve(record("crm", "1", phone("3125550100"))).customer.name

    recorded = profiles.RecordVisit(_visit("v-1", customer=known))

    assert recorded.customer == known


def test_a_replayed_visit_is_recorded_once(
    profiles: ProfileServiceStub, timeline: TimelineServiceStub
) -> None:
    first = profiles.RecordVisit(_visit("v-1", phone("3125550100")))
    again = profiles.RecordVisit(_visit("v-1", phone("3125550100")))

    assert again.interaction.name == first.interaction.name
    listed = timeline.ListInteractions(timeline_pb.ListInteractionsRequest(parent=first.customer))
    assert len(listed.interactions) == 1


def test_other_channels_see_the_visit_in_their_context(
    profiles: ProfileServiceStub, timeline: TimelineServiceStub
) -> None:
    recorded = profiles.RecordVisit(_visit("v-1", phone("3125550100"), ongoing=True))

    context = timeline.GetContext(
        timeline_pb.GetContextRequest(identifiers=[phone("+1 312 555 0100")], channel=VOICE)
    )

    assert context.known
    assert context.customer.name == recorded.customer
    assert [i.name for i in context.recent_interactions] == [recorded.interaction.name]
    assert [i.name for i in context.active_contacts] == [recorded.interaction.name]
    assert context.active_contacts[0].store_id == "store-042"
    [conversation] = context.open_conversations
    assert list(conversation.channels) == [STORE]


def test_a_call_after_the_visit_joins_its_conversation(
    profiles: ProfileServiceStub, timeline: TimelineServiceStub
) -> None:
    visit = profiles.RecordVisit(_visit("v-1", phone("3125550100")))

    call = timeline.RecordInteraction(
        timeline_pb.RecordInteractionRequest(
            source="ivr",
            source_event_id="call-1",
            identifiers=[phone("3125550100")],
            interaction=timeline_pb.Interaction(channel=VOICE, summary="about the suit"),
        )
    )

    assert call.customer == visit.customer
    assert call.interaction.conversation_id == visit.interaction.conversation_id


@pytest.mark.parametrize(
    ("request_", "fields"),
    [
        (
            pb.RecordVisitRequest(source="pos", visit=pb.StoreVisit(store_id="s")),
            {"visit_id", "identifiers"},
        ),
        (
            pb.RecordVisitRequest(visit_id="v", identifiers=[phone("3125550100")]),
            {"visit.store_id", "source"},
        ),
        (
            pb.RecordVisitRequest(
                source="pos",
                visit_id="v",
                identifiers=[phone("not a phone")],
                visit=pb.StoreVisit(store_id="s", associate_id="x" * 300),
            ),
            {"identifiers[0].value", "visit.associate_id"},
        ),
        (
            pb.RecordVisitRequest(
                source="pos",
                visit_id="v",
                customer="customers/x",
                visit=pb.StoreVisit(store_id="s", outcome=99),  # type: ignore[arg-type]
            ),
            {"visit.outcome"},
        ),
    ],
)
def test_invalid_visits_name_the_visit_fields(
    profiles: ProfileServiceStub, request_: pb.RecordVisitRequest, fields: set[str]
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        profiles.RecordVisit(request_)

    error = rich_error(caught.value)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert set(error.violations) == fields


def test_a_visit_for_an_unknown_customer_is_not_found(profiles: ProfileServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        profiles.RecordVisit(_visit("v-1", customer="customers/nobody"))

    error = rich_error(caught.value)
    assert (error.code, error.reason) == (grpc.StatusCode.NOT_FOUND, "CUSTOMER_NOT_FOUND")
