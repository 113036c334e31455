"""Resolve: upsert one source record and put it in the right customer, in one transaction.

Deterministic linking: a record joins the customer that holds any of its normalized identifiers;
a record whose identifiers are held by several customers bridges them, and they merge into the
oldest one (whose id survives; the others redirect to it forever). Two resolves that share an
identifier or a record serialize on advisory locks taken in a fixed order, and customers are
row-locked in id order, so concurrent resolves from any number of processes end in the clusters
a serial run gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from singleview.config import Settings
from singleview.domain.errors import Aborted, ViolationCollector
from singleview.domain.identifiers import Identifier, IdentifierKind, RawIdentifier
from singleview.domain.records import (
    Decision,
    Evidence,
    EvidenceKind,
    LookupResult,
    RecordOutcome,
    ResolveInput,
    ResolveResult,
    SourceRecord,
)
from singleview.service.golden import golden_record
from singleview.service.names import new_customer_id
from singleview.service.validation import check_identifiers, validate_resolve_input
from singleview.store import customers as customer_store
from singleview.store import resolution as store
from singleview.store.codec import content_hash
from singleview.store.database import Connection, Database

_KIND_LABELS = {
    IdentifierKind.PHONE: "phone",
    IdentifierKind.EMAIL: "email",
    IdentifierKind.SOCIAL_HANDLE: "social handle",
    IdentifierKind.DEVICE_ID: "device id",
    IdentifierKind.LOYALTY_ID: "loyalty id",
    IdentifierKind.EXTERNAL_ID: "external id",
}


def identifier_label(identifier: Identifier) -> str:
    kind = _KIND_LABELS[identifier.kind]
    where = f" ({identifier.namespace})" if identifier.namespace else ""
    return f"same {kind}{where} {identifier.value}"


def identifier_evidence(holders: dict[str, set[Identifier]]) -> tuple[Evidence, ...]:
    return tuple(
        Evidence(
            kind=EvidenceKind.IDENTIFIER_MATCH,
            label=identifier_label(identifier),
            customer_id=customer_id,
            identifier=identifier,
        )
        for customer_id in sorted(holders)
        for identifier in sorted(holders[customer_id])
    )


@dataclass(frozen=True)
class _Plan:
    """What the decision step chose: the customer, what to merge into it, and why."""

    customer_id: str
    decision: Decision
    losers: list[str]
    evidence: tuple[Evidence, ...]


def _plan(
    holders: dict[str, set[Identifier]], own_customer: str | None, ages: dict[str, int]
) -> _Plan:
    evidence = identifier_evidence(holders)
    if own_customer is not None and own_customer not in holders:
        evidence += (
            Evidence(
                EvidenceKind.SAME_RECORD,
                "this source record already belonged to the customer",
                customer_id=own_customer,
            ),
        )
    if not ages:
        return _Plan(new_customer_id(), Decision.NEW, [], evidence)
    ordered = sorted(ages, key=ages.__getitem__)
    survivor, losers = ordered[0], ordered[1:]
    decision = Decision.MERGED if losers else Decision.LINKED
    return _Plan(survivor, decision, losers, evidence)


class ResolveService:
    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings

    async def resolve(self, request: ResolveInput) -> ResolveResult:
        record = validate_resolve_input(
            request, self.settings.limits, self.settings.normalization, datetime.now(UTC)
        )
        keys = store.resolve_lock_keys(record)

        async def work(conn: Connection) -> ResolveResult:
            await store.lock_keys(conn, keys)
            return await self._resolve_locked(conn, record)

        return await self.database.in_transaction(work)

    async def _resolve_locked(self, conn: Connection, record: SourceRecord) -> ResolveResult:
        stored = await store.select_record_for_update(conn, record.ref)
        if stored is not None:
            if stored.content_hash == content_hash(record.identifiers, record.attributes):
                return await self._answer_stored(conn, stored, RecordOutcome.UNCHANGED)
            if record.observed_at < stored.observed_at:
                await store.archive_stale_version(conn, stored.pk, record)
                return await self._answer_stored(conn, stored, RecordOutcome.STALE)
        holders = await store.customers_of_identifiers(conn, record.identifiers)
        own_customer = stored.customer_id if stored is not None else None
        candidates = set(holders) | ({own_customer} if own_customer else set())
        ages = await store.lock_customers(conn, candidates)
        plan = _plan(holders, own_customer, ages)
        if plan.decision is Decision.NEW:
            await store.insert_customer(conn, plan.customer_id)
        if plan.losers:
            await store.merge_customers(conn, plan.customer_id, plan.losers)
            await store.insert_audit_event(
                conn,
                action="MERGE",
                actor="resolve",
                customers=[plan.customer_id, *plan.losers],
                reason="a source record shares identifiers with several customers",
                after={
                    "survivor": plan.customer_id,
                    "merged": plan.losers,
                    "record": [record.ref.source, record.ref.record_id],
                },
            )
        if stored is None:
            await store.insert_record(conn, record, plan.customer_id, plan.decision, plan.evidence)
            outcome = RecordOutcome.CREATED
        else:
            await store.replace_record(
                conn, stored.pk, record, plan.customer_id, plan.decision, plan.evidence
            )
            outcome = RecordOutcome.UPDATED
        await self._refresh_golden(conn, plan.customer_id)
        customer = (await customer_store.load_customers(conn, [plan.customer_id]))[plan.customer_id]
        return ResolveResult(customer, plan.decision, plan.evidence, outcome, tuple(plan.losers))

    async def _answer_stored(
        self, conn: Connection, stored: store.StoredRecord, outcome: RecordOutcome
    ) -> ResolveResult:
        """A repeat answers as the first call did, with the customer as it is now."""
        customer = (await customer_store.load_customers(conn, [stored.customer_id]))[
            stored.customer_id
        ]
        merged = sorted(
            {e.customer_id for e in stored.evidence if e.customer_id} - {stored.customer_id}
        )
        if stored.decision is not Decision.MERGED:
            merged = []
        return ResolveResult(customer, stored.decision, stored.evidence, outcome, tuple(merged))

    async def _refresh_golden(self, conn: Connection, customer_id: str) -> None:
        records = await store.record_attributes_of_customer(conn, customer_id)
        await store.update_golden(conn, customer_id, golden_record(records))

    async def lookup(self, raw_identifiers: Sequence[RawIdentifier]) -> LookupResult:
        """What a Resolve of these identifiers would link to; reads only."""
        errors = ViolationCollector()
        identifiers = check_identifiers(
            errors, raw_identifiers, self.settings.limits, self.settings.normalization
        )
        if not raw_identifiers:
            errors.add("identifiers", "at least one identifier is required")
        errors.raise_if_any()
        async with self.database.connection() as conn:
            holders = await store.customers_of_identifiers(conn, identifiers)
            if not holders:
                return LookupResult(None, Decision.NEW, ())
            ages = await customer_store.customer_ages(conn, sorted(holders))
            ordered = sorted(holders, key=lambda c: ages.get(c, 0))
            customers = await customer_store.load_customers(conn, ordered[:1])
        if ordered[0] not in customers:  # merged away between the two reads
            raise Aborted("the customer changed during the lookup; retry")
        decision = Decision.MERGED if len(ordered) > 1 else Decision.LINKED
        return LookupResult(
            customers[ordered[0]], decision, identifier_evidence(holders), tuple(ordered)
        )
