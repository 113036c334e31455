"""The review queue: uncertain pairs by priority, live customer names, both sides in full."""

from __future__ import annotations

import grpc
import psycopg
import pytest

from singleview.v1 import common_pb2
from singleview.v1 import steward_service_pb2 as pb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.steward_service_pb2_grpc import StewardServiceStub
from singleview.v1.timeline_service_pb2_grpc import TimelineServiceStub
from tests.support.builders import phone, record
from tests.support.stewardship import error_details, open_task, uncertain_pair
from tests.support.timeline_builders import interaction
from tests.support.timeline_builders import record as contact


@pytest.fixture
def steward(channel: grpc.Channel) -> StewardServiceStub:
    return StewardServiceStub(channel)


def _set_score(database_url: str, task: str, score: float) -> None:
    with psycopg.connect(database_url) as conn:
        conn.execute("UPDATE review_task SET score = %s WHERE id = %s", (score, task.split("/")[1]))


def test_an_uncertain_pair_waits_in_the_queue_under_its_live_names(
    identity: IdentityServiceStub, steward: StewardServiceStub
) -> None:
    pair = uncertain_pair(identity)

    listed = steward.ListReviewTasks(pb.ListReviewTasksRequest())

    [task] = listed.review_tasks
    assert task.name.startswith("reviewTasks/")
    assert set(task.customers) == {pair.older, pair.younger}
    assert task.state == pb.REVIEW_TASK_STATE_OPEN
    assert task.verdict == pb.VERDICT_UNSPECIFIED
    assert 0.5 <= task.score < 1.0
    assert 0.0 < task.priority <= 1.0
    assert task.etag
    assert (task.record.source, task.record.record_id) == ("pos", "m0")
    assert any(e.field == "total" for e in task.evidence)
    assert not task.sides, "the list leaves the full sides to GetReviewTask"
    assert listed.next_page_token == ""


def test_get_review_task_shows_both_sides_in_full_and_their_fields_side_by_side(
    identity: IdentityServiceStub, steward: StewardServiceStub
) -> None:
    pair = uncertain_pair(identity)
    name = open_task(steward, pair).name

    task = steward.GetReviewTask(pb.GetReviewTaskRequest(name=name))

    assert [s.customer.name for s in task.sides] == list(task.customers)
    by_side = {s.customer.name: s for s in task.sides}
    older = by_side[pair.older].records[0]
    younger = by_side[pair.younger].records[0]
    assert [i.value for i in older.identifiers] == [pair.email]
    assert [i.value for i in younger.identifiers] == ["+1" + pair.phone]
    assert older.attributes.birth_date == "1950-01-01"
    assert younger.attributes.given_name == "Marta"
    assert older.decision == common_pb2.DECISION_NEW
    assert younger.decision == common_pb2.DECISION_REVIEW
    fields = {f.field: f for f in task.comparisons}
    left_is_older = task.sides[0].customer.name == pair.older
    birth = fields["birth_date"]
    assert {birth.left_value, birth.right_value} == {"1950-01-01", "1951-01-01"}
    assert (birth.left_value == "1950-01-01") == left_is_older
    assert fields["given_name"].left_value == fields["given_name"].right_value == "Marta"
    assert fields["given_name"].level and fields["given_name"].label
    assert fields["total"].level == "review"
    assert len(task.compared_records) == 2


def test_coin_flips_and_busy_customers_come_first(
    identity: IdentityServiceStub,
    steward: StewardServiceStub,
    timeline: TimelineServiceStub,
    database_url: str,
) -> None:
    sure, coin_flip, busy = (uncertain_pair(identity, n) for n in range(3))
    scores = {sure: 0.97, coin_flip: 0.5, busy: 0.75}
    names = {pair: open_task(steward, pair).name for pair in scores}
    for pair, score in scores.items():
        _set_score(database_url, names[pair], score)
    for n in range(20):
        timeline.RecordInteraction(
            contact("ivr", f"call-{n}", interaction(common_pb2.CHANNEL_VOICE), phone(busy.phone))
        )

    listed = steward.ListReviewTasks(pb.ListReviewTasksRequest())

    assert [t.name for t in listed.review_tasks] == [names[busy], names[coin_flip], names[sure]]
    by_name = {t.name: t for t in listed.review_tasks}
    assert by_name[names[busy]].recent_interaction_count == 20
    assert by_name[names[coin_flip]].priority == pytest.approx(1.0)
    assert by_name[names[sure]].priority == pytest.approx(0.06)


