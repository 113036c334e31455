"""The stewards' console over HTTP (auth off, loopback): queue, task, decision, customer, split,
audit, and the guards every form has (CSRF, request_id idempotency, escaping)."""

from __future__ import annotations

import logging

import grpc
import pytest

from singleview.v1 import common_pb2
from singleview.v1 import steward_service_pb2 as pb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.profile_service_pb2 import GetCustomerRequest
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from singleview.v1.steward_service_pb2_grpc import StewardServiceStub
from singleview.v1.timeline_service_pb2_grpc import TimelineServiceStub
from tests.support.builders import email, phone, record
from tests.support.console import ConsoleClient, Reply
from tests.support.server import ServerThread
from tests.support.stewardship import Pair, decide, open_task, uncertain_pair
from tests.support.timeline_builders import interaction
from tests.support.timeline_builders import record as contact


@pytest.fixture
def steward(channel: grpc.Channel) -> StewardServiceStub:
    return StewardServiceStub(channel)


@pytest.fixture
def console(server: ServerThread, clean_database: str) -> ConsoleClient:
    return ConsoleClient(server.console_url)


def _task_path(task: pb.ReviewTask) -> str:
    return "/reviews/" + task.name.removeprefix("reviewTasks/")


def _customer_path(name: str) -> str:
    return "/customers/" + name.removeprefix("customers/")


def _decide(console: ConsoleClient, page: Reply, path: str, verdict: str, reason: str) -> Reply:
    fields = [(k, page.field(k)) for k in ("csrf_token", "request_id", "etag")]
    return console.post(f"{path}/decide", [*fields, ("reason", reason), ("verdict", verdict)])


def test_the_queue_lists_open_tasks_with_links_to_each(
    identity: IdentityServiceStub, steward: StewardServiceStub, console: ConsoleClient
) -> None:
    pairs = [uncertain_pair(identity, n) for n in range(2)]

    reply = console.get("/")

    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/html")
    for pair in pairs:
        assert _task_path(open_task(steward, pair)) in reply.page.links
        assert _customer_path(pair.older) in reply.page.links


def test_the_task_page_shows_both_sides_the_evidence_and_the_decision_form(
    identity: IdentityServiceStub, steward: StewardServiceStub, console: ConsoleClient
) -> None:
    pair = uncertain_pair(identity)
    task = open_task(steward, pair)

    reply = console.get(_task_path(task))

    text = reply.page.text
    assert reply.status == 200
    assert pair.email in text and "+1" + pair.phone in text
    assert "crm/m0" in text and "pos/m0" in text
    assert "1950-01-01" in text and "1951-01-01" in text
    detail = steward.GetReviewTask(pb.GetReviewTaskRequest(name=task.name))
    for row in detail.comparisons:
        assert row.label in text
    assert reply.page.forms == [f"{_task_path(task)}/decide"]
    assert reply.field("etag") == task.etag and reply.field("request_id")
    assert reply.field("csrf_token")


def test_deciding_same_merges_and_a_double_submit_changes_nothing_more(
    identity: IdentityServiceStub,
    steward: StewardServiceStub,
    profiles: ProfileServiceStub,
    console: ConsoleClient,
) -> None:
    pair = uncertain_pair(identity)
    path = _task_path(open_task(steward, pair))
    page = console.get(path)

    first = _decide(console, page, path, "SAME", "same person, checked the receipts")
    again = _decide(console, page, path, "SAME", "same person, checked the receipts")

    assert (first.status, first.location) == (303, "/")
    assert (again.status, again.location) == (303, "/")
    assert "SAME" in console.get("/").page.text
    older = profiles.GetCustomer(GetCustomerRequest(name=pair.older))
    assert profiles.GetCustomer(GetCustomerRequest(name=pair.younger)).name == older.name
    decided = steward.ListReviewTasks(pb.ListReviewTasksRequest(customer=pair.older))
    assert [(t.state, t.verdict) for t in decided.review_tasks] == [
        (pb.REVIEW_TASK_STATE_DECIDED, pb.VERDICT_SAME)
    ]
    events = steward.ListAuditEvents(pb.ListAuditEventsRequest(customer=older.name))
    decisions = [e for e in events.audit_events if e.action == "DECIDE_REVIEW_TASK"]
    assert len(decisions) == 1 and decisions[0].actor == "steward"
    assert decisions[0].reason == "same person, checked the receipts"


