"""Domain values to and from the JSON kept in jsonb columns."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from psycopg.types.json import Jsonb

from singleview.domain.identifiers import Identifier, IdentifierKind
from singleview.domain.records import (
    Evidence,
    EvidenceKind,
    GoldenAttributes,
    PersonAttributes,
    PostalAddress,
    SourceRecordRef,
)


def attributes_to_json(attributes: PersonAttributes) -> dict[str, Any]:
    a = attributes.address
    return {
        "given_name": attributes.given_name,
        "family_name": attributes.family_name,
        "full_name": attributes.full_name,
        "birth_date": attributes.birth_date.isoformat() if attributes.birth_date else "",
        "address": {
            "lines": list(a.lines),
            "locality": a.locality,
            "region": a.region,
            "postal_code": a.postal_code,
            "country": a.country,
        },
    }


def attributes_from_json(data: dict[str, Any]) -> PersonAttributes:
    address = data.get("address") or {}
    birth = data.get("birth_date") or ""
    return PersonAttributes(
        given_name=data.get("given_name", ""),
        family_name=data.get("family_name", ""),
        full_name=data.get("full_name", ""),
        birth_date=date.fromisoformat(birth) if birth else None,
        address=PostalAddress(
            lines=tuple(address.get("lines", ())),
            locality=address.get("locality", ""),
            region=address.get("region", ""),
            postal_code=address.get("postal_code", ""),
            country=address.get("country", ""),
        ),
    )


def identifiers_to_json(identifiers: tuple[Identifier, ...]) -> list[list[str]]:
    return [[i.kind.value, i.namespace, i.value] for i in identifiers]


def identifier_columns(identifiers: tuple[Identifier, ...]) -> dict[str, list[str]]:
    """Three parallel arrays, for the `unnest(kinds, namespaces, ids)` queries."""
    return {
        "kinds": [i.kind.value for i in identifiers],
        "namespaces": [i.namespace for i in identifiers],
        "ids": [i.value for i in identifiers],
    }


def identifier_from_row(kind: str, namespace: str, value: str) -> Identifier:
    return Identifier(IdentifierKind(kind), namespace, value)


def identifiers_by_owner(rows: Iterable[Sequence[Any]]) -> dict[str, set[Identifier]]:
    """(owner, kind, namespace, value) rows as owner id (a customer, a household) -> the
    identifiers it holds."""
    found: dict[str, set[Identifier]] = {}
    for owner, kind, namespace, value in rows:
        found.setdefault(owner, set()).add(identifier_from_row(kind, namespace, value))
    return found


def evidence_to_json(evidence: tuple[Evidence, ...]) -> list[dict[str, Any]]:
    out = []
    for e in evidence:
        item: dict[str, Any] = {"kind": e.kind.value, "label": e.label}
        if e.customer_id:
            item["customer_id"] = e.customer_id
        if e.identifier is not None:
            item["identifier"] = [
                e.identifier.kind.value,
                e.identifier.namespace,
                e.identifier.value,
            ]
        if e.field:
            item.update(field=e.field, level=e.level, weight=e.weight)
        out.append(item)
    return out


def evidence_from_json(data: list[dict[str, Any]]) -> tuple[Evidence, ...]:
    return tuple(
        Evidence(
            kind=EvidenceKind(item["kind"]),
            label=item.get("label", ""),
            customer_id=item.get("customer_id", ""),
            identifier=identifier_from_row(*item["identifier"]) if "identifier" in item else None,
            field=item.get("field", ""),
            level=item.get("level", ""),
            weight=float(item.get("weight", 0.0)),
        )
        for item in data
    )


def golden_to_json(golden: GoldenAttributes) -> Jsonb:
    return Jsonb(
        {
            "attributes": attributes_to_json(golden.attributes),
            "sources": {k: [v.source, v.record_id] for k, v in golden.sources.items()},
        }
    )


def golden_from_json(data: dict[str, Any]) -> GoldenAttributes:
    return GoldenAttributes(
        attributes=attributes_from_json(data.get("attributes") or {}),
        sources={k: SourceRecordRef(*v) for k, v in (data.get("sources") or {}).items()},
    )


def content_hash(identifiers: tuple[Identifier, ...], attributes: PersonAttributes) -> str:
    """Equal for two versions that say the same thing, so a retried write changes nothing."""
    canonical = json.dumps(
        [identifiers_to_json(tuple(sorted(identifiers))), attributes_to_json(attributes)],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
