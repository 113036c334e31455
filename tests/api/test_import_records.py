"""IdentityService/ImportRecords: same semantics as Resolve, one result per request, in order."""

from __future__ import annotations

import grpc

from singleview.v1 import common_pb2, identity_service_pb2, privacy_service_pb2
from singleview.v1 import identity_service_pb2 as pb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.privacy_service_pb2_grpc import PrivacyServiceStub
from tests.support.builders import address, email, phone, record
from tests.support.database import truncate_all


def test_an_import_reports_each_request_and_a_bad_one_does_not_stop_the_rest(
    identity: IdentityServiceStub,
) -> None:
    requests = [
        record("crm", "1", phone("3125550100")),
        record("crm", "2", phone("not a phone")),
        record("crm", "3", phone("+1 312 555 0100"), email("a@example.com")),
        record("", "4", email("b@example.com")),
        record("crm", "1", phone("3125550100")),
    ]

    results = list(identity.ImportRecords(iter(requests)))

    assert [r.index for r in results] == [0, 1, 2, 3, 4]
    assert [r.decision for r in results] == [
        common_pb2.DECISION_NEW,
        common_pb2.DECISION_UNSPECIFIED,
        common_pb2.DECISION_LINKED,
        common_pb2.DECISION_UNSPECIFIED,
        common_pb2.DECISION_NEW,
    ]
    assert results[4].outcome == pb.RECORD_OUTCOME_UNCHANGED
    assert results[0].customer == results[2].customer == results[4].customer
    assert results[1].error.code == "INVALID_ARGUMENT"
    assert [v.field for v in results[1].error.field_violations] == ["identifiers[0].value"]
    assert [v.field for v in results[3].error.field_violations] == ["source"]
    assert not results[0].HasField("error")


def test_an_empty_import_returns_no_results(identity: IdentityServiceStub) -> None:
    assert list(identity.ImportRecords(iter([]))) == []


def test_an_erased_identifier_fails_its_request_alone_and_the_batch_around_it_is_imported(
    identity: IdentityServiceStub, channel: grpc.Channel
) -> None:
    erased = identity.Resolve(record("crm", "gone", email("gone@example.com")))
    PrivacyServiceStub(channel).EraseCustomer(
        privacy_service_pb2.EraseCustomerRequest(name=erased.customer.name, reason="ticket 1")
    )
    requests = [
        record("crm", "1", phone("3125550100")),
        record("crm", "2", email("gone@example.com"), phone("3125550100")),
        record("crm", "3", phone("+1 312 555 0100"), email("a@example.com")),
    ]

    results = list(identity.ImportRecords(iter(requests)))

    assert [r.error.reason for r in results] == ["", "IDENTIFIER_SUPPRESSED", ""]
    assert results[1].error.code == "FAILED_PRECONDITION"
    assert results[0].customer == results[2].customer
    assert [r.decision for r in results] == [
        common_pb2.DECISION_NEW,
        common_pb2.DECISION_UNSPECIFIED,
        common_pb2.DECISION_LINKED,
    ]
    assert (
        identity.Lookup(
            identity_service_pb2.LookupRequest(identifiers=[email("gone@example.com")])
        ).found
        is False
    )


def test_an_import_into_an_emptied_store_compares_with_the_records_stored_now(
    identity: IdentityServiceStub, clean_database: str
) -> None:
    """The import keeps the records it decoded, by pk; an emptied or restored store numbers
    other records with the same pks and versions, and those are compared as they now read."""
    anna = record(
        "crm",
        "1",
        given_name="Anna",
        family_name="Berg",
        birth_date="1985-03-04",
        lives_at=address("4 Birch Rd"),
    )
    assert [r.decision for r in identity.ImportRecords(iter([anna]))] == [common_pb2.DECISION_NEW]
    truncate_all(clean_database)
    karla = identity.Resolve(
        record(
            "crm",
            "9",
            given_name="Karla",
            family_name="Olsen",
            birth_date="1950-01-09",
            lives_at=address("77 Pine Ave", postal_code="62704"),
        )
    )

    walk_in = record(
        "pos",
        "2",
        given_name="Karla",
        family_name="Olsen",
        birth_date="1950-01-09",
        lives_at=address("77 Pine Avenue", postal_code="62704"),
    )
    (result,) = identity.ImportRecords(iter([walk_in]))

    assert result.decision == common_pb2.DECISION_LINKED
    assert result.customer == karla.customer.name
