"""The Fellegi–Sunter scoring model: m and u probabilities per comparison level.

For each level, m = P(level | same person) and u = P(level | different people); the level's
weight is log2(m / u). A pair's score is the prior log-odds plus the weights of the levels its
comparisons reached (a comparison with a missing side adds nothing). The model lives in a TOML
file (the packaged `model.toml` by default) that `singleview train` rewrites with estimates.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from singleview.matching.levels import Comparison, FieldComparison


@dataclass(frozen=True)
class LevelProbabilities:
    m: float
    u: float

    def __post_init__(self) -> None:
        for name, value in (("m", self.m), ("u", self.u)):
            if not 0.0 < value <= 1.0:
                raise ValueError(f"{name} must be in (0, 1], got {value}")

    @property
    def weight(self) -> float:
        return math.log2(self.m / self.u)


@dataclass(frozen=True)
class Thresholds:
    prior_match_probability: float = 1e-4
    """Share of random record pairs that are the same person (lambda)."""
    link: float = 0.99
    """Match probability at or above which a record links to a candidate."""
    review: float = 0.6
    """Match probability at or above which an uncertain pair goes to a steward."""

    def __post_init__(self) -> None:
        if not 0.0 < self.prior_match_probability < 1.0:
            raise ValueError("prior_match_probability must be in (0, 1)")
        if not 0.0 < self.review <= self.link < 1.0:
            raise ValueError("thresholds must satisfy 0 < review <= link < 1")

    @property
    def prior_weight(self) -> float:
        p = self.prior_match_probability
        return math.log2(p / (1.0 - p))


@dataclass(frozen=True)
class PairScore:
    """The comparisons of one record pair, their weights and the resulting probability."""

    comparisons: tuple[FieldComparison, ...]
    weights: tuple[float, ...]
    total_weight: float
    probability: float

    @property
    def contradicts(self) -> bool:
        return any(c.level is not None and c.level.contradicts for c in self.comparisons)


@dataclass(frozen=True)
class MatchModel:
    thresholds: Thresholds
    levels: Mapping[str, Mapping[str, LevelProbabilities]] = field(default_factory=dict)

    def check_covers(self, comparisons: Sequence[Comparison]) -> None:
        """Every level of every comparison needs its probabilities; fail at start-up, not later."""
        missing = [
            f"{c.field}.{level.name}"
            for c in comparisons
            for level in c.levels
            if level.name not in self.levels.get(c.field, {})
        ]
        if missing:
            raise ValueError(f"the match model has no probabilities for: {', '.join(missing)}")

    def weight(self, comparison: FieldComparison) -> float:
        if comparison.level is None:
            return 0.0
        return self.levels[comparison.field][comparison.level.name].weight

    def score(self, comparisons: Sequence[FieldComparison]) -> PairScore:
        weights = tuple(self.weight(c) for c in comparisons)
        total = self.thresholds.prior_weight + sum(weights)
        probability = 1.0 / (1.0 + 2.0 ** (-total)) if total > -1000 else 0.0
        return PairScore(tuple(comparisons), weights, total, probability)


def parse_model(text: str) -> MatchModel:
    data = tomllib.loads(text)
    thresholds = Thresholds(**data.pop("thresholds", {}))
    levels = {
        field_name: {
            level: LevelProbabilities(float(pair["m"]), float(pair["u"]))
            for level, pair in table.items()
        }
        for field_name, table in data.items()
    }
    return MatchModel(thresholds, levels)


def load_model(path: Path | None = None) -> MatchModel:
    """The model in `path`, or the packaged default."""
    if path is not None:
        return parse_model(path.read_text("utf-8"))
    return parse_model(resources.files("singleview.matching").joinpath("model.toml").read_text())


def format_model(model: MatchModel, header: str = "") -> str:
    """TOML text for `model`, with each level's weight as a comment for the reader."""
    t = model.thresholds
    lines = [header.rstrip(), ""] if header else []
    lines += [
        "[thresholds]",
        f"prior_match_probability = {t.prior_match_probability:.6g}",
        f"link = {t.link:.6g}",
        f"review = {t.review:.6g}",
    ]
    for field_name, table in model.levels.items():
        lines += ["", f"[{field_name}]"]
        for level, p in table.items():
            lines.append(f"{level} = {{ m = {p.m:.6g}, u = {p.u:.6g} }}  # weight {p.weight:+.2f}")
    return "\n".join(lines) + "\n"
