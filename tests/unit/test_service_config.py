"""The published gRPC service config covers every RPC of the contract, retries UNAVAILABLE on
each (writes are idempotent on their keys), and retries ABORTED only where it always means a
conflict between concurrent writes that a retry resolves."""

from __future__ import annotations

import json
from typing import Any

import pytest

from singleview.cli import main
from singleview.client.service_config import channel_options, service_config, service_config_json
from tests.support.rpc import WRITE_METHODS, every_rpc

RETRIED_ON_ABORTED = {
    "singleview.v1.IdentityService/Resolve",
    "singleview.v1.TimelineService/RecordInteraction",
    "singleview.v1.ProfileService/RecordVisit",
}


def _policy(method: str) -> dict[str, Any]:
    """The method config gRPC applies: the method's own entry, else its service's."""
    service, name = method.split("/")
    by_name: dict[str, dict[str, Any]] = {}
    for config in service_config()["methodConfig"]:
        for entry in config["name"]:
            key = f"{entry['service']}/{entry.get('method', '')}"
            assert key not in by_name, f"{key} is configured twice"
            by_name[key] = config
    found = by_name.get(f"{service}/{name}") or by_name.get(f"{service}/")
    assert found is not None, f"{method} has no method config"
    return found


@pytest.mark.parametrize("rpc", every_rpc(), ids=str)
def test_every_rpc_retries_unavailable(rpc: object) -> None:
    method = str(rpc).lstrip("/")
    policy = _policy(method)["retryPolicy"]
    assert isinstance(policy, dict)
    codes = set(policy["retryableStatusCodes"])
    assert "UNAVAILABLE" in codes
    assert ("ABORTED" in codes) == (method in RETRIED_ON_ABORTED)
    assert 2 <= policy["maxAttempts"] <= 5  # gRPC caps attempts at 5


def test_every_write_of_the_contract_is_listed_here() -> None:
    """A new write RPC joins WRITE_METHODS (and is idempotent) before it may be retried."""
    reads = {"Lookup", "Get", "List", "Search", "Explain", "Export", "Watch"}
    writes = {
        str(rpc).lstrip("/")
        for rpc in every_rpc()
        if not any(str(rpc).split("/")[-1].startswith(prefix) for prefix in reads)
    }
    assert writes == WRITE_METHODS


def test_only_bulk_imports_wait_for_the_server_to_be_ready() -> None:
    waiting = {
        f"{entry['service']}/{entry.get('method', '')}"
        for config in service_config()["methodConfig"]
        if config.get("waitForReady")
        for entry in config["name"]
    }
    assert waiting == {"singleview.v1.IdentityService/ImportRecords"}


def test_the_cli_prints_the_published_config(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["service-config"]) == 0
    printed = capsys.readouterr().out
    assert printed == service_config_json()
    assert json.loads(printed) == service_config()
    assert dict(channel_options())["grpc.enable_retries"] == 1
