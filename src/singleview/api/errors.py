"""The one place domain errors become gRPC statuses with rich details (AIP-193).

Every status carries `google.rpc.ErrorInfo` (reason, domain, metadata); INVALID_ARGUMENT also
carries `google.rpc.BadRequest` with one field violation per bad field. Anything unexpected
becomes INTERNAL with a generic message: exception text may hold personal data, so only its
type (and, at DEBUG, its frames) is logged. A request that does not parse as its message type
is INVALID_ARGUMENT, reason MALFORMED_REQUEST, not the UNKNOWN or INTERNAL gRPC would answer.
The same wrapper opens the call's deadline scope (store/deadlines.py), so the database cancels
what the caller no longer waits for and answers DEADLINE_EXCEEDED.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from singleview.api.handler_cache import HandlerCache
from singleview.domain.errors import DomainError, FieldViolation, InvalidArgument, Unimplemented
from singleview.store.deadlines import deadline_scope

log = logging.getLogger(__name__)

ERROR_DOMAIN = "singleview.v1"


def _pack(message: Any) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


def status_for(error: DomainError) -> grpc.Status:
    details = [
        _pack(
            error_details_pb2.ErrorInfo(
                reason=error.reason, domain=ERROR_DOMAIN, metadata=error.metadata
            )
        )
    ]
    if isinstance(error, InvalidArgument):
        details.append(
            _pack(
                error_details_pb2.BadRequest(
                    field_violations=[
                        error_details_pb2.BadRequest.FieldViolation(
                            field=v.field, description=v.description
                        )
                        for v in error.violations
                    ]
                )
            )
        )
    code = code_pb2.Code.Value(error.code)
    return rpc_status.to_status(
        status_pb2.Status(code=code, message=error.message, details=details)
    )


def as_domain_error(exc: BaseException, method: str) -> DomainError:
    if isinstance(exc, DomainError):
        return exc
    if isinstance(exc, NotImplementedError):
        return Unimplemented(f"{method} is not implemented yet")
    log.error("unexpected %s in %s", type(exc).__name__, method)
    # Frames only: the exception's message may quote a request value.
    log.debug("where: %s", "".join(traceback.format_tb(exc.__traceback__)))
    return DomainError("internal error")


async def _abort(
    context: grpc.aio.ServicerContext[Any, Any], exc: BaseException, method: str
) -> None:
    status = status_for(as_domain_error(exc, method))
    await context.abort(status.code, status.details, status.trailing_metadata)


class _Malformed:
    """Stands for a request that did not parse; the wrapped behavior answers INVALID_ARGUMENT."""


MALFORMED = _Malformed()


def _malformed_error() -> InvalidArgument:
    error = InvalidArgument(
        [FieldViolation("request", "not a valid message of the method's request type")]
    )
    error.reason = "MALFORMED_REQUEST"
    return error


def _lenient(deserializer: Callable[[bytes], Any] | None) -> Callable[[bytes], Any] | None:
    if deserializer is None:
        return None

    def parse(data: bytes) -> Any:
        try:
            return deserializer(data)
        except Exception:
            return MALFORMED

    return parse


def _checked(request: Any, client_streaming: bool) -> Any:
    """The request, or (streaming) an iterator that raises at the first malformed message."""
    if not client_streaming:
        if request is MALFORMED:
            raise _malformed_error()
        return request

    async def requests() -> AsyncIterator[Any]:
        async for item in request:
            if item is MALFORMED:
                raise _malformed_error()
            yield item

    return requests()


def _wrap_unary(
    behavior: Callable[..., Any], method: str, client_streaming: bool = False
) -> Callable[[Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[Any]]:
    async def wrapped(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        try:
            with deadline_scope(context.time_remaining()):
                result = behavior(_checked(request, client_streaming), context)
                if isinstance(result, Awaitable):
                    result = await result
                return result
        except grpc.aio.AbortError:
            raise
        except Exception as exc:
            await _abort(context, exc, method)

    return wrapped


def _wrap_streaming(
    behavior: Callable[..., Any], method: str, client_streaming: bool = False
) -> Callable[[Any, grpc.aio.ServicerContext[Any, Any]], AsyncIterator[Any]]:
    async def wrapped(
        request: Any, context: grpc.aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[Any]:
        try:
            with deadline_scope(context.time_remaining()):
                result = behavior(_checked(request, client_streaming), context)
                if isinstance(result, Awaitable):
                    result = await result
                if result is None:
                    return
                if hasattr(result, "__aiter__"):
                    async for item in result:
                        yield item
                else:
                    for item in result:
                        yield item
        except grpc.aio.AbortError:
            raise
        except Exception as exc:
            await _abort(context, exc, method)

    return wrapped


class ErrorInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[type-arg]
    """Wraps every handler so a raised domain error reaches the client as a rich status."""

    def __init__(self) -> None:
        self._handlers = HandlerCache()

    async def intercept_service(
        self,
        continuation: Callable[
            [grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler[Any, Any]]
        ],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[Any, Any]:
        handler = await continuation(handler_call_details)
        if handler is None:
            return handler
        method = handler_call_details.method
        return self._handlers.get(method, handler, lambda: _wrapped(handler, method))  # type: ignore[no-any-return]


def _wrapped(handler: grpc.RpcMethodHandler[Any, Any], method: str) -> Any:
    deserializer = _lenient(handler.request_deserializer)
    if handler.unary_unary is not None:
        return grpc.unary_unary_rpc_method_handler(
            _wrap_unary(handler.unary_unary, method),
            request_deserializer=deserializer,
            response_serializer=handler.response_serializer,
        )
    if handler.stream_unary is not None:
        return grpc.stream_unary_rpc_method_handler(
            _wrap_unary(handler.stream_unary, method, client_streaming=True),
            request_deserializer=deserializer,
            response_serializer=handler.response_serializer,
        )
    if handler.unary_stream is not None:
        return grpc.unary_stream_rpc_method_handler(
            _wrap_streaming(handler.unary_stream, method),
            request_deserializer=deserializer,
            response_serializer=handler.response_serializer,
        )
    assert handler.stream_stream is not None
    return grpc.stream_stream_rpc_method_handler(
        _wrap_streaming(handler.stream_stream, method, client_streaming=True),
        request_deserializer=deserializer,
        response_serializer=handler.response_serializer,
    )
