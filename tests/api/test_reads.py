"""Lookup (read-only), GetCustomer and ListCustomers (keyset pagination)."""

from __future__ import annotations

from singleview.v1 import common_pb2
from singleview.v1 import identity_service_pb2 as pb
from singleview.v1 import profile_service_pb2 as profile_pb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from tests.support.builders import email, loyalty, phone, record


def _all_customers(profiles: ProfileServiceStub, page_size: int) -> list[common_pb2.Customer]:
    customers: list[common_pb2.Customer] = []
    token = ""
    while True:
        page = profiles.ListCustomers(
            profile_pb.ListCustomersRequest(page_size=page_size, page_token=token)
        )
        assert len(page.customers) <= page_size
        customers.extend(page.customers)
        token = page.next_page_token
        if not token:
            return customers


def test_lookup_of_unknown_identifiers_finds_nothing(identity: IdentityServiceStub) -> None:
    response = identity.Lookup(pb.LookupRequest(identifiers=[phone("3125550100")]))

    assert not response.found
    assert response.decision == common_pb2.DECISION_NEW
    assert not response.HasField("customer")


def test_lookup_finds_the_customer_in_any_format_and_writes_nothing(
    identity: IdentityServiceStub, profiles: ProfileServiceStub
) -> None:
    made = identity.Resolve(record("crm", "1", phone("+1-312-555-0100"), given_name="Ann"))

    response = identity.Lookup(pb.LookupRequest(identifiers=[phone("(312) 555 0100")]))

    assert response.found
    assert response.decision == common_pb2.DECISION_LINKED
    assert response.customer.name == made.customer.name
    assert response.customer.golden.given_name == "Ann"
    matches = [e for e in response.evidence if e.kind == common_pb2.EVIDENCE_KIND_IDENTIFIER_MATCH]
    assert [e.identifier.value for e in matches] == ["+13125550100"]
    again = profiles.GetCustomer(profile_pb.GetCustomerRequest(name=made.customer.name))
    assert again.update_time == made.customer.update_time
    assert [(r.source, r.record_id) for r in again.records] == [("crm", "1")]


def test_lookup_spanning_two_customers_names_the_one_a_resolve_would_keep(
    identity: IdentityServiceStub, profiles: ProfileServiceStub
) -> None:
    older = identity.Resolve(record("crm", "1", phone("3125550100")))
    younger = identity.Resolve(record("web", "2", email("z@example.com")))

    response = identity.Lookup(
        pb.LookupRequest(identifiers=[email("Z@example.com"), phone("312 555 0100")])
    )

    assert response.decision == common_pb2.DECISION_MERGED
    assert response.customer.name == older.customer.name
    assert list(response.candidates) == [older.customer.name, younger.customer.name]
    assert len(_all_customers(profiles, 10)) == 2


def test_list_customers_pages_through_every_customer_once_with_records(
    identity: IdentityServiceStub, profiles: ProfileServiceStub
) -> None:
    made = set()
    for n in range(11):
        response = identity.Resolve(
            record("crm", f"r{n}", loyalty("acme", f"{n:06d}"), email(f"p{n}@example.com"))
        )
        made.add(response.customer.name)

    listed = _all_customers(profiles, page_size=4)

    assert [c.name for c in listed] == sorted(made)
    for customer in listed:
        assert len(customer.records) == 1
        assert {i.kind for i in customer.identifiers} == {
            common_pb2.IDENTIFIER_KIND_LOYALTY_ID,
            common_pb2.IDENTIFIER_KIND_EMAIL,
        }


def test_list_customers_on_an_empty_store_is_one_empty_page(profiles: ProfileServiceStub) -> None:
    page = profiles.ListCustomers(profile_pb.ListCustomersRequest())

    assert list(page.customers) == []
    assert page.next_page_token == ""
