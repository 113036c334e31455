"""Stored records as matching reads them, decoded once per content and kept.

Every resolve compares its record with the newest records of its blocking keys and candidate
customers, and the same few records of a common name are candidates of call after call. Decoding
their JSON (attributes, identifiers) on every read was a fifth of a lone Resolve's server time
at 100,000 customers, and most of a bulk import's once the store had grown. A record's content
(reference, attributes, identifiers) changes only with its version, so content is kept by
primary key and content hash (a version number alone would not tell a record of a restored or
recreated database from the one kept under the same key). Another process's newer version is
never served stale, it is decoded again. Which customer a record belongs to changes with merges
and splits, so it is never kept: it comes with every read. Bounded, least recently used first
out, so memory stays flat.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from singleview.domain.identifiers import Identifier
from singleview.domain.records import PersonAttributes, SourceRecordRef
from singleview.store.codec import attributes_from_json, identifier_from_row


@dataclass(frozen=True)
class StoredCandidate:
    """A stored record as matching needs it."""

    pk: int
    customer_id: str
    ref: SourceRecordRef
    attributes: PersonAttributes
    identifiers: tuple[Identifier, ...]


def candidate_from_row(row: Sequence[Any]) -> StoredCandidate:
    """A row of the shared record column list (id, customer, source, record id, attributes,
    identifiers), as the records_* statements return it."""
    pk, customer_id, source, record_id, attributes, identifiers = row
    return StoredCandidate(
        pk=pk,
        customer_id=customer_id,
        ref=SourceRecordRef(source, record_id),
        attributes=attributes_from_json(attributes),
        identifiers=tuple(identifier_from_row(*i) for i in identifiers),
    )


class DecodedCache:
    """pk -> (content hash, content) of recently read or written records. One event loop uses
    it (no locking); each process keeps its own."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._kept: OrderedDict[int, tuple[str, StoredCandidate]] = OrderedDict()

    def get(self, pk: int, digest: str, customer_id: str) -> StoredCandidate | None:
        """The record as kept, in `customer_id` (where it is now); None if this content is not
        kept."""
        entry = self._kept.get(pk)
        if entry is None or entry[0] != digest:
            return None
        self._kept.move_to_end(pk)
        record = entry[1]
        return (
            record
            if record.customer_id == customer_id
            else replace(record, customer_id=customer_id)
        )

    def keep(self, digest: str, record: StoredCandidate) -> None:
        self._kept[record.pk] = (digest, record)
        self._kept.move_to_end(record.pk)
        while len(self._kept) > self.limit:
            self._kept.popitem(last=False)


CANDIDATES_KEPT = 4_000
"""Records a serving process keeps decoded: the working set of the common names' blocking keys.
Kept records are long-lived objects that every full garbage collection walks; at 20,000 the
walks showed in Resolve's p99 (bench/README.md, session 4), at 4,000 they do not, and the CPU
saved per call is the same."""

CANDIDATES = DecodedCache(CANDIDATES_KEPT)
"""The lone resolve's and the reads' candidates (store/matching.py's `records_*` reads)."""


def candidates_from_text_rows(rows: Sequence[Sequence[Any]]) -> list[StoredCandidate]:
    """Rows of (id, customer, source, record id, attributes as text, identifiers as text,
    content hash): JSON is parsed and decoded only for content not kept."""
    found = []
    for pk, customer_id, source, record_id, attributes, identifiers, digest in rows:
        record = CANDIDATES.get(pk, digest, customer_id)
        if record is None:
            record = candidate_from_row(
                (
                    pk,
                    customer_id,
                    source,
                    record_id,
                    json.loads(attributes),
                    json.loads(identifiers),
                )
            )
            CANDIDATES.keep(digest, record)
        found.append(record)
    return found
