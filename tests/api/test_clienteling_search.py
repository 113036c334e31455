"""SearchCustomers: a store associate finds the customer from whatever they are told."""

from __future__ import annotations

import grpc
import pytest

from singleview.v1 import common_pb2
from singleview.v1 import profile_service_pb2 as pb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from tests.support.builders import email, loyalty, phone, record
from tests.support.status import rich_error

PEOPLE = [
    ("crm", "smith", "John", "Smith", "3125550100", "john.smith@example.com", "5745480672"),
    ("crm", "smythe", "Joanna", "Smythe", "3125550111", "joanna@example.org", ""),
    ("crm", "smith-2", "Jonathan", "Smithers", "3125559100", "jsmithers@example.net", ""),
    ("crm", "garcia", "José", "García López", "3125550122", "jose.garcia@gmail.com", ""),
    ("crm", "robert", "Robert", "Marley", "3125550133", "rm@example.com", "88812345"),
    ("crm", "obrien", "Siobhán", "O'Brien", "3125550144", "sob@example.ie", ""),
    ("crm", "kathryn", "Kathryn", "Lee", "3125550155", "klee@example.com", ""),
    ("crm", "smith-3", "Mary", "Smith", "3125558100", "mary@example.com", ""),
]


@pytest.fixture
def people(identity: IdentityServiceStub) -> dict[str, str]:
    """Customer name by record id of each seeded person."""
    names = {}
    for source, record_id, given, family, mobile, mail, card in PEOPLE:
        identifiers = [phone(mobile), email(mail)]
        if card:
            identifiers.append(loyalty("acme", card))
        response = identity.Resolve(
            record(source, record_id, *identifiers, given_name=given, family_name=family)
        )
        names[record_id] = response.customer.name
    return names


def _search(
    profiles: ProfileServiceStub, query: str, **kwargs: int | str
) -> list[pb.CustomerMatch]:
    return list(
        profiles.SearchCustomers(pb.SearchCustomersRequest(query=query, **kwargs)).matches  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Jon Smyth", "smith"),
        ("john smith", "smith"),
        ("Smith John", "smith"),
        ("Smith, John", "smith"),
        ("JOHN SMIHT", "smith"),
        ("Bob Marley", "robert"),
        ("rob marly", "robert"),
        ("Jose Garcia", "garcia"),
        ("josé garcía lópez", "garcia"),
        ("siobhan obrien", "obrien"),
        ("Catherine Lee", "kathryn"),
        ("(312) 555-0100", "smith"),
        ("+1 312 555 0100", "smith"),
        ("smith 0100", "smith"),
        ("mary 8100", "smith-3"),
        ("555-0133", "robert"),
        ("john.smith@example.com", "smith"),
        ("JOHN.SMITH@EXAMPLE.COM", "smith"),
        ("john.smtih@example.com", "smith"),
        ("jose.garcia@gmial.com", "garcia"),
        ("5745 480 672", "smith"),
        ("88812345", "robert"),
    ],
)
def test_misspelled_partial_and_reordered_queries_rank_the_true_person_first(
    profiles: ProfileServiceStub, people: dict[str, str], query: str, expected: str
) -> None:
    matches = _search(profiles, query)

    assert matches, f"nothing found for {query!r}"
    assert matches[0].customer.name == people[expected]
    assert 0 < matches[0].score <= 1
    assert matches[0].reasons


def test_scores_are_returned_best_first_with_reasons_for_each_part(
    profiles: ProfileServiceStub, people: dict[str, str]
) -> None:
    matches = _search(profiles, "jon smyth 0100")

    assert matches[0].customer.name == people["smith"]
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    reasons = list(matches[0].reasons)
    assert 'given name "john" is a nickname match for "jon"' in reasons
    assert 'family name "smith" sounds like "smyth"' in reasons
    assert "phone number ends in the 4 digits given" in reasons
    close = [m.customer.name for m in _search(profiles, "jon smyth")]
    assert close.index(people["smith"]) < close.index(people["smythe"])


def test_the_reasons_say_how_each_word_matched(
    profiles: ProfileServiceStub, people: dict[str, str]
) -> None:
    nickname = _search(profiles, "bob marley")[0]
    reordered = _search(profiles, "smith john")[0]
    near_email = _search(profiles, "john.smtih@example.com")[0]

    assert 'given name "robert" is a nickname match for "bob"' in nickname.reasons
    assert "given and family name in the other order" in reordered.reasons
    assert "email differs by 1 character" in near_email.reasons


