"""Phone numbers as E.164 strings, the one spelling every channel can be reduced to."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from singleview.domain.identifiers import IdentifierError

from ._text import clean

NOT_A_PHONE = "not a phone number"
INVALID_PHONE = "not a valid phone number"

# Digits, a leading "+", the usual separators and an optional extension. Letters are refused on
# purpose: phonenumbers would read "1-800-FLOWERS" or "call 312 555 0100 now" as a number, which
# is too generous for a value that decides whether two customers are the same person.
_PHONE_SHAPE = re.compile(
    r"\+?[0-9 ()./\-\u2010-\u2015\u2212]+"
    r"(?:\s*(?:ext\.?|extn\.?|extension|x|#)\s*[0-9]{1,10})?",
    re.IGNORECASE,
)


PARSED_PHONES = 65536
"""Phone spellings whose E.164 form is remembered per process (a few MB at most)."""


def normalize_phone(value: str, default_region: str) -> str:
    """The E.164 form; numbers without a country code are read in `default_region`.

    An extension is accepted but dropped: it names a desk behind a switchboard, not a
    subscriber, and customers give the same line with and without it.
    A leading "00" is tried as "+" when the number does not read in the default region, because
    "00" is the international prefix almost everywhere except North America (which uses "011").
    """
    text = clean(value)
    if not _PHONE_SHAPE.fullmatch(text):
        raise IdentifierError("value", NOT_A_PHONE)
    return _e164(text, default_region.strip().upper())


@lru_cache(maxsize=PARSED_PHONES)
def _e164(text: str, region: str) -> str:
    """Remembered: parsing with libphonenumber is the costliest step of a Lookup or GetContext
    by phone, and channels look the same numbers up again and again (a caller, a chat session).
    An invalid number raises again each time (exceptions are not cached)."""
    number = _parse_valid(text, region)
    if number is None and text.startswith("00"):
        number = _parse_valid("+" + text[2:], region)
    if number is None:
        raise IdentifierError("value", INVALID_PHONE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _parse_valid(text: str, region: str) -> phonenumbers.PhoneNumber | None:
    """The number if it exists according to the numbering plan, `None` otherwise.

    `is_valid_number` also accepts the fictional 555-01xx range, which test data relies on.
    """
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.is_possible_number(number) and phonenumbers.is_valid_number(number):
        return number
    return None
