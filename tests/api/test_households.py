"""Households: people who share a landline or a mailbox are linked, never merged, and a call on
the shared line is answered with the candidates and the question that tells them apart."""

from __future__ import annotations

import grpc
import pytest

from singleview.v1 import common_pb2, identity_service_pb2, profile_service_pb2
from singleview.v1 import timeline_service_pb2 as tpb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from singleview.v1.timeline_service_pb2_grpc import TimelineServiceStub
from tests.support.builders import address, email, phone, record
from tests.support.status import rich_error

HOME = address("12 Oak St", postal_code="62701")
LANDLINE = "(217) 555-0142"
LANDLINE_E164 = "+12175550142"
MAILBOX = "thegarcias@example.com"
STORE_PHONE = "(312) 555-0100"


def _garcias(identity: IdentityServiceStub) -> dict[str, str]:
    """Maria, Luis and Sofia Garcia: one landline, one family mailbox, own mobiles."""
    people = {
        "Maria": ("1971-03-04", [phone("(217) 555-0191"), email(MAILBOX)]),
        "Luis": ("1969-11-20", [phone("(217) 555-0192"), email(MAILBOX)]),
        "Sofia": ("2001-06-15", [phone("(217) 555-0193")]),
    }
    names = {}
    for n, (given, (born, own)) in enumerate(people.items()):
        answer = identity.Resolve(
            record(
                "crm",
                f"g{n}",
                phone(LANDLINE),
                *own,
                given_name=given,
                family_name="Garcia",
                birth_date=born,
                lives_at=HOME,
            )
        )
        names[given] = answer.customer.name
    return names


def _said(given_name: str = "", birth_date: str = "") -> common_pb2.PersonAttributes:
    """What a caller answered."""
    return common_pb2.PersonAttributes(given_name=given_name, birth_date=birth_date)


def _context(
    timeline: TimelineServiceStub, *identifiers: common_pb2.Identifier, given_name: str = ""
) -> tpb.Context:
    return timeline.GetContext(
        tpb.GetContextRequest(
            identifiers=list(identifiers),
            channel=common_pb2.CHANNEL_VOICE,
            attributes=_said(given_name),
        )
    )


def test_a_household_of_three_on_one_landline_and_mailbox_is_linked_not_merged(
    identity: IdentityServiceStub, profiles: ProfileServiceStub
) -> None:
    garcias = _garcias(identity)

    assert len(set(garcias.values())) == 3
    household = profiles.GetHousehold(profile_service_pb2.GetHouseholdRequest(name=garcias["Luis"]))
    assert household.name.startswith("households/")
    assert sorted(m.customer for m in household.members) == sorted(garcias.values())
    shared = {(i.kind, i.value) for i in household.shared_identifiers}
    assert shared == {
        (common_pb2.IDENTIFIER_KIND_PHONE, LANDLINE_E164),
        (common_pb2.IDENTIFIER_KIND_EMAIL, MAILBOX),
    }
    for member in household.members:
        assert member.origin == common_pb2.HOUSEHOLD_MEMBER_ORIGIN_SHARED_IDENTIFIER
        assert member.evidence and member.evidence[0].identifier.value in {LANDLINE_E164, MAILBOX}
    by_name = profiles.GetHousehold(profile_service_pb2.GetHouseholdRequest(name=household.name))
    assert by_name == household


def test_an_ivr_call_on_the_landline_is_ambiguous_until_the_caller_gives_a_first_name(
    identity: IdentityServiceStub, timeline: TimelineServiceStub
) -> None:
    garcias = _garcias(identity)

    call = _context(timeline, phone(LANDLINE))

    assert call.decision == common_pb2.DECISION_AMBIGUOUS
    assert not call.known and not call.HasField("customer")
    assert sorted(c.customer for c in call.candidates) == sorted(garcias.values())
    assert call.question.attribute == common_pb2.VERIFICATION_ATTRIBUTE_GIVEN_NAME
    assert call.question.separates and call.question.prompt
    assert call.household.startswith("households/")
    assert not call.recent_interactions
    for name in ("Maria", "Luis", "Sofia", "Garcia", "1971"):
        assert name not in str(call.question)

    answered = _context(timeline, phone(LANDLINE), given_name="Luis")

    assert answered.known and answered.decision == common_pb2.DECISION_LINKED
    assert answered.customer.name == garcias["Luis"]
    assert answered.household == call.household


