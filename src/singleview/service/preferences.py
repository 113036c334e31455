"""Preferences and consents: UpdatePreferences, and the reply channel they decide.

A customer states a preferred channel and, per channel, how far they may be contacted
(marketing, service only, do not contact), with when and where they said so. Updates are
idempotent with `request_id` (AIP-155: a replay answers with the stored response), audited
(before and after, no personal data) and announced to watchers as PROFILE_CHANGED.

The reply channel a channel backend gets from GetContext follows them: the stated preference
first, then a preference stated in an interaction's attributes, then the channels the customer
reached out on, newest first, then channels they consented to; never a do-not-contact channel.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from singleview.config import Settings
from singleview.domain.clienteling import (
    ChannelConsent,
    ConsentLevel,
    Preferences,
    PreferencesUpdate,
)
from singleview.domain.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    ViolationCollector,
)
from singleview.domain.timeline import Channel, CustomerEventKind
from singleview.service.names import parse_customer_name
from singleview.service.validation import check_text
from singleview.store import customers as customer_store
from singleview.store import preferences as store
from singleview.store import resolution
from singleview.store import timeline as timeline_store
from singleview.store.database import Connection, Database, RetryableConflict
from singleview.store.events import notify

PATHS = ("preferred_channel", "consents")
MAX_FUTURE_SKEW = timedelta(hours=24)
"""How far ahead a given_time may be: clock skew, not a consent dated next year."""


def choose_reply_channel(
    preferences: Preferences, stated: Iterable[Channel], recent_inbound: Iterable[Channel]
) -> Channel | None:
    """The channel to answer on: preferred, then stated in an interaction, then recently used
    (a store visit cannot be answered in, so STORE is skipped there), then consented; never one
    the customer said not to be contacted on. None when every candidate is forbidden."""
    consented = [
        c.channel
        for c in sorted(preferences.consents, key=lambda c: c.given_time, reverse=True)
        if c.level is not ConsentLevel.DO_NOT_CONTACT
    ]
    inbound = [c for c in recent_inbound if c is not Channel.STORE]
    for channel in (preferences.preferred_channel, *stated, *inbound, *consented):
        if channel is not None and not preferences.forbids(channel):
            return channel
    return None


@dataclass(frozen=True)
class _ValidUpdate:
    customer_id: str
    paths: tuple[str, ...]
    preferred_channel: Channel | None
    consents: tuple[tuple[Channel, ChannelConsent | None], ...]
    source: str
    given_time: datetime
    digest: str


def _digest(update: PreferencesUpdate) -> str:
    """Equal for two requests that ask the same; a request id reused for another is refused."""
    asked = (update.customer, update.preferred_channel, update.consents, update.source)
    text = repr((*asked, update.given_time, update.paths))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _check_time(
    errors: ViolationCollector, path: str, value: datetime | None, now: datetime
) -> datetime:
    if value is not None and value > now + MAX_FUTURE_SKEW:
        errors.add(path, f"more than {MAX_FUTURE_SKEW} ahead")
    return value or now


def _check_consents(
    errors: ViolationCollector, update: PreferencesUpdate, given: datetime, size: int, now: datetime
) -> tuple[tuple[Channel, ChannelConsent | None], ...]:
    checked: dict[Channel, ChannelConsent | None] = {}
    for index, draft in enumerate(update.consents):
        path = f"consents[{index}]"
        source = check_text(errors, f"{path}.source", draft.source, size) or update.source
        when = _check_time(errors, f"{path}.given_time", draft.given_time, now)
        when = when if draft.given_time else given
        if draft.channel is None:
            errors.add(f"{path}.channel", "required")
        elif draft.channel in checked:
            errors.add(f"{path}.channel", "names a channel an earlier consent names")
        else:
            level = draft.level
            consent = ChannelConsent(draft.channel, level, when, source) if level else None
            checked[draft.channel] = consent
    return tuple(checked.items())


def _implied_paths(update: PreferencesUpdate) -> tuple[str, ...]:
    """AIP-134: without a mask, every field that is set is updated."""
    given = {"preferred_channel": update.preferred_channel, "consents": update.consents}
    return tuple(path for path in PATHS if given[path])


def check_update(update: PreferencesUpdate, settings: Settings, now: datetime) -> _ValidUpdate:
    """Every violation at once; without a mask, the fields that are set are applied (AIP-134)."""
    errors = ViolationCollector()
    size = settings.limits.max_name_length
    try:
        customer_id = parse_customer_name(update.customer, "customer")
    except InvalidArgument as exc:
        errors.violations.extend(exc.violations)
        customer_id = ""
    source = check_text(errors, "source", update.source, size, required=True)
    check_text(errors, "request_id", update.request_id, size)
    given = _check_time(errors, "given_time", update.given_time, now)
    paths = update.paths or _implied_paths(update)
    for path in paths:
        if path not in PATHS:
            errors.add("update_mask", f"cannot update {path!r}; updatable: {', '.join(PATHS)}")
    if not paths:
        errors.add("update_mask", "names no field to update")
    consents = _check_consents(errors, update, given, size, now)
    errors.raise_if_any()
    return _ValidUpdate(
        customer_id, paths, update.preferred_channel, consents, source or "", given, _digest(update)
    )


def _customer_not_found(name: str) -> NotFound:
    return NotFound("no such customer", reason="CUSTOMER_NOT_FOUND", metadata={"customer": name})


class PreferencesService:
    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings

    async def update(self, update: PreferencesUpdate) -> Preferences:
        """Apply the update to the live customer (a merged-away name writes to its survivor)."""
        valid = check_update(update, self.settings, datetime.now(UTC))

        async def work(conn: Connection) -> Preferences:
            if update.request_id:
                replayed = await self._replay(conn, update.request_id, valid)
                if replayed is not None:
                    return replayed
            live = await self._lock_live(conn, valid.customer_id, update.customer)
            ids = await timeline_store.timeline_customers(conn, live)
            before = await store.preferences_of(conn, ids)
            await self._apply(conn, live, ids, valid)
            after = await store.preferences_of(conn, ids)
            await resolution.insert_audit_event(
                conn,
                action="PREFERENCES_UPDATED",
                actor=update.actor,
                customers=[live],
                reason=f"stated at {valid.source}",
                before=store.preferences_to_json(before),
                after={**store.preferences_to_json(after), "request_id": update.request_id},
            )
            await notify(conn, CustomerEventKind.PROFILE_CHANGED, live)
            if update.request_id:
                await store.insert_request(conn, update.request_id, live, valid.digest, after)
            return after

        return await self.database.in_transaction(work)

    async def _replay(
        self, conn: Connection, request_id: str, valid: _ValidUpdate
    ) -> Preferences | None:
        """The stored answer of a request id already applied; the lock makes a concurrent
        replay wait for the first call and then answer as it did."""
        await resolution.lock_keys(conn, [resolution.lock_key(f"preferences\x1f{request_id}")])
        stored = await store.stored_request(conn, request_id)
        if stored is None:
            return None
        _, digest, response = stored
        if digest != valid.digest:
            raise FailedPrecondition(
                "request_id was already used for a different request",
                reason="REQUEST_ID_REUSED",
                metadata={"request_id": request_id},
            )
        return response

    async def _lock_live(self, conn: Connection, customer_id: str, name: str) -> str:
        live = (await customer_store.resolve_names(conn, [customer_id])).get(customer_id)
        if live is None:
            raise _customer_not_found(name)
        if not await timeline_store.lock_customer(conn, live):
            raise RetryableConflict("the customer was merged while its preferences were updated")
        return live

    async def _apply(
        self, conn: Connection, live: str, ids: list[str], valid: _ValidUpdate
    ) -> None:
        if "preferred_channel" in valid.paths:
            await store.set_preferred_channel(
                conn, live, ids, valid.preferred_channel, valid.given_time, valid.source
            )
        if "consents" in valid.paths:
            for channel, consent in valid.consents:
                await store.set_consent(conn, live, ids, channel, consent)
