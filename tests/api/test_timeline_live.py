"""WatchCustomer across servers, and timelines following merges and splits."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import grpc
import psycopg
import pytest

from singleview.domain.records import Decision
from singleview.domain.timeline import CustomerEvent, CustomerEventKind
from singleview.service.events import Subscription
from singleview.store import resolution
from singleview.store import timeline as timeline_store
from singleview.store.database import Connection
from singleview.v1 import common_pb2
from singleview.v1 import timeline_service_pb2 as pb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.timeline_service_pb2_grpc import TimelineServiceStub
from tests.support.builders import email, phone
from tests.support.builders import record as resolve_record
from tests.support.server import ServerThread
from tests.support.timeline_builders import (
    interaction,
    record,
    update,
)

VOICE, EMAIL = common_pb2.CHANNEL_VOICE, common_pb2.CHANNEL_EMAIL
WATCH_DEADLINE = 60.0
"""Only a guard against a hung test; nothing is asserted about how fast events arrive."""


@pytest.fixture(scope="module")
def other_target(database_url: str) -> Iterator[str]:
    """A second server on the same database: its own pool, event listener and watchers."""
    other = ServerThread(database_url).start()
    yield other.target
    other.stop()


@pytest.fixture
def resolver(identity: IdentityServiceStub) -> IdentityServiceStub:
    return identity


@pytest.fixture
def other(other_target: str, clean_database: str) -> Iterator[TimelineServiceStub]:
    with grpc.insecure_channel(other_target) as ch:
        yield TimelineServiceStub(ch)


@contextmanager
def _watching(stub: TimelineServiceStub, name: str) -> Iterator[Iterator[pb.CustomerEvent]]:
    """The events of a watch whose headers arrived, i.e. that the server has subscribed."""
    call = stub.WatchCustomer(pb.WatchCustomerRequest(name=name), timeout=WATCH_DEADLINE)
    call.initial_metadata()
    try:
        yield iter(call)
    finally:
        call.cancel()  # type: ignore[no-untyped-call]


def _next(events: Iterator[pb.CustomerEvent], count: int) -> list[pb.CustomerEvent]:
    return [next(events) for _ in range(count)]


def _next_not_about(
    events: Iterator[pb.CustomerEvent], count: int, earlier: pb.Interaction
) -> list[pb.CustomerEvent]:
    """The next events, passing over those of a write committed just before the watch began.

    Delivery is at least once: a notification of a write committed an instant before the
    watcher subscribed may still reach it, so a test cannot count on seeing none of them.
    """
    seen: list[pb.CustomerEvent] = []
    while len(seen) < count:
        event = next(events)
        if event.interaction.name == earlier.name or (
            event.kind == pb.CUSTOMER_EVENT_KIND_CONVERSATION_OPENED
            and event.conversation == earlier.conversation_id
        ):
            continue
        seen.append(event)
    return seen


def _run(conninfo: str, work: Callable[[Connection], Awaitable[None]]) -> None:
    async def main() -> None:
        conn = await psycopg.AsyncConnection.connect(conninfo)
        async with conn, conn.transaction():
            await work(conn)

    asyncio.run(main())


def test_a_watcher_on_one_server_sees_what_another_server_writes(
    timeline: TimelineServiceStub, other: TimelineServiceStub
) -> None:
    first = timeline.RecordInteraction(
        record(
            "ivr", "v1", interaction(VOICE, state=pb.INTERACTION_STATE_CLOSED), phone("3125550100")
        )
    )
    with _watching(timeline, first.customer) as watched:
        mail = other.RecordInteraction(
            record("mail", "m1", interaction(EMAIL), phone("3125550100"))
        ).interaction
        other.UpdateInteraction(update(mail.name, "state", state=pb.INTERACTION_STATE_CLOSED))
        events = _next_not_about(watched, 3, first.interaction)

    assert [e.kind for e in events] == [
        pb.CUSTOMER_EVENT_KIND_INTERACTION_RECORDED,
        pb.CUSTOMER_EVENT_KIND_INTERACTION_UPDATED,
        pb.CUSTOMER_EVENT_KIND_CONVERSATION_CLOSED,
    ]
    assert {e.customer for e in events} == {first.customer}
    assert events[0].interaction.name == mail.name
    assert events[1].interaction.state == pb.INTERACTION_STATE_CLOSED
    assert events[2].conversation == mail.conversation_id


def test_watching_an_unknown_customer_is_not_found(timeline: TimelineServiceStub) -> None:
    call = timeline.WatchCustomer(pb.WatchCustomerRequest(name="customers/nobody"))
    with pytest.raises(grpc.RpcError) as caught:
        next(iter(call))
    assert isinstance(caught.value, grpc.Call)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


def test_interactions_and_watchers_follow_a_merge(
    timeline: TimelineServiceStub, other: TimelineServiceStub, database_url: str
) -> None:
    a = timeline.RecordInteraction(record("ivr", "v", interaction(VOICE), phone("3125550100")))
    b = timeline.RecordInteraction(record("mail", "m", interaction(EMAIL), email("z@example.com")))
    survivor, loser = a.customer.split("/")[1], b.customer.split("/")[1]

    async def merge(conn: Connection) -> None:
        await resolution.merge_customers(conn, survivor, [loser])
        await timeline_store.follow_merge(conn, survivor, [loser])

    with _watching(timeline, b.customer) as watched:
        _run(database_url, merge)
        other.RecordInteraction(
            record("sms", "s", interaction(common_pb2.CHANNEL_SMS), customer=a.customer)
        )
        merged, recorded = _next_not_about(watched, 2, b.interaction)

    assert merged.kind == pb.CUSTOMER_EVENT_KIND_CUSTOMER_MERGED
    assert (merged.customer, list(merged.related_customers)) == (a.customer, [b.customer])
    assert recorded.kind == pb.CUSTOMER_EVENT_KIND_INTERACTION_RECORDED
    assert recorded.customer == a.customer
    with psycopg.connect(database_url) as conn:
        owners = conn.execute("SELECT DISTINCT customer_id FROM interaction").fetchall()
        conversations = conn.execute("SELECT DISTINCT customer_id FROM conversation").fetchall()
    assert owners == conversations == [(survivor,)]


def test_a_known_customer_is_named_directly_and_merged_names_follow(
    timeline: TimelineServiceStub, resolver: IdentityServiceStub
) -> None:
    older = resolver.Resolve(resolve_record("crm", "1", phone("3125550100"))).customer.name
    younger = resolver.Resolve(resolve_record("web", "2", email("z@example.com"))).customer.name
    resolver.Resolve(resolve_record("pos", "3", phone("3125550100"), email("z@example.com")))

    recorded = timeline.RecordInteraction(
        record("crm", "note-1", interaction(EMAIL), customer=younger)
    )

    assert recorded.customer == older
    assert recorded.decision == common_pb2.DECISION_LINKED


def test_list_spans_customers_merged_together(
    timeline: TimelineServiceStub, resolver: IdentityServiceStub
) -> None:
    a = timeline.RecordInteraction(
        record("ivr", "v", interaction(VOICE, minutes_ago=2), phone("3125550100"))
    )
    b = timeline.RecordInteraction(
        record("mail", "m", interaction(EMAIL, minutes_ago=1), email("z@example.com"))
    )
    resolver.Resolve(resolve_record("crm", "1", phone("3125550100"), email("z@example.com")))

    for name in (a.customer, b.customer):
        listed = timeline.ListInteractions(pb.ListInteractionsRequest(parent=name))
        assert [i.source_event_id for i in listed.interactions] == ["m", "v"]


def test_a_split_carries_interactions_with_their_records(
    timeline: TimelineServiceStub, database_url: str
) -> None:
    ann = timeline.RecordInteraction(
        record(
            "ivr",
            "v",
            interaction(VOICE, minutes_ago=3),
            phone("3125550100"),
            email("ann@example.com"),
        )
    )
    named = timeline.RecordInteraction(
        record("crm", "n", interaction(EMAIL, minutes_ago=2), customer=ann.customer)
    )
    bob = timeline.RecordInteraction(
        record("mail", "m", interaction(EMAIL, minutes_ago=1), email("ann@example.com"))
    )
    assert named.interaction.conversation_id == bob.interaction.conversation_id
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT record_pk FROM interaction WHERE source = 'mail'").fetchone()
    assert row is not None
    customer = ann.customer.split("/")[1]

    async def split(conn: Connection) -> None:
        await resolution.insert_customer(conn, "splitoff")
        await resolution.move_records_to(conn, [row[0]], "splitoff", Decision.NEW, ())
        await timeline_store.follow_split(conn, customer, "splitoff", [row[0]])

    _run(database_url, split)
    kept = timeline.ListInteractions(pb.ListInteractionsRequest(parent=ann.customer))
    gone = timeline.ListInteractions(pb.ListInteractionsRequest(parent="customers/splitoff"))

    assert [i.source for i in kept.interactions] == ["crm", "ivr"]
    assert [i.source for i in gone.interactions] == ["mail"]
    copy = gone.interactions[0].conversation_id
    assert copy != named.interaction.conversation_id
    assert kept.interactions[0].conversation_id == named.interaction.conversation_id


def test_a_slow_watcher_loses_its_oldest_events_and_never_blocks() -> None:
    subscription = Subscription(size=2)
    events = [
        CustomerEvent(CustomerEventKind.INTERACTION_RECORDED, "c", datetime.now(UTC), f"i{n}")
        for n in range(5)
    ]

    for event in events:
        subscription.offer(event)

    kept = [subscription.queue.get_nowait() for _ in range(2)]
    assert [e.interaction_id for e in kept if e is not None] == ["i3", "i4"]
    assert subscription.dropped == 3
