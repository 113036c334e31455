"""Stewardship: decide review tasks, merge and split customers, read the audit log.

Decisions (and why these rules):
- SAME merges the two live customers into the older one and records their records as a must-link
  group, so automatic re-evaluation never pulls them apart again.
- DIFFERENT records a cannot-link between the records the two customers hold: later resolves
  never merge across it (a record that would bridge them becomes a review task instead), and no
  task is raised again for the pair.
- UNSURE keeps them apart and leaves the task OPEN, with the verdict and reason recorded: it stays
  in the queue for another steward, and a new task for the same pair is not raised beside it.
Every write takes an optional request_id (AIP-155): a replay answers as the first call did (with
the resources as they are now) and changes nothing; the same id for another request is refused.
Two stewards deciding one task serialize on its row: the first wins, the second gets
FAILED_PRECONDITION REVIEW_TASK_ALREADY_DECIDED with the task's state in the error's metadata.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from singleview.config import Settings
from singleview.domain.errors import (
    Aborted,
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
    ViolationCollector,
)
from singleview.domain.records import Customer
from singleview.domain.stewardship import (
    AuditEvent,
    AuditQuery,
    DecideInput,
    MergeInput,
    ReviewTask,
    ReviewTaskDetail,
    ReviewTaskQuery,
    ReviewTaskState,
    ReviewVerdict,
    SplitInput,
    SplitResult,
)
from singleview.service import stewardship_changes as changes
from singleview.service.matcher import Matcher
from singleview.service.names import customer_name
from singleview.service.paging import decode_page_token, encode_page_token
from singleview.service.stewardship_reviews import ReviewQueue, ReviewTaskPage
from singleview.service.stewardship_validation import (
    ValidDecide,
    fingerprint,
    review_task_name,
    validate_audit_query,
    validate_decide,
    validate_merge,
    validate_split,
)
from singleview.service.validation import check_page_size
from singleview.store import customers as customer_store
from singleview.store import resolution
from singleview.store import stewardship as steward_store
from singleview.store import timeline as timeline_store
from singleview.store.database import Connection, Database

_AUDIT_PAGE_KIND = "auditEvents"


@dataclass(frozen=True)
class AuditPage:
    audit_events: list[AuditEvent]
    next_page_token: str


def _task_metadata(task: steward_store.LockedTask) -> dict[str, str]:
    """What a steward who lost a race needs to see: where the task stands now."""
    return {
        "review_task": review_task_name(task.id),
        "state": f"REVIEW_TASK_STATE_{task.state.value}",
        "verdict": f"VERDICT_{task.verdict.value}" if task.verdict else "VERDICT_UNSPECIFIED",
        "decided_by": task.decided_by,
        "etag": str(task.version),
    }


def _audit_cursor(token: str, scope: list[str]) -> int | None:
    """The id to continue below, from a page token made for the same filter."""
    text = decode_page_token(token, _AUDIT_PAGE_KIND)
    if not text:
        return None
    try:
        customer, actor, last = json.loads(text)
        if [customer, actor] != scope or not isinstance(last, int):
            raise ValueError("the filter changed")
        return last
    except (ValueError, TypeError):
        raise InvalidArgument(
            [FieldViolation("page_token", "made for another filter; start without one")]
        ) from None


def _decidable(
    task: steward_store.LockedTask | None, valid: ValidDecide
) -> steward_store.LockedTask:
    """The task, if a steward may decide it now: it exists, is open, and is as they read it."""
    if task is None:
        raise NotFound(
            "no such review task",
            reason="REVIEW_TASK_NOT_FOUND",
            metadata={"review_task": review_task_name(valid.task_id)},
        )
    if task.state is not ReviewTaskState.OPEN:
        decided = task.state is ReviewTaskState.DECIDED
        raise FailedPrecondition(
            f"the review task is {task.state.value.lower()} already",
            reason="REVIEW_TASK_ALREADY_DECIDED" if decided else "REVIEW_TASK_OBSOLETE",
            metadata=_task_metadata(task),
        )
    if valid.etag and valid.etag != str(task.version):
        raise Aborted(
            "the review task changed since it was read; read it again",
            reason="REVIEW_TASK_CHANGED",
            metadata=_task_metadata(task),
        )
    return task


async def _live_customers(conn: Connection, ids: list[str], fields: list[str]) -> list[str]:
    """The live customer behind each id, in order; NOT_FOUND names the first unknown one."""
    live = await customer_store.resolve_names(conn, ids)
    for customer_id, field in zip(ids, fields, strict=True):
        if customer_id not in live:
            raise NotFound(
                "no such customer",
                reason="CUSTOMER_NOT_FOUND",
                metadata={"customer": customer_name(customer_id), "field": field},
            )
    return [live[c] for c in ids]


async def _load(conn: Connection, customer_id: str) -> Customer:
    live = (await _live_customers(conn, [customer_id], ["name"]))[0]
    return (await customer_store.load_customers(conn, [live]))[live]


class StewardshipService:
    def __init__(self, database: Database, settings: Settings, matcher: Matcher) -> None:
        self.database = database
        self.settings = settings
        self.queue = ReviewQueue(database, settings, matcher)

    async def list_review_tasks(self, request: ReviewTaskQuery) -> ReviewTaskPage:
        return await self.queue.list_review_tasks(request)

    async def get_review_task(self, name: str) -> ReviewTaskDetail:
        return await self.queue.get_review_task(name)

    async def once(
        self,
        conn: Connection,
        method: str,
        request_id: str,
        fields: dict[str, Any],
        actor: str,
        change: Callable[[], Awaitable[dict[str, Any]]],
    ) -> dict[str, Any]:
        """Run `change` unless this request_id already did; either way, its result (ids)."""
        if not request_id:
            return await change()
        print_ = fingerprint(method, fields)
        await steward_store.lock_request(conn, request_id)
        stored = await steward_store.stored_request(conn, request_id)
        if stored is not None:
            if (stored.method, stored.fingerprint) != (method, print_):
                raise InvalidArgument(
                    [FieldViolation("request_id", "already used for a different request")]
                )
            return stored.result
        result = await change()
        await steward_store.save_request(
            conn, request_id, method=method, fingerprint=print_, result=result, actor=actor
        )
        return result

    async def decide_review_task(self, request: DecideInput) -> ReviewTask:
        valid = validate_decide(request, self.settings.limits)
        fields = {"task": valid.task_id, "verdict": valid.verdict.value, "reason": valid.reason}

        async def work(conn: Connection) -> ReviewTask:
            await self.once(
                conn,
                "DecideReviewTask",
                valid.request_id,
                fields,
                valid.actor,
                lambda: self._decide(conn, valid),
            )
            return await self.queue.task(conn, valid.task_id)

        return await self.database.in_transaction(work)

    async def _decide(self, conn: Connection, valid: ValidDecide) -> dict[str, Any]:
        task = _decidable(await steward_store.lock_review_task(conn, valid.task_id), valid)
        await self._apply_verdict(conn, task, valid)
        unsure = valid.verdict is ReviewVerdict.UNSURE
        state = ReviewTaskState.OPEN if unsure else ReviewTaskState.DECIDED
        await steward_store.record_verdict(
            conn,
            task.id,
            state=state,
            verdict=valid.verdict,
            reason=valid.reason,
            actor=valid.actor,
            request_id=valid.request_id,
        )
        previous = task.verdict.value if task.verdict else None
        await resolution.insert_audit_event(
            conn,
            action="DECIDE_REVIEW_TASK",
            actor=valid.actor,
            customers=sorted({task.live_a, task.live_b}),
            reason=valid.reason,
            before={"review_task": task.id, "state": task.state.value, "verdict": previous},
            after={"review_task": task.id, "state": state.value, "verdict": valid.verdict.value},
        )
        return {"review_task": task.id}

    async def _apply_verdict(
        self, conn: Connection, task: steward_store.LockedTask, valid: ValidDecide
    ) -> None:
        a, b = task.live_a, task.live_b
        why = f"{review_task_name(task.id)}: {valid.reason}"
        if valid.verdict is ReviewVerdict.SAME and a != b:
            await changes.merge(conn, [a, b], actor=valid.actor, reason=why, settings=self.settings)
        elif valid.verdict is ReviewVerdict.DIFFERENT:
            if a == b:
                raise FailedPrecondition(
                    "the two sides are one customer now; split it instead",
                    reason="REVIEW_TASK_SIDES_MERGED",
                    metadata=_task_metadata(task),
                )
            await changes.keep_apart(
                conn, a, b, actor=valid.actor, reason=why, review_task_id=task.id
            )

    async def merge_customers(self, request: MergeInput) -> Customer:
        valid = validate_merge(request, self.settings.limits)
        fields = {"customers": list(valid.customer_ids), "reason": valid.reason}

        async def work(conn: Connection) -> Customer:
            async def change() -> dict[str, Any]:
                paths = [f"names[{i}]" for i in range(len(valid.customer_ids))]
                live = await _live_customers(conn, list(valid.customer_ids), paths)
                distinct = list(dict.fromkeys(live))
                if len(distinct) < 2:
                    raise FailedPrecondition(
                        "these names are one customer already",
                        reason="CUSTOMERS_ALREADY_MERGED",
                        metadata={"customer": customer_name(distinct[0])},
                    )
                survivor = await changes.merge(
                    conn, distinct, actor=valid.actor, reason=valid.reason, settings=self.settings
                )
                return {"customer": survivor}

            result = await self.once(
                conn, "MergeCustomers", valid.request_id, fields, valid.actor, change
            )
            return await _load(conn, str(result["customer"]))

        return await self.database.in_transaction(work)

    async def split_customer(self, request: SplitInput) -> SplitResult:
        valid = validate_split(request, self.settings.limits)
        refs = [[r.source, r.record_id] for r in valid.records]
        fields = {"customer": valid.customer_id, "records": refs, "reason": valid.reason}

        async def work(conn: Connection) -> SplitResult:
            async def change() -> dict[str, Any]:
                live = (await _live_customers(conn, [valid.customer_id], ["name"]))[0]
                outcome = await changes.split(
                    conn,
                    live,
                    valid.records,
                    actor=valid.actor,
                    reason=valid.reason,
                    settings=self.settings,
                )
                return {
                    "remaining": live,
                    "split_off": outcome.customer_id,
                    "restored": outcome.restored,
                }

            result = await self.once(
                conn, "SplitCustomer", valid.request_id, fields, valid.actor, change
            )
            return SplitResult(
                await _load(conn, str(result["remaining"])),
                await _load(conn, str(result["split_off"])),
                bool(result["restored"]),
            )

        return await self.database.in_transaction(work)

    async def list_audit_events(self, request: AuditQuery) -> AuditPage:
        """Newest first; for a customer, its events and those of every customer merged into it."""
        errors = ViolationCollector()
        size = check_page_size(errors, request.page_size, self.settings.limits)
        customer_id = validate_audit_query(errors, request, self.settings.limits)
        errors.raise_if_any()
        scope = [customer_id or "", request.actor]
        before_id = _audit_cursor(request.page_token, scope)
        async with self.database.connection() as conn:
            names = None
            if customer_id is not None:
                live = (await _live_customers(conn, [customer_id], ["customer"]))[0]
                names = await timeline_store.timeline_customers(conn, live)
            events = await steward_store.audit_events(
                conn,
                customer_ids=names,
                actor=request.actor or None,
                before_id=before_id,
                limit=size + 1,
            )
        page = events[:size]
        token = ""
        if len(events) > size and page:
            token = encode_page_token(_AUDIT_PAGE_KIND, json.dumps([*scope, page[-1].id]))
        return AuditPage(page, token)
