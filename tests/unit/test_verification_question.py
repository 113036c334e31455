"""Which question separates the candidates of an ambiguous contact: table-driven."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from singleview.domain.households import VerificationAttribute as A
from singleview.domain.identifiers import Identifier, IdentifierKind
from singleview.domain.records import Customer, PersonAttributes, PostalAddress
from singleview.service.verification import best_question

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SHARED = Identifier(IdentifierKind.PHONE, "", "+12175550142")


def person(
    given: str = "",
    born: date | None = None,
    postal: str = "",
    phones: tuple[str, ...] = (),
) -> Customer:
    return Customer(
        id=given or "x",
        golden=PersonAttributes(
            given_name=given,
            family_name="Garcia",
            birth_date=born,
            address=PostalAddress(postal_code=postal),
        ),
        identifiers=(SHARED, *(Identifier(IdentifierKind.PHONE, "", p) for p in phones)),
        records=(),
        create_time=NOW,
        update_time=NOW,
    )


TWINS = [person("Ana", date(1999, 9, 9)), person("Eva", date(1999, 9, 9))]
PARENTS = [person("Maria", date(1971, 3, 4)), person("Luis", date(1969, 11, 20))]
SAME_NAMES = [
    person("Jo", date(1990, 1, 1), phones=("+12175550101",)),
    person("Jo", date(1990, 1, 1), phones=("+12175550202",)),
]


@pytest.mark.parametrize(
    ("candidates", "asked", "attribute", "separates"),
    [
        (PARENTS, set(), A.GIVEN_NAME, True),
        (PARENTS, {A.GIVEN_NAME}, A.BIRTH_DATE, True),
        (TWINS, set(), A.GIVEN_NAME, True),
        (TWINS, {A.BIRTH_DATE}, A.GIVEN_NAME, True),
        (SAME_NAMES, set(), A.LAST4, True),
        ([person("Jo", postal="62701"), person("Jo", postal="62702")], set(), A.POSTAL_CODE, True),
        ([person("Al"), person("Bo"), person("Bo")], set(), A.GIVEN_NAME, False),
    ],
)
def test_the_question_that_best_separates_the_candidates(
    candidates: list[Customer], asked: set[A], attribute: A, separates: bool
) -> None:
    question = best_question(candidates, asked, [SHARED])

    assert question is not None
    assert (question.attribute, question.separates) == (attribute, separates)
    for candidate in candidates:
        assert candidate.golden.given_name not in question.prompt


def test_nothing_to_ask_when_no_attribute_differs() -> None:
    assert best_question(TWINS, {A.GIVEN_NAME}, [SHARED]) is None


def test_the_shared_line_is_never_the_last_four_digits_asked() -> None:
    question = best_question(SAME_NAMES, set(), [SHARED])

    assert question is not None and question.identifier_kind is IdentifierKind.PHONE
    assert best_question([person("Jo"), person("Jo")], set(), [SHARED]) is None
