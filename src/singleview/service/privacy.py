"""Privacy requests: erase a person everywhere, export everything held about them, and keep the
erased identifiers from silently building a new profile.

An erasure runs in one transaction over the live customer and every name merged into it: their
interactions and conversations, review tasks, merge log, source records with their history,
identifiers, blocking keys and steward constraints, and the customer rows with the golden record.
It takes the advisory locks a resolve of the same records or identifiers takes (in the same
sorted order), then the customers' row locks, so a concurrent resolve either finishes first (and
is erased with the rest) or runs after and meets the suppression entries. Watchers hear
CUSTOMER_ERASED. The audit log keeps one ERASE entry: actor, reason, customer ids and counts.

Suppression entries are HMAC-SHA256(server secret, identifier key): a returning identifier is
recognised, the raw value is not kept, and without the secret (in `server_secret`, made on first
use) the entries cannot be tested against a list of phone numbers. Generic identifiers,
placeholders and identifiers other customers still hold are never suppressed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Sequence
from typing import Any

from singleview.config import SUPPRESSION_POLICIES, Settings
from singleview.domain.errors import FailedPrecondition, NotFound, ViolationCollector
from singleview.domain.identifiers import Identifier
from singleview.domain.privacy import EraseInput, Erasure
from singleview.domain.timeline import CustomerEventKind
from singleview.matching.generic import placeholders_among
from singleview.service.candidate_reads import DIRECT, CandidateReads
from singleview.service.names import customer_name, new_id, parse_customer_name
from singleview.service.validation import check_text
from singleview.store import customers as customer_store
from singleview.store import households as household_store
from singleview.store import privacy as store
from singleview.store.database import Connection, Database, RetryableConflict
from singleview.store.events import notify
from singleview.store.resolution import insert_audit_event, lock_key, lock_keys

log = logging.getLogger(__name__)

EXPORT_FORMAT = "singleview.export.v1"


def identifier_digest(key: bytes, identifier: Identifier) -> str:
    return hmac.new(key, identifier.key().encode("utf-8"), hashlib.sha256).hexdigest()


class SuppressionGuard:
    """Checks a resolve's identifiers against the suppression entries, inside its transaction."""

    def __init__(self, policy: str = "reject") -> None:
        if policy not in SUPPRESSION_POLICIES:
            raise ValueError(f"unknown suppression policy {policy!r}")
        self.policy = policy

    async def admit(
        self, conn: Connection, identifiers: Sequence[Identifier], reads: CandidateReads = DIRECT
    ) -> tuple[str, ...]:
        """Digests of the suppressed identifiers among these (to lift once the resolve is done);
        FAILED_PRECONDITION IDENTIFIER_SUPPRESSED under the `reject` policy."""
        key = await reads.suppression_key(conn) if identifiers else None
        if key is None:
            return ()
        by_digest = {identifier_digest(key, i): i for i in identifiers}
        found = await store.suppressed_among(conn, list(by_digest))
        if found and self.policy == "reject":
            kinds = sorted({by_digest[d].kind.value for d in found})
            raise FailedPrecondition(
                "an identifier in this request belongs to an erased customer",
                reason="IDENTIFIER_SUPPRESSED",
                metadata={"kinds": ",".join(kinds)},
            )
        return tuple(sorted(found))

    async def lift(self, conn: Connection, digests: Sequence[str], customer_id: str) -> None:
        """Under `allow`: the identifiers are back; say so in the audit log, once."""
        if not digests:
            return
        await store.lift_suppressions(conn, digests)
        await insert_audit_event(
            conn,
            action="SUPPRESSION_LIFTED",
            actor="resolve",
            customers=[customer_id],
            reason="identifiers of an erased customer came back (suppressed identifiers: allow)",
            after={"identifiers": len(digests)},
        )


def _erasure_json(erasure: Erasure) -> dict[str, Any]:
    return {
        "erased": list(erasure.erased_ids),
        "records": erasure.records_erased,
        "interactions": erasure.interactions_erased,
        "identifiers": erasure.identifiers_suppressed,
    }


def _erasure_from_json(data: dict[str, Any]) -> Erasure:
    return Erasure(
        tuple(data["erased"]), data["records"], data["interactions"], data["identifiers"]
    )