def test_the_queue_pages_with_an_opaque_token_and_filters_by_state(
    identity: IdentityServiceStub, steward: StewardServiceStub
) -> None:
    pairs = [uncertain_pair(identity, n) for n in range(5)]
    decided = open_task(steward, pairs[0]).name
    steward.DecideReviewTask(
        pb.DecideReviewTaskRequest(name=decided, verdict=pb.VERDICT_DIFFERENT, reason="twins")
    )

    seen: list[pb.ReviewTask] = []
    token = ""
    while True:
        page = steward.ListReviewTasks(pb.ListReviewTasksRequest(page_size=2, page_token=token))
        assert len(page.review_tasks) <= 2
        seen += page.review_tasks
        token = page.next_page_token
        if not token:
            break

    assert len({t.name for t in seen}) == len(seen) == 5
    assert seen[-1].name == decided, "open tasks come first"
    open_only = steward.ListReviewTasks(
        pb.ListReviewTasksRequest(state=pb.REVIEW_TASK_STATE_OPEN)
    ).review_tasks
    assert decided not in {t.name for t in open_only} and len(open_only) == 4
    done = steward.ListReviewTasks(pb.ListReviewTasksRequest(state=pb.REVIEW_TASK_STATE_DECIDED))
    assert [t.name for t in done.review_tasks] == [decided]
    mine = steward.ListReviewTasks(pb.ListReviewTasksRequest(customer=pairs[3].younger))
    assert [set(t.customers) for t in mine.review_tasks] == [{pairs[3].older, pairs[3].younger}]


def test_a_task_names_the_customers_its_sides_were_merged_into(
    identity: IdentityServiceStub, steward: StewardServiceStub
) -> None:
    zed = identity.Resolve(record("app", "u1", phone("3125550999"), given_name="Zed")).customer
    pair = uncertain_pair(identity)
    name = open_task(steward, pair).name
    survivor = steward.MergeCustomers(
        pb.MergeCustomersRequest(names=[pair.younger, zed.name], reason="one person, two apps")
    )
    assert survivor.name == zed.name, "the older customer survives"

    listed = steward.ListReviewTasks(pb.ListReviewTasksRequest(customer=pair.younger))
    task = steward.GetReviewTask(pb.GetReviewTaskRequest(name=name))

    assert [t.name for t in listed.review_tasks] == [name]
    assert set(task.customers) == {pair.older, zed.name}
    assert {s.customer.name for s in task.sides} == {pair.older, zed.name}


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (pb.ListReviewTasksRequest(page_size=-1), "page_size"),
        (pb.ListReviewTasksRequest(page_token="garbage"), "page_token"),
        (pb.ListReviewTasksRequest(customer="people/1"), "customer"),
        (pb.ListReviewTasksRequest(state=pb.ReviewTaskState.ValueType(42)), "state"),
    ],
)
def test_a_bad_list_request_names_the_field(
    steward: StewardServiceStub, request_: pb.ListReviewTasksRequest, field: str
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        steward.ListReviewTasks(request_)

    details = error_details(caught.value)
    assert details.code == grpc.StatusCode.INVALID_ARGUMENT
    assert field in details.violations


def test_a_page_token_is_bound_to_its_filter(
    identity: IdentityServiceStub, steward: StewardServiceStub
) -> None:
    for n in range(3):
        uncertain_pair(identity, n)
    token = steward.ListReviewTasks(pb.ListReviewTasksRequest(page_size=1)).next_page_token
    assert token

    with pytest.raises(grpc.RpcError) as caught:
        steward.ListReviewTasks(
            pb.ListReviewTasksRequest(
                page_size=1, page_token=token, state=pb.REVIEW_TASK_STATE_DECIDED
            )
        )

    assert error_details(caught.value).violations.keys() == {"page_token"}


def test_an_unknown_task_is_not_found_and_a_bad_name_is_invalid(
    steward: StewardServiceStub,
) -> None:
    with pytest.raises(grpc.RpcError) as missing:
        steward.GetReviewTask(pb.GetReviewTaskRequest(name="reviewTasks/nosuchtask"))
    with pytest.raises(grpc.RpcError) as malformed:
        steward.GetReviewTask(pb.GetReviewTaskRequest(name="tasks/1"))

    assert error_details(missing.value).reason == "REVIEW_TASK_NOT_FOUND"
    assert error_details(malformed.value).violations.keys() == {"name"}
