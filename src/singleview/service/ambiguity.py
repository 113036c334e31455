"""Ambiguous contacts: identifiers of a household, and nothing yet that says which member.

Lookup and GetContext first answer as Resolve would link. When that links nobody (a household
landline proves no one) and the identifiers belong to a household, every member is judged
against what the caller said (the same comparisons and weights as matching, the household's
identifiers counting as a small group). Members the answer contradicts (another first name, a
conflicting birth date, another postal code, last four digits that are not theirs) drop out:
- one member left after the caller said something: that is who it is (DECISION_LINKED);
- several: DECISION_AMBIGUOUS with the ranked candidates and the verification question that best
  separates those left (service/verification.py);
- none: nobody of the household fits what the caller said; the plain answer stands.
"""

from __future__ import annotations

from collections.abc import Sequence

from singleview.domain.households import (
    Ambiguity,
    Candidate,
    Last4,
    VerificationAttribute,
)
from singleview.domain.identifiers import Identifier
from singleview.domain.records import Customer, Decision, LookupResult, PersonAttributes
from singleview.matching.decision import Judgement, comparison_evidence, judge
from singleview.matching.names import parse_name
from singleview.matching.profile import build_profile
from singleview.service.matcher import Matcher
from singleview.service.verification import best_question, matches_last4
from singleview.store import customers as customer_store
from singleview.store import households as store
from singleview.store import matching as match_store
from singleview.store.database import Connection


def asked_attributes(
    attributes: PersonAttributes, last4: Last4 | None
) -> set[VerificationAttribute]:
    """What the caller already answered: not asked again."""
    asked = set()
    given, _ = parse_name(attributes.given_name, attributes.family_name, attributes.full_name)
    if given:  # a placeholder ("Walk In") answers nothing
        asked.add(VerificationAttribute.GIVEN_NAME)
    if attributes.birth_date is not None:
        asked.add(VerificationAttribute.BIRTH_DATE)
    if attributes.address.postal_code:
        asked.add(VerificationAttribute.POSTAL_CODE)
    if last4 is not None:
        asked.add(VerificationAttribute.LAST4)
    return asked


def _fits(
    judgement: Judgement,
    customer: Customer,
    attributes: PersonAttributes,
    last4: Last4 | None,
    shared: frozenset[Identifier],
) -> bool:
    if judgement.vetoed:
        return False
    if last4 is not None and not matches_last4(customer, last4, shared):
        return False
    wanted = build_profile(attributes, []).postal_code
    known = build_profile(customer.golden, []).postal_code
    return not (wanted and known and wanted != known)


class Disambiguator:
    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher

    async def household_answer(
        self,
        conn: Connection,
        identifiers: Sequence[Identifier],
        attributes: PersonAttributes,
        last4: Last4 | None,
        plain: LookupResult,
        generic: frozenset[Identifier],
    ) -> LookupResult:
        """The plain answer, or the household's when the plain one links nobody. The candidates
        are the members holding the identifiers given (a member added by a steward who holds none
        of them is one only when nobody holds them)."""
        shared = [i for i in identifiers if i in generic]
        if not shared:  # only generic identifiers can be a household's: no read needed
            return plain
        found = await store.households_of_identifiers(conn, shared)
        if not found:
            return plain
        household_id = sorted(found)[0]
        if plain.decision in (Decision.LINKED, Decision.MERGED):
            return plain
        household = await store.load_household(conn, household_id)
        if household is None:
            return plain
        held = frozenset(household.identifiers)
        judged = await self._judge_members(conn, household.customer_ids(), identifiers, attributes)
        customers = await customer_store.load_customers(conn, [j.customer_id for j in judged])
        fitting = [
            j
            for j in judged
            if j.customer_id in customers
            and _fits(j, customers[j.customer_id], attributes, last4, held)
        ]
        fitting.sort(key=lambda j: (-j.probability, j.customer_id))
        said = bool(asked_attributes(attributes, last4))
        model = self.matcher.model
        if not fitting:
            return LookupResult(None, plain.decision, plain.evidence, household_id=household_id)
        if said and len(fitting) == 1:
            chosen = fitting[0]
            return LookupResult(
                customers[chosen.customer_id],
                Decision.LINKED,
                comparison_evidence(chosen, model),
                (chosen.customer_id,),
                household_id=household_id,
            )
        candidates = tuple(
            Candidate(j.customer_id, round(j.probability, 4), comparison_evidence(j, model))
            for j in fitting
        )
        question = best_question(
            [customers[j.customer_id] for j in fitting], asked_attributes(attributes, last4), held
        )
        return LookupResult(
            None,
            Decision.AMBIGUOUS,
            plain.evidence,
            tuple(c.customer_id for c in candidates),
            household_id=household_id,
            ambiguity=Ambiguity(household_id, candidates, question),
        )

    async def _judge_members(
        self,
        conn: Connection,
        members: list[str],
        identifiers: Sequence[Identifier],
        attributes: PersonAttributes,
    ) -> list[Judgement]:
        matcher = self.matcher
        records = await match_store.records_of_customers(
            conn, members, matcher.settings.records_per_customer
        )
        held = {i for r in records for i in r.identifiers}
        generic = await matcher.known_generic(conn, {*identifiers, *held})
        incoming = build_profile(attributes, [i for i in identifiers if i not in generic])
        by_customer = matcher.candidate_records(members, records, generic)
        given = set(identifiers)
        holders = [c for c in members if any(given & r.identifiers for r in by_customer[c])]
        small = frozenset(i for i in identifiers if i in generic)
        return [
            judge(
                c,
                incoming,
                frozenset(identifiers),
                by_customer[c],
                frozenset(generic),
                matcher.comparisons,
                matcher.model,
                small,
            )
            for c in holders or members
        ]
