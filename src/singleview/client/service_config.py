"""The gRPC service config that clients of singleview use: which calls retry, on what, how.

gRPC clients retry by themselves when the channel carries a service config with a
`retryPolicy` (gRFC A6), so a database restart or a deploy costs callers a short wait, not an
error. Retrying is safe because every write is idempotent on its key: Resolve, ImportRecords
and RecordVisit on (source, record/visit id), RecordInteraction on (source, source_event_id),
UpdateInteraction on its content, and the stewards' and privacy writes and UpdatePreferences
on `request_id` (send one). UNAVAILABLE is retried everywhere; ABORTED (a conflict between
concurrent resolves) only where it never means anything else. Reads retry UNAVAILABLE too.
ImportRecords waits for the server to be ready (a bulk load outlives a restart); calls on a
channel's hot path do not, they fail fast and let the channel decide.

The JSON is a package resource, printed by `singleview service-config` for clients in other
languages, and used by our own clients through `channel_options()`.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

_RESOURCE = "service_config.json"


@cache
def service_config_json() -> str:
    """The service config as published (JSON text)."""
    return resources.files("singleview.client").joinpath(_RESOURCE).read_text("utf-8")


def service_config() -> dict[str, Any]:
    """The service config, parsed."""
    parsed: dict[str, Any] = json.loads(service_config_json())
    return parsed


def channel_options() -> list[tuple[str, str | int]]:
    """Options for `grpc.insecure_channel` / `secure_channel` that apply the service config."""
    return [
        ("grpc.service_config", json.dumps(service_config(), separators=(",", ":"))),
        ("grpc.enable_retries", 1),
    ]
