"""A batch's reads made up front: what each of its resolves would read, in a few queries.

A lone resolve reads the store about ten times before it writes. For a batch of records, a
bulk import makes each kind of read once for all of them (suppressions, stored versions, generic
identifiers, identifier holders, blocking-key hits, candidates' records, steward constraints),
row-locks every customer any of them could link to, and then serves each record's reads from
that snapshot as the same matching code asks for them.

A snapshot answer is only used when nothing this batch wrote since could have changed it: an
answer goes to the store instead when it concerns an identifier or a blocking key a record
written earlier in the batch carries, a record seen earlier in the batch, or a customer that
earlier records joined, merged or left (any customer in the answer, since a merge changes
which customer a stored record belongs to). After generic identifiers are learned (which can
re-cluster customers anywhere) the snapshot is taken again for the records left. What other
transactions could change is held still by the batch's advisory locks (identifiers, blocking
keys, records) and the row locks on candidate customers, as it is for a lone resolve.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from singleview.domain.identifiers import Identifier
from singleview.domain.records import SourceRecordRef
from singleview.matching.generic import placeholders_among
from singleview.service.candidate_reads import CandidateReads
from singleview.service.matcher import GENERIC_HOLDERS, Matcher
from singleview.service.resolve import PreparedRecord, Resolved
from singleview.store import matching as match_store
from singleview.store import privacy as privacy_store
from singleview.store import resolution as store
from singleview.store import stewardship_links as links
from singleview.store.database import Connection


def _held(
    found: dict[str, set[Identifier]], ids: Iterable[Identifier]
) -> dict[str, set[Identifier]]:
    wanted = set(ids)
    held = {c: h & wanted for c, h in found.items()}
    return {c: h for c, h in held.items() if h}


class BatchReads(CandidateReads):
    """The snapshot of one batch, and what the batch has written since it was taken."""

    def __init__(self, matcher: Matcher) -> None:
        self.settings = matcher.settings
        self.placeholders = matcher.settings.placeholders
        self.stored: dict[SourceRecordRef, store.StoredRecord] = {}
        self.marked_generic: set[Identifier] = set()
        self.generic: set[Identifier] = set()
        self.identifiers: set[Identifier] = set()
        self.holder_rows: dict[str, set[Identifier]] = {}
        self.newest: set[Identifier] = set()
        self.newest_rows: dict[str, set[Identifier]] = {}
        self.blocked: dict[str, list[match_store.StoredCandidate]] = {}
        self.ages: dict[str, int] = {}
        self.records: dict[str, list[match_store.StoredCandidate]] = {}
        self.apart: set[frozenset[str]] = set()
        self.key: bytes | None = None
        self.valid = False
        self.dirty_identifiers: set[Identifier] = set()
        self.dirty_keys: set[str] = set()
        self.dirty_customers: set[str] = set()
        self.seen: set[SourceRecordRef] = set()

    async def take(self, conn: Connection, batch: Sequence[PreparedRecord]) -> None:
        """Read everything the batch's records could ask for; call once its locks are held
        (again, for the records left, after `forget`)."""
        self.dirty_identifiers, self.dirty_keys, self.dirty_customers = set(), set(), set()
        self.seen = set()
        self.key = await privacy_store.suppression_key_if_needed(conn)
        refs = list(dict.fromkeys(p.record.ref for p in batch))
        self.stored = await store.select_records_for_update(conn, refs)
        every = tuple(dict.fromkeys(i for p in batch for i in p.record.identifiers))
        self.marked_generic = await match_store.generic_among(conn, every)
        self.generic = self.marked_generic | placeholders_among(every, self.placeholders)
        self.identifiers = {i for i in every if i not in self.generic}
        self.newest = set(every) & self.generic
        self.holder_rows = await store.customers_of_identifiers(conn, tuple(self.identifiers))
        self.newest_rows = await store.customers_of_identifiers_bounded(
            conn, tuple(self.newest), GENERIC_HOLDERS
        )
        keys = {k for p in batch for k in p.blocking_keys}
        self.blocked = await match_store.records_by_each_blocking_key(
            conn, keys, self.settings.candidates_per_key
        )
        customers = {*self.holder_rows, *self.newest_rows}
        customers |= {r.customer_id for hits in self.blocked.values() for r in hits}
        customers |= {s.customer_id for s in self.stored.values()}
        self.ages = await store.lock_customers(conn, customers)
        self.records = {c: [] for c in customers}
        for row in await match_store.records_of_customers(
            conn, customers, self.settings.records_per_customer
        ):
            self.records[row.customer_id].append(row)
        self.apart = await links.cannot_link_pairs(conn, customers)
        self.valid = True

    def wrote(self, prepared: PreparedRecord, resolved: Resolved) -> None:
        """What a record just resolved may have changed, for the answers of the ones after it."""
        self.seen.add(prepared.record.ref)
        self.dirty_identifiers.update(prepared.record.identifiers)
        self.dirty_keys.update(prepared.blocking_keys)
        self.dirty_customers.add(resolved.customer_id)
        self.dirty_customers.update(resolved.merged_customer_ids)

    def forget(self) -> None:
        self.valid = False

    def _clean(self, customers: Iterable[str]) -> bool:
        return self.valid and self.dirty_customers.isdisjoint(customers)

    async def suppression_key(self, conn: Connection) -> bytes | None:
        """Read once per batch: a resolve only ever lifts suppressions, and a key read while
        there were some only costs a look that finds none."""
        return self.key

    async def stored_record(
        self, conn: Connection, ref: SourceRecordRef
    ) -> store.StoredRecord | None:
        stored = self.stored.get(ref)
        if ref in self.seen or not self._clean([stored.customer_id] if stored else []):
            stored = await super().stored_record(conn, ref)
        if stored is not None:  # it may move to another customer: the customer changes
            self.dirty_customers.add(stored.customer_id)
        return stored

    async def generic_among(self, conn: Connection, ids: tuple[Identifier, ...]) -> set[Identifier]:
        if self.valid and set(ids) <= self.identifiers | self.newest:
            return set(ids) & self.marked_generic
        return await super().generic_among(conn, ids)

    async def holders(
        self, conn: Connection, ids: tuple[Identifier, ...]
    ) -> dict[str, set[Identifier]]:
        held = _held(self.holder_rows, ids)
        if set(ids) <= self.identifiers - self.dirty_identifiers and self._clean(held):
            return held
        return await super().holders(conn, ids)

    async def newest_holders(
        self, conn: Connection, ids: tuple[Identifier, ...], per_identifier: int
    ) -> dict[str, set[Identifier]]:
        held = _held(self.newest_rows, ids)
        if (
            per_identifier == GENERIC_HOLDERS
            and set(ids) <= self.newest - self.dirty_identifiers
            and self._clean(held)
        ):
            return held
        return await super().newest_holders(conn, ids, per_identifier)

    async def blocked_records(
        self, conn: Connection, keys: Iterable[str], per_key: int
    ) -> list[match_store.StoredCandidate]:
        wanted = set(keys)
        if per_key == self.settings.candidates_per_key and wanted.isdisjoint(self.dirty_keys):
            hits = {r.pk: r for k in wanted if k in self.blocked for r in self.blocked[k]}
            if wanted <= self.blocked.keys() and self._clean(r.customer_id for r in hits.values()):
                return [hits[pk] for pk in sorted(hits)]
        return await super().blocked_records(conn, keys, per_key)

    async def lock_customers(self, conn: Connection, ids: set[str]) -> dict[str, int]:
        if ids <= self.ages.keys() and self._clean(ids):
            return {c: self.ages[c] for c in ids}
        return await super().lock_customers(conn, ids)

    async def records_of_customers(
        self, conn: Connection, ids: Iterable[str], per_customer: int
    ) -> list[match_store.StoredCandidate]:
        wanted = sorted(set(ids))
        if (
            per_customer == self.settings.records_per_customer
            and set(wanted) <= self.records.keys()
            and self._clean(wanted)
        ):
            return [r for c in wanted for r in self.records[c]]
        return await super().records_of_customers(conn, wanted, per_customer)

    async def cannot_link_pairs(self, conn: Connection, ids: set[str]) -> set[frozenset[str]]:
        if ids <= self.records.keys() and self._clean(ids):
            return {pair for pair in self.apart if pair <= ids}
        return await super().cannot_link_pairs(conn, ids)
