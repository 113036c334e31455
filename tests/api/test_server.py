"""What every client can count on: health, server reflection (v1alpha and v1)."""

from __future__ import annotations

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

EXPECTED_SERVICES = {
    "singleview.v1.IdentityService",
    "singleview.v1.ProfileService",
    "singleview.v1.TimelineService",
    "singleview.v1.StewardService",
    "singleview.v1.PrivacyService",
    "grpc.health.v1.Health",
}


def test_health_reports_serving_for_the_server_and_each_service(channel: grpc.Channel) -> None:
    health = health_pb2_grpc.HealthStub(channel)
    for service in ("", "singleview.v1.IdentityService", "singleview.v1.PrivacyService"):
        answer = health.Check(health_pb2.HealthCheckRequest(service=service))
        assert answer.status == health_pb2.HealthCheckResponse.SERVING


def _list_services(channel: grpc.Channel, service: str) -> set[str]:
    call = channel.stream_stream(
        f"/{service}/ServerReflectionInfo",
        request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
        response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
    )
    responses = list(call(iter([reflection_pb2.ServerReflectionRequest(list_services="")])))
    return {s.name for s in responses[0].list_services_response.service}


@pytest.mark.parametrize(
    "reflection_service",
    ["grpc.reflection.v1alpha.ServerReflection", "grpc.reflection.v1.ServerReflection"],
)
def test_reflection_lists_every_service_of_the_contract(
    channel: grpc.Channel, reflection_service: str
) -> None:
    assert _list_services(channel, reflection_service) >= EXPECTED_SERVICES


def test_reflection_describes_the_resolve_request(channel: grpc.Channel) -> None:
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    request = reflection_pb2.ServerReflectionRequest(
        file_containing_symbol="singleview.v1.ResolveRequest"
    )
    response = next(iter(stub.ServerReflectionInfo(iter([request]))))
    assert response.file_descriptor_response.file_descriptor_proto
