"""Client side of `singleview import FILE.jsonl`: stream a JSONL file through ImportRecords.

Each line of the file is one `singleview.v1.ResolveRequest` in proto JSON. Lines are parsed and
sent one at a time from a generator, so a file is never held in memory whole; of the requests
only those in flight are remembered, to map each result's stream index back to its file line.

A bad line fails alone: it is reported with its line number and the rest of the file goes on.
Messages this module writes itself name fields and positions but never quote record content
(identifier values, names), because summaries end up in terminals, logs and tickets.
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TextIO

import grpc
from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor
from google.protobuf.timestamp_pb2 import Timestamp
from tqdm import tqdm

from singleview.client.channel import ClientTls, open_channel
from singleview.client.service_config import channel_options
from singleview.v1 import common_pb2
from singleview.v1 import identity_service_pb2 as pb
from singleview.v1 import identity_service_pb2_grpc as pb_grpc

INVALID_JSON = "INVALID_JSON"
"""Reason of a line that is not JSON at all (or not UTF-8)."""

INVALID_REQUEST = "INVALID_REQUEST"
"""Reason of a line that is JSON but not a ResolveRequest: unknown field, wrong type."""

NO_RESULT = "NO_RESULT"
"""Reason of a sent line the server never answered although the stream ended normally."""

_TIMESTAMP = Timestamp.DESCRIPTOR.full_name
# A JSON key is echoed in a message only if it looks like a field name, so that a record value
# mistakenly used as a key ("alice@example.com": ...) is never repeated back.
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_READ_CHUNK = 1 << 20


@dataclass(frozen=True)
class LineError:
    """Why one line of the file was not imported."""

    line_number: int
    """1-based line in the file."""
    reason: str
    """INVALID_JSON, INVALID_REQUEST, or the server's ErrorInfo reason (INVALID_ARGUMENT, ...)."""
    message: str
    """Human readable, with field violations ("identifiers[0].value: not a valid email ...")."""


@dataclass
class ImportSummary:
    """What an import did; `imported + failed == lines` once the stream completed."""

    lines: int
    """Non-blank lines read: each one is a record that was either imported or failed."""
    imported: int
    failed: int
    decisions: dict[str, int]
    """Decision name without its prefix ("NEW", "LINKED", ...) -> count of imported lines."""
    outcomes: dict[str, int]
    """Record outcome name without its prefix ("CREATED", ...) -> count of imported lines."""
    errors: list[LineError] = field(default_factory=list)
    """Every failed line, in file order."""
    seconds: float = 0.0

    def records_per_second(self) -> float:
        """Throughput over every line handled, failed ones included, as the user waits for all."""
        return self.lines / self.seconds if self.seconds > 0 else 0.0


class ImportFailed(Exception):
    """The stream as a whole failed (server unreachable, stream aborted); lines may be missing.

    `summary` holds what was answered before the failure, so a caller can report partial work.
    The message names the target and the status code, never record content.
    """

    def __init__(
        self,
        message: str,
        *,
        target: str,
        code: grpc.StatusCode | None,
        summary: ImportSummary,
    ) -> None:
        super().__init__(message)
        self.target = target
        self.code = code
        self.summary = summary


# --- parsing -------------------------------------------------------------------------------


def parse_lines(lines: Iterable[str]) -> Iterator[tuple[int, pb.ResolveRequest | LineError]]:
    """Parse JSONL lazily: (line number, request or error) per non-blank line.

    Blank lines are skipped silently, as JSONL writers often end with one; a bad line yields a
    LineError and parsing goes on, so one typo never costs the rest of the file.
    """
    for line_number, line in enumerate(lines, start=1):
        if line.strip():
            yield line_number, _parse_line(line, line_number)


def _parse_line(line: str, line_number: int) -> pb.ResolveRequest | LineError:
    """The two steps of `json_format.Parse`, split to tell bad JSON from a bad request.

    Telling them apart this way needs no parsing of protobuf's error text, which moreover may
    quote record values and so is never shown.
    """
    try:
        document = _load_json(line)
    except _InvalidJson as exc:
        return LineError(line_number, INVALID_JSON, str(exc))
    except _InvalidRequest as exc:
        return LineError(line_number, INVALID_REQUEST, str(exc))
    if isinstance(document, dict):  # ParseDict would take "" or [] for an empty request
        try:
            return json_format.ParseDict(document, pb.ResolveRequest())
        except Exception:  # ParseDict lets TypeError & co. through; Parse wraps them all
            pass
    problem = _find_problem(document, pb.ResolveRequest.DESCRIPTOR, "")
    return LineError(line_number, INVALID_REQUEST, problem or "not a valid ResolveRequest")


