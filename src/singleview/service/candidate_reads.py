"""Where a resolve reads the store: each read one query, inside the resolve's transaction.

Matching and resolve read through this object rather than the store functions directly so that
a bulk import can answer most reads of a whole batch from a few queries made up front
(service/batch_reads.py) while running exactly the same decision code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from singleview.domain.identifiers import Identifier
from singleview.domain.records import SourceRecord, SourceRecordRef
from singleview.store import matching as match_store
from singleview.store import privacy as privacy_store
from singleview.store import resolution as store
from singleview.store import stewardship_links as links
from singleview.store.database import Connection


class CandidateReads:
    """Every read straight from the store."""

    async def stored_record(
        self, conn: Connection, ref: SourceRecordRef
    ) -> store.StoredRecord | None:
        return await store.select_record_for_update(conn, ref)

    async def suppression_key(self, conn: Connection) -> bytes | None:
        """The key of identifier digests, only when some identifier is suppressed."""
        return await privacy_store.suppression_key_if_needed(conn)

    async def generic_among(self, conn: Connection, ids: tuple[Identifier, ...]) -> set[Identifier]:
        return await match_store.generic_among(conn, ids)

    async def holders(
        self, conn: Connection, ids: tuple[Identifier, ...]
    ) -> dict[str, set[Identifier]]:
        return await store.customers_of_identifiers(conn, ids)

    async def newest_holders(
        self, conn: Connection, ids: tuple[Identifier, ...], per_identifier: int
    ) -> dict[str, set[Identifier]]:
        return await store.customers_of_identifiers_bounded(
            conn, ids, per_identifier, contacts=False
        )

    async def blocked_records(
        self, conn: Connection, keys: Iterable[str], per_key: int
    ) -> list[match_store.StoredCandidate]:
        return await match_store.records_by_blocking_keys(conn, keys, per_key)

    async def lock_customers(self, conn: Connection, ids: set[str]) -> dict[str, int]:
        return await store.lock_customers(conn, ids)

    async def records_of_customers(
        self, conn: Connection, ids: Iterable[str], per_customer: int
    ) -> list[match_store.StoredCandidate]:
        return await match_store.records_of_customers(conn, ids, per_customer)

    async def cannot_link_pairs(self, conn: Connection, ids: set[str]) -> set[frozenset[str]]:
        return await links.cannot_link_pairs(conn, ids)

    def next_record_pk(self) -> int | None:
        """A reserved key for the next new record, or None: the insert reads its key back."""
        return None

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
        """A record was written to `customer_id` (new or not), merging `losers` into it."""

    async def record_attributes(
        self, conn: Connection, customer_id: str
    ) -> list[store.RecordAttributes]:
        """Every record of the customer, newest first, for its golden record."""
        return await store.record_attributes_of_customer(conn, customer_id)

    def identifiers_changed(self, ids: Iterable[Identifier]) -> None:
        """Who counts as holding these identifiers may have changed (a household was formed or
        took new contacts): nothing read about their holders holds."""

    def learned(self, generic: Iterable[Identifier], changed: Iterable[str]) -> None:
        """`generic` were learned generic and the `changed` customers re-evaluated (split,
        their households redone): what was read about them no longer holds."""


DIRECT = CandidateReads()
