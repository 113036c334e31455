"""`singleview serve` with authentication, `singleview token`, and what ends up in its logs."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grpc
import psycopg
import pytest

from singleview.store.embedded import EmbeddedPostgres
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from tests.support.auth import bearer
from tests.support.builders import phone, record
from tests.support.personal_data import personal_data_in, run_personal_data_scenario
from tests.support.process import ServeProcess
from tests.support.status import rich_error

pytestmark = pytest.mark.slow


def _singleview(
    *args: str, timeout: float = 120, database_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SINGLEVIEW_DATABASE_URL"}
    if database_url:
        env["SINGLEVIEW_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "singleview.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def test_serving_beyond_loopback_without_authentication_is_refused(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SINGLEVIEW_DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-m", "singleview.cli", "serve", "--host", "0.0.0.0", "--port", "0"]
        + ["--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "SINGLEVIEW_AUTH": "off"},
    )
    assert result.returncode == 2
    assert "refusing to serve on 0.0.0.0 without authentication" in result.stderr
    assert not (tmp_path / "pgdata").exists()


def test_tokens_work_on_a_database_url(clean_database: str) -> None:
    made = _singleview("token", "create", "--role", "steward", "--name", "ann",
                       database_url=clean_database)  # fmt: skip
    assert made.returncode == 0, made.stderr
    with psycopg.connect(clean_database) as conn:
        rows = conn.execute("SELECT name, role, revoke_time FROM api_token").fetchall()
    assert rows == [("ann", "steward", None)]
    again = _singleview("token", "create", "--role", "steward", "--name", "ann",
                        database_url=clean_database)  # fmt: skip
    assert again.returncode == 2 and "revoke it first" in again.stderr
    assert _singleview("token", "revoke", "ann", database_url=clean_database).returncode == 0
    assert _singleview("token", "revoke", "ann", database_url=clean_database).returncode == 2


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServeProcess, Path]]:
    """A server with authentication on and every log line at DEBUG."""
    data_dir = tmp_path_factory.mktemp("secured")
    serve = ServeProcess(
        data_dir=data_dir, env={"SINGLEVIEW_AUTH": "on", "SINGLEVIEW_LOG_LEVEL": "DEBUG"}
    ).wait_serving()
    yield serve, data_dir
    serve.terminate()


def _resolve(target: str, token: str | None) -> grpc.RpcError | None:
    with grpc.insecure_channel(target) as channel:
        try:
            IdentityServiceStub(channel).Resolve(
                record("crm", "1", phone("3125550100")),
                metadata=bearer(token) if token else None,
                timeout=30,
            )
        except grpc.RpcError as error:
            return error
    return None


def test_tokens_are_made_and_revoked_for_a_running_server(
    secured: tuple[ServeProcess, Path],
) -> None:
    serve, data_dir = secured
    made = _singleview("token", "create", "--role", "channel", "--name", "ivr-1",
                       "--data-dir", str(data_dir))  # fmt: skip
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("svt_") and "\n" not in token

    missing = _resolve(serve.target, None)
    assert missing is not None and rich_error(missing).reason == "MISSING_TOKEN"
    assert _resolve(serve.target, token) is None

    revoked = _singleview("token", "revoke", "ivr-1", "--data-dir", str(data_dir))
    assert revoked.returncode == 0, revoked.stderr
    error = _resolve(serve.target, token)
    assert error is not None and rich_error(error).reason == "REVOKED_TOKEN"
    listing = _singleview("token", "list", "--data-dir", str(data_dir))
    assert "ivr-1\tchannel" in listing.stdout and "revoked" in listing.stdout
    assert token not in listing.stdout + listing.stderr
    with psycopg.connect(_postgres(data_dir)) as conn:
        stored = conn.execute("SELECT token_hash FROM api_token").fetchall()
    assert token not in str(stored)


def test_an_unknown_role_is_refused(secured: tuple[ServeProcess, Path]) -> None:
    _, data_dir = secured
    made = _singleview("token", "create", "--role", "root", "--name", "x",
                       "--data-dir", str(data_dir))  # fmt: skip
    assert made.returncode == 2
    assert "channel, clienteling, steward, admin" in made.stderr


def test_import_sends_the_token_from_the_environment(
    secured: tuple[ServeProcess, Path], tmp_path: Path
) -> None:
    serve, data_dir = secured
    token = _singleview("token", "create", "--role", "channel", "--name", "loader",
                        "--data-dir", str(data_dir)).stdout.strip()  # fmt: skip
    lines = tmp_path / "records.jsonl"
    lines.write_text(
        '{"source": "crm", "recordId": "imp-1", "identifiers": '
        '[{"kind": "IDENTIFIER_KIND_PHONE", "value": "(312) 555-0111"}]}\n'
    )
    command = ["import", str(lines), "--target", serve.target, "--no-progress"]
    env = {k: v for k, v in os.environ.items() if k != "SINGLEVIEW_DATABASE_URL"}

    refused = subprocess.run(
        [sys.executable, "-m", "singleview.cli", *command],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    loaded = subprocess.run(
        [sys.executable, "-m", "singleview.cli", *command],
        capture_output=True, text=True, timeout=120, env={**env, "SINGLEVIEW_TOKEN": token},
    )  # fmt: skip

    assert refused.returncode != 0
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr


def _postgres(data_dir: Path) -> str:
    uri = EmbeddedPostgres(data_dir).running_uri()
    assert uri is not None
    return uri


def test_no_personal_data_in_the_service_or_database_logs(
    secured: tuple[ServeProcess, Path],
) -> None:
    serve, data_dir = secured
    token = _singleview("token", "create", "--role", "admin", "--name", "ops",
                        "--data-dir", str(data_dir)).stdout.strip()  # fmt: skip
    with grpc.insecure_channel(serve.target) as channel:
        run_personal_data_scenario(channel, bearer(token))
    with (
        psycopg.connect(_postgres(data_dir), autocommit=True) as conn,
        pytest.raises(psycopg.Error),
    ):
        conn.execute("SELECT 'Zebulon Quixote, 1742 Evergreen Terrace'::int")
    serve.terminate()

    assert "erasure" in serve.output  # the run reached the end, at DEBUG
    assert personal_data_in(serve.output) == []
    server_log = (data_dir / "pgdata" / "log").read_text(errors="replace")
    assert "database system is ready" in server_log
    assert personal_data_in(server_log) == []
