"""Checks every request before anything is written, collecting all field violations at once."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime

from singleview.config import Limits, NormalizationSettings
from singleview.domain.errors import ViolationCollector
from singleview.domain.households import Last4, RawLast4
from singleview.domain.identifiers import Identifier, IdentifierError, RawIdentifier
from singleview.domain.records import (
    PersonAttributes,
    PostalAddress,
    RawPersonAttributes,
    ResolveInput,
    SourceRecord,
    SourceRecordRef,
)
from singleview.identifiers import normalize_identifier

_EARLIEST_BIRTH_YEAR = 1880


def _has_control_characters(value: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value)


def check_text(
    errors: ViolationCollector, path: str, value: str, max_length: int, *, required: bool = False
) -> str:
    """Trimmed `value`, after recording why it is unacceptable, if it is."""
    text = value.strip()
    if required and not text:
        errors.add(path, "required")
    elif len(value) > max_length:
        errors.add(path, f"longer than {max_length} characters")
    elif _has_control_characters(value):
        errors.add(path, "contains control characters")
    return text


def check_identifiers(
    errors: ViolationCollector,
    raw_identifiers: Sequence[RawIdentifier],
    limits: Limits,
    normalization: NormalizationSettings,
    path: str = "identifiers",
) -> tuple[Identifier, ...]:
    """Normalized, de-duplicated identifiers, in the order first seen."""
    if len(raw_identifiers) > limits.max_identifiers:
        errors.add(path, f"at most {limits.max_identifiers} identifiers per request")
        return ()
    normalized: dict[Identifier, None] = {}
    for index, raw in enumerate(raw_identifiers):
        item = f"{path}[{index}]"
        if len(raw.value) > limits.max_string_length:
            errors.add(f"{item}.value", f"longer than {limits.max_string_length} characters")
            continue
        if len(raw.namespace) > limits.max_name_length:
            errors.add(f"{item}.namespace", f"longer than {limits.max_name_length} characters")
            continue
        try:
            normalized[normalize_identifier(raw, normalization)] = None
        except IdentifierError as exc:
            errors.add(f"{item}.{exc.part}", exc.message)
    return tuple(normalized)


def check_last4(errors: ViolationCollector, raw: RawLast4 | None) -> Last4 | None:
    """The answer to a LAST4 question: a kind and exactly four digits; None when not given."""
    if raw is None or (raw.kind is None and not raw.digits):
        return None
    digits_ok = len(raw.digits) == 4 and raw.digits.isascii() and raw.digits.isdigit()
    if raw.kind is None:
        errors.add("last4.kind", "required with last4.digits")
    if not digits_ok:
        errors.add("last4.digits", "must be exactly four digits")
    if raw.kind is None or not digits_ok:
        return None
    return Last4(raw.kind, raw.digits)


def check_birth_date(errors: ViolationCollector, path: str, value: str, today: date) -> date | None:
    text = value.strip()
    if not text:
        return None
    try:
        if len(text) != 10:
            raise ValueError(text)
        born = date.fromisoformat(text)
    except ValueError:
        errors.add(path, "must be a date written YYYY-MM-DD")
        return None
    if born > today or born.year < _EARLIEST_BIRTH_YEAR:
        errors.add(path, f"must be between {_EARLIEST_BIRTH_YEAR}-01-01 and today")
        return None
    return born


def check_address(
    errors: ViolationCollector, path: str, address: PostalAddress, limits: Limits
) -> PostalAddress:
    if len(address.lines) > limits.max_address_lines:
        errors.add(f"{path}.lines", f"at most {limits.max_address_lines} lines")
        return PostalAddress()
    size = limits.max_string_length
    lines = tuple(
        check_text(errors, f"{path}.lines[{i}]", line, size) for i, line in enumerate(address.lines)
    )
    return PostalAddress(
        lines=tuple(line for line in lines if line),
        locality=check_text(errors, f"{path}.locality", address.locality, size),
        region=check_text(errors, f"{path}.region", address.region, size),
        postal_code=check_text(errors, f"{path}.postal_code", address.postal_code, size),
        country=check_text(errors, f"{path}.country", address.country, size),
    )


def check_attributes(
    errors: ViolationCollector, path: str, raw: RawPersonAttributes, limits: Limits, today: date
) -> PersonAttributes:
    size = limits.max_name_length
    return PersonAttributes(
        given_name=check_text(errors, f"{path}.given_name", raw.given_name, size),
        family_name=check_text(errors, f"{path}.family_name", raw.family_name, size),
        full_name=check_text(errors, f"{path}.full_name", raw.full_name, size),
        birth_date=check_birth_date(errors, f"{path}.birth_date", raw.birth_date, today),
        address=check_address(errors, f"{path}.address", raw.address, limits),
    )


def validate_resolve_input(
    request: ResolveInput,
    limits: Limits,
    normalization: NormalizationSettings,
    now: datetime | None = None,
) -> SourceRecord:
    """A trusted, normalized source record, or INVALID_ARGUMENT with every violation."""
    now = now or datetime.now(UTC)
    errors = ViolationCollector()
    source = check_text(errors, "source", request.source, limits.max_name_length, required=True)
    record_id = check_text(
        errors, "record_id", request.record_id, limits.max_name_length, required=True
    )
    identifiers = check_identifiers(errors, request.identifiers, limits, normalization)
    attributes = check_attributes(errors, "attributes", request.attributes, limits, now.date())
    if not request.identifiers and attributes.is_empty() and not errors.violations:
        errors.add("identifiers", "a record needs at least one identifier or person attribute")
    errors.raise_if_any()
    return SourceRecord(
        ref=SourceRecordRef(source, record_id),
        identifiers=identifiers,
        attributes=attributes,
        observed_at=request.observed_at or now,
    )


def check_page_size(errors: ViolationCollector, page_size: int, limits: Limits) -> int:
    if page_size < 0:
        errors.add("page_size", "must not be negative")
        return 0
    if page_size == 0:
        return limits.default_page_size
    return min(page_size, limits.max_page_size)
