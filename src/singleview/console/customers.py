"""A customer: golden record, each record with the link that put it there, the merged timeline
newest first, and the split form (choose records, give a reason).

The split form names records by (source, record_id) as JSON in each checkbox's value, so a
record id may hold any character; it carries a request_id made when the page was drawn, so a
resent form splits once (SplitCustomer is idempotent on it).
"""

from __future__ import annotations

import json
import re
import uuid

from aiohttp import web

from singleview.domain.errors import FieldViolation, InvalidArgument
from singleview.domain.records import Customer, SourceRecordRef
from singleview.domain.security import Permission
from singleview.domain.stewardship import SplitInput
from singleview.domain.timeline import Interaction, InteractionFilter, ListInteractionsInput
from singleview.store.customers import RecordLink

from .context import first, form_of, html_page, require, services_of
from .html import (
    customer_id_of,
    definitions,
    esc,
    evidence_list,
    golden,
    hidden,
    identifier_list,
    link,
    reason_field,
    record_text,
    table,
    url,
    when,
)

TIMELINE_PAGE_SIZE = 50
_CUSTOMER_ID = re.compile(r"^[0-9a-z]{1,64}$")
_ROUTE_ID = "{customer_id:[0-9a-z]{1,64}}"


def _record_row(index: int, record: RecordLink) -> list[str]:
    value = json.dumps([record.ref.source, record.ref.record_id])
    box = f'<input type="checkbox" id="record-{index}" name="record" value="{esc(value)}">'
    label = f'<label for="record-{index}">{esc(record_text(record.ref))}</label>'
    return [box, label, esc(record.decision.value), evidence_list(record.evidence)]


def _records_and_split(customer: Customer, links: list[RecordLink], csrf: str) -> str:
    rows = (_record_row(i, r) for i, r in enumerate(links))
    records = table(
        "Records and why each is in this customer",
        ["Split off", "Record", "Linked by", "Evidence"],
        rows,
    )
    return (
        f'<form method="post" action="/customers/{esc(customer.id)}/split">'
        + records
        + "<fieldset><legend>Split the chosen records into a new customer</legend>"
        + reason_field("split-reason", "Reason (required; shown in the audit log)")
        + hidden("csrf_token", csrf)
        + hidden("request_id", str(uuid.uuid4()))
        + "<button>Split</button></fieldset></form>"
    )


def _interaction_row(item: Interaction) -> list[str]:
    handler = item.handler.value if item.handler else ""
    who = ", ".join(p for p in (item.agent_id, item.team_id, item.store_id) if p)
    return [
        when(item.occur_time),
        esc(item.channel.value),
        esc(item.direction.value),
        esc(item.state.value),
        esc(handler),
        esc(item.summary),
        esc(who),
        esc(item.source),
    ]


def _timeline(customer_id: str, interactions: list[Interaction], next_token: str) -> str:
    headers = ["When", "Channel", "Direction", "State", "Handler", "Summary", "Handled by"]
    body = table(
        "Timeline across every channel, newest first",
        [*headers, "Source"],
        (_interaction_row(i) for i in interactions),
    )
    if next_token:
        older = url(f"/customers/{customer_id}", timeline_page=next_token)
        body += f"<p>{link(older, 'Older interactions')}</p>"
    return body


async def customer_page(request: web.Request) -> web.StreamResponse:
    session = require(request, Permission.EXPLAIN)
    require(request, Permission.READ_TIMELINE)
    services = services_of(request)
    requested = request.match_info["customer_id"]
    customer, links = await services.profiles.explain_customer(f"customers/{requested}")
    if customer.id != requested:  # a merged-away name: show the survivor under its own name
        raise web.HTTPSeeOther(f"/customers/{customer.id}")
    await services.profiles.record_read(customer.id, session.caller.name, "console")
    listed = await services.timeline.list_interactions(
        ListInteractionsInput(
            f"customers/{customer.id}",
            TIMELINE_PAGE_SIZE,
            request.query.get("timeline_page", ""),
            InteractionFilter(),
        )
    )
    merged = "".join(f"<li>customers/{esc(m)}</li>" for m in customer.merged_ids)
    audit = url("/audit", customer=f"customers/{customer.id}")
    body = (
        definitions(
            [("Created", when(customer.create_time)), ("Updated", when(customer.update_time))]
        )
        + f"<h2>Golden record</h2>{golden(customer)}"
        + f"<h2>Identifiers</h2>{identifier_list(customer.identifiers) or '<p>None.</p>'}"
        + (f"<h2>Merged into this customer</h2><ul>{merged}</ul>" if merged else "")
        + f"<h2>Records</h2>{_records_and_split(customer, links, session.csrf)}"
        + f"<h2>Timeline</h2>{_timeline(customer.id, listed.interactions, listed.next_page_token)}"
        + f"<p>{link(audit, 'Audit log of this customer')}</p>"
    )
    return html_page(session, f"Customer {customer.id}", body)


async def find_customer(request: web.Request) -> web.StreamResponse:
    """The header's lookup box: `customers/ID` or a bare id opens that customer's page."""
    require(request, Permission.EXPLAIN)
    customer_id = customer_id_of(request.query.get("name", "").strip())
    if not _CUSTOMER_ID.match(customer_id):
        raise InvalidArgument([FieldViolation("name", "must look like customers/{customer_id}")])
    raise web.HTTPSeeOther(f"/customers/{customer_id}")


def _record_refs(values: list[str]) -> tuple[SourceRecordRef, ...]:
    refs = []
    for value in values:
        try:
            source, record_id = json.loads(value)
            refs.append(SourceRecordRef(str(source), str(record_id)))
        except (ValueError, TypeError):
            raise InvalidArgument([FieldViolation("records", "not a record of the page")]) from None
    return tuple(refs)


async def split(request: web.Request) -> web.StreamResponse:
    """SplitCustomer, then the remaining customer's page, naming the new one."""
    session = require(request, Permission.SPLIT)
    form = await form_of(request)
    result = await services_of(request).stewardship.split_customer(
        SplitInput(
            name=f"customers/{request.match_info['customer_id']}",
            records=_record_refs(form.get("record", [])),
            reason=first(form, "reason"),
            request_id=first(form, "request_id"),
            actor=session.actor,
        )
    )
    restored = " (restored from an earlier merge)" if result.restored else ""
    session.flash.append(
        f"Split {len(result.split_off.records)} record(s) into "
        f"customers/{result.split_off.id}{restored}."
    )
    raise web.HTTPSeeOther(f"/customers/{result.remaining.id}")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/customers", find_customer)
    app.router.add_get(f"/customers/{_ROUTE_ID}", customer_page)
    app.router.add_post(f"/customers/{_ROUTE_ID}/split", split)
