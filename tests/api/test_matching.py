"""Resolve with fuzzy matching: people found without shared identifiers, strangers kept apart."""

from __future__ import annotations

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from singleview.v1 import common_pb2, identity_service_pb2, steward_service_pb2
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.steward_service_pb2_grpc import StewardServiceStub
from tests.support.builders import address, email, loyalty, phone, record

HOME = address("12 Oak St")
LANDLINE = "(217) 555-0142"


def test_a_nickname_with_the_same_birth_date_and_address_links_without_identifiers(
    identity: IdentityServiceStub,
) -> None:
    robert = identity.Resolve(
        record(
            "crm",
            "1",
            email("rsmith@example.com"),
            given_name="Robert",
            family_name="Smith",
            birth_date="1980-05-02",
            lives_at=HOME,
        )
    )
    bob = identity.Resolve(
        record(
            "pos",
            "9",
            given_name="Bob",
            family_name="Smith",
            birth_date="1980-05-02",
            lives_at=address("12 Oak Street"),
        )
    )

    assert bob.decision == common_pb2.DECISION_LINKED
    assert bob.customer.name == robert.customer.name
    levels = {
        e.field: e.level for e in bob.evidence if e.kind == common_pb2.EVIDENCE_KIND_COMPARISON
    }
    assert "given_name" in levels and levels["given_name"] != "exact"
    assert levels["total"] == "link"


def test_typos_and_dropped_diacritics_still_link(identity: IdentityServiceStub) -> None:
    first = identity.Resolve(
        record(
            "crm",
            "1",
            given_name="José",
            family_name="Müller",
            birth_date="1975-11-30",
            lives_at=HOME,
        )
    )
    second = identity.Resolve(
        record(
            "web",
            "2",
            given_name="Jose",
            family_name="Muller",
            birth_date="1975-11-30",
            lives_at=HOME,
        )
    )

    assert second.customer.name == first.customer.name


def test_household_members_on_one_landline_stay_apart_and_the_line_becomes_generic(
    identity: IdentityServiceStub,
) -> None:
    maria = identity.Resolve(
        record(
            "crm",
            "m",
            phone(LANDLINE),
            email("maria@example.com"),
            given_name="Maria",
            family_name="Garcia",
            birth_date="1970-02-14",
            lives_at=HOME,
        )
    )
    luis = identity.Resolve(
        record(
            "crm",
            "l",
            phone(LANDLINE),
            email("luis@example.com"),
            given_name="Luis",
            family_name="Garcia",
            birth_date="1968-07-09",
            lives_at=HOME,
        )
    )

    assert luis.customer.name != maria.customer.name
    assert luis.decision in (common_pb2.DECISION_NEW, common_pb2.DECISION_REVIEW)
    generic = [e for e in luis.evidence if e.level == "generic"]
    assert [e.identifier.value for e in generic] == ["+12175550142"]
    later = identity.Resolve(record("ivr", "call-1", phone(LANDLINE)))
    assert later.customer.name not in (maria.customer.name, luis.customer.name)


def test_twins_sharing_a_phone_and_address_are_never_merged(identity: IdentityServiceStub) -> None:
    anna = identity.Resolve(
        record(
            "crm",
            "a",
            phone(LANDLINE),
            given_name="Anna",
            family_name="Novak",
            birth_date="1999-03-03",
            lives_at=HOME,
        )
    )
    petra = identity.Resolve(
        record(
            "crm",
            "p",
            phone(LANDLINE),
            given_name="Petra",
            family_name="Novak",
            birth_date="1999-03-03",
            lives_at=HOME,
        )
    )

    assert petra.customer.name != anna.customer.name
    assert petra.decision == common_pb2.DECISION_REVIEW


def test_a_store_default_phone_on_walk_ins_links_nobody(identity: IdentityServiceStub) -> None:
    store_phone = "(312) 555-0199"
    names = [("Ann", "Lee"), ("Omar", "Haddad"), ("Yuki", "Tanaka"), ("Piotr", "Nowak")]
    customers = {
        identity.Resolve(
            record("pos", f"walk-in-{n}", phone(store_phone), given_name=given, family_name=family)
        ).customer.name
        for n, (given, family) in enumerate(names)
    }

    assert len(customers) == len(names)


