"""Why the matching engine went wrong on the hold-out data, from the customers it made.

    .venv/bin/python -m bench.accuracy --generator holdout --seeds 1,2,3 --save-clusters DIR
    .venv/bin/python -m bench.holdout_errors --seeds 1,2,3 --clusters DIR [--examples 2]

Reads the customers `bench.accuracy --save-clusters` wrote (lists of record indexes) and the
generator's truth (`bench.holdout.generate_with_truth`: what each identifier truly is, who
lives with whom) and prints, pooled over the seeds:

- wrongly merged person pairs by how the two people are related and which true identifier
  their records share, and the merges that hold two different birth dates;
- recall on the record pairs a chain of the person's own identifiers joins, and on the rest
  (only attributes can join those);
- personal identifiers (held by one person) whose records ended in several customers, by the
  name variant among those records;
- records left out of their person's main customer although they carry one of its personal
  identifiers, by tag and by culture;
- nickname pairs linked and not linked;
- records with no personal identifier in common with their person, by the evidence they share;
- where nameless landline calls, shared-tablet sessions, walk-ins and the like end up.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.accuracy import describe
from bench.holdout import PersonTruth, Truth, ascii_fold, generate_with_truth
from bench.synthetic import SyntheticData, SyntheticRecord


@dataclass
class Run:
    """One seed's data, truth and customers, with the look-ups every section needs."""

    seed: int
    data: SyntheticData
    truth: Truth
    clusters: list[list[int]]
    cluster_of: dict[int, int] = field(default_factory=dict)
    persons: list[int] = field(default_factory=list)
    holders: defaultdict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    records_of: defaultdict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    main: dict[int, int] = field(default_factory=dict)
    """Each person's main customer: the one holding most of their records."""

    def __post_init__(self) -> None:
        self.cluster_of = {i: c for c, cluster in enumerate(self.clusters) for i in cluster}
        self.persons = [record.person for record in self.data.records]
        for i, keys in enumerate(self.truth.keys):
            for key in keys:
                self.holders[key].add(self.persons[i])
            if i in self.cluster_of:
                self.records_of[self.persons[i]].append(i)
        for person, records in self.records_of.items():
            counts = Counter(self.cluster_of[i] for i in records)
            self.main[person] = max(counts, key=lambda c: (counts[c], -c))

    def own(self, key: str) -> bool:
        """A personal identifier: one person holds it, and it is no store line or placeholder."""
        return len(self.holders[key]) == 1 and not key.startswith(("store:", "placeholder:"))

    def record(self, i: int) -> SyntheticRecord:
        return self.data.records[i]

    def shares_main_identifier(self, i: int) -> bool:
        """Whether record `i` carries a personal identifier another record of its person's main
        customer carries."""
        person = self.persons[i]
        main = self.main[person]
        others = {
            k for j in self.records_of[person] if j != i and self.cluster_of[j] == main
            for k in self.truth.keys[j]
        }  # fmt: skip
        return any(self.own(k) and k in others for k in self.truth.keys[i])


def load(seed: int, clusters: Path, people: int) -> Run:
    data, truth = generate_with_truth(people, seed)
    found = json.loads((clusters / f"holdout-{seed}.json").read_text())
    return Run(seed, data, truth, [list(map(int, c)) for c in found])


def _name_key(p: PersonTruth) -> tuple[str, str]:
    return ascii_fold(p.given).lower(), ascii_fold(p.family.split(" ")[0]).lower()


def relation(a: PersonTruth, b: PersonTruth) -> str:
    if a.home == b.home:
        if a.twin and b.twin:
            return "twins (similar names)" if a.similar_twin else "twins"
        if a.junior and b.junior and a.given == b.given:
            return "father and son of one name"
        if a.home_kind == "roommates":
            return "roommates"
        low, high = sorted((a.role, b.role))
        return {
            ("adult", "adult"): "spouses",
            ("adult", "child"): "parent and child",
            ("child", "child"): "siblings",
        }.get((low, high), "with a grandparent")
    if _name_key(a) == _name_key(b):
        return "namesakes born the same year" if a.birth.year == b.birth.year else "namesakes"
    return "unrelated"


