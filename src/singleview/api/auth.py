"""Who may call what: bearer-token authentication and role checks, in one interceptor.

Every call but health and reflection must carry `authorization: Bearer TOKEN` metadata when
authentication is on (see config.Settings.auth_enabled). The token names a caller and a role;
the method's full name names the permission it needs (METHOD_PERMISSIONS, and by method name for
RPCs that other services may grow, so they are guarded the day they land); a method mapped
nowhere needs the admin-only permission, so a new RPC is closed until someone maps it.

Servicers learn who called through `caller_of(context)`, the one place that answers it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import grpc

from singleview.api.errors import as_domain_error
from singleview.api.handlers import Behavior, rebuild_handler, rejecting
from singleview.config import ConfigError, SecuritySettings
from singleview.domain.errors import PermissionDenied, Unauthenticated
from singleview.domain.security import ANONYMOUS, Caller, Permission
from singleview.service.tokens import TokenService

log = logging.getLogger(__name__)

OPEN_METHOD_PREFIXES = (
    "/grpc.health.v1.Health/",
    "/grpc.reflection.v1alpha.ServerReflection/",
    "/grpc.reflection.v1.ServerReflection/",
)
"""Callable without a token: a load balancer's health check and grpcurl's discovery."""

_P = Permission
METHOD_PERMISSIONS: dict[str, Permission] = {
    "/singleview.v1.IdentityService/Resolve": _P.RESOLVE,
    "/singleview.v1.IdentityService/ImportRecords": _P.RESOLVE,
    "/singleview.v1.IdentityService/Lookup": _P.LOOKUP,
    "/singleview.v1.ProfileService/GetCustomer": _P.READ_CUSTOMERS,
    "/singleview.v1.ProfileService/SearchCustomers": _P.READ_CUSTOMERS,
    "/singleview.v1.ProfileService/ListCustomers": _P.LIST_CUSTOMERS,
    "/singleview.v1.TimelineService/RecordInteraction": _P.RECORD_INTERACTIONS,
    "/singleview.v1.TimelineService/UpdateInteraction": _P.RECORD_INTERACTIONS,
    "/singleview.v1.TimelineService/ListInteractions": _P.READ_TIMELINE,
    "/singleview.v1.TimelineService/GetContext": _P.READ_CONTEXT,
    "/singleview.v1.TimelineService/WatchCustomer": _P.WATCH,
    "/singleview.v1.StewardService/ListReviewTasks": _P.READ_REVIEWS,
    "/singleview.v1.StewardService/GetReviewTask": _P.READ_REVIEWS,
    "/singleview.v1.StewardService/DecideReviewTask": _P.DECIDE_REVIEWS,
    "/singleview.v1.StewardService/MergeCustomers": _P.MERGE,
    "/singleview.v1.StewardService/SplitCustomer": _P.SPLIT,
    "/singleview.v1.StewardService/ExplainCustomer": _P.EXPLAIN,
    "/singleview.v1.StewardService/ListAuditEvents": _P.READ_AUDIT,
    "/singleview.v1.StewardService/AddHouseholdMember": _P.MANAGE_HOUSEHOLDS,
    "/singleview.v1.StewardService/RemoveHouseholdMember": _P.MANAGE_HOUSEHOLDS,
    "/singleview.v1.StewardService/ReattributeInteractions": _P.MANAGE_HOUSEHOLDS,
    "/singleview.v1.ProfileService/GetHousehold": _P.READ_HOUSEHOLDS,
    "/singleview.v1.PrivacyService/EraseCustomer": _P.ERASE,
    "/singleview.v1.PrivacyService/ExportCustomer": _P.EXPORT,
}

METHOD_NAME_PERMISSIONS: dict[str, Permission] = {
    "RecordVisit": _P.RECORD_VISITS,
    "UpdatePreferences": _P.UPDATE_PREFERENCES,
    "SearchCustomers": _P.READ_CUSTOMERS,
    "GetCustomer": _P.READ_CUSTOMERS,
}
"""Clienteling RPCs by method name, in whichever singleview service they land."""

_CALLER: ContextVar[Caller | None] = ContextVar("singleview_caller", default=None)
ACTOR_METADATA = "x-singleview-actor"
_ACTOR = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+:-]{0,127}$")


def required_permission(method: str) -> Permission:
    """The permission a full method name (`/package.Service/Method`) needs."""
    if method in METHOD_PERMISSIONS:
        return METHOD_PERMISSIONS[method]
    if method.startswith("/singleview."):
        return METHOD_NAME_PERMISSIONS.get(method.rsplit("/", 1)[-1], _P.ADMINISTER)
    return _P.ADMINISTER


def _metadata_values(metadata: Iterable[Any] | None, key: str) -> list[str]:
    return [str(value) for name, value in (metadata or ()) if name == key]


def caller_of(context: grpc.aio.ServicerContext[Any, Any]) -> Caller:
    """Who made the current call, for attribution (audit `actor`, profile reads).

    With authentication on, the token's name and role: what the client says does not count.
    With it off (a loopback development server), the `x-singleview-actor` metadata if it is a
    plausible name, else `anonymous`; unverified, and marked so (`authenticated` is False).
    """
    caller = _CALLER.get()
    if caller is not None:
        return caller
    for claimed in _metadata_values(context.invocation_metadata(), ACTOR_METADATA):
        if _ACTOR.match(claimed):
            return Caller(claimed)
    return ANONYMOUS


def _bearer_token(metadata: Iterable[Any] | None) -> str:
    values = _metadata_values(metadata, "authorization")
    if not values:
        raise Unauthenticated(
            "this call needs `authorization: Bearer TOKEN` metadata", reason="MISSING_TOKEN"
        )
    scheme, _, token = values[0].strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated(
            "the authorization metadata must read `Bearer TOKEN`", reason="INVALID_TOKEN"
        )
    return token.strip()


def _as_caller_unary(behavior: Behavior, caller: Caller) -> Behavior:
    async def call(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        # Each RPC runs in its own asyncio task with its own copy of the context: no reset needed.
        _CALLER.set(caller)
        return await behavior(request, context)

    return call


def _as_caller_streaming(behavior: Behavior, caller: Caller) -> Behavior:
    async def call(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> AsyncIterator[Any]:
        _CALLER.set(caller)
        async for item in behavior(request, context):
            yield item

    return call


class AuthInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[type-arg]
    """Authenticates the bearer token and checks the role before any servicer runs."""

    def __init__(self, tokens: TokenService) -> None:
        self.tokens = tokens

    async def _caller(self, details: grpc.HandlerCallDetails) -> Caller:
        caller = await self.tokens.authenticate(_bearer_token(details.invocation_metadata))
        permission = required_permission(details.method)
        if not caller.may(permission):
            role = caller.role.value if caller.role else ""
            raise PermissionDenied(
                f"the {role} role lacks the permission {permission.value}",
                metadata={"permission": permission.value, "role": role},
            )
        return caller

    async def intercept_service(
        self,
        continuation: Callable[
            [grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler[Any, Any]]
        ],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[Any, Any]:
        handler = await continuation(details)
        if handler is None or details.method.startswith(OPEN_METHOD_PREFIXES):
            return handler
        try:
            caller = await self._caller(details)
        except Exception as exc:
            error = as_domain_error(exc, details.method)
            log.info("refused %s: %s", details.method, error.reason)
            rejection = rejecting(error)
            return rebuild_handler(handler, lambda _behavior, _streaming: rejection)  # type: ignore[no-any-return]
        return rebuild_handler(  # type: ignore[no-any-return]
            handler,
            lambda behavior, streaming: (
                _as_caller_streaming(behavior, caller)
                if streaming
                else _as_caller_unary(behavior, caller)
            ),
        )


def _read_pem(path: Path, setting: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{setting}: cannot read {path} ({exc.strerror})") from None


def server_credentials(security: SecuritySettings) -> grpc.ServerCredentials | None:
    """TLS credentials for the gRPC port (mutual TLS with a client CA), or None for plaintext."""
    if security.tls_cert is None or security.tls_key is None:
        return None
    client_ca = (
        _read_pem(security.tls_client_ca, "SINGLEVIEW_TLS_CLIENT_CA")
        if security.tls_client_ca is not None
        else None
    )
    return grpc.ssl_server_credentials(
        [
            (
                _read_pem(security.tls_key, "SINGLEVIEW_TLS_KEY"),
                _read_pem(security.tls_cert, "SINGLEVIEW_TLS_CERT"),
            )
        ],
        root_certificates=client_ca,
        require_client_auth=client_ca is not None,
    )
