"""Candidate records a bulk import has decoded, kept across its windows and batches.

Each window of a bulk import compares its records with the newest records of their blocking
keys and candidate customers: mostly records the import itself wrote a little earlier. Decoding
their JSON again for every window was most of an import's time once the store had grown (the
same record is a hit of several keys, and of several windows). A record's content (reference,
attributes, identifiers) changes only with its version, so content is kept by primary key and
content hash: another process's newer version is never served stale, it is read again. Which
customer a record belongs to changes with merges and splits, so it is never kept: it comes
with every read. Bounded, least recently used first out, so memory stays flat however large
the import.
"""

from __future__ import annotations

from collections.abc import Iterable

from singleview.store import bulk as bulk_store
from singleview.store.database import Connection, RetryableConflict
from singleview.store.decoded import DecodedCache, StoredCandidate

DECODED_RECORDS = 60_000
"""Records kept decoded (about 1-2 KiB each): several windows' worth of candidates."""


class DecodedRecords:
    """Recently read or written records (store/decoded.py's cache, by pk and content hash), read
    from the store when not kept; shared by the batches of one process (the event loop runs one
    at a time)."""

    def __init__(self, limit: int = DECODED_RECORDS) -> None:
        self.cache = DecodedCache(limit)

    def keep(self, digest: str, record: StoredCandidate) -> None:
        """Keep a record under its content hash: a pk and a version are not enough, a recreated
        database numbers other records alike."""
        self.cache.keep(digest, record)

    async def read(
        self, conn: Connection, hits: Iterable[bulk_store.Hit]
    ) -> dict[int, StoredCandidate]:
        """The records hit, each as it is now (its current customer), decoding only content
        not kept; conflicts if one went away since the hits were read."""
        found: dict[int, StoredCandidate] = {}
        missing: dict[int, bulk_store.Hit] = {}
        for hit in hits:
            if hit.pk in found or hit.pk in missing:
                continue
            record = self.cache.get(hit.pk, hit.content_hash, hit.customer_id)
            if record is None:
                missing[hit.pk] = hit
            else:
                found[hit.pk] = record
        for pk, (version, record) in (await bulk_store.record_contents(conn, missing)).items():
            if version != missing[pk].version:
                raise RetryableConflict("a candidate record changed while the batch was read")
            self.keep(missing[pk].content_hash, record)
            found[pk] = record
        if len(found) != len({*found, *missing}):
            raise RetryableConflict("a candidate record went away while the batch was read")
        return found
