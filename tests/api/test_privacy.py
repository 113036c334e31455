"""Erasure removes a person everywhere for good, and export shows all that is held."""

from __future__ import annotations

import json
from collections.abc import Iterator

import grpc
import psycopg
import pytest

from singleview.config import PrivacySettings, Settings
from singleview.store.invariants import check_invariants
from singleview.v1 import common_pb2, identity_service_pb2, profile_service_pb2
from singleview.v1 import privacy_service_pb2 as pb
from singleview.v1 import timeline_service_pb2 as tpb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.privacy_service_pb2_grpc import PrivacyServiceStub
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from singleview.v1.timeline_service_pb2_grpc import TimelineServiceStub
from tests.support.builders import address, device, email, loyalty, phone, record
from tests.support.server import ServerThread
from tests.support.status import rich_error
from tests.support.timeline_builders import interaction
from tests.support.timeline_builders import record as contact

LANDLINE = "(217) 555-0142"
ANNA_EMAIL = "anna.novak.1999@example.com"
ANNA_MOBILE = "+1 312 555 0177"
ANNA_CARD = "7781 2290"
ANNA_STREET = "12 Larkspur Lane"
ANNA_SECRETS = ("anna.novak.1999", "+13125550177", "77812290", "Anna")
"""What only Anna's records hold (her twin shares her landline, family name and address)."""
ZERO_IDFA = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def privacy(channel: grpc.Channel) -> PrivacyServiceStub:
    return PrivacyServiceStub(channel)


@pytest.fixture
def timeline(channel: grpc.Channel) -> TimelineServiceStub:
    return TimelineServiceStub(channel)


def _anna(
    identity: IdentityServiceStub, timeline: TimelineServiceStub, profiles: ProfileServiceStub
) -> tuple[str, str]:
    """Anna (two merged customers, a record with history, an interaction), her twin Petra
    (sharing the landline: a review task between them). Returns (Anna's name, a merged name)."""
    home = address(ANNA_STREET)
    first = record(
        "crm",
        "anna",
        phone(LANDLINE),
        email(ANNA_EMAIL),
        given_name="Anna",
        family_name="Novak",
        birth_date="1999-03-03",
        lives_at=home,
    )
    first.observed_at.seconds = 1_700_000_000
    identity.Resolve(first)
    newer = record(
        "crm",
        "anna",
        phone(LANDLINE),
        email(ANNA_EMAIL),
        device("idfa", ZERO_IDFA),
        given_name="Anna",
        family_name="Novak",
        birth_date="1999-03-03",
        lives_at=home,
    )
    newer.observed_at.seconds = 1_700_000_100
    identity.Resolve(newer)
    card = identity.Resolve(record("pos", "card-1", loyalty("acme", ANNA_CARD)))
    bridge = identity.Resolve(
        record("app", "a-1", email(ANNA_EMAIL), loyalty("acme", ANNA_CARD), phone(ANNA_MOBILE))
    )
    assert bridge.decision == common_pb2.DECISION_MERGED
    petra = identity.Resolve(
        record(
            "crm",
            "petra",
            phone(LANDLINE),
            given_name="Petra",
            family_name="Novak",
            birth_date="1999-03-03",
            lives_at=home,
        )
    )
    assert petra.decision == common_pb2.DECISION_REVIEW
    timeline.RecordInteraction(
        contact(
            "ivr",
            "call-1",
            interaction(common_pb2.CHANNEL_VOICE, summary="Anna asks"),
            phone(ANNA_MOBILE),
        )
    )
    profiles.UpdatePreferences(
        profile_service_pb2.UpdatePreferencesRequest(
            customer=bridge.customer.name,
            source="store/042",
            preferred_channel=common_pb2.CHANNEL_EMAIL,
            consents=[
                common_pb2.ChannelConsent(
                    channel=common_pb2.CHANNEL_SMS, level=common_pb2.CONSENT_LEVEL_DO_NOT_CONTACT
                )
            ],
        )
    )
    merged = [n for n in (bridge.customer.name, card.customer.name) if n != bridge.customer.name]
    return bridge.customer.name, merged[0]


def _database_text(conninfo: str) -> str:
    """Every row of every table, as text: where personal data would show if any were left."""
    with psycopg.connect(conninfo) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        ]
        return "\n".join(
            str(row[0])
            for table in tables
            for row in conn.execute(f'SELECT t::text FROM "{table}" AS t'.encode()).fetchall()
        )


def test_erasure_removes_the_person_everywhere(
    identity: IdentityServiceStub,
    timeline: TimelineServiceStub,
    privacy: PrivacyServiceStub,
    profiles: ProfileServiceStub,
    clean_database: str,
) -> None:
    name, merged_name = _anna(identity, timeline, profiles)
    assert any(secret in _database_text(clean_database) for secret in ANNA_SECRETS)

    erased = privacy.EraseCustomer(pb.EraseCustomerRequest(name=name, reason="ticket 4711"))

    assert set(erased.erased) == {name, merged_name}
    assert (erased.records_erased, erased.interactions_erased) == (4, 1)
    text = _database_text(clean_database)
    assert [s for s in ANNA_SECRETS if s in text] == []
    for gone in (name, merged_name):
        with pytest.raises(grpc.RpcError) as raised:
            profiles.GetCustomer(profile_service_pb2.GetCustomerRequest(name=gone))
        assert rich_error(raised.value).code == grpc.StatusCode.NOT_FOUND
    assert not identity.Lookup(
        identity_service_pb2.LookupRequest(identifiers=[email(ANNA_EMAIL)])
    ).found
    assert check_invariants(clean_database) == []


