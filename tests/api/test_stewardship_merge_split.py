"""Manual merge and split: records, identifiers, golden attributes and timelines move together."""

from __future__ import annotations

import grpc
import pytest

from singleview.store.invariants import check_invariants
from singleview.v1 import common_pb2
from singleview.v1 import steward_service_pb2 as pb
from singleview.v1 import timeline_service_pb2 as tpb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.profile_service_pb2 import GetCustomerRequest
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from singleview.v1.steward_service_pb2_grpc import StewardServiceStub
from singleview.v1.timeline_service_pb2_grpc import TimelineServiceStub
from tests.support.builders import email, phone, record
from tests.support.stewardship import decide, error_details, open_task, uncertain_pair
from tests.support.timeline_builders import interaction
from tests.support.timeline_builders import record as contact

VOICE, EMAIL, CHAT = common_pb2.CHANNEL_VOICE, common_pb2.CHANNEL_EMAIL, common_pb2.CHANNEL_CHAT
DAY = 24 * 60
ANN_PHONE, BOB_MAIL = "3125550100", "bob@example.com"


@pytest.fixture
def steward(channel: grpc.Channel) -> StewardServiceStub:
    return StewardServiceStub(channel)


def _merge(steward: StewardServiceStub, *names: str, request_id: str = "") -> common_pb2.Customer:
    return steward.MergeCustomers(
        pb.MergeCustomersRequest(names=list(names), reason="same person", request_id=request_id)
    )


def _split(
    steward: StewardServiceStub, name: str, *refs: tuple[str, str], request_id: str = ""
) -> pb.SplitCustomerResponse:
    return steward.SplitCustomer(
        pb.SplitCustomerRequest(
            name=name,
            records=[common_pb2.SourceRecordRef(source=s, record_id=r) for s, r in refs],
            reason="two people after all",
            request_id=request_id,
        )
    )


def _timeline(timeline: TimelineServiceStub, name: str) -> list[tpb.Interaction]:
    """Newest first, without update times (a move touches them; nothing else may change)."""
    listed = timeline.ListInteractions(tpb.ListInteractionsRequest(parent=name, page_size=100))
    for item in listed.interactions:
        item.ClearField("update_time")
    return list(listed.interactions)


def _ann_and_bob(identity: IdentityServiceStub) -> tuple[str, str]:
    ann = identity.Resolve(
        record("crm", "ann", phone(ANN_PHONE), given_name="Ann", family_name="Lee")
    )
    bob = identity.Resolve(
        record("web", "bob", email(BOB_MAIL), given_name="Bob", family_name="Ray")
    )
    return ann.customer.name, bob.customer.name


def test_merge_customers_merges_into_the_oldest_with_every_record(
    identity: IdentityServiceStub, steward: StewardServiceStub, profiles: ProfileServiceStub
) -> None:
    ann, bob = _ann_and_bob(identity)

    survivor = _merge(steward, bob, ann)

    assert survivor.name == ann
    assert {(r.source, r.record_id) for r in survivor.records} == {("crm", "ann"), ("web", "bob")}
    assert {i.value for i in survivor.identifiers} == {"+1" + ANN_PHONE, BOB_MAIL}
    assert list(survivor.merged_names) == [bob]
    assert profiles.GetCustomer(GetCustomerRequest(name=bob)).name == ann


def test_a_merge_replayed_with_its_request_id_answers_the_same(
    identity: IdentityServiceStub, steward: StewardServiceStub
) -> None:
    ann, bob = _ann_and_bob(identity)
    first = _merge(steward, ann, bob, request_id="merge-1")

    replay = _merge(steward, ann, bob, request_id="merge-1")
    with pytest.raises(grpc.RpcError) as again:
        _merge(steward, ann, bob)

    assert replay.name == first.name and replay.records == first.records
    details = error_details(again.value)
    assert (details.code, details.reason) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "CUSTOMERS_ALREADY_MERGED",
    )


def test_a_merge_across_a_stewards_different_verdict_is_refused(
    identity: IdentityServiceStub, steward: StewardServiceStub
) -> None:
    pair = uncertain_pair(identity)
    decide(steward, open_task(steward, pair).name, pb.VERDICT_DIFFERENT)

    with pytest.raises(grpc.RpcError) as caught:
        _merge(steward, pair.older, pair.younger)

    details = error_details(caught.value)
    assert (details.code, details.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "CANNOT_LINK")
    assert set(details.metadata["customers"].split(",")) == {pair.older, pair.younger}


