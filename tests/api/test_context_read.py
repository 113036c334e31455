"""GetContext reads a customer's timeline, preferences and household in one statement
(store/context.py); it answers exactly what the separate reads (timeline.sql, preferences.sql,
the household's contacts) answer, for a customer with merged-in names, a household whose
contact called on the shared line, live contacts, stated preferences and consents; found by
name or as the first holder of identifiers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import grpc
import psycopg
import pytest

from singleview.domain.identifiers import Identifier, IdentifierKind
from singleview.domain.timeline import Channel, InteractionFilter
from singleview.service.households import household_of
from singleview.store import preferences as preference_store
from singleview.store import timeline as timeline_store
from singleview.store.context import ContextWindows, CustomerTimeline, customer_context_read
from singleview.store.sql import Batch, run
from singleview.v1 import common_pb2
from singleview.v1 import profile_service_pb2 as ppb
from singleview.v1 import timeline_service_pb2 as tpb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from singleview.v1.timeline_service_pb2_grpc import TimelineServiceStub
from tests.support import timeline_builders as tb
from tests.support.builders import address, email, phone, record
from tests.support.status import rich_error

DO_NOT_CONTACT = common_pb2.CONSENT_LEVEL_DO_NOT_CONTACT
HOME = address("7 Birch Ave", postal_code="62702")
LANDLINE = "(217) 555-0150"
MIN_MOBILE = "(217) 555-0200"
KEYS = ("preferred_channel", "reply_channel", "preferred_reply_channel")
CHAT, EMAIL, SMS, VOICE = (
    common_pb2.CHANNEL_CHAT,
    common_pb2.CHANNEL_EMAIL,
    common_pb2.CHANNEL_SMS,
    common_pb2.CHANNEL_VOICE,
)


def _windows(now: datetime) -> ContextWindows:
    return ContextWindows(
        open_since=now - timedelta(hours=72),
        closed_since=now - timedelta(hours=2),
        active_since=now - timedelta(hours=24),
        pressure_since=now - timedelta(hours=24),
        except_channel=Channel.VOICE,
        conversations=10,
        active=20,
        recent=10,
        preference_keys=KEYS,
        history=50,
    )


async def _separately(conninfo: str, customer_id: str, w: ContextWindows) -> CustomerTimeline:
    """The reads GetContext made before they were one statement, as it made them."""
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
        names = await timeline_store.timeline_customers(conn, customer_id)
        ids = [customer_id, *(n for n in names if n != customer_id)]
        household_id, contacts = await household_of(conn, customer_id)
        async with Batch(conn) as batch:
            summaries = batch.add(
                timeline_store.resumable_conversations_read(
                    [*ids, *contacts], w.open_since, w.closed_since, w.conversations
                )
            )
            active = batch.add(
                timeline_store.active_interactions_read(
                    ids, w.active_since, w.except_channel, w.active
                )
            )
            recent = batch.add(
                timeline_store.list_interactions_read(ids, InteractionFilter(), None, w.recent)
            )
            facts = batch.add(
                timeline_store.contact_facts_read(
                    ids, w.pressure_since, w.preference_keys, w.history
                )
            )
            preferences = batch.add(preference_store.preferences_read(ids))
    return CustomerTimeline(
        customer_id,
        household_id,
        summaries.value,
        active.value,
        recent.value,
        facts.value,
        preferences.value,
    )


async def _together(
    conninfo: str, w: ContextWindows, customer_id: str = "", holding: tuple[Identifier, ...] = ()
) -> CustomerTimeline | None:
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
        return await run(conn, customer_context_read(w, customer_id=customer_id, holding=holding))


@pytest.fixture
def profiles(channel: grpc.Channel) -> ProfileServiceStub:
    return ProfileServiceStub(channel)


def _min_of_a_household_with_a_merged_in_name(
    identity: IdentityServiceStub, timeline: TimelineServiceStub, profiles: ProfileServiceStub
) -> str:
    """Min and Joon share a landline; a nameless call on it is the household's contact; Min's
    web sign-up (another customer at first) merges into Min; Min talks on several channels,
    one still live, and states preferences and consents."""
    kims = {
        given: identity.Resolve(
            record(
                "crm",
                f"k{n}",
                phone(LANDLINE),
                phone(f"(217) 555-02{n:02d}"),
                given_name=given,
                family_name="Kim",
                birth_date=f"19{70 + n}-01-0{n + 1}",
                lives_at=HOME,
            )
        ).customer.name
        for n, given in enumerate(("Min", "Joon"))
    }
    timeline.RecordInteraction(tb.record("ivr", "shared", tb.interaction(VOICE), phone(LANDLINE)))
    web = email("min.kim@example.com")
    timeline.RecordInteraction(tb.record("web", "w-1", tb.interaction(EMAIL, minutes_ago=300), web))
    merged = identity.Resolve(record("app", "a-1", phone(MIN_MOBILE), web)).customer.name
    assert merged == kims["Min"]
    mobile = phone(MIN_MOBILE)
    for event, what in (
        ("chat-1", tb.interaction(CHAT, minutes_ago=10, summary="where is my parcel")),
        ("voice-1", tb.interaction(VOICE, minutes_ago=8, state=tpb.INTERACTION_STATE_WAITING)),
        (
            "mail-1",
            tb.interaction(
                EMAIL,
                minutes_ago=30,
                state=tpb.INTERACTION_STATE_CLOSED,
                attributes={"preferred_channel": "EMAIL"},
            ),
        ),
        (
            "sms-1",
            tb.interaction(
                SMS, minutes_ago=5, direction=common_pb2.DIRECTION_OUTBOUND, agent_id="a7"
            ),
        ),
    ):
        timeline.RecordInteraction(tb.record("channels", event, what, mobile))
    profiles.UpdatePreferences(
        ppb.UpdatePreferencesRequest(
            customer=kims["Min"],
            source="store/042",
            preferred_channel=EMAIL,
            consents=[common_pb2.ChannelConsent(channel=SMS, level=DO_NOT_CONTACT)],
        )
    )
    return kims["Min"].removeprefix("customers/")


def test_one_statement_answers_as_the_separate_reads(
    identity: IdentityServiceStub,
    timeline: TimelineServiceStub,
    profiles: ProfileServiceStub,
    clean_database: str,
) -> None:
    min_id = _min_of_a_household_with_a_merged_in_name(identity, timeline, profiles)
    w = _windows(datetime.now(UTC))
    mobile = Identifier(IdentifierKind.PHONE, "", "+12175550200")

    separately = asyncio.run(_separately(clean_database, min_id, w))
    by_name = asyncio.run(_together(clean_database, w, customer_id=min_id))
    by_holder = asyncio.run(_together(clean_database, w, holding=(mobile,)))

    assert by_name == separately
    assert by_holder == separately
    # the scenario exercises every part
    assert separately.household_id
    assert {s.conversation.customer_id for s in separately.conversations} - {min_id}
    assert all(s.conversation.latest is not None for s in separately.conversations)
    assert separately.active and separately.recent and separately.facts.stated
    assert separately.preferences.consents and separately.preferences.preferred_channel


def test_no_live_customer_reads_as_none(clean_database: str) -> None:
    w = _windows(datetime.now(UTC))
    stranger = Identifier(IdentifierKind.PHONE, "", "+12175559999")

    assert asyncio.run(_together(clean_database, w, customer_id="nobody")) is None
    assert asyncio.run(_together(clean_database, w, holding=(stranger,))) is None


def test_when_the_first_holder_is_not_the_answer_the_answers_timeline_is_shown(
    identity: IdentityServiceStub, timeline: TimelineServiceStub
) -> None:
    """The timeline read with the lookup is the first holder's (the lowest id); here the caller
    contradicts that holder, so the answer is the other and its own timeline is read."""
    first = identity.Resolve(
        record("crm", "x", phone("(312) 555-0101"), given_name="Ann", birth_date="1980-01-01")
    ).customer.name
    answer = identity.Resolve(
        record("crm", "y", email("bob@example.com"), given_name="Bob", birth_date="1990-02-02")
    ).customer.name
    assert first < answer
    for who, event in ((first, "about-x"), (answer, "about-y")):
        timeline.RecordInteraction(
            tb.record("crm", event, tb.interaction(CHAT, summary=event), customer=who)
        )

    seen = timeline.GetContext(
        tpb.GetContextRequest(
            identifiers=[phone("(312) 555-0101"), email("bob@example.com")],
            attributes=common_pb2.PersonAttributes(given_name="Bob", birth_date="1990-02-02"),
        )
    )

    assert seen.known and seen.customer.name == answer
    assert [i.summary for i in seen.recent_interactions] == ["about-y"]


def test_a_merged_away_name_answers_with_the_survivors_whole_timeline(
    identity: IdentityServiceStub, timeline: TimelineServiceStub
) -> None:
    older = timeline.RecordInteraction(
        tb.record("ivr", "v", tb.interaction(VOICE, minutes_ago=2), phone("(312) 555-0130"))
    ).customer
    younger = timeline.RecordInteraction(
        tb.record("mail", "m", tb.interaction(EMAIL, minutes_ago=1), email("z@example.com"))
    ).customer
    identity.Resolve(record("crm", "1", phone("(312) 555-0130"), email("z@example.com")))

    by_old, by_young = (
        timeline.GetContext(tpb.GetContextRequest(customer=name)) for name in (older, younger)
    )

    assert by_old == by_young
    assert by_young.customer.name == older and list(by_young.customer.merged_names) == [younger]
    assert [i.source_event_id for i in by_young.recent_interactions] == ["m", "v"]


def test_an_unknown_name_is_not_found(timeline: TimelineServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        timeline.GetContext(tpb.GetContextRequest(customer="customers/nobody"))

    error = rich_error(caught.value)
    assert (error.code, error.reason) == (grpc.StatusCode.NOT_FOUND, "CUSTOMER_NOT_FOUND")
