"""Resolve: upsert one source record and put it in the right customer, in one transaction.

normalize → candidates (identifier holders + blocking keys) → compare → score → decide → persist.
A record links to every candidate customer judged LINK (a shared identifier that is not generic,
or a match probability over the link threshold, and no contradiction); when it links to several,
they merge into the oldest (whose id survives; the others redirect to it forever). Uncertain
candidates become review tasks. Two resolves that share an identifier, a blocking key or a record
serialize on advisory locks taken in a fixed order, and customers are row-locked in id order, so
concurrent resolves from any number of processes end as a serial run would. Identifiers of
erased customers are checked once the locks are held (service/privacy.py, SuppressionGuard).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from singleview.config import Settings
from singleview.domain.errors import Aborted, ViolationCollector
from singleview.domain.households import Last4, RawLast4
from singleview.domain.identifiers import Identifier, RawIdentifier
from singleview.domain.records import (
    Decision,
    Evidence,
    LookupResult,
    PersonAttributes,
    RawPersonAttributes,
    RecordOutcome,
    ResolveInput,
    ResolveResult,
    SourceRecord,
)
from singleview.matching.blocking import blocking_keys
from singleview.matching.decision import Judgement, Verdict, comparison_evidence
from singleview.matching.generic import placeholders_among
from singleview.matching.profile import build_profile
from singleview.service.ambiguity import Disambiguator
from singleview.service.candidate_reads import DIRECT, CandidateReads
from singleview.service.evidence import generic_evidence, identifier_evidence, same_record
from singleview.service.golden import golden_record, refresh_golden
from singleview.service.households import (
    is_named,
    refresh_households_of_customers,
    refresh_learned_households,
)
from singleview.service.lone_reads import LoneReads
from singleview.service.matcher import Matcher, MatchInput, MatchOutcome
from singleview.service.names import new_customer_id, new_id
from singleview.service.privacy import SuppressionGuard
from singleview.service.recluster import recluster
from singleview.service.search_index import index_record_name, name_row
from singleview.service.stewardship_rules import held_apart, kept_apart_evidence
from singleview.service.validation import (
    check_attributes,
    check_identifiers,
    check_last4,
    validate_resolve_input,
)
from singleview.store import customers as customer_store
from singleview.store import households as household_store
from singleview.store import matching as match_store
from singleview.store import resolution as store
from singleview.store import stewardship as steward_store
from singleview.store import timeline as timeline_store
from singleview.store.codec import content_hash
from singleview.store.database import Connection, Database
from singleview.store.sql import Pending
from singleview.telemetry import DECISIONS, GENERIC_IDENTIFIERS, MERGES, tracer


@dataclass(frozen=True)
class LookupQuery:
    """A lookup's input, validated and normalized (ResolveService.check_lookup)."""

    identifiers: tuple[Identifier, ...]
    attributes: PersonAttributes
    last4: Last4 | None


@dataclass(frozen=True)
class _Plan:
    """What the decision step chose: the customer, what merges into it, and why."""

    customer_id: str
    decision: Decision
    losers: list[str]
    evidence: tuple[Evidence, ...]
    reviews: list[Judgement]
    apart: set[frozenset[str]]
    """Customer pairs a steward kept apart: never merged, and no review raised for them again."""
    generic: frozenset[Identifier] = frozenset()
    """The record's learned generic identifiers (not placeholders): the ones that may make or
    grow a household."""


def _evidence(
    outcome: MatchOutcome, own_customer: str | None, matcher: Matcher
) -> tuple[Evidence, ...]:
    kept = [j for j in outcome.judgements if j.verdict is not Verdict.APART]
    items: list[Evidence] = list(identifier_evidence({j.customer_id: set(j.shared) for j in kept}))
    items += generic_evidence(outcome.holders, outcome.generic)
    if own_customer is not None:
        items.append(same_record(own_customer))
    for judgement in kept:
        items += comparison_evidence(judgement, matcher.model)
    return tuple(items)


