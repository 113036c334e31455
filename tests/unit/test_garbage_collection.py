"""A serving process freezes what it built at start out of the collector's walks, and collects
its young generation less often (full collections were the spikes in Resolve's p99)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from singleview.app import GC_YOUNG_THRESHOLD, _settle_garbage_collection


@pytest.fixture
def restored_gc() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("restored_gc")
def test_what_exists_once_serving_is_frozen_and_young_collections_are_rarer() -> None:
    long_lived = [object() for _ in range(100)]
    _, middle, old = gc.get_threshold()

    _settle_garbage_collection()

    assert gc.get_freeze_count() >= len(long_lived)
    assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, middle, old)
