"""TimelineService through the gRPC API: record, list, update, context; errors by reason."""

from __future__ import annotations

import grpc
import psycopg
import pytest

from singleview.v1 import common_pb2
from singleview.v1 import timeline_service_pb2 as pb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.timeline_service_pb2_grpc import TimelineServiceStub
from tests.support.builders import email, phone
from tests.support.builders import record as resolve_record
from tests.support.status import rich_error
from tests.support.timeline_builders import at, interaction, record, update

VOICE, CHAT, EMAIL, SMS = (
    common_pb2.CHANNEL_VOICE,
    common_pb2.CHANNEL_CHAT,
    common_pb2.CHANNEL_EMAIL,
    common_pb2.CHANNEL_SMS,
)
OPEN, WAITING, CLOSED, DROPPED = (
    pb.INTERACTION_STATE_OPEN,
    pb.INTERACTION_STATE_WAITING,
    pb.INTERACTION_STATE_CLOSED,
    pb.INTERACTION_STATE_DROPPED,
)


@pytest.fixture
def resolver(identity: IdentityServiceStub) -> IdentityServiceStub:
    return identity


def _row_counts(conninfo: str) -> dict[str, int]:
    tables = ("customer", "source_record", "interaction", "conversation", "audit_event")
    with psycopg.connect(conninfo) as conn:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t}".encode()).fetchone()[0]  # type: ignore[index]
            for t in tables
        }


def _list(timeline: TimelineServiceStub, **kwargs: object) -> list[pb.Interaction]:
    return list(timeline.ListInteractions(pb.ListInteractionsRequest(**kwargs)).interactions)  # type: ignore[arg-type]


# RecordInteraction


def test_an_unknown_contact_becomes_a_customer_found_again_by_resolve(
    timeline: TimelineServiceStub, resolver: IdentityServiceStub
) -> None:
    recorded = timeline.RecordInteraction(
        record("ivr", "call-1", interaction(VOICE), phone("(312) 555-0100"))
    )

    assert recorded.decision == common_pb2.DECISION_NEW
    assert recorded.interaction.name.startswith(recorded.customer + "/interactions/")
    assert recorded.interaction.conversation_id.startswith("conversations/")
    assert recorded.interaction.state == OPEN
    assert recorded.interaction.direction == common_pb2.DIRECTION_INBOUND
    later = resolver.Resolve(resolve_record("crm", "c1", phone("+1 312 555 0100")))
    assert later.customer.name == recorded.customer


def test_record_interaction_is_idempotent_on_source_and_event_id(
    timeline: TimelineServiceStub, database_url: str
) -> None:
    request = record("chat", "ev-1", interaction(CHAT, summary="hello"), email("a@example.com"))
    first = timeline.RecordInteraction(request)
    counts = _row_counts(database_url)

    request.interaction.summary = "a different retry"
    again = timeline.RecordInteraction(request)

    assert again.interaction == first.interaction
    assert again.customer == first.customer
    assert again.decision == first.decision
    assert _row_counts(database_url) == counts