def test_a_shared_email_with_a_conflicting_birth_date_and_name_does_not_merge(
    identity: IdentityServiceStub,
) -> None:
    first = identity.Resolve(
        record(
            "crm",
            "1",
            email("family@example.com"),
            given_name="Oliver",
            family_name="Brown",
            birth_date="1950-01-20",
        )
    )
    second = identity.Resolve(
        record(
            "web",
            "2",
            email("family@example.com"),
            given_name="Emma",
            family_name="Brown",
            birth_date="1988-09-12",
        )
    )

    assert second.customer.name != first.customer.name


def test_a_customer_merged_through_a_shared_line_is_split_once_the_line_is_known_generic(
    identity: IdentityServiceStub,
) -> None:
    ann = identity.Resolve(
        record(
            "crm",
            "ann",
            phone(LANDLINE),
            given_name="Ann",
            family_name="Lee",
            birth_date="1980-01-01",
        )
    )
    # Nothing says this app sign-up is someone else: it links through the landline.
    app = identity.Resolve(record("app", "u-7", phone(LANDLINE), email("ben@example.com")))
    assert app.customer.name == ann.customer.name

    ben = identity.Resolve(
        record(
            "web",
            "ben",
            phone(LANDLINE),
            email("ben@example.com"),
            given_name="Ben",
            family_name="Lee",
            birth_date="2004-06-30",
        )
    )

    assert ben.customer.name != ann.customer.name
    assert {(r.source, r.record_id) for r in ben.customer.records} == {
        ("app", "u-7"),
        ("web", "ben"),
    }


def test_explain_customer_says_why_each_record_is_there(
    identity: IdentityServiceStub, channel: grpc.Channel
) -> None:
    first = identity.Resolve(record("crm", "1", phone("3125550100"), given_name="Ann"))
    identity.Resolve(record("ivr", "2", phone("+1 312 555 0100")))

    explained = StewardServiceStub(channel).ExplainCustomer(
        steward_service_pb2.ExplainCustomerRequest(name=first.customer.name)
    )

    by_record = {(r.record.source, r.record.record_id): r for r in explained.records}
    assert by_record[("crm", "1")].decision == common_pb2.DECISION_NEW
    linked = by_record[("ivr", "2")]
    assert linked.decision == common_pb2.DECISION_LINKED
    assert any(e.identifier.value == "+13125550100" for e in linked.evidence)


def test_a_nameless_record_on_a_family_mailbox_does_not_merge_two_sisters(
    identity: IdentityServiceStub,
) -> None:
    mailbox = email("kang.family@example.com")
    jiwoo = identity.Resolve(
        record(
            "crm", "j", mailbox, given_name="Ji-woo", family_name="Kang", birth_date="1990-02-02"
        )
    )
    minji = identity.Resolve(
        record(
            "crm", "m", mailbox, given_name="Min-ji", family_name="Kang", birth_date="1993-08-19"
        )
    )
    signup = identity.Resolve(record("app", "s", mailbox))

    names = {jiwoo.customer.name, minji.customer.name}
    assert len(names) == 2
    assert signup.customer.name not in names or len(signup.customer.records) == 2


def test_a_mailbox_named_for_a_family_never_hands_a_nameless_sign_up_to_its_first_user(
    identity: IdentityServiceStub,
) -> None:
    mailbox = email("TheGarciaFamily@example.net")
    alejandro = identity.Resolve(
        record(
            "crm",
            "a",
            mailbox,
            given_name="Alejandro",
            family_name="García",
            birth_date="1960-06-13",
        )
    )
    signup = identity.Resolve(record("app", "s", mailbox))
    named = identity.Resolve(record("web", "w", mailbox, full_name="ALEJANDRO GARCIA"))

    assert signup.customer.name != alejandro.customer.name
    assert any(e.level == "generic" for e in signup.evidence)
    assert named.customer.name == alejandro.customer.name