def key_kind(truth: Truth, key: str) -> str:
    if key in truth.kinds:
        return truth.kinds[key]
    for prefix, kind in (
        ("store:", "store phone"),
        ("placeholder:", "placeholder"),
        ("card:", "loyalty card"),
        ("device:", "device id"),
        ("web:", "web account"),
        ("typo:", "mistyped mailbox"),
        ("+", "personal phone"),
    ):
        if key.startswith(prefix):
            return kind
    return "personal mailbox" if "@" in key else "social handle"


def _table(rows: Iterable[tuple[str, Sequence[object]]], header: Sequence[str]) -> list[str]:
    rows = list(rows)
    width = max([len(label) for label, _ in rows] + [len(header[0])]) + 2
    lines = [f"  {header[0]:<{width}}" + "".join(f"{h:>10}" for h in header[1:])]
    for label, values in rows:
        lines.append(f"  {label:<{width}}" + "".join(f"{v!s:>10}" for v in values))
    return lines


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def wrong_merges(runs: Sequence[Run], examples: int) -> list[str]:
    pairs: Counter[str] = Counter()
    false_pairs: Counter[str] = Counter()
    via: Counter[tuple[str, str]] = Counter()
    shown: Counter[tuple[str, str]] = Counter()
    two_dates: list[str] = []
    lines: list[str] = []
    altered = {"date-swap", "date-typo", "date-placeholder"}
    for run in runs:
        for cluster in run.clusters:
            by_person: defaultdict[int, list[int]] = defaultdict(list)
            for i in cluster:
                by_person[run.persons[i]].append(i)
            people = sorted(by_person)
            for n, a in enumerate(people):
                for b in people[n + 1 :]:
                    pa, pb = run.truth.persons[a], run.truth.persons[b]
                    label = relation(pa, pb)
                    pairs[label] += 1
                    false_pairs[label] += len(by_person[a]) * len(by_person[b])
                    keys_a = {k for i in by_person[a] for k in run.truth.keys[i]}
                    keys_b = {k for i in by_person[b] for k in run.truth.keys[i]}
                    kinds = sorted({key_kind(run.truth, k) for k in keys_a & keys_b})
                    link = ", ".join(kinds) or "attributes only"
                    via[(label, link)] += 1
                    dates = [
                        {
                            run.record(i).request.attributes.birth_date
                            for i in by_person[p]
                            if run.record(i).request.attributes.birth_date
                            and not run.record(i).tags & altered
                        }
                        for p in (a, b)
                    ]
                    if dates[0] and dates[1] and dates[0] != dates[1]:
                        two_dates.append(
                            f"  seed {run.seed} p{a} {pa.given} {pa.family} {sorted(dates[0])} "
                            f"+ p{b} {pb.given} {pb.family} {sorted(dates[1])} ({label}, {link})"
                        )
                    if shown[(label, link)] < examples:
                        shown[(label, link)] += 1
                        lines.append(f"- seed {run.seed}, {label} via {link}:")
                        lines += [
                            "    " + describe(i, run.record(i))
                            for i in sorted(by_person[a] + by_person[b])
                        ]
    total = sum(pairs.values())
    out = [f"wrongly merged person pairs: {total} (a pair in two customers counts twice)"]
    out += _table(
        ((label, (n, false_pairs[label])) for label, n in pairs.most_common()),
        ("how related", "pairs", "FP pairs"),
    )
    out.append("... and the true identifiers their records share:")
    out += _table(
        ((f"{label} via {link}", (n,)) for (label, link), n in via.most_common()),
        ("how related, linked via", "pairs"),
    )
    out.append(f"merges holding two different (correct) birth dates: {len(two_dates)}")
    return out + two_dates + lines


