"""`singleview train`: re-estimate the match model from the stored records."""

from __future__ import annotations

from collections.abc import Sequence

from singleview.matching.levels import Comparison, FieldComparison
from singleview.matching.model import MatchModel
from singleview.matching.profile import build_profile
from singleview.matching.training import estimate_m, estimate_u, with_u
from singleview.store import matching as match_store
from singleview.store.database import Database


def _levels(
    pairs: Sequence[match_store.RecordPair], comparisons: Sequence[Comparison]
) -> list[list[FieldComparison]]:
    out = []
    for a_attrs, a_ids, b_attrs, b_ids in pairs:
        left, right = build_profile(a_attrs, a_ids), build_profile(b_attrs, b_ids)
        out.append([c.compare(left, right) for c in comparisons])
    return out


async def train(
    database: Database,
    model: MatchModel,
    comparisons: Sequence[Comparison],
    *,
    random_pairs: int = 20000,
    candidate_pairs: int = 20000,
) -> tuple[MatchModel, int, int]:
    """The re-estimated model, and how many random and candidate pairs it was estimated from."""
    async with database.connection() as conn:
        randoms = await match_store.sample_record_pairs(conn, random_pairs)
        blocked = await match_store.sample_blocked_pairs(conn, candidate_pairs)
    trained = with_u(model, estimate_u(_levels(randoms, comparisons), comparisons))
    trained = estimate_m(trained, _levels(blocked, comparisons), comparisons)
    return trained, len(randoms), len(blocked)
