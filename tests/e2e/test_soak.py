"""Soak: two `serve` processes on one database, many clients at once for a bounded time:
resolves (whose bridging records merge customers), steward splits and interactions.

Afterwards every invariant holds, every record sent is stored once, and no call failed for a
reason other than ABORTED / CONFLICT, the documented contention answer that a retry resolves
(each such call is retried here until it succeeds). A steward's split of a record that a
concurrent re-evaluation moved out of the customer after the steward read it is refused
(INVALID_ARGUMENT on records[0]) and counted apart, as the steward reads again.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from functools import partial
from typing import TypeVar

import grpc
import psycopg
import pytest

from singleview.store.invariants import check_invariants
from singleview.v1 import common_pb2, profile_service_pb2, steward_service_pb2
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from singleview.v1.steward_service_pb2_grpc import StewardServiceStub
from singleview.v1.timeline_service_pb2_grpc import TimelineServiceStub
from tests.support import timeline_builders as tl
from tests.support.clusters import overlapping_records
from tests.support.database import create_database
from tests.support.process import ServeProcess
from tests.support.status import RichError, rich_error

pytestmark = pytest.mark.slow

SOAK_SECONDS = 10.0
RESOLVERS_PER_SERVER = 3
T = TypeVar("T")


class Soak:
    """Shared state of the client threads: work to take, customers seen, failures counted."""

    def __init__(self, targets: list[str]) -> None:
        self.targets = targets
        self.requests, _ = overlapping_records(seed=5, people=150, records=20000)
        self._next = itertools.count()
        self.lock = threading.Lock()
        self.customers: list[str] = []
        self.resolved: set[str] = set()
        self.conflicts: Counter[str] = Counter()
        self.outdated: Counter[str] = Counter()
        self.failures: list[str] = []
        self.done: Counter[str] = Counter()
        self.until = time.monotonic() + SOAK_SECONDS

    def running(self) -> bool:
        return time.monotonic() < self.until and not self.failures

    def retried(
        self,
        method: str,
        call: Callable[[], T],
        outdated: Callable[[RichError], bool] = lambda _: False,
    ) -> T | None:
        """The call, retried after each ABORTED/CONFLICT; any other failure is recorded unless
        `outdated` explains it by a change since the caller read what it asked for."""
        for _ in range(20):
            try:
                answer = call()
            except grpc.RpcError as error:
                found = rich_error(error)
                if (found.code, found.reason) == (grpc.StatusCode.ABORTED, "CONFLICT"):
                    with self.lock:
                        self.conflicts[method] += 1
                    time.sleep(random.uniform(0.005, 0.05))
                    continue
                if outdated(found):
                    with self.lock:
                        self.outdated[method] += 1
                    return None
                with self.lock:
                    self.failures.append(f"{method}: {found.code.name} {found.reason}")
                return None
            with self.lock:
                self.done[method] += 1
            return answer
        with self.lock:
            self.failures.append(f"{method}: still conflicting after 20 attempts")
        return None

    def resolver(self, target: str) -> None:
        with grpc.insecure_channel(target) as channel:
            identity = IdentityServiceStub(channel)
            while self.running():
                index = next(self._next)
                if index >= len(self.requests):
                    return
                request = self.requests[index]
                answer = self.retried("Resolve", partial(identity.Resolve, request, timeout=30))
                if answer is not None:
                    with self.lock:
                        self.done["merges"] += answer.decision == common_pb2.DECISION_MERGED
                        self.customers.append(answer.customer.name)
                        self.resolved.add(f"{request.source}/{request.record_id}")

    def contacts(self, target: str, lane: int) -> None:
        with grpc.insecure_channel(target) as channel:
            timeline = TimelineServiceStub(channel)
            for n in itertools.count():
                if not self.running():
                    return
                contact = random.choice(self.requests[:2000]).identifiers[0]
                request = tl.record(
                    "ivr",
                    f"call-{lane}-{n}",
                    tl.interaction(common_pb2.CHANNEL_VOICE, minutes_ago=1),
                    contact,
                )
                self.retried(
                    "RecordInteraction", partial(timeline.RecordInteraction, request, timeout=30)
                )

    def steward(self) -> None:
        """Splits one record off a customer of several, now on one server, now on the other."""
        for n in itertools.count():
            if not self.running():
                return
            time.sleep(0.1)
            with self.lock:
                name = random.choice(self.customers) if self.customers else ""
            if not name:
                continue
            with grpc.insecure_channel(self.targets[n % len(self.targets)]) as channel:
                # every name a Resolve answered stays readable, merged or not
                customer = self.retried(
                    "GetCustomer",
                    partial(
                        ProfileServiceStub(channel).GetCustomer,
                        profile_service_pb2.GetCustomerRequest(name=name),
                        timeout=30,
                    ),
                )
                if customer is None or len(customer.records) < 3:
                    continue
                request = steward_service_pb2.SplitCustomerRequest(
                    name=customer.name,
                    records=[customer.records[-1]],
                    reason="soak: not the same person",
                    request_id=f"soak-split-{n}",
                )
                stewards = StewardServiceStub(channel)
                self.retried(
                    "SplitCustomer",
                    partial(stewards.SplitCustomer, request, timeout=30),
                    partial(_record_moved, ProfileServiceStub(channel), request),
                )


def _record_moved(
    profiles: ProfileServiceStub,
    request: steward_service_pb2.SplitCustomerRequest,
    error: RichError,
) -> bool:
    """A split refused because the record left the customer after the steward read it (a
    concurrent resolve re-evaluated the customer): the steward reads again, nothing is wrong."""
    if error.code != grpc.StatusCode.INVALID_ARGUMENT or set(error.violations) != {"records[0]"}:
        return False
    now = profiles.GetCustomer(profile_service_pb2.GetCustomerRequest(name=request.name))
    return request.records[0] not in now.records


@pytest.fixture
def two_servers(pg_server: str) -> Iterator[tuple[str, list[ServeProcess]]]:
    database = create_database(pg_server)
    servers = [ServeProcess(env={"SINGLEVIEW_DATABASE_URL": database}) for _ in range(2)]
    try:
        for server in servers:
            server.wait_serving()
        yield database, servers
    finally:
        for server in servers:
            server.terminate()


def test_resolves_merges_splits_and_interactions_at_once_keep_the_store_consistent(
    two_servers: tuple[str, list[ServeProcess]],
) -> None:
    database, servers = two_servers
    soak = Soak([server.target for server in servers])
    threads = [
        threading.Thread(target=soak.resolver, args=(server.target,))
        for server in servers
        for _ in range(RESOLVERS_PER_SERVER)
    ]
    threads += [
        threading.Thread(target=soak.contacts, args=(server.target, lane))
        for lane, server in enumerate(servers)
    ]
    threads.append(threading.Thread(target=soak.steward))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert soak.failures == []
    assert soak.done["Resolve"] > 100 and soak.done["merges"] > 0, soak.done
    assert soak.done["SplitCustomer"] > 0, soak.done
    assert soak.done["RecordInteraction"] > 0, soak.done
    with psycopg.connect(database, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM source_record WHERE source IN ('crm', 'pos', 'web')"
        ).fetchone()
    assert row is not None and row[0] == len(soak.resolved)
    assert check_invariants(database) == []
