"""Protobuf messages to domain values and back; nothing else here knows the generated classes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from singleview.domain.errors import FieldViolation, InvalidArgument
from singleview.domain.identifiers import Identifier, IdentifierKind, RawIdentifier
from singleview.domain.records import (
    Customer,
    Decision,
    Evidence,
    EvidenceKind,
    PersonAttributes,
    PostalAddress,
    RawPersonAttributes,
    RecordOutcome,
    ResolveInput,
    SourceRecordRef,
)
from singleview.service.names import customer_name
from singleview.v1 import common_pb2, identity_service_pb2

_KIND_FROM_PB = {
    common_pb2.IDENTIFIER_KIND_PHONE: IdentifierKind.PHONE,
    common_pb2.IDENTIFIER_KIND_EMAIL: IdentifierKind.EMAIL,
    common_pb2.IDENTIFIER_KIND_SOCIAL_HANDLE: IdentifierKind.SOCIAL_HANDLE,
    common_pb2.IDENTIFIER_KIND_DEVICE_ID: IdentifierKind.DEVICE_ID,
    common_pb2.IDENTIFIER_KIND_LOYALTY_ID: IdentifierKind.LOYALTY_ID,
    common_pb2.IDENTIFIER_KIND_EXTERNAL_ID: IdentifierKind.EXTERNAL_ID,
}
_KIND_TO_PB = {kind: pb for pb, kind in _KIND_FROM_PB.items()}

DECISION_TO_PB = {
    Decision.NEW: common_pb2.DECISION_NEW,
    Decision.LINKED: common_pb2.DECISION_LINKED,
    Decision.MERGED: common_pb2.DECISION_MERGED,
    Decision.REVIEW: common_pb2.DECISION_REVIEW,
    Decision.AMBIGUOUS: common_pb2.DECISION_AMBIGUOUS,
}
OUTCOME_TO_PB = {
    RecordOutcome.CREATED: identity_service_pb2.RECORD_OUTCOME_CREATED,
    RecordOutcome.UPDATED: identity_service_pb2.RECORD_OUTCOME_UPDATED,
    RecordOutcome.UNCHANGED: identity_service_pb2.RECORD_OUTCOME_UNCHANGED,
    RecordOutcome.STALE: identity_service_pb2.RECORD_OUTCOME_STALE,
}
_EVIDENCE_TO_PB = {
    EvidenceKind.IDENTIFIER_MATCH: common_pb2.EVIDENCE_KIND_IDENTIFIER_MATCH,
    EvidenceKind.SAME_RECORD: common_pb2.EVIDENCE_KIND_SAME_RECORD,
    EvidenceKind.COMPARISON: common_pb2.EVIDENCE_KIND_COMPARISON,
    EvidenceKind.STEWARD_DECISION: common_pb2.EVIDENCE_KIND_STEWARD_DECISION,
}


def identifier_kind(kind: common_pb2.IdentifierKind.ValueType) -> IdentifierKind | None:
    return _KIND_FROM_PB.get(kind)


def identifier_kind_to_pb(kind: IdentifierKind | None) -> common_pb2.IdentifierKind.ValueType:
    return _KIND_TO_PB[kind] if kind is not None else common_pb2.IDENTIFIER_KIND_UNSPECIFIED


def raw_identifiers(identifiers: Iterable[common_pb2.Identifier]) -> tuple[RawIdentifier, ...]:
    return tuple(
        RawIdentifier(_KIND_FROM_PB.get(i.kind), i.namespace, i.value) for i in identifiers
    )


def raw_attributes(attributes: common_pb2.PersonAttributes) -> RawPersonAttributes:
    a = attributes.address
    return RawPersonAttributes(
        given_name=attributes.given_name,
        family_name=attributes.family_name,
        full_name=attributes.full_name,
        birth_date=attributes.birth_date,
        address=PostalAddress(
            lines=tuple(a.lines),
            locality=a.locality,
            region=a.region,
            postal_code=a.postal_code,
            country=a.country,
        ),
    )


def timestamp_to_datetime(timestamp: Timestamp, field_path: str) -> datetime:
    try:
        return timestamp.ToDatetime(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise InvalidArgument([FieldViolation(field_path, "not a valid timestamp")]) from None


def resolve_input(request: identity_service_pb2.ResolveRequest) -> ResolveInput:
    observed_at = (
        timestamp_to_datetime(request.observed_at, "observed_at")
        if request.HasField("observed_at")
        else None
    )
    return ResolveInput(
        source=request.source,
        record_id=request.record_id,
        identifiers=raw_identifiers(request.identifiers),
        attributes=raw_attributes(request.attributes),
        observed_at=observed_at,
    )


def identifier_to_pb(identifier: Identifier) -> common_pb2.Identifier:
    return common_pb2.Identifier(
        kind=_KIND_TO_PB[identifier.kind], namespace=identifier.namespace, value=identifier.value
    )


def attributes_to_pb(attributes: PersonAttributes) -> common_pb2.PersonAttributes:
    a = attributes.address
    return common_pb2.PersonAttributes(
        given_name=attributes.given_name,
        family_name=attributes.family_name,
        full_name=attributes.full_name,
        birth_date=attributes.birth_date.isoformat() if attributes.birth_date else "",
        address=common_pb2.PostalAddress(
            lines=list(a.lines),
            locality=a.locality,
            region=a.region,
            postal_code=a.postal_code,
            country=a.country,
        ),
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def timestamp(value: datetime) -> Timestamp:
    """As `Timestamp.FromDatetime` (a naive datetime is UTC), without its pure-Python
    arithmetic: a GetContext answer carries some forty timestamps."""
    since = (value if value.tzinfo is not None else value.replace(tzinfo=UTC)) - _EPOCH
    return Timestamp(seconds=since.days * 86400 + since.seconds, nanos=since.microseconds * 1000)


def record_ref_to_pb(ref: SourceRecordRef) -> common_pb2.SourceRecordRef:
    return common_pb2.SourceRecordRef(source=ref.source, record_id=ref.record_id)


def customer_to_pb(customer: Customer) -> common_pb2.Customer:
    return common_pb2.Customer(
        name=customer_name(customer.id),
        golden=attributes_to_pb(customer.golden),
        identifiers=[identifier_to_pb(i) for i in customer.identifiers],
        records=[record_ref_to_pb(r) for r in customer.records],
        create_time=timestamp(customer.create_time),
        update_time=timestamp(customer.update_time),
        merged_names=[customer_name(i) for i in customer.merged_ids],
        golden_sources={k: record_ref_to_pb(v) for k, v in customer.golden_sources.items()},
    )


def evidence_to_pb(evidence: Evidence) -> common_pb2.Evidence:
    message = common_pb2.Evidence(
        kind=_EVIDENCE_TO_PB[evidence.kind],
        label=evidence.label,
        customer=customer_name(evidence.customer_id) if evidence.customer_id else "",
        field=evidence.field,
        level=evidence.level,
        weight=evidence.weight,
    )
    if evidence.identifier is not None:
        message.identifier.CopyFrom(identifier_to_pb(evidence.identifier))
    return message
