"""Scoring a search candidate against the query, with a reason for every part that matched.

The score is the mean, over the query's parts (its name, each number, each email), of how well
the part matches the customer, from 0 to 1: a customer must match every part well to rank high,
so "jon smith 0100" ranks the John Smith whose phone ends in 0100 above every other John Smith.
Name words are matched to the words of each of the customer's record names, each used once,
best pairs first, in any order: the same word (1), a nickname (0.9), the same sound (0.85), a
close spelling (Jaro-Winkler over 0.8, scaled by 0.9), or the start of the word (0.6 to 0.9).

Reasons name the field and how it matched; for emails and phones they never repeat the stored
value, which an associate may only see masked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.distance import OSA, JaroWinkler

from singleview.matching.names import are_nicknames, phonetic
from singleview.service.search_terms import EmailTerm, NumberTerm, SearchQuery
from singleview.store.search import CandidateDetails

TYPO_SIMILARITY = 0.8
"""Jaro-Winkler similarity from which two name words count as one spelled differently."""

MAX_EMAIL_EDITS = 3


@dataclass(frozen=True)
class Ranked:
    customer_id: str
    score: float
    reasons: tuple[str, ...]


def word_match(query_word: str, word: str) -> tuple[float, str]:
    """(score, how) of a query word against a stored name word, both folded.

    The best of the ways it matches: a misspelled word that also sounds like two stored words
    ranks the one spelled closer first ("johnsno": Johnson before Jonson).
    """
    if query_word == word:
        return 1.0, "matches"
    if are_nicknames(query_word, word):
        return 0.9, f'is a nickname match for "{query_word}"'
    similarity = JaroWinkler.normalized_similarity(query_word, word)
    ways: list[tuple[float, str]] = []
    if word.startswith(query_word):
        typed = 0.6 + 0.3 * len(query_word) / len(word)
        ways.append((max(typed, 0.9 * similarity), f'starts with "{query_word}"'))
    if phonetic(query_word) == phonetic(word):
        ways.append((max(0.85, 0.9 * similarity), f'sounds like "{query_word}"'))
    if similarity >= TYPO_SIMILARITY:
        ways.append((0.9 * similarity, f'is a close spelling of "{query_word}"'))
    return max(ways, key=lambda way: way[0], default=(0.0, ""))


def _name_score(
    words: Sequence[str], given: Sequence[str], family: Sequence[str]
) -> tuple[float, list[str]]:
    """Best one-to-one pairing of query words with the record's words, greedily by score."""
    stored = [("given name", w) for w in given] + [("family name", w) for w in family]
    pairs = sorted(
        (
            (*word_match(q, w), qi, si)
            for qi, q in enumerate(words)
            for si, (_, w) in enumerate(stored)
        ),
        key=lambda p: -p[0],
    )
    used_query: dict[int, int] = {}
    used_stored: set[int] = set()
    total, reasons = 0.0, []
    for score, how, qi, si in pairs:
        if score <= 0 or qi in used_query or si in used_stored:
            continue
        used_query[qi], total = si, total + score
        used_stored.add(si)
        field, word = stored[si]
        reasons.append(f'{field} "{word}" {how}')
    if not used_query:
        return 0.0, []
    coverage = len(used_stored) / len(stored)
    order = [si for _, si in sorted(used_query.items())]
    if len(order) > 1 and order != sorted(order):
        reasons.append("given and family name in the other order")
    return total / len(words) * (0.9 + 0.1 * coverage), reasons


def _name_part(words: Sequence[str], details: CandidateDetails) -> tuple[float, list[str]]:
    best: tuple[float, list[str]] = (0.0, [])
    for given, family in details.names:
        found = _name_score(words, given, family)
        if found[0] > best[0]:
            best = found
    return best


def _number_part(term: NumberTerm, details: CandidateDetails) -> tuple[float, list[str]]:
    if term.phone and term.phone in details.phones:
        return 1.0, ["phone number matches"]
    if term.loyalty and term.loyalty in details.loyalty_ids:
        return 1.0, ["loyalty number matches"]
    if term.suffix and any(p.endswith(term.suffix) for p in details.phones):
        return 1.0, [f"phone number ends in the {len(term.suffix)} digits given"]
    return 0.0, []


def _email_part(term: EmailTerm, details: CandidateDetails) -> tuple[float, list[str]]:
    if term.exact and term.exact in details.emails:
        return 1.0, ["email matches"]
    edits = min((OSA.distance(term.near, e) for e in details.emails), default=MAX_EMAIL_EDITS + 1)
    if edits > MAX_EMAIL_EDITS:
        return 0.0, []
    plural = "s" if edits > 1 else ""
    return 1.0 - 0.15 * edits, [f"email differs by {edits} character{plural}"]


def score(query: SearchQuery, customer_id: str, details: CandidateDetails) -> Ranked:
    parts: list[tuple[float, list[str]]] = []
    if query.words:
        parts.append(_name_part(query.words, details))
    parts += [_number_part(term, details) for term in query.numbers]
    parts += [_email_part(term, details) for term in query.emails]
    total = sum(s for s, _ in parts) / len(parts) if parts else 0.0
    reasons = tuple(reason for _, part_reasons in parts for reason in part_reasons)
    return Ranked(customer_id, round(total, 4), reasons)


def rank(
    query: SearchQuery, candidates: dict[str, CandidateDetails], min_score: float
) -> list[Ranked]:
    """Candidates scoring at least `min_score`, best first; equal scores in customer id order,
    a total order that keyset page tokens rely on."""
    ranked = [score(query, customer_id, details) for customer_id, details in candidates.items()]
    return sorted(
        (r for r in ranked if r.score >= min_score), key=lambda r: (-r.score, r.customer_id)
    )
