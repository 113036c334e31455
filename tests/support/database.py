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

TABLES = ("audit_event", "record_identifier", "source_record_history", "source_record", "customer")


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
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE".encode())
