"""The review queue: uncertain pairs in priority order, and one task with both sides in full.

Priority (highest first, within OPEN, then DECIDED, then OBSOLETE tasks):

    uncertainty × (1 + log10(1 + recent interactions))

where uncertainty = 1 − |2·score − 1| is 1 for a match probability of 0.5 and 0 at 0 or 1, and
recent interactions are those of both (live) customers in the 30 days before the first page was
asked for. A coin-flip pair of customers who are in contact right now comes first: every channel
they use sees an identity nobody is sure of. Ties go to the oldest task.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from singleview.config import Settings
from singleview.domain.errors import FieldViolation, InvalidArgument, NotFound, ViolationCollector
from singleview.domain.identifiers import Identifier, IdentifierKind
from singleview.domain.records import PersonAttributes, SourceRecordRef
from singleview.domain.stewardship import (
    RecordDetail,
    ReviewSide,
    ReviewTask,
    ReviewTaskDetail,
    ReviewTaskQuery,
    SideBySide,
)
from singleview.matching.decision import score_pair
from singleview.matching.levels import MatchProfile
from singleview.matching.model import PairScore
from singleview.matching.profile import build_profile
from singleview.service.matcher import Matcher
from singleview.service.paging import decode_page_token, encode_page_token
from singleview.service.stewardship_validation import (
    check_customer_filter,
    parse_review_task_name,
    review_task_name,
)
from singleview.service.validation import check_page_size
from singleview.store import customers as customer_store
from singleview.store import stewardship as steward_store
from singleview.store.database import Connection, Database

ACTIVITY_WINDOW = timedelta(days=30)
"""How far back a customer's interactions count as recent activity."""
SIDE_RECORDS = 100
"""Records shown per side of a task (newest first); compared: the matcher's records_per_customer."""
_PAGE_KIND = "reviewTasks"


@dataclass(frozen=True)
class ReviewTaskPage:
    review_tasks: list[ReviewTask]
    next_page_token: str


def _not_found(task_id: str) -> NotFound:
    return NotFound(
        "no such review task",
        reason="REVIEW_TASK_NOT_FOUND",
        metadata={"review_task": review_task_name(task_id)},
    )


def _cursor(token: str, scope: list[str]) -> tuple[datetime, steward_store.TaskKey | None]:
    """(as_of, key to continue after) of a page token made for the same filter."""
    text = decode_page_token(token, _PAGE_KIND)
    if not text:
        return datetime.now(UTC), None
    try:
        as_of, rank, priority, seq, made_for = json.loads(text)
        if made_for != scope:
            raise ValueError("the filter changed")
        return datetime.fromisoformat(as_of), steward_store.TaskKey(rank, float(priority), seq)
    except (ValueError, TypeError):
        raise InvalidArgument(
            [FieldViolation("page_token", "made for another filter; start without one")]
        ) from None