def _plan(
    outcome: MatchOutcome, own_customer: str | None, matcher: Matcher, record: SourceRecord
) -> _Plan:
    plan = _plan_links(outcome, own_customer, matcher)
    held = frozenset(record.identifiers) & outcome.generic
    # Placeholders never make a household: looking for one cost every record holding the
    # all-zero ad id a read (and, in a bulk import, a flush of the batch's held-back writes).
    # What this outcome still calls newly generic was found after the one re-match a resolve
    # makes and is not recorded: it is not a learned identifier either.
    unlearned = placeholders_among(held, matcher.settings.placeholders) | set(outcome.newly_generic)
    return replace(plan, generic=held - unlearned)


def _plan_links(outcome: MatchOutcome, own_customer: str | None, matcher: Matcher) -> _Plan:
    evidence = _evidence(outcome, own_customer, matcher)
    linked = {j.customer_id for j in outcome.with_verdict(Verdict.LINK)}
    linked |= {own_customer} if own_customer else set()
    reviews = outcome.with_verdict(Verdict.REVIEW)
    held = held_apart(linked, own_customer, outcome.apart)
    if held:
        linked -= held
        reviews = [*reviews, *(j for j in outcome.judgements if j.customer_id in held)]
        evidence = (*evidence, *kept_apart_evidence(held))
    if not linked:
        decision = Decision.REVIEW if reviews else Decision.NEW
        return _Plan(new_customer_id(), decision, [], evidence, reviews, outcome.apart)
    ordered = sorted(linked, key=lambda c: outcome.ages[c])
    decision = Decision.MERGED if len(ordered) > 1 else Decision.LINKED
    return _Plan(ordered[0], decision, ordered[1:], evidence, reviews, outcome.apart)


_NEW_CUSTOMER = (Decision.NEW, Decision.REVIEW, Decision.AMBIGUOUS)
"""Decisions that store the record under a customer created for it (an ambiguous contact on a
household's line is the household's contact customer)."""


@dataclass(frozen=True)
class PreparedRecord:
    """A validated, normalized record with its blocking keys and advisory lock keys."""

    record: SourceRecord
    blocking_keys: tuple[str, ...]
    lock_keys: tuple[int, ...]


@dataclass(frozen=True)
class Resolved:
    """What a resolve decided, without loading the customer (a bulk import needs only its id)."""

    customer_id: str
    decision: Decision
    evidence: tuple[Evidence, ...]
    outcome: RecordOutcome
    merged_customer_ids: tuple[str, ...] = ()
    record_pk: int = 0
    """The stored record's primary key."""


def count_outcome(decision: Decision, outcome: RecordOutcome, merged: Sequence[str]) -> None:
    """Decision and merge metrics of one resolve (labels are enum names, never record content)."""
    DECISIONS.add(1, {"decision": decision.name, "outcome": outcome.name})
    if merged and outcome in (RecordOutcome.CREATED, RecordOutcome.UPDATED):
        MERGES.add(len(merged), {"origin": "resolve"})


