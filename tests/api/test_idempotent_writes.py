"""Every write RPC replayed with its idempotency key answers as the first call did and changes
nothing: the whole store (every row of every table) is the same after the replay as before.

This is what makes the retries of the published service config safe: a client that lost the
answer of a committed write and sends it again gets the same answer, once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import grpc
import psycopg
import pytest
from google.protobuf.message import Message

from singleview.v1 import (
    common_pb2,
    identity_service_pb2,
    privacy_service_pb2,
    profile_service_pb2,
    steward_service_pb2,
    timeline_service_pb2,
)
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.privacy_service_pb2_grpc import PrivacyServiceStub
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from singleview.v1.steward_service_pb2_grpc import StewardServiceStub
from singleview.v1.timeline_service_pb2_grpc import TimelineServiceStub
from tests.support import timeline_builders as tl
from tests.support.builders import address, email, phone, record
from tests.support.rpc import WRITE_METHODS
from tests.support.stewardship import open_task, uncertain_pair


@dataclass
class Stubs:
    identity: IdentityServiceStub
    profiles: ProfileServiceStub
    timeline: TimelineServiceStub
    steward: StewardServiceStub
    privacy: PrivacyServiceStub

    def ann(self) -> str:
        """A customer with two records and an interaction; returns its name."""
        ann = self.identity.Resolve(record("crm", "a1", phone("3125550100"), given_name="Ann"))
        self.identity.Resolve(record("pos", "a2", phone("3125550100"), email("ann@example.com")))
        self.timeline.RecordInteraction(
            tl.record(
                "ivr", "call-1", tl.interaction(common_pb2.CHANNEL_VOICE), phone("3125550100")
            )
        )
        return ann.customer.name


Write = Callable[[Stubs], Callable[[], Message]]
"""Prepares what the write needs, then returns the call to make twice."""


def _resolve(s: Stubs) -> Callable[[], Message]:
    return lambda: s.identity.Resolve(record("crm", "1", phone("3125550100"), given_name="Ann"))


def _import(s: Stubs) -> Callable[[], Message]:
    requests = [
        record("crm", "1", phone("3125550100")),
        record("crm", "2", phone("3125550100"), email("ann@example.com")),
    ]

    def call() -> Message:
        results = list(s.identity.ImportRecords(iter(requests)))
        return identity_service_pb2.ImportResult(index=len(results), customer=results[-1].customer)

    return call


def _record_interaction(s: Stubs) -> Callable[[], Message]:
    request = tl.record(
        "ivr", "call-9", tl.interaction(common_pb2.CHANNEL_VOICE), phone("3125550100")
    )
    return lambda: s.timeline.RecordInteraction(request)


def _update_interaction(s: Stubs) -> Callable[[], Message]:
    recorded = s.timeline.RecordInteraction(
        tl.record("chat", "c-1", tl.interaction(common_pb2.CHANNEL_CHAT), phone("3125550100"))
    )
    request = tl.update(
        recorded.interaction.name, "state", state=timeline_service_pb2.INTERACTION_STATE_CLOSED
    )
    request.request_id = "close-1"
    return lambda: s.timeline.UpdateInteraction(request)


def _record_visit(s: Stubs) -> Callable[[], Message]:
    request = profile_service_pb2.RecordVisitRequest(
        source="clienteling-eu",
        visit_id="v-1",
        identifiers=[phone("3125550100")],
        visit=profile_service_pb2.StoreVisit(store_id="store-042", purpose="fitting"),
    )
    return lambda: s.profiles.RecordVisit(request)


def _update_preferences(s: Stubs) -> Callable[[], Message]:
    request = profile_service_pb2.UpdatePreferencesRequest(
        customer=s.ann(),
        source="store/042",
        preferred_channel=common_pb2.CHANNEL_EMAIL,
        request_id="prefs-1",
    )
    return lambda: s.profiles.UpdatePreferences(request)


def _decide(s: Stubs) -> Callable[[], Message]:
    task = open_task(s.steward, uncertain_pair(s.identity))
    request = steward_service_pb2.DecideReviewTaskRequest(
        name=task.name,
        verdict=steward_service_pb2.VERDICT_DIFFERENT,
        reason="called them",
        request_id="decide-1",
    )
    return lambda: s.steward.DecideReviewTask(request)


def _merge(s: Stubs) -> Callable[[], Message]:
    one = s.identity.Resolve(record("crm", "1", phone("3125550100"))).customer.name
    two = s.identity.Resolve(record("crm", "2", email("bo@example.com"))).customer.name
    request = steward_service_pb2.MergeCustomersRequest(
        names=[one, two], reason="same person", request_id="merge-1"
    )
    return lambda: s.steward.MergeCustomers(request)


def _split(s: Stubs) -> Callable[[], Message]:
    request = steward_service_pb2.SplitCustomerRequest(
        name=s.ann(),
        records=[common_pb2.SourceRecordRef(source="pos", record_id="a2")],
        reason="two people",
        request_id="split-1",
    )
    return lambda: s.steward.SplitCustomer(request)


def _erase(s: Stubs) -> Callable[[], Message]:
    request = privacy_service_pb2.EraseCustomerRequest(
        name=s.ann(), reason="ticket 4711", request_id="erase-1"
    )
    return lambda: s.privacy.EraseCustomer(request)


def _kims(s: Stubs) -> tuple[str, dict[str, str]]:
    """A household of two Kims on one landline, an IVR call on it, and a lodger; returns the
    household's name and the customers by given name."""
    names = {
        given: s.identity.Resolve(
            record(
                "crm",
                f"k{n}",
                phone("(217) 555-0150"),
                phone(f"(217) 555-020{n}"),
                given_name=given,
                family_name="Kim",
                birth_date=f"197{n}-01-0{n + 1}",
                lives_at=address("7 Birch Ave", postal_code="62702"),
            )
        ).customer.name
        for n, given in enumerate(("Min", "Joon"))
    }
    names["Sam"] = s.identity.Resolve(
        record("crm", "lodger", given_name="Sam", family_name="Ortiz", birth_date="1990-02-02")
    ).customer.name
    s.timeline.RecordInteraction(
        tl.record("ivr", "call-9", tl.interaction(common_pb2.CHANNEL_VOICE), phone("2175550150"))
    )
    household = s.profiles.GetHousehold(profile_service_pb2.GetHouseholdRequest(name=names["Min"]))
    return household.name, names


