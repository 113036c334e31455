"""Interactions and conversations in PostgreSQL, and how they follow merges and splits."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from psycopg.types.json import Jsonb

from singleview.domain.records import Decision
from singleview.domain.timeline import (
    Channel,
    Conversation,
    ConversationState,
    CustomerEventKind,
    Direction,
    Handler,
    Interaction,
    InteractionContent,
    InteractionFilter,
    InteractionState,
)
from singleview.store.database import Connection
from singleview.store.events import notify
from singleview.store.sql import Read, query, run

_FILE = "timeline.sql"


def _interaction(row: Sequence[Any]) -> Interaction:
    """A row of the shared interaction column list (see timeline.sql) as a domain value."""
    return Interaction(
        id=row[0],
        seq=row[1],
        customer_id=row[2],
        conversation_id=row[3],
        source=row[4],
        source_event_id=row[5],
        channel=Channel(row[6]),
        direction=Direction(row[7]),
        state=InteractionState(row[8]),
        handler=Handler(row[9]) if row[9] else None,
        occur_time=row[10],
        summary=row[11],
        transcript=row[12],
        outcome=row[13],
        agent_id=row[14],
        team_id=row[15],
        store_id=row[16],
        attributes=dict(row[17] or {}),
        create_time=row[18],
        update_time=row[19],
    )


def interaction_by_event_read(
    source: str, source_event_id: str
) -> Read[tuple[Interaction, Decision] | None]:
    """The interaction recorded for this event, with the decision that found its customer."""
    return Read(
        query(_FILE, "interaction_by_event"),
        {"source": source, "source_event_id": source_event_id},
        lambda rows: (_interaction(rows[0]), Decision(rows[0][20])) if rows else None,
    )


async def interaction_by_event(
    conn: Connection, source: str, source_event_id: str
) -> tuple[Interaction, Decision] | None:
    return await run(conn, interaction_by_event_read(source, source_event_id))


async def interactions_by_id(conn: Connection, ids: list[str]) -> dict[str, Interaction]:
    if not ids:
        return {}
    cur = await conn.execute(query(_FILE, "interactions_by_id"), {"ids": ids})
    return {row[0]: _interaction(row) for row in await cur.fetchall()}


async def interaction_for_update(conn: Connection, interaction_id: str) -> Interaction | None:
    cur = await conn.execute(query(_FILE, "interaction_for_update"), {"id": interaction_id})
    row = await cur.fetchone()
    return _interaction(row) if row is not None else None


def lock_customer_read(customer_id: str) -> Read[bool]:
    """Row-lock the customer for a timeline write; False if it is gone or merged away."""
    return Read(
        query(_FILE, "lock_customer"),
        {"id": customer_id},
        lambda rows: bool(rows) and rows[0][0] is None,
    )


async def lock_customer(conn: Connection, customer_id: str) -> bool:
    return await run(conn, lock_customer_read(customer_id))


async def timeline_customers(conn: Connection, customer_id: str) -> list[str]:
    """The live customer and the names merged into it, whose rows make up its timeline."""
    cur = await conn.execute(query(_FILE, "timeline_customers"), {"id": customer_id})
    return sorted({customer_id, *(row[0] for row in await cur.fetchall())})


async def conversation_for_update(
    conn: Connection, conversation_id: str
) -> tuple[str, ConversationState] | None:
    """(customer id, state) of a conversation, row-locked."""
    cur = await conn.execute(query(_FILE, "conversation_for_update"), {"id": conversation_id})
    row = await cur.fetchone()
    return (row[1], ConversationState(row[2])) if row is not None else None


def attachable_conversation_read(
    customer_id: str, occur_time: datetime, window: timedelta, reopen: timedelta
) -> Read[tuple[str, ConversationState] | None]:
    """(id, state) of the conversation a new contact of the customer joins, row-locked."""
    return Read(
        query(_FILE, "attachable_conversation"),
        {"customer_id": customer_id, "occur_time": occur_time, "window": window, "reopen": reopen},
        lambda rows: (rows[0][0], ConversationState(rows[0][1])) if rows else None,
    )


async def attachable_conversation(
    conn: Connection,
    customer_id: str,
    occur_time: datetime,
    window: timedelta,
    reopen: timedelta,
) -> tuple[str, ConversationState] | None:
    read = attachable_conversation_read(customer_id, occur_time, window, reopen)
    return await run(conn, read)


async def insert_conversation(
    conn: Connection, conversation_id: str, customer_id: str, occur_time: datetime
) -> bool:
    """False when the id is taken (a channel-chosen id created concurrently)."""
    cur = await conn.execute(
        query(_FILE, "insert_conversation"),
        {"id": conversation_id, "customer_id": customer_id, "occur_time": occur_time},
    )
    return await cur.fetchone() is not None


async def open_conversation(
    conn: Connection, conversation_id: str, customer_id: str, occur_time: datetime
) -> None:
    """`insert_conversation` of an id made here (never taken): nothing to wait for."""
    await conn.execute(
        query(_FILE, "insert_conversation"),
        {"id": conversation_id, "customer_id": customer_id, "occur_time": occur_time},
    )


async def touch_conversation(conn: Connection, conversation_id: str, occur_time: datetime) -> None:
    await conn.execute(
        query(_FILE, "touch_conversation"), {"id": conversation_id, "occur_time": occur_time}
    )


async def close_conversation_if_idle(conn: Connection, conversation_id: str) -> bool:
    """Close it when no interaction of it is OPEN or WAITING; True if it closed now."""
    cur = await conn.execute(query(_FILE, "close_conversation_if_idle"), {"id": conversation_id})
    return await cur.fetchone() is not None


async def reopen_conversation(conn: Connection, conversation_id: str) -> bool:
    cur = await conn.execute(query(_FILE, "reopen_conversation"), {"id": conversation_id})
    return await cur.fetchone() is not None


def _content_params(content: InteractionContent) -> dict[str, Any]:
    return {
        "channel": content.channel.value,
        "direction": content.direction.value,
        "state": content.state.value,
        "handler": content.handler.value if content.handler else None,
        "occur_time": content.occur_time,
        "summary": content.summary,
        "transcript": content.transcript,
        "outcome": content.outcome,
        "agent_id": content.agent_id,
        "team_id": content.team_id,
        "store_id": content.store_id,
        "attributes": Jsonb(dict(content.attributes)),
    }


@dataclass(frozen=True)
class NewInteraction:
    """Where a new interaction goes: its ids, customer, conversation and attribution."""

    id: str
    customer_id: str
    conversation_id: str
    record_pk: int | None
    source: str
    source_event_id: str
    decision: Decision


async def insert_interaction(
    conn: Connection, new: NewInteraction, content: InteractionContent
) -> Interaction:
    params = {
        **_content_params(content),
        "id": new.id,
        "customer_id": new.customer_id,
        "conversation_id": new.conversation_id,
        "record_pk": new.record_pk,
        "source": new.source,
        "source_event_id": new.source_event_id,
        "decision": new.decision.value,
    }
    cur = await conn.execute(query(_FILE, "insert_interaction"), params)
    row = await cur.fetchone()
    assert row is not None
    return _interaction(row)


async def update_interaction(
    conn: Connection, interaction_id: str, content: InteractionContent
) -> Interaction:
    """Write the mutable fields (state, notes, outcome, agent, team, attributes)."""
    params = {**_content_params(content), "id": interaction_id}
    await conn.execute(query(_FILE, "update_interaction"), params)
    return (await interactions_by_id(conn, [interaction_id]))[interaction_id]


def list_interactions_read(
    customer_ids: list[str],
    where: InteractionFilter,
    after: tuple[datetime, int] | None,
    limit: int,
) -> Read[list[Interaction]]:
    """One page, newest first, strictly after the keyset cursor `after` (occur_time, seq)."""
    params = {
        "customer_ids": customer_ids,
        "channels": [c.value for c in where.channels],
        "states": [s.value for s in where.states],
        "start_time": where.start_time,
        "end_time": where.end_time,
        "conversation_id": where.conversation_id,
        "after_time": after[0] if after else None,
        "after_seq": after[1] if after else None,
        "limit": limit,
    }
    return Read(query(_FILE, "list_interactions"), params, _interactions)


async def list_interactions(
    conn: Connection,
    customer_ids: list[str],
    where: InteractionFilter,
    after: tuple[datetime, int] | None,
    limit: int,
) -> list[Interaction]:
    return await run(conn, list_interactions_read(customer_ids, where, after, limit))


def active_interactions_read(
    customer_ids: list[str], since: datetime, except_channel: Channel | None, limit: int
) -> Read[list[Interaction]]:
    """Live contacts (OPEN or WAITING since `since`), optionally on other channels than one."""
    params = {
        "customer_ids": customer_ids,
        "since": since,
        "except_channel": except_channel.value if except_channel else "",
        "limit": limit,
    }
    return Read(query(_FILE, "active_interactions"), params, _interactions)


def _interactions(rows: list[tuple[Any, ...]]) -> list[Interaction]:
    return [_interaction(row) for row in rows]


@dataclass(frozen=True)
class ConversationSummary:
    conversation: Conversation
    inbound_count: int


def _summaries(rows: list[tuple[Any, ...]]) -> list[ConversationSummary]:
    return [
        ConversationSummary(
            Conversation(
                id=row[0],
                customer_id=row[1],
                state=ConversationState(row[2]),
                start_time=row[3],
                last_activity=row[4],
                close_time=row[5],
                channels=tuple(Channel(c) for c in row[6]),
                interaction_count=int(row[7]),
                latest=_interaction(row[9:]) if row[9] else None,
            ),
            int(row[8]),
        )
        for row in rows
    ]


def resumable_conversations_read(
    customer_ids: list[str], open_since: datetime, closed_since: datetime, limit: int
) -> Read[list[ConversationSummary]]:
    """Conversations a new contact would continue, newest activity first."""
    params = {
        "customer_ids": customer_ids,
        "open_since": open_since,
        "closed_since": closed_since,
        "limit": limit,
    }
    return Read(query(_FILE, "resumable_conversations"), params, _summaries)


@dataclass(frozen=True)
class ContactFacts:
    """What GetContext decides pressure and the reply channel with (timeline.sql)."""

    inbound_contacts: int
    inbound_channels: int
    stated: list[dict[str, str]]
    """Attributes of the newest interactions stating a preference, newest first."""
    recent_channels: list[Channel]
    """Channels of the latest inbound contacts, most recently used first."""


def facts_from_row(row: Sequence[Any]) -> ContactFacts:
    """contact_facts' columns (inbound contacts, channels, stated attributes, recent channels)."""
    contacts, channels, stated, recent = row
    return ContactFacts(
        int(contacts),
        int(channels),
        [dict(attributes) for attributes in stated],
        [Channel(channel) for channel in recent],
    )


