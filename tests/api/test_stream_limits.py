"""Stream limits: a caller holds a bounded number of streams; client streams are paced, not cut."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import grpc
import pytest

from singleview.config import Limits, SecuritySettings, Settings
from singleview.v1 import timeline_service_pb2 as timeline_pb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.timeline_service_pb2_grpc import TimelineServiceStub
from tests.support.auth import bearer, create_token
from tests.support.builders import phone, record
from tests.support.server import ServerThread
from tests.support.status import rich_error

STREAMS = 2
PACE = 200.0
"""Low enough that a 60-record import is paced; nothing about time is asserted."""


@pytest.fixture(scope="module")
def limited(database_url: str) -> Iterator[ServerThread]:
    settings = Settings(
        limits=Limits(max_streams_per_caller=STREAMS, stream_messages_per_second=PACE),
        security=SecuritySettings(auth=True),
    )
    running = ServerThread(database_url, settings).start()
    yield running
    running.stop()


@pytest.fixture
def channel_of(limited: ServerThread, clean_database: str) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(limited.target) as ch:
        yield ch


def _customer(stub: IdentityServiceStub, token: str) -> str:
    answer = stub.Resolve(record("crm", "c-1", phone("+13125550100")), metadata=bearer(token))
    return answer.customer.name


def _watch(stub: TimelineServiceStub, name: str, token: str) -> Any:
    """A watch the server has admitted and subscribed (its headers arrived), or refused."""
    call = stub.WatchCustomer(
        timeline_pb.WatchCustomerRequest(name=name), metadata=bearer(token), timeout=60
    )
    call.initial_metadata()
    return call


def test_a_caller_over_its_stream_limit_is_refused_until_one_closes(
    channel_of: grpc.Channel, clean_database: str
) -> None:
    token = create_token(clean_database, "ivr-1", "channel")
    other = create_token(clean_database, "chat-1", "channel")
    name = _customer(IdentityServiceStub(channel_of), token)
    timeline = TimelineServiceStub(channel_of)
    with ExitStack() as open_streams:
        first = _watch(timeline, name, token)
        open_streams.callback(first.cancel)
        for _ in range(STREAMS - 1):
            open_streams.callback(_watch(timeline, name, token).cancel)

        with pytest.raises(grpc.RpcError) as refused:
            next(iter(_watch(timeline, name, token)))
        error = rich_error(refused.value)
        assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert error.reason == "TOO_MANY_STREAMS"
        assert error.metadata == {"limit": str(STREAMS)}

        # Another caller has its own allowance.
        open_streams.callback(_watch(timeline, name, other).cancel)

        first.cancel()
        _wait_admitted(timeline, name, token).cancel()


def _wait_admitted(stub: TimelineServiceStub, name: str, token: str) -> Any:
    """A cancelled stream is released when the server sees the cancellation: retry until then."""
    for _ in range(200):
        call = _watch(stub, name, token)
        if not call.done():
            return call
        assert call.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    raise AssertionError("the cancelled stream was never released")


def test_a_paced_import_loses_nothing(channel_of: grpc.Channel, clean_database: str) -> None:
    token = create_token(clean_database, "loader", "channel")
    requests = [record("crm", f"r-{n}", phone(f"+1312555{n:04d}")) for n in range(60)]
    results = list(
        IdentityServiceStub(channel_of).ImportRecords(
            iter(requests), metadata=bearer(token), timeout=60
        )
    )
    assert [r.index for r in results] == list(range(60))
    assert all(r.customer for r in results)
