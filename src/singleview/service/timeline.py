"""The timeline: record what a channel handled, update it, list it, and answer GetContext.

RecordInteraction is idempotent on (source, source_event_id): the event is advisory-locked and
looked up first, so a replay (even a concurrent one) answers with the stored interaction. The
customer is named by the channel or found by resolving the contact's identifiers as a source
record `contact:{hash}` of the channel's source, so an unknown contact becomes a customer and its
identifiers link exactly as Resolve links them, and a later split carries the interaction along
with that record. Timeline writes of one customer serialize on its row, which keeps conversation
attachment race-free and holds a merge or split of that customer off until they commit.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime

from singleview.config import Settings
from singleview.domain.errors import Aborted, FailedPrecondition, NotFound, ViolationCollector
from singleview.domain.identifiers import Identifier
from singleview.domain.records import Decision, RawPersonAttributes, RecordOutcome, ResolveInput
from singleview.domain.timeline import (
    Context,
    ContextQuery,
    ConversationState,
    CustomerEventKind,
    Interaction,
    InteractionPage,
    InteractionState,
    InteractionUpdate,
    ListInteractionsInput,
    RecordedInteraction,
    RecordInteractionInput,
)
from singleview.service.context import ContextReader
from singleview.service.households import household_of, settle_household_contact
from singleview.service.names import new_id, parse_customer_name
from singleview.service.resolve import ResolveService
from singleview.service.timeline_settings import TimelineSettings
from singleview.service.timeline_validation import (
    ValidRecord,
    apply_update,
    check_filter,
    check_record,
    decode_cursor,
    encode_cursor,
    parse_interaction_name,
)
from singleview.service.validation import check_identifiers, check_page_size
from singleview.store import customers as customer_store
from singleview.store import resolution
from singleview.store import timeline as store
from singleview.store.database import Connection, Database, RetryableConflict
from singleview.store.events import notify
from singleview.store.sql import Batch

CONTACT_RECORD_PREFIX = "contact:"


def contact_record_id(identifiers: tuple[Identifier, ...]) -> str:
    """The record id of a contact: stable for one set of normalized identifiers, in any order."""
    keys = "\x1e".join(sorted(i.key() for i in identifiers))
    return CONTACT_RECORD_PREFIX + hashlib.sha256(keys.encode("utf-8")).hexdigest()[:32]


def _customer_not_found(name: str) -> NotFound:
    return NotFound("no such customer", reason="CUSTOMER_NOT_FOUND", metadata={"customer": name})


class TimelineService:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        resolver: ResolveService,
        timeline_settings: TimelineSettings | None = None,
    ) -> None:
        self.database = database
        self.settings = settings
        self.resolver = resolver
        self.timeline = timeline_settings or TimelineSettings()
        self.contexts = ContextReader(database, resolver, self.timeline)

    async def get_context(self, request: ContextQuery) -> Context:
        """Read-only: see service/context.py."""
        return await self.contexts.get_context(request)

    async def record_interaction(self, request: RecordInteractionInput) -> RecordedInteraction:
        errors = ViolationCollector()
        limits = self.settings.limits
        identifiers = check_identifiers(
            errors, request.identifiers, limits, self.settings.normalization
        )
        now = datetime.now(UTC)
        valid = check_record(errors, request, identifiers, limits, self.timeline, now)
        async with self.database.connection() as conn:
            stored = await store.interaction_by_event(conn, valid.source, valid.source_event_id)
        if stored is not None:
            replayed = RecordedInteraction(
                stored[0], stored[0].customer_id, stored[1], replayed=True
            )
            if stored[1] is Decision.AMBIGUOUS:
                async with self.database.connection() as conn:
                    household_id, _ = await household_of(conn, stored[0].customer_id)
                return replace(replayed, household_id=household_id)
            return replayed
        contact: str | None = None
        decision = Decision.LINKED
        if not valid.customer_id:
            contact = contact_record_id(identifiers)
            resolved = await self.resolver.resolve_record(
                ResolveInput(
                    valid.source, contact, request.identifiers, RawPersonAttributes(), None
                )
            )
            if resolved.outcome is RecordOutcome.CREATED:
                decision = resolved.decision

        async def work(conn: Connection) -> RecordedInteraction:
            if valid.customer_id and valid.identifiers:
                await self._settle(conn, valid)
            return await self._record_locked(conn, valid, contact, decision)

        # pipeline mode: BEGIN and the writes go with the next read (see _record_locked)
        recorded = await self.database.in_transaction(work, pipeline=True)
        if recorded.decision is Decision.AMBIGUOUS:
            async with self.database.connection() as conn:
                household_id, _ = await household_of(conn, recorded.customer_id)
            return replace(recorded, household_id=household_id)
        return recorded

    @staticmethod
    async def _settle(conn: Connection, valid: ValidRecord) -> None:
        """The channel names a household member on the household's identifiers (the caller
        answered who they are): the household's open conversations were theirs, and this
        interaction may continue one."""
        live = (await customer_store.resolve_names(conn, [valid.customer_id])).get(
            valid.customer_id
        )
        if live is not None:
            await settle_household_contact(conn, valid.identifiers, live, f"channel:{valid.source}")

    async def _record_locked(
        self, conn: Connection, valid: ValidRecord, contact: str | None, decision: Decision
    ) -> RecordedInteraction:
        """Three round trips for a new interaction of a contact: the event's advisory lock with
        what is read under it (a replay, the contact's record), the customer's row lock with the
        conversation it joins, and the writes with the stored interaction (then COMMIT)."""
        event_key = resolution.lock_key(f"interaction\x1f{valid.source}\x1f{valid.source_event_id}")
        async with Batch(conn) as first:
            first.add(resolution.lock_keys_read([event_key]))
            replay = first.add(store.interaction_by_event_read(valid.source, valid.source_event_id))
            found = first.add(store.contact_record_read(valid.source, contact)) if contact else None
        stored = replay.value
        if stored is not None:
            return RecordedInteraction(stored[0], stored[0].customer_id, stored[1], replayed=True)
        record_pk, customer_id = await self._owner(conn, valid, found.value if found else None)
        conversation_id, opened = await self._attach(conn, customer_id, valid)
        new = store.NewInteraction(
            new_id(),
            customer_id,
            conversation_id,
            record_pk,
            valid.source,
            valid.source_event_id,
            decision,
        )
        interaction = await store.insert_interaction(conn, new, valid.content)
        if opened:
            await notify(
                conn,
                CustomerEventKind.CONVERSATION_OPENED,
                customer_id,
                conversation_id=conversation_id,
            )
        await notify(
            conn,
            CustomerEventKind.INTERACTION_RECORDED,
            customer_id,
            interaction_id=interaction.id,
            conversation_id=conversation_id,
        )
        return RecordedInteraction(interaction, customer_id, decision)

    async def _owner(
        self, conn: Connection, valid: ValidRecord, contact: tuple[int, str] | None
    ) -> tuple[int | None, str]:
        """(record the contact is attributed through, live customer) of a new interaction;
        `contact` is the contact's record as read under the event's lock, if there is one."""
        if not valid.customer_id:
            if contact is None:
                raise Aborted("the contact's record changed while it was recorded; retry")
            return contact
        live = (await customer_store.resolve_names(conn, [valid.customer_id])).get(
            valid.customer_id
        )
        if live is None:
            raise _customer_not_found(f"customers/{valid.customer_id}")
        return None, live

    async def _attach(
        self, conn: Connection, customer_id: str, valid: ValidRecord
    ) -> tuple[str, bool]:
        """Row-lock the customer (timeline writes of one customer serialize on it); then
        (conversation id, whether it opened or reopened now) for a new interaction."""
        occur_time = valid.content.occur_time
        async with Batch(conn) as batch:
            locked = batch.add(store.lock_customer_read(customer_id))
            attachable = None
            if not valid.conversation_id:  # read under the row lock, in the same round trip
                read = store.attachable_conversation_read(
                    customer_id,
                    occur_time,
                    self.timeline.conversation_window,
                    self.timeline.reopen_window,
                )
                attachable = batch.add(read)
        if not locked.value:
            raise RetryableConflict("the customer was merged while the interaction waited")
        if attachable is None:
            return await self._continue(conn, customer_id, valid.conversation_id, occur_time)
        found = attachable.value
        if found is not None:
            await store.touch_conversation(conn, found[0], occur_time)
            return found[0], found[1] is ConversationState.CLOSED
        conversation_id = new_id()
        await store.open_conversation(conn, conversation_id, customer_id, occur_time)
        return conversation_id, True

    async def _continue(
        self, conn: Connection, customer_id: str, conversation_id: str, occur_time: datetime
    ) -> tuple[str, bool]:
        """Join the conversation the channel named: create it if new, refuse another's."""
        found = await store.conversation_for_update(conn, conversation_id)
        if found is None:
            if not await store.insert_conversation(conn, conversation_id, customer_id, occur_time):
                raise RetryableConflict("the conversation was created concurrently")
            return conversation_id, True
        owner, state = found
        if owner != customer_id:
            live = (await customer_store.resolve_names(conn, [owner])).get(owner)
            if live != customer_id:
                raise FailedPrecondition(
                    "the conversation belongs to another customer",
                    reason="CONVERSATION_OF_ANOTHER_CUSTOMER",
                    metadata={"conversation_id": f"conversations/{conversation_id}"},
                )
        await store.touch_conversation(conn, conversation_id, occur_time)
        return conversation_id, state is ConversationState.CLOSED

    async def update_interaction(self, update: InteractionUpdate) -> Interaction:
        """Apply the masked fields; closing the last live interaction closes its conversation.

        Idempotent: an update that changes nothing writes nothing (no audit row, no event).
        """
        _, interaction_id = parse_interaction_name(update.name)

        async def work(conn: Connection) -> Interaction:
            current = await store.interaction_for_update(conn, interaction_id)
            if current is None:
                raise NotFound(
                    "no such interaction",
                    reason="INTERACTION_NOT_FOUND",
                    metadata={"name": update.name},
                )
            content = apply_update(update, current.content(), self.settings.limits, self.timeline)
            if content == current.content():
                return current
            await store.conversation_for_update(conn, current.conversation_id)
            updated = await store.update_interaction(conn, interaction_id, content)
            await self._after_update(conn, current, updated, update.request_id)
            return updated

        return await self.database.in_transaction(work)

    async def _after_update(
        self, conn: Connection, before: Interaction, after: Interaction, request_id: str
    ) -> None:
        """Conversation state, the audit row and the events that follow an update."""
        conversation_event: CustomerEventKind | None = None
        if after.state is not before.state:
            if after.state is InteractionState.CLOSED:
                if await store.close_conversation_if_idle(conn, after.conversation_id):
                    conversation_event = CustomerEventKind.CONVERSATION_CLOSED
            elif after.state.is_active and await store.reopen_conversation(
                conn, after.conversation_id
            ):
                conversation_event = CustomerEventKind.CONVERSATION_OPENED
        changed = sorted(
            k for k, v in vars(after.content()).items() if vars(before.content())[k] != v
        )
        await resolution.insert_audit_event(
            conn,
            action="INTERACTION_UPDATED",
            actor="timeline",
            customers=[after.customer_id],
            before={"interaction": before.id, "state": before.state.value},
            after={
                "interaction": after.id,
                "state": after.state.value,
                "fields": changed,
                "request_id": request_id,
            },
        )
        await notify(
            conn,
            CustomerEventKind.INTERACTION_UPDATED,
            after.customer_id,
            interaction_id=after.id,
            conversation_id=after.conversation_id,
        )
        if conversation_event is not None:
            await notify(
                conn, conversation_event, after.customer_id, conversation_id=after.conversation_id
            )

    async def list_interactions(self, request: ListInteractionsInput) -> InteractionPage:
        """Newest first across every channel and every merged-in record, keyset paginated."""
        customer_id = parse_customer_name(request.parent, "parent")
        errors = ViolationCollector()
        size = check_page_size(errors, request.page_size, self.settings.limits)
        where = check_filter(errors, request.filter)
        errors.raise_if_any()
        after = decode_cursor(request.page_token)
        async with self.database.connection() as conn:
            live = (await customer_store.resolve_names(conn, [customer_id])).get(customer_id)
            if live is None:
                raise _customer_not_found(request.parent)
            ids = await store.timeline_customers(conn, live)
            rows = await store.list_interactions(conn, ids, where, after, size + 1)
        page = rows[:size]
        token = encode_cursor(page[-1].occur_time, page[-1].seq) if len(rows) > size else ""
        return InteractionPage(page, token)
