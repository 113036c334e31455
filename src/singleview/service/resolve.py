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
from dataclasses import dataclass
from datetime import UTC, datetime

from singleview.config import Settings
from singleview.domain.errors import Aborted, ViolationCollector
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
from singleview.matching.profile import build_profile
from singleview.service.evidence import generic_evidence, identifier_evidence, same_record
from singleview.service.golden import refresh_golden
from singleview.service.matcher import Matcher, MatchInput, MatchOutcome
from singleview.service.names import new_customer_id, new_id
from singleview.service.privacy import SuppressionGuard
from singleview.service.recluster import recluster
from singleview.service.search_index import index_record_name
from singleview.service.stewardship_rules import held_apart, kept_apart_evidence
from singleview.service.validation import (
    check_attributes,
    check_identifiers,
    validate_resolve_input,
)
from singleview.store import customers as customer_store
from singleview.store import matching as match_store
from singleview.store import resolution as store
from singleview.store import stewardship as steward_store
from singleview.store import timeline as timeline_store
from singleview.store.codec import content_hash
from singleview.store.database import Connection, Database
from singleview.telemetry import DECISIONS, GENERIC_IDENTIFIERS, MERGES, tracer


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


def _plan(outcome: MatchOutcome, own_customer: str | None, matcher: Matcher) -> _Plan:
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


class ResolveService:
    def __init__(self, database: Database, settings: Settings, matcher: Matcher) -> None:
        self.database = database
        self.settings = settings
        self.matcher = matcher
        self.suppression = SuppressionGuard(settings.privacy.suppressed_identifiers)

    async def resolve(self, request: ResolveInput) -> ResolveResult:
        with tracer.start_as_current_span("resolve.normalize") as span:
            record = validate_resolve_input(
                request, self.settings.limits, self.settings.normalization, datetime.now(UTC)
            )
            keys = blocking_keys(build_profile(record.attributes, record.identifiers))
            lock_keys = store.resolve_lock_keys(record, keys)
            span.set_attributes(
                {"singleview.identifiers": len(record.identifiers), "singleview.keys": len(keys)}
            )

        async def work(conn: Connection) -> ResolveResult:
            await store.lock_keys(conn, lock_keys)
            returning = await self.suppression.admit(conn, record.identifiers)
            result = await self._resolve_locked(conn, record, keys)
            await self.suppression.lift(conn, returning, result.customer.id)
            return result

        result = await self.database.in_transaction(work)
        DECISIONS.add(1, {"decision": result.decision.name, "outcome": result.outcome.name})
        if result.merged_customer_ids and result.outcome in (
            RecordOutcome.CREATED,
            RecordOutcome.UPDATED,
        ):
            MERGES.add(len(result.merged_customer_ids), {"origin": "resolve"})
        return result

    async def _resolve_locked(
        self, conn: Connection, record: SourceRecord, keys: Sequence[str]
    ) -> ResolveResult:
        stored = await store.select_record_for_update(conn, record.ref)
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
        outcome = await self.matcher.match(conn, target, lock=True)
        if outcome.newly_generic:
            await self._learn_generic(conn, outcome.newly_generic)
            outcome = await self.matcher.match(conn, target, lock=True)
        with tracer.start_as_current_span("resolve.decide") as span:
            plan = _plan(outcome, own_customer, self.matcher)
            span.set_attributes(
                {
                    "singleview.decision": plan.decision.name,
                    "singleview.merged": len(plan.losers),
                    "singleview.reviews": len(plan.reviews),
                }
            )
        with tracer.start_as_current_span("resolve.persist"):
            return await self._persist(conn, record, keys, stored, plan)

    async def _persist(
        self,
        conn: Connection,
        record: SourceRecord,
        keys: Sequence[str],
        stored: store.StoredRecord | None,
        plan: _Plan,
    ) -> ResolveResult:
        if plan.decision in (Decision.NEW, Decision.REVIEW):
            await store.insert_customer(conn, plan.customer_id)
        if plan.losers:
            await self._merge(conn, plan, record)
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
        await self._open_reviews(conn, pk, plan)
        await self._refresh_golden(conn, plan.customer_id)
        customer = (await customer_store.load_customers(conn, [plan.customer_id]))[plan.customer_id]
        outcome_kind = RecordOutcome.CREATED if stored is None else RecordOutcome.UPDATED
        return ResolveResult(
            customer, plan.decision, plan.evidence, outcome_kind, tuple(plan.losers)
        )

    async def _merge(self, conn: Connection, plan: _Plan, record: SourceRecord) -> None:
        await store.merge_customers(conn, plan.customer_id, plan.losers)
        await timeline_store.follow_merge(conn, plan.customer_id, plan.losers)
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

    async def _open_reviews(self, conn: Connection, record_pk: int, plan: _Plan) -> None:
        for judgement in plan.reviews:
            if judgement.customer_id in plan.losers or judgement.customer_id == plan.customer_id:
                continue
            pair = (plan.customer_id, judgement.customer_id)
            if frozenset(pair) in plan.apart or await steward_store.open_task_between(conn, *pair):
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

    async def _learn_generic(self, conn: Connection, newly: dict[Identifier, str]) -> None:
        """Record the identifiers as generic, then re-evaluate every customer holding them."""
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
        for customer_id in sorted(holders):
            for changed in [
                customer_id,
                *await recluster(
                    conn,
                    customer_id,
                    self.matcher,
                    "an identifier it was linked through is generic",
                ),
            ]:
                await self._refresh_golden(conn, changed)

    async def _answer_stored(
        self, conn: Connection, stored: store.StoredRecord, outcome: RecordOutcome
    ) -> ResolveResult:
        """A repeat answers as the first call did, with the customer as it is now."""
        customer = (await customer_store.load_customers(conn, [stored.customer_id]))[
            stored.customer_id
        ]
        merged: list[str] = []
        if stored.decision is Decision.MERGED:
            merged = sorted(
                {e.customer_id for e in stored.evidence if e.customer_id} - {stored.customer_id}
            )
        return ResolveResult(customer, stored.decision, stored.evidence, outcome, tuple(merged))

    async def _refresh_golden(self, conn: Connection, customer_id: str) -> None:
        await refresh_golden(conn, customer_id, self.settings.survivorship)

    async def lookup(
        self, raw_identifiers: Sequence[RawIdentifier], raw_attributes: RawPersonAttributes
    ) -> LookupResult:
        """What a Resolve of these identifiers and attributes would link to; reads only."""
        errors = ViolationCollector()
        identifiers = check_identifiers(
            errors, raw_identifiers, self.settings.limits, self.settings.normalization
        )
        attributes = check_attributes(
            errors, "attributes", raw_attributes, self.settings.limits, datetime.now(UTC).date()
        )
        if not raw_identifiers and attributes == PersonAttributes():
            errors.add("identifiers", "give at least one identifier or person attribute")
        errors.raise_if_any()
        async with self.database.connection() as conn:
            outcome = await self.matcher.match(
                conn, MatchInput(identifiers, attributes), lock=False
            )
            return await self._lookup_answer(conn, outcome)

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
