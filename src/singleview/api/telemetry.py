"""Telemetry at the gRPC edge: a span for every call (OpenTelemetry's grpc.aio server
interceptor), latency by method and status code, steward merges and splits, open watch streams,
and gauges read from the pool and the database.

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
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any

import grpc
from opentelemetry.instrumentation.grpc import aio_server_interceptor
from opentelemetry.metrics import CallbackOptions, Observation

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

    async def abort(self, code: grpc.StatusCode, *args: Any, **kwargs: Any) -> None:
        self.code = code
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


class RpcMetricsInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[type-arg]
    """Latency by method and status code; labels are method names and codes, never values."""

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
        if handler is None:
            return handler
        return self._handlers.get(  # type: ignore[no-any-return]
            details.method, handler, lambda: _measured(handler, details)
        )


def _measured(handler: grpc.RpcMethodHandler[Any, Any], details: grpc.HandlerCallDetails) -> Any:
    """The handler with its calls timed and counted (what depends on the method alone)."""
    method = details.method

    def done(started: float, context: _StatusRecorder, request: Any, failed: bool) -> None:
        code = _code_of(context, failed)
        elapsed = (time.perf_counter() - started) * 1000
        telemetry.RPC_DURATION.record(elapsed, {"rpc.method": method, "rpc.status": code})
        _count_stewardship(method, request, code)

    def unary(behavior: Behavior) -> Behavior:
        async def call(request: Any, outer: Any) -> Any:
            started, failed, context = time.perf_counter(), True, _StatusRecorder(outer)
            try:
                result = await behavior(request, context)
                failed = False
                return result
            finally:
                done(started, context, request, failed)

        return call

    def streaming(behavior: Behavior) -> Behavior:
        async def call(request: Any, outer: Any) -> AsyncIterator[Any]:
            started, failed, context = time.perf_counter(), True, _StatusRecorder(outer)
            watching = method == _WATCH
            if watching:
                telemetry.WATCHERS.add(1)
            try:
                produced = behavior(request, context)
                if inspect.isawaitable(produced):  # a behavior that writes or aborts
                    await produced
                else:
                    async for item in produced:
                        yield item
                failed = False
            finally:
                if watching:
                    telemetry.WATCHERS.add(-1)
                done(started, context, None, failed)

        return call

    return rebuild_handler(
        handler, lambda behavior, is_streaming: (streaming if is_streaming else unary)(behavior)
    )


def server_interceptors() -> list[grpc.aio.ServerInterceptor]:  # type: ignore[type-arg]
    """Outermost first: the call's span, then its latency (which sees the final status)."""
    return [aio_server_interceptor(), RpcMetricsInterceptor()]  # type: ignore[no-untyped-call]


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
