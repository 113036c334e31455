"""Accuracy of the matching engine: synthetic records with known truth, pairwise scores.

    .venv/bin/python -m bench.accuracy [--people 2000] [--seed 1] [--target HOST:PORT]
    .venv/bin/python -m bench.accuracy --seeds 1,2,3,4,5,6    # each seed, pooled and worst
    .venv/bin/python -m bench.accuracy --generator holdout --seeds 1,2,3 --dump-errors 10

Generates `bench.synthetic` records (or `bench.holdout`'s, written independently of the engine
and of `bench.synthetic`, with --generator holdout), loads them in a seeded shuffled order through
IdentityService/ImportRecords over a few concurrent streams, reads every customer back through
ProfileService/ListCustomers, and scores the clustering against the ground truth over record
pairs: a pair is predicted-positive when both records are in one customer and truly positive
when both are about one person. It also counts the person pairs merged by mistake, in particular
the household members and twins that must never be merged, and breaks the errors down by the
hard case the records carry. --dump-errors N prints the records of the N customers holding the
most wrongly paired records and of the N people split the most, to see what went wrong.
Without --target it starts a private PostgreSQL (or creates a fresh database on
SINGLEVIEW_DATABASE_URL's server) and one `singleview serve`, as bench/load.py does.

Import errors mean the generator wrote something the service rejects: they are printed, and the
exit status is 1 when there are any.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import grpc

from bench import holdout, synthetic
from bench.synthetic import SyntheticData, SyntheticRecord
from singleview.store.embedded import EmbeddedPostgres
from singleview.v1 import common_pb2, identity_service_pb2, profile_service_pb2
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from tests.support.database import create_database
from tests.support.process import ServeProcess

if TYPE_CHECKING:
    from singleview.v1.identity_service_pb2_grpc import IdentityServiceAsyncStub
    from singleview.v1.profile_service_pb2_grpc import ProfileServiceAsyncStub

T = TypeVar("T")

TARGET_PRECISION = 0.995
TARGET_RECALL = 0.97
UNTAGGED = "(untagged)"
GENERATORS: dict[str, Callable[[int, int], SyntheticData]] = {
    "synthetic": synthetic.generate,
    "holdout": holdout.generate,
}


# --- metrics: pure functions over clusters of records, each record given by its true person ---


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


@dataclass(frozen=True)
class PairCounts:
    """Pairwise confusion counts over record pairs; true negatives are not needed."""

    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def score(clusters: Sequence[Sequence[int]]) -> PairCounts:
    """Pairwise counts of a clustering; each cluster lists the true person of each of its records.

    Counted through the contingency table of (cluster, person) cells, so it is O(records) rather
    than O(records^2): a pair is a true positive when it falls in one cell, predicted when it
    falls in one cluster, actual when it falls in one person's records.
    """
    per_person: Counter[int] = Counter()
    predicted = true_positives = 0
    for cluster in clusters:
        cells = Counter(cluster)
        per_person.update(cells)
        predicted += _pairs(len(cluster))
        true_positives += sum(_pairs(n) for n in cells.values())
    actual = sum(_pairs(n) for n in per_person.values())
    return PairCounts(true_positives, predicted - true_positives, actual - true_positives)


def merged_person_pairs(clusters: Sequence[Sequence[int]]) -> int:
    """Distinct pairs of different people that share at least one cluster.

    Summing C(people, 2) per cluster counts a pair twice when both people are split over the
    same two clusters; only people found in several clusters can form such a pair, so only
    their pairs are enumerated to correct the sum.
    """
    people_per_cluster = [set(cluster) for cluster in clusters]
    clusters_of: Counter[int] = Counter(p for people in people_per_cluster for p in people)
    total = sum(_pairs(len(people)) for people in people_per_cluster)
    repeats: Counter[tuple[int, int]] = Counter()
    for people in people_per_cluster:
        split = sorted(p for p in people if clusters_of[p] > 1)
        repeats.update((a, b) for i, a in enumerate(split) for b in split[i + 1 :])
    return total - sum(n - 1 for n in repeats.values())


def merged_never_pairs(
    clusters: Sequence[Sequence[int]], never_merge: Iterable[frozenset[int]]
) -> set[frozenset[int]]:
    """The pairs of `never_merge` whose two people share at least one cluster."""
    clusters_of: defaultdict[int, set[int]] = defaultdict(set)
    for index, cluster in enumerate(clusters):
        for person in cluster:
            clusters_of[person].add(index)
    merged = set()
    for pair in never_merge:
        a, b = sorted(pair)
        if clusters_of[a] & clusters_of[b]:
            merged.add(pair)
    return merged


def by_tag(
    clusters: Sequence[Sequence[int]], persons: Sequence[int], tags: Sequence[frozenset[str]]
) -> dict[str, PairCounts]:
    """Pair counts for the pairs touching a record with each tag, and for untagged pairs.

    `clusters` hold record indexes into `persons` and `tags`. The pairs touching a tag are all
    pairs minus the pairs among the records without it, so every count stays O(records); a pair
    whose records carry several tags counts under each of them.
    """

    def restricted(keep: Sequence[bool]) -> PairCounts:
        return score([[persons[r] for r in cluster if keep[r]] for cluster in clusters])

    everything = restricted([True] * len(persons))
    result = {UNTAGGED: restricted([not t for t in tags])}
    for tag in sorted(set().union(*tags)):
        rest = restricted([tag not in t for t in tags])
        result[tag] = PairCounts(
            everything.true_positives - rest.true_positives,
            everything.false_positives - rest.false_positives,
            everything.false_negatives - rest.false_negatives,
        )
    return result


# --- driving the service ---


@dataclass
class ImportOutcome:
    """What the import streams answered: decisions of accepted records, and every error."""

    decisions: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[int, identity_service_pb2.ImportError]] = field(default_factory=list)
    """(record index, error), for records the service refused."""
    seconds: float = 0.0


async def import_records(
    identity: IdentityServiceAsyncStub, data: SyntheticData, order: Sequence[int], streams: int
) -> ImportOutcome:
    """Send the records in `order`, dealt round-robin over `streams` concurrent ImportRecords
    calls, so that records of one person often race each other as they do in production."""
    outcome = ImportOutcome()

    async def requests(
        indexes: Sequence[int],
    ) -> AsyncIterator[identity_service_pb2.ResolveRequest]:
        for index in indexes:
            yield data.records[index].request

    async def stream(indexes: Sequence[int]) -> None:
        async for result in identity.ImportRecords(requests(indexes)):
            if result.HasField("error"):
                outcome.errors.append((indexes[result.index], result.error))
            else:
                outcome.decisions[common_pb2.Decision.Name(result.decision)] += 1

    start = time.perf_counter()
    await asyncio.gather(*(stream(order[k::streams]) for k in range(streams)))
    outcome.seconds = time.perf_counter() - start
    return outcome


@dataclass
class ReadBack:
    """Every customer as the record indexes it holds, and what did not add up."""

    clusters: list[list[int]]
    customers: int = 0
    foreign: int = 0
    """Records in the store that this run did not send (a --target with older data)."""
    repeated: int = 0
    """Records listed under more than one customer: should never happen."""
    missing: int = 0
    """Accepted records no customer lists: scored as customers of their own."""


async def read_customers(
    profiles: ProfileServiceAsyncStub, data: SyntheticData, accepted: set[int]
) -> ReadBack:
    """Page through ListCustomers and map each customer's records back to generated records."""
    index_of = {(r.request.source, r.request.record_id): i for i, r in enumerate(data.records)}
    back = ReadBack(clusters=[])
    seen: set[int] = set()
    token = ""
    while True:
        page = await profiles.ListCustomers(
            profile_service_pb2.ListCustomersRequest(page_size=500, page_token=token)
        )
        for customer in page.customers:
            refs = [index_of.get((ref.source, ref.record_id)) for ref in customer.records]
            cluster = [i for i in refs if i is not None]
            back.foreign += len(refs) - len(cluster)
            back.repeated += len(seen.intersection(cluster))
            seen.update(cluster)
            back.customers += bool(cluster)
            if cluster:
                back.clusters.append(cluster)
        token = page.next_page_token
        if not token:
            break
    lost = sorted(accepted - seen)
    back.missing = len(lost)
    back.clusters += [[i] for i in lost]
    return back


