"""`singleview train`: re-estimates the model from stored records and writes a usable file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grpc
import pytest

from singleview.matching.comparisons import default_comparisons
from singleview.matching.model import load_model
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from tests.support.builders import address, email, record
from tests.support.server import ServerThread

pytestmark = pytest.mark.slow

FAMILIES = ["Smith", "Okafor", "Tanaka", "Novak", "Garcia", "Haddad", "Lee", "Brown"]
GIVEN = ["Ann", "Omar", "Yuki", "Petra", "Luis", "Maria", "Ben", "Emma"]


def test_train_writes_a_model_that_loads_and_covers_every_level(
    server: ServerThread, clean_database: str, tmp_path: Path
) -> None:
    with grpc.insecure_channel(server.target) as channel:
        identity = IdentityServiceStub(channel)
        for n in range(64):
            given, family = GIVEN[n % 8], FAMILIES[(n // 8) % 8]
            for copy in range(2):
                identity.Resolve(
                    record(
                        f"src{copy}",
                        f"{n}",
                        email(f"p{n}-{copy}@example.com"),
                        given_name=given,
                        family_name=family,
                        birth_date=f"19{50 + n % 40}-0{1 + n % 9}-1{n % 10}",
                        lives_at=address(f"{n} Oak St"),
                    )
                )
    output = tmp_path / "model.toml"

    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "singleview.cli",
            "train",
            "--output",
            str(output),
            "--pairs",
            "500",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={"SINGLEVIEW_DATABASE_URL": clean_database, "PATH": "/usr/bin:/bin"},
    )

    assert finished.returncode == 0, finished.stderr
    trained = load_model(output)
    trained.check_covers(default_comparisons())
    assert trained.thresholds == load_model().thresholds
    exact = trained.levels["birth_date"]["exact"]
    assert exact.m > exact.u