@pytest.mark.parametrize(
    ("names", "reason", "fields"),
    [
        (["customers/a"], "r", {"names"}),
        (["customers/a", "customers/a"], "r", {"names[1]"}),
        (["customers/a", "people/b"], "", {"names[1]", "reason"}),
    ],
)
def test_a_bad_merge_names_every_bad_field(
    steward: StewardServiceStub, names: list[str], reason: str, fields: set[str]
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        steward.MergeCustomers(pb.MergeCustomersRequest(names=names, reason=reason))

    details = error_details(caught.value)
    assert details.code == grpc.StatusCode.INVALID_ARGUMENT
    assert details.violations.keys() == fields


def test_merging_an_unknown_customer_is_not_found(
    identity: IdentityServiceStub, steward: StewardServiceStub
) -> None:
    ann, _ = _ann_and_bob(identity)

    with pytest.raises(grpc.RpcError) as caught:
        _merge(steward, ann, "customers/nobody")

    details = error_details(caught.value)
    assert (details.reason, details.metadata["field"]) == ("CUSTOMER_NOT_FOUND", "names[1]")


def test_splitting_a_merge_back_restores_both_timelines_apart_from_what_arrived_since(
    identity: IdentityServiceStub,
    steward: StewardServiceStub,
    timeline: TimelineServiceStub,
    profiles: ProfileServiceStub,
) -> None:
    ann, bob = _ann_and_bob(identity)
    timeline.RecordInteraction(
        contact("ivr", "call-1", interaction(VOICE, minutes_ago=10 * DAY), phone(ANN_PHONE))
    )
    timeline.RecordInteraction(
        contact("crm", "note-a", interaction(EMAIL, minutes_ago=10 * DAY - 5), customer=ann)
    )
    timeline.RecordInteraction(
        contact("mail", "mail-1", interaction(EMAIL, minutes_ago=9 * DAY), email(BOB_MAIL))
    )
    timeline.RecordInteraction(
        contact("crm", "note-b", interaction(EMAIL, minutes_ago=9 * DAY - 5), customer=bob)
    )
    timeline.RecordInteraction(
        contact("chat", "chat-1", interaction(CHAT, minutes_ago=5 * DAY), email(BOB_MAIL))
    )
    before = {name: _timeline(timeline, name) for name in (ann, bob)}
    bobs = profiles.GetCustomer(GetCustomerRequest(name=bob)).records
    _merge(steward, ann, bob)
    assert {i.source_event_id for i in _timeline(timeline, ann)} == {
        "call-1",
        "note-a",
        "mail-1",
        "note-b",
        "chat-1",
    }
    timeline.RecordInteraction(
        contact("ivr", "call-2", interaction(VOICE, minutes_ago=2), phone(ANN_PHONE))
    )
    timeline.RecordInteraction(
        contact("mail", "mail-2", interaction(EMAIL, minutes_ago=1), email(BOB_MAIL))
    )
    split = _split(steward, ann, *((r.source, r.record_id) for r in bobs))

    assert split.restored
    assert (split.remaining.name, split.split_off.name) == (ann, bob)
    assert profiles.GetCustomer(GetCustomerRequest(name=bob)).name == bob
    assert [i.source_event_id for i in _timeline(timeline, ann)] == ["call-2", "note-a", "call-1"]
    assert _timeline(timeline, ann)[1:] == before[ann]
    assert [i.source_event_id for i in _timeline(timeline, bob)][0] == "mail-2"
    assert _timeline(timeline, bob)[1:] == before[bob]
    assert [i.value for i in split.split_off.identifiers] == [BOB_MAIL]
    assert split.split_off.golden.given_name == "Bob"
    assert split.remaining.golden.given_name == "Ann"


@pytest.mark.parametrize("with_bridge", [False, True])
def test_an_automatic_merge_is_split_back_with_or_without_the_record_that_bridged_it(
    identity: IdentityServiceStub,
    steward: StewardServiceStub,
    timeline: TimelineServiceStub,
    with_bridge: bool,
) -> None:
    ann = identity.Resolve(record("crm", "ann", phone(ANN_PHONE))).customer.name
    bob = identity.Resolve(record("web", "bob", email(BOB_MAIL))).customer.name
    timeline.RecordInteraction(contact("crm", "note-b", interaction(EMAIL), customer=bob))
    before = _timeline(timeline, bob)
    bridge = identity.Resolve(record("app", "1", phone(ANN_PHONE), email(BOB_MAIL)))
    assert bridge.decision == common_pb2.DECISION_MERGED
    refs = [("web", "bob"), *([("app", "1")] if with_bridge else [])]

    split = _split(steward, ann, *refs)

    assert split.restored and split.split_off.name == bob
    assert {(r.source, r.record_id) for r in split.split_off.records} == set(refs)
    assert _timeline(timeline, bob) == before


def test_a_split_moves_records_identifiers_and_interactions_into_a_new_customer(
    identity: IdentityServiceStub, steward: StewardServiceStub, timeline: TimelineServiceStub
) -> None:
    sam = identity.Resolve(
        record("crm", "1", phone(ANN_PHONE), given_name="Sam", family_name="Lee")
    )
    identity.Resolve(
        record("app", "2", phone(ANN_PHONE), email("sam@example.com"), given_name="Samantha")
    )
    chat = timeline.RecordInteraction(
        contact("chat", "c1", interaction(CHAT), email("sam@example.com"))
    )
    customer = steward.ExplainCustomer(pb.ExplainCustomerRequest(name=sam.customer.name))
    chat_record = [r.record for r in customer.records if r.record.source == "chat"]

    split = _split(
        steward, sam.customer.name, ("app", "2"), *((r.source, r.record_id) for r in chat_record)
    )

    assert not split.restored
    assert split.remaining.name == sam.customer.name
    assert {r.record_id for r in split.remaining.records} == {"1"}
    assert {(r.source, r.record_id) for r in split.split_off.records} >= {("app", "2")}
    assert {i.value for i in split.split_off.identifiers} == {"+1" + ANN_PHONE, "sam@example.com"}
    assert split.split_off.golden.given_name == "Samantha"
    moved = _timeline(timeline, split.split_off.name)
    assert [i.source_event_id for i in moved] == ["c1"]
    assert moved[0].name.startswith(split.split_off.name + "/")
    assert chat.interaction.name.startswith(sam.customer.name + "/")
    assert _timeline(timeline, sam.customer.name) == []


def test_the_parts_of_a_split_stay_apart(
    identity: IdentityServiceStub, steward: StewardServiceStub
) -> None:
    sam = identity.Resolve(
        record("crm", "1", phone(ANN_PHONE), given_name="Sam", family_name="Lee")
    )
    identity.Resolve(
        record("app", "2", phone(ANN_PHONE), email("sam@example.com"), given_name="Sam")
    )
    split = _split(steward, sam.customer.name, ("app", "2"))

    bridge = identity.Resolve(
        record(
            "web",
            "3",
            phone(ANN_PHONE),
            email("sam@example.com"),
            given_name="Sam",
            family_name="Lee",
        )
    )
    with pytest.raises(grpc.RpcError) as caught:
        _merge(steward, split.remaining.name, split.split_off.name)

    assert bridge.decision == common_pb2.DECISION_REVIEW
    assert bridge.customer.name not in (split.remaining.name, split.split_off.name)
    assert error_details(caught.value).reason == "CANNOT_LINK"


def test_a_split_off_part_inherits_the_open_questions_of_the_customer_it_left(
    identity: IdentityServiceStub, steward: StewardServiceStub, clean_database: str
) -> None:
    """A third customer kept out of the customer by a review task shares the phone with the
    part split off: the pair is put to a steward too, never left silently sharing it."""
    lee = identity.Resolve(record("crm", "1", phone(ANN_PHONE), email("one@example.com")))
    identity.Resolve(record("crm", "2", phone(ANN_PHONE)))
    identity.Resolve(record("crm", "3", phone(ANN_PHONE), email("three@example.com")))
    _split(steward, lee.customer.name, ("crm", "1"))
    # The phone is now held by two customers kept apart: a new holder is a question for both.
    third = identity.Resolve(record("ivr", "4", phone(ANN_PHONE)))
    assert third.decision == common_pb2.DECISION_REVIEW

    split = _split(steward, lee.customer.name, ("crm", "3"))

    listed = steward.ListReviewTasks(
        pb.ListReviewTasksRequest(state=pb.REVIEW_TASK_STATE_OPEN, customer=split.split_off.name)
    )
    assert [set(t.customers) for t in listed.review_tasks] == [
        {third.customer.name, split.split_off.name}
    ]
    assert check_invariants(clean_database) == []


def test_a_split_replayed_with_its_request_id_answers_the_same(
    identity: IdentityServiceStub, steward: StewardServiceStub
) -> None:
    sam = identity.Resolve(record("crm", "1", phone(ANN_PHONE), given_name="Sam"))
    identity.Resolve(record("app", "2", phone(ANN_PHONE), email("sam@example.com")))

    first = _split(steward, sam.customer.name, ("app", "2"), request_id="split-1")
    replay = _split(steward, sam.customer.name, ("app", "2"), request_id="split-1")

    assert replay == first


@pytest.mark.parametrize(
    ("refs", "fields"),
    [
        ([("app", "2"), ("crm", "1")], {"records"}),
        ([("pos", "9")], {"records[0]"}),
        ([], {"records"}),
        ([("app", "2"), ("app", "2")], {"records[1]"}),
        ([("", "2")], {"records[0].source"}),
    ],
)
def test_a_split_must_take_some_but_not_all_of_the_customers_records(
    identity: IdentityServiceStub,
    steward: StewardServiceStub,
    refs: list[tuple[str, str]],
    fields: set[str],
) -> None:
    sam = identity.Resolve(record("crm", "1", phone(ANN_PHONE), given_name="Sam"))
    identity.Resolve(record("app", "2", phone(ANN_PHONE), email("sam@example.com")))

    with pytest.raises(grpc.RpcError) as caught:
        _split(steward, sam.customer.name, *refs)

    details = error_details(caught.value)
    assert details.code == grpc.StatusCode.INVALID_ARGUMENT
    assert details.violations.keys() == fields
