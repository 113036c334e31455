"""Judging candidate customers: link, send to review, or leave apart — with the evidence.

The rules, in order, for one candidate customer (its best-scoring record against the incoming one):
1. a contradiction vetoes linking: any record of the customer has a level that says "clearly
   different person" against the incoming one (conflicting birth dates, different given names),
   not only the best-scoring record: a father's dated record in a customer that his son's
   undated one joined says the son's dated record is someone else. The pair then goes
   to review when the score still reaches the review threshold, else stays apart; identifiers
   the incoming record shares with a clearly different record are evidently shared by different
   people and become generic (the matcher's job);
2. a shared identifier that is not generic links;
3. a match probability at or above the link threshold links;
4. at or above the review threshold: review;
5. otherwise: no link.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from singleview.domain.identifiers import Identifier
from singleview.domain.records import Evidence, EvidenceKind, SourceRecordRef
from singleview.matching.levels import Comparison, FieldComparison, Level, MatchProfile
from singleview.matching.model import MatchModel, PairScore


class Verdict(enum.Enum):
    LINK = "LINK"
    REVIEW = "REVIEW"
    APART = "APART"


@dataclass(frozen=True)
class CandidateRecord:
    customer_id: str
    ref: SourceRecordRef
    profile: MatchProfile
    identifiers: frozenset[Identifier]


@dataclass(frozen=True)
class Judgement:
    customer_id: str
    verdict: Verdict
    shared: tuple[Identifier, ...]
    """Identifiers the incoming record shares with the customer that are not generic."""
    best: PairScore | None
    best_record: SourceRecordRef | None
    vetoed: bool
    contradicting_identifiers: frozenset[Identifier] = frozenset()
    """Identifiers held by records of the customer that are clearly a different person."""

    @property
    def probability(self) -> float:
        return self.best.probability if self.best is not None else 0.0


SHARED_FIELD = "shared_identifier"
SHARED_SMALL_GROUP = Level(
    "small_group",
    "shares an identifier only a few people hold (a household line or mailbox)",
)
"""Generic identifiers prove nothing alone, but one shared by a handful of people (a household)
still narrows who this is: with a matching given name it is strong evidence. Without one it is
none: members share the line, the address and the family name alike, so only the given name
tells them apart (see `score_pair`)."""

NAMING_THE_SAME_PERSON = frozenset({"exact", "nickname", "typo"})
"""Given-name levels that single out one member of a household."""


def clearly_different(pair: PairScore) -> bool:
    """Different given names, or two contradictions: not one typo in a birth date."""
    contradictions = [c for c in pair.comparisons if c.level is not None and c.level.contradicts]
    return len(contradictions) >= 2 or any(c.field == "given_name" for c in contradictions)


def score_pair(
    left: MatchProfile,
    right: MatchProfile,
    comparisons: Sequence[Comparison],
    model: MatchModel,
    shares_small_group: bool = False,
) -> PairScore:
    levels = [c.compare(left, right) for c in comparisons]
    if shares_small_group and _given_names_agree(levels):
        levels.append(FieldComparison(SHARED_FIELD, SHARED_SMALL_GROUP))
    return model.score(levels)


def _given_names_agree(levels: Sequence[FieldComparison]) -> bool:
    return any(
        c.field == "given_name" and c.level is not None and c.level.name in NAMING_THE_SAME_PERSON
        for c in levels
    )


def judge(
    customer_id: str,
    incoming: MatchProfile,
    incoming_identifiers: frozenset[Identifier],
    records: Sequence[CandidateRecord],
    generic: frozenset[Identifier],
    comparisons: Sequence[Comparison],
    model: MatchModel,
    small_groups: frozenset[Identifier] = frozenset(),
) -> Judgement:
    """The verdict on one candidate customer, from its records compared with the incoming one.

    `small_groups` are generic identifiers held by only a few customers (see SHARED_SMALL_GROUP).
    """
    held = frozenset().union(*(r.identifiers for r in records)) if records else frozenset()
    shared = tuple(sorted((incoming_identifiers & held) - generic))
    best: PairScore | None = None
    best_record: SourceRecordRef | None = None
    contradicting: set[Identifier] = set()
    conflicting = False
    for record in records:
        in_group = bool(incoming_identifiers & record.identifiers & small_groups)
        pair = score_pair(incoming, record.profile, comparisons, model, in_group)
        if best is None or pair.total_weight > best.total_weight:
            best, best_record = pair, record.ref
        if clearly_different(pair):
            contradicting |= record.identifiers
        conflicting = conflicting or pair.contradicts
    thresholds = model.thresholds
    probability = best.probability if best is not None else 0.0
    vetoed = best is not None and (conflicting or bool(contradicting))
    if vetoed:
        verdict = Verdict.REVIEW if probability >= thresholds.review else Verdict.APART
    elif shared or probability >= thresholds.link:
        verdict = Verdict.LINK
    elif probability >= thresholds.review:
        verdict = Verdict.REVIEW
    else:
        verdict = Verdict.APART
    return Judgement(
        customer_id, verdict, shared, best, best_record, vetoed, frozenset(contradicting)
    )


def comparison_evidence(judgement: Judgement, model: MatchModel) -> tuple[Evidence, ...]:
    """One evidence per comparison level reached, then the total against the thresholds."""
    if judgement.best is None:
        return ()
    items = [
        Evidence(
            kind=EvidenceKind.COMPARISON,
            label=comparison.level.label,
            customer_id=judgement.customer_id,
            field=comparison.field,
            level=comparison.level.name,
            weight=round(weight, 3),
        )
        for comparison, weight in zip(
            judgement.best.comparisons, judgement.best.weights, strict=True
        )
        if comparison.level is not None
    ]
    t = model.thresholds
    veto = "; vetoed by a contradiction" if judgement.vetoed else ""
    items.append(
        Evidence(
            kind=EvidenceKind.COMPARISON,
            label=(
                f"match probability {judgement.probability:.4f} (weight "
                f"{judgement.best.total_weight:+.2f}); link at {t.link:g}, review at {t.review:g}"
                f"{veto}"
            ),
            customer_id=judgement.customer_id,
            field="total",
            level=judgement.verdict.value.lower(),
            weight=round(judgement.best.total_weight, 3),
        )
    )
    return tuple(items)
