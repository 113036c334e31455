"""Estimating the model from the data, as Splink does.

u (how often a level occurs between different people) comes from random record pairs, which are
almost never the same person. m (how often it occurs for the same person) comes from
expectation–maximisation over candidate pairs (pairs sharing a blocking key): each round weighs
every pair by its current match probability, re-estimates m and the share of matches, and
repeats. Probabilities are smoothed so that no level gets 0 or 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from singleview.matching.levels import Comparison, FieldComparison
from singleview.matching.model import LevelProbabilities, MatchModel, Thresholds

PairLevels = Sequence[FieldComparison]
_SMOOTHING = 1.0
_FLOOR = 1e-6


def _level_counts(
    pairs: Sequence[PairLevels], weights: Sequence[float], comparisons: Sequence[Comparison]
) -> dict[str, dict[str, float]]:
    counts = {c.field: {level.name: _SMOOTHING for level in c.levels} for c in comparisons}
    for pair, weight in zip(pairs, weights, strict=True):
        for comparison in pair:
            if comparison.level is not None:
                counts[comparison.field][comparison.level.name] += weight
    return counts


def _normalize(counts: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    out = {}
    for field_name, table in counts.items():
        total = sum(table.values())
        out[field_name] = {level: max(n / total, _FLOOR) for level, n in table.items()}
    return out


def estimate_u(
    random_pairs: Sequence[PairLevels], comparisons: Sequence[Comparison]
) -> dict[str, dict[str, float]]:
    """u per level from pairs of random records."""
    return _normalize(_level_counts(random_pairs, [1.0] * len(random_pairs), comparisons))


def with_u(model: MatchModel, u: dict[str, dict[str, float]]) -> MatchModel:
    levels = {
        field_name: {
            level: LevelProbabilities(p.m, u.get(field_name, {}).get(level, p.u))
            for level, p in table.items()
        }
        for field_name, table in model.levels.items()
    }
    return replace(model, levels=levels)


def estimate_m(
    model: MatchModel,
    candidate_pairs: Sequence[PairLevels],
    comparisons: Sequence[Comparison],
    iterations: int = 20,
) -> MatchModel:
    """m per level by EM over candidate pairs; u and the configured thresholds stay as given.

    EM also estimates the share of matches among candidate pairs and uses it while iterating;
    the prior and thresholds the service decides with stay the configured ones, since they were
    chosen for precision, not fitted.
    """
    if not candidate_pairs:
        return model
    configured = model.thresholds
    for _ in range(iterations):
        probabilities = [model.score(pair).probability for pair in candidate_pairs]
        m = _normalize(_level_counts(candidate_pairs, probabilities, comparisons))
        share = min(max(sum(probabilities) / len(probabilities), 1e-6), 0.5)
        levels = {
            field_name: {
                level: LevelProbabilities(m[field_name][level], p.u) if field_name in m else p
                for level, p in table.items()
            }
            for field_name, table in model.levels.items()
        }
        model = MatchModel(_with_prior(model.thresholds, share), levels)
    return replace(model, thresholds=configured)


def _with_prior(thresholds: Thresholds, share: float) -> Thresholds:
    return replace(thresholds, prior_match_probability=share)