async def evaluate(
    target: str, data: SyntheticData, order: Sequence[int], streams: int
) -> tuple[ImportOutcome, ReadBack]:
    async with grpc.aio.insecure_channel(target) as channel:
        outcome = await import_records(IdentityServiceStub(channel), data, order, streams)
        refused = {index for index, _ in outcome.errors}
        accepted = set(range(len(data.records))) - refused
        return outcome, await read_customers(ProfileServiceStub(channel), data, accepted)


# --- report ---


@dataclass(frozen=True)
class Figures:
    """Everything the report prints, computed from the ground truth and what was read back."""

    pairs: PairCounts
    wrong_person_pairs: int
    never_merged: set[frozenset[int]]
    tags: dict[str, PairCounts]
    mixed_customers: int
    largest_customer: tuple[int, int]
    """(records, people) of the customer with the most people."""


def figures(data: SyntheticData, back: ReadBack) -> Figures:
    persons = [record.person for record in data.records]
    clusters = [[persons[i] for i in cluster] for cluster in back.clusters]
    people_counts = [(len(set(c)), len(c)) for c in clusters] or [(0, 0)]
    people, records = max(people_counts)
    return Figures(
        pairs=score(clusters),
        wrong_person_pairs=merged_person_pairs(clusters),
        never_merged=merged_never_pairs(clusters, data.never_merge),
        tags=by_tag(back.clusters, persons, [record.tags for record in data.records]),
        mixed_customers=sum(1 for n, _ in people_counts if n > 1),
        largest_customer=(records, people),
    )


