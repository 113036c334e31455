"""Deciding review tasks: SAME merges, DIFFERENT keeps apart for good, UNSURE leaves it open."""

from __future__ import annotations

import threading

import grpc
import pytest

from singleview.v1 import common_pb2
from singleview.v1 import steward_service_pb2 as pb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.profile_service_pb2 import GetCustomerRequest
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from singleview.v1.steward_service_pb2_grpc import StewardServiceStub
from tests.support.builders import address, device, email, phone, record
from tests.support.stewardship import decide, error_details, open_task, uncertain_pair

SAME, DIFFERENT, UNSURE = pb.VERDICT_SAME, pb.VERDICT_DIFFERENT, pb.VERDICT_UNSURE


@pytest.fixture
def steward(channel: grpc.Channel) -> StewardServiceStub:
    return StewardServiceStub(channel)


def _live(profiles: ProfileServiceStub, name: str) -> str:
    return profiles.GetCustomer(GetCustomerRequest(name=name)).name


def _tasks(steward: StewardServiceStub) -> list[pb.ReviewTask]:
    return list(steward.ListReviewTasks(pb.ListReviewTasksRequest()).review_tasks)


def test_same_merges_into_the_older_customer_and_a_replay_changes_nothing(
    identity: IdentityServiceStub, steward: StewardServiceStub, profiles: ProfileServiceStub
) -> None:
    pair = uncertain_pair(identity)
    task = open_task(steward, pair)

    decided = decide(steward, task.name, SAME, request_id="req-1", actor="ana")
    replayed = decide(steward, task.name, SAME, request_id="req-1", actor="ana")

    assert decided.state == pb.REVIEW_TASK_STATE_DECIDED
    assert (decided.verdict, decided.reason, decided.decided_by) == (
        SAME,
        "checked with the customer",
        "ana",
    )
    assert decided.customers == [pair.older, pair.older]
    assert replayed == decided
    assert _live(profiles, pair.younger) == pair.older
    merged = profiles.GetCustomer(GetCustomerRequest(name=pair.older))
    assert {(r.source, r.record_id) for r in merged.records} == {("crm", "m0"), ("pos", "m0")}
    assert merged.golden.birth_date in ("1950-01-01", "1951-01-01")


def test_a_request_id_reused_for_another_request_is_refused(
    identity: IdentityServiceStub, steward: StewardServiceStub
) -> None:
    first, second = uncertain_pair(identity, 0), uncertain_pair(identity, 1)
    decide(steward, open_task(steward, first).name, UNSURE, request_id="req-1")

    with pytest.raises(grpc.RpcError) as caught:
        decide(steward, open_task(steward, second).name, UNSURE, request_id="req-1")

    details = error_details(caught.value)
    assert details.code == grpc.StatusCode.INVALID_ARGUMENT
    assert details.violations.keys() == {"request_id"}


def test_different_keeps_them_apart_and_a_bridging_record_becomes_a_review(
    identity: IdentityServiceStub, steward: StewardServiceStub, profiles: ProfileServiceStub
) -> None:
    pair = uncertain_pair(identity)
    decided = decide(steward, open_task(steward, pair).name, DIFFERENT)
    assert decided.state == pb.REVIEW_TASK_STATE_DECIDED

    bridge = identity.Resolve(
        record(
            "web",
            "signup-1",
            email(pair.email),
            phone(pair.phone),
            given_name="Marta",
            family_name="Quist",
            birth_date="1950-01-01",
        )
    )

    assert bridge.decision == common_pb2.DECISION_REVIEW
    assert bridge.customer.name not in (pair.older, pair.younger)
    assert _live(profiles, pair.younger) == pair.younger
    kept_apart = [e for e in bridge.evidence if e.kind == common_pb2.EVIDENCE_KIND_STEWARD_DECISION]
    assert {e.customer for e in kept_apart} == {pair.older, pair.younger}
    open_pairs = [set(t.customers) for t in _tasks(steward) if t.state == pb.REVIEW_TASK_STATE_OPEN]
    assert {pair.older, pair.younger} not in open_pairs, "a decided pair is not reviewed again"
    assert {bridge.customer.name, pair.older} in open_pairs
    assert {bridge.customer.name, pair.younger} in open_pairs


def test_a_decided_pair_is_not_raised_again_when_a_record_is_resent(
    identity: IdentityServiceStub, steward: StewardServiceStub
) -> None:
    pair = uncertain_pair(identity)
    decide(steward, open_task(steward, pair).name, DIFFERENT)

    again = identity.Resolve(
        record(
            "pos",
            "m0",
            phone(pair.phone),
            given_name="Marta",
            family_name="Quist",
            birth_date="1951-01-01",
            lives_at=address("3 Elm St"),
        )
    )

    assert again.customer.name == pair.younger
    assert [t.state for t in _tasks(steward)] == [pb.REVIEW_TASK_STATE_DECIDED]


def test_unsure_keeps_them_apart_and_the_task_stays_in_the_queue(
    identity: IdentityServiceStub, steward: StewardServiceStub, profiles: ProfileServiceStub
) -> None:
    pair = uncertain_pair(identity)
    name = open_task(steward, pair).name

    unsure = decide(steward, name, UNSURE, reason="could be a typo in the year", actor="ana")

    assert (unsure.state, unsure.verdict) == (pb.REVIEW_TASK_STATE_OPEN, UNSURE)
    assert (unsure.reason, unsure.decided_by) == ("could be a typo in the year", "ana")
    assert _live(profiles, pair.younger) == pair.younger
    assert open_task(steward, pair).name == name
    later = decide(steward, name, SAME, reason="she confirmed by phone", actor="ben")
    assert (later.state, later.verdict, later.decided_by) == (
        pb.REVIEW_TASK_STATE_DECIDED,
        SAME,
        "ben",
    )