def test_erasure_leaves_one_audit_entry_without_personal_data(
    identity: IdentityServiceStub,
    timeline: TimelineServiceStub,
    privacy: PrivacyServiceStub,
    profiles: ProfileServiceStub,
    clean_database: str,
) -> None:
    name, _ = _anna(identity, timeline, profiles)
    privacy.EraseCustomer(pb.EraseCustomerRequest(name=name, reason="ticket 4711"))

    with psycopg.connect(clean_database) as conn:
        rows = conn.execute(
            "SELECT customers, reason, after FROM audit_event WHERE action = 'ERASE'"
        ).fetchall()
    [(customers, reason, after)] = rows
    assert f"customers/{customers[0]}" in (name, *[f"customers/{c}" for c in customers])
    assert reason == "ticket 4711"
    assert after["records"] == 4
    assert not any(secret in json.dumps(after) for secret in ANNA_SECRETS)


def test_erased_identifiers_are_rejected_when_they_come_back(
    identity: IdentityServiceStub,
    timeline: TimelineServiceStub,
    privacy: PrivacyServiceStub,
    profiles: ProfileServiceStub,
) -> None:
    name, _ = _anna(identity, timeline, profiles)
    privacy.EraseCustomer(pb.EraseCustomerRequest(name=name))

    for again in (
        record("web", "w-1", email(ANNA_EMAIL.upper())),
        record("web", "w-2", phone("(312) 555-0177"), given_name="Anna"),
        record("pos", "card-1", loyalty("acme", ANNA_CARD)),
    ):
        with pytest.raises(grpc.RpcError) as raised:
            identity.Resolve(again)
        error = rich_error(raised.value)
        assert (error.code, error.reason) == (
            grpc.StatusCode.FAILED_PRECONDITION,
            "IDENTIFIER_SUPPRESSED",
        )
    with pytest.raises(grpc.RpcError) as raised:
        timeline.RecordInteraction(
            contact("sms", "s-1", interaction(common_pb2.CHANNEL_SMS), phone(ANNA_MOBILE))
        )
    assert rich_error(raised.value).reason == "IDENTIFIER_SUPPRESSED"


def test_shared_generic_and_placeholder_identifiers_are_not_suppressed(
    identity: IdentityServiceStub,
    timeline: TimelineServiceStub,
    privacy: PrivacyServiceStub,
    profiles: ProfileServiceStub,
    clean_database: str,
) -> None:
    name, _ = _anna(identity, timeline, profiles)
    erased = privacy.EraseCustomer(pb.EraseCustomerRequest(name=name))

    assert erased.identifiers_suppressed == 3  # email, mobile, loyalty card
    identity.Resolve(record("crm", "petra-2", phone(LANDLINE), given_name="Petra"))
    identity.Resolve(record("app", "other", device("idfa", ZERO_IDFA), given_name="Omar"))
    with psycopg.connect(clean_database) as conn:
        stored = conn.execute("SELECT digest, kind FROM suppressed_identifier").fetchall()
    assert sorted(kind for _, kind in stored) == ["EMAIL", "LOYALTY_ID", "PHONE"]
    assert all(len(digest) == 64 for digest, _ in stored)


def test_erasing_twice_with_a_request_id_answers_the_same(
    identity: IdentityServiceStub, privacy: PrivacyServiceStub
) -> None:
    name = identity.Resolve(record("crm", "1", email(ANNA_EMAIL))).customer.name
    request = pb.EraseCustomerRequest(name=name, reason="gdpr 1", request_id="erase-1")

    first = privacy.EraseCustomer(request)
    again = privacy.EraseCustomer(request)

    assert again == first
    with pytest.raises(grpc.RpcError) as raised:
        privacy.EraseCustomer(pb.EraseCustomerRequest(name=name))
    assert rich_error(raised.value).reason == "CUSTOMER_NOT_FOUND"
    with pytest.raises(grpc.RpcError) as raised:
        privacy.EraseCustomer(pb.EraseCustomerRequest(name="customers/other", request_id="erase-1"))
    assert rich_error(raised.value).reason == "REQUEST_ID_REUSED"


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (pb.EraseCustomerRequest(), "name"),
        (pb.EraseCustomerRequest(name="customer/1"), "name"),
        (pb.EraseCustomerRequest(name="customers/abc", reason="x" * 600), "reason"),
        (pb.EraseCustomerRequest(name="customers/abc", request_id="a\x00b"), "request_id"),
    ],
)
def test_bad_erase_requests_are_invalid(
    privacy: PrivacyServiceStub, request_: pb.EraseCustomerRequest, field: str
) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        privacy.EraseCustomer(request_)
    error = rich_error(raised.value)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert field in error.violations


