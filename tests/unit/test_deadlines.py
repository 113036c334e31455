"""The call's deadline scope the store reads: set per call, nested scopes restore the outer."""

from __future__ import annotations

from singleview.store.deadlines import deadline_scope, time_remaining


def test_outside_a_call_there_is_no_deadline() -> None:
    assert time_remaining() is None


def test_a_scope_sets_the_deadline_and_restores_the_outer_one() -> None:
    with deadline_scope(30):
        outer = time_remaining()
        assert outer is not None and 0 < outer <= 30
        with deadline_scope(None):
            assert time_remaining() is None
        with deadline_scope(-1):
            inner = time_remaining()
            assert inner is not None and inner < 0
        restored = time_remaining()
        assert restored is not None and 0 < restored <= outer
    assert time_remaining() is None