def contact_facts_read(
    customer_ids: list[str], since: datetime, keys: Sequence[str], history: int
) -> Read[ContactFacts]:
    """Inbound pressure since `since`, stated preferences among `keys`, and the channels of the
    latest `history` inbound contacts, in one statement."""
    params = {"customer_ids": customer_ids, "since": since, "keys": list(keys), "history": history}
    return Read(query(_FILE, "contact_facts"), params, lambda rows: facts_from_row(rows[0]))


async def follow_merge(conn: Connection, survivor: str, losers: list[str]) -> None:
    """Move the losers' interactions and conversations to the survivor; call inside the merge.

    Conversations are not combined: each keeps its id and interactions, and the next contact
    joins the most recent one. Watchers of a loser hear CUSTOMER_MERGED and follow the survivor.
    """
    if not losers:
        return
    params = {"survivor": survivor, "losers": losers}
    await conn.execute(query(_FILE, "move_interactions_of_customers"), params)
    await conn.execute(query(_FILE, "move_conversations_of_customers"), params)
    await notify(conn, CustomerEventKind.CUSTOMER_MERGED, survivor, related=tuple(sorted(losers)))


def split_conversation_id(conversation_id: str, to_customer: str) -> str:
    """The id of the split-off copy of a conversation: derived, so a retried split agrees."""
    digest = hashlib.blake2b(f"{conversation_id}\x1f{to_customer}".encode(), digest_size=13)
    return digest.hexdigest()


