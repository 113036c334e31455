"""Find and judge the candidate customers of one record, inside the resolve's transaction.

Candidates are the customers holding any of the record's identifiers (generic ones included: they
still help retrieval) and the customers of records sharing a blocking key, bounded per key and
per resolve so the cost stays flat as the store grows. Generic identifiers are excluded from the
profiles compared, so they add no weight; identifiers found to be shared by people who clearly
differ, or held by too many customers, are reported as newly generic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from singleview.config import MatchingSettings
from singleview.domain.identifiers import Identifier
from singleview.domain.records import PersonAttributes
from singleview.matching.blocking import blocking_keys
from singleview.matching.decision import CandidateRecord, Judgement, Verdict, judge
from singleview.matching.generic import placeholders_among
from singleview.matching.levels import Comparison
from singleview.matching.model import MatchModel
from singleview.matching.profile import build_profile
from singleview.store import matching as match_store
from singleview.store import resolution as store
from singleview.store.database import Connection

SHARED_BY_DIFFERENT_PEOPLE = "shared by people who clearly differ"


@dataclass(frozen=True)
class MatchInput:
    identifiers: tuple[Identifier, ...]
    attributes: PersonAttributes
    own_record_pk: int | None = None
    own_customer: str | None = None


@dataclass
class MatchOutcome:
    judgements: list[Judgement]
    holders: dict[str, set[Identifier]]
    generic: frozenset[Identifier]
    newly_generic: dict[Identifier, str] = field(default_factory=dict)
    ages: dict[str, int] = field(default_factory=dict)

    def with_verdict(self, verdict: Verdict) -> list[Judgement]:
        return [j for j in self.judgements if j.verdict is verdict]


class Matcher:
    def __init__(
        self, settings: MatchingSettings, model: MatchModel, comparisons: Sequence[Comparison]
    ) -> None:
        model.check_covers(comparisons)
        self.settings = settings
        self.model = model
        self.comparisons = tuple(comparisons)

    async def known_generic(
        self, conn: Connection, identifiers: Iterable[Identifier]
    ) -> set[Identifier]:
        ids = tuple(identifiers)
        found = await match_store.generic_among(conn, ids)
        return found | placeholders_among(ids, self.settings.placeholders)

    async def match(self, conn: Connection, target: MatchInput, *, lock: bool) -> MatchOutcome:
        generic = await self.known_generic(conn, target.identifiers)
        holders = await store.customers_of_identifiers(conn, target.identifiers)
        newly = self._held_too_widely(holders, generic)
        usable = [i for i in target.identifiers if i not in generic]
        blocked = await match_store.records_by_blocking_keys(
            conn,
            blocking_keys(build_profile(target.attributes, usable)),
            self.settings.candidates_per_key,
        )
        candidates = self._candidate_customers(holders, blocked, target.own_customer)
        ages = await store.lock_customers(conn, set(candidates) | _own(target)) if lock else {}
        stored = await match_store.records_of_customers(
            conn, candidates, self.settings.records_per_customer
        )
        records = {r.pk: r for r in [*stored, *blocked] if r.customer_id in candidates}
        records.pop(target.own_record_pk or -1, None)
        outcome = self._judge_all(target, candidates, list(records.values()), generic | set(newly))
        vetoed_shared = self._shared_with_vetoed(target, outcome, generic)
        if vetoed_shared:
            newly.update(dict.fromkeys(vetoed_shared, SHARED_BY_DIFFERENT_PEOPLE))
            outcome = self._judge_all(
                target, candidates, list(records.values()), generic | set(newly)
            )
        return MatchOutcome(outcome, holders, frozenset(generic | set(newly)), newly, ages)

    def _held_too_widely(
        self, holders: dict[str, set[Identifier]], generic: set[Identifier]
    ) -> dict[Identifier, str]:
        counts: dict[Identifier, int] = {}
        for held in holders.values():
            for identifier in held:
                counts[identifier] = counts.get(identifier, 0) + 1
        limit = self.settings.generic_after_customers
        return {
            i: f"held by {n} different customers"
            for i, n in counts.items()
            if n >= limit and i not in generic
        }

    def _candidate_customers(
        self,
        holders: dict[str, set[Identifier]],
        blocked: Sequence[match_store.StoredCandidate],
        own_customer: str | None,
    ) -> list[str]:
        ordered = list(dict.fromkeys([*sorted(holders), *(r.customer_id for r in blocked)]))
        return [c for c in ordered if c != own_customer][: self.settings.max_candidate_customers]

    def _judge_all(
        self,
        target: MatchInput,
        candidates: list[str],
        records: list[match_store.StoredCandidate],
        generic: set[Identifier],
    ) -> list[Judgement]:
        incoming_ids = frozenset(target.identifiers)
        incoming = build_profile(
            target.attributes, [i for i in target.identifiers if i not in generic]
        )
        by_customer: dict[str, list[CandidateRecord]] = {c: [] for c in candidates}
        for r in records:
            usable = [i for i in r.identifiers if i not in generic]
            by_customer[r.customer_id].append(
                CandidateRecord(
                    r.customer_id,
                    r.ref,
                    build_profile(r.attributes, usable),
                    frozenset(r.identifiers),
                )
            )
        frozen_generic = frozenset(generic)
        return [
            judge(
                c,
                incoming,
                incoming_ids,
                by_customer[c],
                frozen_generic,
                self.comparisons,
                self.model,
            )
            for c in candidates
        ]

    @staticmethod
    def _shared_with_vetoed(
        target: MatchInput, judgements: list[Judgement], generic: set[Identifier]
    ) -> set[Identifier]:
        """Identifiers the record shares with someone it is clearly not."""
        contradicting = {i for j in judgements for i in j.contradicting_identifiers}
        return (set(target.identifiers) & contradicting) - generic


def _own(target: MatchInput) -> set[str]:
    return {target.own_customer} if target.own_customer else set()