def _root(parent: list[int], x: int) -> int:
    """Union-find: the representative of `x`, compressing the path on the way."""
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def recall_split(runs: Sequence[Run]) -> list[str]:
    chained = chained_found = every = every_found = split_groups = groups = 0
    for run in runs:
        parent = list(range(len(run.persons)))
        first: dict[str, int] = {}
        for i, keys in enumerate(run.truth.keys):
            for key in keys:
                if run.own(key):
                    parent[_root(parent, i)] = _root(parent, first.setdefault(key, i))
        chains: defaultdict[int, list[int]] = defaultdict(list)
        for i in run.cluster_of:
            chains[_root(parent, i)].append(i)
        for members in chains.values():
            found = Counter(run.cluster_of[i] for i in members)
            chained += _pairs(len(members))
            chained_found += sum(_pairs(n) for n in found.values())
            groups += len(members) > 1
            split_groups += len(found) > 1
        for records in run.records_of.values():
            found = Counter(run.cluster_of[i] for i in records)
            every += _pairs(len(records))
            every_found += sum(_pairs(n) for n in found.values())
    rest, rest_found = every - chained, every_found - chained_found
    return [
        "recall by what joins a person's two records:",
        f"  a chain of their own identifiers: {chained_found}/{chained} = "
        f"{chained_found / max(chained, 1):.4f} ({split_groups} of {groups} such groups split)",
        f"  attributes only: {rest_found}/{rest} = {rest_found / max(rest, 1):.4f}",
        f"  all: {every_found}/{every} = {every_found / max(every, 1):.4f}",
    ]


_VARIANTS = (
    ("guest-name", "till guest name"),
    ("native-script", "Chinese characters"),
    ("adopted-name", "adopted name"),
    ("nickname", "nickname"),
    ("initial", "initial"),
    ("family-first", "family name first"),
    ("swapped-fields", "family name first"),
    ("translit", "transliteration"),
    ("typo", "typo"),
    ("given-only", "given name only"),
)


def split_identifiers(runs: Sequence[Run], examples: int) -> list[str]:
    identifiers: Counter[str] = Counter()
    records: Counter[str] = Counter()
    outside: Counter[str] = Counter()
    total = split = 0
    sample: defaultdict[str, list[str]] = defaultdict(list)
    for run in runs:
        carriers: defaultdict[str, list[int]] = defaultdict(list)
        for i in run.cluster_of:
            for key in run.truth.keys[i]:
                carriers[key].append(i)
        for key, found in carriers.items():
            if not run.own(key) or len(found) < 2:
                continue
            total += 1
            customers = Counter(run.cluster_of[i] for i in found)
            if len(customers) < 2:
                continue
            split += 1
            tags = set().union(*(run.record(i).tags for i in found))
            variant = next((v for t, v in _VARIANTS if t in tags), "none of these")
            identifiers[variant] += 1
            records[variant] += len(found)
            outside[variant] += len(found) - max(customers.values())
            if len(sample[variant]) < examples:
                sample[variant].append(f"seed {run.seed} p{run.persons[found[0]]} {key}")
    out = [
        f"personal identifiers on 2+ records: {total}; their records in several customers: "
        f"{split}; by the name variant among those records:"
    ]
    out += _table(
        ((v, (n, records[v], outside[v])) for v, n in identifiers.most_common()),
        ("variant", "ids", "records", "outside"),
    )
    if examples:
        out += [f"  {v}: e.g. " + "; ".join(sample[v]) for v, _ in identifiers.most_common()]
    return out


