"""Identifiers as channels send them and as the service stores them."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class IdentifierKind(enum.Enum):
    """The kinds of identifier; values are the stable names stored in the database."""

    PHONE = "PHONE"
    EMAIL = "EMAIL"
    SOCIAL_HANDLE = "SOCIAL_HANDLE"
    DEVICE_ID = "DEVICE_ID"
    LOYALTY_ID = "LOYALTY_ID"
    EXTERNAL_ID = "EXTERNAL_ID"


@dataclass(frozen=True)
class RawIdentifier:
    """An identifier as a channel saw it: not yet trusted, not yet normalized."""

    kind: IdentifierKind | None
    namespace: str
    value: str


@dataclass(frozen=True)
class Identifier:
    """A normalized identifier: two equal values mean the same phone, mailbox, card...

    `namespace` is empty for PHONE and EMAIL, the platform for SOCIAL_HANDLE, the id type for
    DEVICE_ID, the programme for LOYALTY_ID and the system for EXTERNAL_ID.
    """

    kind: IdentifierKind
    namespace: str
    value: str

    def key(self) -> str:
        """A single string that is equal exactly when the identifiers are equal."""
        return f"{self.kind.value}\x1f{self.namespace}\x1f{self.value}"

    def __lt__(self, other: Identifier) -> bool:
        """Sorted by kind name, namespace, value: a stable order for evidence and hashing."""
        return self.key() < other.key()


class IdentifierError(ValueError):
    """A value that cannot be normalized; `part` is `kind`, `namespace` or `value`."""

    def __init__(self, part: str, message: str) -> None:
        super().__init__(message)
        self.part = part
        self.message = message
