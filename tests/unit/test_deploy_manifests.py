"""deploy/ is validated, not eyeballed: every Kubernetes manifest against the Kubernetes
schemas that `kubernetes-validate` ships (strict: unknown fields fail), compose.yaml against the
compose specification's schema that `check-jsonschema` ships; both offline."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
KUBERNETES_VERSION = "1.33.0"
MANIFESTS = sorted(p for p in KUBERNETES.glob("*.yaml") if p.name != "kustomization.yaml")


def _documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text("utf-8")) if doc]


def _kinds() -> dict[str, dict[str, Any]]:
    return {doc["kind"]: doc for path in MANIFESTS for doc in _documents(path)}


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_each_manifest_is_valid_kubernetes(path: Path) -> None:
    for document in _documents(path):
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_the_deployment_probes_grpc_health_and_the_job_migrates() -> None:
    kinds = _kinds()
    assert {
        "ConfigMap",
        "Secret",
        "Job",
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
    } <= set(kinds)
    container = kinds["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert container[probe]["grpc"]["port"] == 50051
    job = kinds["Job"]["spec"]["template"]["spec"]["containers"][0]
    assert job["args"] == ["migrate"]
    listed = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text("utf-8"))["resources"]
    assert sorted(listed) == [p.name for p in MANIFESTS]


def test_compose_file_follows_the_compose_specification() -> None:
    schema = json.loads(
        resources.files("check_jsonschema.builtin_schemas.vendor")
        .joinpath("compose-spec.json")
        .read_text("utf-8")
    )
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text("utf-8"))
    jsonschema.validate(compose, schema)
    services = compose["services"]
    assert {"postgres", "migrate", "singleview-1", "singleview-2", "otel-collector"} <= set(
        services
    )
    collector = yaml.safe_load((DEPLOY / "otel-collector.yaml").read_text("utf-8"))
    assert collector["service"]["pipelines"]["traces"]["receivers"] == ["otlp"]
