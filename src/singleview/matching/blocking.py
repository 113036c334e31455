"""Blocking keys: which stored records are worth comparing with an incoming one.

Comparing a record with every other is out of the question, so records are indexed under a
few short keys and only records sharing a key are compared. Each rule survives a different
kind of error, so that the same person keeps at least one key whatever they mistyped:

- `fb:` family sound + birth year            survives given-name changes and date typos
- `gp:` given initial + family sound + postal code   survives a missing or wrong birth date
- `dg:` birth date + given initial           survives a new or mistyped family name
- `df:` birth date + family sound            survives nicknames and given-name typos
- `dp:` birth date + postal code             survives any change of name, and names written
  family-first without a comma ("Choi Ji-ho"), which swap what the rules above key on
- `nn:` given-name variants + family sound, in either order   survives nicknames, swapped
  names and missing dates (one key per nickname variant, at most three)
- `em:` email local part                     survives a change of email provider

Names enter keys by their Metaphone code, which absorbs most spelling variants; birth dates
with the day and month in ascending order, so that a day/month swap keeps its keys.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date

from singleview.matching.levels import MatchProfile
from singleview.matching.names import FAMILY_PARTICLES, nickname_variants, phonetic
from singleview.matching.profile import email_local_part

MAX_KEYS = 10
NICKNAME_VARIANTS = 2
"""Canonical names a given name is also keyed under (self + 2 = at most 3 `nn:` keys)."""
MIN_EMAIL_LOCAL = 4
"""Shorter local parts ("jo", "abc") are shared by too many people to be a useful key."""
MAX_EMAIL_LOCAL = 32


def blocking_keys(profile: MatchProfile) -> tuple[str, ...]:
    """The record's blocking keys: deterministic, unique, at most `MAX_KEYS`, rule-prefixed.

    A rule whose fields are missing yields no key: a record with nothing but an email has
    only its `em:` key (its identifiers find it anyway).
    """
    keys = list(dict.fromkeys(_keys(profile)))
    return tuple(keys[:MAX_KEYS])


def _keys(profile: MatchProfile) -> Iterator[str]:
    given = profile.given[0] if profile.given else ""
    family = principal_family_token(profile.family)
    family_sound = phonetic(family) if family else ""
    birth = _date_key(profile.birth_date) if profile.birth_date else ""
    if family_sound and profile.birth_date:
        yield f"fb:{family_sound}|{profile.birth_date.year:04d}"
    if given and family_sound and profile.postal_code:
        yield f"gp:{given[0]}|{family_sound}|{profile.postal_code}"
    if birth and given:
        yield f"dg:{birth}|{given[0]}"
    if birth and family_sound:
        yield f"df:{birth}|{family_sound}"
    if birth and profile.postal_code:
        yield f"dp:{birth}|{profile.postal_code}"
    if given and family_sound and len(given) > 1:
        for variant in nickname_variants(given, NICKNAME_VARIANTS):
            first, second = sorted((phonetic(variant), family_sound))
            yield f"nn:{first}|{second}"
    yield from _email_keys(profile.emails)


def ranked_hits(hits_per_key: Iterable[Iterable[int]]) -> list[int]:
    """The records the incoming record's keys found (by pk, each key's hits already bounded),
    those found by the most keys first, then in record order.

    When a common name's namesakes outnumber the customers one resolve judges, the ones kept
    should be those most like the record: the same person shares most of its keys (name sound,
    birth date, postal code, email), a namesake one or two. In record order alone, the first 40
    customers of a common name were its oldest holders, and the person could be cut off.
    `records_by_blocking_keys` (store/matching.sql) orders the same way.
    """
    counts = Counter(pk for pks in hits_per_key for pk in set(pks))
    return sorted(counts, key=lambda pk: (-counts[pk], pk))


def principal_family_token(family: tuple[str, ...]) -> str:
    """The part of a family name most likely kept in every record of the person.

    The longest part that is not a particle (first on ties): "garcia lopez" and "garcia" share
    "garcia", "van der berg" and "berg" share "berg".
    """
    significant = [t for t in family if t not in FAMILY_PARTICLES] or list(family)
    return max(significant, key=len, default="")


def _date_key(birth_date: date) -> str:
    low, high = sorted((birth_date.month, birth_date.day))
    return f"{birth_date.year:04d}{low:02d}{high:02d}"


def _email_keys(emails: tuple[str, ...]) -> Iterator[str]:
    """One key, of the first personal mailbox: the exact address is an identifier already."""
    locals_ = [email_local_part(e) for e in emails]
    usable = [local for local in locals_ if len(local) >= MIN_EMAIL_LOCAL]
    if usable:
        yield f"em:{usable[0][:MAX_EMAIL_LOCAL]}"
