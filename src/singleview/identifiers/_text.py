"""Text clean-up shared by every kind, so all of them treat invisible junk the same way."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from singleview.domain.identifiers import IdentifierError

EMPTY = "value is empty"
CONTROL = "value contains control or invisible characters"
NAMESPACE_REQUIRED = "namespace is required"
NAMESPACE_CHARSET = "namespace may contain only letters, digits, '.', '_' and '-'"

# Cc: C0/C1 controls (NUL, tab, newline...). Cf: zero-width and bidi-override characters, which
# make two identifiers look equal while comparing unequal. Cs: lone surrogates. Zl/Zp: line and
# paragraph separators, newlines in disguise.
_REJECTED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})

_NAMESPACE = re.compile(r"[a-z0-9._-]+")

_MAX_FOLD_ROUNDS = 4


def nfkc(text: str) -> str:
    """NFKC first, so full-width digits, ligatures and odd spaces compare like their plain forms."""
    return unicodedata.normalize("NFKC", text)


def clean(value: str, part: str = "value") -> str:
    """NFKC, trim, then refuse control characters; trimming first forgives a trailing newline.

    Messages never quote the input: they can end up in logs and identifiers are personal data.
    """
    text = nfkc(value).strip()
    if not text:
        raise IdentifierError(part, EMPTY if part == "value" else NAMESPACE_REQUIRED)
    if any(unicodedata.category(char) in _REJECTED_CATEGORIES for char in text):
        raise IdentifierError(part, CONTROL)
    return text


def fold(text: str, transform: Callable[[str], str]) -> str:
    """Apply `transform` and NFKC until nothing changes.

    Case mapping and NFKC do not commute for a handful of characters; running them to a fixed
    point is what makes normalizing a normalized value a no-op.
    """
    for _ in range(_MAX_FOLD_ROUNDS):
        folded = nfkc(transform(text))
        if folded == text:
            break
        text = folded
    return text


def namespace(value: str) -> str:
    """A required namespace: a slug, so that "Acme " and "acme" are one programme or platform."""
    text = clean(value, "namespace").lower()
    if not _NAMESPACE.fullmatch(text):
        raise IdentifierError("namespace", NAMESPACE_CHARSET)
    return text
