"""Known placeholder identifiers: values that say nothing about who someone is."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from singleview.domain.identifiers import Identifier, IdentifierKind


@cache
def _compiled(placeholders: tuple[tuple[str, str], ...]) -> dict[IdentifierKind, re.Pattern[str]]:
    by_kind: dict[IdentifierKind, list[str]] = {}
    for kind, pattern in placeholders:
        by_kind.setdefault(IdentifierKind(kind), []).append(f"(?:{pattern})")
    return {kind: re.compile("|".join(patterns)) for kind, patterns in by_kind.items()}


def placeholders_among(
    identifiers: Iterable[Identifier], placeholders: tuple[tuple[str, str], ...]
) -> set[Identifier]:
    patterns = _compiled(placeholders)
    return {
        i
        for i in identifiers
        if i.kind in patterns and patterns[i.kind].fullmatch(i.value) is not None
    }
