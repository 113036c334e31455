"""Find and judge the candidate customers of one record, inside the resolve's transaction.

Candidates are the customers holding any of the record's identifiers (generic ones included: they
still help retrieval) and the customers of records sharing a blocking key, bounded per key and
per resolve so the cost stays flat as the store grows. Generic identifiers are excluded from the
profiles compared, so they add no weight; identifiers found to be shared by people who clearly
differ, or held by too many customers, are reported as newly generic.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from singleview.config import MatchingSettings
from singleview.domain.identifiers import Identifier
from singleview.domain.records import Customer, PersonAttributes
from singleview.matching.blocking import blocking_keys
from singleview.matching.decision import (
    SHARED_FIELD,
    SHARED_SMALL_GROUP,
    CandidateRecord,
    Judgement,
    Verdict,
    judge,
    score_pair,
)
from singleview.matching.generic import placeholders_among
from singleview.matching.kinship import is_named, related
from singleview.matching.levels import Comparison, MatchProfile
from singleview.matching.model import MatchModel
from singleview.matching.profile import build_profile
from singleview.service.candidate_reads import DIRECT, CandidateReads
from singleview.store import customers as customer_store
from singleview.store import lookup as lookup_store
from singleview.store import matching as match_store
from singleview.store import resolution as store
from singleview.store import stewardship_links as links
from singleview.store.database import Connection
from singleview.store.sql import Batch, Pending
from singleview.telemetry import tracer

SHARED_BY_DIFFERENT_PEOPLE = "shared by people who clearly differ"
NAMED_FOR_A_HOUSEHOLD = "named for a household (a family mailbox)"

REGATHER_ATTEMPTS = 3
"""Reads of the candidates when a concurrent split or merge keeps moving their holders."""
LINKS_DIFFERENT_PEOPLE = "held by customers who clearly differ"
GENERIC_HOLDERS = 5
"""Newest holders of a generic identifier still considered: it helps retrieval, nothing more."""
SMALL_GROUP = 4
"""A generic identifier held by at most this many customers is a household's, not a crowd's."""
SPECULATIVE_VIEWS = 2
"""A read fetches the full views of up to this many candidates with their records."""


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
    apart: set[frozenset[str]] = field(default_factory=set)
    """Pairs of the candidates and the own customer that a steward kept apart (cannot-link)."""
    views: dict[str, Customer] = field(default_factory=dict)
    """Full views of some candidates, read ahead with them (reads only): the answer of a
    Lookup or GetContext is usually one of them and needs no further round trip."""

    def with_verdict(self, verdict: Verdict) -> list[Judgement]:
        return [j for j in self.judgements if j.verdict is verdict]


@dataclass
class _Gathered:
    """The candidates of one record and everything judging them needs from the store."""

    generic: set[Identifier]
    newly: dict[Identifier, str]
    holders: dict[str, set[Identifier]]
    candidates: list[str]
    small: frozenset[Identifier]
    ages: dict[str, int]
    pool: list[match_store.StoredCandidate]
    apart: set[frozenset[str]] | None = None
    views: dict[str, Customer] = field(default_factory=dict)


class Matcher:
    def __init__(
        self, settings: MatchingSettings, model: MatchModel, comparisons: Sequence[Comparison]
    ) -> None:
        model.check_covers(comparisons)
        if SHARED_SMALL_GROUP.name not in model.levels.get(SHARED_FIELD, {}):
            raise ValueError(f"the match model has no probabilities for: {SHARED_FIELD}")
        self.settings = settings
        self.model = model
        self.comparisons = tuple(comparisons)

    async def known_generic(
        self, conn: Connection, identifiers: Iterable[Identifier], reads: CandidateReads = DIRECT
    ) -> set[Identifier]:
        ids = tuple(identifiers)
        found = await reads.generic_among(conn, ids)
        return found | placeholders_among(ids, self.settings.placeholders)

    async def match(
        self,
        conn: Connection,
        target: MatchInput,
        *,
        lock: bool,
        reads: CandidateReads = DIRECT,
        riders: Sequence[Pending[Any]] = (),
    ) -> MatchOutcome:
        """Judge the candidates of `target`. A read (`lock=False`) sends `riders`, reads of the
        caller's own, in its first round trip; they may not run (`Pending.done`) when the
        candidates have to be read step by step."""
        with tracer.start_as_current_span("resolve.candidates") as span:
            found = None if lock else await self._gather_read_only(conn, target, riders)
            found = found or await self._gather(conn, target, lock=lock, reads=reads)
            span.set_attributes(
                {
                    "singleview.candidate_customers": len(found.candidates),
                    "singleview.records": len(found.pool),
                }
            )
        with tracer.start_as_current_span("resolve.compare") as span:
            newly = found.newly
            current = found.generic | set(newly)
            outcome = self._judge_all(target, found.candidates, found.pool, current, found.small)
            for _ in range(3):
                shared = {
                    i: SHARED_BY_DIFFERENT_PEOPLE
                    for i in self._shared_with_vetoed(target, outcome, current)
                }
                bridged, outcome = self._bridging_strangers(target, outcome, found.pool, current)
                shared.update(dict.fromkeys(bridged - set(shared), LINKS_DIFFERENT_PEOPLE))
                if not shared:
                    break
                newly.update(shared)
                current |= set(shared)
                outcome = self._judge_all(
                    target, found.candidates, found.pool, current, found.small
                )
            apart = found.apart
            if apart is None:
                apart = await reads.cannot_link_pairs(conn, set(found.candidates) | _own(target))
            span.set_attributes(
                {"singleview.judgements": len(outcome), "singleview.newly_generic": len(newly)}
            )
        return MatchOutcome(
            outcome, found.holders, frozenset(current), newly, found.ages, apart, found.views
        )

    async def _gather(
        self, conn: Connection, target: MatchInput, *, lock: bool, reads: CandidateReads
    ) -> _Gathered:
        """Candidates and their records, step by step: generic identifiers first, then their
        holders and the blocking hits, row locks (when resolving), then the records.

        A steward's split or merge moves records without the identifiers' advisory locks, only
        under the customers' row locks: when the holders changed while this waited for those
        locks, what was read before them is stale and is read again."""
        for attempt in range(1, REGATHER_ATTEMPTS + 1):
            generic = await self.known_generic(conn, target.identifiers, reads)
            usable = [i for i in target.identifiers if i not in generic]
            proving = await reads.holders(conn, tuple(usable))
            newly = self._held_too_widely(proving, generic) | self._named_shared(usable)
            widely = await reads.newest_holders(
                conn, tuple(i for i in target.identifiers if i in generic), GENERIC_HOLDERS
            )
            blocked = await reads.blocked_records(
                conn,
                blocking_keys(build_profile(target.attributes, usable)),
                self.settings.candidates_per_key,
            )
            candidates = self.candidate_customers(
                proving, (r.customer_id for r in blocked), widely, target.own_customer
            )
            if not lock:
                ages: dict[str, int] = {}
                break
            ages = await reads.lock_customers(conn, set(candidates) | _own(target))
            if attempt == REGATHER_ATTEMPTS or await self._holders_settled(
                conn, usable, proving, reads
            ):
                break
        holders = {c: proving.get(c, set()) | widely.get(c, set()) for c in {*proving, *widely}}
        stored = await reads.records_of_customers(
            conn, candidates, self.settings.records_per_customer
        )
        stored += await self._holders_not_sampled(conn, candidates, proving, stored)
        pool = _pool(candidates, [*stored, *blocked], target)
        small = self._household_groups(widely, pool)
        return _Gathered(generic, newly, holders, candidates, small, ages, pool)

    @staticmethod
    async def _holders_settled(
        conn: Connection,
        usable: Sequence[Identifier],
        proving: dict[str, set[Identifier]],
        reads: CandidateReads,
    ) -> bool:
        """Whether the identifiers' holders, read again under the row locks, are as before."""
        return await reads.holders(conn, tuple(usable)) == proving

    async def _gather_read_only(
        self, conn: Connection, target: MatchInput, riders: Sequence[Pending[Any]] = ()
    ) -> _Gathered | None:
        """What `_gather` finds for a read (Lookup, GetContext), in one or two round trips, when
        none of the identifiers is generic (the common case); None otherwise.

        The first batch asks at once whether any identifier is generic, who holds them and
        which records share a blocking key, assuming none is generic; with no blocking key (a
        lookup by identifiers alone) the candidates are the holders, and one statement
        (store/lookup.py) answers all that with their records and the first few holders' full
        views. A second batch reads what is still
        missing: the candidates' records when blocking hits add candidates, their views, and,
        with several candidates, their ages and cannot-links.
        """
        if placeholders_among(target.identifiers, self.settings.placeholders) or (
            self._named_shared(target.identifiers)
        ):
            return None
        ids = tuple(target.identifiers)
        keys = blocking_keys(build_profile(target.attributes, ids))
        s = self.settings
        alone = () if keys else ids  # a lookup by identifiers alone: one statement for all
        async with Batch(conn) as first:
            glance = first.add(
                lookup_store.identifiers_at_a_glance_read(
                    alone, s.max_candidate_customers, s.records_per_customer, SPECULATIVE_VIEWS
                )
            )
            generic = first.add(match_store.generic_among_read(ids if keys else ()))
            holding = first.add(store.customers_of_identifiers_read(ids if keys else ()))
            hits = first.add(match_store.records_by_blocking_keys_read(keys, s.candidates_per_key))
            for rider in riders:
                first.join(rider)
        seen = glance.value
        if generic.value or seen.generic:
            return None
        proving, blocked = {**holding.value, **seen.holders}, hits.value
        candidates = self.candidate_customers(
            proving, (r.customer_id for r in blocked), (), target.own_customer
        )
        ahead = not keys and {r.customer_id for r in seen.records} == set(candidates)
        several = len(candidates) > 1
        async with Batch(conn) as second:
            stored = second.add(
                match_store.records_of_customers_read(
                    [] if ahead else candidates, s.records_per_customer
                )
            )
            views = second.add(
                customer_store.customer_views_read(
                    [] if ahead or len(candidates) > SPECULATIVE_VIEWS else candidates
                )
            )
            # only an order among several candidates needs ages, only a pair can be apart
            ages = second.add(customer_store.customer_ages_read(candidates if several else []))
            apart = second.add(links.cannot_link_pairs_read(set(candidates) | _own(target)))
        sampled = [*seen.records, *stored.value]
        sampled += await self._holders_not_sampled(conn, candidates, proving, sampled)
        return _Gathered(
            generic=set(),
            newly=self._held_too_widely(proving, set()),
            holders=proving,
            candidates=candidates,
            small=frozenset(),
            ages=ages.value,
            pool=_pool(candidates, [*sampled, *blocked], target),
            apart=apart.value,
            views=seen.views if ahead else views.value,
        )

    async def _holders_not_sampled(
        self,
        conn: Connection,
        candidates: Sequence[str],
        proving: dict[str, set[Identifier]],
        sampled: Sequence[match_store.StoredCandidate],
    ) -> list[match_store.StoredCandidate]:
        """Records holding the incoming identifiers that the newest-records sample missed.

        A customer with more records than `records_per_customer` is compared on its newest
        ones; the record that shares an identifier with the incoming one must be compared too,
        or a large customer would stop linking on an identifier its older records hold.
        """
        seen: dict[str, set[Identifier]] = {}
        for r in sampled:
            seen.setdefault(r.customer_id, set()).update(r.identifiers)
        missing = {
            c: held - seen.get(c, set())
            for c, held in proving.items()
            if c in candidates and held - seen.get(c, set())
        }
        if not missing:
            return []
        return await match_store.records_holding_identifiers(
            conn,
            missing,
            {i for held in missing.values() for i in held},
            self.settings.records_per_customer,
        )

    def _bridging_strangers(
        self,
        target: MatchInput,
        judgements: list[Judgement],
        records: list[match_store.StoredCandidate],
        generic: set[Identifier],
    ) -> tuple[set[Identifier], list[Judgement]]:
        """A record must not merge customers whose records contradict each other.

        Identifiers it shares with two such customers are evidently shared (a family mailbox
        on a nameless sign-up) and become generic. When no single identifier is to blame, the
        links between the strangers are downgraded to review.
        """
        linked = [j for j in judgements if j.verdict is Verdict.LINK]
        if len(linked) < 2:
            return set(), judgements
        by_customer = self.candidate_records([j.customer_id for j in linked], records, generic)
        strangers: set[str] = set()
        for n, a in enumerate(linked):
            for b in linked[n + 1 :]:
                if _contradicting_customers(
                    by_customer[a.customer_id], by_customer[b.customer_id], self
                ):
                    strangers |= {a.customer_id, b.customer_id}
        if not strangers:
            return set(), judgements
        held: dict[Identifier, int] = {}
        for customer in strangers:
            for i in {i for r in by_customer[customer] for i in r.identifiers}:
                held[i] = held.get(i, 0) + 1
        blamed = {i for i in target.identifiers if held.get(i, 0) >= 2} - generic
        if blamed:
            return blamed, judgements
        downgraded = [
            replace(j, verdict=Verdict.REVIEW) if j.customer_id in strangers else j
            for j in judgements
        ]
        return set(), downgraded

    async def household_groups(
        self, conn: Connection, generic: Iterable[Identifier]
    ) -> frozenset[Identifier]:
        """Which of these generic identifiers only a few customers hold: a household's line or
        mailbox, which with a matching given name still says who this is."""
        widely = await store.customers_of_identifiers_bounded(
            conn, tuple(generic), GENERIC_HOLDERS, contacts=False
        )
        return self._household_groups(widely)

    def _household_groups(
        self,
        widely: dict[str, set[Identifier]],
        pool: Sequence[match_store.StoredCandidate] = (),
    ) -> frozenset[Identifier]:
        """Small groups (`_small_groups`) that look like a family's. Never a placeholder (an
        all-zero device id seen on a few customers so far is nobody's household), nor a line
        whose named holders in `pool` share no home and no family name with each other: a
        store's phone before its crowd has gathered."""
        small = _small_groups(widely)
        small -= placeholders_among(small, self.settings.placeholders)
        return frozenset(i for i in small if not _a_crowd(i, widely, pool))

    def _named_shared(self, identifiers: Iterable[Identifier]) -> dict[Identifier, str]:
        """Identifiers whose name says a household shares them: generic from the first sight."""
        return dict.fromkeys(
            placeholders_among(identifiers, self.settings.shared_by_name), NAMED_FOR_A_HOUSEHOLD
        )

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

    def candidate_customers(
        self,
        proving: Iterable[str],
        blocked: Iterable[str],
        widely: Iterable[str],
        own_customer: str | None,
    ) -> list[str]:
        """The customers judged: holders of proving identifiers first, then the customers of
        the blocking hits in their ranked order, then generic holders; never the record's own,
        at most `max_candidate_customers`. A bulk import chooses what it reads ahead with it."""
        ordered = dict.fromkeys([*sorted(proving), *blocked, *sorted(widely)])
        ordered.pop(own_customer or "", None)
        return list(ordered)[: self.settings.max_candidate_customers]

    @staticmethod
    def candidate_records(
        candidates: Iterable[str],
        records: list[match_store.StoredCandidate],
        generic: set[Identifier],
    ) -> dict[str, list[CandidateRecord]]:
        """Candidate records with profiles that leave generic identifiers out."""
        by_customer: dict[str, list[CandidateRecord]] = {c: [] for c in candidates}
        for r in records:
            if r.customer_id not in by_customer:
                continue
            usable = [i for i in r.identifiers if i not in generic]
            by_customer[r.customer_id].append(
                CandidateRecord(
                    r.customer_id,
                    r.ref,
                    build_profile(r.attributes, usable),
                    frozenset(r.identifiers),
                )
            )
        return by_customer

    def _judge_all(
        self,
        target: MatchInput,
        candidates: list[str],
        records: list[match_store.StoredCandidate],
        generic: set[Identifier],
        small_groups: frozenset[Identifier],
    ) -> list[Judgement]:
        incoming_ids = frozenset(target.identifiers)
        incoming = build_profile(
            target.attributes, [i for i in target.identifiers if i not in generic]
        )
        by_customer = self.candidate_records(candidates, records, generic)
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
                small_groups,
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


