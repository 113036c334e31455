"""The accuracy bench's pairwise metrics, on clusterings small enough to count by hand.

Each cluster lists the true person of each of its records, so [[1, 1, 2]] is one customer holding
two records of person 1 and one of person 2.
"""

from __future__ import annotations

import itertools
import random

import pytest

from bench.accuracy import (
    UNTAGGED,
    Figures,
    PairCounts,
    by_tag,
    merged_never_pairs,
    merged_person_pairs,
    score,
    seeds_summary,
)
from bench.synthetic import SyntheticData


def brute_force(clusters: list[list[int]]) -> PairCounts:
    """Every record pair, one by one: the O(n^2) definition `score` must agree with."""
    records = [(c, person) for c, cluster in enumerate(clusters) for person in cluster]
    tp = fp = fn = 0
    for (c1, p1), (c2, p2) in itertools.combinations(records, 2):
        tp += c1 == c2 and p1 == p2
        fp += c1 == c2 and p1 != p2
        fn += c1 != c2 and p1 == p2
    return PairCounts(tp, fp, fn)


def test_perfect_clustering() -> None:
    counts = score([[1, 1, 1], [2, 2], [3]])
    assert counts == PairCounts(true_positives=4, false_positives=0, false_negatives=0)
    assert (counts.precision, counts.recall, counts.f1) == (1.0, 1.0, 1.0)


def test_one_wrong_merge() -> None:
    # Persons 1 and 2 (two records each) in one customer: 4 of the 6 predicted pairs are wrong.
    counts = score([[1, 1, 2, 2], [3]])
    assert counts == PairCounts(true_positives=2, false_positives=4, false_negatives=0)
    assert counts.precision == pytest.approx(2 / 6)
    assert counts.recall == 1.0
    assert counts.f1 == pytest.approx(2 * (1 / 3) / (1 / 3 + 1))


def test_one_missed_link() -> None:
    # Person 1's third record is a customer of its own: 2 of person 1's 3 pairs are missed.
    counts = score([[1, 1], [1], [2, 2]])
    assert counts == PairCounts(true_positives=2, false_positives=0, false_negatives=2)
    assert counts.precision == 1.0
    assert counts.recall == pytest.approx(0.5)


def test_nothing_to_score_is_perfect() -> None:
    counts = score([[1], [2]])
    assert (counts.precision, counts.recall) == (1.0, 1.0)
    assert score([]) == PairCounts(0, 0, 0)


def test_agrees_with_counting_every_pair() -> None:
    rng = random.Random(7)
    for _ in range(200):
        records = [rng.randrange(6) for _ in range(rng.randrange(1, 15))]
        clusters: list[list[int]] = [[] for _ in range(rng.randrange(1, 6))]
        for person in records:
            rng.choice(clusters).append(person)
        assert score(clusters) == brute_force(clusters)


def test_merged_person_pairs_counts_each_pair_once() -> None:
    assert merged_person_pairs([[1, 1], [2]]) == 0
    assert merged_person_pairs([[1, 2, 3]]) == 3
    # 1 and 2 are together in two customers: still one wrongly merged pair.
    assert merged_person_pairs([[1, 2], [1, 2, 2], [3]]) == 1
    assert merged_person_pairs([[1, 2], [2, 3], [1, 3]]) == 3


def test_merged_never_pairs() -> None:
    never = {frozenset((1, 2)), frozenset((3, 4)), frozenset((5, 6))}
    merged = merged_never_pairs([[1, 1, 2], [3], [4, 5], [6]], never)
    assert merged == {frozenset((1, 2))}


def test_by_tag_counts_pairs_touching_each_tag() -> None:
    # Records 0-3; customers {0, 1, 2} and {3}. Truth: 0, 1, 3 are person 1; 2 is person 2.
    persons = [1, 1, 2, 1]
    tags = [frozenset(), frozenset({"nickname"}), frozenset({"household"}), frozenset({"moved"})]
    result = by_tag([[0, 1, 2], [3]], persons, tags)
    # Wrong pairs: (0, 2) and (1, 2), both touch the household record; (1, 2) also the nickname.
    assert result["household"] == PairCounts(0, 2, 0)
    # Missed pairs: (0, 3) and (1, 3), both touch the moved record.
    assert result["moved"] == PairCounts(0, 0, 2)
    assert result["nickname"] == PairCounts(1, 1, 1)
    assert result[UNTAGGED] == PairCounts(0, 0, 0)


def _figures(tp: int, fp: int, fn: int) -> Figures:
    return Figures(PairCounts(tp, fp, fn), fp, set(), {}, 0, (0, 0))


def test_several_seeds_are_pooled_pair_by_pair_and_the_worst_is_shown() -> None:
    nothing = SyntheticData(records=[], never_merge=set(), households=[], twins=[])
    lines = seeds_summary([(1, nothing, _figures(90, 10, 0)), (2, nothing, _figures(10, 0, 10))])

    pooled = next(line for line in lines if "pooled" in line).split()
    worst = next(line for line in lines if "worst" in line).split()
    assert pooled[1:3] == ["0.9091", "0.9091"]  # 100 of 110 predicted, 100 of 110 actual
    assert worst[1:3] == ["0.9000", "0.5000"]
