"""The issue's five omnichannel scenarios, each told through the gRPC API as channels live it."""

from __future__ import annotations

import pytest

from singleview.v1 import common_pb2
from singleview.v1 import timeline_service_pb2 as pb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.timeline_service_pb2_grpc import TimelineServiceStub
from tests.support.builders import device, email, phone, social
from tests.support.builders import record as crm_record
from tests.support.timeline_builders import interaction, record, update

VOICE, CHAT, EMAIL, SMS, SOCIAL, APP, WEB = (
    common_pb2.CHANNEL_VOICE,
    common_pb2.CHANNEL_CHAT,
    common_pb2.CHANNEL_EMAIL,
    common_pb2.CHANNEL_SMS,
    common_pb2.CHANNEL_SOCIAL,
    common_pb2.CHANNEL_APP,
    common_pb2.CHANNEL_WEB,
)
OUTBOUND = common_pb2.DIRECTION_OUTBOUND


@pytest.fixture
def crm(identity: IdentityServiceStub) -> IdentityServiceStub:
    return identity


def test_a_bot_that_gives_up_hands_the_whole_story_to_the_voice_agent(
    timeline: TimelineServiceStub,
) -> None:
    ann = phone("+1 312 555 0140")
    chat = timeline.RecordInteraction(
        record(
            "chatbot",
            "chat-981",
            interaction(
                CHAT,
                minutes_ago=6,
                handler=pb.HANDLER_BOT,
                summary="wants to change the delivery address",
            ),
            ann,
        )
    ).interaction
    transcript = "user: change address to 12 Elm St\nbot: I cannot verify you, calling you"
    timeline.UpdateInteraction(
        update(
            chat.name,
            "state",
            "transcript",
            "outcome",
            state=pb.INTERACTION_STATE_CLOSED,
            transcript=transcript,
            outcome="handed over to a human",
        )
    )

    context = timeline.GetContext(pb.GetContextRequest(identifiers=[ann], channel=VOICE))
    call = timeline.RecordInteraction(
        record(
            "contact-center",
            "call-5521",
            interaction(VOICE, handler=pb.HANDLER_HUMAN, agent_id="agent-17"),
            ann,
        )
    ).interaction

    assert context.known
    [conversation] = context.open_conversations
    assert conversation.name == chat.conversation_id
    assert conversation.latest.handler == pb.HANDLER_BOT
    assert conversation.latest.transcript == transcript
    assert conversation.latest.outcome == "handed over to a human"
    assert call.conversation_id == chat.conversation_id


def test_on_hold_emailing_and_posting_about_one_parcel_is_one_escalated_conversation(
    timeline: TimelineServiceStub, crm: IdentityServiceStub
) -> None:
    handle = social("twitter", "@bo_parcels")
    crm.Resolve(crm_record("crm", "bo", phone("3125550150"), email("bo@example.com"), handle))
    contacts = {
        VOICE: (phone("3125550150"), pb.INTERACTION_STATE_WAITING, "on hold: parcel 1Z999"),
        EMAIL: (email("bo@example.com"), pb.INTERACTION_STATE_OPEN, "where is parcel 1Z999?"),
        SOCIAL: (handle, pb.INTERACTION_STATE_OPEN, "@acme still no parcel 1Z999"),
    }
    for n, (channel, (identifier, state, summary)) in enumerate(contacts.items()):
        timeline.RecordInteraction(
            record(
                f"channel-{channel}",
                f"ev-{n}",
                interaction(channel, minutes_ago=6 - 2 * n, state=state, summary=summary),
                identifier,
            )
        )

    for channel, (identifier, _, _) in contacts.items():
        context = timeline.GetContext(
            pb.GetContextRequest(identifiers=[identifier], channel=channel)
        )
        others = sorted(c for c in contacts if c != channel)
        assert sorted(i.channel for i in context.active_contacts) == others
        [conversation] = context.open_conversations
        assert list(conversation.channels) == [VOICE, EMAIL, SOCIAL]
        assert context.pressure.contacts_24h == 3
        assert context.pressure.channels_24h == 3
        assert context.pressure.repeat_contact
        assert context.pressure.escalate


