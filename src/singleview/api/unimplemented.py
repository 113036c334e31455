"""Answers UNIMPLEMENTED (reason NOT_IMPLEMENTED) for every method of a service not built yet.

Built from the service descriptor, so the contract is served in full from day one and reflection
shows it, while a client calling too early gets a clear status instead of a hang or INTERNAL.
"""

from __future__ import annotations

from typing import Any

import grpc
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor
from google.protobuf.message_factory import GetMessageClass

from singleview.domain.errors import Unimplemented


def _behavior(method: MethodDescriptor) -> Any:
    async def not_built(request: Any, context: Any) -> Any:
        raise Unimplemented(f"{method.full_name} is not implemented yet")

    return not_built


def _handler(method: MethodDescriptor) -> grpc.RpcMethodHandler[Any, Any]:
    request = GetMessageClass(method.input_type)
    response = GetMessageClass(method.output_type)
    build = {
        (False, False): grpc.unary_unary_rpc_method_handler,
        (False, True): grpc.unary_stream_rpc_method_handler,
        (True, False): grpc.stream_unary_rpc_method_handler,
        (True, True): grpc.stream_stream_rpc_method_handler,
    }[(method.client_streaming, method.server_streaming)]
    handler: grpc.RpcMethodHandler[Any, Any] = build(
        _behavior(method),
        request_deserializer=request.FromString,
        response_serializer=response.SerializeToString,
    )
    return handler


def unimplemented_service(service: ServiceDescriptor) -> grpc.GenericRpcHandler:  # type: ignore[type-arg]
    return grpc.method_handlers_generic_handler(
        service.full_name, {method.name: _handler(method) for method in service.methods}
    )
