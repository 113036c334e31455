"""The reads of one lone resolve, in two round trips instead of about ten.

A resolve reads the store step by step (service/matcher.py `_gather`): suppressions, the stored
version, generic identifiers, holders, blocking hits, then row locks, the holders again, the
candidates' records and the steward constraints. Each read was one round trip, and on a busy
machine each round trip is a wake-up of PostgreSQL and of this process: most of a resolve's time.

Here the same reads are sent in two batches (psycopg pipeline mode) and served to the unchanged
matching code as it asks for them:

1. with the advisory locks: the lock statement goes first, so the reads after it in the same
   pipeline run once the locks are held, as they did one by one; they assume that no identifier
   is generic (the common case) and read what `_gather` would read then;
2. with the customers' row locks: the holders read again under them (the check that a
   concurrent split or merge did not move them meanwhile), the candidates' records and their
   cannot-link constraints.

Every answer is served once, and only to the very same question (same identifiers, keys,
customers); any other question, a second gather after the holders moved, and everything after
generic identifiers are learned (`forget`) go to the store as before. So a resolve decides on
exactly what it would have read one statement at a time, under the same locks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from singleview.config import MatchingSettings
from singleview.domain.identifiers import Identifier
from singleview.domain.records import SourceRecord, SourceRecordRef
from singleview.service.candidate_reads import CandidateReads
from singleview.store import matching as match_store
from singleview.store import privacy as privacy_store
from singleview.store import resolution as store
from singleview.store import stewardship_links as links
from singleview.store.database import Connection
from singleview.store.sql import Batch, Read

T = TypeVar("T")


class LoneReads(CandidateReads):
    """One resolve's reads, made ahead in two batches and each served once."""

    def __init__(self, settings: MatchingSettings) -> None:
        self.settings = settings
        self.answers: dict[tuple[Any, ...], Any] = {}
        self.usable: tuple[Identifier, ...] | None = None
        """The identifiers whose holders were served: read again with the row locks."""
        self.pk: int | None = None
        self.holding: frozenset[str] = frozenset()
        """Customers holding the record's identifiers (the first read): the likely link."""
        self.linked: tuple[str, list[tuple[int, store.RecordAttributes]]] | None = None
        """The records of the one likely link, read with its row lock, for its golden record."""
        self.written: tuple[str, int, SourceRecord] | None = None
        """The customer a record was just added to (nothing else of it changed), key, record."""
        self.new_customer: tuple[str, SourceRecord] | None = None

    async def lock_and_read(
        self,
        conn: Connection,
        record: SourceRecord,
        blocking_keys: Sequence[str],
        lock_keys: Sequence[int],
        also: Read[T] | None = None,
    ) -> T | None:
        """Take the advisory locks and, in the same round trip, read under them what the
        resolve asks first (assuming no identifier is generic), and `also` (the caller's own
        read under the same locks), whose answer this returns."""
        ids = tuple(record.identifiers)
        per_key = self.settings.candidates_per_key
        async with Batch(conn) as batch:
            batch.add(store.lock_keys_read(lock_keys))
            extra = batch.add(also) if also is not None else None
            key = batch.add(privacy_store.suppression_key_if_needed_read())
            stored = batch.add(store.select_record_for_update_read(record.ref))
            generic = batch.add(match_store.generic_among_read(ids))
            holders = batch.add(store.customers_of_identifiers_read(ids))
            blocked = batch.add(match_store.records_by_blocking_keys_read(blocking_keys, per_key))
            pks = batch.add(store.reserve_record_pks_read(1))
        self.answers = {
            ("suppression_key",): key.value,
            ("stored", record.ref): stored.value,
            ("generic", ids): generic.value,
            ("holders", ids): holders.value,
            ("blocked", _keys(blocking_keys), per_key): blocked.value,
        }
        self.pk = pks.value[0]
        return extra.value if extra is not None else None

    def _served(self, *question: Any) -> tuple[bool, Any]:
        if question in self.answers:
            return True, self.answers.pop(question)
        return False, None

    async def suppression_key(self, conn: Connection) -> bytes | None:
        found, key = self._served("suppression_key")
        return key if found else await super().suppression_key(conn)

    async def stored_record(
        self, conn: Connection, ref: SourceRecordRef
    ) -> store.StoredRecord | None:
        found, stored = self._served("stored", ref)
        return stored if found else await super().stored_record(conn, ref)

    async def generic_among(self, conn: Connection, ids: tuple[Identifier, ...]) -> set[Identifier]:
        found, generic = self._served("generic", ids)
        return generic if found else await super().generic_among(conn, ids)

    async def holders(
        self, conn: Connection, ids: tuple[Identifier, ...]
    ) -> dict[str, set[Identifier]]:
        found, held = self._served("holders", ids)
        if not found:
            return await super().holders(conn, ids)
        self.usable = ids
        served: dict[str, set[Identifier]] = held
        self.holding = frozenset(served)
        return served

    async def blocked_records(
        self, conn: Connection, keys: Iterable[str], per_key: int
    ) -> list[match_store.StoredCandidate]:
        keys = list(keys)
        found, hits = self._served("blocked", _keys(keys), per_key)
        return hits if found else await super().blocked_records(conn, keys, per_key)

    async def lock_customers(self, conn: Connection, ids: set[str]) -> dict[str, int]:
        """Row locks, and in the same round trip what is read under them next."""
        usable, self.usable = self.usable, None
        if usable is None:
            return await super().lock_customers(conn, ids)
        per_customer = self.settings.records_per_customer
        async with Batch(conn) as batch:
            locked = batch.add(store.lock_customers_read(ids))
            again = batch.add(store.customers_of_identifiers_read(usable))
            records = batch.add(match_store.records_of_customers_read(ids, per_customer))
            apart = batch.add(links.cannot_link_pairs_read(ids))
            # one customer holding the record's identifiers: it will most likely link, and
            # its golden record is then made from all its records
            likely = next(iter(ids)) if len(ids) == 1 and ids == self.holding else None
            if likely is not None:
                linked = batch.add(store.keyed_record_attributes_read(likely))
        ages = store.locked_ages(locked.value)
        if likely is not None:
            self.linked = (likely, linked.value)
        self.answers[("holders", usable)] = again.value
        self.answers[("records", frozenset(ids), per_customer)] = records.value
        self.answers[("apart", frozenset(ids))] = apart.value
        return ages

    async def records_of_customers(
        self, conn: Connection, ids: Iterable[str], per_customer: int
    ) -> list[match_store.StoredCandidate]:
        """Served from the records read with the row locks when these customers are among
        them (the record's own customer is locked but not a candidate): each customer's
        records are read on their own, so the subset's answer is the superset's, filtered."""
        wanted = set(ids)
        for question in [q for q in self.answers if q[0] == "records" and q[2] == per_customer]:
            if wanted <= question[1]:
                read: list[match_store.StoredCandidate] = self.answers.pop(question)
                return [r for r in read if r.customer_id in wanted]
        return await super().records_of_customers(conn, wanted, per_customer)

    async def cannot_link_pairs(self, conn: Connection, ids: set[str]) -> set[frozenset[str]]:
        found, pairs = self._served("apart", frozenset(ids))
        return pairs if found else await super().cannot_link_pairs(conn, ids)

    def next_record_pk(self) -> int | None:
        pk, self.pk = self.pk, None
        return pk

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
        if new_customer and not losers:
            self.new_customer = (customer_id, record)
        elif fresh and not losers:
            self.written = (customer_id, pk, record)

    async def record_attributes(
        self, conn: Connection, customer_id: str
    ) -> list[store.RecordAttributes]:
        """A customer created by this resolve has one record: the one just written."""
        if self.new_customer is not None and self.new_customer[0] == customer_id:
            return [_attributes(customer_id, self.new_customer[1])]
        linked, self.linked = self.linked, None
        if (
            linked is not None
            and linked[0] == customer_id
            and self.written is not None
            and self.written[0] == customer_id
        ):
            _, pk, record = self.written
            records = [*linked[1], (pk, _attributes(customer_id, record))]
            records.sort(key=lambda r: (r[1].observed_at, r[0]), reverse=True)
            return [r for _, r in records]
        return await super().record_attributes(conn, customer_id)

    def identifiers_changed(self, ids: Iterable[Identifier]) -> None:
        self.answers.clear()

    def learned(self, generic: Iterable[Identifier], changed: Iterable[str]) -> None:
        self.answers.clear()
        self.usable = None
        self.linked = None


def _attributes(customer_id: str, record: SourceRecord) -> store.RecordAttributes:
    """A record just written, as `record_attributes_of_customer` would read it back."""
    written = match_store.candidate_of(0, customer_id, record)
    return store.RecordAttributes(record.ref, record.observed_at, written.attributes)


def _keys(keys: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(keys)))
