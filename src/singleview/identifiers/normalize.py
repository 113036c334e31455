"""One entry point that turns what a channel sent into what the service stores."""

from __future__ import annotations

from collections.abc import Callable

from singleview.config import NormalizationSettings
from singleview.domain.identifiers import (
    Identifier,
    IdentifierError,
    IdentifierKind,
    RawIdentifier,
)

from ._text import namespace
from .email import normalize_email
from .handles import (
    normalize_device_id,
    normalize_external_id,
    normalize_handle,
    normalize_loyalty_id,
    normalize_platform,
)
from .phone import normalize_phone

UNKNOWN_KIND = "unknown identifier kind"

_Normalizer = Callable[[RawIdentifier, NormalizationSettings], tuple[str, str]]


def normalize_identifier(raw: RawIdentifier, settings: NormalizationSettings) -> Identifier:
    """The stored form of `raw`: equal results mean the same phone, mailbox, account or card.

    Raises `IdentifierError` whose `part` is "kind", "namespace" or "value" and whose message
    never repeats the input, since it may be logged.
    """
    if raw.kind is None or raw.kind not in _NORMALIZERS:
        raise IdentifierError("kind", UNKNOWN_KIND)
    ns, value = _NORMALIZERS[raw.kind](raw, settings)
    return Identifier(kind=raw.kind, namespace=ns, value=value)


def _phone(raw: RawIdentifier, settings: NormalizationSettings) -> tuple[str, str]:
    """The namespace is ignored: the country code is part of the E.164 value."""
    return "", normalize_phone(raw.value, settings.default_region)


def _email(raw: RawIdentifier, settings: NormalizationSettings) -> tuple[str, str]:
    """The namespace is ignored: the domain is part of the address."""
    return "", normalize_email(raw.value, settings)


def _social_handle(raw: RawIdentifier, settings: NormalizationSettings) -> tuple[str, str]:
    return normalize_platform(raw.namespace), normalize_handle(raw.value)


def _device_id(raw: RawIdentifier, settings: NormalizationSettings) -> tuple[str, str]:
    id_type = namespace(raw.namespace)
    return id_type, normalize_device_id(id_type, raw.value)


def _loyalty_id(raw: RawIdentifier, settings: NormalizationSettings) -> tuple[str, str]:
    return namespace(raw.namespace), normalize_loyalty_id(raw.value)


def _external_id(raw: RawIdentifier, settings: NormalizationSettings) -> tuple[str, str]:
    return namespace(raw.namespace), normalize_external_id(raw.value)


_NORMALIZERS: dict[IdentifierKind, _Normalizer] = {
    IdentifierKind.PHONE: _phone,
    IdentifierKind.EMAIL: _email,
    IdentifierKind.SOCIAL_HANDLE: _social_handle,
    IdentifierKind.DEVICE_ID: _device_id,
    IdentifierKind.LOYALTY_ID: _loyalty_id,
    IdentifierKind.EXTERNAL_ID: _external_id,
}
