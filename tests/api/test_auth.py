"""Authentication and roles: every RPC with no token, a bad or revoked token, and each role."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import psycopg
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from singleview.config import SecuritySettings, Settings
from singleview.domain.errors import FailedPrecondition, NotFound
from singleview.v1 import identity_service_pb2, privacy_service_pb2
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.privacy_service_pb2_grpc import PrivacyServiceStub
from tests.api.test_server import _list_services
from tests.support.auth import bearer, create_token, revoke_token
from tests.support.builders import phone, record
from tests.support.rpc import Rpc, call, every_rpc
from tests.support.server import ServerThread
from tests.support.status import rich_error

CHANNEL = {
    "Resolve",
    "ImportRecords",
    "Lookup",
    "GetContext",
    "RecordInteraction",
    "UpdateInteraction",
    "ListInteractions",
    "WatchCustomer",
}
CLIENTELING = {
    "GetCustomer",
    "SearchCustomers",
    "RecordVisit",
    "UpdatePreferences",
    "ListInteractions",
}
WRITES_OF_CHANNELS = {
    "Resolve",
    "ImportRecords",
    "RecordInteraction",
    "UpdateInteraction",
    "RecordVisit",
    "UpdatePreferences",
}
PRIVACY = {"EraseCustomer", "ExportCustomer"}
ALL = {rpc.descriptor.name for rpc in every_rpc()}
ALLOWED = {
    "channel": CHANNEL,
    "clienteling": CLIENTELING,
    "steward": ALL - WRITES_OF_CHANNELS - PRIVACY,
    "admin": ALL,
}
DENIED = {grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED}


@pytest.fixture(scope="module")
def auth_server(database_url: str) -> Iterator[ServerThread]:
    running = ServerThread(database_url, Settings(security=SecuritySettings(auth=True))).start()
    yield running
    running.stop()


@pytest.fixture
def secured(auth_server: ServerThread, clean_database: str) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(auth_server.target) as ch:
        yield ch


@pytest.fixture
def tokens(clean_database: str) -> dict[str, str]:
    """One token per role, named after it."""
    return {role: create_token(clean_database, f"{role}-1", role) for role in ALLOWED}


def test_health_and_reflection_need_no_token(secured: grpc.Channel) -> None:
    health = health_pb2_grpc.HealthStub(secured)
    assert (
        health.Check(health_pb2.HealthCheckRequest()).status
        == health_pb2.HealthCheckResponse.SERVING
    )

    assert "singleview.v1.IdentityService" in _list_services(
        secured, "grpc.reflection.v1.ServerReflection"
    )


@pytest.mark.parametrize("rpc", every_rpc(), ids=str)
def test_every_rpc_without_a_token_is_unauthenticated(secured: grpc.Channel, rpc: Rpc) -> None:
    assert call(secured, rpc, []) == grpc.StatusCode.UNAUTHENTICATED


@pytest.mark.parametrize(
    ("authorization", "reason"),
    [
        (None, "MISSING_TOKEN"),
        ("Bearer svt_not-a-token", "INVALID_TOKEN"),
        ("Bearer svt_" + "A" * 43, "INVALID_TOKEN"),
        ("Basic dXNlcjpwYXNz", "INVALID_TOKEN"),
        ("Bearer ", "INVALID_TOKEN"),
    ],
)
def test_a_missing_or_bad_token_names_why(
    secured: grpc.Channel, authorization: str | None, reason: str
) -> None:
    metadata = (("authorization", authorization),) if authorization is not None else ()
    with pytest.raises(grpc.RpcError) as raised:
        IdentityServiceStub(secured).Lookup(
            identity_service_pb2.LookupRequest(identifiers=[phone("3125550100")]),
            metadata=metadata,
        )
    error = rich_error(raised.value)
    assert (error.code, error.reason) == (grpc.StatusCode.UNAUTHENTICATED, reason)


@pytest.mark.parametrize("rpc", every_rpc(), ids=str)
def test_a_revoked_token_stops_working_at_once(
    secured: grpc.Channel, clean_database: str, rpc: Rpc
) -> None:
    token = create_token(clean_database, "leaver", "admin")
    assert call(secured, rpc, [], metadata=bearer(token)) not in DENIED
    revoke_token(clean_database, "leaver")
    assert call(secured, rpc, [], metadata=bearer(token)) == grpc.StatusCode.UNAUTHENTICATED


def test_a_revoked_token_says_so(secured: grpc.Channel, clean_database: str) -> None:
    token = create_token(clean_database, "leaver", "channel")
    revoke_token(clean_database, "leaver")
    with pytest.raises(grpc.RpcError) as raised:
        IdentityServiceStub(secured).Resolve(
            record("crm", "1", phone("3125550100")), metadata=bearer(token)
        )
    assert rich_error(raised.value).reason == "REVOKED_TOKEN"


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_each_role_reaches_exactly_its_methods(
    secured: grpc.Channel, tokens: dict[str, str], role: str
) -> None:
    outcomes = {
        rpc.descriptor.name: call(secured, rpc, [], metadata=bearer(tokens[role]))
        for rpc in every_rpc()
    }
    denied = {name for name, code in outcomes.items() if code == grpc.StatusCode.PERMISSION_DENIED}
    assert denied == ALL - ALLOWED[role]
    assert grpc.StatusCode.UNAUTHENTICATED not in outcomes.values()


def test_permission_denied_names_the_missing_permission(
    secured: grpc.Channel, tokens: dict[str, str]
) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        PrivacyServiceStub(secured).EraseCustomer(
            privacy_service_pb2.EraseCustomerRequest(name="customers/abc"),
            metadata=bearer(tokens["steward"]),
        )
    error = rich_error(raised.value)
    assert (error.code, error.reason) == (grpc.StatusCode.PERMISSION_DENIED, "PERMISSION_DENIED")
    assert error.metadata == {"permission": "privacy.erase", "role": "steward"}


def _actors(conninfo: str, action: str) -> list[str]:
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute("SELECT actor FROM audit_event WHERE action = %s", (action,))
        return [row[0] for row in rows.fetchall()]


def test_the_token_name_is_the_actor_whatever_the_client_claims(
    secured: grpc.Channel, tokens: dict[str, str], clean_database: str
) -> None:
    resolved = IdentityServiceStub(secured).Resolve(
        record("crm", "1", phone("3125550100")), metadata=bearer(tokens["channel"])
    )
    PrivacyServiceStub(secured).EraseCustomer(
        privacy_service_pb2.EraseCustomerRequest(name=resolved.customer.name, reason="ticket 7"),
        metadata=(*bearer(tokens["admin"]), ("x-singleview-actor", "someone-else")),
    )
    assert _actors(clean_database, "ERASE") == ["admin-1"]


def test_without_authentication_the_claimed_actor_is_recorded(
    channel: grpc.Channel, clean_database: str
) -> None:
    resolved = IdentityServiceStub(channel).Resolve(record("crm", "1", phone("3125550100")))
    PrivacyServiceStub(channel).EraseCustomer(
        privacy_service_pb2.EraseCustomerRequest(name=resolved.customer.name),
        metadata=(("x-singleview-actor", "ops.ann@example"),),
    )
    assert _actors(clean_database, "ERASE") == ["ops.ann@example"]


def test_token_names_are_unique_among_active_tokens(clean_database: str) -> None:
    first = create_token(clean_database, "pos-eu", "channel")
    with pytest.raises(FailedPrecondition) as raised:
        create_token(clean_database, "pos-eu", "channel")
    assert raised.value.reason == "TOKEN_EXISTS"
    revoke_token(clean_database, "pos-eu")
    assert create_token(clean_database, "pos-eu", "steward") != first
    with pytest.raises(NotFound):
        revoke_token(clean_database, "nobody")