def _case_mix(data: SyntheticData) -> list[str]:
    people = len({record.person for record in data.records})
    in_households = sum(len(members) for members in data.households)
    sources = Counter(record.request.source for record in data.records)
    return [
        f"records {len(data.records)}, people {people}, in {len(data.households)} households: "
        f"{in_households}, "
        f"twin pairs {len(data.twins)}, never_merge pairs {len(data.never_merge)}",
        "records by source: " + ", ".join(f"{s} {n}" for s, n in sorted(sources.items())),
    ]


def _import_lines(outcome: ImportOutcome, data: SyntheticData, back: ReadBack) -> list[str]:
    total = len(data.records)
    decisions = ", ".join(
        f"{d.removeprefix('DECISION_')} {n}" for d, n in outcome.decisions.items()
    )
    lines = [
        f"import: {total - len(outcome.errors)} accepted, {len(outcome.errors)} errors in "
        f"{outcome.seconds:.1f} s ({total / max(outcome.seconds, 1e-9):.0f} records/s)",
        f"decisions: {decisions}",
    ]
    for index, error in outcome.errors[:10]:
        request = data.records[index].request
        details = "; ".join(f"{v.field}: {v.description}" for v in error.field_violations)
        lines.append(
            f"  error: record {index} ({request.source}/{request.record_id}) "
            f"{error.reason}: {error.message} {details}".rstrip()
        )
    if back.foreign or back.repeated or back.missing:
        lines.append(
            f"read back: {back.foreign} records not from this run, {back.repeated} listed twice, "
            f"{back.missing} accepted but in no customer"
        )
    return [*lines, f"customers: {back.customers}"]


def _verdict(met: bool) -> str:
    return "met" if met else "NOT MET"


def _score_lines(data: SyntheticData, f: Figures) -> list[str]:
    pairs = f.pairs
    twins = {frozenset(pair) for pair in data.twins}
    merged_twins = len(f.never_merged & twins)
    records, people = f.largest_customer
    return [
        f"customers with records of several people: {f.mixed_customers}; the largest holds "
        f"{records} records of {people} people",
        f"pairs: true positives {pairs.true_positives}, false positives {pairs.false_positives}, "
        f"false negatives {pairs.false_negatives}",
        f"precision {pairs.precision:.4f}  recall {pairs.recall:.4f}  F1 {pairs.f1:.4f}",
        f"wrongly merged person pairs: {f.wrong_person_pairs}",
        f"never_merge pairs merged: {len(f.never_merged)} of {len(data.never_merge)} "
        f"(twins {merged_twins} of {len(twins)}, other household members "
        f"{len(f.never_merged) - merged_twins})",
        "targets:",
        f"  precision >= {TARGET_PRECISION}: {pairs.precision:.4f} "
        f"{_verdict(pairs.precision >= TARGET_PRECISION)}",
        f"  recall >= {TARGET_RECALL}: {pairs.recall:.4f} "
        f"{_verdict(pairs.recall >= TARGET_RECALL)}",
        f"  never_merge pairs merged == 0: {len(f.never_merged)} {_verdict(not f.never_merged)}",
    ]


