"""Customer events through PostgreSQL LISTEN/NOTIFY: how one process hears another's writes.

A writer calls `notify_event` inside its transaction, so the event is delivered exactly when the
write commits and never for a write that rolled back. Payloads carry ids and a kind only: NOTIFY
payloads are visible to every listener of the database, so no personal data goes through them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg

from singleview.domain.timeline import CustomerEvent, CustomerEventKind
from singleview.store.database import Connection, to_domain_error
from singleview.store.sql import query

log = logging.getLogger(__name__)

_FILE = "timeline.sql"
EVENTS_CHANNEL = "singleview_events"
"""The NOTIFY channel; `listen_events` in timeline.sql names it too."""


def encode_event(event: CustomerEvent) -> str:
    """Compact JSON of the ids and kind of an event (far below NOTIFY's 8000-byte limit)."""
    payload: dict[str, Any] = {
        "k": event.kind.value,
        "c": event.customer_id,
        "t": event.event_time.isoformat(),
    }
    if event.interaction_id:
        payload["i"] = event.interaction_id
    if event.conversation_id:
        payload["v"] = event.conversation_id
    if event.related_customer_ids:
        payload["r"] = list(event.related_customer_ids)
    return json.dumps(payload, separators=(",", ":"))


def decode_event(payload: str) -> CustomerEvent | None:
    """The event in a payload, or None for one this version does not understand."""
    try:
        data = json.loads(payload)
        return CustomerEvent(
            kind=CustomerEventKind(data["k"]),
            customer_id=str(data["c"]),
            event_time=datetime.fromisoformat(data["t"]),
            interaction_id=str(data.get("i", "")),
            conversation_id=str(data.get("v", "")),
            related_customer_ids=tuple(str(r) for r in data.get("r", ())),
        )
    except (ValueError, KeyError, TypeError):
        log.warning("ignoring a customer event this version cannot read")
        return None


async def notify_event(conn: Connection, event: CustomerEvent) -> None:
    await conn.execute(
        query(_FILE, "notify_event"), {"channel": EVENTS_CHANNEL, "payload": encode_event(event)}
    )


async def notify(
    conn: Connection,
    kind: CustomerEventKind,
    customer_id: str,
    *,
    interaction_id: str = "",
    conversation_id: str = "",
    related: tuple[str, ...] = (),
) -> None:
    """Announce `kind` for the customer when the current transaction commits."""
    event = CustomerEvent(
        kind, customer_id, datetime.now(UTC), interaction_id, conversation_id, related
    )
    await notify_event(conn, event)


async def _events(conn: Connection) -> AsyncIterator[CustomerEvent]:
    try:
        async for note in conn.notifies():
            if note.channel != EVENTS_CHANNEL:
                continue
            event = decode_event(note.payload)
            if event is not None:
                yield event
    except psycopg.Error as exc:
        raise to_domain_error(exc) from exc


@asynccontextmanager
async def listen(conninfo: str) -> AsyncIterator[AsyncIterator[CustomerEvent]]:
    """A dedicated connection LISTENing for customer events; yields them as they arrive.

    Not from the pool: a listening connection stays checked out for the life of the process.
    """
    try:
        conn = await psycopg.AsyncConnection.connect(
            conninfo, autocommit=True, application_name="singleview-events"
        )
    except psycopg.Error as exc:
        raise to_domain_error(exc) from exc
    try:
        try:
            await conn.execute(query(_FILE, "listen_events"))
        except psycopg.Error as exc:
            raise to_domain_error(exc) from exc
        yield _events(conn)
    finally:
        await conn.close()
