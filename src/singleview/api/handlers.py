"""Wrapping a servicer's method handlers: what every interceptor of ours needs.

An interceptor that must act inside the call (with its context, around its stream) rebuilds
the handler with a wrapped behavior; these are the two shapes all of them share.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc

from singleview.api.errors import status_for
from singleview.domain.errors import DomainError

Behavior = Callable[..., Any]


def rejecting(error: DomainError) -> Behavior:
    async def reject(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> None:
        status = status_for(error)
        await context.abort(status.code, status.details, status.trailing_metadata)

    return reject


def rebuild_handler(
    handler: grpc.RpcMethodHandler[Any, Any], wrap: Callable[[Behavior, bool], Behavior]
) -> Any:
    """The same kind of handler, with its behavior wrapped (`wrap(behavior, streaming)`)."""
    kinds = (
        (handler.unary_unary, grpc.unary_unary_rpc_method_handler, False),
        (handler.stream_unary, grpc.stream_unary_rpc_method_handler, False),
        (handler.unary_stream, grpc.unary_stream_rpc_method_handler, True),
        (handler.stream_stream, grpc.stream_stream_rpc_method_handler, True),
    )
    for behavior, build, streaming in kinds:
        if behavior is not None:
            return build(
                wrap(behavior, streaming),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
    raise AssertionError("a method handler without a behavior")