def stranded_by_tag(runs: Sequence[Run], examples: int) -> list[str]:
    with_id: Counter[str] = Counter()
    stranded: Counter[str] = Counter()
    culture_with: Counter[tuple[str, str]] = Counter()
    culture_stranded: Counter[tuple[str, str]] = Counter()
    lines: list[str] = []
    shown: Counter[str] = Counter()
    total = total_stranded = 0
    for run in runs:
        for i in run.cluster_of:
            if not run.shares_main_identifier(i):
                continue
            record = run.record(i)
            culture = run.truth.persons[record.person].culture
            left_out = run.cluster_of[i] != run.main[record.person]
            total += 1
            total_stranded += left_out
            for tag in record.tags or {"(untagged)"}:
                with_id[tag] += 1
                stranded[tag] += left_out
                culture_with[(tag, culture)] += 1
                culture_stranded[(tag, culture)] += left_out
                if left_out and tag in _FOCUS and shown[tag] < examples:
                    shown[tag] += 1
                    lines.append(f"- {tag}, seed {run.seed}: " + describe(i, record))
    lines.insert(0, "examples:")
    out = [
        f"records carrying a personal identifier of their person's main customer: {total}; "
        f"left out of it: {total_stranded}; by tag (tags on 10 or more such records):"
    ]
    rows = sorted((t for t in with_id if with_id[t] >= 10), key=lambda t: -stranded[t] / with_id[t])
    out += _table(
        ((t, (with_id[t], stranded[t], f"{stranded[t] / with_id[t]:.3f}")) for t in rows),
        ("tag", "records", "left out", "share"),
    )
    out.append("by culture (left out / records):")
    for tag in _FOCUS:
        cultures = sorted(c for t, c in culture_with if t == tag)
        out.append(
            f"  {tag}: "
            + ", ".join(
                f"{c} {culture_stranded[(tag, c)]}/{culture_with[(tag, c)]}" for c in cultures
            )
        )
    return out + (lines if examples else [])


_FOCUS = (
    "nickname",
    "adopted-name",
    "guest-name",
    "family-first",
    "initial",
    "hyphen-space",
    "diacritics",
)


def _full_given(record: SyntheticRecord) -> bool:
    a = record.request.attributes
    named = bool(a.given_name or a.full_name)
    forms = {"nickname", "adopted-name", "initial", "guest-name", "given-only", "display-name"}
    return named and not record.tags & forms


def nickname_pairs(runs: Sequence[Run]) -> list[str]:
    """For each nickname record of a person who also has full-name records: is it in a customer
    with one of them, when it shares a personal identifier with one and when not."""
    counts: defaultdict[tuple[str, str, str], Counter[tuple[bool, bool]]] = defaultdict(Counter)
    for run in runs:
        for i in run.cluster_of:
            record = run.record(i)
            if "nickname" not in record.tags or "display-name" in record.tags:
                continue
            p = run.truth.persons[record.person]
            full = [j for j in run.records_of[record.person] if j != i]
            full = [j for j in full if _full_given(run.record(j))]
            if not full:
                continue
            keys = {k for j in full for k in run.truth.keys[j]}
            shared = any(run.own(k) and k in keys for k in run.truth.keys[i])
            together = any(run.cluster_of[j] == run.cluster_of[i] for j in full)
            counts[(ascii_fold(p.given), p.nickname, p.culture)][(shared, together)] += 1
    by_culture: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    never: list[str] = []
    for (given, nickname, culture), c in sorted(counts.items()):
        row = by_culture[culture]
        linked_id, with_id = c[(True, True)], c[(True, True)] + c[(True, False)]
        linked, without = c[(False, True)], c[(False, True)] + c[(False, False)]
        row[0] += linked_id
        row[1] += with_id
        row[2] += linked
        row[3] += without
        if with_id and not linked_id:
            never.append(f"{nickname}/{given} ({culture}, {with_id})")
    out = ["nickname records linked to their person's full-name records, by culture:"]
    out += _table(
        ((c, (f"{r[0]}/{r[1]}", f"{r[2]}/{r[3]}")) for c, r in sorted(by_culture.items())),
        ("culture", "shared id", "no id"),
    )
    out.append("never linked although sharing a personal identifier (records): ")
    out += [f"  {line}" for line in _wrap(never)]
    return out


def _wrap(items: Sequence[str], width: int = 96) -> list[str]:
    lines, line = [], ""
    for item in items:
        if line and len(line) + len(item) + 2 > width:
            lines.append(line + ",")
            line = ""
        line = f"{line}, {item}" if line else item
    return [*lines, line] if line else lines


