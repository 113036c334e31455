"""The audit log: who changed what, when and why, by customer (following merges) and actor."""

from __future__ import annotations

import json

import grpc
import psycopg
import pytest

from singleview.v1 import common_pb2
from singleview.v1 import steward_service_pb2 as pb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.steward_service_pb2_grpc import StewardServiceStub
from tests.support.builders import email, phone, record
from tests.support.stewardship import decide, error_details, open_task, uncertain_pair


@pytest.fixture
def steward(channel: grpc.Channel) -> StewardServiceStub:
    return StewardServiceStub(channel)


def _as(actor: str) -> tuple[tuple[str, str], ...]:
    return (("x-singleview-actor", actor),)


def _events(steward: StewardServiceStub, **filters: str) -> list[pb.AuditEvent]:
    return list(steward.ListAuditEvents(pb.ListAuditEventsRequest(**filters)).audit_events)  # type: ignore[arg-type]


def _history(identity: IdentityServiceStub, steward: StewardServiceStub) -> dict[str, str]:
    """A decision, a merge and a split by three stewards; returns the customers involved."""
    pair = uncertain_pair(identity)
    decide(steward, open_task(steward, pair).name, pb.VERDICT_UNSURE, reason="not sure")
    ann = identity.Resolve(record("crm", "ann", phone("3125550100"), given_name="Ann"))
    bob = identity.Resolve(record("web", "bob", email("bob@example.com"), given_name="Bob"))
    steward.MergeCustomers(
        pb.MergeCustomersRequest(
            names=[ann.customer.name, bob.customer.name], reason="same household login"
        ),
        metadata=_as("ana"),
    )
    steward.SplitCustomer(
        pb.SplitCustomerRequest(
            name=ann.customer.name,
            records=[common_pb2.SourceRecordRef(source="web", record_id="bob")],
            reason="Bob is her son",
        ),
        metadata=_as("ben"),
    )
    return {"ann": ann.customer.name, "bob": bob.customer.name, "marta": pair.older}


def test_every_change_is_audited_with_actor_reason_and_before_and_after(
    identity: IdentityServiceStub, steward: StewardServiceStub
) -> None:
    names = _history(identity, steward)

    events = _events(steward)

    steward_events = [e for e in events if e.actor != "resolve"]
    assert [(e.action, e.actor, e.reason) for e in steward_events] == [
        ("SPLIT", "ben", "Bob is her son"),
        ("MERGE", "ana", "same household login"),
        ("DECIDE_REVIEW_TASK", "steward", "not sure"),
    ]
    split, merge, unsure = steward_events
    assert split.name.startswith("auditEvents/")
    assert split.event_time.seconds > 0
    assert set(split.customers) == {names["ann"], names["bob"]}
    assert json.loads(split.after_json)["split_off"]["records"] == [["web", "bob"]]
    assert json.loads(split.after_json)["split_off"]["restored"] is True
    before = json.loads(merge.before_json)["customers"]
    assert before[names["bob"].split("/")[1]] == {"records": [["web", "bob"]]}
    assert json.loads(merge.after_json)["survivor"] == names["ann"].split("/")[1]
    assert json.loads(unsure.after_json)["verdict"] == "UNSURE"
    assert [e.name for e in events] == sorted((e.name for e in events), key=_event_id)[::-1]


def _event_id(name: str) -> int:
    return int(name.split("/")[1])


def test_audit_events_filter_by_actor_and_by_customer_following_merges(
    identity: IdentityServiceStub, steward: StewardServiceStub
) -> None:
    zoe = identity.Resolve(record("pos", "z", phone("3125550177"), given_name="Zoe")).customer
    names = _history(identity, steward)
    steward.MergeCustomers(
        pb.MergeCustomersRequest(names=[names["marta"], zoe.name], reason="typo"),
        metadata=_as("cy"),
    )

    by_ben = _events(steward, actor="ben")
    of_zoe = _events(steward, customer=zoe.name)
    of_marta = _events(steward, customer=names["marta"])
    of_bob = _events(steward, customer=names["bob"], actor="ana")

    assert [e.action for e in by_ben] == ["SPLIT"]
    steward_events = [(e.action, e.actor) for e in of_zoe if e.actor != "resolve"]
    assert steward_events == [("MERGE", "cy"), ("DECIDE_REVIEW_TASK", "steward")], (
        "the events of a customer merged in count"
    )
    assert of_marta == of_zoe, "a merged-away name reads its survivor's log"
    assert [e.action for e in of_bob] == ["MERGE"]


def test_audit_events_page_newest_first_with_an_opaque_token(
    identity: IdentityServiceStub, steward: StewardServiceStub
) -> None:
    _history(identity, steward)
    everything = _events(steward)

    seen: list[str] = []
    token = ""
    while True:
        page = steward.ListAuditEvents(pb.ListAuditEventsRequest(page_size=1, page_token=token))
        seen += [e.name for e in page.audit_events]
        token = page.next_page_token
        if not token:
            break

    assert seen == [e.name for e in everything]
    with pytest.raises(grpc.RpcError) as caught:
        steward.ListAuditEvents(pb.ListAuditEventsRequest(page_token="bogus"))
    assert error_details(caught.value).violations.keys() == {"page_token"}


def test_a_bad_audit_request_names_the_field(steward: StewardServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        steward.ListAuditEvents(pb.ListAuditEventsRequest(customer="people/1", page_size=-1))

    details = error_details(caught.value)
    assert details.code == grpc.StatusCode.INVALID_ARGUMENT
    assert details.violations.keys() == {"customer", "page_size"}


def test_the_audit_log_is_append_only(
    identity: IdentityServiceStub, steward: StewardServiceStub, database_url: str
) -> None:
    _history(identity, steward)

    with psycopg.connect(database_url, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.RestrictViolation):
            conn.execute("UPDATE audit_event SET reason = 'rewritten'")
        with pytest.raises(psycopg.errors.RestrictViolation):
            conn.execute("DELETE FROM audit_event")
        conn.execute(
            "INSERT INTO audit_event (action, actor, customers) VALUES ('ERASE', 'admin', '{}')"
        )

    assert _events(steward)[0].action == "ERASE"
