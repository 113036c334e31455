"""Every RPC of the contract, callable generically from its descriptor (auth and fuzz tests)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf.descriptor import MethodDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass

from singleview.v1 import (
    identity_service_pb2,
    privacy_service_pb2,
    profile_service_pb2,
    steward_service_pb2,
    timeline_service_pb2,
)

SERVICE_MODULES = (
    identity_service_pb2,
    profile_service_pb2,
    timeline_service_pb2,
    steward_service_pb2,
    privacy_service_pb2,
)

WRITE_METHODS = frozenset(
    {
        "singleview.v1.IdentityService/Resolve",
        "singleview.v1.IdentityService/ImportRecords",
        "singleview.v1.TimelineService/RecordInteraction",
        "singleview.v1.TimelineService/UpdateInteraction",
        "singleview.v1.ProfileService/RecordVisit",
        "singleview.v1.ProfileService/UpdatePreferences",
        "singleview.v1.StewardService/DecideReviewTask",
        "singleview.v1.StewardService/MergeCustomers",
        "singleview.v1.StewardService/SplitCustomer",
        "singleview.v1.PrivacyService/EraseCustomer",
        "singleview.v1.StewardService/AddHouseholdMember",
        "singleview.v1.StewardService/RemoveHouseholdMember",
        "singleview.v1.StewardService/ReattributeInteractions",
    }
)
"""Every RPC that writes; each is idempotent on its key (tests/api/test_idempotent_writes.py)."""


@dataclass(frozen=True)
class Rpc:
    descriptor: MethodDescriptor

    @property
    def path(self) -> str:
        """The full method name gRPC routes on: /singleview.v1.IdentityService/Resolve."""
        return f"/{self.descriptor.containing_service.full_name}/{self.descriptor.name}"

    @property
    def request_class(self) -> type[Message]:
        cls: type[Message] = GetMessageClass(self.descriptor.input_type)
        return cls

    def __str__(self) -> str:
        return self.path


def every_rpc() -> list[Rpc]:
    return [
        Rpc(method)
        for module in SERVICE_MODULES
        for service in module.DESCRIPTOR.services_by_name.values()
        for method in service.methods
    ]


def call(
    channel: grpc.Channel,
    rpc: Rpc,
    requests: Sequence[Message | bytes],
    *,
    metadata: Sequence[tuple[str, str]] = (),
    timeout: float = 10.0,
) -> grpc.StatusCode:
    """Send `requests` (messages or raw bytes) and read every response; the final status code.

    A single-request method gets the first request (an empty message when none is given).
    """

    def serialize(item: Message | bytes) -> bytes:
        return item if isinstance(item, bytes) else item.SerializeToString()

    def identity(data: bytes) -> bytes:
        return data

    method = rpc.descriptor
    kind = (method.client_streaming, method.server_streaming)
    factory = {
        (False, False): channel.unary_unary,
        (False, True): channel.unary_stream,
        (True, False): channel.stream_unary,
        (True, True): channel.stream_stream,
    }[kind]
    callable_: Any = factory(rpc.path, request_serializer=serialize, response_deserializer=identity)
    first: Message | bytes = requests[0] if requests else rpc.request_class()
    argument: Message | bytes | Iterable[Message | bytes] = (
        iter(list(requests)) if method.client_streaming else first
    )
    try:
        result = callable_(argument, metadata=list(metadata), timeout=timeout)
        if method.server_streaming:
            for _ in result:
                pass
    except grpc.RpcError as error:
        assert isinstance(error, grpc.Call)
        code: grpc.StatusCode = error.code()
        return code
    return grpc.StatusCode.OK
