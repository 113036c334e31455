"""Ground truth for deterministic linking: records sharing an identifier are one customer."""

from __future__ import annotations

import random
from collections.abc import Iterable

import grpc

from singleview.v1 import common_pb2, identity_service_pb2, profile_service_pb2
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from tests.support.builders import email, loyalty, phone

Cluster = frozenset[tuple[str, str]]

_PHONE_FORMATS = ("({a}) {b}-{c}", "+1 {a}.{b}.{c}", "1 {a} {b} {c}", "+1-{a}-{b}-{c}", "{a}{b}{c}")


def _phone_spelling(rng: random.Random, number: int) -> tuple[str, str]:
    """A raw spelling of a valid US number and its E.164 form."""
    a, b, c = "312", f"{200 + number // 10000:03d}", f"{number % 10000:04d}"
    return rng.choice(_PHONE_FORMATS).format(a=a, b=b, c=c), f"+1{a}{b}{c}"


def overlapping_records(
    seed: int, people: int, records: int
) -> tuple[list[identity_service_pb2.ResolveRequest], list[list[str]]]:
    """Records whose identifiers overlap, and each record's normalized identifier keys.

    Runs of eight consecutive records are about one person, so streams that take every n-th
    record send that person's first records all at once: the races a resolve must survive.
    """
    rng = random.Random(seed)
    requests = []
    keys = []
    for n in range(records):
        person = (n // 8) % people
        # Now and then a record carries a second person's phone: a bridge between clusters.
        other = rng.randrange(people) if rng.random() < 0.02 else person
        choices: list[tuple[common_pb2.Identifier, str]] = []
        spelling, e164 = _phone_spelling(rng, person)
        choices.append((phone(spelling), f"phone:{e164}"))
        mailbox = f"person{person}"
        shown = rng.choice([mailbox, mailbox.upper(), f"{mailbox}+n{n}"])
        choices.append((email(f"{shown}@gmail.com"), f"email:{mailbox}@gmail.com"))
        card = f"{person:08d}"
        choices.append((loyalty("acme", f"{card[:4]} {card[4:]}"), f"loyalty:{card}"))
        picked = rng.sample(choices, rng.randint(1, 2))
        if other != person:
            spelling, e164 = _phone_spelling(rng, other)
            picked.append((phone(spelling), f"phone:{e164}"))
        requests.append(
            identity_service_pb2.ResolveRequest(
                source=rng.choice(["crm", "pos", "web"]),
                record_id=f"rec-{n}",
                identifiers=[identifier for identifier, _ in picked],
            )
        )
        keys.append([key for _, key in picked])
    return requests, keys


def expected_clusters(
    requests: list[identity_service_pb2.ResolveRequest], keys: list[list[str]]
) -> set[Cluster]:
    """Connected components of records over shared identifiers (union-find)."""
    parent = list(range(len(requests)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for index, record_keys in enumerate(keys):
        for key in record_keys:
            if key in owner:
                parent[find(index)] = find(owner[key])
            else:
                owner[key] = index
    groups: dict[int, set[tuple[str, str]]] = {}
    for index, request in enumerate(requests):
        groups.setdefault(find(index), set()).add((request.source, request.record_id))
    return {frozenset(group) for group in groups.values()}


def stored_clusters(channel: grpc.Channel) -> set[Cluster]:
    profiles = ProfileServiceStub(channel)
    clusters: set[Cluster] = set()
    token = ""
    while True:
        page = profiles.ListCustomers(
            profile_service_pb2.ListCustomersRequest(page_size=500, page_token=token)
        )
        clusters.update(_cluster(c.records) for c in page.customers)
        token = page.next_page_token
        if not token:
            return clusters


def _cluster(refs: Iterable[common_pb2.SourceRecordRef]) -> Cluster:
    return frozenset((r.source, r.record_id) for r in refs)
