"""A batch's reads made up front: what each of its resolves would read, in a few queries.

A lone resolve reads the store about ten times before it writes. For a batch of records, a
bulk import makes each kind of read once for all of them (suppressions, stored versions, generic
identifiers, identifier holders, blocking-key hits, candidates' records, steward constraints),
row-locks every customer any of them could link to, and then serves each record's reads from
that snapshot as the same matching code asks for them.

As each record of the batch is written, the snapshot is brought up to date the way the store
changed: a new record joins its customer's records, its identifiers' holders and its blocking
keys' hits (newest first, as bounded as the queries are); a merge moves the losers' records,
identifiers, hits and steward constraints to the survivor. A customer created in the batch is
younger than every customer read before it. What the snapshot cannot follow (a newer version
replacing a stored record, the newest holders of a generic identifier, a customer it never
read) marks what it touches, and answers that concern anything marked come from the store.
When generic identifiers are learned (which re-clusters the customers holding them), those
identifiers count as generic from then on, and the customers re-evaluated, like the newest
holders of every generic identifier, are read from the store. What other transactions could
change is held still by the batch's advisory locks (identifiers, blocking keys, records) and
the row locks on candidate customers, as it is for a lone resolve.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from singleview.domain.identifiers import Identifier
from singleview.domain.records import SourceRecord, SourceRecordRef
from singleview.matching.blocking import ranked_hits
from singleview.matching.generic import placeholders_among
from singleview.service.candidate_reads import CandidateReads
from singleview.service.decoded_records import DecodedRecords
from singleview.service.matcher import GENERIC_HOLDERS, Matcher
from singleview.service.resolve import PreparedRecord, Resolved
from singleview.store import bulk as bulk_store
from singleview.store import matching as match_store
from singleview.store import privacy as privacy_store
from singleview.store import resolution as store
from singleview.store import stewardship_links as links
from singleview.store.codec import content_hash
from singleview.store.database import Connection


def _held(
    found: dict[str, set[Identifier]], ids: Iterable[Identifier]
) -> dict[str, set[Identifier]]:
    wanted = set(ids)
    held = {c: h & wanted for c, h in found.items()}
    return {c: h for c, h in held.items() if h}


class BatchReads(CandidateReads):
    """The snapshot of one batch, and what the batch has written since it was taken."""

    def __init__(self, matcher: Matcher, decoded: DecodedRecords) -> None:
        self.decoded = decoded
        self.matcher = matcher
        self.settings = matcher.settings
        self.placeholders = matcher.settings.placeholders
        self.stored: dict[SourceRecordRef, store.StoredRecord] = {}
        self.marked_generic: set[Identifier] = set()
        self.generic: set[Identifier] = set()
        self.identifiers: set[Identifier] = set()
        self.holder_rows: dict[str, set[Identifier]] = {}
        self.newest: set[Identifier] = set()
        self.newest_rows: dict[str, set[Identifier]] = {}
        self.hits: dict[str, list[bulk_store.Hit]] = {}
        self.hit_records: dict[int, match_store.StoredCandidate] = {}
        self.blocked: dict[str, list[match_store.StoredCandidate]] = {}
        """Per blocking key, its hits as records: made when a resolve first asks for the key
        (most of a window's keys are asked for by one record only)."""
        self.moved: dict[str, str] = {}
        """Customers merged since the snapshot was taken -> their survivor."""
        self.ages: dict[str, int] = {}
        self.records: dict[str, list[match_store.StoredCandidate]] = {}
        self.apart: set[frozenset[str]] = set()
        self.key: bytes | None = None
        self.valid = False
        self.dirty_identifiers: set[Identifier] = set()
        self.dirty_keys: set[str] = set()
        self.dirty_customers: set[str] = set()
        self.seen: set[SourceRecordRef] = set()
        self.observed: dict[int, datetime] = {}
        self.replaced: store.StoredRecord | None = None
        self.youngest = 0
        self.pks: list[int] = []
        """Reserved record keys, the next one last."""

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
            conn, tuple(self.newest), GENERIC_HOLDERS, contacts=False
        )
        keys = {k for p in batch for k in p.blocking_keys}
        hits = await bulk_store.blocking_key_hits(conn, keys, self.settings.candidates_per_key)
        customers = self._candidates_of(batch, hits)
        self.ages = await store.lock_customers(conn, customers)
        self.youngest = max(self.ages.values(), default=0) + 1
        newest = await bulk_store.newest_records_of_customers(
            conn, customers, self.settings.records_per_customer
        )
        every_hit = [h for found in hits.values() for h in found]
        by_pk = await self.decoded.read(conn, [*every_hit, *(h for h, _ in newest)])
        self.hits, self.hit_records, self.blocked, self.moved = hits, by_pk, {}, {}
        self.records = {c: [] for c in customers}
        self.observed = {}
        for hit, observed_at in newest:
            self.records[hit.customer_id].append(by_pk[hit.pk])
            self.observed[hit.pk] = observed_at
        self.apart = await links.cannot_link_pairs(conn, customers)
        self.pks = sorted(await store.reserve_record_pks(conn, len(batch)), reverse=True)
        self.valid = True

    def _candidates_of(
        self, batch: Sequence[PreparedRecord], hits: dict[str, list[bulk_store.Hit]]
    ) -> set[str]:
        """The customers the batch's resolves will judge (`Matcher.candidate_customers` of each
        record), and the records' own.

        Only these are locked and read ahead: a lone resolve compares no more, and reading
        every customer any blocking-key hit belongs to grew with the store. A record whose
        candidates turn out otherwise (the batch's own writes changed them) reads the rest
        from the store."""
        own = {s.customer_id for s in self.stored.values()}
        holding: dict[Identifier, set[str]] = {}
        for rows in (self.holder_rows, self.newest_rows):
            for customer, held in rows.items():
                for identifier in held:
                    holding.setdefault(identifier, set()).add(customer)
        chosen = set(own)
        for p in batch:
            ids = p.record.identifiers
            proving = {c for i in ids if i not in self.generic for c in holding.get(i, ())}
            widely = {c for i in ids if i in self.generic for c in holding.get(i, ())}
            found = {h.pk: h.customer_id for k in p.blocking_keys for h in hits[k]}
            blocked = ranked_hits([h.pk for h in hits[k]] for k in p.blocking_keys)
            stored = self.stored.get(p.record.ref)
            chosen.update(
                self.matcher.candidate_customers(
                    proving,
                    (found[pk] for pk in blocked),
                    widely,
                    stored.customer_id if stored else None,
                )
            )
        return chosen

    def wrote(self, prepared: PreparedRecord, resolved: Resolved) -> None:
        """A record of the batch is done: a repeat of its ref is read from the store."""
        self.seen.add(prepared.record.ref)
        self.replaced = None

    def next_record_pk(self) -> int | None:
        return self.pks.pop() if self.pks else None

    def record_written(
        self,
        record: SourceRecord,
        keys: Sequence[str],
        pk: int,
        customer_id: str,
        losers: Sequence[str],
        *,
        fresh: bool,
        new_customer: bool,
    ) -> None:
        """Bring the snapshot up to date with what a record's resolve just wrote."""
        involved = {customer_id, *losers}
        if self.replaced is not None:
            involved.add(self.replaced.customer_id)
        if new_customer and customer_id not in self.records:
            self.records[customer_id] = []
            self.ages[customer_id] = self.youngest
            self.youngest += 1
        if not fresh or not self.valid or not involved <= self.records.keys():
            self._mark(record, keys, involved)
            return
        for loser in losers:
            self._merge(loser, customer_id)
        self._add(record, keys, pk, customer_id)

    async def record_attributes(
        self, conn: Connection, customer_id: str
    ) -> list[store.RecordAttributes]:
        records = self.records.get(customer_id)
        if (
            records is None
            or len(records) >= self.settings.records_per_customer
            or not self._clean([customer_id])
        ):
            return await super().record_attributes(conn, customer_id)
        return [store.RecordAttributes(r.ref, self.observed[r.pk], r.attributes) for r in records]

    def _mark(self, record: SourceRecord, keys: Sequence[str], customers: set[str]) -> None:
        self.dirty_identifiers.update(record.identifiers)
        self.dirty_keys.update(keys)
        self.dirty_customers.update(customers)

    def _add(self, record: SourceRecord, keys: Sequence[str], pk: int, customer: str) -> None:
        """A new record: the newest of its customer, its blocking keys and identifiers."""
        written = match_store.candidate_of(pk, customer, record)
        self.decoded.keep(content_hash(record.identifiers, record.attributes), written)
        self.observed[pk] = record.observed_at
        self.records[customer] = self._newest([*self.records[customer], written])
        held = set(record.identifiers) & self.identifiers
        if held:
            self.holder_rows.setdefault(customer, set()).update(held)
        self.dirty_identifiers.update(set(record.identifiers) & self.newest)
        per_key = self.settings.candidates_per_key
        for key in keys:
            found = self._blocked(key)
            if found is not None:
                self.blocked[key] = [written, *found][:per_key]
            else:
                self.dirty_keys.add(key)

    def _blocked(self, key: str) -> list[match_store.StoredCandidate] | None:
        """The key's hits as records, each with its customer as it is now; None for a key the
        snapshot did not read."""
        found = self.blocked.get(key)
        if found is None and key in self.hits:
            found = [self._current(self.hit_records[h.pk]) for h in self.hits[key]]
            self.blocked[key] = found
        return found

    def _current(self, record: match_store.StoredCandidate) -> match_store.StoredCandidate:
        customer = record.customer_id
        while customer in self.moved:
            customer = self.moved[customer]
        return record if customer == record.customer_id else replace(record, customer_id=customer)

    def _merge(self, loser: str, survivor: str) -> None:
        """The loser's records now belong to the survivor, and everything read of them too."""
        moved = [replace(r, customer_id=survivor) for r in self.records.pop(loser)]
        self.records[survivor] = self._newest([*self.records[survivor], *moved])
        for rows in (self.holder_rows, self.newest_rows):
            if loser in rows:
                rows.setdefault(survivor, set()).update(rows.pop(loser))
        self.moved[loser] = survivor
        for key, hits in self.blocked.items():
            if any(r.customer_id == loser for r in hits):
                self.blocked[key] = [
                    replace(r, customer_id=survivor) if r.customer_id == loser else r for r in hits
                ]
        for ref, stored in self.stored.items():
            if stored.customer_id == loser:
                self.stored[ref] = replace(stored, customer_id=survivor)
        pairs = {frozenset(survivor if c == loser else c for c in p) for p in self.apart}
        self.apart = {p for p in pairs if len(p) == 2}
        self.ages.pop(loser, None)

    def _newest(
        self, records: list[match_store.StoredCandidate]
    ) -> list[match_store.StoredCandidate]:
        """A customer's records as records_of_customers reads them: newest first, bounded."""
        records.sort(key=lambda r: (self.observed[r.pk], r.pk), reverse=True)
        return records[: self.settings.records_per_customer]

    def learned(self, generic: Iterable[Identifier], changed: Iterable[str]) -> None:
        """The learned identifiers count as generic from now on, without reading anything again:
        who holds them, the re-evaluated customers (their records may have moved to customers
        the snapshot never read) and the newest holders of every generic identifier (households
        may have been redone) come from the store. Before, the whole snapshot was read again for
        the rest of its window, 864 times in a 20,000-record import."""
        learned = set(generic)
        self.marked_generic |= learned
        self.generic |= learned
        self.identifiers -= learned
        self.newest |= learned
        self.dirty_identifiers |= self.newest
        self.dirty_customers.update(changed)

    def identifiers_changed(self, ids: Iterable[Identifier]) -> None:
        self.dirty_identifiers.update(ids)

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
        self.replaced = stored
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
            found = [self._blocked(k) for k in wanted]
            hits = {r.pk: r for records in found if records is not None for r in records}
            if None not in found and self._clean(r.customer_id for r in hits.values()):
                ranked = ranked_hits([r.pk for r in records] for records in found if records)
                return [hits[pk] for pk in ranked]
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
