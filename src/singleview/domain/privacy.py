"""Privacy requests: what an erasure is asked to do and what it did."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EraseInput:
    name: str
    reason: str
    request_id: str
    actor: str


@dataclass(frozen=True)
class Erasure:
    """What an erasure removed: ids and counts only, so it may be kept and logged."""

    erased_ids: tuple[str, ...]
    records_erased: int
    interactions_erased: int
    identifiers_suppressed: int
