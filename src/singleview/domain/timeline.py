"""The timeline: interactions, the conversations they form, and the context a channel asks for.

Plain values only. Enum values are the stable names stored in the database, so a renamed Python
member never rewrites history.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from singleview.domain.errors import DomainError
from singleview.domain.households import Ambiguity, RawLast4
from singleview.domain.identifiers import RawIdentifier
from singleview.domain.records import Customer, Decision, Evidence, RawPersonAttributes


class Channel(enum.Enum):
    VOICE = "VOICE"
    CHAT = "CHAT"
    EMAIL = "EMAIL"
    SMS = "SMS"
    SOCIAL = "SOCIAL"
    APP = "APP"
    WEB = "WEB"
    STORE = "STORE"
    VIDEO = "VIDEO"


class Direction(enum.Enum):
    """Who started the contact; pressure counts only what the customer started (INBOUND)."""

    INBOUND = "INBOUND"
    OUTBOUND = "OUTBOUND"


class InteractionState(enum.Enum):
    OPEN = "OPEN"
    WAITING = "WAITING"
    CLOSED = "CLOSED"
    ABANDONED = "ABANDONED"
    DROPPED = "DROPPED"

    @property
    def is_active(self) -> bool:
        """Someone is on this contact right now (talking, typing, or on hold)."""
        return self in (InteractionState.OPEN, InteractionState.WAITING)


ACTIVE_STATES: tuple[InteractionState, ...] = (InteractionState.OPEN, InteractionState.WAITING)


class Handler(enum.Enum):
    HUMAN = "HUMAN"
    BOT = "BOT"
    SELF_SERVICE = "SELF_SERVICE"


class ConversationState(enum.Enum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"


@dataclass(frozen=True)
class InteractionDraft:
    """What a channel says about an interaction, before validation; None means "not given"."""

    channel: Channel | None = None
    direction: Direction | None = None
    occur_time: datetime | None = None
    summary: str = ""
    conversation_id: str = ""
    agent_id: str = ""
    team_id: str = ""
    store_id: str = ""
    state: InteractionState | None = None
    handler: Handler | None = None
    transcript: str = ""
    outcome: str = ""
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class InteractionContent:
    """A validated interaction, as it is written: defaults applied, text trimmed."""

    channel: Channel
    direction: Direction
    state: InteractionState
    handler: Handler | None
    occur_time: datetime
    summary: str = ""
    transcript: str = ""
    outcome: str = ""
    agent_id: str = ""
    team_id: str = ""
    store_id: str = ""
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordInteractionInput:
    """A RecordInteraction request: who (a customer name or identifiers) and what happened."""

    source: str
    source_event_id: str
    customer: str
    identifiers: tuple[RawIdentifier, ...]
    interaction: InteractionDraft


@dataclass(frozen=True)
class InteractionUpdate:
    """An UpdateInteraction request: `paths` say which fields of `interaction` to apply."""

    name: str
    interaction: InteractionDraft
    paths: tuple[str, ...]
    request_id: str = ""


@dataclass(frozen=True)
class InteractionFilter:
    """ListInteractions filters; empty tuples and None mean "any"."""

    channels: tuple[Channel, ...] = ()
    states: tuple[InteractionState, ...] = ()
    start_time: datetime | None = None
    end_time: datetime | None = None
    conversation_id: str = ""


@dataclass(frozen=True)
class ListInteractionsInput:
    parent: str
    page_size: int
    page_token: str
    filter: InteractionFilter


@dataclass(frozen=True)
class Interaction:
    """One stored event on a customer's timeline."""

    id: str
    seq: int
    customer_id: str
    conversation_id: str
    source: str
    source_event_id: str
    channel: Channel
    direction: Direction
    state: InteractionState
    handler: Handler | None
    occur_time: datetime
    summary: str
    transcript: str
    outcome: str
    agent_id: str
    team_id: str
    store_id: str
    attributes: Mapping[str, str]
    create_time: datetime
    update_time: datetime

    def content(self) -> InteractionContent:
        """The writable part, so an update can be applied to it and compared with it."""
        return InteractionContent(
            channel=self.channel,
            direction=self.direction,
            state=self.state,
            handler=self.handler,
            occur_time=self.occur_time,
            summary=self.summary,
            transcript=self.transcript,
            outcome=self.outcome,
            agent_id=self.agent_id,
            team_id=self.team_id,
            store_id=self.store_id,
            attributes=dict(self.attributes),
        )


