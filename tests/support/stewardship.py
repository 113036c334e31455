"""Stewardship test support: uncertain pairs made through Resolve, and reading error metadata."""

from __future__ import annotations

from dataclasses import dataclass

import grpc
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from singleview.v1 import common_pb2
from singleview.v1 import steward_service_pb2 as pb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.steward_service_pb2_grpc import StewardServiceStub
from tests.support.builders import email, phone, record

PEOPLE = (
    ("Marta", "Quist"),
    ("Ingrid", "Varga"),
    ("Olga", "Lindqvist"),
    ("Beatriz", "Okafor"),
    ("Yusuf", "Brennan"),
    ("Dmitri", "Takeda"),
    ("Priya", "Moreau"),
    ("Tomasz", "Halvorsen"),
)
"""Distinct people: each pair only resembles itself."""


@dataclass(frozen=True)
class Pair:
    """Two customers a resolve found uncertain (same name, birth years one digit apart)."""

    older: str
    younger: str
    email: str
    phone: str


def uncertain_pair(identity: IdentityServiceStub, n: int = 0) -> Pair:
    """Person n by email, then by phone with a birth year one off: a review task, not a link."""
    given, family = PEOPLE[n]
    year = 1950 + 5 * n
    mailbox, number = f"{given.lower()}.{family.lower()}@example.com", f"312555{n + 200:04d}"
    first = identity.Resolve(
        record(
            "crm",
            f"m{n}",
            email(mailbox),
            given_name=given,
            family_name=family,
            birth_date=f"{year}-01-01",
        )
    )
    second = identity.Resolve(
        record(
            "pos",
            f"m{n}",
            phone(number),
            given_name=given,
            family_name=family,
            birth_date=f"{year + 1}-01-01",
        )
    )
    assert second.decision == common_pb2.DECISION_REVIEW, "the pair should be uncertain"
    return Pair(first.customer.name, second.customer.name, mailbox, number)


def open_task(steward: StewardServiceStub, pair: Pair) -> pb.ReviewTask:
    """The open task between the pair's customers."""
    listed = steward.ListReviewTasks(
        pb.ListReviewTasksRequest(state=pb.REVIEW_TASK_STATE_OPEN, customer=pair.older)
    )
    found = [t for t in listed.review_tasks if set(t.customers) == {pair.older, pair.younger}]
    assert len(found) == 1, listed
    return found[0]


def decide(
    steward: StewardServiceStub,
    task: str,
    verdict: pb.Verdict.ValueType,
    *,
    reason: str = "checked with the customer",
    request_id: str = "",
    actor: str = "",
) -> pb.ReviewTask:
    metadata = (("x-singleview-actor", actor),) if actor else None
    request = pb.DecideReviewTaskRequest(
        name=task, verdict=verdict, reason=reason, request_id=request_id
    )
    return steward.DecideReviewTask(request, metadata=metadata)


@dataclass(frozen=True)
class ErrorDetails:
    code: grpc.StatusCode
    reason: str
    metadata: dict[str, str]
    violations: dict[str, str]


def error_details(error: grpc.RpcError) -> ErrorDetails:
    assert isinstance(error, grpc.Call)
    status = rpc_status.from_call(error)
    assert status is not None, "the error carries no google.rpc.Status"
    reason, metadata, violations = "", {}, {}
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason, metadata = info.reason, dict(info.metadata)
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            violations = {v.field: v.description for v in bad.field_violations}
    return ErrorDetails(error.code(), reason, metadata, violations)
