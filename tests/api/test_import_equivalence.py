"""ImportRecords resolves in batches, and ends exactly where resolving one by one ends.

Synthetic records with fuzzy matches (nicknames, typos, swapped dates), shared identifiers
(households, walk-ins on a store phone) and placeholders, plus repeats (UNCHANGED), older
versions (STALE), newer versions (UPDATED), records bridging two customers (MERGED) followed
by records reaching the merged customers, and a bad request, go once through sequential Resolve
calls and once through one ImportRecords stream on an empty store: the clusters with their
golden records, every record's decision and outcome, and the review tasks between clusters
must be the same.
"""

from __future__ import annotations

import logging

import grpc
import pytest

from bench.synthetic import generate
from singleview.config import Settings
from singleview.v1 import common_pb2, profile_service_pb2, steward_service_pb2
from singleview.v1 import identity_service_pb2 as pb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from singleview.v1.steward_service_pb2_grpc import StewardServiceStub
from tests.support.clusters import Cluster
from tests.support.database import truncate_all
from tests.support.server import ServerThread

Outcome = tuple[int, int, str]
"""Per request: decision, outcome, and the error reason ("" when it was imported)."""


def _requests() -> list[pb.ResolveRequest]:
    records = [r.request for r in generate(people=90, seed=11).records]
    updated = []
    for n, original in enumerate(records[:40:4]):
        newer = pb.ResolveRequest()
        newer.CopyFrom(original)
        newer.attributes.family_name = f"{original.attributes.family_name}-Lee"
        newer.observed_at.FromSeconds(1_900_000_000 + n)  # after every generated record
        older = pb.ResolveRequest()
        older.CopyFrom(original)
        older.attributes.given_name = "Zed"
        older.observed_at.FromSeconds(1_000_000_000)  # before every generated record
        updated += [newer, older]
    with_ids = [r for r in records if r.identifiers and r.attributes.birth_date]
    bridges = []
    for n in range(0, 40, 2):  # one identifier each of two records: their customers merge
        left, right = with_ids[n], with_ids[n + 41]
        bridge = pb.ResolveRequest(source="bridge", record_id=f"b{n}")
        bridge.identifiers.extend([left.identifiers[0], right.identifiers[0]])
        later = pb.ResolveRequest()  # then one reaching the merged customer by attributes only
        later.CopyFrom(right)
        later.source, later.record_id = "late", f"l{n}"
        later.ClearField("identifiers")
        later.attributes.ClearField("address")
        bridges += [bridge, later]
    bad = pb.ResolveRequest(source="crm", record_id="bad")
    bad.identifiers.add(kind=common_pb2.IDENTIFIER_KIND_EMAIL, value="not an email")
    return [*records, *records[:25], *updated, *bridges, bad]


REQUESTS = _requests()


def _outcome(decision: int, outcome: int, error: str) -> Outcome:
    return (decision, outcome, error)


State = tuple[dict[Cluster, bytes], set[frozenset[Cluster]]]


def _store_state(channel: grpc.Channel) -> State:
    """Each cluster with its golden record and its sources, and the open review tasks as pairs
    of clusters."""
    profiles = ProfileServiceStub(channel)
    by_name: dict[str, Cluster] = {}
    golden: dict[Cluster, bytes] = {}
    token = ""
    while True:
        page = profiles.ListCustomers(
            profile_service_pb2.ListCustomersRequest(page_size=500, page_token=token)
        )
        for customer in page.customers:
            cluster = frozenset((r.source, r.record_id) for r in customer.records)
            by_name[customer.name] = cluster
            shown = common_pb2.Customer(golden=customer.golden)
            for attribute, ref in customer.golden_sources.items():
                shown.golden_sources[attribute].CopyFrom(ref)
            golden[cluster] = shown.SerializeToString(deterministic=True)
        token = page.next_page_token
        if not token:
            break
    tasks: set[frozenset[Cluster]] = set()
    token = ""
    while True:
        listed = StewardServiceStub(channel).ListReviewTasks(
            steward_service_pb2.ListReviewTasksRequest(
                page_size=500,
                page_token=token,
                state=steward_service_pb2.REVIEW_TASK_STATE_OPEN,
            )
        )
        tasks |= {frozenset(by_name[c] for c in t.customers) for t in listed.review_tasks}
        token = listed.next_page_token
        if not token:
            break
    return golden, tasks


def _one_by_one(
    channel: grpc.Channel, requests: list[pb.ResolveRequest] = REQUESTS
) -> list[Outcome]:
    identity = IdentityServiceStub(channel)
    answers = []
    for request in requests:
        try:
            response = identity.Resolve(request)
        except grpc.RpcError as error:
            answers.append(_outcome(0, 0, error.code().name))
        else:
            answers.append(_outcome(response.decision, response.outcome, ""))
    return answers


def _imported(channel: grpc.Channel, requests: list[pb.ResolveRequest] = REQUESTS) -> list[Outcome]:
    results = list(IdentityServiceStub(channel).ImportRecords(iter(requests)))
    assert [r.index for r in results] == list(range(len(requests)))
    return [_outcome(r.decision, r.outcome, r.error.code) for r in results]


