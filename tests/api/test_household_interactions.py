"""A household's interactions and membership: contacts on the shared line are the household's
until someone settles who called; stewards add, remove and re-attribute; membership follows
merges, splits and erasure."""

from __future__ import annotations

import json

import grpc
import pytest

from singleview.v1 import (
    common_pb2,
    privacy_service_pb2,
    profile_service_pb2,
    steward_service_pb2,
)
from singleview.v1 import timeline_service_pb2 as tpb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.privacy_service_pb2_grpc import PrivacyServiceStub
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from singleview.v1.steward_service_pb2_grpc import StewardServiceStub
from singleview.v1.timeline_service_pb2_grpc import TimelineServiceStub
from tests.support import timeline_builders as tb
from tests.support.builders import address, phone, record
from tests.support.status import rich_error

HOME = address("7 Birch Ave", postal_code="62702")
LANDLINE = "(217) 555-0150"


@pytest.fixture
def steward(channel: grpc.Channel) -> StewardServiceStub:
    return StewardServiceStub(channel)


def _family(identity: IdentityServiceStub, *given: str) -> dict[str, str]:
    return {
        name: identity.Resolve(
            record(
                "crm",
                f"k{n}",
                phone(LANDLINE),
                phone(f"(217) 555-02{n:02d}"),
                given_name=name,
                family_name="Kim",
                birth_date=f"19{70 + n}-01-0{n + 1}",
                lives_at=HOME,
            )
        ).customer.name
        for n, name in enumerate(given)
    }


def _household(profiles: ProfileServiceStub, name: str) -> common_pb2.Household:
    return profiles.GetHousehold(profile_service_pb2.GetHouseholdRequest(name=name))


def _ivr_call(timeline: TimelineServiceStub, event: str) -> tpb.RecordInteractionResponse:
    return timeline.RecordInteraction(
        tb.record("ivr", event, tb.interaction(common_pb2.CHANNEL_VOICE), phone(LANDLINE))
    )


def _interactions(timeline: TimelineServiceStub, customer: str) -> list[str]:
    page = timeline.ListInteractions(tpb.ListInteractionsRequest(parent=customer, page_size=50))
    return [i.name.rsplit("/", 1)[1] for i in page.interactions]


def test_a_call_on_the_shared_line_is_the_households_until_the_channel_names_the_caller(
    identity: IdentityServiceStub, timeline: TimelineServiceStub, profiles: ProfileServiceStub
) -> None:
    kims = _family(identity, "Min", "Joon")

    call = _ivr_call(timeline, "call-1")

    assert call.decision == common_pb2.DECISION_AMBIGUOUS
    household = _household(profiles, kims["Min"])
    assert call.household == household.name
    assert list(household.contacts) == [call.customer]
    assert call.customer not in kims.values()
    conversation = call.interaction.conversation_id
    for member in kims.values():
        seen = timeline.GetContext(tpb.GetContextRequest(customer=member))
        assert conversation in {c.name for c in seen.open_conversations}
        assert seen.household == household.name
    ambiguous = timeline.GetContext(tpb.GetContextRequest(identifiers=[phone(LANDLINE)]))
    assert ambiguous.decision == common_pb2.DECISION_AMBIGUOUS
    assert [c.name for c in ambiguous.open_conversations] == [conversation]

    timeline.RecordInteraction(
        tb.record(
            "ivr",
            "call-1-agent",
            tb.interaction(common_pb2.CHANNEL_VOICE, conversation_id=conversation),
            phone(LANDLINE),
            customer=kims["Joon"],
        )
    )

    joons = _interactions(timeline, kims["Joon"])
    assert call.interaction.name.rsplit("/", 1)[1] in joons
    assert not _interactions(timeline, kims["Min"])
    assert not _interactions(timeline, call.customer)