def test_watchers_hear_the_erasure_and_their_stream_ends(
    identity: IdentityServiceStub, timeline: TimelineServiceStub, privacy: PrivacyServiceStub
) -> None:
    name = identity.Resolve(record("crm", "1", email(ANNA_EMAIL))).customer.name
    call = timeline.WatchCustomer(tpb.WatchCustomerRequest(name=name), timeout=60)
    call.initial_metadata()

    privacy.EraseCustomer(pb.EraseCustomerRequest(name=name))

    events = list(call)
    assert [e.kind for e in events] == [tpb.CUSTOMER_EVENT_KIND_CUSTOMER_ERASED]
    assert events[0].customer == name


def test_export_returns_everything_held(
    identity: IdentityServiceStub,
    timeline: TimelineServiceStub,
    privacy: PrivacyServiceStub,
    profiles: ProfileServiceStub,
    clean_database: str,
) -> None:
    name, merged_name = _anna(identity, timeline, profiles)

    document = json.loads(privacy.ExportCustomer(pb.ExportCustomerRequest(name=merged_name)).json)

    assert document["format"] == "singleview.export.v1"
    assert document["customer"] == name
    assert {c["name"] for c in document["customers"]} == {name, merged_name}
    by_ref = {(r["source"], r["record_id"]): r for r in document["records"]}
    assert {"crm", "pos", "app", "ivr"} == {source for source, _ in by_ref}
    assert [h["version"] for h in by_ref[("crm", "anna")]["history"]] == [1]
    assert by_ref[("crm", "anna")]["attributes"]["address"]["lines"] == [ANNA_STREET]
    values = {i["value"] for i in document["identifiers"]}
    assert {"+13125550177", "77812290"} <= values
    assert [i["summary"] for i in document["interactions"]] == ["Anna asks"]
    assert len(document["conversations"]) == 1
    assert len(document["review_tasks"]) == 1
    assert [p["preferred_channel"] for p in document["preferences"]] == ["EMAIL"]
    assert [(c["channel"], c["level"]) for c in document["consents"]] == [("SMS", "DO_NOT_CONTACT")]
    assert "MERGE" in {e["action"] for e in document["audit_events"]}
    with psycopg.connect(clean_database) as conn:
        exports = conn.execute("SELECT count(*) FROM audit_event WHERE action = 'EXPORT'")
        assert exports.fetchone() == (1,)


def test_export_of_an_unknown_customer_is_not_found(privacy: PrivacyServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        privacy.ExportCustomer(pb.ExportCustomerRequest(name="customers/nobody"))
    assert rich_error(raised.value).reason == "CUSTOMER_NOT_FOUND"


@pytest.fixture(scope="module")
def allowing_server(database_url: str) -> Iterator[ServerThread]:
    settings = Settings(privacy=PrivacySettings(suppressed_identifiers="allow"))
    running = ServerThread(database_url, settings).start()
    yield running
    running.stop()


def test_under_the_allow_policy_a_returning_identifier_builds_a_new_audited_profile(
    allowing_server: ServerThread, clean_database: str
) -> None:
    with grpc.insecure_channel(allowing_server.target) as ch:
        identity, privacy = IdentityServiceStub(ch), PrivacyServiceStub(ch)
        old = identity.Resolve(record("crm", "1", email(ANNA_EMAIL))).customer.name
        privacy.EraseCustomer(pb.EraseCustomerRequest(name=old))

        new = identity.Resolve(record("crm", "1", email(ANNA_EMAIL)))

    assert new.decision == common_pb2.DECISION_NEW and new.customer.name != old
    with psycopg.connect(clean_database) as conn:
        lifted = conn.execute(
            "SELECT customers FROM audit_event WHERE action = 'SUPPRESSION_LIFTED'"
        ).fetchall()
        left = conn.execute("SELECT count(*) FROM suppressed_identifier").fetchone()
    assert lifted == [([new.customer.name.removeprefix("customers/")],)]
    assert left == (0,)


def test_every_table_that_points_at_a_customer_or_record_is_covered_by_erasure(
    clean_database: str,
) -> None:
    """A new table with a foreign key to customer or source_record must be erased too: add it to
    store/privacy.sql (delete_*) or give its key ON DELETE CASCADE / SET NULL, then list it here."""
    with psycopg.connect(clean_database) as conn:
        rows = conn.execute(
            """SELECT c.conrelid::regclass::text, c.confrelid::regclass::text, c.confdeltype
               FROM pg_constraint AS c
               WHERE c.contype = 'f'
                 AND c.confrelid IN ('customer'::regclass, 'source_record'::regclass)"""
        ).fetchall()
    erased_by_statement = {
        "customer",
        "source_record",
        "review_task",
        "conversation",
        "interaction",
    }
    cascading = {"c", "n"}  # ON DELETE CASCADE, SET NULL
    uncovered = {
        (table, target)
        for table, target, action in rows
        if table not in erased_by_statement and action not in cascading
    }
    assert uncovered == set()