class _InvalidJson(ValueError):
    """The line is not JSON; the message says where, never what."""


class _InvalidRequest(ValueError):
    """The line is JSON that json_format.Parse would still reject (duplicate keys)."""


def _load_json(line: str) -> object:
    """json.loads with Parse's duplicate-key check and a content-free error message."""
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        # The file is decoded with surrogateescape, so undecodable bytes show up here.
        raise _InvalidJson("not valid UTF-8") from None
    try:
        return json.loads(line, object_pairs_hook=_object_without_duplicates)
    except json.JSONDecodeError as exc:
        raise _InvalidJson(f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise _InvalidJson("not valid JSON: nested too deeply") from None


def _object_without_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """Reject duplicate keys as json_format.Parse does: which value wins would be a guess."""
    document: dict[str, object] = {}
    for key, value in pairs:
        if key in document:
            raise _InvalidRequest(f"{_shown_key(key)}: duplicate key")
        document[key] = value
    return document


# --- describing why a JSON object is not a ResolveRequest ----------------------------------


def _find_problem(value: object, descriptor: Descriptor, path: str) -> str | None:
    """The first field of `value` that ParseDict rejects, as "path: problem", or None.

    Only run after ParseDict failed, to explain it without quoting values. It knows the field
    kinds ResolveRequest uses (messages, Timestamp, enums, strings); for anything else it gives
    up with None and the caller falls back to a generic message.
    """
    if not isinstance(value, dict):
        return _at(path, f"expected a JSON object, got {_json_type(value)}")
    for key, item in value.items():
        field_path = _join(path, _shown_key(key))
        field_descriptor = _field_named(descriptor, key)
        if field_descriptor is None:
            problem: str | None = _at(field_path, "unknown field")
        elif item is None:
            problem = None  # null means "default" for every field ResolveRequest has
        elif field_descriptor.is_repeated:
            problem = _find_problem_in_list(item, field_descriptor, field_path)
        else:
            problem = _find_problem_in_value(item, field_descriptor, field_path)
        if problem is not None:
            return problem
    return None


def _find_problem_in_list(value: object, field: FieldDescriptor, path: str) -> str | None:
    if not isinstance(value, list):
        return _at(path, f"expected an array, got {_json_type(value)}")
    for index, item in enumerate(value):
        item_path = f"{path}[{index}]"
        problem = (
            _at(item_path, "null is not allowed in an array")
            if item is None
            else _find_problem_in_value(item, field, item_path)
        )
        if problem is not None:
            return problem
    return None


def _find_problem_in_value(value: object, field: FieldDescriptor, path: str) -> str | None:
    if field.message_type is not None:
        if field.message_type.full_name == _TIMESTAMP:
            return _timestamp_problem(value, path)
        if field.message_type.GetOptions().map_entry:
            return None
        return _find_problem(value, field.message_type, path)
    if field.enum_type is not None:
        return _enum_problem(value, field.enum_type, path)
    if field.type == FieldDescriptor.TYPE_STRING:
        return _string_problem(value, path)
    return None


def _timestamp_problem(value: object, path: str) -> str | None:
    if not isinstance(value, str):
        return _at(path, f"expected an RFC 3339 timestamp string, got {_json_type(value)}")
    try:
        Timestamp().FromJsonString(value)
    except ValueError:
        return _at(path, "not an RFC 3339 timestamp (like 2024-05-01T12:00:00Z)")
    return None


def _enum_problem(value: object, enum: EnumDescriptor, path: str) -> str | None:
    if isinstance(value, str):
        return None if value in enum.values_by_name else _at(path, f"unknown {enum.name} value")
    if isinstance(value, int) and not isinstance(value, bool):
        return None
    return _at(path, f"expected a {enum.name} name, got {_json_type(value)}")


def _string_problem(value: object, path: str) -> str | None:
    if not isinstance(value, str):
        return _at(path, f"expected a string, got {_json_type(value)}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _at(path, "contains an unpaired surrogate escape")
    return None


def _field_named(descriptor: Descriptor, key: str) -> FieldDescriptor | None:
    """Look a key up the way json_format does: JSON (camelCase) name first, then proto name."""
    for candidate in descriptor.fields:
        if candidate.json_name == key:
            return candidate
    return descriptor.fields_by_name.get(key)


def _shown_key(key: str) -> str:
    return key if _FIELD_NAME.fullmatch(key) else "<key>"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _at(path: str, problem: str) -> str:
    return f"{path}: {problem}" if path else problem


def _json_type(value: object) -> str:
    """The JSON name of a decoded value's type: says what was wrong without showing it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


# --- reading the file ----------------------------------------------------------------------


def _count_lines(path: Path) -> int:
    """Lines in the file, as the reader will number them, without decoding anything."""
    count = 0
    last = b""
    with path.open("rb") as file:
        while chunk := file.read(_READ_CHUNK):
            count += chunk.count(b"\n")
            last = chunk
    return count + (1 if last and not last.endswith(b"\n") else 0)


def _read_lines(file: BinaryIO) -> Iterator[str]:
    """Decode lines lazily, split on \\n only so line numbers match editors and `wc -l`.

    Text mode would also split on a lone \\r. Undecodable bytes are kept as surrogates and the
    parser reports such a line instead of one bad byte failing the whole import; a UTF-8 byte
    order mark on the first line is dropped.
    """
    with file:
        for index, raw in enumerate(file):
            line = raw.decode("utf-8", errors="surrogateescape")
            yield line.removeprefix("\ufeff") if index == 0 else line


# --- importing -----------------------------------------------------------------------------


class _Feed:
    """The request side of the stream; gRPC iterates `requests()` on its own thread.

    Remembers which file line each in-flight request came from (stream index -> line number)
    and forgets it once answered, so memory stays bounded by what the server has not answered.
    """

    def __init__(self, file: BinaryIO) -> None:
        self._file = file
        self._parsed = parse_lines(_read_lines(file))
        self._lock = threading.Lock()
        self._pending: dict[int, int] = {}
        self._sent = 0
        self._last_line = 0
        self._stopped = False
        self.lines = 0
        self.parse_errors: list[LineError] = []
        self.read_error: Exception | None = None

    def requests(self) -> Iterator[pb.ResolveRequest]:
        try:
            for line_number, item in self._parsed:
                request = self._accept(line_number, item)
                if request is not None:
                    yield request
        except Exception as exc:
            if self._stopped:
                return  # stop() closed the file under us: the stream is over anyway
            # gRPC only logs it and cancels the call; keep it so the caller sees the real cause.
            self.read_error = exc
            raise

    def stop(self) -> None:
        """Close the file from the caller's thread once the stream is over, however it ended.

        After a failed stream gRPC leaves the generator suspended, so it would never close the
        file itself; a read racing with this close ends the generator quietly.
        """
        self._stopped = True
        self._file.close()

    def _accept(
        self, line_number: int, item: pb.ResolveRequest | LineError
    ) -> pb.ResolveRequest | None:
        with self._lock:
            self._last_line = line_number
            self.lines += 1
            if isinstance(item, LineError):
                self.parse_errors.append(item)
                return None
            self._pending[self._sent] = line_number
            self._sent += 1
            return item

    def answered(self, index: int) -> int | None:
        """The line number of the request at stream `index`, or None if it was never sent."""
        with self._lock:
            return self._pending.pop(index, None)

    def lines_done(self) -> int:
        """Lines read so far minus those still waiting for an answer: the progress position."""
        with self._lock:
            return self._last_line - len(self._pending)

    def parse_error_count(self) -> int:
        with self._lock:
            return len(self.parse_errors)

    def unanswered(self) -> list[int]:
        with self._lock:
            return sorted(self._pending.values())


class _Tally:
    """Counts the server's results; lives on the caller's thread only."""

    def __init__(self) -> None:
        self.imported = 0
        self.decisions = _zero_counts(common_pb2.Decision.DESCRIPTOR)
        self.outcomes = _zero_counts(pb.RecordOutcome.DESCRIPTOR)
        self.errors: list[LineError] = []

    def add(self, line_number: int, result: pb.ImportResult) -> None:
        if result.HasField("error"):
            self.errors.append(_result_error(line_number, result.error))
            return
        self.imported += 1
        _bump(self.decisions, _enum_label(common_pb2.Decision.DESCRIPTOR, result.decision))
        _bump(self.outcomes, _enum_label(pb.RecordOutcome.DESCRIPTOR, result.outcome))

    def summary(self, feed: _Feed, seconds: float, *, complete: bool) -> ImportSummary:
        """Combine both sides; a sent line left unanswered by a completed stream is a failure."""
        missing = feed.unanswered() if complete else []
        no_result = [
            LineError(n, NO_RESULT, "the server sent no result for this line") for n in missing
        ]
        errors = sorted([*feed.parse_errors, *self.errors, *no_result], key=lambda e: e.line_number)
        return ImportSummary(
            lines=feed.lines,
            imported=self.imported,
            failed=len(errors),
            decisions=dict(self.decisions),
            outcomes=dict(self.outcomes),
            errors=errors,
            seconds=seconds,
        )


def _zero_counts(enum: EnumDescriptor) -> dict[str, int]:
    """Every known value at zero, in declaration order, so summaries always list them all."""
    return {_enum_label(enum, value.number): 0 for value in enum.values if value.number != 0}


def _enum_label(enum: EnumDescriptor, number: int) -> str:
    """The value's name without the enum's prefix ("DECISION_NEW" -> "NEW").

    A number this client does not know (a newer server) is counted under the number itself.
    """
    value = enum.values_by_number.get(number)
    if value is None:
        return str(number)
    prefix = enum.values[0].name.removesuffix("UNSPECIFIED")  # proto style: FOO_UNSPECIFIED = 0
    return value.name.removeprefix(prefix)


def _bump(counts: dict[str, int], key: str) -> None:
    counts[key] = counts.get(key, 0) + 1


def _result_error(line_number: int, error: pb.ImportError) -> LineError:
    """The server's error for one line, its field violations spelled out."""
    violations = "; ".join(f"{v.field}: {v.description}" for v in error.field_violations)
    if not violations:
        message = error.message or "failed"
    elif not error.message or error.message == violations:
        message = violations
    else:
        message = f"{error.message}: {violations}"
    return LineError(line_number, error.reason or error.code or "UNKNOWN", message)


class _Progress:
    """A tqdm bar over file lines on `stream`, or nothing at all when disabled."""

    def __init__(self, total: int | None, stream: TextIO, *, enabled: bool) -> None:
        self._bar = tqdm(
            total=total,
            unit=" lines",
            file=stream,
            disable=not enabled,
            dynamic_ncols=True,
        )
        self._enabled = enabled
        self._shown = 0
        self._failed = 0

    def advance_to(self, done: int, failed: int) -> None:
        if not self._enabled:
            return
        if failed != self._failed:
            self._failed = failed
            self._bar.set_postfix(failed=failed, refresh=False)
        if done > self._shown:
            self._bar.update(done - self._shown)
            self._shown = done

    def close(self) -> None:
        self._bar.close()


def import_file(
    path: Path,
    target: str,
    *,
    metadata: Sequence[tuple[str, str]] = (),
    progress: bool = True,
    stream: TextIO = sys.stderr,
    tls: ClientTls | None = None,
) -> ImportSummary:
    """Stream every line of `path` through IdentityService.ImportRecords on `target`.

    Bad lines are counted as failed and never sent. Raises ImportFailed if the stream itself
    fails (server unreachable, aborted), and OSError if the file cannot be read.
    """
    feed = _Feed(path.open("rb"))  # opened first: a missing file fails before any connection
    try:
        total = _count_lines(path) if progress else None
        bar = _Progress(total, stream, enabled=progress)
        try:
            return _import(feed, target, tls, metadata, bar, total)
        finally:
            bar.close()
    finally:
        feed.stop()


def _import(
    feed: _Feed,
    target: str,
    tls: ClientTls | None,
    metadata: Sequence[tuple[str, str]],
    bar: _Progress,
    total: int | None,
) -> ImportSummary:
    """Run the stream and turn a failure of the stream as a whole into ImportFailed."""
    tally = _Tally()
    started = time.monotonic()
    try:
        with open_channel(target, tls, channel_options()) as channel:
            _wait_until_reachable(channel, target, tally.summary(feed, 0, complete=False))
            _stream(pb_grpc.IdentityServiceStub(channel), feed, tally, bar, metadata)
    except grpc.RpcError as exc:
        if feed.read_error is not None:
            raise feed.read_error from exc
        partial = tally.summary(feed, time.monotonic() - started, complete=False)
        raise _import_failed(target, exc, partial) from exc
    except _UnknownIndex as exc:
        partial = tally.summary(feed, time.monotonic() - started, complete=False)
        message = f"import to {target} failed: {exc}"
        raise ImportFailed(message, target=target, code=None, summary=partial) from None
    summary = tally.summary(feed, time.monotonic() - started, complete=True)
    bar.advance_to(total or 0, summary.failed)
    return summary


CONNECT_TIMEOUT_SECONDS = 10.0
"""How long an import waits for the server to accept a connection before it gives up. Once
connected, the service config's waitForReady lets a retried stream wait out a restart."""


def _wait_until_reachable(channel: grpc.Channel, target: str, nothing: ImportSummary) -> None:
    try:
        grpc.channel_ready_future(channel).result(timeout=CONNECT_TIMEOUT_SECONDS)
    except grpc.FutureTimeoutError:
        message = (
            f"import to {target} failed: no server answered within {CONNECT_TIMEOUT_SECONDS:g} s"
        )
        raise ImportFailed(
            message, target=target, code=grpc.StatusCode.UNAVAILABLE, summary=nothing
        ) from None


class _UnknownIndex(Exception):
    """The server answered an index that was never sent, or twice: results can't be mapped."""


def _stream(
    stub: pb_grpc.IdentityServiceStub,
    feed: _Feed,
    tally: _Tally,
    bar: _Progress,
    metadata: Sequence[tuple[str, str]],
) -> None:
    """Send the feed and count each result against the line it answers."""
    results = stub.ImportRecords(feed.requests(), metadata=tuple(metadata))
    for result in results:
        line_number = feed.answered(result.index)
        if line_number is None:
            raise _UnknownIndex(f"the server answered unknown stream index {result.index}")
        tally.add(line_number, result)
        bar.advance_to(feed.lines_done(), len(tally.errors) + feed.parse_error_count())


def _import_failed(target: str, error: grpc.RpcError, partial: ImportSummary) -> ImportFailed:
    """A message naming the target, the status code and the server's (content-free) details."""
    code = error.code() if isinstance(error, grpc.Call) else None
    details = error.details() if isinstance(error, grpc.Call) else None
    status = code.name if code is not None else "an unknown status"
    message = f"import to {target} failed with {status}"
    if details:
        message += f": {details}"
    if partial.imported:
        message += f" ({partial.imported:,} lines were imported before)"
    return ImportFailed(message, target=target, code=code, summary=partial)


# --- reporting -----------------------------------------------------------------------------


def format_summary(summary: ImportSummary, max_errors: int = 20) -> str:
    """A multi-line report: counts, decisions, outcomes, rate, then the first failed lines."""
    rows = [
        ("lines", f"{summary.lines:,}"),
        ("imported", f"{summary.imported:,}"),
        ("failed", f"{summary.failed:,}"),
        ("decisions", _format_counts(summary.decisions)),
        ("outcomes", _format_counts(summary.outcomes)),
        ("rate", f"{summary.records_per_second():,.1f} records/s ({summary.seconds:,.1f} s)"),
    ]
    lines = [f"{label + ':':<11}{value}" for label, value in rows]
    if summary.errors:
        lines.append("errors:")
        lines.extend(f"  {_format_error(error)}" for error in summary.errors[: max(max_errors, 0)])
        hidden = len(summary.errors) - max(max_errors, 0)
        if hidden > 0:
            lines.append(f"  ... and {hidden:,} more")
    return "\n".join(lines)


def _format_counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count:,}" for name, count in counts.items()) or "none"


def _format_error(error: LineError) -> str:
    return f"line {error.line_number}: {error.reason}: {error.message}"