def test_lookup_on_the_family_mailbox_lists_ranked_candidates_and_resolves_an_answer(
    identity: IdentityServiceStub,
) -> None:
    garcias = _garcias(identity)

    ambiguous = identity.Lookup(identity_service_pb2.LookupRequest(identifiers=[email(MAILBOX)]))

    assert ambiguous.decision == common_pb2.DECISION_AMBIGUOUS and not ambiguous.found
    assert {c.customer for c in ambiguous.ranked_candidates} == {garcias["Maria"], garcias["Luis"]}
    scores = [c.score for c in ambiguous.ranked_candidates]
    assert scores == sorted(scores, reverse=True)
    assert ambiguous.question.attribute == common_pb2.VERIFICATION_ATTRIBUTE_GIVEN_NAME

    by_birth = identity.Lookup(
        identity_service_pb2.LookupRequest(
            identifiers=[email(MAILBOX)],
            attributes=common_pb2.PersonAttributes(birth_date="1971-03-04"),
        )
    )
    assert by_birth.decision == common_pb2.DECISION_LINKED
    assert by_birth.customer.name == garcias["Maria"]

    by_last4 = identity.Lookup(
        identity_service_pb2.LookupRequest(
            identifiers=[email(MAILBOX)],
            last4=common_pb2.IdentifierLast4(kind=common_pb2.IDENTIFIER_KIND_PHONE, digits="0192"),
        )
    )
    assert by_last4.decision == common_pb2.DECISION_LINKED
    assert by_last4.customer.name == garcias["Luis"]


def test_twins_are_ambiguous_on_birth_date_and_separated_by_given_name(
    identity: IdentityServiceStub,
) -> None:
    twins = {}
    for n, given in enumerate(("Ana", "Eva")):
        twins[given] = identity.Resolve(
            record(
                "crm",
                f"t{n}",
                phone("(217) 555-0177"),
                email(f"{given.lower()}.lopez@example.com"),
                given_name=given,
                family_name="Lopez",
                birth_date="1999-09-09",
                lives_at=HOME,
            )
        ).customer.name
    landline = phone("217 555 0177")

    def lookup(given_name: str = "", birth_date: str = "") -> identity_service_pb2.LookupResponse:
        return identity.Lookup(
            identity_service_pb2.LookupRequest(
                identifiers=[landline], attributes=_said(given_name, birth_date)
            )
        )

    on_birth = lookup(birth_date="1999-09-09")
    assert twins["Ana"] != twins["Eva"]
    assert on_birth.decision == common_pb2.DECISION_AMBIGUOUS
    assert {c.customer for c in on_birth.ranked_candidates} == set(twins.values())
    assert on_birth.question.attribute == common_pb2.VERIFICATION_ATTRIBUTE_GIVEN_NAME
    assert lookup().question.attribute == common_pb2.VERIFICATION_ATTRIBUTE_GIVEN_NAME

    answered = lookup(birth_date="1999-09-09", given_name="Eva")
    assert answered.decision == common_pb2.DECISION_LINKED
    assert answered.customer.name == twins["Eva"]


def test_a_store_phone_typed_for_walk_ins_is_generic_and_never_a_household(
    identity: IdentityServiceStub, profiles: ProfileServiceStub
) -> None:
    walk_ins = [
        ("Tom", "Smith", address("1 Elm St", postal_code="60601")),
        ("Jane", "Smith", address("9 Pine Rd", postal_code="60614")),
        ("Raj", "Patel", address("4 Lake Dr", postal_code="60657")),
        ("Lea", "Roth", None),
    ]
    names = [
        identity.Resolve(
            record("pos", f"w{n}", phone(STORE_PHONE), given_name=g, family_name=f, lives_at=a)
        ).customer.name
        for n, (g, f, a) in enumerate(walk_ins)
    ]

    assert len(set(names)) == len(walk_ins)
    for name in names:
        with pytest.raises(grpc.RpcError) as caught:
            profiles.GetHousehold(profile_service_pb2.GetHouseholdRequest(name=name))
        assert rich_error(caught.value).reason == "HOUSEHOLD_NOT_FOUND"
    looked_up = identity.Lookup(
        identity_service_pb2.LookupRequest(identifiers=[phone(STORE_PHONE)])
    )
    assert looked_up.decision != common_pb2.DECISION_AMBIGUOUS
    assert not looked_up.household and not looked_up.ranked_candidates


