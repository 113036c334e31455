"""The deadline of the call being served, so the database gives up when the caller has.

The api layer opens a scope per RPC from gRPC's `time_remaining()`; the store reads it to bound
how long it waits for a pooled connection and, as `statement_timeout`, how long PostgreSQL may
run a statement. A ContextVar and not a parameter: it is per call (each RPC runs in its own
task), and threading it through every service and store function would add nothing but noise.
Outside a scope (migrations, CLI commands, background loops) there is no deadline.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar

_deadline: ContextVar[float | None] = ContextVar("singleview_deadline", default=None)


@contextmanager
def deadline_scope(seconds: float | None) -> Iterator[None]:
    """Within the block, calls must finish in `seconds` from now (None: no deadline)."""
    token = _deadline.set(None if seconds is None else time.monotonic() + seconds)
    try:
        yield
    finally:
        # A streaming call's generator may be closed from another task (its context a copy),
        # where the token cannot be reset; that context ends with the call anyway.
        with suppress(ValueError):
            _deadline.reset(token)


def time_remaining() -> float | None:
    """Seconds left before the current call's deadline (negative once past); None: no deadline."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()
