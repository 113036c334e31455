"""Specification of the import client's offline half: reading JSONL lines and reporting results.

Every bad line must name its 1-based line number and say what is wrong without repeating the
record's values, because summaries end up in terminals, logs and tickets.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from singleview.client.importer import (
    INVALID_JSON,
    INVALID_REQUEST,
    ImportSummary,
    LineError,
    format_summary,
    parse_lines,
)
from singleview.v1 import common_pb2
from singleview.v1 import identity_service_pb2 as pb

SECRET = "alice.secret@example.com"
"""A value that must never show up in an error message."""


def _parse_one(line: str) -> pb.ResolveRequest | LineError:
    [(line_number, parsed)] = list(parse_lines([line]))
    assert line_number == 1
    return parsed


def _error_of(line: str) -> LineError:
    parsed = _parse_one(line)
    assert isinstance(parsed, LineError), f"expected an error for {line!r}, got {parsed}"
    return parsed


# --- good lines ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        pytest.param(
            '{"source": "crm", "recordId": "r1", "observedAt": "2024-05-01T12:00:00Z",'
            ' "identifiers": [{"kind": "IDENTIFIER_KIND_EMAIL", "value": "a@example.com"}],'
            ' "attributes": {"givenName": "Ada", "address": {"postalCode": "1011"}}}',
            id="camelCase",
        ),
        pytest.param(
            '{"source": "crm", "record_id": "r1", "observed_at": "2024-05-01T12:00:00Z",'
            ' "identifiers": [{"kind": "IDENTIFIER_KIND_EMAIL", "value": "a@example.com"}],'
            ' "attributes": {"given_name": "Ada", "address": {"postal_code": "1011"}}}',
            id="snake_case",
        ),
        pytest.param(
            '{"source": "crm", "recordId": "r1", "observed_at": "2024-05-01T12:00:00Z",'
            ' "identifiers": [{"kind": 2, "value": "a@example.com"}],'
            ' "attributes": {"given_name": "Ada", "address": {"postalCode": "1011"}}}\n',
            id="mixed names, enum by number, trailing newline",
        ),
    ],
)
def test_a_good_line_parses_to_the_same_request_whatever_the_field_spelling(line: str) -> None:
    expected = pb.ResolveRequest(
        source="crm",
        record_id="r1",
        identifiers=[
            common_pb2.Identifier(kind=common_pb2.IDENTIFIER_KIND_EMAIL, value="a@example.com")
        ],
        attributes=common_pb2.PersonAttributes(
            given_name="Ada", address=common_pb2.PostalAddress(postal_code="1011")
        ),
    )
    expected.observed_at.FromJsonString("2024-05-01T12:00:00Z")

    assert _parse_one(line) == expected


def test_null_fields_and_an_empty_object_are_requests_left_for_the_server_to_judge() -> None:
    assert _parse_one('{"source": null}') == pb.ResolveRequest()
    assert _parse_one("{}") == pb.ResolveRequest()


# --- line numbers --------------------------------------------------------------------------


def test_blank_lines_are_skipped_but_still_counted_in_line_numbers() -> None:
    lines = [
        "\n",
        '{"source": "crm", "recordId": "1"}\n',
        "   \t\n",
        "{not json\n",
        "",
        '{"source": "crm", "recordId": "2"}',
    ]

    parsed = list(parse_lines(lines))

    assert [line_number for line_number, _ in parsed] == [2, 4, 6]
    assert isinstance(parsed[0][1], pb.ResolveRequest)
    assert parsed[0][1].record_id == "1"
    assert isinstance(parsed[1][1], LineError)
    assert parsed[1][1].line_number == 4
    assert isinstance(parsed[2][1], pb.ResolveRequest)
    assert parsed[2][1].record_id == "2"


def test_parsing_goes_on_after_every_kind_of_bad_line() -> None:
    lines = ["{", '{"bogus": 1}', "[]", '{"source": "crm"}']

    parsed = list(parse_lines(lines))

    assert [(n, type(item).__name__) for n, item in parsed] == [
        (1, "LineError"),
        (2, "LineError"),
        (3, "LineError"),
        (4, "ResolveRequest"),
    ]


def test_parse_lines_is_lazy_so_a_file_is_never_held_whole() -> None:
    def endless() -> Iterator[str]:
        while True:
            yield '{"source": "crm"}'

    parsed = parse_lines(endless())

    assert next(parsed)[0] == 1
    assert next(parsed)[0] == 2


# --- bad lines -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "reason", "message"),
    [
        # Not JSON at all.
        ("{not json", INVALID_JSON, "not valid JSON: Expecting property name enclosed in"),
        (f'{{"source": "{SECRET}"', INVALID_JSON, "not valid JSON: Expecting ',' delimiter"),
        ("[" * 100_000, INVALID_JSON, "not valid JSON: nested too deeply"),
        ('{"source": "crm\udcff"}', INVALID_JSON, "not valid UTF-8"),
        # JSON, but not an object.
        ("[1, 2]", INVALID_REQUEST, "expected a JSON object, got array"),
        (f'"{SECRET}"', INVALID_REQUEST, "expected a JSON object, got string"),
        ("null", INVALID_REQUEST, "expected a JSON object, got null"),
        # Unknown fields: named by path; a key that is not field-shaped is not echoed.
        ('{"source": "crm", "nickname": "Al"}', INVALID_REQUEST, "nickname: unknown field"),
        (
            f'{{"identifiers": [{{"kind": 2, "value": "{SECRET}", "extra": 1}}]}}',
            INVALID_REQUEST,
            "identifiers[0].extra: unknown field",
        ),
        (f'{{"{SECRET}": 1}}', INVALID_REQUEST, "<key>: unknown field"),
        # Wrong types.
        ('{"source": 5}', INVALID_REQUEST, "source: expected a string, got number"),
        (
            f'{{"identifiers": {{"value": "{SECRET}"}}}}',
            INVALID_REQUEST,
            "identifiers: expected an array, got object",
        ),
        (
            '{"identifiers": [null]}',
            INVALID_REQUEST,
            "identifiers[0]: null is not allowed in an array",
        ),
        (
            '{"attributes": {"givenName": ["Alice"]}}',
            INVALID_REQUEST,
            "attributes.givenName: expected a string, got array",
        ),
        (
            '{"attributes": {"address": {"lines": "1 Main St"}}}',
            INVALID_REQUEST,
            "attributes.address.lines: expected an array, got string",
        ),
        (
            f'{{"identifiers": [{{"kind": "IDENTIFIER_KIND_FAX", "value": "{SECRET}"}}]}}',
            INVALID_REQUEST,
            "identifiers[0].kind: unknown IdentifierKind value",
        ),
        (
            '{"observedAt": "yesterday"}',
            INVALID_REQUEST,
            "observedAt: not an RFC 3339 timestamp",
        ),
        (
            '{"observed_at": 1714564800}',
            INVALID_REQUEST,
            "observed_at: expected an RFC 3339 timestamp string, got number",
        ),
        ('{"source": "\\ud800"}', INVALID_REQUEST, "source: contains an unpaired surrogate"),
        # Valid JSON that json_format.Parse still rejects.
        ('{"source": "a", "source": "b"}', INVALID_REQUEST, "source: duplicate key"),
    ],
)
def test_a_bad_line_says_why_without_quoting_the_record(
    line: str, reason: str, message: str
) -> None:
    error = _error_of(line)

    assert error.line_number == 1
    assert error.reason == reason
    assert error.message.startswith(message), error.message
    assert SECRET not in error.message
    assert "Alice" not in error.message


# --- format_summary ------------------------------------------------------------------------


def _summary(errors: list[LineError], *, imported: int = 7) -> ImportSummary:
    return ImportSummary(
        lines=imported + len(errors),
        imported=imported,
        failed=len(errors),
        decisions={"NEW": 4, "LINKED": 2, "MERGED": 1, "REVIEW": 0, "AMBIGUOUS": 0},
        outcomes={"CREATED": 6, "UPDATED": 1, "UNCHANGED": 0, "STALE": 0},
        errors=errors,
        seconds=2.0,
    )


EMAIL_ERROR = LineError(17, "INVALID_ARGUMENT", "identifiers[0].value: not a valid email address")
JSON_ERROR = LineError(20, INVALID_JSON, "not valid JSON: Expecting value at column 1")


def test_format_summary_lists_counts_decisions_outcomes_rate_then_errors() -> None:
    text = format_summary(_summary([EMAIL_ERROR, JSON_ERROR]))

    assert text.splitlines() == [
        "lines:     9",
        "imported:  7",
        "failed:    2",
        "decisions: NEW 4, LINKED 2, MERGED 1, REVIEW 0, AMBIGUOUS 0",
        "outcomes:  CREATED 6, UPDATED 1, UNCHANGED 0, STALE 0",
        "rate:      4.5 records/s (2.0 s)",
        "errors:",
        "  line 17: INVALID_ARGUMENT: identifiers[0].value: not a valid email address",
        "  line 20: INVALID_JSON: not valid JSON: Expecting value at column 1",
    ]


def test_format_summary_without_errors_has_no_error_section() -> None:
    text = format_summary(_summary([]))

    assert "errors:" not in text
    assert text.splitlines()[-1] == "rate:      3.5 records/s (2.0 s)"


@pytest.mark.parametrize(
    ("failures", "max_errors", "shown", "more"),
    [
        (3, 20, 3, None),
        (25, 20, 20, "  ... and 5 more"),
        (1_500, 20, 20, "  ... and 1,480 more"),
        (2, 0, 0, "  ... and 2 more"),
        (2, 2, 2, None),
    ],
)
def test_format_summary_shows_at_most_max_errors_then_how_many_more(
    failures: int, max_errors: int, shown: int, more: str | None
) -> None:
    errors = [LineError(n, INVALID_JSON, "not valid JSON") for n in range(1, failures + 1)]

    lines = format_summary(_summary(errors), max_errors=max_errors).splitlines()

    assert sum(line.startswith("  line ") for line in lines) == shown
    assert (lines[-1] if lines[-1].startswith("  ...") else None) == more


def test_format_summary_separates_thousands() -> None:
    text = format_summary(_summary([], imported=1_234_567))

    assert "imported:  1,234,567" in text
    assert "rate:      617,283.5 records/s" in text


def test_records_per_second_is_zero_before_any_time_has_passed() -> None:
    summary = _summary([])
    summary.seconds = 0.0

    assert summary.records_per_second() == 0.0