class PrivacyService:
    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings

    def _check_erase(self, request: EraseInput) -> str:
        errors = ViolationCollector()
        limits = self.settings.limits
        check_text(errors, "reason", request.reason, limits.max_string_length)
        check_text(errors, "request_id", request.request_id, limits.max_name_length)
        errors.raise_if_any()
        return parse_customer_name(request.name)

    async def erase_customer(self, request: EraseInput) -> Erasure:
        customer_id = self._check_erase(request)
        request_id = request.request_id.strip()

        async def work(conn: Connection) -> Erasure:
            if request_id:
                prior = await store.prior_request(conn, request_id)
                if prior is not None:
                    return self._replay(prior, request.name)
            erasure = await self._erase(conn, customer_id, request)
            if request_id:
                response = _erasure_json(erasure)
                await store.save_request(conn, request_id, "EraseCustomer", request.name, response)
            return erasure

        return await self.database.in_transaction(work)

    @staticmethod
    def _replay(prior: store.PriorRequest, name: str) -> Erasure:
        if prior.method != "EraseCustomer" or prior.customer != name:
            raise FailedPrecondition(
                "this request_id was used for another request",
                reason="REQUEST_ID_REUSED",
            )
        return _erasure_from_json(prior.response)

    async def _erase(self, conn: Connection, customer_id: str, request: EraseInput) -> Erasure:
        live = (await customer_store.resolve_names(conn, [customer_id])).get(customer_id)
        if live is None:
            raise NotFound(
                "no such customer", reason="CUSTOMER_NOT_FOUND", metadata={"customer": request.name}
            )
        scope = await store.scope_of(conn, live)
        identifiers = await self._lock(conn, scope)
        suppressed = await self._suppressible(conn, identifiers, scope)
        await household_store.forget_customers(conn, scope.customer_ids)
        deleted = await store.delete_scope(conn, scope)
        erasure_id = new_id()
        key = await store.suppression_key(conn)
        await store.insert_suppressions(
            conn, [(identifier_digest(key, i), i.kind.value) for i in suppressed], erasure_id
        )
        erasure = Erasure(
            tuple(customer_name(i) for i in scope.customer_ids),
            deleted.records,
            deleted.interactions,
            len(suppressed),
        )
        await insert_audit_event(
            conn,
            action="ERASE",
            actor=request.actor,
            customers=list(scope.customer_ids),
            reason=request.reason.strip(),
            after={"erasure": erasure_id, **_erasure_json(erasure)},
        )
        related = tuple(i for i in scope.customer_ids if i != live)
        await notify(conn, CustomerEventKind.CUSTOMER_ERASED, live, related=related)
        log.info(
            "erasure %s: %d records, %d interactions, %d identifiers suppressed",
            erasure_id,
            erasure.records_erased,
            erasure.interactions_erased,
            erasure.identifiers_suppressed,
        )
        return erasure

    @staticmethod
    async def _lock(conn: Connection, scope: store.ErasureScope) -> tuple[Identifier, ...]:
        """The locks a resolve of these records or identifiers takes, then the customers' rows;
        conflict (the transaction re-runs) if what was locked no longer covers the customer."""
        identifiers = await store.identifiers_of(conn, scope)
        keys = {lock_key(f"record\x1f{source}\x1f{rid}") for source, rid in scope.record_refs}
        keys |= {lock_key(f"identifier\x1f{i.key()}") for i in identifiers}
        await lock_keys(conn, sorted(keys))
        await store.lock_scope(conn, scope)
        locked = await store.identifiers_of(conn, scope)
        if not set(locked) <= set(identifiers):
            raise RetryableConflict("the customer's identifiers changed while the erasure waited")
        return locked

    async def _suppressible(
        self, conn: Connection, identifiers: Sequence[Identifier], scope: store.ErasureScope
    ) -> list[Identifier]:
        kept = await store.identifiers_kept_elsewhere(conn, identifiers, scope)
        kept |= placeholders_among(identifiers, self.settings.matching.placeholders)
        return [i for i in identifiers if i not in kept]

    async def export_customer(self, name: str, actor: str) -> str:
        """Everything held about the person, as one JSON document (one snapshot)."""
        customer_id = parse_customer_name(name)

        async def work(conn: Connection) -> dict[str, Any]:
            await store.repeatable_read(conn)
            live = (await customer_store.resolve_names(conn, [customer_id])).get(customer_id)
            if live is None:
                raise NotFound(
                    "no such customer", reason="CUSTOMER_NOT_FOUND", metadata={"customer": name}
                )
            scope = await store.scope_of(conn, live)
            parts = await store.export_parts(conn, scope.customer_ids)
            await insert_audit_event(
                conn, action="EXPORT", actor=actor, customers=[live], reason="ExportCustomer"
            )
            return {"format": EXPORT_FORMAT, "customer": customer_name(live), **parts}

        document = await self.database.in_transaction(work)
        return json.dumps(document, ensure_ascii=False, sort_keys=False)