async def follow_split(
    conn: Connection, from_customer: str, to_customer: str, record_pks: list[int]
) -> None:
    """Move interactions attributed through `record_pks` with their records; call in the split.

    A conversation whose interactions of `from_customer` all move goes with them. One left with
    interactions on both sides is copied: the original (id, name) stays with `from_customer`, the
    moving interactions join a copy under a new, derived id, and each side's time span is
    recomputed from its own interactions. Interactions recorded for a named customer (no record)
    stay where they are.
    """
    if not record_pks:
        return
    base = {"from_customer": from_customer, "to_customer": to_customer, "pks": record_pks}
    cur = await conn.execute(query(_FILE, "conversations_split_by_records"), base)
    touched = [(conversation_id, bool(whole)) for conversation_id, whole in await cur.fetchall()]
    whole = [conversation_id for conversation_id, moves in touched if moves]
    await conn.execute(query(_FILE, "move_conversations"), {**base, "ids": whole})
    spans: list[str] = []
    for conversation_id, moves in touched:
        if moves:
            continue
        copy_id = split_conversation_id(conversation_id, to_customer)
        params = {**base, "id": conversation_id, "new_id": copy_id}
        await conn.execute(query(_FILE, "copy_conversation"), params)
        await conn.execute(query(_FILE, "repoint_split_interactions"), params)
        spans += [conversation_id, copy_id]
    await conn.execute(query(_FILE, "move_interactions_of_records"), base)
    if spans:
        await conn.execute(query(_FILE, "refresh_conversation_span"), {"ids": spans})
    await notify(conn, CustomerEventKind.CUSTOMER_SPLIT, from_customer, related=(to_customer,))
    await notify(conn, CustomerEventKind.CUSTOMER_SPLIT, to_customer, related=(from_customer,))
