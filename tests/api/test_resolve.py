"""IdentityService/Resolve: deterministic linking on normalized identifiers."""

from __future__ import annotations

from google.protobuf.timestamp_pb2 import Timestamp

from singleview.v1 import common_pb2, profile_service_pb2
from singleview.v1 import identity_service_pb2 as pb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from tests.support.builders import email, loyalty, phone, record, social


def at(seconds: int) -> Timestamp:
    return Timestamp(seconds=1_700_000_000 + seconds)


def test_a_first_record_makes_a_new_customer_with_normalized_identifiers(
    identity: IdentityServiceStub,
) -> None:
    response = identity.Resolve(
        record("crm", "1", phone("(312) 555-0100"), email(" Ann.Lee+news@GMail.com "))
    )

    assert response.decision == common_pb2.DECISION_NEW
    assert response.outcome == pb.RECORD_OUTCOME_CREATED
    assert response.customer.name.startswith("customers/")
    assert {(i.kind, i.value) for i in response.customer.identifiers} == {
        (common_pb2.IDENTIFIER_KIND_PHONE, "+13125550100"),
        (common_pb2.IDENTIFIER_KIND_EMAIL, "annlee@gmail.com"),
    }
    assert [(r.source, r.record_id) for r in response.customer.records] == [("crm", "1")]


def test_the_same_phone_in_another_format_links_to_the_same_customer(
    identity: IdentityServiceStub,
) -> None:
    first = identity.Resolve(record("crm", "1", phone("(312) 555-0100")))
    formats = ["+1 312.555.0100", "1 312 555 0100", "+1-312-555-0100", "3125550100"]
    for n, spelling in enumerate(formats):
        linked = identity.Resolve(record("ivr", f"call-{n}", phone(spelling)))
        assert linked.decision == common_pb2.DECISION_LINKED
        assert linked.customer.name == first.customer.name
        matches = [
            e for e in linked.evidence if e.kind == common_pb2.EVIDENCE_KIND_IDENTIFIER_MATCH
        ]
        assert [e.identifier.value for e in matches] == ["+13125550100"]
        assert matches[0].customer == first.customer.name
    assert len(linked.customer.records) == 1 + len(formats)


def test_a_record_that_bridges_two_customers_merges_them_into_the_older(
    identity: IdentityServiceStub, profiles: ProfileServiceStub
) -> None:
    older = identity.Resolve(record("crm", "1", phone("312 555 0100"), given_name="Ann"))
    younger = identity.Resolve(record("web", "7", email("ann@example.com")))

    bridge = identity.Resolve(record("app", "u1", phone("+13125550100"), email("ANN@example.com")))

    assert bridge.decision == common_pb2.DECISION_MERGED
    assert bridge.customer.name == older.customer.name
    assert list(bridge.merged_customers) == [younger.customer.name]
    assert list(bridge.customer.merged_names) == [younger.customer.name]
    assert {(r.source, r.record_id) for r in bridge.customer.records} == {
        ("crm", "1"),
        ("web", "7"),
        ("app", "u1"),
    }
    survivor = profiles.GetCustomer(
        profile_service_pb2.GetCustomerRequest(name=younger.customer.name)
    )
    assert survivor.name == older.customer.name
    listed = profiles.ListCustomers(profile_service_pb2.ListCustomersRequest())
    assert [c.name for c in listed.customers] == [older.customer.name]


def test_a_merged_away_name_keeps_resolving_after_a_second_merge(
    identity: IdentityServiceStub, profiles: ProfileServiceStub
) -> None:
    a = identity.Resolve(record("s", "a", phone("3125550100")))
    b = identity.Resolve(record("s", "b", email("b@example.com")))
    c = identity.Resolve(record("s", "c", social("instagram", "@cee")))
    identity.Resolve(record("s", "ab", phone("3125550100"), email("b@example.com")))
    identity.Resolve(record("s", "bc", email("b@example.com"), social("instagram", "CEE")))

    for name in (a.customer.name, b.customer.name, c.customer.name):
        found = profiles.GetCustomer(profile_service_pb2.GetCustomerRequest(name=name))
        assert found.name == a.customer.name
        assert len(found.records) == 5


def test_repeating_a_record_is_idempotent_and_answers_as_the_first_call(
    identity: IdentityServiceStub, profiles: ProfileServiceStub
) -> None:
    identity.Resolve(record("crm", "1", phone("3125550100")))
    identity.Resolve(record("web", "2", email("x@example.com")))
    request = record("app", "9", phone("3125550100"), email("x@example.com"), given_name="Xi")
    first = identity.Resolve(request)

    again = identity.Resolve(request)

    assert first.outcome == pb.RECORD_OUTCOME_CREATED
    assert again.outcome == pb.RECORD_OUTCOME_UNCHANGED
    assert again.decision == first.decision == common_pb2.DECISION_MERGED
    assert again.customer.name == first.customer.name
    assert list(again.merged_customers) == list(first.merged_customers)
    assert len(profiles.ListCustomers(profile_service_pb2.ListCustomersRequest()).customers) == 1


def test_a_newer_version_replaces_the_record_and_an_older_one_is_ignored(
    identity: IdentityServiceStub,
) -> None:
    v1 = record("crm", "1", phone("3125550100"), given_name="Ann")
    v1.observed_at.CopyFrom(at(100))
    v2 = record("crm", "1", phone("3125550100"), loyalty("acme", "5745 480 672"), given_name="Anne")
    v2.observed_at.CopyFrom(at(200))
    stale = record("crm", "1", phone("3125550100"), given_name="Annie")
    stale.observed_at.CopyFrom(at(50))

    identity.Resolve(v1)
    updated = identity.Resolve(v2)
    ignored = identity.Resolve(stale)

    assert updated.outcome == pb.RECORD_OUTCOME_UPDATED
    assert updated.customer.golden.given_name == "Anne"
    assert ("57454-80672".replace("-", "")) in {i.value for i in updated.customer.identifiers}
    assert ignored.outcome == pb.RECORD_OUTCOME_STALE
    assert ignored.customer.golden.given_name == "Anne"
    assert ignored.customer.name == updated.customer.name


def test_the_golden_record_takes_the_most_recent_value_of_each_attribute(
    identity: IdentityServiceStub,
) -> None:
    old = record("crm", "1", phone("3125550100"), given_name="Ann", family_name="Lee")
    old.observed_at.CopyFrom(at(100))
    new = record("pos", "2", phone("3125550100"), given_name="Anne", birth_date="1990-04-01")
    new.observed_at.CopyFrom(at(200))

    identity.Resolve(old)
    golden = identity.Resolve(new).customer.golden

    assert (golden.given_name, golden.family_name, golden.birth_date) == (
        "Anne",
        "Lee",
        "1990-04-01",
    )


def test_a_record_with_no_identifiers_and_a_name_is_its_own_customer(
    identity: IdentityServiceStub,
) -> None:
    first = identity.Resolve(record("pos", "walk-in-1", given_name="Ann", family_name="Lee"))
    second = identity.Resolve(record("pos", "walk-in-2", given_name="Ann", family_name="Lee"))

    assert first.decision == second.decision == common_pb2.DECISION_NEW
    assert first.customer.name != second.customer.name
