"""Evidence a steward or a channel can read: which identifiers linked, which were not proof."""

from __future__ import annotations

from singleview.domain.identifiers import Identifier, IdentifierKind
from singleview.domain.records import Evidence, EvidenceKind

_KIND_LABELS = {
    IdentifierKind.PHONE: "phone",
    IdentifierKind.EMAIL: "email",
    IdentifierKind.SOCIAL_HANDLE: "social handle",
    IdentifierKind.DEVICE_ID: "device id",
    IdentifierKind.LOYALTY_ID: "loyalty id",
    IdentifierKind.EXTERNAL_ID: "external id",
}


def describe(identifier: Identifier) -> str:
    kind = _KIND_LABELS[identifier.kind]
    where = f" ({identifier.namespace})" if identifier.namespace else ""
    return f"{kind}{where} {identifier.value}"


def identifier_evidence(shared: dict[str, set[Identifier]]) -> tuple[Evidence, ...]:
    return tuple(
        Evidence(
            kind=EvidenceKind.IDENTIFIER_MATCH,
            label=f"same {describe(identifier)}",
            customer_id=customer_id,
            identifier=identifier,
            level="exact",
        )
        for customer_id in sorted(shared)
        for identifier in sorted(shared[customer_id])
    )


def generic_evidence(
    holders: dict[str, set[Identifier]], generic: frozenset[Identifier]
) -> tuple[Evidence, ...]:
    return tuple(
        Evidence(
            kind=EvidenceKind.IDENTIFIER_MATCH,
            label=f"same {describe(identifier)}, but it is generic: not proof of identity",
            customer_id=customer_id,
            identifier=identifier,
            level="generic",
        )
        for customer_id in sorted(holders)
        for identifier in sorted(holders[customer_id] & generic)
    )


def same_record(customer_id: str) -> Evidence:
    return Evidence(
        EvidenceKind.SAME_RECORD,
        "this source record already belonged to the customer",
        customer_id=customer_id,
    )
