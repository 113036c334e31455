"""Households and ambiguous contacts: plain values.

A household links customers who share a generic identifier (a landline, a family mailbox) and an
address or a family name. It is never a merge: each member keeps their own profile and timeline.
When a contact's identifiers point at several members and nothing tells them apart, the answer is
ambiguous: the ranked candidates and the one question that best separates them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from singleview.domain.identifiers import Identifier, IdentifierKind
from singleview.domain.records import Evidence


class MemberRole(enum.Enum):
    """Values are stored in the database."""

    MEMBER = "MEMBER"
    """A person of the household."""
    CONTACT = "CONTACT"
    """A nameless customer holding only household identifiers: whoever called from the landline.
    Its interactions are the household's until re-attributed to a member."""


class MemberOrigin(enum.Enum):
    SHARED_IDENTIFIER = "SHARED_IDENTIFIER"
    STEWARD = "STEWARD"


@dataclass(frozen=True)
class HouseholdMember:
    customer_id: str
    role: MemberRole
    origin: MemberOrigin
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Household:
    id: str
    members: tuple[HouseholdMember, ...]
    identifiers: tuple[Identifier, ...]
    create_time: datetime
    update_time: datetime

    def customer_ids(self, role: MemberRole = MemberRole.MEMBER) -> list[str]:
        return [m.customer_id for m in self.members if m.role is role]


class VerificationAttribute(enum.Enum):
    """What to ask a caller to tell household members apart. Names only the attribute: the
    candidates' values never leave the service."""

    GIVEN_NAME = "GIVEN_NAME"
    BIRTH_DATE = "BIRTH_DATE"
    POSTAL_CODE = "POSTAL_CODE"
    LAST4 = "LAST4"
    """The last four digits of another identifier of `identifier_kind`."""


@dataclass(frozen=True)
class VerificationQuestion:
    attribute: VerificationAttribute
    prompt: str
    identifier_kind: IdentifierKind | None = None
    separates: bool = True
    """False when no attribute tells every candidate apart (the best one only narrows them)."""


@dataclass(frozen=True)
class Last4:
    """The caller's answer to a LAST4 question."""

    kind: IdentifierKind
    digits: str


@dataclass(frozen=True)
class RawLast4:
    """A LAST4 answer as the channel sent it, before validation."""

    kind: IdentifierKind | None
    digits: str


@dataclass(frozen=True)
class Candidate:
    customer_id: str
    score: float
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Ambiguity:
    """Several customers and no clear winner: who they are and what to ask."""

    household_id: str
    candidates: tuple[Candidate, ...]
    question: VerificationQuestion | None


@dataclass(frozen=True)
class MembershipChange:
    """A steward adds or removes a member, or re-attributes the household's interactions."""

    household: str
    customer: str
    reason: str
    request_id: str
    actor: str
