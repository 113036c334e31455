"""GetContext's read of one customer's timeline, preferences and household, in one statement.

Five statements (timeline.sql's resumable conversations, live contacts, recent interactions and
contact facts, preferences.sql's preferences) plus a household lookup cost the server more in
psycopg's per-statement work (parameters converted, results fetched) than their rows do; here
they are parts of one statement (context.sql) whose interactions arrive as JSON. The statement
can also find its customer from identifiers, so it rides in the lookup's own round trip.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from singleview.domain.clienteling import Preferences
from singleview.domain.identifiers import Identifier
from singleview.domain.timeline import (
    Channel,
    Conversation,
    ConversationState,
    Direction,
    Handler,
    Interaction,
    InteractionState,
)
from singleview.store.codec import identifier_columns
from singleview.store.preferences import preferences_from_row
from singleview.store.sql import Read, query
from singleview.store.timeline import ContactFacts, ConversationSummary, facts_from_row

_FILE = "context.sql"


@dataclass(frozen=True)
class ContextWindows:
    """The times and bounds of what GetContext shows (service/timeline_settings.py, as of now)."""

    open_since: datetime
    closed_since: datetime
    active_since: datetime
    pressure_since: datetime
    except_channel: Channel | None
    conversations: int
    active: int
    recent: int
    preference_keys: tuple[str, ...]
    history: int


@dataclass(frozen=True)
class CustomerTimeline:
    """What `customer_context` read about one live customer."""

    customer_id: str
    household_id: str
    conversations: list[ConversationSummary]
    active: list[Interaction]
    recent: list[Interaction]
    facts: ContactFacts
    preferences: Preferences


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _interaction(item: Mapping[str, Any]) -> Interaction:
    """An interaction as the JSON object of context.sql's column list."""
    handler = item["handler"]
    return Interaction(
        id=item["id"],
        seq=item["seq"],
        customer_id=item["customer_id"],
        conversation_id=item["conversation_id"],
        source=item["source"],
        source_event_id=item["source_event_id"],
        channel=Channel(item["channel"]),
        direction=Direction(item["direction"]),
        state=InteractionState(item["state"]),
        handler=Handler(handler) if handler else None,
        occur_time=_time(item["occur_time"]),
        summary=item["summary"],
        transcript=item["transcript"],
        outcome=item["outcome"],
        agent_id=item["agent_id"],
        team_id=item["team_id"],
        store_id=item["store_id"],
        attributes=dict(item["attributes"] or {}),
        create_time=_time(item["create_time"]),
        update_time=_time(item["update_time"]),
    )


def _summary(item: Mapping[str, Any]) -> ConversationSummary:
    latest = item["latest"]
    close_time = item["close_time"]
    return ConversationSummary(
        Conversation(
            id=item["id"],
            customer_id=item["customer_id"],
            state=ConversationState(item["state"]),
            start_time=_time(item["start_time"]),
            last_activity=_time(item["last_activity"]),
            close_time=_time(close_time) if close_time else None,
            channels=tuple(Channel(c) for c in item["channels"] or ()),
            interaction_count=int(item["total"] or 0),
            latest=_interaction(latest) if latest and latest.get("id") else None,
        ),
        int(item["inbound"] or 0),
    )


def _timeline(rows: list[tuple[Any, ...]]) -> CustomerTimeline | None:
    if not rows:
        return None
    row = rows[0]
    return CustomerTimeline(
        customer_id=row[0],
        household_id=row[1],
        conversations=[_summary(item) for item in row[2] or ()],
        active=[_interaction(item) for item in row[3] or ()],
        recent=[_interaction(item) for item in row[4] or ()],
        facts=facts_from_row(row[5:9]),
        preferences=preferences_from_row(row[9:17]),
    )


def customer_context_read(
    windows: ContextWindows,
    *,
    customer_id: str = "",
    holding: Sequence[Identifier] = (),
) -> Read[CustomerTimeline | None]:
    """The timeline of the live customer `customer_id`, or of the first live holder (lowest
    id) of `holding`; None when there is no such customer (merged away, unknown)."""
    w = windows
    params: dict[str, Any] = {
        "customer": customer_id,
        **identifier_columns(tuple(holding)),
        "open_since": w.open_since,
        "closed_since": w.closed_since,
        "conversations": w.conversations,
        "active_since": w.active_since,
        "except_channel": w.except_channel.value if w.except_channel else "",
        "active": w.active,
        "recent": w.recent,
        "pressure_since": w.pressure_since,
        "keys": list(w.preference_keys),
        "history": w.history,
    }
    params["values"] = params.pop("ids")
    wanted = bool(customer_id or holding)
    return Read(query(_FILE, "customer_context") if wanted else None, params, _timeline)
