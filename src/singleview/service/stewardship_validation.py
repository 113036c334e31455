"""Names and request checks of stewardship: every violation reported at once, by proto path."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from singleview.config import Limits
from singleview.domain.errors import FieldViolation, InvalidArgument, ViolationCollector
from singleview.domain.households import MembershipChange
from singleview.domain.records import SourceRecordRef
from singleview.domain.stewardship import (
    AuditQuery,
    DecideInput,
    MergeInput,
    ReviewVerdict,
    SplitInput,
)
from singleview.service.names import parse_customer_name
from singleview.service.timeline_validation import check_conversation_id
from singleview.service.validation import check_text

_REVIEW_TASK_NAME = re.compile(r"^reviewTasks/([0-9a-z]{1,64})$")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:~-]{0,127}$")
MAX_MERGED = 20
"""Customers one MergeCustomers may name: a steward merges a few, not a crowd."""
MAX_SPLIT_RECORDS = 500


_HOUSEHOLD_NAME = re.compile(r"^households/([0-9a-z]{1,64})$")


def parse_household_name(name: str, field_path: str = "household") -> str:
    """The id in `households/{id}`; INVALID_ARGUMENT naming `field_path` otherwise."""
    match = _HOUSEHOLD_NAME.match(name)
    if match is None:
        description = "required" if not name else "must look like households/{household_id}"
        raise InvalidArgument([FieldViolation(field_path, description)])
    return match.group(1)


@dataclass(frozen=True)
class ValidMembership:
    household_id: str
    customer_id: str
    reason: str
    request_id: str
    actor: str
    conversation_ids: tuple[str, ...] = ()


def validate_membership(
    change: MembershipChange, limits: Limits, conversations: Sequence[str] = ()
) -> ValidMembership:
    """A steward's household change: names, a reason, an optional request_id."""
    errors = ViolationCollector()
    household_id = ""
    try:
        household_id = parse_household_name(change.household)
    except InvalidArgument as exc:
        errors.violations += exc.violations
    customer_id = _customer_id(errors, "customer", change.customer)
    reason = _reason(errors, change.reason, limits)
    request_id = _request_id(errors, change.request_id)
    if len(conversations) > MAX_SPLIT_RECORDS:
        errors.add("conversations", f"at most {MAX_SPLIT_RECORDS} conversations")
    ids = tuple(
        check_conversation_id(errors, f"conversations[{n}]", c) for n, c in enumerate(conversations)
    )
    errors.raise_if_any()
    return ValidMembership(household_id, customer_id, reason, request_id, change.actor, ids)


def review_task_name(task_id: str) -> str:
    return f"reviewTasks/{task_id}"


def audit_event_name(event_id: int) -> str:
    return f"auditEvents/{event_id}"


def parse_review_task_name(name: str, field_path: str = "name") -> str:
    match = _REVIEW_TASK_NAME.match(name)
    if match is None:
        description = "required" if not name else "must look like reviewTasks/{review_task_id}"
        raise InvalidArgument([FieldViolation(field_path, description)])
    return match.group(1)


def _customer_id(errors: ViolationCollector, path: str, name: str) -> str:
    try:
        return parse_customer_name(name, path)
    except InvalidArgument as exc:
        errors.violations += exc.violations
        return ""


def _reason(errors: ViolationCollector, reason: str, limits: Limits) -> str:
    return check_text(errors, "reason", reason, limits.max_string_length, required=True)


def _request_id(errors: ViolationCollector, request_id: str) -> str:
    """Optional (AIP-155): a UUID is best; any short token of safe characters is accepted."""
    if request_id and _REQUEST_ID.match(request_id) is None:
        errors.add("request_id", "at most 128 letters, digits and . _ : ~ -, starting alnum")
    return request_id


def fingerprint(method: str, fields: dict[str, Any]) -> str:
    """Identifies what a request asks for, so a request_id reused for another request is caught."""
    canonical = json.dumps([method, fields], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ValidDecide:
    task_id: str
    verdict: ReviewVerdict
    reason: str
    request_id: str
    etag: str
    actor: str


def validate_decide(request: DecideInput, limits: Limits) -> ValidDecide:
    errors = ViolationCollector()
    task_id = ""
    try:
        task_id = parse_review_task_name(request.name)
    except InvalidArgument as exc:
        errors.violations += exc.violations
    if request.verdict is None:
        errors.add("verdict", "required: VERDICT_SAME, VERDICT_DIFFERENT or VERDICT_UNSURE")
    reason = _reason(errors, request.reason, limits)
    request_id = _request_id(errors, request.request_id)
    if len(request.etag) > 64:
        errors.add("etag", "not an etag this service returned")
    errors.raise_if_any()
    assert request.verdict is not None
    return ValidDecide(task_id, request.verdict, reason, request_id, request.etag, request.actor)


@dataclass(frozen=True)
class ValidMerge:
    customer_ids: tuple[str, ...]
    reason: str
    request_id: str
    actor: str


def validate_merge(request: MergeInput, limits: Limits) -> ValidMerge:
    errors = ViolationCollector()
    if len(request.names) < 2:
        errors.add("names", "name at least two customers to merge")
    elif len(request.names) > MAX_MERGED:
        errors.add("names", f"at most {MAX_MERGED} customers per merge")
    ids: list[str] = []
    for index, name in enumerate(request.names[:MAX_MERGED]):
        customer_id = _customer_id(errors, f"names[{index}]", name)
        if customer_id and customer_id in ids:
            errors.add(f"names[{index}]", "named twice")
        ids.append(customer_id)
    reason = _reason(errors, request.reason, limits)
    request_id = _request_id(errors, request.request_id)
    errors.raise_if_any()
    return ValidMerge(tuple(ids), reason, request_id, request.actor)


@dataclass(frozen=True)
class ValidSplit:
    customer_id: str
    records: tuple[SourceRecordRef, ...]
    reason: str
    request_id: str
    actor: str


def validate_split(request: SplitInput, limits: Limits) -> ValidSplit:
    errors = ViolationCollector()
    customer_id = _customer_id(errors, "name", request.name)
    if not request.records:
        errors.add("records", "name at least one record to split off")
    elif len(request.records) > MAX_SPLIT_RECORDS:
        errors.add("records", f"at most {MAX_SPLIT_RECORDS} records per split")
    refs: dict[SourceRecordRef, None] = {}
    size = limits.max_name_length
    for index, ref in enumerate(request.records[:MAX_SPLIT_RECORDS]):
        path = f"records[{index}]"
        source = check_text(errors, f"{path}.source", ref.source, size, required=True)
        record_id = check_text(errors, f"{path}.record_id", ref.record_id, size, required=True)
        if SourceRecordRef(source, record_id) in refs:
            errors.add(path, "named twice")
        refs[SourceRecordRef(source, record_id)] = None
    reason = _reason(errors, request.reason, limits)
    request_id = _request_id(errors, request.request_id)
    errors.raise_if_any()
    return ValidSplit(customer_id, tuple(refs), reason, request_id, request.actor)


def check_customer_filter(errors: ViolationCollector, path: str, name: str) -> str | None:
    """The id of an optional `customers/{id}` filter; None when none is given."""
    return _customer_id(errors, path, name) if name else None


def validate_audit_query(
    errors: ViolationCollector, query: AuditQuery, limits: Limits
) -> str | None:
    """The customer id of a ListAuditEvents filter (None for every customer)."""
    check_text(errors, "actor", query.actor, limits.max_name_length)
    return check_customer_filter(errors, "customer", query.customer)
