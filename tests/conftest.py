"""Shared fixtures: one real PostgreSQL per session, a clean schema per test, a real server."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest

from singleview.v1 import (
    identity_service_pb2_grpc,
    profile_service_pb2_grpc,
    timeline_service_pb2_grpc,
)
from tests.support.database import create_database, postgres_server, truncate_all
from tests.support.server import ServerThread


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    with postgres_server() as conninfo:
        yield conninfo


@pytest.fixture(scope="session")
def database_url(pg_server: str) -> str:
    """A migrated database shared by the session; tests that use it start from empty tables."""
    return create_database(pg_server)


@pytest.fixture
def clean_database(database_url: str) -> str:
    truncate_all(database_url)
    return database_url


@pytest.fixture(scope="session")
def server(database_url: str) -> Iterator[ServerThread]:
    running = ServerThread(database_url).start()
    yield running
    running.stop()


@pytest.fixture
def channel(server: ServerThread, clean_database: str) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(server.target) as ch:
        yield ch


@pytest.fixture
def identity(channel: grpc.Channel) -> identity_service_pb2_grpc.IdentityServiceStub:
    return identity_service_pb2_grpc.IdentityServiceStub(channel)


@pytest.fixture
def timeline(channel: grpc.Channel) -> timeline_service_pb2_grpc.TimelineServiceStub:
    return timeline_service_pb2_grpc.TimelineServiceStub(channel)


@pytest.fixture
def profiles(channel: grpc.Channel) -> profile_service_pb2_grpc.ProfileServiceStub:
    return profile_service_pb2_grpc.ProfileServiceStub(channel)