def test_a_dropped_self_service_call_shows_where_it_stopped_when_they_call_back(
    timeline: TimelineServiceStub,
) -> None:
    caller = phone("3125550160")
    ivr = timeline.RecordInteraction(
        record(
            "ivr",
            "ivr-77",
            interaction(
                VOICE,
                minutes_ago=5,
                handler=pb.HANDLER_SELF_SERVICE,
                summary="card replacement",
                attributes={"ivr_step": "confirm_address"},
            ),
            caller,
        )
    ).interaction
    timeline.UpdateInteraction(
        update(
            ivr.name,
            "state",
            "outcome",
            state=pb.INTERACTION_STATE_DROPPED,
            outcome="line dropped while confirming the address",
        )
    )

    context = timeline.GetContext(pb.GetContextRequest(identifiers=[caller], channel=VOICE))

    latest = context.recent_interactions[0]
    assert latest.name == ivr.name
    assert latest.state == pb.INTERACTION_STATE_DROPPED
    assert latest.attributes["ivr_step"] == "confirm_address"
    assert latest.outcome == "line dropped while confirming the address"
    [conversation] = context.open_conversations
    assert conversation.latest.name == ivr.name
    assert not context.active_contacts


def test_a_savings_application_across_web_email_and_phone_replies_by_email_as_chosen(
    timeline: TimelineServiceStub,
) -> None:
    mail, mobile = email("cy@example.com"), phone("3125550170")
    steps = [
        (
            "web-forms",
            WEB,
            common_pb2.DIRECTION_INBOUND,
            [mail, mobile],
            {"preferred_channel": "CHANNEL_EMAIL", "product": "savings"},
            "application submitted",
        ),
        ("mailer", EMAIL, OUTBOUND, [mail], {}, "asked for proof of address"),
        ("mail-in", EMAIL, common_pb2.DIRECTION_INBOUND, [mail], {}, "sent proof of address"),
        ("contact-center", VOICE, common_pb2.DIRECTION_INBOUND, [mobile], {}, "identity check"),
    ]
    for n, (source, channel, direction, identifiers, attributes, summary) in enumerate(steps):
        timeline.RecordInteraction(
            record(
                source,
                f"app-{n}",
                interaction(
                    channel,
                    minutes_ago=40 - 10 * n,
                    direction=direction,
                    attributes=attributes,
                    summary=summary,
                ),
                *identifiers,
            )
        )

    context = timeline.GetContext(pb.GetContextRequest(identifiers=[mobile], channel=VOICE))

    assert [i.summary for i in context.recent_interactions] == [s[-1] for s in reversed(steps)]
    [conversation] = context.open_conversations
    assert list(conversation.channels) == [WEB, EMAIL, VOICE]
    assert conversation.interaction_count == 4
    assert context.reply_channel == EMAIL


def test_an_appointment_booked_in_the_app_confirmed_by_sms_and_moved_by_phone_is_one_story(
    timeline: TimelineServiceStub, crm: IdentityServiceStub
) -> None:
    dee = crm.Resolve(
        crm_record(
            "crm",
            "dee",
            phone("3125550180"),
            device("idfa", "6D92078A-8246-4BA4-AE5B-76104861E7DC"),
        )
    ).customer.name
    booked = timeline.RecordInteraction(
        record(
            "mobile-app",
            "booking-1",
            interaction(
                APP,
                minutes_ago=30,
                conversation_id="appointment-42",
                summary="booked Tue 10:00",
                state=pb.INTERACTION_STATE_CLOSED,
            ),
            device("idfa", "6D92078A-8246-4BA4-AE5B-76104861E7DC"),
        )
    )
    confirmed = timeline.RecordInteraction(
        record(
            "sms-gateway",
            "sms-1",
            interaction(
                SMS,
                minutes_ago=29,
                direction=OUTBOUND,
                summary="confirmed Tue 10:00",
                conversation_id="conversations/appointment-42",
                state=pb.INTERACTION_STATE_CLOSED,
            ),
            customer=dee,
        )
    )
    moved = timeline.RecordInteraction(
        record(
            "ivr",
            "call-9",
            interaction(VOICE, minutes_ago=5, summary="moved to Wed 15:00"),
            phone("(312) 555-0180"),
        )
    )

    listed = timeline.ListInteractions(pb.ListInteractionsRequest(parent=dee)).interactions

    assert {booked.customer, confirmed.customer, moved.customer} == {dee}
    assert [(i.source, i.summary) for i in listed] == [
        ("ivr", "moved to Wed 15:00"),
        ("sms-gateway", "confirmed Tue 10:00"),
        ("mobile-app", "booked Tue 10:00"),
    ]
    assert {i.conversation_id for i in listed} == {"conversations/appointment-42"}
