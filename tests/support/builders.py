"""Short, readable request builders for tests."""

from __future__ import annotations

from singleview.v1 import common_pb2, identity_service_pb2


def phone(value: str) -> common_pb2.Identifier:
    return common_pb2.Identifier(kind=common_pb2.IDENTIFIER_KIND_PHONE, value=value)


def email(value: str) -> common_pb2.Identifier:
    return common_pb2.Identifier(kind=common_pb2.IDENTIFIER_KIND_EMAIL, value=value)


def loyalty(programme: str, value: str) -> common_pb2.Identifier:
    return common_pb2.Identifier(
        kind=common_pb2.IDENTIFIER_KIND_LOYALTY_ID, namespace=programme, value=value
    )


def social(platform: str, handle: str) -> common_pb2.Identifier:
    return common_pb2.Identifier(
        kind=common_pb2.IDENTIFIER_KIND_SOCIAL_HANDLE, namespace=platform, value=handle
    )


def device(id_type: str, value: str) -> common_pb2.Identifier:
    return common_pb2.Identifier(
        kind=common_pb2.IDENTIFIER_KIND_DEVICE_ID, namespace=id_type, value=value
    )


def address(
    line: str, locality: str = "Springfield", postal_code: str = "62701", country: str = "US"
) -> common_pb2.PostalAddress:
    return common_pb2.PostalAddress(
        lines=[line], locality=locality, postal_code=postal_code, country=country
    )


def record(
    source: str,
    record_id: str,
    *identifiers: common_pb2.Identifier,
    given_name: str = "",
    family_name: str = "",
    full_name: str = "",
    birth_date: str = "",
    lives_at: common_pb2.PostalAddress | None = None,
) -> identity_service_pb2.ResolveRequest:
    return identity_service_pb2.ResolveRequest(
        source=source,
        record_id=record_id,
        identifiers=list(identifiers),
        attributes=common_pb2.PersonAttributes(
            given_name=given_name,
            family_name=family_name,
            full_name=full_name,
            birth_date=birth_date,
            address=lives_at,
        ),
    )