def _tag_lines(data: SyntheticData, f: Figures) -> list[str]:
    counts = Counter(tag for record in data.records for tag in record.tags)
    counts[UNTAGGED] = sum(1 for record in data.records if not record.tags)
    lines = [
        "errors by cause: pairs touching a record with the tag (a pair counts under every tag its",
        "two records carry; a wrong link may also run through a third record). Untagged: pairs of",
        "two untagged records.",
        f"  {'tag':<20}{'records':>9}{'FP pairs':>10}{'FN pairs':>10}",
    ]
    for tag, pairs in sorted(f.tags.items(), key=lambda item: item[0] == UNTAGGED):
        lines.append(
            f"  {tag:<20}{counts[tag]:>9}{pairs.false_positives:>10}{pairs.false_negatives:>10}"
        )
    return lines


def report(data: SyntheticData, outcome: ImportOutcome, back: ReadBack) -> str:
    f = figures(data, back)
    lines = _case_mix(data) + _import_lines(outcome, data, back)
    return "\n".join(lines + _score_lines(data, f) + _tag_lines(data, f))


# --- what went wrong: the records behind the worst errors ---


def describe(index: int, record: SyntheticRecord) -> str:
    """One record on one line: its person, source, name, birth date, identifiers and tags."""
    request = record.request
    a = request.attributes
    name = a.full_name or " / ".join(part for part in (a.given_name, a.family_name) if part)
    parts = [f"#{index} p{record.person} {request.source}", repr(name) if name else "(no name)"]
    if a.birth_date:
        parts.append(a.birth_date)
    if a.HasField("address"):
        address = a.address
        parts.append(", ".join([*address.lines, address.postal_code]))
    for identifier in request.identifiers:
        kind = common_pb2.IdentifierKind.Name(identifier.kind).removeprefix("IDENTIFIER_KIND_")
        namespace = f"{identifier.namespace}:" if identifier.namespace else ""
        parts.append(f"{kind.lower()}={namespace}{identifier.value.strip()}")
    if record.tags:
        parts.append("[" + ",".join(sorted(record.tags)) + "]")
    return "  ".join(parts)


