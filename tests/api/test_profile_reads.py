"""A person's read of a profile is attributable: it shows in the customer's audit."""

from __future__ import annotations

import grpc

from singleview.v1 import profile_service_pb2, steward_service_pb2
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from singleview.v1.steward_service_pb2_grpc import StewardServiceStub
from tests.support.builders import phone, record


def _reads(channel: grpc.Channel, customer: str) -> list[tuple[str, str]]:
    events = StewardServiceStub(channel).ListAuditEvents(
        steward_service_pb2.ListAuditEventsRequest(customer=customer)
    )
    return [(e.actor, e.reason) for e in events.audit_events if e.action == "PROFILE_READ"]


def test_a_named_readers_profile_read_is_recorded_and_a_machine_read_is_not(
    channel: grpc.Channel, identity: IdentityServiceStub, profiles: ProfileServiceStub
) -> None:
    made = identity.Resolve(record("crm", "1", phone("3125550100"), given_name="Ann"))
    request = profile_service_pb2.GetCustomerRequest(name=made.customer.name)

    profiles.GetCustomer(request)
    profiles.GetCustomer(request, metadata=(("x-singleview-actor", "associate-17"),))

    assert _reads(channel, made.customer.name) == [("associate-17", "GetCustomer")]
