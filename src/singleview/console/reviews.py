"""The review queue, a task with both sides and the evidence side by side, and its decision.

A decision form carries a request_id made when the page was drawn: a double click or a resent
form is the same request to DecideReviewTask (AIP-155), which answers as it did the first time
and changes nothing more. It also carries the task's etag, so a steward who decides on a page
drawn before someone else changed the task is told so (ABORTED) instead of overriding them.
"""

from __future__ import annotations

import uuid

from aiohttp import web

from singleview.domain.errors import FieldViolation, InvalidArgument
from singleview.domain.security import Permission
from singleview.domain.stewardship import (
    DecideInput,
    RecordDetail,
    ReviewSide,
    ReviewTask,
    ReviewTaskDetail,
    ReviewTaskQuery,
    ReviewTaskState,
    ReviewVerdict,
    SideBySide,
)

from .context import first, form_of, html_page, require, services_of
from .html import (
    attribute_items,
    customer_link,
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

QUEUE_PAGE_SIZE = 25
_TASK_ID = "{task_id:[0-9a-z]{1,64}}"


def _task_row(task: ReviewTask) -> list[str]:
    state = task.state.value
    if task.verdict is ReviewVerdict.UNSURE:
        state += f" (unsure: {task.decided_by})"
    labels = evidence_list(task.evidence[:3])
    return [
        f'<span class="num">{task.priority:.2f}</span>',
        link(f"/reviews/{task.id}", f"reviewTasks/{task.id}"),
        "<br>".join(customer_link(c) for c in task.customer_ids),
        f'<span class="num">{task.score:.2f}</span>',
        f'<span class="num">{task.recent_interactions}</span>',
        labels,
        esc(state),
        when(task.create_time),
    ]


async def queue(request: web.Request) -> web.StreamResponse:
    """Open tasks, most urgent first (uncertainty and how active the customers are)."""
    session = require(request, Permission.READ_REVIEWS)
    token = request.query.get("page_token", "")
    listed = await services_of(request).stewardship.list_review_tasks(
        ReviewTaskQuery(QUEUE_PAGE_SIZE, token, ReviewTaskState.OPEN, "")
    )
    headers = ["Priority", "Task", "Customers", "Score", "Recent contacts", "Evidence"]
    body = table(
        "Open review tasks, most urgent first",
        [*headers, "State", "Raised"],
        (_task_row(t) for t in listed.review_tasks),
    )
    if listed.next_page_token:
        body += f"<p>{link(url('/', page_token=listed.next_page_token), 'Next page')}</p>"
    if token:
        body += f"<p>{link('/', 'First page')}</p>"
    return html_page(session, "Review queue", body)


def _comparison_row(row: SideBySide) -> list[str]:
    mark = " (contradicts)" if row.contradicts else ""
    return [
        esc(row.field),
        esc(row.left),
        esc(row.right),
        esc(row.label) + esc(mark),
        f'<span class="num">{row.weight:+.2f}</span>',
    ]


def _record(record: RecordDetail) -> str:
    items = [
        ("Record", esc(record_text(record.ref))),
        ("Observed", when(record.observed_at)),
        ("Linked by", esc(record.decision.value)),
        ("Identifiers", identifier_list(record.identifiers)),
        *attribute_items(record.attributes),
        ("Why linked", evidence_list(record.evidence)),
    ]
    return f'<section class="record">{definitions(items)}</section>'


def _side(label: str, side: ReviewSide) -> str:
    records = "".join(_record(r) for r in side.records) or "<p>No records.</p>"
    return (
        f'<section class="side" aria-label="{esc(label)}"><h2>{esc(label)}: '
        f"{customer_link(side.customer.id)}</h2><h3>Golden record</h3>{golden(side.customer)}"
        f"<h3>Identifiers</h3>{identifier_list(side.customer.identifiers) or '<p>None.</p>'}"
        f"<h3>Records ({len(side.records)})</h3>{records}</section>"
    )


def _decision_form(task: ReviewTask, csrf: str) -> str:
    if task.state is not ReviewTaskState.OPEN:
        return ""
    buttons = "".join(
        f'<button name="verdict" value="{v.value}">{esc(label)}</button>'
        for v, label in (
            (ReviewVerdict.SAME, "SAME: merge them"),
            (ReviewVerdict.DIFFERENT, "DIFFERENT: keep apart"),
            (ReviewVerdict.UNSURE, "UNSURE: leave open"),
        )
    )
    return (
        f'<form method="post" action="/reviews/{esc(task.id)}/decide">'
        "<fieldset><legend>Decision</legend>"
        + reason_field("reason", "Reason (required; shown in the audit log)")
        + hidden("csrf_token", csrf)
        + hidden("request_id", str(uuid.uuid4()))
        + hidden("etag", task.etag)
        + f"<div>{buttons}</div></fieldset></form>"
    )


def _summary(task: ReviewTask) -> str:
    return definitions(
        [
            ("State", esc(task.state.value)),
            ("Verdict", esc(task.verdict.value if task.verdict else "")),
            ("Decided by", esc(task.decided_by)),
            ("Reason", esc(task.reason)),
            ("Score", esc(f"{task.score:.2f}")),
            ("Priority", esc(f"{task.priority:.2f}")),
            ("Recent contacts", esc(task.recent_interactions)),
            ("Raised", when(task.create_time)),
            ("Decided", when(task.decide_time)),
            ("Raised by record", esc(record_text(task.record) if task.record else "")),
            ("Why it was raised", evidence_list(task.evidence)),
        ]
    )


def task_body(detail: ReviewTaskDetail, csrf: str) -> str:
    task = detail.task
    compared = " and ".join(record_text(r) for r in detail.compared_records)
    caption = "Field by field" + (f": {compared}" if compared else "")
    comparisons = table(
        caption,
        ["Field", "Left", "Right", "Comparison level", "Weight"],
        (_comparison_row(r) for r in detail.comparisons),
    )
    labels = ("Left", "Right")
    sides = "".join(_side(labels[i], s) for i, s in enumerate(detail.sides[:2]))
    return (
        _summary(task)
        + f"<h2>Evidence</h2>{comparisons}"
        + _decision_form(task, csrf)
        + f'<div class="sides">{sides}</div>'
    )


async def task_page(request: web.Request) -> web.StreamResponse:
    session = require(request, Permission.READ_REVIEWS)
    task_id = request.match_info["task_id"]
    detail = await services_of(request).stewardship.get_review_task(f"reviewTasks/{task_id}")
    return html_page(session, f"Review task {task_id}", task_body(detail, session.csrf))


def _verdict(text: str) -> ReviewVerdict:
    try:
        return ReviewVerdict(text)
    except ValueError:
        raise InvalidArgument([FieldViolation("verdict", "SAME, DIFFERENT or UNSURE")]) from None


async def decide(request: web.Request) -> web.StreamResponse:
    """DecideReviewTask, then back to the queue (the next task) with what was done."""
    session = require(request, Permission.DECIDE_REVIEWS)
    task_id = request.match_info["task_id"]
    form = await form_of(request)
    decided = await services_of(request).stewardship.decide_review_task(
        DecideInput(
            name=f"reviewTasks/{task_id}",
            verdict=_verdict(first(form, "verdict")),
            reason=first(form, "reason"),
            request_id=first(form, "request_id"),
            etag=first(form, "etag"),
            actor=session.actor,
        )
    )
    verdict = decided.verdict.value if decided.verdict else ""
    session.flash.append(f"Review task {task_id}: {verdict}, now {decided.state.value}.")
    raise web.HTTPSeeOther("/")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", queue)
    app.router.add_get(f"/reviews/{_TASK_ID}", task_page)
    app.router.add_post(f"/reviews/{_TASK_ID}/decide", decide)
