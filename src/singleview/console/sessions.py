"""Console sessions: who is signed in, and the CSRF token their forms must carry.

A session id is 256 random bits kept only in this process's memory and in an HttpOnly,
SameSite=Strict cookie: nothing is derived from it, so there is nothing to sign. With
authentication on, the session keeps the steward's bearer token (in memory only) and presents it
to the token service on every request, exactly as every gRPC call does, so revoking a token
signs its console sessions out at once. With authentication off (loopback), every visitor gets
an unnamed session on first sight: the console is open, like the gRPC port, but forms still
carry a CSRF token so another site cannot post to it.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from singleview.domain.security import Caller

COOKIE = "singleview_console"
OPEN_ACTOR = "steward"
"""Who console actions are attributed to when authentication is off: gRPC's default too."""


@dataclass
class Session:
    id: str
    csrf: str
    caller: Caller
    token: str | None
    """The bearer token it signed in with (auth on), checked again on every request."""
    last_seen: float
    flash: list[str] = field(default_factory=list)
    """Notices for the next page shown: what the last form did."""

    @property
    def actor(self) -> str:
        """The audit actor: the token's name when authenticated."""
        return self.caller.name if self.caller.authenticated else OPEN_ACTOR

    @property
    def signed_in_as(self) -> str:
        """The name shown in the header; empty when nobody signs in (auth off)."""
        return self.caller.name if self.token else ""

    def take_flash(self) -> str:
        notices, self.flash = self.flash, []
        return " ".join(notices)


class SessionStore:
    """Sessions by id, dropped after `idle_seconds` unused; the oldest go first when full."""

    def __init__(self, idle_seconds: float = 8 * 3600, max_sessions: int = 10_000) -> None:
        self.idle_seconds = idle_seconds
        self.max_sessions = max_sessions
        self._sessions: OrderedDict[str, Session] = OrderedDict()

    def create(self, caller: Caller, token: str | None) -> Session:
        while len(self._sessions) >= self.max_sessions:
            self._sessions.popitem(last=False)
        session = Session(
            secrets.token_urlsafe(32), secrets.token_urlsafe(32), caller, token, time.monotonic()
        )
        self._sessions[session.id] = session
        return session

    def get(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        session = self._sessions.get(session_id)
        if session is None:
            return None
        now = time.monotonic()
        if now - session.last_seen > self.idle_seconds:
            self.drop(session_id)
            return None
        session.last_seen = now
        self._sessions.move_to_end(session_id)
        return session

    def drop(self, session_id: str) -> None:
        self._sessions.pop(session_id, None)


def same_token(expected: str, presented: str) -> bool:
    """Constant-time comparison, so timing does not reveal a CSRF token."""
    return bool(presented) and secrets.compare_digest(expected.encode(), presented.encode())
