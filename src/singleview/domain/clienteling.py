"""Clienteling: search hits, preferences and consents, store visits and the profile card.

Plain values only. Enum values are the stable names stored in the database.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from singleview.domain.identifiers import Identifier, RawIdentifier
from singleview.domain.records import Customer, Decision
from singleview.domain.timeline import Channel, Interaction


@dataclass(frozen=True)
class SearchMatch:
    """One customer a search found: how well the query matches it, and why."""

    customer: Customer
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class SearchPage:
    matches: list[SearchMatch]
    next_page_token: str


class ConsentLevel(enum.Enum):
    """How far a customer allows contact on one channel."""

    MARKETING = "MARKETING"
    """Marketing and service messages."""

    SERVICE = "SERVICE"
    """Service messages only: answers, orders, appointments."""

    DO_NOT_CONTACT = "DO_NOT_CONTACT"
    """Nothing at all on this channel."""


@dataclass(frozen=True)
class ChannelConsent:
    channel: Channel
    level: ConsentLevel
    given_time: datetime
    source: str
    """Where the customer said so: "store/042", "web-signup"."""


@dataclass(frozen=True)
class Preferences:
    """What a customer stated about being contacted; empty when nothing was stated."""

    preferred_channel: Channel | None = None
    preferred_channel_time: datetime | None = None
    preferred_channel_source: str = ""
    consents: tuple[ChannelConsent, ...] = ()
    update_time: datetime | None = None

    def consent_for(self, channel: Channel) -> ConsentLevel | None:
        return next((c.level for c in self.consents if c.channel is channel), None)

    def forbids(self, channel: Channel) -> bool:
        """Whether the customer said never to contact them on `channel`."""
        return self.consent_for(channel) is ConsentLevel.DO_NOT_CONTACT


@dataclass(frozen=True)
class ConsentDraft:
    """One consent of an UpdatePreferences request; None level withdraws the statement."""

    channel: Channel | None
    level: ConsentLevel | None
    given_time: datetime | None = None
    source: str = ""


@dataclass(frozen=True)
class PreferencesUpdate:
    """An UpdatePreferences request; `paths` say which fields to apply (empty: those set)."""

    customer: str
    preferred_channel: Channel | None
    consents: tuple[ConsentDraft, ...]
    source: str
    given_time: datetime | None
    paths: tuple[str, ...]
    request_id: str = ""
    actor: str = "clienteling"
    """Who asks, for the audit row: the caller's name once requests are authenticated."""


class VisitOutcome(enum.Enum):
    """How a store visit ended; the value is stored as the interaction's outcome."""

    PURCHASE = "PURCHASE"
    NO_PURCHASE = "NO_PURCHASE"
    RETURN = "RETURN"
    EXCHANGE = "EXCHANGE"
    APPOINTMENT_BOOKED = "APPOINTMENT_BOOKED"
    SERVICE_COMPLETED = "SERVICE_COMPLETED"
    FOLLOW_UP_NEEDED = "FOLLOW_UP_NEEDED"


PURCHASE_OUTCOME = VisitOutcome.PURCHASE.value
"""The interaction outcome that makes an interaction of any channel a purchase on the card."""


@dataclass(frozen=True)
class StoreVisit:
    store_id: str
    associate_id: str = ""
    purpose: str = ""
    outcome: VisitOutcome | None = None
    notes: str = ""
    visit_time: datetime | None = None
    ongoing: bool = False


@dataclass(frozen=True)
class RecordVisitInput:
    """A RecordVisit request: who (a customer name or identifiers) and the visit."""

    source: str
    visit_id: str
    customer: str
    identifiers: tuple[RawIdentifier, ...]
    visit: StoreVisit


@dataclass(frozen=True)
class RecordedVisit:
    interaction: Interaction
    customer_id: str
    decision: Decision


@dataclass(frozen=True)
class ProfileCard:
    """What a store associate needs to serve the customer in front of them, in one read."""

    preferences: Preferences
    loyalty_ids: tuple[Identifier, ...] = ()
    recent_purchases: tuple[Interaction, ...] = ()
    store_visits: tuple[Interaction, ...] = ()
    latest_contacts: tuple[Interaction, ...] = ()
    masked: bool = False


@dataclass(frozen=True)
class CustomerCard:
    """GetCustomer with the card view: the customer and its card, read together."""

    customer: Customer
    card: ProfileCard
