"""Limits on streams: how many one caller may hold open, and how fast a client stream is read.

A unary call is bounded by its message size; a stream is not. One client could open thousands
of watches, or push an import faster than the database absorbs it and make the server queue
the difference. Both are bounded here, for every streaming method at once, so a new streaming
RPC cannot forget them.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

from singleview.api.auth import caller_of
from singleview.api.handlers import Behavior, rebuild_handler, rejecting
from singleview.config import Limits
from singleview.domain.errors import ResourceExhausted


class Pacer:
    """A token bucket: `take()` waits until one more message fits in the rate.

    Waiting, not failing: the server stops reading, HTTP/2 flow control stops the sender, and
    an honest client importing a file loses nothing; it only goes no faster than the limit.
    """

    def __init__(
        self,
        per_second: float,
        burst: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.per_second = per_second
        self.burst = burst if burst is not None else max(1.0, per_second / 10)
        self.clock = clock
        self.sleep = sleep
        self.tokens = self.burst
        self.updated = clock()

    async def take(self) -> None:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now
        if self.tokens < 1:
            await self.sleep((1 - self.tokens) / self.per_second)
            self.updated = self.clock()
            self.tokens = 1.0
        self.tokens -= 1


async def paced(requests: AsyncIterator[Any], pacer: Pacer) -> AsyncIterator[Any]:
    async for request in requests:
        await pacer.take()
        yield request


class StreamLimitInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[type-arg]
    """Counts the open streams of each caller and paces client streams.

    It sits inside the authentication interceptor, so `caller_of` names the token's owner.
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.open: Counter[str] = Counter()

    def _admit(self, context: grpc.aio.ServicerContext[Any, Any]) -> str:
        caller = caller_of(context).name
        if self.open[caller] >= self.limits.max_streams_per_caller:
            raise ResourceExhausted(
                f"at most {self.limits.max_streams_per_caller} streams may be open at once "
                "per caller; close one first",
                metadata={"limit": str(self.limits.max_streams_per_caller)},
            )
        self.open[caller] += 1
        return caller

    def _release(self, caller: str) -> None:
        self.open[caller] -= 1
        if self.open[caller] <= 0:
            del self.open[caller]

    def _limited(self, behavior: Behavior, client_streaming: bool, streaming: bool) -> Behavior:
        def requests_of(request: Any) -> Any:
            if not client_streaming:
                return request
            return paced(request, Pacer(self.limits.stream_messages_per_second))

        if streaming:

            async def stream(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
                try:
                    caller = self._admit(context)
                except ResourceExhausted as error:
                    await rejecting(error)(request, context)
                    return
                try:
                    async for item in behavior(requests_of(request), context):
                        yield item
                finally:
                    self._release(caller)

            return stream

        async def unary(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            try:
                caller = self._admit(context)
            except ResourceExhausted as error:
                return await rejecting(error)(request, context)
            try:
                return await behavior(requests_of(request), context)
            finally:
                self._release(caller)

        return unary

    async def intercept_service(
        self,
        continuation: Callable[
            [grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler[Any, Any]]
        ],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[Any, Any]:
        handler = await continuation(details)
        if handler is None or not (handler.request_streaming or handler.response_streaming):
            return handler
        client_streaming = bool(handler.request_streaming)
        return rebuild_handler(  # type: ignore[no-any-return]
            handler,
            lambda behavior, streaming: self._limited(behavior, client_streaming, streaming),
        )
