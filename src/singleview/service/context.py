"""GetContext: who is this, and what is already going on, in one read-only call.

It writes nothing, not even for a stranger: identifiers are looked up the way Resolve would
link them (ResolveService.lookup), and an unknown or uncertain caller (DECISION_NEW or
DECISION_REVIEW) gets `known=false` and no timeline, because showing a maybe-wrong person's
history to a channel is worse than showing none.

A household's contacts (calls from the shared landline nobody has named yet) are the
household's: a member's context also shows their open conversations, and an ambiguous caller
(DECISION_AMBIGUOUS) gets only those, with the candidates and the question to ask.

"Open conversations" are the conversations the caller's next contact would continue: OPEN ones
active within the conversation window, and ones CLOSED within the reopen window (a bot closed
its chat a minute ago and a human agent takes the call: the agent must see that conversation).
The same set decides `repeat_contact` and the "with an open conversation" part of `escalate`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from singleview.domain.clienteling import Preferences
from singleview.domain.errors import NotFound
from singleview.domain.records import Customer, Decision, Evidence, LookupResult
from singleview.domain.timeline import (
    Channel,
    ContactPressure,
    Context,
    ContextQuery,
    Conversation,
    InteractionFilter,
)
from singleview.service.households import household_contacts, household_of
from singleview.service.names import parse_customer_name
from singleview.service.preferences import choose_reply_channel
from singleview.service.resolve import ResolveService
from singleview.service.timeline_settings import TimelineSettings
from singleview.store import customers as customer_store
from singleview.store import preferences as preference_store
from singleview.store import timeline as store
from singleview.store.database import Connection, Database
from singleview.store.sql import Batch, Read, run

PREFERENCE_KEYS = ("preferred_channel", "reply_channel", "preferred_reply_channel")
"""Interaction attributes through which a customer states the channel they want answers on."""

REPLY_HISTORY = 50
"""Latest inbound contacts whose channels are reply candidates when no preference is stated."""

_CHANNEL_ALIASES = {"PHONE": Channel.VOICE, "CALL": Channel.VOICE, "TEXT": Channel.SMS}


def parse_channel(text: str) -> Channel | None:
    """`CHANNEL_EMAIL`, `EMAIL` or `email` (and a few aliases) as a Channel; None otherwise."""
    name = text.strip().upper().removeprefix("CHANNEL_")
    try:
        return Channel(name)
    except ValueError:
        return _CHANNEL_ALIASES.get(name)


def _pressure(
    settings: TimelineSettings,
    facts: store.ContactFacts,
    conversations: list[store.ConversationSummary],
) -> ContactPressure:
    """Contacts and channels in the window; escalate over either limit (channels only while a
    conversation is open, since several channels about nothing ongoing is not pressure)."""
    contacts, channels = facts.inbound_contacts, facts.inbound_channels
    return ContactPressure(
        contacts_24h=contacts,
        channels_24h=channels,
        repeat_contact=any(summary.inbound_count > 1 for summary in conversations),
        escalate=contacts >= settings.escalate_contacts
        or (channels >= settings.escalate_channels and bool(conversations)),
    )


class ContextReader:
    def __init__(
        self, database: Database, resolver: ResolveService, settings: TimelineSettings
    ) -> None:
        self.database = database
        self.resolver = resolver
        self.settings = settings

    async def get_context(self, request: ContextQuery) -> Context:
        if request.customer:
            customer_id = parse_customer_name(request.customer, "customer")
            return await self._for_named(request.customer, customer_id, request.channel)
        found = await self.resolver.lookup(request.identifiers, request.attributes, request.last4)
        if found.customer is None or found.decision is Decision.REVIEW:
            return await self._unknown(found)
        async with self.database.connection() as conn:
            return await self._context(
                conn, found.customer, found.decision, found.evidence, request.channel
            )

    async def _unknown(self, found: LookupResult) -> Context:
        """No one for sure: no member's history, only the household's own open conversations
        (contacts nobody has named yet), so every channel sees the call in progress."""
        conversations: tuple[Conversation, ...] = ()
        if found.household_id:
            async with self.database.connection() as conn:
                contacts = await household_contacts(conn, found.household_id)
                conversations = tuple(s.conversation for s in await self._resumable(conn, contacts))
        return Context(
            known=False,
            decision=found.decision,
            evidence=found.evidence,
            open_conversations=conversations,
            household_id=found.household_id,
            ambiguity=found.ambiguity,
        )

    async def _resumable(self, conn: Connection, ids: list[str]) -> list[store.ConversationSummary]:
        if not ids:
            return []
        return await run(conn, self._resumable_read(ids, datetime.now(UTC)))

    def _resumable_read(
        self, ids: list[str], now: datetime
    ) -> Read[list[store.ConversationSummary]]:
        """The conversations a new contact of these customers would continue."""
        s = self.settings
        return store.resumable_conversations_read(
            ids,
            open_since=now - s.conversation_window,
            closed_since=now - s.reopen_window,
            limit=s.max_open_conversations,
        )

    async def _for_named(self, name: str, customer_id: str, channel: Channel | None) -> Context:
        async with self.database.connection() as conn:
            live = (await customer_store.resolve_names(conn, [customer_id])).get(customer_id)
            customers = await customer_store.load_customers(conn, [live]) if live else {}
            if live is None or live not in customers:
                raise NotFound(
                    "no such customer", reason="CUSTOMER_NOT_FOUND", metadata={"customer": name}
                )
            return await self._context(conn, customers[live], Decision.LINKED, (), channel)

    async def _context(
        self,
        conn: Connection,
        customer: Customer,
        decision: Decision,
        evidence: tuple[Evidence, ...],
        channel: Channel | None,
    ) -> Context:
        s = self.settings
        now = datetime.now(UTC)
        # The customer and every name merged into it (the view lists them): a timeline is
        # whole even while a merge has not moved every row yet.
        ids = [customer.id, *customer.merged_ids]
        # A household member also sees the household's open conversations (its contacts').
        household_id, contacts = await household_of(conn, customer.id)
        async with Batch(conn) as batch:  # one round trip for everything below
            summaries = batch.add(self._resumable_read([*ids, *contacts], now))
            active = batch.add(
                store.active_interactions_read(
                    ids, now - s.active_contact_window, channel, s.max_active_contacts
                )
            )
            recent = batch.add(
                store.list_interactions_read(ids, InteractionFilter(), None, s.recent_interactions)
            )
            facts = batch.add(
                store.contact_facts_read(
                    ids, now - s.pressure_window, PREFERENCE_KEYS, REPLY_HISTORY
                )
            )
            preferences = batch.add(preference_store.preferences_read(ids))
        return Context(
            known=True,
            decision=decision,
            customer=customer,
            evidence=evidence,
            open_conversations=tuple(summary.conversation for summary in summaries.value),
            active_contacts=tuple(active.value),
            recent_interactions=tuple(recent.value),
            reply_channel=_reply_channel(
                facts.value.stated, preferences.value, facts.value.recent_channels
            ),
            pressure=_pressure(s, facts.value, summaries.value),
            household_id=household_id,
        )


def _reply_channel(
    stated_attributes: list[dict[str, str]], preferences: Preferences, recent: list[Channel]
) -> Channel | None:
    """The preferred channel the customer stated (UpdatePreferences), else one stated in an
    interaction's attributes, else the channel they reached out on most recently; never a
    channel they said not to be contacted on (service/preferences.py)."""
    stated = [
        channel
        for attributes in stated_attributes
        for key in PREFERENCE_KEYS
        if (channel := parse_channel(attributes.get(key, ""))) is not None
    ]
    return choose_reply_channel(preferences, stated, recent)
