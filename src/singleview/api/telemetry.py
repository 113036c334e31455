"""Telemetry at the gRPC edge: a span for every call (as OpenTelemetry's grpc.aio server
instrumentation makes it), latency by method and status code, steward merges and splits, open
watch streams, and gauges read from the pool and the database.

Counting steward merges and splits here, by method and final status, keeps the service layer
free of telemetry calls outside the resolve path; resolve merges are counted where they happen
(service/resolve.py), labelled `origin=resolve`.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote

import grpc
from opentelemetry import trace
from opentelemetry.context import attach, detach
from opentelemetry.instrumentation.grpc.version import __version__ as _GRPC_INSTRUMENTATION
from opentelemetry.instrumentation.utils import is_instrumentation_enabled
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.propagate import extract
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from singleview import telemetry
from singleview.api.handler_cache import HandlerCache
from singleview.api.handlers import Behavior, rebuild_handler
from singleview.store import operations
from singleview.store.database import Database

log = logging.getLogger(__name__)

REVIEW_QUEUE_REFRESH_SECONDS = 30.0
"""The review-queue gauge reads the database at most this often, whatever the export rate."""

_STEWARD = "/singleview.v1.StewardService/"
_WATCH = "/singleview.v1.TimelineService/WatchCustomer"


class _StatusRecorder:
    """The call's context, noting the status an inner interceptor or servicer ends it with:
    grpc.aio's `context.code()` does not report a code given to `abort()`."""

    def __init__(self, context: Any) -> None:
        self._context = context
        self.code: grpc.StatusCode | None = None
        self.details = ""

    async def abort(self, code: grpc.StatusCode, *args: Any, **kwargs: Any) -> None:
        self.code = code
        self.details = str(args[0] if args else kwargs.get("details", ""))
        await self._context.abort(code, *args, **kwargs)

    def set_code(self, code: grpc.StatusCode) -> None:
        self.code = code
        self._context.set_code(code)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


def _code_of(context: _StatusRecorder, failed: bool) -> str:
    if context.code is not None:
        return context.code.name
    return "UNKNOWN" if failed else "OK"


def _count_stewardship(method: str, request: Any, code: str) -> None:
    if code != "OK" or not method.startswith(_STEWARD):
        return
    name = method.removeprefix(_STEWARD)
    if name == "MergeCustomers":
        merged_away = max(len(getattr(request, "names", ())) - 1, 1)
        telemetry.MERGES.add(merged_away, {"origin": "steward"})
    elif name == "DecideReviewTask" and getattr(request, "verdict", 0) == 1:
        telemetry.MERGES.add(1, {"origin": "steward"})
    elif name == "SplitCustomer":
        telemetry.SPLITS.add(1)


_RPC_TRACER = trace.get_tracer(
    "opentelemetry.instrumentation.grpc",
    _GRPC_INSTRUMENTATION,
    schema_url="https://opentelemetry.io/schemas/1.11.0",
)
"""The tracer OpenTelemetry's gRPC instrumentation uses: its spans keep their scope."""

_SERVER_ERRORS = frozenset(
    {
        grpc.StatusCode.UNKNOWN,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.UNIMPLEMENTED,
        grpc.StatusCode.INTERNAL,
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DATA_LOSS,
    }
)
"""Codes that mark a server span as failed (the instrumentation's choice: a client's bad
request is not the server's error)."""


def _peer_attributes(context: Any, metadata: dict[str, str]) -> dict[str, Any]:
    """User agent and peer address, as the instrumentation records them (no personal data: the
    address is the caller's host, e.g. a channel backend)."""
    attributes: dict[str, Any] = {}
    if "user-agent" in metadata:
        attributes["rpc.user_agent"] = metadata["user-agent"]
    peer = context.peer()
    if not peer.startswith("unix:"):
        try:
            ip, port = peer.split(",")[0].split(":", 1)[1].rsplit(":", 1)
        except (IndexError, ValueError):
            return attributes
        attributes.update({"net.peer.ip": unquote(ip), "net.peer.port": port})
        if ip in ("[::1]", "127.0.0.1"):
            attributes["net.peer.name"] = "localhost"
    return attributes


def _end(span: Span, context: _StatusRecorder, code: str) -> None:
    status = context.code or (grpc.StatusCode.OK if code == "OK" else grpc.StatusCode.UNKNOWN)
    span.set_attribute("rpc.grpc.status_code", status.value[0])
    if status in _SERVER_ERRORS:
        span.set_status(Status(StatusCode.ERROR, f"{status}:{context.details}"))


class RpcTelemetryInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[type-arg]
    """A span per call and its latency by method and status code; labels and attributes are
    method names, codes and the caller's address, never values.

    The span is the one OpenTelemetry's grpc.aio server interceptor makes (same tracer, name,
    kind, attributes, status, parent from the call's metadata); made here, with the latency, in
    one wrapper made once per method, and with the caller's address parsed only for a span
    that records. The instrumentation's interceptor rebuilt the handler, wrapped the context
    and parsed the address on every call, telemetry on or off.
    """

    def __init__(self) -> None:
        self._handlers = HandlerCache()

    async def intercept_service(
        self,
        continuation: Callable[
            [grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler[Any, Any]]
        ],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[Any, Any]:
        handler = await continuation(details)
        if handler is None or not is_instrumentation_enabled():
            return handler
        return self._handlers.get(  # type: ignore[no-any-return]
            details.method, handler, lambda: _measured(handler, details)
        )


def _measured(handler: grpc.RpcMethodHandler[Any, Any], details: grpc.HandlerCallDetails) -> Any:
    """The handler with its calls traced, timed and counted (what depends on the method alone)."""
    method = details.method
    service, _, name = method.lstrip("/").partition("/")
    started_with = {
        "rpc.system": "grpc",
        "rpc.grpc.status_code": grpc.StatusCode.OK.value[0],
        "rpc.method": name,
        "rpc.service": service,
    }

    @contextmanager
    def traced(outer: Any) -> Iterator[Span]:
        """The call's span, current while it runs, child of the caller's (metadata)."""
        metadata = {m.key: m.value for m in outer.invocation_metadata() or ()}
        token = attach(extract(metadata)) if metadata else None
        try:
            with _RPC_TRACER.start_as_current_span(
                method,
                kind=SpanKind.SERVER,
                attributes=started_with,
                set_status_on_exception=False,
            ) as span:
                if span.is_recording():
                    span.set_attributes(_peer_attributes(outer, metadata))
                yield span
        finally:
            if token is not None:
                detach(token)

    def done(
        started: float, span: Span, context: _StatusRecorder, request: Any, failed: bool
    ) -> None:
        code = _code_of(context, failed)
        _end(span, context, code)
        elapsed = (time.perf_counter() - started) * 1000
        telemetry.RPC_DURATION.record(elapsed, {"rpc.method": method, "rpc.status": code})
        _count_stewardship(method, request, code)

    def unary(behavior: Behavior) -> Behavior:
        async def call(request: Any, outer: Any) -> Any:
            started, failed, context = time.perf_counter(), True, _StatusRecorder(outer)
            with traced(outer) as span:
                try:
                    result = await behavior(request, context)
                    failed = False
                    return result
                except Exception as error:
                    if type(error) is not Exception:  # a bare Exception is gRPC's abort
                        span.record_exception(error)
                    raise
                finally:
                    done(started, span, context, request, failed)

        return call

    def streaming(behavior: Behavior) -> Behavior:
        async def call(request: Any, outer: Any) -> AsyncIterator[Any]:
            started, failed, context = time.perf_counter(), True, _StatusRecorder(outer)
            watching = method == _WATCH
            if watching:
                telemetry.WATCHERS.add(1)
            with traced(outer) as span:
                try:
                    produced = behavior(request, context)
                    if inspect.isawaitable(produced):  # a behavior that writes or aborts
                        await produced
                    else:
                        async for item in produced:
                            yield item
                    failed = False
                except Exception as error:
                    if type(error) is not Exception:
                        span.record_exception(error)
                    raise
                finally:
                    if watching:
                        telemetry.WATCHERS.add(-1)
                    done(started, span, context, None, failed)

        return call

    return rebuild_handler(
        handler, lambda behavior, is_streaming: (streaming if is_streaming else unary)(behavior)
    )


def server_interceptors() -> list[grpc.aio.ServerInterceptor]:  # type: ignore[type-arg]
    """Outermost: the call's span and latency (which see the final status)."""
    return [RpcTelemetryInterceptor()]


class DatabaseGauges:
    """Pool use and review-queue depth of every server of this process, as observable gauges.

    The instruments are created once per process (re-creating them would register duplicate
    callbacks); servers join and leave as they start and stop.
    """

    def __init__(self) -> None:
        self._databases: weakref.WeakSet[Database] = weakref.WeakSet()
        self._review_depth: dict[int, int] = {}
        meter = telemetry.meter
        meter.create_observable_gauge(
            "singleview.pool.connections_in_use",
            callbacks=[self._in_use],
            description="Pooled connections lent out",
        )
        meter.create_observable_gauge(
            "singleview.pool.requests_waiting",
            callbacks=[self._waiting],
            description="Calls waiting for a pooled connection",
        )
        meter.create_observable_gauge(
            "singleview.review_queue.depth",
            callbacks=[self._queue],
            description=f"Open review tasks, read at most every {REVIEW_QUEUE_REFRESH_SECONDS:g}s",
        )

    def _stats(self) -> Iterable[dict[str, int]]:
        return [database.pool.get_stats() for database in list(self._databases)]

    def _in_use(self, _options: CallbackOptions) -> Iterable[Observation]:
        stats = self._stats()
        used = sum(s.get("pool_size", 0) - s.get("pool_available", 0) for s in stats)
        return [Observation(used)]

    def _waiting(self, _options: CallbackOptions) -> Iterable[Observation]:
        return [Observation(sum(s.get("requests_waiting", 0) for s in self._stats()))]

    def _queue(self, _options: CallbackOptions) -> Iterable[Observation]:
        # Every server of a process reads the same database: report one of them, not the sum.
        depths = list(self._review_depth.values())
        return [Observation(max(depths))] if depths else []

    async def watch(self, database: Database) -> None:
        """Until cancelled: keep this database's gauges fed (review depth every 30 s)."""
        self._databases.add(database)
        key = id(database)
        try:
            while True:
                try:
                    self._review_depth[key] = await operations.open_review_tasks(database)
                except Exception as exc:  # the readiness check reports outages
                    log.debug("review queue depth unavailable: %s", type(exc).__name__)
                await asyncio.sleep(REVIEW_QUEUE_REFRESH_SECONDS)
        finally:
            self._review_depth.pop(key, None)
            self._databases.discard(database)


_GAUGES: list[DatabaseGauges] = []


def database_gauges() -> DatabaseGauges:
    """The process's gauges, created on first use (the meter is a proxy until `install`)."""
    if not _GAUGES:
        _GAUGES.append(DatabaseGauges())
    return _GAUGES[0]