def error_dump(data: SyntheticData, back: ReadBack, worst: int) -> list[str]:
    """The `worst` customers with the most wrongly paired records, each record listed, and the
    `worst` people whose records are split over the most pairs of customers."""
    persons = [record.person for record in data.records]
    never = {pair for pair in data.never_merge}
    mixed = []
    for cluster in back.clusters:
        cells = Counter(persons[i] for i in cluster)
        false_pairs = _pairs(len(cluster)) - sum(_pairs(n) for n in cells.values())
        if false_pairs:
            mixed.append((false_pairs, cluster))
    mixed.sort(key=lambda item: -item[0])
    lines = [f"worst wrongly merged customers ({len(mixed)} customers hold several people):"]
    for false_pairs, cluster in mixed[:worst]:
        people = sorted(set(persons[i] for i in cluster))
        forbidden = sum(
            frozenset((a, b)) in never for i, a in enumerate(people) for b in people[i + 1 :]
        )
        lines.append(
            f"- {len(cluster)} records of {len(people)} people, {false_pairs} false pairs, "
            f"{forbidden} never_merge pairs"
        )
        for i in sorted(cluster, key=lambda i: (persons[i], i)):
            lines.append("    " + describe(i, data.records[i]))
    cluster_of = {i: c for c, cluster in enumerate(back.clusters) for i in cluster}
    parts: defaultdict[int, defaultdict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for i, person in enumerate(persons):
        if i in cluster_of:
            parts[person][cluster_of[i]].append(i)
    split = []
    for person, pieces in parts.items():
        sizes = [len(p) for p in pieces.values()]
        missed = _pairs(sum(sizes)) - sum(_pairs(n) for n in sizes)
        if missed:
            split.append((missed, person, list(pieces.values())))
    split.sort(key=lambda item: (-item[0], item[1]))
    lines.append(f"worst split people ({len(split)} people are in several customers):")
    for missed, person, customers in split[:worst]:
        lines.append(f"- person {person}: {len(customers)} customers, {missed} missed pairs")
        for n, piece in enumerate(sorted(customers, key=len, reverse=True)):
            for i in piece:
                lines.append(f"    {chr(ord('A') + n % 26)} " + describe(i, data.records[i]))
    return lines


# --- entry point ---


def _on_private_server(run: Callable[[str], T]) -> T:
    """`run(target)` against a fresh database and one `singleview serve`, torn down after."""
    embedded = None
    data_dir = Path(tempfile.mkdtemp(prefix="singleview-accuracy-"))
    server_url = os.environ.get("SINGLEVIEW_DATABASE_URL")
    if not server_url:
        embedded = EmbeddedPostgres(data_dir)
        server_url = embedded.start()
    try:
        serve = ServeProcess(env={"SINGLEVIEW_DATABASE_URL": create_database(server_url)})
        serve.wait_serving()
        try:
            return run(serve.target)
        finally:
            serve.terminate()
    finally:
        if embedded is not None:
            embedded.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def measure(
    people: int,
    seed: int,
    streams: int,
    target: str | None,
    generate: Callable[[int, int], SyntheticData] = synthetic.generate,
) -> tuple[SyntheticData, ImportOutcome, ReadBack]:
    """One data set of `people`, loaded in its seed's shuffled order and read back."""
    data = generate(people, seed)
    order = list(range(len(data.records)))
    random.Random(seed).shuffle(order)

    def run(target: str) -> tuple[ImportOutcome, ReadBack]:
        return asyncio.run(evaluate(target, data, order, streams))

    outcome, back = run(target) if target else _on_private_server(run)
    return data, outcome, back


def seeds_summary(per_seed: Sequence[tuple[int, SyntheticData, Figures]]) -> list[str]:
    """One line per seed, then all seeds' pairs pooled and the worst seed: a change tuned on
    one seed must hold on the others, as on data nobody has seen."""
    lines = [f"  {'seed':>6}{'precision':>11}{'recall':>9}{'F1':>8}{'never merged':>14}"]
    for seed, data, f in per_seed:
        lines.append(
            f"  {seed:>6}{f.pairs.precision:>11.4f}{f.pairs.recall:>9.4f}{f.pairs.f1:>8.4f}"
            f"{len(f.never_merged):>7} of {len(data.never_merge)}"
        )
    pooled = PairCounts(
        sum(f.pairs.true_positives for _, _, f in per_seed),
        sum(f.pairs.false_positives for _, _, f in per_seed),
        sum(f.pairs.false_negatives for _, _, f in per_seed),
    )
    never = sum(len(f.never_merged) for _, _, f in per_seed)
    lines.append(
        f"  {'pooled':>6}{pooled.precision:>11.4f}{pooled.recall:>9.4f}{pooled.f1:>8.4f}"
        f"{never:>7} in all"
    )
    lines.append(
        f"  {'worst':>6}{min(f.pairs.precision for _, _, f in per_seed):>11.4f}"
        f"{min(f.pairs.recall for _, _, f in per_seed):>9.4f}"
        f"{min(f.pairs.f1 for _, _, f in per_seed):>8.4f}"
    )
    return lines


def _seeds(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--seeds", type=_seeds, help="several data sets, e.g. 1,2,3,4,5,6: a summary of each"
    )
    parser.add_argument("--streams", type=int, default=4, help="concurrent ImportRecords calls")
    parser.add_argument("--target", help="HOST:PORT of a running service to measure instead")
    parser.add_argument(
        "--generator", choices=sorted(GENERATORS), default="synthetic", help="whose data"
    )
    parser.add_argument(
        "--dump-errors",
        type=int,
        default=0,
        metavar="N",
        help="print the records of the N worst wrongly merged customers and split people",
    )
    parser.add_argument(
        "--save-clusters",
        type=Path,
        metavar="DIR",
        help="write DIR/GENERATOR-SEED.json: the customers read back, as record indexes",
    )
    args = parser.parse_args(argv)
    if args.seeds and args.target:
        parser.error("--seeds needs a fresh store per seed: not with --target")
    per_seed = []
    errors = 0
    for seed in args.seeds or [args.seed]:
        generate = GENERATORS[args.generator]
        data, outcome, back = measure(args.people, seed, args.streams, args.target, generate)
        print(
            f"accuracy: --generator {args.generator} --people {args.people} --seed {seed}, "
            f"{args.streams} streams"
        )
        print(report(data, outcome, back), flush=True)
        if args.dump_errors:
            print("\n".join(error_dump(data, back, args.dump_errors)), flush=True)
        if args.save_clusters:
            args.save_clusters.mkdir(parents=True, exist_ok=True)
            path = args.save_clusters / f"{args.generator}-{seed}.json"
            path.write_text(json.dumps(back.clusters))
        per_seed.append((seed, data, figures(data, back)))
        errors += len(outcome.errors)
    if len(per_seed) > 1:
        print(f"summary of {len(per_seed)} seeds:")
        print("\n".join(seeds_summary(per_seed)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