def test_a_short_form_of_a_given_name_is_not_a_different_person(
    identity: IdentityServiceStub,
) -> None:
    first = identity.Resolve(
        record(
            "crm",
            "1",
            email("lupe.r@example.com"),
            given_name="Guadalupe",
            family_name="Ramos",
            birth_date="1985-12-12",
        )
    )
    second = identity.Resolve(
        record("web", "2", email("lupe.r@example.com"), given_name="Lupe", family_name="Ramos")
    )

    assert second.customer.name == first.customer.name
    assert second.decision == common_pb2.DECISION_LINKED


def test_a_record_linking_two_of_three_candidates_is_judged_on_those_two(
    identity: IdentityServiceStub,
) -> None:
    a = identity.Resolve(record("crm", "a", phone("3125550111"), given_name="Ann"))
    b = identity.Resolve(record("crm", "b", email("ann@example.com"), given_name="Ann"))
    identity.Resolve(record("crm", "c", given_name="Ann", family_name="Lee"))

    bridge = identity.Resolve(
        record("app", "x", phone("3125550111"), email("ann@example.com"), given_name="Ann")
    )

    assert bridge.decision == common_pb2.DECISION_MERGED
    assert {bridge.customer.name, *bridge.merged_customers} == {a.customer.name, b.customer.name}


def test_a_caller_on_a_household_line_who_gives_a_name_is_found(
    identity: IdentityServiceStub,
) -> None:
    maria = identity.Resolve(
        record(
            "crm",
            "m",
            phone(LANDLINE),
            given_name="Maria",
            family_name="Garcia",
            birth_date="1970-02-14",
            lives_at=HOME,
        )
    )
    identity.Resolve(
        record(
            "crm",
            "l",
            phone(LANDLINE),
            given_name="Luis",
            family_name="Garcia",
            birth_date="1968-07-09",
            lives_at=HOME,
        )
    )

    call = identity.Resolve(
        record("ivr", "c", phone(LANDLINE), given_name="Maria", family_name="Garcia")
    )

    assert call.customer.name == maria.customer.name
    assert any(e.field == "shared_identifier" for e in call.evidence)


def test_a_nickname_written_with_a_typo_is_still_a_nickname(identity: IdentityServiceStub) -> None:
    paco = identity.Resolve(
        record(
            "crm",
            "1",
            email("fdiaz@example.com"),
            given_name="Paco",
            family_name="Diaz",
            birth_date="1947-02-14",
        )
    )
    typo = identity.Resolve(
        record(
            "crm",
            "2",
            email("fdiaz@example.com"),
            given_name="Frencisco",
            family_name="Díaz",
            birth_date="1947-02-14",
        )
    )

    assert typo.customer.name == paco.customer.name


def test_a_shared_identifier_links_however_many_newer_records_the_customer_has(
    identity: IdentityServiceStub,
) -> None:
    """Only the newest records of a large customer are compared, but the record holding the
    incoming identifier is always among them: the card held by its oldest record still links."""
    first = identity.Resolve(record("crm", "0", phone(LANDLINE), loyalty("acme", "1234 5678")))
    for n in range(1, 26):
        identity.Resolve(record("crm", str(n), phone(LANDLINE)))

    card = identity.Resolve(record("pos", "card", loyalty("acme", "12345678")))

    assert card.decision == common_pb2.DECISION_LINKED
    assert card.customer.name == first.customer.name