def test_a_decision_needs_a_reason_and_a_known_verdict(
    identity: IdentityServiceStub, steward: StewardServiceStub, console: ConsoleClient
) -> None:
    pair = uncertain_pair(identity)
    path = _task_path(open_task(steward, pair))
    page = console.get(path)

    no_reason = _decide(console, page, path, "SAME", "")
    odd = _decide(console, page, path, "MAYBE", "hmm")

    assert no_reason.status == 400 and "reason" in no_reason.page.text
    assert odd.status == 400 and "verdict" in odd.page.text
    assert open_task(steward, pair).state == pb.REVIEW_TASK_STATE_OPEN


def test_a_task_decided_meanwhile_says_who_decided_it(
    identity: IdentityServiceStub, steward: StewardServiceStub, console: ConsoleClient
) -> None:
    pair = uncertain_pair(identity)
    task = open_task(steward, pair)
    page = console.get(_task_path(task))
    decide(steward, task.name, pb.VERDICT_DIFFERENT, actor="ines")

    late = _decide(console, page, _task_path(task), "SAME", "looks the same")

    assert late.status == 409
    assert "REVIEW_TASK_ALREADY_DECIDED" in late.page.text and "ines" in late.page.text


def test_forms_without_the_sessions_csrf_token_or_from_another_site_are_refused(
    identity: IdentityServiceStub, steward: StewardServiceStub, console: ConsoleClient
) -> None:
    pair = uncertain_pair(identity)
    path = _task_path(open_task(steward, pair))
    page = console.get(path)
    fields = [("verdict", "SAME"), ("reason", "r"), ("request_id", "x1")]

    forged = console.post(f"{path}/decide", [*fields, ("csrf_token", "guess")])
    cross = console.post(
        f"{path}/decide",
        [*fields, ("csrf_token", page.field("csrf_token"))],
        headers={"Origin": "http://evil.example"},
    )
    stranger = ConsoleClient(f"http://127.0.0.1:{console.port}").post(
        f"{path}/decide", [*fields, ("csrf_token", page.field("csrf_token"))]
    )

    assert [r.status for r in (forged, cross, stranger)] == [403, 403, 403]
    assert open_task(steward, pair).state == pb.REVIEW_TASK_STATE_OPEN


def test_pages_carry_security_headers_and_a_strict_http_only_cookie(
    console: ConsoleClient,
) -> None:
    reply = console.get("/")

    assert "default-src 'none'" in reply.headers["Content-Security-Policy"]
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["Cache-Control"] == "no-store"
    cookie = console.set_cookie_headers[0]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_unknown_tasks_and_customers_are_404_and_bad_names_400(console: ConsoleClient) -> None:
    assert console.get("/reviews/nosuchtask").status == 404
    assert console.get("/customers/nosuchcustomer").status == 404
    assert console.get("/customers?name=people%2Fx").status == 400
    assert console.get("/customers?name=customers%2Fabc").location == "/customers/abc"


def test_hostile_values_are_escaped_everywhere(
    identity: IdentityServiceStub, console: ConsoleClient
) -> None:
    hostile = '<script>alert("x")</script>'
    made = identity.Resolve(record("crm", "h1", phone("3125550111"), given_name=hostile))

    reply = console.get(_customer_path(made.customer.name))

    assert reply.status == 200
    assert hostile not in reply.body and "&lt;script&gt;" in reply.body


def _pair_with_timeline(identity: IdentityServiceStub, timeline: TimelineServiceStub) -> Pair:
    pair = uncertain_pair(identity)
    for n, (channel, name) in enumerate(
        [(common_pb2.CHANNEL_EMAIL, pair.older), (common_pb2.CHANNEL_VOICE, pair.younger)]
    ):
        what = interaction(channel, minutes_ago=60 - n, summary=f"contact {n}")
        timeline.RecordInteraction(contact("desk", f"e{n}", what, customer=name))
    return pair


