"""On data with a clear answer, the final clusters do not depend on arrival order."""

from __future__ import annotations

import grpc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from singleview.v1 import identity_service_pb2
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from tests.support.builders import address, email, loyalty, phone, record
from tests.support.clusters import stored_clusters
from tests.support.database import truncate_all
from tests.support.server import ServerThread

PEOPLE = [
    ("Robert", "Bob", "Smith", "1980-05-02", "3125550101", "12 Oak St"),
    ("Margaret", "Peggy", "Okafor", "1962-11-23", "3125550102", "4 Elm Ave"),
    ("José", "Jose", "Müller", "1991-07-15", "3125550103", "9 Pine Rd"),
    ("William", "Bill", "Tanaka", "1975-01-30", "3125550104", "77 Birch Blvd"),
]


def _records() -> list[tuple[int, identity_service_pb2.ResolveRequest]]:
    out = []
    for n, (formal, nickname, family, born, number, line) in enumerate(PEOPLE):
        home = address(line)
        out += [
            (
                n,
                record(
                    "crm",
                    f"{n}-a",
                    phone(number),
                    given_name=formal,
                    family_name=family,
                    birth_date=born,
                    lives_at=home,
                ),
            ),
            (
                n,
                record(
                    "web",
                    f"{n}-b",
                    email(f"p{n}@example.com"),
                    given_name=nickname,
                    family_name=family,
                    birth_date=born,
                ),
            ),
            (
                n,
                record("pos", f"{n}-c", loyalty("acme", f"9000{n}000"), email(f"p{n}@example.com")),
            ),
            (
                n,
                record(
                    "app", f"{n}-d", phone(f"+1 {number}"), given_name=formal, family_name=family
                ),
            ),
        ]
    return out


RECORDS = _records()
EXPECTED = {
    frozenset((r.source, r.record_id) for person, r in RECORDS if person == n)
    for n in range(len(PEOPLE))
}


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(order=st.permutations(range(len(RECORDS))))
def test_any_arrival_order_gives_the_same_customers(
    server: ServerThread, database_url: str, order: list[int]
) -> None:
    truncate_all(database_url)
    with grpc.insecure_channel(server.target) as channel:
        identity = IdentityServiceStub(channel)
        for index in order:
            identity.Resolve(RECORDS[index][1])
        assert stored_clusters(channel) == EXPECTED
