"""The audit log: every merge, split, decision and erasure, newest first, by customer and actor.

The filters are ListAuditEvents's own (a customer's log includes what happened to customers
merged into it); this page only draws them. before/after are shown as the JSON they are stored
as: ids and record references, no personal data.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from singleview.domain.security import Permission
from singleview.domain.stewardship import AuditEvent, AuditQuery

from .context import html_page, require, services_of
from .html import customer_link, esc, link, table, url, when

AUDIT_PAGE_SIZE = 50


def _json(value: dict[str, Any] | None) -> str:
    if value is None:
        return ""
    return f"<code>{esc(json.dumps(value, sort_keys=True, indent=1))}</code>"


def _row(event: AuditEvent) -> list[str]:
    return [
        when(event.event_time),
        esc(event.action),
        esc(event.actor),
        "<br>".join(customer_link(c) for c in event.customer_ids),
        esc(event.reason),
        _json(event.before),
        _json(event.after),
    ]


def _filters(customer: str, actor: str) -> str:
    return (
        '<form method="get" action="/audit" role="search"><fieldset><legend>Filter</legend>'
        '<label for="audit-customer">Customer (customers/…)</label>'
        f'<input id="audit-customer" name="customer" type="text" value="{esc(customer)}">'
        '<label for="audit-actor">Actor</label>'
        f'<input id="audit-actor" name="actor" type="text" value="{esc(actor)}">'
        "<button>Show</button></fieldset></form>"
    )


async def audit_page(request: web.Request) -> web.StreamResponse:
    session = require(request, Permission.READ_AUDIT)
    customer = request.query.get("customer", "").strip()
    actor = request.query.get("actor", "").strip()
    token = request.query.get("page_token", "")
    listed = await services_of(request).stewardship.list_audit_events(
        AuditQuery(customer=customer, actor=actor, page_size=AUDIT_PAGE_SIZE, page_token=token)
    )
    body = _filters(customer, actor) + table(
        "Changes, newest first",
        ["When", "Action", "Actor", "Customers", "Reason", "Before", "After"],
        (_row(e) for e in listed.audit_events),
    )
    if listed.next_page_token:
        older = url("/audit", customer=customer, actor=actor, page_token=listed.next_page_token)
        body += f"<p>{link(older, 'Older events')}</p>"
    return html_page(session, "Audit log", body)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/audit", audit_page)
