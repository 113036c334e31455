"""Preferences and consents in PostgreSQL, and the request ids that make updates idempotent.

Reads take the customer and every name merged into it (`ids`), newest statement winning, so a
merge never loses what either side said; writes go to the live customer and supersede what the
merged-in names said about the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb

from singleview.domain.clienteling import ChannelConsent, ConsentLevel, Preferences
from singleview.domain.timeline import Channel
from singleview.store.database import Connection
from singleview.store.sql import Read, query, run

_FILE = "preferences.sql"


def preferences_from_row(row: Sequence[Any]) -> Preferences:
    """preferences_of's columns: the preferred channel statement, consents, last update."""
    channel, time, source, channels, levels, given_times, sources, updated = row
    consents = zip(channels or (), levels or (), given_times or (), sources or (), strict=True)
    return Preferences(
        preferred_channel=Channel(channel) if channel else None,
        preferred_channel_time=time if channel else None,
        preferred_channel_source=source if channel else "",
        consents=tuple(
            ChannelConsent(Channel(c), ConsentLevel(level), given, origin)
            for c, level, given, origin in consents
        ),
        update_time=updated,
    )


def preferences_read(ids: list[str]) -> Read[Preferences]:
    """What the customer (and the names merged into it) said about being contacted."""
    return Read(
        query(_FILE, "preferences_of"), {"ids": ids}, lambda rows: preferences_from_row(rows[0])
    )


async def preferences_of(conn: Connection, ids: list[str]) -> Preferences:
    return await run(conn, preferences_read(ids))


async def set_preferred_channel(
    conn: Connection,
    customer_id: str,
    ids: list[str],
    channel: Channel | None,
    given_time: datetime,
    source: str,
) -> None:
    """State (or, with None, clear) the preferred channel of the live customer `customer_id`."""
    params = {
        "customer_id": customer_id,
        "ids": ids,
        "channel": channel.value if channel else None,
        "given_time": given_time,
        "source": source,
    }
    await conn.execute(query(_FILE, "set_preferred_channel"), params)


async def set_consent(
    conn: Connection,
    customer_id: str,
    ids: list[str],
    channel: Channel,
    consent: ChannelConsent | None,
) -> None:
    """Replace the consent for `channel` (None withdraws it) across the customer's names."""
    await conn.execute(query(_FILE, "clear_consent"), {"ids": ids, "channel": channel.value})
    if consent is not None:
        params = {
            "customer_id": customer_id,
            "channel": channel.value,
            "level": consent.level.value,
            "given_time": consent.given_time,
            "source": consent.source,
        }
        await conn.execute(query(_FILE, "set_consent"), params)


async def stored_request(conn: Connection, request_id: str) -> tuple[str, str, Preferences] | None:
    """(customer id, request hash, response) of a request id already applied."""
    cur = await conn.execute(query(_FILE, "request_by_id"), {"request_id": request_id})
    row = await cur.fetchone()
    return (row[0], row[1], preferences_from_json(row[2])) if row is not None else None


async def insert_request(
    conn: Connection, request_id: str, customer_id: str, request_hash: str, response: Preferences
) -> None:
    params = {
        "request_id": request_id,
        "customer_id": customer_id,
        "request_hash": request_hash,
        "response": Jsonb(preferences_to_json(response)),
    }
    await conn.execute(query(_FILE, "insert_request"), params)


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def preferences_to_json(preferences: Preferences) -> dict[str, Any]:
    """Preferences as JSON: the stored answer of an idempotent update, and audit before/after."""
    channel = preferences.preferred_channel
    return {
        "preferred_channel": channel.value if channel else None,
        "preferred_channel_time": _time(preferences.preferred_channel_time),
        "preferred_channel_source": preferences.preferred_channel_source,
        "consents": [
            {
                "channel": c.channel.value,
                "level": c.level.value,
                "given_time": c.given_time.isoformat(),
                "source": c.source,
            }
            for c in preferences.consents
        ],
        "update_time": _time(preferences.update_time),
    }


def preferences_from_json(data: dict[str, Any]) -> Preferences:
    channel = data.get("preferred_channel")
    return Preferences(
        preferred_channel=Channel(channel) if channel else None,
        preferred_channel_time=_parse_time(data.get("preferred_channel_time")),
        preferred_channel_source=data.get("preferred_channel_source", ""),
        consents=tuple(
            ChannelConsent(
                Channel(c["channel"]),
                ConsentLevel(c["level"]),
                datetime.fromisoformat(c["given_time"]),
                c.get("source", ""),
            )
            for c in data.get("consents", [])
        ),
        update_time=_parse_time(data.get("update_time")),
    )