def test_an_import_ends_in_the_clusters_golden_records_and_reviews_of_one_by_one_resolves(
    server: ServerThread, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    truncate_all(database_url)
    with grpc.insecure_channel(server.target) as channel:
        serial = _one_by_one(channel)
        serial_state = _store_state(channel)
    truncate_all(database_url)
    with grpc.insecure_channel(server.target) as channel:
        with caplog.at_level(logging.WARNING, logger="singleview.service.bulk_import"):
            imported = _imported(channel)
        imported_state = _store_state(channel)

    assert not caplog.records  # every batch was resolved together, none fell back one by one
    assert imported == serial
    assert imported_state == serial_state
    golden, reviews = serial_state
    clusters = set(golden)
    decisions = {decision for decision, _, _ in serial}
    outcomes = {outcome for _, outcome, _ in serial}
    assert len(clusters) < len(REQUESTS) - 100  # fuzzy and identifier links happened
    assert reviews  # and uncertain pairs went to review
    assert {
        common_pb2.DECISION_LINKED,
        common_pb2.DECISION_NEW,
        common_pb2.DECISION_MERGED,
        common_pb2.DECISION_REVIEW,
    } <= decisions
    assert {
        pb.RECORD_OUTCOME_CREATED,
        pb.RECORD_OUTCOME_UNCHANGED,
        pb.RECORD_OUTCOME_STALE,
        pb.RECORD_OUTCOME_UPDATED,
    } <= outcomes
    assert serial[-1][2] == "INVALID_ARGUMENT"


def _namesakes() -> list[pb.ResolveRequest]:
    """Many people of one family name, born in one year, around a few postal codes: their
    blocking keys hold more records than a resolve reads, and each record has more candidate
    customers than a resolve judges. Some records come back later in a newer version."""
    given = ["Ann", "Amy", "Ava", "Ben", "Bea", "Cal", "Cat", "Dan", "Dee", "Eve"]
    given += ["Eli", "Fay", "Gus", "Gil", "Hal", "Ivy", "Jay", "Joy", "Kim", "Lou"]
    requests = []
    for n in range(150):
        request = pb.ResolveRequest(source="crm", record_id=f"lee-{n}")
        request.attributes.given_name = given[n % len(given)]
        request.attributes.family_name = "Lee" if n % 5 else "Leigh"
        request.attributes.birth_date = f"1990-{1 + n % 12:02d}-{1 + n % 28:02d}"
        request.attributes.address.postal_code = f"6060{n % 4}"
        request.attributes.address.country = "US"
        if n % 2 == 0:  # one local part, many mailboxes: one more crowded key
            request.identifiers.add(
                kind=common_pb2.IDENTIFIER_KIND_EMAIL, value=f"leefamily@mail{n}.org"
            )
        if n % 9 == 0:
            request.identifiers.add(
                kind=common_pb2.IDENTIFIER_KIND_PHONE, value=f"+1 312 555 {n % 4:04d}"
            )
        request.observed_at.FromSeconds(1_700_000_000 + n)
        requests.append(request)
    newer = []
    for n, original in enumerate(requests[:60:6]):
        update = pb.ResolveRequest()
        update.CopyFrom(original)
        update.attributes.address.postal_code = "60699"
        update.observed_at.FromSeconds(1_800_000_000 + n)
        newer.append(update)
    return [*requests[:100], *newer, *requests[100:], *requests[:10]]


NAMESAKES = _namesakes()


def test_an_import_of_many_namesakes_in_small_batches_ends_as_one_by_one_resolves(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Small batches: the records a batch reads ahead were decoded by earlier batches (some
    since replaced by a newer version); more candidates than a resolve judges."""
    truncate_all(database_url)
    server = ServerThread(database_url, Settings(import_batch=7)).start()
    try:
        with grpc.insecure_channel(server.target) as channel:
            serial = _one_by_one(channel, NAMESAKES)
            serial_state = _store_state(channel)
        truncate_all(database_url)
        with grpc.insecure_channel(server.target) as channel:
            with caplog.at_level(logging.WARNING, logger="singleview.service.bulk_import"):
                imported = _imported(channel, NAMESAKES[:120])
                imported += _imported(channel, NAMESAKES[120:])
            imported_state = _store_state(channel)
            again = _imported(channel, NAMESAKES)  # a retried import changes nothing
            again_state = _store_state(channel)
    finally:
        server.stop()
    assert not caplog.records
    assert imported == serial
    assert imported_state == serial_state
    assert len(serial_state[0]) > 40
    assert again_state == imported_state
    assert {o for _, o, _ in again} == {pb.RECORD_OUTCOME_UNCHANGED, pb.RECORD_OUTCOME_STALE}
    assert {pb.RECORD_OUTCOME_UPDATED, pb.RECORD_OUTCOME_UNCHANGED} <= {o for _, o, _ in serial}
