"""A client that uses the published service config retries UNAVAILABLE by itself, and the
retried write is stored once.

Between the client and the real server sits a proxy that loses the first answer of each
method: it forwards the call (the server commits it) and then answers UNAVAILABLE, as a
connection lost after the commit would. The client's transparent retry reaches the server a
second time; the write is idempotent on its key, so nothing is stored twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent import futures
from typing import Any

import grpc
import pytest

from singleview.client.service_config import channel_options
from singleview.v1 import common_pb2, profile_service_pb2, timeline_service_pb2
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from singleview.v1.timeline_service_pb2_grpc import TimelineServiceStub
from tests.support import timeline_builders as tl
from tests.support.builders import email, record
from tests.support.server import ServerThread


class LossyProxy(grpc.GenericRpcHandler):  # type: ignore[type-arg]
    """Forwards unary calls as bytes; the first answer of each method is lost (UNAVAILABLE)."""

    def __init__(self, upstream: grpc.Channel) -> None:
        self.upstream = upstream
        self.calls: Counter[str] = Counter()

    def service(self, handler_call_details: grpc.HandlerCallDetails) -> Any:
        method: str = handler_call_details.method

        def forward(request: bytes, context: grpc.ServicerContext) -> bytes:
            self.calls[method] += 1
            answer: bytes = self.upstream.unary_unary(method, None, None)(request)
            if self.calls[method] == 1:
                context.abort(grpc.StatusCode.UNAVAILABLE, "the answer was lost")
            return answer

        return grpc.unary_unary_rpc_method_handler(forward)


@pytest.fixture
def proxy(server: ServerThread, clean_database: str) -> Iterator[tuple[str, LossyProxy]]:
    with grpc.insecure_channel(server.target) as upstream:
        handler = LossyProxy(upstream)
        lossy = grpc.server(futures.ThreadPoolExecutor(max_workers=4), handlers=[handler])
        port = lossy.add_insecure_port("127.0.0.1:0")
        lossy.start()
        try:
            yield f"127.0.0.1:{port}", handler
        finally:
            lossy.stop(0)


def _customers(profiles: ProfileServiceStub) -> list[list[tuple[str, str]]]:
    page = profiles.ListCustomers(profile_service_pb2.ListCustomersRequest(page_size=50))
    return [sorted((r.source, r.record_id) for r in c.records) for c in page.customers]


def test_without_the_service_config_a_lost_answer_is_an_error(
    proxy: tuple[str, LossyProxy],
) -> None:
    target, _ = proxy
    with grpc.insecure_channel(target) as channel, pytest.raises(grpc.RpcError) as raised:
        IdentityServiceStub(channel).Resolve(record("crm", "c-1", email("ann@example.com")))
    assert raised.value.code() == grpc.StatusCode.UNAVAILABLE


def test_with_the_service_config_writes_retry_transparently_and_are_stored_once(
    proxy: tuple[str, LossyProxy], profiles: ProfileServiceStub, timeline: TimelineServiceStub
) -> None:
    target, lossy = proxy
    with grpc.insecure_channel(target, options=channel_options()) as channel:
        resolved = IdentityServiceStub(channel).Resolve(
            record("crm", "c-1", email("ann@example.com")), timeout=30
        )
        recorded = TimelineServiceStub(channel).RecordInteraction(
            tl.record(
                "ivr",
                "call-1",
                tl.interaction(common_pb2.CHANNEL_VOICE, minutes_ago=1),
                email("ann@example.com"),
            ),
            timeout=30,
        )

    assert lossy.calls == {
        "/singleview.v1.IdentityService/Resolve": 2,
        "/singleview.v1.TimelineService/RecordInteraction": 2,
    }
    assert resolved.decision == common_pb2.DECISION_NEW  # answered as the first call was
    assert recorded.customer == resolved.customer.name
    [records] = _customers(profiles)  # one customer: c-1 and the contact the call recorded
    assert [source for source, _ in records] == ["crm", "ivr"]
    listed = timeline.ListInteractions(
        timeline_service_pb2.ListInteractionsRequest(parent=resolved.customer.name)
    )
    assert [i.name for i in listed.interactions] == [recorded.interaction.name]
