"""Statements are sent without comment lines and indentation (store/sql.py), and every one fits
the 4 KiB up to which psycopg caches the parse of a statement's placeholders; a longer one is
parsed again on every execution (GetContext's one statement cost 6% of the server's samples
that way)."""

from __future__ import annotations

from importlib import resources

import pytest

from singleview.store.sql import _load, query

PSYCOPG_PARSE_CACHE_BYTES = 4096
"""psycopg._queries.MAX_CACHED_STATEMENT_LENGTH in psycopg 3.1 to 3.3."""

FILES = sorted(
    f.name for f in resources.files("singleview.store").iterdir() if f.name.endswith(".sql")
)


@pytest.mark.parametrize("filename", FILES)
def test_every_statement_fits_the_parse_cache(filename: str) -> None:
    too_long = {
        name: len(text.encode())
        for name, text in _load(filename).items()
        if len(text.encode()) > PSYCOPG_PARSE_CACHE_BYTES
    }

    assert not too_long


def test_comment_lines_and_indentation_are_not_sent() -> None:
    sent = query("context.sql", "customer_context").as_string()

    assert not any(line.startswith(("--", " ")) for line in sent.splitlines())
    assert sent.startswith("WITH n AS (")
