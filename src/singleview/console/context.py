"""What every console handler reaches for: the services, the session, a permission check."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from singleview.config import Settings
from singleview.domain.errors import PermissionDenied
from singleview.domain.security import Permission
from singleview.service.profiles import ProfileService
from singleview.service.stewardship import StewardshipService
from singleview.service.timeline import TimelineService
from singleview.service.tokens import TokenService

from .html import page
from .sessions import Session, SessionStore

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class ConsoleServices:
    """The service objects the gRPC servicers use: the console adds no business logic."""

    settings: Settings
    stewardship: StewardshipService
    profiles: ProfileService
    timeline: TimelineService
    tokens: TokenService
    sessions: SessionStore


SERVICES = web.AppKey("services", ConsoleServices)
SESSION = web.RequestKey("session", Session)


def services_of(request: web.Request) -> ConsoleServices:
    return request.app[SERVICES]


def session_of(request: web.Request) -> Session:
    """The session the authenticate middleware attached (every route but login has one)."""
    return request[SESSION]


def require(request: web.Request, permission: Permission) -> Session:
    """The session, if its caller's role grants `permission` (the gRPC methods' mapping)."""
    session = session_of(request)
    caller = session.caller
    if not caller.may(permission):
        role = caller.role.value if caller.role else ""
        raise PermissionDenied(
            f"the {role} role lacks the permission {permission.value}",
            metadata={"permission": permission.value, "role": role},
        )
    return session


async def form_of(request: web.Request) -> dict[str, list[str]]:
    """Every value of every field (a checkbox group sends one value per checked box)."""
    posted = await request.post()
    values: dict[str, list[str]] = {}
    for key, value in posted.items():
        if isinstance(value, str):
            values.setdefault(key, []).append(value)
    return values


def first(form: dict[str, list[str]], key: str) -> str:
    return form.get(key, [""])[0]


def html_page(session: Session, title: str, body: str, status: int = 200) -> web.Response:
    """A full page for this session: who is signed in, the sign-out form, the last notice."""
    text = page(
        title, body, who=session.signed_in_as, csrf=session.csrf, notice=session.take_flash()
    )
    return web.Response(text=text, status=status, content_type="text/html")
