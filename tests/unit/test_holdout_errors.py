"""bench/holdout_errors.py: the error breakdowns, on clusterings whose errors are known."""

from __future__ import annotations

from collections import defaultdict
from functools import cache

from bench.holdout import generate_with_truth
from bench.holdout_errors import Run, recall_split, relation, where_records_end, wrong_merges

PEOPLE = 300


@cache
def perfect() -> Run:
    """Every person's records in one customer of their own."""
    data, truth = generate_with_truth(PEOPLE, 4)
    by_person: defaultdict[int, list[int]] = defaultdict(list)
    for i, record in enumerate(data.records):
        by_person[record.person].append(i)
    return Run(4, data, truth, list(by_person.values()))


def test_a_perfect_clustering_has_no_wrong_merges_and_full_recall() -> None:
    run = perfect()
    assert wrong_merges([run], 0)[0].startswith("wrongly merged person pairs: 0 ")
    lines = recall_split([run])
    assert all(line.split(" = ")[1].startswith("1.0000") for line in lines[1:])


def test_a_household_merged_into_one_customer_is_counted_by_relation() -> None:
    run = perfect()
    home = next(members for members in run.data.households if len(members) >= 2)
    merged = [i for i, r in enumerate(run.data.records) if r.person in home]
    rest = [c for c in run.clusters if not set(c) & set(merged)]
    broken = Run(run.seed, run.data, run.truth, [*rest, merged])
    lines = wrong_merges([broken], 0)
    pairs = len(home) * (len(home) - 1) // 2
    assert lines[0].startswith(f"wrongly merged person pairs: {pairs} ")
    a, b = (run.truth.persons[p] for p in home[:2])
    assert any(line.strip().startswith(relation(a, b)) for line in lines[1:])


def test_records_alone_are_reported_alone() -> None:
    run = perfect()
    alone = Run(run.seed, run.data, run.truth, [[i] for i in range(len(run.data.records))])
    lines = where_records_end([alone])
    walk_in = next(line for line in lines if line.strip().startswith("walk-in"))
    assert walk_in.split()[2:] == ["0", "0", "0"]
