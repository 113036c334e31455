"""The golden record: survivorship rules per attribute, recomputed on every cluster change, with
the source record of each value."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from singleview.config import (
    AttributeRule,
    Settings,
    SurvivorshipRule,
    SurvivorshipSettings,
)
from singleview.v1 import common_pb2, identity_service_pb2
from singleview.v1 import profile_service_pb2 as pb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from tests.support.builders import address, email, phone, record
from tests.support.server import ServerThread

RULES = SurvivorshipSettings(
    rules={
        "given_name": AttributeRule(SurvivorshipRule.LONGEST),
        "family_name": AttributeRule(SurvivorshipRule.MOST_FREQUENT),
        "address": AttributeRule(SurvivorshipRule.SOURCE_PRIORITY, ("passport", "crm")),
    }
)


@pytest.fixture(scope="module")
def ruled_server(database_url: str) -> Iterator[ServerThread]:
    running = ServerThread(database_url, Settings(survivorship=RULES)).start()
    yield running
    running.stop()


@pytest.fixture
def ruled(ruled_server: ServerThread, clean_database: str) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(ruled_server.target) as ch:
        yield ch


def _observed(
    request: identity_service_pb2.ResolveRequest, days_ago: int
) -> identity_service_pb2.ResolveRequest:
    when = Timestamp()
    when.FromDatetime(datetime.now(UTC) - timedelta(days=days_ago))
    request.observed_at.CopyFrom(when)
    return request


def _sources(customer: common_pb2.Customer) -> dict[str, tuple[str, str]]:
    return {k: (v.source, v.record_id) for k, v in customer.golden_sources.items()}


def test_every_golden_value_names_the_record_it_came_from(
    identity: IdentityServiceStub, profiles: ProfileServiceStub
) -> None:
    mobile = phone("3125550100")
    identity.Resolve(
        _observed(
            record(
                "crm",
                "1",
                mobile,
                given_name="Ann",
                family_name="Lee",
                lives_at=address("1 Oak St"),
            ),
            10,
        )
    )
    made = identity.Resolve(_observed(record("pos", "2", mobile, given_name="Anne"), 1))

    customer = profiles.GetCustomer(pb.GetCustomerRequest(name=made.customer.name))

    assert customer.golden.given_name == "Anne"
    assert _sources(customer) == {
        "given_name": ("pos", "2"),
        "family_name": ("crm", "1"),
        "address": ("crm", "1"),
    }
    assert _sources(made.customer) == _sources(customer)


def test_rules_per_attribute_pick_longest_most_frequent_and_the_trusted_source(
    ruled: grpc.Channel,
) -> None:
    identity = IdentityServiceStub(ruled)
    mobile, born = phone("3125550101"), "1980-02-03"
    steps = [
        record("passport", "p", mobile, given_name="Jon", family_name="SMITH", birth_date=born),
        record("crm", "c", mobile, given_name="Jonathan", family_name="Smith", birth_date=born),
        record("pos", "x", mobile, given_name="John", family_name="Smyth", birth_date=born),
    ]
    steps[0].attributes.address.CopyFrom(address("1 Oak St"))
    steps[2].attributes.address.CopyFrom(address("9 Elm St"))
    names = {
        identity.Resolve(_observed(step, age)).customer.name
        for age, step in zip((30, 20, 10), steps, strict=True)
    }
    assert len(names) == 1

    customer = ProfileServiceStub(ruled).GetCustomer(pb.GetCustomerRequest(name=names.pop()))

    assert customer.golden.given_name == "Jonathan"
    assert customer.golden.family_name == "Smith"
    assert list(customer.golden.address.lines) == ["1 Oak St"]
    assert _sources(customer) == {
        "given_name": ("crm", "c"),
        "family_name": ("crm", "c"),
        "birth_date": ("pos", "x"),
        "address": ("passport", "p"),
    }


def test_a_merge_recomputes_the_golden_record_over_both_sides(ruled: grpc.Channel) -> None:
    identity = IdentityServiceStub(ruled)
    identity.Resolve(
        _observed(record("crm", "a", phone("3125550102"), given_name="Al", family_name="Moreau"), 9)
    )
    identity.Resolve(
        _observed(record("web", "b", email("al@example.com"), given_name="Alexandre"), 8)
    )

    merged = identity.Resolve(
        _observed(record("app", "c", phone("3125550102"), email("al@example.com")), 1)
    )

    assert merged.decision == common_pb2.DECISION_MERGED
    assert merged.customer.golden.given_name == "Alexandre"
    assert _sources(merged.customer)["given_name"] == ("web", "b")


def test_a_newer_version_of_a_record_changes_the_golden_record(
    identity: IdentityServiceStub,
) -> None:
    identity.Resolve(_observed(record("crm", "1", phone("3125550103"), family_name="Lee"), 5))

    updated = identity.Resolve(
        _observed(record("crm", "1", phone("3125550103"), family_name="Lee-Park"), 1)
    )

    assert updated.customer.golden.family_name == "Lee-Park"
    assert _sources(updated.customer) == {"family_name": ("crm", "1")}