def test_unknown_customer_is_not_found(timeline: TimelineServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        timeline.RecordInteraction(
            record("crm", "x", interaction(EMAIL), customer="customers/nobody")
        )

    error = rich_error(caught.value)
    assert error.code == grpc.StatusCode.NOT_FOUND
    assert error.reason == "CUSTOMER_NOT_FOUND"


def test_record_interaction_reports_every_bad_field(timeline: TimelineServiceStub) -> None:
    bad = pb.RecordInteractionRequest(
        source="",
        source_event_id="e" * 300,
        identifiers=[phone("not a phone")],
        interaction=pb.Interaction(
            conversation_id="conversations/has spaces", occur_time=at(-3 * 24 * 60)
        ),
    )

    with pytest.raises(grpc.RpcError) as caught:
        timeline.RecordInteraction(bad)

    error = rich_error(caught.value)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert {
        "source",
        "source_event_id",
        "identifiers[0].value",
        "interaction.channel",
        "interaction.occur_time",
        "interaction.conversation_id",
    } <= set(error.violations)


def test_neither_customer_nor_identifiers_is_invalid(timeline: TimelineServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        timeline.RecordInteraction(record("crm", "x", interaction(EMAIL)))

    error = rich_error(caught.value)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert "identifiers" in error.violations


def test_a_named_conversation_is_continued_and_refused_to_another_customer(
    timeline: TimelineServiceStub,
) -> None:
    ann = timeline.RecordInteraction(
        record("app", "a1", interaction(CHAT, conversation_id="booking-7"), phone("3125550100"))
    )
    again = timeline.RecordInteraction(
        record(
            "sms",
            "s1",
            interaction(SMS, conversation_id="conversations/booking-7"),
            phone("3125550100"),
        )
    )
    assert ann.interaction.conversation_id == "conversations/booking-7"
    assert again.interaction.conversation_id == "conversations/booking-7"

    with pytest.raises(grpc.RpcError) as caught:
        timeline.RecordInteraction(
            record("app", "b1", interaction(CHAT, conversation_id="booking-7"), phone("3125550199"))
        )

    error = rich_error(caught.value)
    assert error.code == grpc.StatusCode.FAILED_PRECONDITION
    assert error.reason == "CONVERSATION_OF_ANOTHER_CUSTOMER"


def test_a_refused_interaction_of_an_unknown_contact_leaves_nothing_behind(
    timeline: TimelineServiceStub, database_url: str
) -> None:
    """The contact's record is resolved in the interaction's transaction: refused together."""
    timeline.RecordInteraction(
        record("app", "a1", interaction(CHAT, conversation_id="booking-7"), phone("3125550100"))
    )
    counts = _row_counts(database_url)

    with pytest.raises(grpc.RpcError) as caught:
        timeline.RecordInteraction(
            record("app", "b1", interaction(CHAT, conversation_id="booking-7"), phone("3125550199"))
        )

    assert rich_error(caught.value).reason == "CONVERSATION_OF_ANOTHER_CUSTOMER"
    assert _row_counts(database_url) == counts


def test_contacts_join_the_open_conversation_and_old_ones_do_not(
    timeline: TimelineServiceStub,
) -> None:
    old = timeline.RecordInteraction(
        record("mail", "m0", interaction(EMAIL, minutes_ago=5 * 24 * 60), phone("3125550100"))
    )
    first = timeline.RecordInteraction(
        record("ivr", "v1", interaction(VOICE, minutes_ago=30), phone("3125550100"))
    )
    second = timeline.RecordInteraction(
        record("mail", "m1", interaction(EMAIL, minutes_ago=10), phone("3125550100"))
    )

    assert second.interaction.conversation_id == first.interaction.conversation_id
    assert old.interaction.conversation_id != first.interaction.conversation_id


# ListInteractions


def _timeline_of_four(timeline: TimelineServiceStub) -> str:
    made = [
        timeline.RecordInteraction(
            record(
                "src",
                f"e{n}",
                interaction(channel, minutes_ago=minutes, state=state),
                phone("3125550100"),
            )
        )
        for n, (channel, minutes, state) in enumerate(
            [(VOICE, 40, CLOSED), (EMAIL, 30, OPEN), (CHAT, 20, CLOSED), (SMS, 10, WAITING)]
        )
    ]
    return made[0].customer


def test_list_is_newest_first_and_pages_without_gaps(timeline: TimelineServiceStub) -> None:
    customer = _timeline_of_four(timeline)

    seen: list[pb.Interaction] = []
    token = ""
    while True:
        page = timeline.ListInteractions(
            pb.ListInteractionsRequest(parent=customer, page_size=3, page_token=token)
        )
        assert len(page.interactions) <= 3
        seen.extend(page.interactions)
        token = page.next_page_token
        if not token:
            break

    assert [i.source_event_id for i in seen] == ["e3", "e2", "e1", "e0"]


def test_list_filters_by_channel_state_time_and_conversation(
    timeline: TimelineServiceStub,
) -> None:
    customer = _timeline_of_four(timeline)

    by_channel = _list(timeline, parent=customer, channels=[VOICE, SMS])
    by_state = _list(timeline, parent=customer, states=[CLOSED])
    by_time = _list(timeline, parent=customer, start_time=at(35), end_time=at(15))
    conversation = by_channel[0].conversation_id
    by_conversation = _list(timeline, parent=customer, conversation_id=conversation)

    assert [i.source_event_id for i in by_channel] == ["e3", "e0"]
    assert [i.source_event_id for i in by_state] == ["e2", "e0"]
    assert [i.source_event_id for i in by_time] == ["e2", "e1"]
    assert len(by_conversation) == 4


def test_list_errors(timeline: TimelineServiceStub) -> None:
    cases = [
        (pb.ListInteractionsRequest(parent="people/1"), grpc.StatusCode.INVALID_ARGUMENT),
        (
            pb.ListInteractionsRequest(parent="customers/x", page_token="junk"),
            grpc.StatusCode.INVALID_ARGUMENT,
        ),
        (pb.ListInteractionsRequest(parent="customers/nobody"), grpc.StatusCode.NOT_FOUND),
    ]
    for request, code in cases:
        with pytest.raises(grpc.RpcError) as caught:
            timeline.ListInteractions(request)
        assert rich_error(caught.value).code == code


# UpdateInteraction


def test_closing_the_last_open_interaction_closes_the_conversation(
    timeline: TimelineServiceStub, database_url: str
) -> None:
    chat = timeline.RecordInteraction(
        record("chat", "c1", interaction(CHAT, minutes_ago=5), phone("3125550100"))
    ).interaction
    call = timeline.RecordInteraction(
        record("ivr", "v1", interaction(VOICE, minutes_ago=4), phone("3125550100"))
    ).interaction
    customer = chat.name.split("/interactions/")[0]

    timeline.UpdateInteraction(update(chat.name, "state", state=CLOSED))
    still_open = timeline.GetContext(pb.GetContextRequest(customer=customer))
    dropped = timeline.UpdateInteraction(update(call.name, "state", state=DROPPED))
    after_drop = timeline.GetContext(pb.GetContextRequest(customer=customer))
    timeline.UpdateInteraction(update(call.name, "state", "outcome", state=CLOSED, outcome="ok"))

    assert dropped.state == DROPPED
    assert [c.name for c in still_open.open_conversations] == [chat.conversation_id]
    assert [c.name for c in after_drop.open_conversations] == [chat.conversation_id]
    with psycopg.connect(database_url) as conn:
        state = conn.execute("SELECT state FROM conversation").fetchall()
        actions = conn.execute("SELECT action FROM audit_event").fetchall()
    assert state == [("CLOSED",)]
    assert actions == [("INTERACTION_UPDATED",)] * 3


def test_update_is_idempotent_and_applies_only_the_mask(
    timeline: TimelineServiceStub, database_url: str
) -> None:
    made = timeline.RecordInteraction(
        record("chat", "c1", interaction(CHAT, summary="asks about parcel"), phone("3125550100"))
    ).interaction
    change = update(
        made.name,
        "transcript",
        "attributes.step",
        transcript="bot: where is it?\nuser: no idea",
        summary="ignored",
        attributes={"step": "tracking"},
    )

    first = timeline.UpdateInteraction(change)
    second = timeline.UpdateInteraction(change)

    assert first == second
    assert first.summary == "asks about parcel"
    assert first.transcript == "bot: where is it?\nuser: no idea"
    assert dict(first.attributes) == {"step": "tracking"}
    assert _row_counts(database_url)["audit_event"] == 1


def test_update_errors(timeline: TimelineServiceStub) -> None:
    made = timeline.RecordInteraction(
        record("chat", "c1", interaction(CHAT), phone("3125550100"))
    ).interaction
    missing = made.name.rsplit("/", 1)[0] + "/nothere"

    with pytest.raises(grpc.RpcError) as unknown:
        timeline.UpdateInteraction(update(missing, "state", state=CLOSED))
    with pytest.raises(grpc.RpcError) as bad_path:
        timeline.UpdateInteraction(update(made.name, "channel", channel=EMAIL))
    with pytest.raises(grpc.RpcError) as bad_name:
        timeline.UpdateInteraction(update("interactions/1", "state", state=CLOSED))

    assert rich_error(unknown.value).reason == "INTERACTION_NOT_FOUND"
    assert rich_error(unknown.value).code == grpc.StatusCode.NOT_FOUND
    assert "update_mask" in rich_error(bad_path.value).violations
    assert "name" in rich_error(bad_name.value).violations


# GetContext


def test_context_of_an_unknown_caller_is_unknown_and_writes_nothing(
    timeline: TimelineServiceStub, database_url: str
) -> None:
    timeline.RecordInteraction(record("ivr", "v", interaction(VOICE), phone("3125550100")))
    counts = _row_counts(database_url)

    context = timeline.GetContext(
        pb.GetContextRequest(identifiers=[phone("3125550177")], channel=CHAT)
    )

    assert not context.known
    assert context.decision == common_pb2.DECISION_NEW
    assert not context.HasField("customer")
    assert not context.recent_interactions
    assert _row_counts(database_url) == counts


def test_context_of_a_known_caller_writes_nothing(
    timeline: TimelineServiceStub, database_url: str
) -> None:
    timeline.RecordInteraction(record("ivr", "v", interaction(VOICE), phone("3125550100")))
    counts = _row_counts(database_url)

    context = timeline.GetContext(pb.GetContextRequest(identifiers=[phone("312 555 0100")]))

    assert context.known
    assert context.decision == common_pb2.DECISION_LINKED
    assert [i.channel for i in context.recent_interactions] == [VOICE]
    assert _row_counts(database_url) == counts


def test_context_needs_someone_to_look_for(timeline: TimelineServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        timeline.GetContext(pb.GetContextRequest(channel=VOICE))

    assert rich_error(caught.value).code == grpc.StatusCode.INVALID_ARGUMENT


def test_recent_interactions_are_bounded(timeline: TimelineServiceStub) -> None:
    for n in range(12):
        timeline.RecordInteraction(
            record(
                "web",
                f"w{n}",
                interaction(common_pb2.CHANNEL_WEB, minutes_ago=60 - n, state=CLOSED),
                phone("3125550100"),
            )
        )

    context = timeline.GetContext(pb.GetContextRequest(identifiers=[phone("3125550100")]))

    assert [i.source_event_id for i in context.recent_interactions] == [
        f"w{n}" for n in range(11, 1, -1)
    ]