def test_a_steward_reattributes_the_households_conversations_once_with_audit(
    identity: IdentityServiceStub,
    timeline: TimelineServiceStub,
    steward: StewardServiceStub,
    profiles: ProfileServiceStub,
) -> None:
    kims = _family(identity, "Min", "Joon")
    call = _ivr_call(timeline, "call-2")
    household = _household(profiles, kims["Joon"])
    request = steward_service_pb2.ReattributeInteractionsRequest(
        household=household.name,
        customer=kims["Min"],
        reason="ticket 81: caller confirmed on callback",
        request_id="reattr-1",
    )

    moved = steward.ReattributeInteractions(request)
    again = steward.ReattributeInteractions(request)

    assert list(moved.conversations) == [call.interaction.conversation_id]
    assert again == moved
    assert _interactions(timeline, kims["Min"]) == [call.interaction.name.rsplit("/", 1)[1]]
    audit = steward.ListAuditEvents(
        steward_service_pb2.ListAuditEventsRequest(customer=kims["Min"], page_size=20)
    )
    assert [e.action for e in audit.audit_events].count("REATTRIBUTE") == 1
    with pytest.raises(grpc.RpcError) as caught:
        steward.ReattributeInteractions(
            steward_service_pb2.ReattributeInteractionsRequest(
                household=household.name, customer=call.customer, reason="not a member"
            )
        )
    assert rich_error(caught.value).reason == "NOT_A_HOUSEHOLD_MEMBER"


def test_a_steward_adds_and_removes_members_and_a_removed_member_stays_out(
    identity: IdentityServiceStub, steward: StewardServiceStub, profiles: ProfileServiceStub
) -> None:
    kims = _family(identity, "Min", "Joon", "Hana")
    lodger = identity.Resolve(
        record("crm", "lodger", given_name="Sam", family_name="Ortiz", birth_date="1990-02-02")
    ).customer.name
    household = _household(profiles, kims["Min"])

    added = steward.AddHouseholdMember(
        steward_service_pb2.AddHouseholdMemberRequest(
            household=household.name, customer=lodger, reason="lodger", request_id="add-1"
        )
    )
    removed = steward.RemoveHouseholdMember(
        steward_service_pb2.RemoveHouseholdMemberRequest(
            household=household.name, customer=kims["Hana"], reason="moved out"
        )
    )
    identity.Resolve(
        record(
            "web",
            "hana-again",
            phone(LANDLINE),
            given_name="Hana",
            family_name="Kim",
            lives_at=HOME,
        )
    )

    origins = {m.customer: m.origin for m in added.members}
    assert origins[lodger] == common_pb2.HOUSEHOLD_MEMBER_ORIGIN_STEWARD
    assert kims["Hana"] not in {m.customer for m in removed.members}
    assert {m.customer for m in _household(profiles, household.name).members} == {
        kims["Min"],
        kims["Joon"],
        lodger,
    }
    with pytest.raises(grpc.RpcError) as caught:
        steward.AddHouseholdMember(
            steward_service_pb2.AddHouseholdMemberRequest(household="households/", customer="x")
        )
    error = rich_error(caught.value)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert {"household", "customer", "reason"} <= set(error.violations)


def test_membership_follows_a_merge_and_erasure_dissolves_a_household_of_one(
    identity: IdentityServiceStub,
    steward: StewardServiceStub,
    profiles: ProfileServiceStub,
    channel: grpc.Channel,
) -> None:
    kims = _family(identity, "Min", "Joon")
    household = _household(profiles, kims["Min"])
    duplicate = identity.Resolve(
        record("pos", "min-2", given_name="Mina", family_name="Kimura", birth_date="1999-12-12")
    ).customer.name

    survivor = steward.MergeCustomers(
        steward_service_pb2.MergeCustomersRequest(
            names=[kims["Min"], duplicate], reason="same person", request_id="merge-1"
        )
    )
    members = {m.customer for m in _household(profiles, household.name).members}
    assert members == {survivor.name, kims["Joon"]}
    split = steward.SplitCustomer(
        steward_service_pb2.SplitCustomerRequest(
            name=survivor.name,
            records=[common_pb2.SourceRecordRef(source="pos", record_id="min-2")],
            reason="not the same person after all",
        )
    )
    members = {m.customer for m in _household(profiles, household.name).members}
    assert members == {split.remaining.name, kims["Joon"]}
    assert split.split_off.name not in members
    privacy = PrivacyServiceStub(channel)
    exported = json.loads(
        privacy.ExportCustomer(privacy_service_pb2.ExportCustomerRequest(name=kims["Joon"])).json
    )
    assert [m["household_id"] for m in exported["households"]] == [
        household.name.removeprefix("households/")
    ]

    privacy.EraseCustomer(
        privacy_service_pb2.EraseCustomerRequest(name=kims["Joon"], reason="ticket 12")
    )
    with pytest.raises(grpc.RpcError) as caught:
        _household(profiles, household.name)
    assert rich_error(caught.value).reason == "HOUSEHOLD_NOT_FOUND"