def _tokens(record: SyntheticRecord) -> frozenset[str]:
    a = record.request.attributes
    text = ascii_fold(" ".join((a.given_name, a.family_name, a.full_name))).lower()
    return frozenset(t for t in re.split(r"[^a-z]+", text) if len(t) > 1 and t not in ("jr", "sr"))


def _postal(record: SyntheticRecord) -> str:
    a = record.request.attributes
    if not a.HasField("address"):
        return ""
    return re.sub(r"[^0-9A-Z]", "", a.address.postal_code.upper())[:5]


def attribute_only(runs: Sequence[Run]) -> list[str]:
    total: Counter[str] = Counter()
    linked: Counter[str] = Counter()
    for run in runs:
        for i in run.cluster_of:
            record = run.record(i)
            tokens = _tokens(record)
            if "no-shared-id" not in record.tags or not tokens:
                continue
            others = [j for j in run.records_of[record.person] if j != i]
            same = [j for j in others if _tokens(run.record(j)) == tokens]
            if same:
                evidence = "same name"
            elif any(_tokens(run.record(j)) & tokens for j in others):
                evidence = "overlapping name"
            else:
                evidence = "different name"
            pool = same or others
            born = record.request.attributes.birth_date
            if born and any(run.record(j).request.attributes.birth_date == born for j in pool):
                evidence += " + birth date"
            postal = _postal(record)
            if postal and any(_postal(run.record(j)) == postal for j in pool):
                evidence += " + address"
            total[evidence] += 1
            linked[evidence] += any(run.cluster_of[j] == run.cluster_of[i] for j in others)
    out = [
        "named records with no personal identifier in common with their person's other "
        "records, by what they do share with them (linked / records):"
    ]
    out += _table(
        ((e, (f"{linked[e]}/{n}", f"{linked[e] / n:.2f}")) for e, n in total.most_common()),
        ("shared evidence", "linked", "share"),
    )
    return out


def where_records_end(runs: Sequence[Run]) -> list[str]:
    tags = ("nameless-call", "shared-device", "parent-contact", "walk-in", "guest-name")
    ends: Counter[tuple[str, str]] = Counter()
    for run in runs:
        for i, c in run.cluster_of.items():
            record = run.record(i)
            for tag in set(tags) & record.tags:
                others = {run.persons[j] for j in run.clusters[c] if j != i}
                if not others:
                    end = "alone"
                elif others == {record.person}:
                    end = "with its person"
                elif record.person in others:
                    end = "with its person and others"
                else:
                    end = "with others only"
                ends[(tag, end)] += 1
    columns = ("alone", "with its person", "with its person and others", "with others only")
    out = ["where records end up:"]
    out += _table(
        ((t, tuple(ends[(t, e)] for e in columns)) for t in tags),
        ("tag", "alone", "own", "own+other", "other"),
    )
    return out


SECTIONS: dict[str, Callable[[Sequence[Run], int], list[str]]] = {
    "merges": wrong_merges,
    "recall": lambda runs, _: recall_split(runs),
    "identifiers": split_identifiers,
    "stranded": stranded_by_tag,
    "nicknames": lambda runs, _: nickname_pairs(runs),
    "attributes": lambda runs, _: attribute_only(runs),
    "ends": lambda runs, _: where_records_end(runs),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--clusters", type=Path, required=True, help="--save-clusters' DIR")
    parser.add_argument("--examples", type=int, default=0, help="example records per case")
    parser.add_argument("--only", choices=sorted(SECTIONS), action="append")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    runs = [load(seed, args.clusters, args.people) for seed in seeds]
    print(f"hold-out seeds {', '.join(map(str, seeds))}, {args.people} people each")
    for name, section in SECTIONS.items():
        if args.only and name not in args.only:
            continue
        print(f"\n== {name}")
        print("\n".join(section(runs, args.examples)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
