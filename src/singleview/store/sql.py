"""Named SQL statements, read once from the `.sql` files of this package.

A file holds blocks that start with a `-- name --` line; a reader finds every statement of a
feature in one file, by name.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from psycopg import sql

_HEADER = re.compile(r"^-- ([a-z0-9_]+) --$", re.MULTILINE)


@cache
def _load(filename: str) -> dict[str, str]:
    text = resources.files("singleview.store").joinpath(filename).read_text("utf-8")
    parts = _HEADER.split(text)
    queries = {name: body.strip() for name, body in zip(parts[1::2], parts[2::2], strict=True)}
    if not queries:
        raise RuntimeError(f"{filename} holds no named queries")
    return queries


def query(filename: str, name: str) -> sql.SQL:
    """The statement `name` of `filename`, ready for `conn.execute`."""
    return sql.SQL(_load(filename)[name])
