"""Wrapped method handlers made once per method, for the interceptors that wrap every call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class HandlerCache:
    """Each method's wrapped handler, made once instead of on every call.

    grpc.aio asks every interceptor for a handler on every call; the servicer's handler of a
    method is the same object each time, and so is what an interceptor makes of it when the
    wrapping depends on the method alone. Rebuilding it (closures, a new handler tuple) cost
    every call; the cache keeps the last one made per method and makes a new one whenever the
    inner handler is another object (an outer layer that wraps per call, e.g. streams).
    """

    def __init__(self) -> None:
        self._made: dict[str, tuple[Any, Any]] = {}

    def get(self, method: str, inner: Any, make: Callable[[], Any]) -> Any:
        cached = self._made.get(method)
        if cached is not None and cached[0] is inner:
            return cached[1]
        wrapped = make()
        self._made[method] = (inner, wrapped)
        return wrapped
