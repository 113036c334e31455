"""Traces and metrics of a resolve and a lookup through the real server, read from an in-memory
exporter and reader: spans for the RPC, its SQL and the resolve stages, and no personal data in
any span attribute or metric label."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any

import grpc
import pytest
from opentelemetry.context import Context
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import Decision, Sampler, SamplingResult
from opentelemetry.trace import Link, SpanKind, StatusCode
from opentelemetry.util.types import Attributes

from singleview import telemetry
from singleview.v1 import common_pb2, identity_service_pb2
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from tests.support.builders import email, phone, record
from tests.support.database import create_database
from tests.support.server import ServerThread

GIVEN, FAMILY, MAILBOX, NUMBER = "Zebulon", "Quiggleworth", "zebulon.q@example.com", "3125550199"
RAW = (GIVEN, FAMILY, MAILBOX, "zebulon.q", "5550199", NUMBER)


class Switch(Sampler):
    """Samples while on: the providers stay installed for the process, this test's spans only."""

    on = True

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: Any = None,
    ) -> SamplingResult:
        # A sampler hands on the attributes the span starts with, as ALWAYS_ON does.
        if not self.on:
            return SamplingResult(Decision.DROP)
        return SamplingResult(Decision.RECORD_AND_SAMPLE, attributes)

    def get_description(self) -> str:
        return "Switch"


@pytest.fixture(scope="module")
def observed(pg_server: str) -> Iterator[tuple[InMemorySpanExporter, InMemoryMetricReader, str]]:
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor

    sampler = Switch()
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider(sampler=sampler)
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    telemetry.install(tracer_provider, MeterProvider(metric_readers=[reader]))
    server = ServerThread(create_database(pg_server)).start()
    try:
        yield spans, reader, server.target
    finally:
        server.stop()
        sampler.on = False
        PsycopgInstrumentor().uninstrument()
        spans.clear()


def _labels_and_attributes(spans: InMemorySpanExporter, reader: InMemoryMetricReader) -> list[str]:
    values = [str(v) for s in spans.get_finished_spans() for v in (s.attributes or {}).values()]
    data = reader.get_metrics_data()
    assert data is not None
    for resource_metrics in data.resource_metrics:
        for scope in resource_metrics.scope_metrics:
            for metric in scope.metrics:
                for point in metric.data.data_points:
                    values += [str(v) for v in (point.attributes or {}).values()]
    return values


def _durations(reader: InMemoryMetricReader) -> list[tuple[str, str]]:
    """(method, status code) of every RPC latency series."""
    data = reader.get_metrics_data()
    assert data is not None
    return [
        (str(p.attributes["rpc.method"]), str(p.attributes["rpc.status"]))
        for rm in data.resource_metrics
        for sm in rm.scope_metrics
        for m in sm.metrics
        if m.name == "rpc.server.duration"
        for p in m.data.data_points
        if p.attributes
    ]


def _metric_names(reader: InMemoryMetricReader) -> set[str]:
    data = reader.get_metrics_data()
    assert data is not None
    return {m.name for rm in data.resource_metrics for sm in rm.scope_metrics for m in sm.metrics}


def test_a_resolve_and_a_lookup_are_traced_and_measured_without_personal_data(
    observed: tuple[InMemorySpanExporter, InMemoryMetricReader, str],
) -> None:
    spans, reader, target = observed
    with grpc.insecure_channel(target) as channel:
        identity = IdentityServiceStub(channel)
        identity.Resolve(
            record("crm", "z1", email(MAILBOX), phone(NUMBER), given_name=GIVEN, family_name=FAMILY)
        )
        found = identity.Lookup(identity_service_pb2.LookupRequest(identifiers=[email(MAILBOX)]))
        with pytest.raises(grpc.RpcError):
            identity.Resolve(identity_service_pb2.ResolveRequest())
    assert found.decision == common_pb2.DECISION_LINKED

    finished = spans.get_finished_spans()
    names = {s.name for s in finished}
    assert "/singleview.v1.IdentityService/Resolve" in names
    assert "/singleview.v1.IdentityService/Lookup" in names
    for stage in ("normalize", "candidates", "compare", "decide", "persist"):
        assert f"resolve.{stage}" in names
    statements = [str(s.attributes.get("db.statement")) for s in finished if s.attributes]
    assert any("record_identifier" in sql for sql in statements if sql != "None")
    decide = next(s for s in finished if s.name == "resolve.decide")
    assert decide.attributes is not None and decide.attributes["singleview.decision"] == "NEW"

    assert {
        "rpc.server.duration",
        "singleview.resolve.decisions",
        "singleview.pool.connections_in_use",
        "singleview.pool.requests_waiting",
        "singleview.review_queue.depth",
    } <= _metric_names(reader)
    failed = ("/singleview.v1.IdentityService/Resolve", "INVALID_ARGUMENT")
    deadline = time.monotonic() + 5  # an aborted call's status reaches the client first
    while failed not in _durations(reader) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert {("/singleview.v1.IdentityService/Resolve", "OK"), failed} <= set(_durations(reader))
    exposed = _labels_and_attributes(spans, reader)
    leaks = [v for v in exposed for raw in RAW if raw.lower() in v.lower()]
    assert leaks == []


def test_the_call_span_is_the_grpc_instrumentations_child_of_the_callers(
    observed: tuple[InMemorySpanExporter, InMemoryMetricReader, str],
) -> None:
    """The span of a call is the one OpenTelemetry's gRPC instrumentation makes: its tracer,
    the method's full name, SERVER kind, rpc.* and peer attributes, the final status code
    (an error status only for the server's own failures), the caller's span as parent."""
    spans, _, target = observed
    trace_id, parent_id = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    caller = (("traceparent", f"00-{trace_id}-{parent_id}-01"),)
    with grpc.insecure_channel(target) as channel:
        identity = IdentityServiceStub(channel)
        identity.Lookup(
            identity_service_pb2.LookupRequest(identifiers=[email("nobody@example.com")]),
            metadata=caller,
        )
        with pytest.raises(grpc.RpcError):
            identity.Lookup(identity_service_pb2.LookupRequest(), metadata=caller)

    def ours() -> list[Any]:
        return [
            s
            for s in spans.get_finished_spans()
            if s.name == "/singleview.v1.IdentityService/Lookup"
            and s.context is not None
            and format(s.context.trace_id, "032x") == trace_id
        ]

    deadline = time.monotonic() + 5  # an aborted call's status reaches the client first
    while len(ours()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    lookups = ours()
    assert len(lookups) == 2
    for span in lookups:
        assert span.kind is SpanKind.SERVER
        assert span.instrumentation_scope is not None
        assert span.instrumentation_scope.name == "opentelemetry.instrumentation.grpc"
        assert span.parent is not None and format(span.parent.span_id, "016x") == parent_id
        attributes = dict(span.attributes or {})
        assert attributes["rpc.system"] == "grpc"
        assert attributes["rpc.service"] == "singleview.v1.IdentityService"
        assert attributes["rpc.method"] == "Lookup"
        assert attributes["net.peer.name"] == "localhost"
    codes = sorted(int(str(dict(s.attributes or {})["rpc.grpc.status_code"])) for s in lookups)
    assert codes == [grpc.StatusCode.OK.value[0], grpc.StatusCode.INVALID_ARGUMENT.value[0]]
    assert {s.status.status_code for s in lookups} == {StatusCode.UNSET}
