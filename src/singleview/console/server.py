"""The console's HTTP server (aiohttp), in the gRPC server's event loop, on its own port.

Handlers call the same service objects the gRPC servicers call, so every validation, permission
and idempotency rule is the one gRPC has; this module only adds what HTTP needs: sessions and
CSRF (login.py), security headers, domain errors as status pages, and an access log that names
the route (`/customers/{customer_id}`), never the customer or any form value.
"""

from __future__ import annotations

import logging
import ssl
import time
from dataclasses import dataclass
from typing import cast

from aiohttp import web

from singleview.config import Settings
from singleview.console import audit, customers, login, reviews
from singleview.console.context import SERVICES, SESSION, ConsoleServices, Handler, session_of
from singleview.console.html import CSS_HASH, esc, link, page
from singleview.domain.errors import DomainError, FieldViolation, InvalidArgument

log = logging.getLogger(__name__)

_HTTP_STATUS = {
    "INVALID_ARGUMENT": 400,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "FAILED_PRECONDITION": 409,
    "ABORTED": 409,
    "RESOURCE_EXHAUSTED": 429,
    "UNAVAILABLE": 503,
    "DEADLINE_EXCEEDED": 504,
}
_HEADERS = {
    "Content-Security-Policy": (
        f"default-src 'none'; style-src '{CSS_HASH}'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # no-referrer would make forms post `Origin: null`
    "Cache-Control": "no-store",
}
MAX_FORM_BYTES = 256 * 1024


def _error_page(request: web.Request, error: DomainError) -> web.Response:
    """The error as the steward should read it, with where the thing stands now (metadata)."""
    details = ""
    if isinstance(error, InvalidArgument):
        details += "<ul>" + "".join(_violation(v) for v in error.violations) + "</ul>"
    if error.metadata:
        details += "<dl>" + "".join(
            f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in sorted(error.metadata.items())
        )
        details += "</dl>"
    back = request.path if request.method == "GET" else request.path.rsplit("/", 1)[0]
    body = (
        f'<p class="error" role="alert">{esc(error.message)} ({esc(error.reason)})</p>'
        f"{details}<p>{link(back or '/', 'Back')}</p>"
    )
    session = request.get(SESSION)
    who = session.signed_in_as if session is not None else ""
    status = _HTTP_STATUS.get(error.code, 500)
    text = page("Could not do that", body, who=who)
    return web.Response(text=text, status=status, content_type="text/html")


def _violation(violation: FieldViolation) -> str:
    return f"<li>{esc(violation.field)}: {esc(violation.description)}</li>"


@web.middleware
async def _errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Domain errors become status pages; anything else a generic 500, logged by type only
    (an exception's text may quote a customer's data)."""
    started = time.monotonic()
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # redirects and plain HTTP errors
        _finish(request, exc, started)
        raise
    except DomainError as exc:
        response = _error_page(request, exc)
    except Exception as exc:
        log.error("console: unexpected %s on %s", type(exc).__name__, _route(request))
        response = _error_page(request, DomainError("internal error"))
    _finish(request, response, started)
    return response


def _finish(request: web.Request, response: web.StreamResponse, started: float) -> None:
    for name, value in _HEADERS.items():
        response.headers.setdefault(name, value)
    elapsed = (time.monotonic() - started) * 1000
    log.debug("console %s %s %d %.1fms", request.method, _route(request), response.status, elapsed)


def _route(request: web.Request) -> str:
    """The route's template, not the path: paths hold customer ids and queries hold names."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "(no route)"


def build_app(services: ConsoleServices) -> web.Application:
    app = web.Application(middlewares=[_errors, login.authenticate], client_max_size=MAX_FORM_BYTES)
    app[SERVICES] = services
    login.add_routes(app)
    reviews.add_routes(app)
    customers.add_routes(app)
    audit.add_routes(app)
    return app


def _ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """The gRPC port's certificate (and client CA) for HTTPS, when TLS is configured."""
    security = settings.security
    if security.tls_cert is None or security.tls_key is None:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(security.tls_cert, security.tls_key)
    if security.tls_client_ca is not None:
        context.load_verify_locations(security.tls_client_ca)
        context.verify_mode = ssl.CERT_REQUIRED
    return context


@dataclass
class ConsoleServer:
    runner: web.AppRunner
    host: str
    port: int
    secure: bool

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.secure else 'http'}://{host}:{self.port}"

    async def stop(self) -> None:
        await self.runner.cleanup()


async def start_console(services: ConsoleServices, settings: Settings) -> ConsoleServer:
    """Bind the console on the gRPC host and `settings.console_port`; the caller stops it."""
    assert settings.console_port is not None
    runner = web.AppRunner(
        build_app(services),
        access_log=None,
        handle_signals=False,
        shutdown_timeout=settings.shutdown_grace_seconds,
    )
    await runner.setup()
    context = _ssl_context(settings)
    site = web.TCPSite(
        runner,
        settings.host,
        settings.console_port,
        ssl_context=context,
    )
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    port = cast(tuple[str, int], runner.addresses[0])[1]
    return ConsoleServer(runner, settings.host, port, context is not None)


__all__ = ["ConsoleServer", "ConsoleServices", "session_of", "start_console"]
