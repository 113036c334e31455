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
from singleview.domain.errors import FailedPrecondition, NotFound, ViolationCollector
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
from singleview.service.lone_reads import LoneReads
from singleview.service.names import new_id, parse_customer_name
from singleview.service.resolve import Resolved, ResolveService, count_outcome
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


def _event_key(valid: ValidRecord) -> int:
    """The advisory lock of one (source, source_event_id): replays serialize on it."""
    return resolution.lock_key(f"interaction\x1f{valid.source}\x1f{valid.source_event_id}")


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
        if valid.customer_id:
            recorded = await self._record_named(valid)
        else:
            recorded = await self._record_contact(valid, request, identifiers, now)
        if recorded.decision is Decision.AMBIGUOUS:
            async with self.database.connection() as conn:
                household_id, _ = await household_of(conn, recorded.customer_id)
            return replace(recorded, household_id=household_id)
        return recorded

    async def _record_named(self, valid: ValidRecord) -> RecordedInteraction:
        """An interaction of the customer the channel names (a replay answers at once)."""
        async with self.database.connection() as conn:
            stored = await store.interaction_by_event(conn, valid.source, valid.source_event_id)
        if stored is not None:
            return RecordedInteraction(stored[0], stored[0].customer_id, stored[1], replayed=True)

        async def work(conn: Connection) -> RecordedInteraction:
            if valid.identifiers:
                await self._settle(conn, valid)
            return await self._record_locked(conn, valid)

        # pipeline mode: BEGIN and the writes go with the next read (see _record_locked)
        return await self.database.in_transaction(work, pipeline=True)

    async def _record_contact(
        self,
        valid: ValidRecord,
        request: RecordInteractionInput,
        identifiers: tuple[Identifier, ...],
        now: datetime,
    ) -> RecordedInteraction:
        """An interaction of whoever holds the identifiers: the contact's record is resolved
        and the interaction written in one transaction. The event's advisory lock is taken
        with the record's (one sorted set, so never in another order), and a replay is found
        under it before anything is resolved. Round trips: the locks with the replay and the
        resolve's first reads, the candidates' row locks, the customer's row lock with the
        conversation it joins, the writes with the stored interaction, COMMIT."""
        contact = ResolveInput(
            valid.source,
            contact_record_id(identifiers),
            request.identifiers,
            RawPersonAttributes(),
            None,
        )
        prepared = self.resolver.prepare(contact, now)
        lock_keys = sorted({*prepared.lock_keys, _event_key(valid)})
        resolved: list[Resolved] = []

        async def work(conn: Connection) -> RecordedInteraction:
            resolved.clear()
            reads = LoneReads(self.resolver.matcher.settings)
            replay = store.interaction_by_event_read(valid.source, valid.source_event_id)
            record = prepared.record
            stored = await reads.lock_and_read(
                conn, record, prepared.blocking_keys, lock_keys, also=replay
            )
            if stored is not None:
                return RecordedInteraction(
                    stored[0], stored[0].customer_id, stored[1], replayed=True
                )
            found = await self.resolver.resolve_admitted(conn, prepared, reads)
            resolved.append(found)
            created = found.outcome is RecordOutcome.CREATED
            decision = found.decision if created else Decision.LINKED
            return await self._write(conn, valid, found.record_pk, found.customer_id, decision)

        recorded = await self.database.in_transaction(work, pipeline=True)
        for found in resolved:
            count_outcome(found.decision, found.outcome, found.merged_customer_ids)
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

    async def _record_locked(self, conn: Connection, valid: ValidRecord) -> RecordedInteraction:
        """Under the event's advisory lock: a replay, or the interaction written."""
        async with Batch(conn) as first:
            first.add(resolution.lock_keys_read([_event_key(valid)]))
            replay = first.add(store.interaction_by_event_read(valid.source, valid.source_event_id))
        stored = replay.value
        if stored is not None:
            return RecordedInteraction(stored[0], stored[0].customer_id, stored[1], replayed=True)
        live = (await customer_store.resolve_names(conn, [valid.customer_id])).get(
            valid.customer_id
        )
        if live is None:
            raise _customer_not_found(f"customers/{valid.customer_id}")
        return await self._write(conn, valid, None, live, Decision.LINKED)

    async def _write(
        self,
        conn: Connection,
        valid: ValidRecord,
        record_pk: int | None,
        customer_id: str,
        decision: Decision,
    ) -> RecordedInteraction:
        """The interaction of a live customer, attributed through `record_pk` if a contact's:
        its conversation, the row, the events."""
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
