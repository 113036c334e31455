"""How a free-text search query is read, and what the search index holds for a name."""

from __future__ import annotations

import pytest

from singleview.config import ClientelingSettings, NormalizationSettings
from singleview.domain.records import PersonAttributes
from singleview.service.search_rank import word_match
from singleview.service.search_terms import (
    EmailTerm,
    NumberTerm,
    SearchQuery,
    name_entry,
    name_tsquery,
    pair_tsquery,
    parse_query,
)


def _parse(text: str) -> SearchQuery:
    return parse_query(text, NormalizationSettings(), ClientelingSettings())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jon Smyth", SearchQuery(words=("jon", "smyth"))),
        ("Dr. José  García-López", SearchQuery(words=("jose", "garcia", "lopez"))),
        ("O'Brien, Siobhán", SearchQuery(words=("obrien", "siobhan"))),
        (
            "(312) 555-0100",
            SearchQuery(
                numbers=(NumberTerm("(312) 555-0100", phone="+13125550100", loyalty=None),)
            ),
        ),
        ("0100", SearchQuery(numbers=(NumberTerm("0100", loyalty="0100"),))),
        (
            "smith 0100",
            SearchQuery(
                words=("smith",), numbers=(NumberTerm("0100", suffix="0100", loyalty="0100"),)
            ),
        ),
        (
            "555-0100",
            SearchQuery(numbers=(NumberTerm("555-0100", suffix="5550100", loyalty="5550100"),)),
        ),
        (
            "5745 480 672",
            SearchQuery(
                numbers=(NumberTerm("5745 480 672", phone="+15745480672", loyalty="5745480672"),)
            ),
        ),
        ("LC-00412", SearchQuery(numbers=(NumberTerm("LC-00412", loyalty="LC00412"),))),
        (
            "Jon.Smith@Example.com",
            SearchQuery(
                emails=(
                    EmailTerm(
                        "Jon.Smith@Example.com", "jon.smith@example.com", "jon.smith@example.com"
                    ),
                )
            ),
        ),
        (
            "jon@gmial",
            SearchQuery(emails=(EmailTerm("jon@gmial", None, "jon@gmial"),)),
        ),
        ("12 ?!", SearchQuery()),
    ],
)
def test_a_query_is_split_into_name_words_numbers_and_emails(
    text: str, expected: SearchQuery
) -> None:
    assert _parse(text) == expected


def test_page_tokens_bind_to_what_a_query_asks_not_how_it_is_typed() -> None:
    assert _parse("John  SMITH").digest() == _parse("john smith").digest()
    assert _parse("john smith").digest() != _parse("john smyth").digest()


def test_a_name_is_indexed_folded_with_nicknames_and_sounds() -> None:
    entry = name_entry(PersonAttributes(full_name="Smith, Bob"))

    assert entry is not None
    assert (entry.given, entry.family) == (("bob",), ("smith",))
    assert {"t_bob", "n_robert", "p_bb", "t_smith", "p_sm0"} <= set(entry.lexemes)


def test_a_record_without_a_name_has_no_index_entry() -> None:
    assert name_entry(PersonAttributes()) is None


def test_every_query_word_must_be_found_by_one_of_its_lexemes() -> None:
    strict = name_tsquery(("jon", "smyth"), loose=False).split(" & ")
    loose = name_tsquery(("smyth",), loose=True)

    assert len(strict) == 2
    assert "'t_jon'" in strict[0] and "'n_jonathan'" in strict[0]
    assert strict[1] == "('n_smyth' | 't_smyth')"
    assert loose == "('n_smyth' | 't_smyth' | 't_smy':* | 'p_sm0')"


@pytest.mark.parametrize(
    ("query_word", "word", "how"),
    [
        ("smith", "smith", "matches"),
        ("bob", "robert", 'is a nickname match for "bob"'),
        ("smi", "smith", 'starts with "smi"'),
        ("smyth", "smith", 'sounds like "smyth"'),
        ("smiht", "smith", 'is a close spelling of "smiht"'),
        ("lee", "okafor", ""),
    ],
)
def test_a_query_word_matches_a_name_word_in_an_explained_way(
    query_word: str, word: str, how: str
) -> None:
    score, reason = word_match(query_word, word)

    assert reason == how
    assert (score > 0) == bool(how)
    assert score <= 1


def test_a_closer_spelling_ranks_above_a_sound_alike() -> None:
    # All three sound alike (JNSN); only Johnson is one slip away.
    assert word_match("johnsno", "johnson")[0] > word_match("johnsno", "jonson")[0]


def test_pairs_of_words_are_indexed_by_pairs_of_codes_in_either_order() -> None:
    entry = name_entry(PersonAttributes(given_name="John", family_name="Smith"))
    reordered = pair_tsquery(("smyth", "jon"))

    assert entry is not None
    assert {"k_pjn_psm0", "k_xjoh_xsmi", "k_njohn_psm0"} <= set(entry.lexemes)
    assert reordered is not None and "'k_pjn_psm0'" in reordered


def test_an_initial_has_no_pair_lookup() -> None:
    assert pair_tsquery(("j", "smith")) is None
    assert pair_tsquery(("smith",)) is None
