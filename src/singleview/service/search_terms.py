"""What SearchCustomers indexes and what it asks for: name lexemes, and the parts of a query.

A record's name is indexed folded (matching/names.py: the same folding, nicknames and phonetic
codes matching uses), as words plus lexemes per word: the word itself (`t_john`), its nickname
variants (`n_robert` for "bob") and its Metaphone code (`p_jn`). A query word asks for any of
its own lexemes, or for a stored word starting with its first three letters; every query word
must be found, so "jon smyth" finds "John Smith" and "Smith, John" through an index without
scoring everyone called John.

A free-text query is split into parts: name words, numbers (a phone number in any format, its
last digits, or a loyalty number: whichever it turns out to be), emails and card codes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from itertools import combinations

from singleview.config import ClientelingSettings, NormalizationSettings
from singleview.domain.identifiers import IdentifierError
from singleview.domain.records import PersonAttributes
from singleview.identifiers.email import normalize_email
from singleview.identifiers.handles import normalize_loyalty_id
from singleview.identifiers.phone import normalize_phone
from singleview.matching.names import name_tokens, nickname_variants, parse_name, phonetic

NICKNAME_VARIANTS = 3
"""Canonical names looked up per word: "bill" is listed under william, robert, will..."""

MAX_QUERY_WORDS = 6
"""Name words of a query beyond this are ignored: nobody has more, and each costs index work."""

PREFIX_LETTERS = 3
"""A query word finds stored words that start with its first letters (typos come later)."""

ANAGRAM_LETTERS = 4
"""Letters whose order does not matter in a word's anagram code."""

MAX_PAIRED_WORDS = 4
"""Words of a name indexed in pairs: six pairs of a four-word name ("Maria José García López")."""

_LEXEME = re.compile(r"^[a-z0-9_]+$")
_NUMBER_PIECE = re.compile(r"^[+(]?[\d().\-/]*\d[\d().\-/]*$")
_CODE = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9\-./]+$")


@dataclass(frozen=True)
class NameEntry:
    """What the search index holds for one record's name."""

    given: tuple[str, ...]
    family: tuple[str, ...]
    lexemes: tuple[str, ...]


def _word_lexemes(word: str) -> set[str]:
    found = {f"t_{word}", f"p_{phonetic(word).lower()}"}
    found.update(f"n_{v.lower()}" for v in nickname_variants(word, NICKNAME_VARIANTS))
    return {lexeme for lexeme in found if _LEXEME.match(lexeme)}


def _codes(word: str) -> set[str]:
    """What a word may be recognized by in a pair: its first letters, the set of its first four
    letters (a transposition there: "Sign" for "Sing"), its sound, its nicknames."""
    codes = {
        f"x{word[:PREFIX_LETTERS]}",
        f"a{''.join(sorted(word[:ANAGRAM_LETTERS]))}",
        f"p{phonetic(word).lower()}",
    }
    codes.update(f"n{v.lower()}" for v in nickname_variants(word, NICKNAME_VARIANTS))
    return {code for code in codes if _LEXEME.match(code)}


def _pair_lexemes(first: str, second: str) -> set[str]:
    """`k_{code}_{code}` for every pair of the two words' codes, in either order."""
    return {"k_" + "_".join(sorted((a, b))) for a in _codes(first) for b in _codes(second)}


def name_entry(attributes: PersonAttributes) -> NameEntry | None:
    """The index entry of a record's name; None for a record without one (a bare contact).

    Besides each word's lexemes, every pair of its first MAX_PAIRED_WORDS words is indexed by
    pairs of codes: a query that misspells a name finds it through a pair whose posting list
    holds the few people whose two names sound or start alike, not everyone called John.
    """
    given, family = parse_name(attributes.given_name, attributes.family_name, attributes.full_name)
    if not given and not family:
        return None
    words = (*given, *family)
    lexemes: set[str] = set()
    for word in words:
        lexemes |= _word_lexemes(word)
    for first, second in combinations(words[:MAX_PAIRED_WORDS], 2):
        lexemes |= _pair_lexemes(first, second)
    return NameEntry(given, family, tuple(sorted(lexemes)))


def _alternatives(word: str, loose: bool) -> str:
    exact = {f"t_{word}", *(f"n_{v.lower()}" for v in nickname_variants(word, NICKNAME_VARIANTS))}
    items = [f"'{lexeme}'" for lexeme in sorted(exact) if _LEXEME.match(lexeme)]
    if loose:
        items.append(f"'t_{word[:PREFIX_LETTERS]}':*")
        items.append(f"'p_{phonetic(word).lower()}'")
    return "(" + " | ".join(items) + ")"