def test_the_customer_page_shows_records_links_and_the_merged_timeline_newest_first(
    identity: IdentityServiceStub,
    steward: StewardServiceStub,
    timeline: TimelineServiceStub,
    console: ConsoleClient,
) -> None:
    pair = _pair_with_timeline(identity, timeline)
    steward.MergeCustomers(pb.MergeCustomersRequest(names=[pair.older, pair.younger], reason="r"))

    reply = console.get(_customer_path(pair.older))
    merged_away = console.get(_customer_path(pair.younger))

    text = reply.page.text
    assert reply.status == 200
    assert "crm/m0" in text and "pos/m0" in text
    assert text.index("contact 1") < text.index("contact 0")
    assert pair.younger in text  # merged into this customer
    assert merged_away.status == 303 and merged_away.location == _customer_path(pair.older)


def test_splitting_moves_the_chosen_records_and_is_idempotent(
    identity: IdentityServiceStub,
    steward: StewardServiceStub,
    profiles: ProfileServiceStub,
    timeline: TimelineServiceStub,
    console: ConsoleClient,
) -> None:
    pair = _pair_with_timeline(identity, timeline)
    steward.MergeCustomers(pb.MergeCustomersRequest(names=[pair.older, pair.younger], reason="r"))
    path = _customer_path(pair.older)
    page = console.get(path)
    pos = [v for v in page.page.inputs["record"] if "pos" in v]
    fields = [
        ("csrf_token", page.field("csrf_token")),
        ("request_id", page.field("request_id")),
        ("record", pos[0]),
        ("reason", "two people after all"),
    ]

    first = console.post(f"{path}/split", fields)
    again = console.post(f"{path}/split", fields)

    assert (first.status, first.location) == (303, path)
    assert (again.status, again.location) == (303, path)
    assert pair.younger.removeprefix("customers/") in console.get(path).page.text
    older = profiles.GetCustomer(GetCustomerRequest(name=pair.older))
    younger = profiles.GetCustomer(GetCustomerRequest(name=pair.younger))
    assert [(r.source, r.record_id) for r in older.records] == [("crm", "m0")]
    assert [(r.source, r.record_id) for r in younger.records] == [("pos", "m0")]
    splits = steward.ListAuditEvents(pb.ListAuditEventsRequest(actor="steward"))
    assert [e.action for e in splits.audit_events].count("SPLIT") == 1


def test_a_split_needs_records_and_a_reason(
    identity: IdentityServiceStub, console: ConsoleClient
) -> None:
    made = identity.Resolve(record("crm", "a", email("a@example.com"), given_name="Ann"))
    path = _customer_path(made.customer.name)
    page = console.get(path)

    reply = console.post(f"{path}/split", [("csrf_token", page.field("csrf_token"))])

    assert reply.status == 400
    assert "records" in reply.page.text and "reason" in reply.page.text


def test_the_audit_log_filters_by_customer_and_actor(
    identity: IdentityServiceStub, steward: StewardServiceStub, console: ConsoleClient
) -> None:
    first, second = uncertain_pair(identity, 0), uncertain_pair(identity, 1)
    decide(
        steward,
        open_task(steward, first).name,
        pb.VERDICT_UNSURE,
        reason="reason-alpha",
        actor="ada",
    )
    decide(
        steward,
        open_task(steward, second).name,
        pb.VERDICT_UNSURE,
        reason="reason-bravo",
        actor="bo",
    )

    everyone = console.get("/audit").page.text
    by_ada = console.get("/audit?actor=ada").page.text
    by_customer = console.get(f"/audit?customer={second.older}").page.text

    assert "reason-alpha" in everyone and "reason-bravo" in everyone
    assert "reason-alpha" in by_ada and "reason-bravo" not in by_ada
    assert "reason-bravo" in by_customer and "reason-alpha" not in by_customer
    assert console.get("/audit?customer=people/x").status == 400


def test_the_console_logs_no_personal_data(
    identity: IdentityServiceStub,
    steward: StewardServiceStub,
    console: ConsoleClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    pair = uncertain_pair(identity)
    path = _task_path(open_task(steward, pair))
    caplog.set_level(logging.DEBUG)

    page = console.get(path)
    _decide(console, page, path, "SAME", "Marta called from 312-555-0200")
    console.get(_customer_path(pair.older))
    console.get(f"/audit?actor=marta.quist@example.com&customer={pair.older}")

    logged = caplog.text
    assert "console GET /reviews/{task_id}" in logged
    for secret in ("Marta", "Quist", pair.email, pair.phone, pair.older.split("/")[1]):
        assert secret not in logged