@dataclass(frozen=True)
class RecordedInteraction:
    """What RecordInteraction answers: the stored interaction and how its customer was found."""

    interaction: Interaction
    customer_id: str
    decision: Decision
    replayed: bool = False
    household_id: str = ""
    """DECISION_AMBIGUOUS: the household whose interaction this is until re-attributed."""


@dataclass(frozen=True)
class InteractionPage:
    interactions: list[Interaction]
    next_page_token: str


@dataclass(frozen=True)
class Conversation:
    """The interactions about one customer issue, across channels, summarized for a channel."""

    id: str
    customer_id: str
    state: ConversationState
    start_time: datetime
    last_activity: datetime
    close_time: datetime | None
    channels: tuple[Channel, ...]
    interaction_count: int
    latest: Interaction | None


@dataclass(frozen=True)
class ContactPressure:
    """How hard the customer is trying to reach the company right now."""

    contacts_24h: int = 0
    channels_24h: int = 0
    repeat_contact: bool = False
    escalate: bool = False


@dataclass(frozen=True)
class ContextQuery:
    """A GetContext request: a customer name, or identifiers and attributes, and who asks."""

    customer: str
    identifiers: tuple[RawIdentifier, ...]
    attributes: RawPersonAttributes
    channel: Channel | None
    last4: RawLast4 | None = None
    """The answer to a LAST4 verification question."""


@dataclass(frozen=True)
class Context:
    """What a channel needs to know before it responds; `known` is False for a stranger."""

    known: bool
    decision: Decision
    customer: Customer | None = None
    evidence: tuple[Evidence, ...] = ()
    open_conversations: tuple[Conversation, ...] = ()
    active_contacts: tuple[Interaction, ...] = ()
    recent_interactions: tuple[Interaction, ...] = ()
    reply_channel: Channel | None = None
    pressure: ContactPressure = field(default_factory=ContactPressure)
    household_id: str = ""
    ambiguity: Ambiguity | None = None
    """DECISION_AMBIGUOUS: the candidates and the question that separates them."""


class CustomerEventKind(enum.Enum):
    INTERACTION_RECORDED = "INTERACTION_RECORDED"
    INTERACTION_UPDATED = "INTERACTION_UPDATED"
    CONVERSATION_OPENED = "CONVERSATION_OPENED"
    CONVERSATION_CLOSED = "CONVERSATION_CLOSED"
    CUSTOMER_MERGED = "CUSTOMER_MERGED"
    CUSTOMER_SPLIT = "CUSTOMER_SPLIT"
    PROFILE_CHANGED = "PROFILE_CHANGED"
    CUSTOMER_ERASED = "CUSTOMER_ERASED"


@dataclass(frozen=True)
class CustomerEvent:
    """What happened to a customer: ids and a kind only, so it may travel through NOTIFY.

    `interaction` is filled in by the process that delivers the event to a watcher.
    """

    kind: CustomerEventKind
    customer_id: str
    event_time: datetime
    interaction_id: str = ""
    conversation_id: str = ""
    related_customer_ids: tuple[str, ...] = ()
    interaction: Interaction | None = None


class ResourceExhausted(DomainError):
    """Too many of something this process bounds (watch streams); retry later or elsewhere."""

    code = "RESOURCE_EXHAUSTED"
    reason = "RESOURCE_EXHAUSTED"