def pair_tsquery(words: tuple[str, ...]) -> str | None:
    """A tsquery asking for every pair of query words by pairs of codes; None when a word is
    too short to have a first-letters code of its own (an initial)."""
    paired = words[:MAX_PAIRED_WORDS]
    if len(paired) < 2 or any(len(word) < PREFIX_LETTERS for word in paired):
        return None
    groups = [
        "(" + " | ".join(f"'{lexeme}'" for lexeme in sorted(_pair_lexemes(a, b))) + ")"
        for a, b in combinations(paired, 2)
    ]
    return " & ".join(groups)


def name_tsquery(words: tuple[str, ...], *, loose: bool) -> str:
    """A tsquery that every query word must satisfy: strict (the word or a nickname of it) or
    loose (also a stored word with the same first letters, or the same sound).

    Words are folded ASCII, and lexemes are checked against [a-z0-9_], so the text is always a
    valid tsquery; it is still sent as a parameter.
    """
    return " & ".join(_alternatives(word, loose) for word in words)


@dataclass(frozen=True)
class NumberTerm:
    """Digits or a card code as typed, with what they may be: only the readings that apply."""

    typed: str
    phone: str | None = None
    """E.164, when the digits read as a full phone number."""

    suffix: str | None = None
    """Digits to look up as the end of a phone number."""

    loyalty: str | None = None
    """A normalized loyalty number."""


@dataclass(frozen=True)
class EmailTerm:
    typed: str
    exact: str | None
    """The normalized mailbox, when the text is a valid address."""

    near: str
    """What near (misspelled) addresses are measured against."""


@dataclass(frozen=True)
class SearchQuery:
    words: tuple[str, ...] = ()
    numbers: tuple[NumberTerm, ...] = ()
    emails: tuple[EmailTerm, ...] = ()

    def is_empty(self) -> bool:
        return not (self.words or self.numbers or self.emails)

    def digest(self) -> str:
        """Equal for two queries that ask the same; page tokens are bound to it."""
        text = repr((self.words, self.numbers, self.emails))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _email_term(token: str, normalization: NormalizationSettings) -> EmailTerm:
    typed = token.strip(".,;:<>()[]\"'")
    try:
        exact: str | None = normalize_email(typed, normalization)
    except IdentifierError:
        exact = None
    return EmailTerm(typed, exact, exact or typed.lower())


def _loyalty(text: str) -> str | None:
    try:
        return normalize_loyalty_id(text)
    except IdentifierError:
        return None


def _number_term(
    typed: str, has_words: bool, normalization: NormalizationSettings, settings: ClientelingSettings
) -> NumberTerm | None:
    digits = re.sub(r"\D", "", typed)
    if len(digits) < settings.search_min_suffix_digits:
        return None
    try:
        phone: str | None = normalize_phone(typed, normalization.default_region)
    except IdentifierError:
        phone = None
    suffix = None
    if phone is None and (has_words or len(digits) >= settings.search_suffix_alone_digits):
        suffix = digits[-15:]
    return NumberTerm(typed, phone, suffix, _loyalty(typed))


def _split(text: str) -> tuple[list[str], list[str], list[str], list[str]]:
    """(name tokens, number runs, emails, codes): adjacent number pieces form one run, so a
    phone number typed with spaces ("312 555 0100") stays one number."""
    words: list[str] = []
    runs: list[str] = []
    emails: list[str] = []
    codes: list[str] = []
    previous_was_number = False
    for token in text.split():
        is_number = bool(_NUMBER_PIECE.match(token))
        if is_number and previous_was_number:
            runs[-1] += " " + token
        elif is_number:
            runs.append(token)
        elif "@" in token:
            emails.append(token)
        elif _CODE.match(token):
            codes.append(token)
        else:
            words.extend(name_tokens(token))
        previous_was_number = is_number
    return words, runs, emails, codes


def parse_query(
    text: str, normalization: NormalizationSettings, settings: ClientelingSettings
) -> SearchQuery:
    """The parts of a free-text query; numbers too short to mean anything are dropped."""
    words, runs, emails, codes = _split(text)
    has_words = bool(words)
    numbers = [_number_term(run, has_words, normalization, settings) for run in runs]
    numbers += [NumberTerm(code, loyalty=_loyalty(code)) for code in codes if _loyalty(code)]
    return SearchQuery(
        words=tuple(dict.fromkeys(words))[:MAX_QUERY_WORDS],
        numbers=tuple(n for n in numbers if n is not None and (n.phone or n.suffix or n.loyalty)),
        emails=tuple(_email_term(e, normalization) for e in emails),
    )
