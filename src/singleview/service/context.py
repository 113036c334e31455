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

from collections.abc import Sequence
from datetime import UTC, datetime

from singleview.domain.clienteling import Preferences
from singleview.domain.errors import Aborted, NotFound
from singleview.domain.identifiers import Identifier
from singleview.domain.records import Customer, Decision, Evidence, LookupResult
from singleview.domain.timeline import (
    Channel,
    ContactPressure,
    Context,
    ContextQuery,
    Conversation,
)
from singleview.service.households import household_contacts
from singleview.service.names import parse_customer_name
from singleview.service.preferences import choose_reply_channel
from singleview.service.resolve import ResolveService
from singleview.service.timeline_settings import TimelineSettings
from singleview.store import customers as customer_store
from singleview.store import timeline as store
from singleview.store.context import ContextWindows, CustomerTimeline, customer_context_read
from singleview.store.database import Connection, Database
from singleview.store.sql import Batch, Pending, Read, run

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


NAMED_READ_ATTEMPTS = 3
"""Reads of a named customer's view and timeline before giving up: each retry follows a merge
that committed between the two."""


class ContextReader:
    def __init__(
        self, database: Database, resolver: ResolveService, settings: TimelineSettings
    ) -> None:
        self.database = database
        self.resolver = resolver
        self.settings = settings

    async def get_context(self, request: ContextQuery) -> Context:
        """One connection, and usually one round trip: the timeline of the identifiers' first
        holder is read with the lookup's candidates (it is the answer when one customer holds
        them); only when the answer is someone else is it read again, for them."""
        if request.customer:
            customer_id = parse_customer_name(request.customer, "customer")
            return await self._for_named(request.customer, customer_id, request.channel)
        asked = self.resolver.check_lookup(request.identifiers, request.attributes, request.last4)
        ahead = Pending(self._timeline_read(request.channel, holding=asked.identifiers))
        async with self.database.connection() as conn:
            found = await self.resolver.lookup_checked(conn, asked, riders=[ahead])
            if found.customer is None or found.decision is Decision.REVIEW:
                return await self._unknown(conn, found)
            timeline = ahead.value if ahead.done else None
            if timeline is None or timeline.customer_id != found.customer.id:
                timeline = await run(
                    conn, self._timeline_read(request.channel, customer_id=found.customer.id)
                )
            if timeline is None:
                raise Aborted("the customer changed during the lookup; retry")
            return self._context(found.customer, found.decision, found.evidence, timeline)

    async def _unknown(self, conn: Connection, found: LookupResult) -> Context:
        """No one for sure: no member's history, only the household's own open conversations
        (contacts nobody has named yet), so every channel sees the call in progress."""
        conversations: tuple[Conversation, ...] = ()
        if found.household_id:
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

    def _timeline_read(
        self,
        channel: Channel | None,
        *,
        customer_id: str = "",
        holding: Sequence[Identifier] = (),
    ) -> Read[CustomerTimeline | None]:
        """What GetContext shows of the customer (or of the first holder of `holding`), as of
        now: the same conversations `_resumable_read` finds, live contacts on other channels
        than the caller's, recent interactions, pressure and reply-channel facts."""
        s = self.settings
        now = datetime.now(UTC)
        windows = ContextWindows(
            open_since=now - s.conversation_window,
            closed_since=now - s.reopen_window,
            active_since=now - s.active_contact_window,
            pressure_since=now - s.pressure_window,
            except_channel=channel,
            conversations=s.max_open_conversations,
            active=s.max_active_contacts,
            recent=s.recent_interactions,
            preference_keys=PREFERENCE_KEYS,
            history=REPLY_HISTORY,
        )
        return customer_context_read(windows, customer_id=customer_id, holding=holding)

    async def _for_named(self, name: str, customer_id: str, channel: Channel | None) -> Context:
        """The name's live customer and its timeline in one round trip when the name is a live
        customer's (the usual case); a merged-away name's survivor's timeline is read in a
        second. The view follows the name in one statement; a merge committing between the view
        and the timeline is read again, not answered as an unknown customer."""
        async with self.database.connection() as conn:
            for _ in range(NAMED_READ_ATTEMPTS):
                async with Batch(conn) as batch:
                    views = batch.add(customer_store.live_customer_views_read([customer_id]))
                    ahead = batch.add(self._timeline_read(channel, customer_id=customer_id))
                customer = views.value.get(customer_id)
                if customer is None:
                    raise NotFound(
                        "no such customer", reason="CUSTOMER_NOT_FOUND", metadata={"customer": name}
                    )
                timeline = ahead.value
                if customer.id != customer_id:
                    timeline = await run(
                        conn, self._timeline_read(channel, customer_id=customer.id)
                    )
                if timeline is not None and timeline.customer_id == customer.id:
                    return self._context(customer, Decision.LINKED, (), timeline)
        raise Aborted("the customer changed during the read; retry")

    def _context(
        self,
        customer: Customer,
        decision: Decision,
        evidence: tuple[Evidence, ...],
        timeline: CustomerTimeline,
    ) -> Context:
        summaries, facts = timeline.conversations, timeline.facts
        return Context(
            known=True,
            decision=decision,
            customer=customer,
            evidence=evidence,
            open_conversations=tuple(summary.conversation for summary in summaries),
            active_contacts=tuple(timeline.active),
            recent_interactions=tuple(timeline.recent),
            reply_channel=_reply_channel(facts.stated, timeline.preferences, facts.recent_channels),
            pressure=_pressure(self.settings, facts, summaries),
            household_id=timeline.household_id,
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