def _add_member(s: Stubs) -> Callable[[], Message]:
    household, names = _kims(s)
    request = steward_service_pb2.AddHouseholdMemberRequest(
        household=household, customer=names["Sam"], reason="lodger", request_id="add-1"
    )
    return lambda: s.steward.AddHouseholdMember(request)


def _remove_member(s: Stubs) -> Callable[[], Message]:
    household, names = _kims(s)
    request = steward_service_pb2.RemoveHouseholdMemberRequest(
        household=household, customer=names["Joon"], reason="moved out", request_id="rm-1"
    )
    return lambda: s.steward.RemoveHouseholdMember(request)


def _reattribute(s: Stubs) -> Callable[[], Message]:
    household, names = _kims(s)
    request = steward_service_pb2.ReattributeInteractionsRequest(
        household=household, customer=names["Min"], reason="caller confirmed", request_id="re-1"
    )
    return lambda: s.steward.ReattributeInteractions(request)


WRITES: dict[str, Write] = {
    "Resolve": _resolve,
    "ImportRecords": _import,
    "RecordInteraction": _record_interaction,
    "UpdateInteraction": _update_interaction,
    "RecordVisit": _record_visit,
    "UpdatePreferences": _update_preferences,
    "DecideReviewTask": _decide,
    "MergeCustomers": _merge,
    "SplitCustomer": _split,
    "EraseCustomer": _erase,
    "AddHouseholdMember": _add_member,
    "RemoveHouseholdMember": _remove_member,
    "ReattributeInteractions": _reattribute,
}

_VOLATILE = {"outcome"}
"""Answer fields that say whether this call was the first (RECORD_OUTCOME_UNCHANGED on a replay)."""


def _store(conninfo: str) -> dict[str, str]:
    """A digest of every row of every table."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename <> 'schema_migration' ORDER BY tablename"
            ).fetchall()
        ]
        digests = {}
        for table in tables:
            row = conn.execute(
                f"SELECT md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), ''))"
                f' FROM "{table}" AS t'.encode()
            ).fetchone()
            digests[table] = str(row[0]) if row else ""
        return digests


def _answer(message: Message) -> Message:
    for name in _VOLATILE:
        if name in message.DESCRIPTOR.fields_by_name:
            message.ClearField(name)
    return message


@pytest.mark.parametrize("method", sorted(WRITES))
def test_a_write_replayed_with_its_key_answers_the_same_and_changes_nothing(
    method: str, channel: grpc.Channel, clean_database: str
) -> None:
    stubs = Stubs(
        IdentityServiceStub(channel),
        ProfileServiceStub(channel),
        TimelineServiceStub(channel),
        StewardServiceStub(channel),
        PrivacyServiceStub(channel),
    )
    call = WRITES[method](stubs)
    first = _answer(call())
    before = _store(clean_database)

    replayed = _answer(call())

    assert replayed == first
    after = _store(clean_database)
    assert {t for t in before if before[t] != after[t]} == set()


def test_every_write_rpc_is_replayed_here() -> None:
    assert {method.split("/")[1] for method in WRITE_METHODS} == set(WRITES)


def test_an_older_version_sent_again_is_archived_once(
    channel: grpc.Channel, clean_database: str
) -> None:
    """A stale version is kept as history, never applied; its retry (or a re-import of the
    same file) adds nothing more."""
    identity = IdentityServiceStub(channel)
    newer = record("crm", "1", phone("3125550100"), given_name="Anne")
    newer.observed_at.seconds = 200
    older = record("crm", "1", phone("3125550100"), given_name="Ann")
    older.observed_at.seconds = 100
    identity.Resolve(newer)
    first = identity.Resolve(older)
    before = _store(clean_database)

    again = identity.Resolve(older)

    assert again.outcome == first.outcome == identity_service_pb2.RECORD_OUTCOME_STALE
    after = _store(clean_database)
    assert {t for t in before if before[t] != after[t]} == set()
