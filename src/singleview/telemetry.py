"""OpenTelemetry for singleview: providers from the standard OTEL_* variables, the instruments
the service layer records into, and JSON logs that carry the trace id.

Why it looks like this:
- Operators configure telemetry the way they do for every other service (OTEL_SERVICE_NAME,
  OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_TRACES_EXPORTER=console, ...), so nothing here invents
  settings beyond SINGLEVIEW_TELEMETRY_FILE (where the console exporters write, as JSON lines).
- With no exporter configured nothing is installed: the OpenTelemetry API's no-op providers
  cost next to nothing, so the resolve path never pays for telemetry nobody reads.
- The service layer records through the module-level instruments below, obtained from the API's
  proxy meter and tracer: they start recording once `install` sets real providers, and tests can
  install in-memory ones the same way.
- No personal data in any span attribute or metric label: stage spans carry counts and decision
  kinds; SQL spans carry the parameterized statement only (parameters are never captured).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    ConsoleMetricExporter,
    MetricExporter,
    MetricReader,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)

log = logging.getLogger(__name__)

INSTRUMENTATION = "singleview"
tracer = trace.get_tracer(INSTRUMENTATION)
meter = metrics.get_meter(INSTRUMENTATION)

RPC_DURATION = meter.create_histogram(
    "rpc.server.duration", unit="ms", description="gRPC call latency by method and status code"
)
DECISIONS = meter.create_counter(
    "singleview.resolve.decisions", description="Resolve decisions by kind (NEW, LINKED, ...)"
)
MERGES = meter.create_counter(
    "singleview.customers.merged", description="Customers merged away, by origin"
)
SPLITS = meter.create_counter(
    "singleview.customers.split", description="Steward splits of a customer"
)
GENERIC_IDENTIFIERS = meter.create_counter(
    "singleview.identifiers.generic_found",
    description="Identifiers newly found generic (shared by many people), by kind",
)
WATCHERS = meter.create_up_down_counter(
    "singleview.watchers.connected", description="WatchCustomer streams open in this process"
)


@dataclass(frozen=True)
class TelemetrySettings:
    """What the OTEL_* variables ask for, reduced to the choices singleview makes."""

    traces: tuple[str, ...] = ()
    """Span exporters to install: `otlp`, `console`."""

    metrics: tuple[str, ...] = ()
    """Metric exporters to install: `otlp`, `console`."""

    console_file: Path | None = None
    """Where console exporters write (JSON lines); stdout when None."""

    metric_interval_ms: int = 60000
    """OTEL_METRIC_EXPORT_INTERVAL: how often metrics are exported."""

    @property
    def enabled(self) -> bool:
        return bool(self.traces or self.metrics)


def _exporters(env: Mapping[str, str], signal: str) -> tuple[str, ...]:
    """OTLP when an endpoint is set (unless the variable says otherwise), console when asked."""
    endpoint = env.get("OTEL_EXPORTER_OTLP_ENDPOINT") or env.get(
        f"OTEL_EXPORTER_OTLP_{signal.upper()}_ENDPOINT"
    )
    named = env.get(f"OTEL_{signal.upper()}_EXPORTER", "").strip().lower()
    if named:
        chosen = {part.strip() for part in named.split(",") if part.strip()} - {"none"}
        return tuple(sorted(e for e in chosen if e != "otlp" or endpoint))
    return ("otlp",) if endpoint else ()


def settings_from_env(env: Mapping[str, str]) -> TelemetrySettings:
    """Read OTEL_* (and SINGLEVIEW_TELEMETRY_FILE) once, in the composition root."""
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return TelemetrySettings()
    file = env.get("SINGLEVIEW_TELEMETRY_FILE", "").strip()
    return TelemetrySettings(
        traces=_exporters(env, "traces"),
        metrics=_exporters(env, "metrics"),
        console_file=Path(file) if file else None,
        metric_interval_ms=int(env.get("OTEL_METRIC_EXPORT_INTERVAL", "60000")),
    )


def _json_line(item: Any) -> str:
    return json.dumps(json.loads(item.to_json()), separators=(",", ":")) + "\n"


def _span_exporter(name: str, out: IO[str]) -> SpanExporter:
    if name == "console":
        return ConsoleSpanExporter(out=out, formatter=_json_line)
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


def _metric_exporter(name: str, out: IO[str]) -> MetricExporter:
    if name == "console":
        return ConsoleMetricExporter(out=out, formatter=_json_line)
    from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter

    return OTLPMetricExporter()


@dataclass
class Telemetry:
    """The installed providers; `shutdown()` flushes what is buffered on the way out."""

    tracer_provider: TracerProvider
    meter_provider: MeterProvider

    def shutdown(self) -> None:
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()


def install(tracer_provider: TracerProvider, meter_provider: MeterProvider) -> Telemetry:
    """Make these the process's providers and trace every SQL statement psycopg sends.

    Statements are recorded as the parameterized SQL text (`db.statement`); parameter values
    are never captured and no sqlcommenter comment is added.
    """
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor

    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(meter_provider)
    instrumentor = PsycopgInstrumentor()
    if not instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.instrument(
            tracer_provider=tracer_provider, capture_parameters=False, enable_commenter=False
        )
    return Telemetry(tracer_provider, meter_provider)


def configure(settings: TelemetrySettings) -> Telemetry | None:
    """Install providers for the configured exporters; None (and nothing installed) when off."""
    if not settings.enabled:
        return None
    resource = Resource.create({"service.name": "singleview"})  # OTEL_SERVICE_NAME overrides
    out: IO[str] = (
        settings.console_file.open("a", encoding="utf-8", buffering=1)
        if settings.console_file
        else sys.stdout
    )
    tracer_provider = TracerProvider(resource=resource)
    for name in settings.traces:
        exporter = _span_exporter(name, out)
        processor = SimpleSpanProcessor if name == "console" else BatchSpanProcessor
        tracer_provider.add_span_processor(processor(exporter))
    readers: list[MetricReader] = [
        PeriodicExportingMetricReader(
            _metric_exporter(name, out), export_interval_millis=settings.metric_interval_ms
        )
        for name in settings.metrics
    ]
    log.info(
        "telemetry on: traces %s, metrics %s",
        ",".join(settings.traces) or "none",
        ",".join(settings.metrics) or "none",
    )
    return install(tracer_provider, MeterProvider(resource=resource, metric_readers=readers))


class JsonFormatter(logging.Formatter):
    """One JSON object a line, with the trace and span ids of the current span (if any), so a
    log line leads to its trace. Redaction stays a handler filter (redaction.py) and runs first."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            entry["trace_id"] = format(context.trace_id, "032x")
            entry["span_id"] = format(context.span_id, "016x")
        if record.exc_text or record.exc_info:
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)  # type: ignore[arg-type]
        return json.dumps(entry, ensure_ascii=False)
