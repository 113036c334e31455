"""A common name's many holders must not hide the rarer name a misspelling was meant for."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest

from singleview.config import ClientelingSettings, Settings
from singleview.v1 import profile_service_pb2 as pb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from tests.support.builders import phone, record
from tests.support.server import ServerThread

CANDIDATES = 6
NAMESAKES = 2
"""Small bounds, so a dozen namesakes is "many"; the defaults behave the same at scale."""


@pytest.fixture(scope="module")
def narrow(database_url: str) -> Iterator[ServerThread]:
    settings = Settings(
        clienteling=ClientelingSettings(search_candidates=CANDIDATES, search_namesakes=NAMESAKES)
    )
    running = ServerThread(database_url, settings).start()
    yield running
    running.stop()


@pytest.fixture
def stubs(
    narrow: ServerThread, clean_database: str
) -> Iterator[tuple[IdentityServiceStub, ProfileServiceStub]]:
    with grpc.insecure_channel(narrow.target) as ch:
        yield IdentityServiceStub(ch), ProfileServiceStub(ch)


def test_a_typo_finds_the_rare_name_beside_many_namesakes_of_a_common_one(
    stubs: tuple[IdentityServiceStub, ProfileServiceStub],
) -> None:
    identity, profiles = stubs
    for n in range(3 * CANDIDATES):
        identity.Resolve(
            record(
                "crm", f"n-{n}", phone(f"+1312555{n:04d}"), given_name="Aisha", family_name="Nguyen"
            )
        )
    rare = identity.Resolve(
        record("crm", "rare", phone("+13125559999"), given_name="Aisha", family_name="Nguyener")
    ).customer.name

    found = profiles.SearchCustomers(pb.SearchCustomersRequest(query="aisha nguyenre"))

    names = [m.customer.name for m in found.matches]
    assert names[0] == rare
    assert len(names) > 1  # the namesakes of the common name are still shown after it