def _contradicting_customers(
    left: list[CandidateRecord], right: list[CandidateRecord], matcher: Matcher
) -> bool:
    """Any contradiction between two customers' records: merging them needs more than a bridge."""
    return any(
        score_pair(a.profile, b.profile, matcher.comparisons, matcher.model).contradicts
        for a in left
        for b in right
    )


def _pool(
    candidates: list[str], records: list[match_store.StoredCandidate], target: MatchInput
) -> list[match_store.StoredCandidate]:
    """The candidates' records (stored and blocking hits, once each), without the record's own."""
    wanted = set(candidates)
    pool = {r.pk: r for r in records if r.customer_id in wanted}
    pool.pop(target.own_record_pk or -1, None)
    return list(pool.values())


def _small_groups(widely: dict[str, set[Identifier]]) -> frozenset[Identifier]:
    """Generic identifiers held by at most SMALL_GROUP customers (of the newest few records)."""
    counts: dict[Identifier, int] = {}
    for held in widely.values():
        for identifier in held:
            counts[identifier] = counts.get(identifier, 0) + 1
    return frozenset(i for i, n in counts.items() if n <= SMALL_GROUP)


def _a_crowd(
    identifier: Identifier,
    widely: dict[str, set[Identifier]],
    pool: Sequence[match_store.StoredCandidate],
) -> bool:
    """Two or more of the identifier's holders are named in `pool`, and no two of them are
    related (kinship.related): strangers sharing a number."""
    holders = {c for c, held in widely.items() if identifier in held}
    named: dict[str, list[MatchProfile]] = {}
    for r in pool:
        if r.customer_id in holders and is_named(r.attributes):
            named.setdefault(r.customer_id, []).append(build_profile(r.attributes, []))
    if len(named) < 2:
        return False
    people = list(named.values())
    return not any(
        related(a, b)
        for n, left in enumerate(people)
        for right in people[n + 1 :]
        for a in left
        for b in right
    )


def _own(target: MatchInput) -> set[str]:
    return {target.own_customer} if target.own_customer else set()
