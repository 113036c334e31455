"""The Fellegi–Sunter model: weights, scores, thresholds, the file format, and training."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest

from singleview.domain.identifiers import Identifier, IdentifierKind
from singleview.domain.records import SourceRecordRef
from singleview.matching.decision import CandidateRecord, Verdict, judge
from singleview.matching.levels import FieldComparison, Level, MatchProfile
from singleview.matching.model import (
    LevelProbabilities,
    MatchModel,
    Thresholds,
    format_model,
    parse_model,
)
from singleview.matching.training import estimate_m, estimate_u, with_u

SAME = Level("same", "same given name")
DIFFERENT = Level("different", "different given names", contradicts=True)


@dataclass(frozen=True)
class GivenName:
    """A two-level comparison, enough to specify the model and the decision."""

    field: str = "given_name"
    levels: tuple[Level, ...] = (SAME, DIFFERENT)

    def compare(self, left: MatchProfile, right: MatchProfile) -> FieldComparison:
        if not left.given or not right.given:
            return FieldComparison(self.field, None)
        return FieldComparison(self.field, SAME if left.given == right.given else DIFFERENT)


MODEL_TEXT = """
[thresholds]
prior_match_probability = 0.1
link = 0.9
review = 0.5

[given_name]
same = { m = 0.9, u = 0.01 }
different = { m = 0.1, u = 0.99 }
"""
MODEL = parse_model(MODEL_TEXT)
PHONE = Identifier(IdentifierKind.PHONE, "", "+13125550100")


def _candidate(given: str, *identifiers: Identifier) -> CandidateRecord:
    return CandidateRecord(
        "c1", SourceRecordRef("crm", given), MatchProfile(given=(given,)), frozenset(identifiers)
    )


def test_a_level_weighs_log2_of_m_over_u() -> None:
    assert LevelProbabilities(0.9, 0.01).weight == pytest.approx(math.log2(90))


@pytest.mark.parametrize(("m", "u"), [(0.0, 0.5), (0.5, 0.0), (1.5, 0.5), (0.5, -1.0)])
def test_probabilities_outside_0_1_are_refused(m: float, u: float) -> None:
    with pytest.raises(ValueError):
        LevelProbabilities(m, u)


def test_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValueError):
        Thresholds(link=0.5, review=0.9)


def test_a_missing_value_adds_no_weight() -> None:
    score = MODEL.score([FieldComparison("given_name", None)])
    assert score.probability == pytest.approx(0.1)


def test_the_model_must_cover_every_level_of_every_comparison() -> None:
    partial = MatchModel(Thresholds(), {"given_name": {"same": LevelProbabilities(0.9, 0.01)}})
    with pytest.raises(ValueError, match="given_name.different"):
        partial.check_covers([GivenName()])


def test_the_model_file_round_trips() -> None:
    again = parse_model(format_model(MODEL, "# header"))
    assert again == MODEL


@pytest.mark.parametrize(
    ("incoming", "stored", "shared", "verdict"),
    [
        pytest.param("ann", "ann", False, Verdict.LINK, id="same name over the link threshold"),
        pytest.param("", "ann", True, Verdict.LINK, id="shared identifier, nothing against"),
        pytest.param("", "ann", False, Verdict.APART, id="nothing in common"),
        pytest.param("ben", "ann", True, Verdict.APART, id="shared identifier vetoed"),
    ],
)
def test_the_verdict_on_a_candidate(
    incoming: str, stored: str, shared: bool, verdict: Verdict
) -> None:
    ids = (PHONE,) if shared else ()
    judgement = judge(
        "c1",
        MatchProfile(given=(incoming,) if incoming else ()),
        frozenset(ids),
        [_candidate(stored, *ids)],
        frozenset(),
        [GivenName()],
        MODEL,
    )
    assert judgement.verdict is verdict


def test_a_generic_identifier_is_not_a_shared_one() -> None:
    judgement = judge(
        "c1",
        MatchProfile(),
        frozenset([PHONE]),
        [_candidate("ann", PHONE)],
        frozenset([PHONE]),
        [GivenName()],
        MODEL,
    )
    assert judgement.shared == ()
    assert judgement.verdict is Verdict.APART


def test_a_veto_names_the_identifiers_of_the_clearly_different_record() -> None:
    judgement = judge(
        "c1",
        MatchProfile(given=("ben",)),
        frozenset([PHONE]),
        [_candidate("ann", PHONE)],
        frozenset(),
        [GivenName()],
        MODEL,
    )
    assert judgement.vetoed
    assert judgement.contradicting_identifiers == frozenset([PHONE])


def test_training_estimates_u_from_random_pairs_and_m_by_em() -> None:
    comparisons = [GivenName()]
    random_pairs = [[FieldComparison("given_name", DIFFERENT)]] * 95 + [
        [FieldComparison("given_name", SAME)]
    ] * 5
    u = estimate_u(random_pairs, comparisons)
    assert u["given_name"]["same"] == pytest.approx(6 / 102)
    trained = with_u(MODEL, u)
    candidates = [[FieldComparison("given_name", SAME)]] * 60 + [
        [FieldComparison("given_name", DIFFERENT)]
    ] * 40
    em = estimate_m(trained, candidates, comparisons)
    assert em.levels["given_name"]["same"].m > 0.9
    assert em.levels["given_name"]["same"].u == trained.levels["given_name"]["same"].u
    assert em.thresholds == MODEL.thresholds
