"""The console with authentication on: sign in with a bearer token, roles, revocation, sign out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast
from urllib.parse import parse_qs, urlsplit

import grpc
import pytest

from singleview.config import SecuritySettings, Settings
from singleview.v1 import steward_service_pb2 as pb
from singleview.v1.identity_service_pb2 import ResolveRequest, ResolveResponse
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.steward_service_pb2_grpc import StewardServiceStub
from tests.support.auth import bearer, create_token, revoke_token
from tests.support.console import ConsoleClient
from tests.support.server import ServerThread
from tests.support.stewardship import uncertain_pair


@pytest.fixture(scope="module")
def auth_server(database_url: str) -> Iterator[ServerThread]:
    running = ServerThread(database_url, Settings(security=SecuritySettings(auth=True))).start()
    yield running
    running.stop()


@pytest.fixture
def console(auth_server: ServerThread, clean_database: str) -> ConsoleClient:
    return ConsoleClient(auth_server.console_url)


@pytest.fixture
def admin(auth_server: ServerThread, clean_database: str) -> Iterator[tuple[grpc.Channel, str]]:
    token = create_token(clean_database, "root", "admin")
    with grpc.insecure_channel(auth_server.target) as channel:
        yield channel, token


def _sign_in(console: ConsoleClient, token: str, next_path: str = "/") -> int:
    return console.post("/login", [("token", token), ("next", next_path)]).status


class _SignedIdentity:
    """Resolve with the admin's token: uncertain_pair takes an IdentityService stub."""

    def __init__(self, channel: grpc.Channel, token: str) -> None:
        self.stub = IdentityServiceStub(channel)
        self.token = token

    def Resolve(self, request: ResolveRequest) -> ResolveResponse:  # noqa: N802 (the RPC's name)
        return self.stub.Resolve(request, metadata=bearer(self.token))


def _task(admin: tuple[grpc.Channel, str]) -> pb.ReviewTask:
    channel, token = admin
    pair = uncertain_pair(cast(IdentityServiceStub, _SignedIdentity(channel, token)))
    listed = StewardServiceStub(channel).ListReviewTasks(
        pb.ListReviewTasksRequest(customer=pair.older), metadata=bearer(token)
    )
    return listed.review_tasks[0]


def test_pages_send_a_visitor_without_a_session_to_sign_in(console: ConsoleClient) -> None:
    reply = console.get("/audit?actor=x")

    target = urlsplit(reply.location)
    assert (reply.status, target.path) == (303, "/login")
    assert parse_qs(target.query)["next"] == ["/audit?actor=x"]
    assert console.get("/login").status == 200


def test_a_bad_token_or_a_role_without_review_rights_cannot_sign_in(
    console: ConsoleClient, clean_database: str
) -> None:
    channel_token = create_token(clean_database, "ivr", "channel")

    assert _sign_in(console, "svt_" + "x" * 43) == 401
    assert _sign_in(console, channel_token) == 403
    assert console.get("/").status == 303


def test_a_steward_signs_in_works_and_is_the_audit_actor(
    console: ConsoleClient, clean_database: str, admin: tuple[grpc.Channel, str]
) -> None:
    task = _task(admin)
    token = create_token(clean_database, "ines.steward", "steward")
    path = "/reviews/" + task.name.removeprefix("reviewTasks/")

    signed_in = console.post("/login", [("token", token), ("next", path)])
    page = console.get(path)
    fields = [(k, page.field(k)) for k in ("csrf_token", "request_id", "etag")]
    decided = console.post(
        f"{path}/decide", [*fields, ("verdict", "DIFFERENT"), ("reason", "two people")]
    )

    assert (signed_in.status, signed_in.location) == (303, path)
    cookie = console.set_cookie_headers[-1]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert token not in cookie
    assert "Signed in as ines.steward" in page.page.text
    assert decided.status == 303
    steward = StewardServiceStub(admin[0])
    events = steward.ListAuditEvents(
        pb.ListAuditEventsRequest(actor="ines.steward"), metadata=bearer(admin[1])
    )
    assert "DECIDE_REVIEW_TASK" in [e.action for e in events.audit_events]
    assert task.name not in console.get("/").body  # decided: out of the queue


def test_sign_in_goes_only_to_pages_of_the_console(
    console: ConsoleClient, clean_database: str
) -> None:
    token = create_token(clean_database, "ada", "steward")

    reply = console.post("/login", [("token", token), ("next", "//evil.example/")])

    assert reply.location == "/"


def test_revoking_the_token_signs_its_sessions_out(
    console: ConsoleClient, clean_database: str
) -> None:
    token = create_token(clean_database, "bo", "steward")
    _sign_in(console, token)
    assert console.get("/").status == 200

    revoke_token(clean_database, "bo")

    assert console.get("/").status == 303


def test_signing_out_ends_the_session(console: ConsoleClient, clean_database: str) -> None:
    _sign_in(console, create_token(clean_database, "cy", "admin"))
    csrf = console.get("/").field("csrf_token")
    session = dict(console.cookies)

    out = console.post("/logout", [("csrf_token", csrf)])
    console.cookies = session  # an old copy of the cookie no longer works either

    assert (out.status, out.location) == (303, "/login")
    assert console.get("/").status == 303