def test_four_digits_alone_are_not_a_phone_search_but_beside_a_name_they_are(
    profiles: ProfileServiceStub, people: dict[str, str]
) -> None:
    assert _search(profiles, "0100") == []
    assert [m.customer.name for m in _search(profiles, "smith 0100")][:1] == [people["smith"]]


def test_digits_that_match_nobody_halve_the_score_of_a_name_match(
    profiles: ProfileServiceStub, people: dict[str, str]
) -> None:
    [match] = _search(profiles, "john smith 4444")

    assert match.customer.name == people["smith"]
    assert match.score == pytest.approx(0.5)
    assert not [r for r in match.reasons if "phone" in r]


def test_a_name_alone_of_another_person_with_those_digits_is_not_shown(
    profiles: ProfileServiceStub, people: dict[str, str]
) -> None:
    names = [m.customer.name for m in _search(profiles, "smith 0100")]

    assert names == [people["smith"]]


def test_a_customer_with_several_records_is_found_once(
    identity: IdentityServiceStub, profiles: ProfileServiceStub, people: dict[str, str]
) -> None:
    identity.Resolve(record("pos", "s-9", phone("3125550100"), full_name="Johnny Smith"))

    names = [m.customer.name for m in _search(profiles, "smith")]

    assert names.count(people["smith"]) == 1


def test_pages_follow_each_other_without_repeats(
    identity: IdentityServiceStub, profiles: ProfileServiceStub
) -> None:
    for n in range(7):
        identity.Resolve(
            record(
                "crm", f"ann-{n}", email(f"ann{n}@example.com"), given_name="Ann", family_name="Lee"
            )
        )
    seen: list[str] = []
    token = ""
    while True:
        page = profiles.SearchCustomers(
            pb.SearchCustomersRequest(query="ann lee", page_size=3, page_token=token)
        )
        assert len(page.matches) <= 3
        seen += [m.customer.name for m in page.matches]
        token = page.next_page_token
        if not token:
            break

    assert len(seen) == len(set(seen)) == 7


def test_a_page_token_of_another_query_is_refused(
    profiles: ProfileServiceStub, identity: IdentityServiceStub
) -> None:
    for n in range(3):
        identity.Resolve(record("crm", f"l{n}", given_name="Ann", family_name="Lee"))
    token = profiles.SearchCustomers(
        pb.SearchCustomersRequest(query="ann lee", page_size=1)
    ).next_page_token

    with pytest.raises(grpc.RpcError) as caught:
        profiles.SearchCustomers(pb.SearchCustomersRequest(query="ann", page_token=token))

    error = rich_error(caught.value)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert "page_token" in error.violations


@pytest.mark.parametrize("query", ["", "   ", "Dr.", "12", "?!"])
def test_a_query_with_nothing_to_search_is_an_invalid_argument(
    profiles: ProfileServiceStub, query: str
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        profiles.SearchCustomers(pb.SearchCustomersRequest(query=query))

    error = rich_error(caught.value)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert "query" in error.violations


def test_a_negative_page_size_is_an_invalid_argument(profiles: ProfileServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        profiles.SearchCustomers(pb.SearchCustomersRequest(query="ann", page_size=-1))

    assert rich_error(caught.value).violations.keys() == {"page_size"}


def test_merged_customers_are_found_as_the_survivor(
    identity: IdentityServiceStub, profiles: ProfileServiceStub
) -> None:
    a = identity.Resolve(
        record("crm", "a", phone("3125550160"), given_name="Zoë", family_name="Quinn")
    )
    b = identity.Resolve(record("web", "b", email("zq@example.com"), full_name="Zoe Quinn"))
    bridge = identity.Resolve(record("app", "c", phone("3125550160"), email("zq@example.com")))
    assert bridge.decision == common_pb2.DECISION_MERGED

    names = [m.customer.name for m in _search(profiles, "zoe quinn")]

    assert names == [a.customer.name]
    assert b.customer.name in _search(profiles, "zoe quinn")[0].customer.merged_names