class ResolveService:
    def __init__(self, database: Database, settings: Settings, matcher: Matcher) -> None:
        self.database = database
        self.settings = settings
        self.matcher = matcher
        self.suppression = SuppressionGuard(settings.privacy.suppressed_identifiers)
        self.disambiguator = Disambiguator(matcher)

    def prepare(self, request: ResolveInput, now: datetime) -> PreparedRecord:
        """Validate and normalize a request, and derive its blocking and lock keys (no I/O)."""
        with tracer.start_as_current_span("resolve.normalize") as span:
            record = validate_resolve_input(
                request, self.settings.limits, self.settings.normalization, now
            )
            keys = tuple(blocking_keys(build_profile(record.attributes, record.identifiers)))
            span.set_attributes(
                {"singleview.identifiers": len(record.identifiers), "singleview.keys": len(keys)}
            )
        return PreparedRecord(record, keys, tuple(store.resolve_lock_keys(record, keys)))

    async def resolve(self, request: ResolveInput) -> ResolveResult:
        prepared = self.prepare(request, datetime.now(UTC))

        async def work(conn: Connection) -> ResolveResult:
            resolved = await self._resolve_alone(conn, prepared)
            customers = await customer_store.load_customers(conn, [resolved.customer_id])
            return ResolveResult(
                customers[resolved.customer_id],
                resolved.decision,
                resolved.evidence,
                resolved.outcome,
                resolved.merged_customer_ids,
            )

        # Pipeline mode: writes are sent without waiting for their answers, and reads are made
        # in batches (service/lone_reads.py): the round trips left for a new record are BEGIN
        # with the advisory locks and the first reads, the row locks with the candidates'
        # records, the writes with the answer, and COMMIT.
        result = await self.database.in_transaction(work, pipeline=True)
        count_outcome(result.decision, result.outcome, result.merged_customer_ids)
        return result

    async def _resolve_alone(self, conn: Connection, prepared: PreparedRecord) -> Resolved:
        """One record in its own transaction: its locks and first reads in one round trip."""
        reads = LoneReads(self.matcher.settings)
        await reads.lock_and_read(conn, prepared.record, prepared.blocking_keys, prepared.lock_keys)
        return await self.resolve_admitted(conn, prepared, reads)

    async def resolve_admitted(
        self, conn: Connection, prepared: PreparedRecord, reads: CandidateReads = DIRECT
    ) -> Resolved:
        """Resolve one record whose lock keys this transaction holds, suppression checked."""
        record = prepared.record
        returning = await self.suppression.admit(conn, record.identifiers, reads)
        resolved = await self._resolve_locked(conn, record, prepared.blocking_keys, reads)
        await self.suppression.lift(conn, returning, resolved.customer_id)
        return resolved

    async def _resolve_locked(
        self, conn: Connection, record: SourceRecord, keys: Sequence[str], reads: CandidateReads
    ) -> Resolved:
        stored = await reads.stored_record(conn, record.ref)
        if stored is not None:
            if stored.content_hash == content_hash(record.identifiers, record.attributes):
                return await self._answer_stored(conn, stored, RecordOutcome.UNCHANGED)
            if record.observed_at < stored.observed_at:
                await store.archive_stale_version(conn, stored.pk, record)
                return await self._answer_stored(conn, stored, RecordOutcome.STALE)
        own_customer = stored.customer_id if stored is not None else None
        target = MatchInput(
            record.identifiers, record.attributes, stored.pk if stored else None, own_customer
        )
        outcome = await self.matcher.match(conn, target, lock=True, reads=reads)
        if outcome.newly_generic:
            changed = await self._learn_generic(conn, outcome.newly_generic)
            reads.learned(outcome.newly_generic, changed)
            outcome = await self.matcher.match(conn, target, lock=True, reads=reads)
        with tracer.start_as_current_span("resolve.decide") as span:
            plan = await self._household_contact(
                conn, record, _plan(outcome, own_customer, self.matcher, record)
            )
            span.set_attributes(
                {
                    "singleview.decision": plan.decision.name,
                    "singleview.merged": len(plan.losers),
                    "singleview.reviews": len(plan.reviews),
                }
            )
        with tracer.start_as_current_span("resolve.persist"):
            return await self._persist(conn, record, keys, stored, plan, reads)

    async def _persist(
        self,
        conn: Connection,
        record: SourceRecord,
        keys: Sequence[str],
        stored: store.StoredRecord | None,
        plan: _Plan,
        reads: CandidateReads,
    ) -> Resolved:
        new_customer = plan.decision in _NEW_CUSTOMER
        reserved = reads.next_record_pk() if stored is None else None
        if new_customer and reserved is None:
            await store.insert_customer(conn, plan.customer_id)
        if plan.losers:
            await self._merge(conn, plan, record)
        if reserved is not None:  # the record and all that goes with it in one statement
            pk = reserved
            name = name_row(pk, record.attributes)
            await store.insert_new_record(
                conn, store.NewRecord(pk, record, plan.customer_id, new_customer, plan, keys, name)
            )
        else:
            pk = await self._write_record(conn, record, keys, stored, plan)
        reads.record_written(
            record,
            keys,
            pk,
            plan.customer_id,
            plan.losers,
            fresh=stored is None,
            new_customer=new_customer,
        )
        await self._open_reviews(conn, pk, plan, new_customer=new_customer)
        records = await reads.record_attributes(conn, plan.customer_id)
        await store.update_golden(
            conn, plan.customer_id, golden_record(records, self.settings.survivorship)
        )
        if plan.generic:
            await refresh_learned_households(conn, plan.generic)
            reads.identifiers_changed(plan.generic)
        outcome_kind = RecordOutcome.CREATED if stored is None else RecordOutcome.UPDATED
        return Resolved(
            plan.customer_id, plan.decision, plan.evidence, outcome_kind, tuple(plan.losers), pk
        )

    @staticmethod
    async def _write_record(
        conn: Connection,
        record: SourceRecord,
        keys: Sequence[str],
        stored: store.StoredRecord | None,
        plan: _Plan,
    ) -> int:
        """The record, its blocking keys and search entry, step by step (a newer version of a
        stored record, or a new one without a reserved key); returns its key."""
        if stored is None:
            pk = await store.insert_record(
                conn, record, plan.customer_id, plan.decision, plan.evidence
            )
        else:
            pk = stored.pk
            await store.replace_record(
                conn, pk, record, plan.customer_id, plan.decision, plan.evidence
            )
        await match_store.replace_blocking_keys(conn, pk, keys, fresh=stored is None)
        await index_record_name(conn, pk, record.attributes)
        return pk

    async def _merge(self, conn: Connection, plan: _Plan, record: SourceRecord) -> None:
        await store.merge_customers(conn, plan.customer_id, plan.losers)
        await timeline_store.follow_merge(conn, plan.customer_id, plan.losers)
        await household_store.follow_merge(conn, plan.customer_id, plan.losers)
        await steward_store.obsolete_tasks_within(conn, plan.customer_id)
        await store.insert_audit_event(
            conn,
            action="MERGE",
            actor="resolve",
            customers=[plan.customer_id, *plan.losers],
            reason="a source record matches several customers",
            after={
                "survivor": plan.customer_id,
                "merged": plan.losers,
                "record": [record.ref.source, record.ref.record_id],
            },
        )

    @staticmethod
    async def _household_contact(conn: Connection, record: SourceRecord, plan: _Plan) -> _Plan:
        """A nameless record that proves no one, on a household's identifier: whoever called
        from the landline. It stays its own customer (a contact of the household, never merged
        into a member) and the answer says it is ambiguous."""
        if plan.decision is not Decision.NEW or not plan.generic or is_named(record.attributes):
            return plan
        if not await household_store.households_of_identifiers(conn, sorted(plan.generic)):
            return plan
        return replace(plan, decision=Decision.AMBIGUOUS)

    async def _open_reviews(
        self, conn: Connection, record_pk: int, plan: _Plan, *, new_customer: bool
    ) -> None:
        """A review task per pair not already waiting. A customer this resolve just created has
        no task yet, so its pairs are not looked up: most review tasks are raised for a record
        that stays its own new customer, and in a bulk import each lookup also sent the batch's
        held-back writes."""
        for judgement in plan.reviews:
            if judgement.customer_id in plan.losers or judgement.customer_id == plan.customer_id:
                continue
            pair = (plan.customer_id, judgement.customer_id)
            if frozenset(pair) in plan.apart:
                continue
            if not new_customer and await steward_store.open_task_between(conn, *pair):
                continue
            await match_store.insert_review_task(
                conn,
                task_id=new_id(),
                record_pk=record_pk,
                customer_a=plan.customer_id,
                customer_b=judgement.customer_id,
                score=judgement.probability,
                evidence=comparison_evidence(judgement, self.matcher.model),
            )

    async def _learn_generic(self, conn: Connection, newly: dict[Identifier, str]) -> set[str]:
        """Record the identifiers as generic, then re-evaluate every customer holding them;
        returns those customers and the ones split out of them."""
        for identifier, reason in sorted(newly.items()):
            if await match_store.mark_generic(conn, identifier, reason):
                GENERIC_IDENTIFIERS.add(1, {"kind": identifier.kind.value})
                await store.insert_audit_event(
                    conn,
                    action="GENERIC_IDENTIFIER",
                    actor="resolve",
                    customers=[],
                    reason=reason,
                    after={"kind": identifier.kind.value},
                )
        holders = await store.customers_of_identifiers(conn, tuple(newly))
        everyone: set[str] = set()
        for customer_id in sorted(holders):
            changed = [
                customer_id,
                *await recluster(
                    conn,
                    customer_id,
                    self.matcher,
                    "an identifier it was linked through is generic",
                ),
            ]
            for customer in changed:
                await self._refresh_golden(conn, customer)
            if len(changed) > 1:
                await refresh_households_of_customers(conn, changed)
            everyone.update(changed)
        return everyone

    async def _answer_stored(
        self, conn: Connection, stored: store.StoredRecord, outcome: RecordOutcome
    ) -> Resolved:
        """A repeat answers as the first call did, with the customer as it is now."""
        merged: list[str] = []
        if stored.decision is Decision.MERGED:
            merged = sorted(
                {e.customer_id for e in stored.evidence if e.customer_id} - {stored.customer_id}
            )
        return Resolved(
            stored.customer_id, stored.decision, stored.evidence, outcome, tuple(merged), stored.pk
        )

    async def _refresh_golden(self, conn: Connection, customer_id: str) -> None:
        await refresh_golden(conn, customer_id, self.settings.survivorship)

    async def lookup(
        self,
        raw_identifiers: Sequence[RawIdentifier],
        raw_attributes: RawPersonAttributes,
        raw_last4: RawLast4 | None = None,
    ) -> LookupResult:
        """What a Resolve of these identifiers and attributes would link to; reads only. When
        that is nobody and the identifiers are a household's, which member (service/ambiguity.py).
        """
        asked = self.check_lookup(raw_identifiers, raw_attributes, raw_last4)
        async with self.database.connection() as conn:
            return await self.lookup_checked(conn, asked)

    def check_lookup(
        self,
        raw_identifiers: Sequence[RawIdentifier],
        raw_attributes: RawPersonAttributes,
        raw_last4: RawLast4 | None = None,
    ) -> LookupQuery:
        """A lookup's input validated and normalized, or InvalidArgument naming each bad field."""
        errors = ViolationCollector()
        identifiers = check_identifiers(
            errors, raw_identifiers, self.settings.limits, self.settings.normalization
        )
        attributes = check_attributes(
            errors, "attributes", raw_attributes, self.settings.limits, datetime.now(UTC).date()
        )
        last4 = check_last4(errors, raw_last4)
        if not raw_identifiers and attributes == PersonAttributes():
            errors.add("identifiers", "give at least one identifier or person attribute")
        errors.raise_if_any()
        return LookupQuery(identifiers, attributes, last4)

    async def lookup_checked(
        self, conn: Connection, asked: LookupQuery, riders: Sequence[Pending[Any]] = ()
    ) -> LookupResult:
        """`lookup` on a connection the caller holds; `riders` (the caller's own reads) travel
        in the lookup's first round trip when it has one (Matcher.match)."""
        outcome = await self.matcher.match(
            conn, MatchInput(asked.identifiers, asked.attributes), lock=False, riders=riders
        )
        plain = await self._lookup_answer(conn, outcome)
        return await self.disambiguator.household_answer(
            conn, asked.identifiers, asked.attributes, asked.last4, plain, outcome.generic
        )

    async def _lookup_answer(self, conn: Connection, outcome: MatchOutcome) -> LookupResult:
        linked = outcome.with_verdict(Verdict.LINK)
        held = held_apart((j.customer_id for j in linked), None, outcome.apart)
        links = [j for j in linked if j.customer_id not in held]
        chosen = links or [
            j for j in outcome.judgements if j.verdict is Verdict.REVIEW or j.customer_id in held
        ]
        evidence = _evidence(outcome, None, self.matcher)
        if not chosen:
            return LookupResult(None, Decision.NEW, evidence)
        if links:
            linked_ids = [j.customer_id for j in links]
            ages = outcome.ages  # the oldest survives a merge: only several links need ages
            if len(linked_ids) > 1 and not set(linked_ids) <= ages.keys():
                ages = await customer_store.customer_ages(conn, linked_ids)
            ordered = sorted(linked_ids, key=lambda c: ages.get(c, 0))
            decision = Decision.MERGED if len(ordered) > 1 else Decision.LINKED
        else:
            ordered = [j.customer_id for j in sorted(chosen, key=lambda j: -j.probability)]
            decision = Decision.REVIEW
        customers = outcome.views
        if ordered[0] not in customers:
            customers = await customer_store.load_customers(conn, ordered[:1])
        if ordered[0] not in customers:
            raise Aborted("the customer changed during the lookup; retry")
        return LookupResult(customers[ordered[0]], decision, evidence, tuple(ordered))
