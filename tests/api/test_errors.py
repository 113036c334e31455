"""Bad input gets a clear error and loses nothing (INVALID_ARGUMENT with field violations)."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2

from singleview.api.errors import ErrorInterceptor
from singleview.api.unimplemented import unimplemented_service
from singleview.v1 import common_pb2, privacy_service_pb2, profile_service_pb2
from singleview.v1 import identity_service_pb2 as pb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.privacy_service_pb2_grpc import PrivacyServiceStub
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from tests.support.builders import email, phone, record
from tests.support.status import rich_error

UNKNOWN_KIND = common_pb2.Identifier(kind=common_pb2.IDENTIFIER_KIND_UNSPECIFIED, value="x")


def _with_observed_at(request: pb.ResolveRequest, seconds: int) -> pb.ResolveRequest:
    request.observed_at.seconds = seconds
    return request


BAD_RESOLVES = [
    pytest.param(record("", "1", phone("3125550100")), {"source": "required"}, id="empty source"),
    pytest.param(record("crm", " ", phone("3125550100")), {"record_id": "required"}, id="blank id"),
    pytest.param(record("crm", "1", UNKNOWN_KIND), {"identifiers[0].kind": ""}, id="unknown kind"),
    pytest.param(
        record("crm", "1", phone("call me")), {"identifiers[0].value": ""}, id="bad phone"
    ),
    pytest.param(record("crm", "1", phone("555")), {"identifiers[0].value": ""}, id="short phone"),
    pytest.param(
        record("crm", "1", email("ann@@example")), {"identifiers[0].value": ""}, id="bad email"
    ),
    pytest.param(
        record("crm", "1", phone("3125550100"), email("no-at-sign")),
        {"identifiers[1].value": ""},
        id="second identifier bad",
    ),
    pytest.param(
        record("crm", "1", phone("3125550100"), birth_date="1990-13-01"),
        {"attributes.birth_date": "YYYY-MM-DD"},
        id="impossible birth date",
    ),
    pytest.param(
        record("crm", "1", phone("3125550100"), birth_date="01/02/1990"),
        {"attributes.birth_date": "YYYY-MM-DD"},
        id="birth date not ISO",
    ),
    pytest.param(
        record("crm", "1", phone("3125550100"), birth_date="2999-01-01"),
        {"attributes.birth_date": "today"},
        id="birth date in the future",
    ),
    pytest.param(
        record("crm", "x" * 300, phone("3125550100")),
        {"record_id": "longer than"},
        id="over-long record id",
    ),
    pytest.param(
        record("crm", "1", phone("3125550100"), given_name="A" * 1000),
        {"attributes.given_name": "longer than"},
        id="over-long name",
    ),
    pytest.param(
        record("crm", "1", email("a" * 600 + "@example.com")),
        {"identifiers[0].value": "longer than"},
        id="over-long identifier",
    ),
    pytest.param(
        record("crm", "1", *[phone(f"312555{n:04d}") for n in range(51)]),
        {"identifiers": "at most"},
        id="too many identifiers",
    ),
    pytest.param(
        record("crm", "a\x00b", phone("3125550100")),
        {"record_id": "control characters"},
        id="NUL in record id",
    ),
    pytest.param(record("crm", "1"), {"identifiers": "at least one"}, id="empty record"),
    pytest.param(
        _with_observed_at(record("crm", "1", phone("3125550100")), 10**12),
        {"observed_at": "timestamp"},
        id="timestamp out of range",
    ),
]


@pytest.mark.parametrize(("request_", "violations"), BAD_RESOLVES)
def test_a_bad_resolve_names_every_bad_field_and_writes_nothing(
    identity: IdentityServiceStub,
    profiles: ProfileServiceStub,
    request_: pb.ResolveRequest,
    violations: dict[str, str],
) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        identity.Resolve(request_)

    error = rich_error(raised.value)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert error.reason == "INVALID_ARGUMENT"
    assert set(error.violations) == set(violations)
    for field, words in violations.items():
        assert words in error.violations[field]
    listed = profiles.ListCustomers(profile_service_pb2.ListCustomersRequest())
    assert list(listed.customers) == []


def test_all_violations_of_one_request_are_reported_together(identity: IdentityServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        identity.Resolve(record("", "", phone("nope"), birth_date="yesterday"))

    assert set(rich_error(raised.value).violations) == {
        "source",
        "record_id",
        "identifiers[0].value",
        "attributes.birth_date",
    }


def test_an_error_message_never_echoes_the_raw_identifier(identity: IdentityServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        identity.Resolve(record("crm", "1", email("secret.person@@example.com")))

    assert isinstance(raised.value, grpc.Call)
    assert "secret.person" not in (raised.value.details() or "")


@pytest.mark.parametrize(
    ("name", "code", "reason"),
    [
        ("", grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT"),
        ("customer/abc", grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT"),
        ("customers/ABC!", grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ARGUMENT"),
        ("customers/0000000000000000000000000z", grpc.StatusCode.NOT_FOUND, "CUSTOMER_NOT_FOUND"),
    ],
)
def test_get_customer_with_a_bad_or_unknown_name(
    profiles: ProfileServiceStub, name: str, code: grpc.StatusCode, reason: str
) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        profiles.GetCustomer(profile_service_pb2.GetCustomerRequest(name=name))

    error = rich_error(raised.value)
    assert (error.code, error.reason) == (code, reason)


@pytest.mark.parametrize(
    ("page_size", "page_token", "field"),
    [(-1, "", "page_size"), (10, "not-a-token", "page_token"), (10, "eyJ2IjoxfQ", "page_token")],
)
def test_list_customers_rejects_bad_paging(
    profiles: ProfileServiceStub, page_size: int, page_token: str, field: str
) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        profiles.ListCustomers(
            profile_service_pb2.ListCustomersRequest(page_size=page_size, page_token=page_token)
        )

    error = rich_error(raised.value)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert field in error.violations


def test_lookup_rejects_bad_identifiers_and_an_empty_request(identity: IdentityServiceStub) -> None:
    for request, field in [
        (pb.LookupRequest(), "identifiers"),
        (pb.LookupRequest(identifiers=[phone("12")]), "identifiers[0].value"),
    ]:
        with pytest.raises(grpc.RpcError) as raised:
            identity.Lookup(request)
        assert field in rich_error(raised.value).violations


def test_a_method_not_built_yet_answers_unimplemented_with_a_reason() -> None:
    """Every service is built now, so a private server serves one from its descriptor alone."""

    async def call() -> grpc.aio.AioRpcError:
        server = grpc.aio.server(interceptors=[ErrorInterceptor()])
        server.add_generic_rpc_handlers(
            [
                unimplemented_service(
                    privacy_service_pb2.DESCRIPTOR.services_by_name["PrivacyService"]
                )
            ]
        )
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        try:
            async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
                privacy = PrivacyServiceStub(channel)
                try:
                    await privacy.ExportCustomer(
                        privacy_service_pb2.ExportCustomerRequest(name="customers/abc")
                    )
                except grpc.aio.AioRpcError as error:
                    return error
                raise AssertionError("the call succeeded")
        finally:
            await server.stop(0)

    error = asyncio.run(call())
    trailing: tuple[tuple[str, str | bytes], ...] = error.trailing_metadata() or ()  # type: ignore[assignment]
    [details] = [
        value
        for key, value in trailing
        if key == "grpc-status-details-bin" and isinstance(value, bytes)
    ]
    status = status_pb2.Status.FromString(details)
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    assert (error.code(), info.reason) == (grpc.StatusCode.UNIMPLEMENTED, "NOT_IMPLEMENTED")
