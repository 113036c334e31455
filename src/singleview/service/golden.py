"""Survivorship: the customer's best attributes, derived from its records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from singleview.domain.records import GoldenAttributes, PersonAttributes, SourceRecordRef
from singleview.store.resolution import RecordAttributes

_FIELDS = ("given_name", "family_name", "full_name", "birth_date")


def golden_record(records: Sequence[RecordAttributes]) -> GoldenAttributes:
    """Most recent non-empty value per attribute; the address is taken whole, never mixed.

    `records` come newest observation first. Each value remembers the record it came from, so a
    steward can see where the golden record's values come from.
    """
    golden = PersonAttributes()
    sources: dict[str, SourceRecordRef] = {}
    for record in records:
        for name in _FIELDS:
            value = getattr(record.attributes, name)
            if value and name not in sources:
                golden = replace(golden, **{name: value})
                sources[name] = record.ref
        if not record.attributes.address.is_empty() and "address" not in sources:
            golden = replace(golden, address=record.attributes.address)
            sources["address"] = record.ref
    return GoldenAttributes(golden, sources)
