"""The verification question: which attribute best tells the candidates of a contact apart.

Computed from the candidates' golden records, named by attribute only, so a channel learns what
to ask and never the candidates' values. An attribute separates the candidates when every one of
them has a value and no two share it; among those, the first of QUESTION_ORDER wins (a first name
is the quickest to ask and to answer). When none separates all, the one that splits them into the
most groups is asked, marked `separates=False`. Attributes the caller already answered are not
asked again: they did not settle it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Sequence
from functools import partial

from singleview.domain.households import (
    Last4,
    VerificationAttribute,
    VerificationQuestion,
)
from singleview.domain.identifiers import Identifier, IdentifierKind
from singleview.domain.records import Customer
from singleview.matching.profile import build_profile

_A = VerificationAttribute
LAST4_KINDS = (IdentifierKind.PHONE, IdentifierKind.LOYALTY_ID)
"""Identifiers whose last four digits a caller can read out."""

PROMPTS = {
    _A.GIVEN_NAME: "Ask for the caller's first name.",
    _A.BIRTH_DATE: "Ask for the caller's date of birth.",
    _A.POSTAL_CODE: "Ask for the caller's postal code.",
}
LAST4_PROMPTS = {
    IdentifierKind.PHONE: "Ask for the last four digits of the caller's other phone number.",
    IdentifierKind.LOYALTY_ID: "Ask for the last four digits of the caller's loyalty card.",
}


def last4_of(
    customer: Customer, kind: IdentifierKind, shared: Collection[Identifier]
) -> frozenset[str]:
    """Last four digits of the customer's own identifiers of `kind` (shared ones left out)."""
    found = set()
    for identifier in customer.identifiers:
        if identifier.kind is kind and identifier not in shared:
            digits = "".join(ch for ch in identifier.value if ch.isdigit())
            if len(digits) >= 4:
                found.add(digits[-4:])
    return frozenset(found)


def matches_last4(customer: Customer, answer: Last4, shared: Collection[Identifier]) -> bool:
    return answer.digits in last4_of(customer, answer.kind, shared)


def _given(customer: Customer) -> Hashable | None:
    profile = build_profile(customer.golden, [])
    return profile.given[0] if profile.given else None


def _birth(customer: Customer) -> Hashable | None:
    return customer.golden.birth_date


def _postal(customer: Customer) -> Hashable | None:
    return build_profile(customer.golden, []).postal_code or None


def _last4_value(
    customer: Customer, *, kind: IdentifierKind, shared: Collection[Identifier]
) -> Hashable | None:
    return last4_of(customer, kind, shared) or None


_ValueOf = Callable[[Customer], Hashable | None]


def _groups(values: Sequence[Hashable | None]) -> tuple[bool, int]:
    """(separates every candidate, number of distinct known values)."""
    known = [v for v in values if v is not None]
    distinct = len(set(known))
    return len(known) == len(values) and distinct == len(values), distinct


def best_question(
    candidates: Sequence[Customer],
    asked: Collection[VerificationAttribute],
    shared: Collection[Identifier] = (),
) -> VerificationQuestion | None:
    """The question to ask, or None when nothing left to ask tells any two candidates apart."""
    options: list[tuple[VerificationAttribute, IdentifierKind | None, _ValueOf]] = [
        (_A.GIVEN_NAME, None, _given),
        (_A.BIRTH_DATE, None, _birth),
        (_A.POSTAL_CODE, None, _postal),
        *(
            (_A.LAST4, kind, partial(_last4_value, kind=kind, shared=shared))
            for kind in LAST4_KINDS
        ),
    ]
    best: tuple[int, VerificationQuestion] | None = None
    for attribute, kind, value_of in options:
        if attribute in asked:
            continue
        separates, distinct = _groups([value_of(c) for c in candidates])
        if kind is not None and separates:
            separates = _disjoint([last4_of(c, kind, shared) for c in candidates])
        if distinct < 2:
            continue
        prompt = LAST4_PROMPTS[kind] if kind is not None else PROMPTS[attribute]
        question = VerificationQuestion(attribute, prompt, kind, separates)
        if separates:
            return question
        if best is None or distinct > best[0]:
            best = (distinct, question)
    return best[1] if best is not None else None


def _disjoint(sets: Sequence[frozenset[str]]) -> bool:
    seen: set[str] = set()
    for values in sets:
        if seen & values:
            return False
        seen |= values
    return True
