"""A real PostgreSQL for tests: SINGLEVIEW_TEST_DATABASE_URL, or a private embedded one."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

from singleview.store.embedded import EmbeddedPostgres
from singleview.store.migrations import apply_migrations


@contextmanager
def postgres_server() -> Iterator[str]:
    """Conninfo of a server to create test databases on."""
    url = os.environ.get("SINGLEVIEW_TEST_DATABASE_URL")
    if url:
        yield url
        return
    embedded = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="singleview-test-")))
    try:
        yield embedded.start()
    finally:
        embedded.stop()


def create_database(server_conninfo: str) -> str:
    """A new, empty, migrated database; returns its conninfo."""
    name = f"singleview_test_{secrets.token_hex(4)}"
    with psycopg.connect(server_conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"'.encode())
    conninfo = make_conninfo(server_conninfo, dbname=name)
    apply_migrations(conninfo)
    return conninfo


def truncate_all(conninfo: str) -> None:
    """Empty every table but the migration log, so each test starts from a blank store."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables"
            " WHERE schemaname = 'public' AND tablename <> 'schema_migration'"
        ).fetchall()
        tables = ", ".join(f'"{name}"' for (name,) in rows)
        conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE".encode())
