"""Settings of the timeline, the context and the live event stream (frozen, passed down)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class TimelineSettings:
    conversation_window: timedelta = timedelta(hours=72)
    """A contact joins the customer's open conversation whose last activity is this recent."""

    reopen_window: timedelta = timedelta(hours=2)
    """A contact this soon after a conversation closed reopens it (bot hands over to a human)."""

    active_contact_window: timedelta = timedelta(hours=24)
    """An OPEN or WAITING interaction older than this is stale, not a live contact."""

    pressure_window: timedelta = timedelta(hours=24)
    """The window of `contacts_24h` and `channels_24h`."""

    escalate_contacts: int = 3
    """Escalate when the customer started this many contacts within the pressure window..."""

    escalate_channels: int = 2
    """...or used this many distinct channels while a conversation is open."""

    recent_interactions: int = 10
    """How many of the latest interactions GetContext returns."""

    max_active_contacts: int = 20
    max_open_conversations: int = 10
    """Bounds on the lists of one GetContext answer."""

    max_summary_length: int = 4096
    max_transcript_length: int = 32768
    max_attributes: int = 32
    """Bounds on the free text of one interaction (other strings use config.Limits)."""

    max_future_skew: timedelta = timedelta(hours=24)
    """How far in the future an occur_time may be: clock skew and scheduled contacts are fine,
    a wrong year is not."""

    watch_queue_size: int = 256
    """Events buffered per watcher; a slower watcher loses its oldest events, writers never wait."""

    max_watchers: int = 10_000
    """Watch streams one process serves at once."""

    listener_retry_seconds: float = 1.0
    """Pause before the event listener reconnects after losing its database connection."""