class ReviewQueue:
    def __init__(self, database: Database, settings: Settings, matcher: Matcher) -> None:
        self.database = database
        self.settings = settings
        self.matcher = matcher

    async def list_review_tasks(self, request: ReviewTaskQuery) -> ReviewTaskPage:
        errors = ViolationCollector()
        size = check_page_size(errors, request.page_size, self.settings.limits)
        customer_id = check_customer_filter(errors, "customer", request.customer)
        errors.raise_if_any()
        scope = [request.state.value if request.state else "", request.customer]
        as_of, after = _cursor(request.page_token, scope)
        async with self.database.connection() as conn:
            if customer_id is not None:
                live = await customer_store.resolve_names(conn, [customer_id])
                customer_id = live.get(customer_id, customer_id)
            where = steward_store.TaskFilter(state=request.state, customer_id=customer_id)
            rows = await steward_store.review_tasks(
                conn, where, as_of=as_of, window=ACTIVITY_WINDOW, after=after, limit=size + 1
            )
        page = rows[:size]
        token = ""
        if len(rows) > size and page:
            key = page[-1][1]
            cursor = [as_of.isoformat(), key.rank, key.priority, key.seq, scope]
            token = encode_page_token(_PAGE_KIND, json.dumps(cursor))
        return ReviewTaskPage([task for task, _ in page], token)

    async def task(self, conn: Connection, task_id: str) -> ReviewTask:
        where = steward_store.TaskFilter(ids=[task_id])
        rows = await steward_store.review_tasks(
            conn, where, as_of=datetime.now(UTC), window=ACTIVITY_WINDOW
        )
        if not rows:
            raise _not_found(task_id)
        return rows[0][0]

    async def get_review_task(self, name: str) -> ReviewTaskDetail:
        """The task, both live sides with every record in full, and their best pair compared."""
        task_id = parse_review_task_name(name)
        async with self.database.connection() as conn:
            task = await self.task(conn, task_id)
            ids = list(dict.fromkeys(task.customer_ids))
            customers = await customer_store.load_customers(conn, ids)
            records = await steward_store.record_details(conn, ids, SIDE_RECORDS)
            generic = await self.matcher.known_generic(
                conn, {i for side in records.values() for r in side for i in r.identifiers}
            )
        sides = tuple(
            ReviewSide(customers[c], tuple(records.get(c, ()))) for c in ids if c in customers
        )
        comparisons: tuple[SideBySide, ...] = ()
        compared: tuple[SourceRecordRef, ...] = ()
        if len(sides) == 2:
            comparisons, compared = self._side_by_side(sides[0], sides[1], generic)
        return ReviewTaskDetail(task, sides, comparisons, compared)

    def _side_by_side(
        self, left: ReviewSide, right: ReviewSide, generic: set[Identifier]
    ) -> tuple[tuple[SideBySide, ...], tuple[SourceRecordRef, ...]]:
        """The best-scoring pair of the sides' newest records, as the matcher would compare them."""
        limit = self.settings.matching.records_per_customer
        rights = [(b, _profile(b, generic)) for b in right.records[:limit]]
        best: tuple[PairScore, RecordDetail, RecordDetail] | None = None
        for a in left.records[:limit]:
            profile = _profile(a, generic)
            for b, other in rights:
                pair = score_pair(profile, other, self.matcher.comparisons, self.matcher.model)
                if best is None or pair.total_weight > best[0].total_weight:
                    best = (pair, a, b)
        if best is None:
            return (), ()
        pair, a, b = best
        return _rows(pair, a, b, self.matcher), (a.ref, b.ref)


def _profile(record: RecordDetail, generic: set[Identifier]) -> MatchProfile:
    """Generic identifiers are left out, as the matcher leaves them out: they prove nothing."""
    return build_profile(record.attributes, [i for i in record.identifiers if i not in generic])


def _values(record: RecordDetail) -> dict[str, str]:
    """What a steward reads for each compared field of one record."""
    a: PersonAttributes = record.attributes
    address = a.address
    parts = (*address.lines, address.locality, address.region, address.postal_code, address.country)

    def of(kind: IdentifierKind) -> str:
        return ", ".join(sorted(i.value for i in record.identifiers if i.kind is kind))

    return {
        "given_name": a.given_name or a.full_name,
        "family_name": a.family_name,
        "birth_date": a.birth_date.isoformat() if a.birth_date else "",
        "address": ", ".join(p for p in parts if p),
        "email": of(IdentifierKind.EMAIL),
        "phone": of(IdentifierKind.PHONE),
    }


def _rows(
    pair: PairScore, left: RecordDetail, right: RecordDetail, matcher: Matcher
) -> tuple[SideBySide, ...]:
    lv, rv = _values(left), _values(right)
    rows = [
        SideBySide(
            field=c.field,
            left=lv.get(c.field, ""),
            right=rv.get(c.field, ""),
            level=c.level.name if c.level else "",
            label=c.level.label if c.level else "missing on one side: no evidence either way",
            weight=round(weight, 3),
            contradicts=bool(c.level and c.level.contradicts),
        )
        for c, weight in zip(pair.comparisons, pair.weights, strict=True)
    ]
    t = matcher.model.thresholds
    p = pair.probability
    level = "link" if p >= t.link else "review" if p >= t.review else "apart"
    rows.append(
        SideBySide(
            field="total",
            left="",
            right="",
            level=level,
            label=f"match probability {p:.4f}; link at {t.link:g}, review at {t.review:g}",
            weight=round(pair.total_weight, 3),
            contradicts=pair.contradicts,
        )
    )
    return tuple(rows)