def test_a_bad_last4_answer_names_the_field(identity: IdentityServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        identity.Lookup(
            identity_service_pb2.LookupRequest(
                identifiers=[phone(LANDLINE)],
                last4=common_pb2.IdentifierLast4(digits="12a"),
            )
        )
    error = rich_error(caught.value)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert set(error.violations) == {"last4.kind", "last4.digits"}


def test_a_named_record_on_the_shared_line_links_to_the_member_it_names(
    identity: IdentityServiceStub,
) -> None:
    garcias = _garcias(identity)

    walk_in = identity.Resolve(
        record("pos", "p1", phone(LANDLINE), given_name="Luis", family_name="Garcia")
    )

    assert walk_in.decision == common_pb2.DECISION_LINKED
    assert walk_in.customer.name == garcias["Luis"]


def test_a_named_record_on_the_shared_line_seen_first_is_joined_by_its_person(
    identity: IdentityServiceStub,
) -> None:
    walk_in = identity.Resolve(
        record("pos", "p1", phone(LANDLINE), given_name="Luis", family_name="Garcia")
    )

    garcias = _garcias(identity)

    after = identity.Resolve(
        record("pos", "p1", phone(LANDLINE), given_name="Luis", family_name="Garcia")
    )
    assert after.customer.name == garcias["Luis"], (walk_in.customer.name, garcias)


def test_calls_nobody_named_yet_do_not_hide_a_member_named_on_the_shared_line(
    identity: IdentityServiceStub,
) -> None:
    """Nameless calls become the household's contacts, not people: the line is still held by
    a small group, and a record naming a member links to them."""
    garcias = _garcias(identity)
    for n in range(3):
        identity.Resolve(record("ivr", f"call-{n}", phone(LANDLINE)))

    walk_in = identity.Resolve(
        record("pos", "p1", phone(LANDLINE), given_name="Luis", family_name="Garcia")
    )

    assert walk_in.customer.name == garcias["Luis"]


def test_a_member_named_on_the_line_stays_with_them_once_the_line_is_found_shared(
    identity: IdentityServiceStub,
) -> None:
    """Re-evaluating a customer when its line turns out to be a household's weighs the line as
    a resolve does: the walk-in naming Robert on it stays Robert's, not a customer of its own."""
    robert = identity.Resolve(
        record(
            "crm",
            "r",
            phone("(404) 900-1111"),
            phone(LANDLINE),
            email("robert.clark@example.com"),
            given_name="Robert",
            family_name="Clark",
            birth_date="1952-09-27",
            lives_at=HOME,
        )
    )
    walk_in = identity.Resolve(
        record("pos", "w", phone(LANDLINE), given_name="Robert", family_name="Clark")
    )
    assert walk_in.customer.name == robert.customer.name

    identity.Resolve(
        record(
            "crm",
            "l",
            phone(LANDLINE),
            given_name="Linda",
            family_name="Clark",
            birth_date="1955-03-02",
            lives_at=HOME,
        )
    )

    again = identity.Resolve(
        record("pos", "w", phone(LANDLINE), given_name="Robert", family_name="Clark")
    )
    assert again.outcome == identity_service_pb2.RECORD_OUTCOME_UNCHANGED
    assert again.customer.name == robert.customer.name


def test_a_namesake_walking_in_on_the_store_phone_is_not_linked_by_it(
    identity: IdentityServiceStub,
) -> None:
    """Whoever holds a store phone so far shares neither a home nor a family name: it is a
    crowd's, however few, and says nothing about which Chloe Lefevre this is."""
    chloe = identity.Resolve(
        record(
            "web",
            "c",
            phone("(720) 961-7622"),
            email("chloelefevre86@example.com"),
            given_name="Chloe",
            family_name="Lefevre",
            birth_date="1986-05-09",
            lives_at=address("5140 Lake Rd", postal_code="80262"),
        )
    )
    identity.Resolve(
        record(
            "pos",
            "w1",
            phone(STORE_PHONE),
            given_name="Chloe",
            family_name="Lefevre",
            birth_date="1986-05-09",
            lives_at=address("5140 Lake Road", postal_code="80262"),
        )
    )
    identity.Resolve(
        record(
            "pos",
            "w2",
            phone(STORE_PHONE),
            given_name="Mark",
            family_name="Stone",
            lives_at=address("77 Birch Ave", postal_code="80203"),
        )
    )

    namesake = identity.Resolve(
        record("pos", "w3", phone(STORE_PHONE), given_name="Chloé", family_name="Lefèvre")
    )

    assert namesake.customer.name != chloe.customer.name


def test_a_record_that_changes_nothing_in_the_household_leaves_it_as_it_was(
    identity: IdentityServiceStub, profiles: ProfileServiceStub
) -> None:
    garcias = _garcias(identity)
    request = profile_service_pb2.GetHouseholdRequest(name=garcias["Maria"])
    before = profiles.GetHousehold(request)

    identity.Resolve(
        record(
            "pos",
            "visit-1",
            phone(LANDLINE),
            given_name="Maria",
            family_name="Garcia",
            birth_date="1971-03-04",
        )
    )

    assert profiles.GetHousehold(request) == before
