"""Bulk import: many records resolved in one transaction, each exactly as a lone Resolve would.

A lone Resolve pays for its transaction (begin, advisory locks, commit and its WAL flush), its
pooled connection and about fifteen round trips to the database per record. A batch takes the
advisory locks of all its records at once, in one sorted order (so batches and lone resolves
never deadlock on them), reads what its records' resolves would read in a few queries
(service/batch_reads.py), then resolves the records one after the other in request order with
exactly the code of a lone resolve, its reads served from that snapshot and its writes
pipelined (sent without waiting for each answer). Each record sees the records before it as a
serial run would, so the clusters, decisions, outcomes, golden records and review tasks are
those of resolving the same records one by one; a retried batch (after a deadlock or a
conflict) does it all again from scratch. One commit per batch.

A record that fails validation fails alone before the transaction starts. A record failing
inside it (an erased identifier under the `reject` policy, too much contention) would roll
the whole batch back, so then every record of the batch is resolved in a transaction of its
own, and only that one fails: nothing is ever half-written.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from opentelemetry import trace

from singleview.domain.errors import DomainError
from singleview.domain.records import ResolveInput
from singleview.service.batch_reads import BatchReads
from singleview.service.decoded_records import DecodedRecords
from singleview.service.resolve import PreparedRecord, Resolved, ResolveService, count_outcome
from singleview.store import resolution as store
from singleview.store.database import Connection
from singleview.store.write_behind import WriteBehind
from singleview.telemetry import tracer

log = logging.getLogger(__name__)

SNAPSHOT_WINDOW = 128
"""Records whose reads one snapshot covers: the candidates of a whole batch would be read
before its first record is resolved, and more of them would be stale by its last."""

Answer = Resolved | DomainError
"""Per request: what it resolved to, or why it failed (that request alone)."""


class BulkImporter:
    """Resolves batches of records for ImportRecords (and so `singleview import`)."""

    def __init__(self, resolver: ResolveService) -> None:
        self.resolver = resolver
        self.decoded = DecodedRecords()

    async def resolve_batch(self, requests: Sequence[ResolveInput]) -> list[Answer]:
        """One answer per request, in order; records are resolved in request order."""
        answers: list[Answer | PreparedRecord] = []
        for request in requests:
            try:
                answers.append(self.resolver.prepare(request, datetime.now(UTC)))
            except DomainError as error:
                answers.append(error)
        prepared = [a for a in answers if isinstance(a, PreparedRecord)]
        if prepared:
            resolved = iter(await self._resolve_prepared(prepared))
            answers = [next(resolved) if isinstance(a, PreparedRecord) else a for a in answers]
        return [a for a in answers if not isinstance(a, PreparedRecord)]

    async def _resolve_prepared(self, batch: list[PreparedRecord]) -> list[Answer]:
        with tracer.start_as_current_span("import.batch") as span:
            span.set_attribute("singleview.records", len(batch))
            try:
                results: list[Answer] = list(
                    await self.resolver.database.in_transaction(
                        lambda conn: self._resolve_together(conn, batch)
                    )
                )
            except DomainError as error:
                # Class names and reasons only: a database error's text may quote a value.
                cause = type(error.__cause__).__name__ if error.__cause__ else "none"
                log.warning(
                    "an import batch of %d records failed as a whole (%s, caused by %s); "
                    "resolving them one by one",
                    len(batch),
                    error.reason,
                    cause,
                )
                span.set_attribute("singleview.one_by_one", True)
                results = [await self._resolve_alone(p) for p in batch]
        for result in results:
            if isinstance(result, Resolved):
                count_outcome(result.decision, result.outcome, result.merged_customer_ids)
        return results

    async def _resolve_together(
        self, conn: Connection, batch: list[PreparedRecord]
    ) -> list[Resolved]:
        async with conn.pipeline():
            await store.plan_each_statement(conn)
            await store.lock_keys(conn, sorted({k for p in batch for k in p.lock_keys}))
            writes = WriteBehind(conn)
            reads = BatchReads(self.resolver.matcher, self.decoded)
            results = []
            window_end = takes = 0
            for n, prepared in enumerate(batch):
                if n >= window_end:
                    window_end = n + SNAPSHOT_WINDOW
                    takes += 1
                    await writes.flush()
                    await reads.take(conn, batch[n:window_end])
                resolved = await self.resolver.resolve_admitted(writes.connection, prepared, reads)
                reads.wrote(prepared, resolved)
                results.append(resolved)
            await writes.flush()
            trace.get_current_span().set_attribute("singleview.snapshots", takes)
            return results

    async def _resolve_alone(self, prepared: PreparedRecord) -> Answer:
        async def work(conn: Connection) -> Resolved:
            await store.lock_keys(conn, list(prepared.lock_keys))
            return await self.resolver.resolve_admitted(conn, prepared)

        try:
            return await self.resolver.database.in_transaction(work)
        except DomainError as error:
            return error
