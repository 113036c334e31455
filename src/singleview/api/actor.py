"""Who a steward action is attributed to: the one place the audit `actor` is decided.

With authentication on, the name of the caller's token (api/auth.py `caller_of`): what the
client claims does not count. With it off, what the client says in `x-singleview-actor`
metadata (a plausible name only), else "steward".
"""

from __future__ import annotations

from typing import Any

import grpc

from singleview.api.auth import ACTOR_METADATA, caller_of
from singleview.domain.security import ANONYMOUS

__all__ = ["ACTOR_METADATA", "DEFAULT_ACTOR", "actor_of"]

DEFAULT_ACTOR = "steward"


def actor_of(context: grpc.aio.ServicerContext[Any, Any]) -> str:
    """The actor of the current call, for the audit log and a task's `decided_by`."""
    caller = caller_of(context)
    return DEFAULT_ACTOR if caller is ANONYMOUS else caller.name