def test_a_person_is_found_among_more_namesakes_than_one_resolve_judges(
    identity: IdentityServiceStub,
) -> None:
    """A common name fills its blocking keys with namesakes, more customers than a resolve
    judges; those sharing the most keys with the record (its birth date, postal code, name)
    are judged first, so the person is not cut off by older or newer namesakes."""
    for n in range(35):
        identity.Resolve(
            record(
                "crm",
                f"namesake-{n}",
                email(f"john.smith.{n}@example.com"),
                given_name="John",
                family_name="Smith",
                birth_date=f"1980-{1 + n % 12:02d}-{10 + n % 17:02d}",
                lives_at=address(f"{n + 1} Elm St", postal_code=f"{10100 + n}"),
            )
        )
    john = identity.Resolve(
        record(
            "crm",
            "john",
            email("jsmith@example.com"),
            given_name="John",
            family_name="Smith",
            birth_date="1980-05-02",
            lives_at=address("12 Oak St"),
        )
    )

    again = identity.Resolve(
        record(
            "pos",
            "walk-in",
            given_name="John",
            family_name="Smith",
            birth_date="1980-05-02",
            lives_at=address("12 Oak Street"),
        )
    )

    assert again.decision == common_pb2.DECISION_LINKED
    assert again.customer.name == john.customer.name


def test_a_record_is_compared_as_its_newest_version_once_it_was_compared_before(
    identity: IdentityServiceStub,
) -> None:
    """Candidate records are kept decoded between calls; a newer version of one is compared as
    it now reads, not as it was kept."""
    first = record(
        "crm",
        "1",
        email("a.berg@example.com"),
        given_name="Anna",
        family_name="Berg",
        birth_date="1985-03-04",
        lives_at=address("4 Birch Rd"),
    )
    first.observed_at.CopyFrom(Timestamp(seconds=1_700_000_000))
    customer = identity.Resolve(first).customer.name
    seen = identity.Lookup(
        identity_service_pb2.LookupRequest(
            identifiers=[email("someone.else@example.com")],
            attributes=common_pb2.PersonAttributes(
                given_name="Anna",
                family_name="Berg",
                birth_date="1985-03-04",
                address=address("4 Birch Road"),
            ),
        )
    )
    assert seen.customer.name == customer  # the crm record was read as a candidate

    corrected = record(
        "crm",
        "1",
        email("a.berg@example.com"),
        given_name="Karla",
        family_name="Olsen",
        birth_date="1950-01-09",
        lives_at=address("77 Pine Ave", postal_code="62704"),
    )
    corrected.observed_at.CopyFrom(Timestamp(seconds=1_700_000_100))
    identity.Resolve(corrected)

    karla = identity.Resolve(
        record(
            "pos",
            "2",
            given_name="Karla",
            family_name="Olsen",
            birth_date="1950-01-09",
            lives_at=address("77 Pine Avenue", postal_code="62704"),
        )
    )
    assert karla.decision == common_pb2.DECISION_LINKED
    assert karla.customer.name == customer


def test_a_tills_placeholder_name_on_a_persons_phone_does_not_make_the_phone_shared(
    identity: IdentityServiceStub,
) -> None:
    mobile = "(312) 792-6535"
    krystyna = identity.Resolve(
        record("crm", "1", phone(mobile), given_name="Krystyna", family_name="Wróbel")
    )
    walk_in = identity.Resolve(record("pos", "2", phone(mobile), full_name="Walk In"))
    later = identity.Resolve(
        record("web", "3", phone(mobile), given_name="Krystyna", family_name="Wrobel")
    )

    assert walk_in.customer.name == krystyna.customer.name
    assert later.decision == common_pb2.DECISION_LINKED
    assert later.customer.name == krystyna.customer.name
    assert later.customer.golden.given_name == "Krystyna"


def test_a_birth_date_conflicting_with_any_record_of_the_customer_vetoes_the_link(
    identity: IdentityServiceStub,
) -> None:
    father = identity.Resolve(
        record(
            "crm",
            "1",
            phone("(312) 427-1024"),
            full_name="George O'Brien",
            birth_date="1981-11-20",
        )
    )
    undated = identity.Resolve(
        record(
            "web",
            "2",
            phone("(312) 427-1024"),
            email("georgeobrien@icloud.com"),
            full_name="George O'Brien",
        )
    )
    son = identity.Resolve(
        record(
            "app",
            "3",
            email("georgeobrien@icloud.com"),
            full_name="George O'Brien Jr",
            birth_date="2004-01-09",
        )
    )

    assert undated.customer.name == father.customer.name
    assert son.customer.name != father.customer.name
    assert son.decision != common_pb2.DECISION_LINKED
