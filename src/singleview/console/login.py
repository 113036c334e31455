"""Signing in with a bearer token, signing out, and the middleware that guards every page.

With authentication on (config.Settings.auth_enabled: on off loopback, or SINGLEVIEW_AUTH=on),
a steward pastes the bearer token `singleview token create --role steward` printed; the token
service checks it as it checks a gRPC call's, and only a role that may read the review queue
(steward, admin) is let in. Every page then checks its own permission (context.require) with
the same role mapping as the gRPC methods. Every POST must carry the session's CSRF token, and
an `Origin` header, when the browser sends one, must be this console.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web

from singleview.domain.errors import PermissionDenied, Unauthenticated
from singleview.domain.security import Caller, Permission

from .context import SESSION, Handler, first, form_of, services_of, session_of
from .html import esc, hidden, page, url
from .sessions import COOKIE, OPEN_ACTOR, Session, same_token

LOGIN = "/login"


def _set_cookie(request: web.Request, response: web.StreamResponse, session: Session) -> None:
    response.set_cookie(
        COOKIE,
        session.id,
        httponly=True,
        samesite="Strict",
        secure=request.secure,
        path="/",
    )


def _to_login(request: web.Request) -> web.HTTPSeeOther:
    target = request.path_qs if request.method == "GET" else "/"
    return web.HTTPSeeOther(url(LOGIN, next=target))


def _check_post(request: web.Request, session: Session, csrf: str) -> None:
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        raise PermissionDenied("the form came from another site", reason="CROSS_SITE_REQUEST")
    if not same_token(session.csrf, csrf):
        raise PermissionDenied(
            "the form is stale or came from elsewhere; reload the page and try again",
            reason="CSRF_TOKEN_MISMATCH",
        )


@web.middleware
async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Attach the session (made on first sight when auth is off), or send to the login page."""
    services = services_of(request)
    if request.path == LOGIN:
        return await handler(request)
    session = services.sessions.get(request.cookies.get(COOKIE))
    fresh = session is None
    if session is None:
        if services.settings.auth_enabled:
            raise _to_login(request)
        session = services.sessions.create(Caller(OPEN_ACTOR), None)
    elif session.token is not None:
        try:
            session.caller = await services.tokens.authenticate(session.token)
        except Unauthenticated:
            services.sessions.drop(session.id)
            raise _to_login(request) from None
    if request.method == "POST":
        _check_post(request, session, first(await form_of(request), "csrf_token"))
    request[SESSION] = session
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if fresh:
            _set_cookie(request, exc, session)
        raise
    if fresh:
        _set_cookie(request, response, session)
    return response


def _login_page(next_path: str, error: str = "") -> str:
    alert = f'<p class="error" role="alert">{esc(error)}</p>' if error else ""
    return page(
        "Sign in",
        alert + f'<form method="post" action="{LOGIN}">'
        '<label for="token">Bearer token (steward or admin)</label>'
        '<input id="token" name="token" type="password" autocomplete="off" required size="50">'
        + hidden("next", next_path)
        + "<button>Sign in</button></form>"
        "<p>Ask an administrator for a token: <code>singleview token create --role steward "
        "--name YOUR.NAME</code>. Your name is what the audit log shows.</p>",
    )


def _safe_next(target: str) -> str:
    """Only a path on this console: never another site (`//host`, `https://…`)."""
    return target if target.startswith("/") and not target.startswith("//") else "/"


async def _show_login(request: web.Request) -> web.StreamResponse:
    if not services_of(request).settings.auth_enabled:
        raise web.HTTPSeeOther("/")
    next_path = _safe_next(request.query.get("next", "/"))
    return web.Response(text=_login_page(next_path), content_type="text/html")


async def _sign_in(request: web.Request) -> web.StreamResponse:
    services = services_of(request)
    if not services.settings.auth_enabled:
        raise web.HTTPSeeOther("/")
    form = await form_of(request)
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        raise PermissionDenied("the form came from another site", reason="CROSS_SITE_REQUEST")
    next_path = _safe_next(first(form, "next"))
    try:
        caller = await services.tokens.authenticate(first(form, "token").strip())
    except Unauthenticated as exc:
        text = _login_page(next_path, exc.message)
        return web.Response(text=text, status=401, content_type="text/html")
    if not caller.may(Permission.READ_REVIEWS):
        role = caller.role.value if caller.role else ""
        text = _login_page(next_path, f"the {role} role may not use the stewards' console")
        return web.Response(text=text, status=403, content_type="text/html")
    old = request.cookies.get(COOKIE)
    if old:
        services.sessions.drop(old)
    session = services.sessions.create(caller, first(form, "token").strip())
    response = web.HTTPSeeOther(next_path)
    _set_cookie(request, response, session)
    raise response


async def _sign_out(request: web.Request) -> web.StreamResponse:
    services = services_of(request)
    services.sessions.drop(session_of(request).id)
    response = web.HTTPSeeOther(LOGIN if services.settings.auth_enabled else "/")
    response.del_cookie(COOKIE, path="/")
    raise response


def add_routes(app: web.Application) -> None:
    app.router.add_get(LOGIN, _show_login)
    app.router.add_post(LOGIN, _sign_in)
    app.router.add_post("/logout", _sign_out)