def test_two_stewards_deciding_at_once_one_wins_the_other_sees_the_state(
    identity: IdentityServiceStub, steward: StewardServiceStub
) -> None:
    pair = uncertain_pair(identity)
    name = open_task(steward, pair).name
    barrier = threading.Barrier(2)
    outcomes: dict[str, pb.ReviewTask | grpc.RpcError] = {}

    def attempt(verdict: pb.Verdict.ValueType, who: str) -> None:
        barrier.wait()
        try:
            outcomes[who] = decide(steward, name, verdict, actor=who)
        except grpc.RpcError as error:
            outcomes[who] = error

    threads = [
        threading.Thread(target=attempt, args=(SAME, "ana")),
        threading.Thread(target=attempt, args=(DIFFERENT, "ben")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    winners = {who: o for who, o in outcomes.items() if isinstance(o, pb.ReviewTask)}
    losers = {who: o for who, o in outcomes.items() if isinstance(o, grpc.RpcError)}
    assert len(winners) == len(losers) == 1
    [(winner, won)] = winners.items()
    details = error_details(next(iter(losers.values())))
    assert details.code == grpc.StatusCode.FAILED_PRECONDITION
    assert details.reason == "REVIEW_TASK_ALREADY_DECIDED"
    assert details.metadata["state"] == "REVIEW_TASK_STATE_DECIDED"
    assert details.metadata["verdict"] == pb.Verdict.Name(won.verdict)
    assert details.metadata["decided_by"] == winner
    assert details.metadata["review_task"] == name


def test_an_etag_decides_only_the_task_as_it_was_read(
    identity: IdentityServiceStub, steward: StewardServiceStub
) -> None:
    pair = uncertain_pair(identity)
    read = open_task(steward, pair)
    decide(steward, read.name, UNSURE, reason="ask a colleague")

    with pytest.raises(grpc.RpcError) as caught:
        steward.DecideReviewTask(
            pb.DecideReviewTaskRequest(
                name=read.name, verdict=DIFFERENT, reason="twins", etag=read.etag
            )
        )

    details = error_details(caught.value)
    assert (details.code, details.reason) == (grpc.StatusCode.ABORTED, "REVIEW_TASK_CHANGED")
    assert details.metadata["verdict"] == "VERDICT_UNSURE"


@pytest.mark.parametrize(
    ("request_", "fields"),
    [
        (pb.DecideReviewTaskRequest(name="reviewTasks/x", verdict=SAME), {"reason"}),
        (pb.DecideReviewTaskRequest(name="reviewTasks/x", reason="r"), {"verdict"}),
        (pb.DecideReviewTaskRequest(verdict=SAME, reason="r"), {"name"}),
        (
            pb.DecideReviewTaskRequest(
                name="reviewTasks/x", verdict=SAME, reason="r", request_id="bad id!"
            ),
            {"request_id"},
        ),
        (
            pb.DecideReviewTaskRequest(name="x", verdict=pb.Verdict.ValueType(9), reason=" "),
            {"name", "verdict", "reason"},
        ),
    ],
)
def test_a_bad_decision_names_every_bad_field(
    steward: StewardServiceStub, request_: pb.DecideReviewTaskRequest, fields: set[str]
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        steward.DecideReviewTask(request_)

    details = error_details(caught.value)
    assert details.code == grpc.StatusCode.INVALID_ARGUMENT
    assert details.violations.keys() == fields


def test_deciding_an_unknown_task_is_not_found(steward: StewardServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        decide(steward, "reviewTasks/nosuchtask", SAME)

    assert error_details(caught.value).reason == "REVIEW_TASK_NOT_FOUND"


def test_a_same_decision_survives_re_evaluation_when_an_identifier_turns_generic(
    identity: IdentityServiceStub, steward: StewardServiceStub, profiles: ProfileServiceStub
) -> None:
    tablet = device("idfa", "6D92078A-8246-4BA4-AE5B-76104861E7DC")
    anna = identity.Resolve(
        record(
            "crm",
            "anna",
            email("anna@example.com"),
            tablet,
            given_name="Anna",
            family_name="Novak",
            birth_date="1999-03-03",
            lives_at=address("12 Oak St"),
        )
    )
    petra = identity.Resolve(
        record(
            "crm",
            "petra",
            email("petra@example.com"),
            given_name="Petra",
            family_name="Novak",
            birth_date="1999-03-03",
            lives_at=address("12 Oak St"),
        )
    )
    assert petra.decision == common_pb2.DECISION_REVIEW
    [task] = _tasks(steward)
    decide(steward, task.name, SAME, reason="one person; Petra is her middle name")

    # A clearly different person on the same tablet: the tablet turns generic, and every customer
    # holding it is re-evaluated. Nothing automatic holds Anna and Petra together any more.
    stranger = identity.Resolve(
        record(
            "app", "zk", tablet, given_name="Zoltan", family_name="Kiss", birth_date="1961-11-30"
        )
    )

    assert stranger.customer.name != anna.customer.name
    merged = profiles.GetCustomer(GetCustomerRequest(name=anna.customer.name))
    assert {r.record_id for r in merged.records} == {"anna", "petra"}
    assert _live(profiles, petra.customer.name) == anna.customer.name
