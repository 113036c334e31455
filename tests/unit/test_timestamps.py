"""Domain datetimes become protobuf Timestamps exactly as `Timestamp.FromDatetime` makes them:
any offset, naive as UTC, microseconds, before 1970 and far ahead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from hypothesis import given
from hypothesis import strategies as st

from singleview.api.convert import timestamp

CASES = [
    datetime(2026, 11, 23, 14, 13, 30, 123456, tzinfo=UTC),
    datetime(2026, 11, 23, 14, 13, 30, 123456, tzinfo=timezone(timedelta(hours=-5))),
    datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=5, minutes=45))),
    datetime(2026, 11, 23, 14, 13, 30, 999999),
    datetime(1969, 12, 31, 23, 59, 59, 1, tzinfo=UTC),
    datetime(1901, 1, 1, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(1970, 1, 1, tzinfo=UTC),
]


def _reference(value: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(value)
    return ts


@pytest.mark.parametrize("value", CASES, ids=[c.isoformat() for c in CASES])
def test_the_same_instant_as_from_datetime(value: datetime) -> None:
    assert timestamp(value) == _reference(value)


@given(
    st.datetimes(
        min_value=datetime(1900, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=9)), None]),
    )
)
def test_any_datetime(value: datetime) -> None:
    assert timestamp(value) == _reference(value)
