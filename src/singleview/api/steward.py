"""StewardService: convert, call the stewardship service, convert back."""

from __future__ import annotations

import json
from typing import Any

import grpc

from singleview.api import convert
from singleview.api.actor import actor_of
from singleview.api.household_convert import household_to_pb
from singleview.domain.errors import FieldViolation, InvalidArgument
from singleview.domain.households import MembershipChange
from singleview.domain.records import SourceRecordRef
from singleview.domain.stewardship import (
    AuditEvent,
    AuditQuery,
    DecideInput,
    MergeInput,
    RecordDetail,
    ReviewSide,
    ReviewTask,
    ReviewTaskDetail,
    ReviewTaskQuery,
    ReviewTaskState,
    ReviewVerdict,
    SideBySide,
    SplitInput,
)
from singleview.service.household_stewardship import HouseholdService
from singleview.service.names import customer_name
from singleview.service.profiles import ProfileService
from singleview.service.stewardship import StewardshipService
from singleview.service.stewardship_validation import audit_event_name, review_task_name
from singleview.service.timeline_validation import conversation_name, interaction_name
from singleview.v1 import common_pb2
from singleview.v1 import steward_service_pb2 as pb
from singleview.v1 import steward_service_pb2_grpc as pb_grpc

Context = grpc.aio.ServicerContext[Any, Any]

_STATE_TO_PB = {
    ReviewTaskState.OPEN: pb.REVIEW_TASK_STATE_OPEN,
    ReviewTaskState.DECIDED: pb.REVIEW_TASK_STATE_DECIDED,
    ReviewTaskState.OBSOLETE: pb.REVIEW_TASK_STATE_OBSOLETE,
}
_STATE_FROM_PB = {v: k for k, v in _STATE_TO_PB.items()}
_VERDICT_TO_PB = {
    ReviewVerdict.SAME: pb.VERDICT_SAME,
    ReviewVerdict.DIFFERENT: pb.VERDICT_DIFFERENT,
    ReviewVerdict.UNSURE: pb.VERDICT_UNSURE,
}
_VERDICT_FROM_PB = {v: k for k, v in _VERDICT_TO_PB.items()}


def _state_filter(state: pb.ReviewTaskState.ValueType) -> ReviewTaskState | None:
    if state == pb.REVIEW_TASK_STATE_UNSPECIFIED:
        return None
    if state not in _STATE_FROM_PB:
        raise InvalidArgument([FieldViolation("state", "not a ReviewTaskState")])
    return _STATE_FROM_PB[state]


def review_task_to_pb(task: ReviewTask) -> pb.ReviewTask:
    message = pb.ReviewTask(
        name=review_task_name(task.id),
        customers=[customer_name(c) for c in task.customer_ids],
        score=task.score,
        evidence=[convert.evidence_to_pb(e) for e in task.evidence],
        state=_STATE_TO_PB[task.state],
        verdict=_VERDICT_TO_PB[task.verdict] if task.verdict else pb.VERDICT_UNSPECIFIED,
        reason=task.reason,
        create_time=convert.timestamp(task.create_time),
        priority=task.priority,
        recent_interaction_count=task.recent_interactions,
        decided_by=task.decided_by,
        etag=task.etag,
    )
    if task.decide_time is not None:
        message.decide_time.CopyFrom(convert.timestamp(task.decide_time))
    if task.record is not None:
        message.record.CopyFrom(convert.record_ref_to_pb(task.record))
    return message


def _record_to_pb(record: RecordDetail) -> pb.ReviewRecord:
    return pb.ReviewRecord(
        record=convert.record_ref_to_pb(record.ref),
        identifiers=[convert.identifier_to_pb(i) for i in record.identifiers],
        attributes=convert.attributes_to_pb(record.attributes),
        observed_at=convert.timestamp(record.observed_at),
        decision=convert.DECISION_TO_PB[record.decision],
        evidence=[convert.evidence_to_pb(e) for e in record.evidence],
    )


def _side_to_pb(side: ReviewSide) -> pb.ReviewSide:
    return pb.ReviewSide(
        customer=convert.customer_to_pb(side.customer),
        records=[_record_to_pb(r) for r in side.records],
    )


def _field_to_pb(row: SideBySide) -> pb.SideBySideField:
    return pb.SideBySideField(
        field=row.field,
        left_value=row.left,
        right_value=row.right,
        level=row.level,
        label=row.label,
        weight=row.weight,
        contradicts=row.contradicts,
    )


def review_task_detail_to_pb(detail: ReviewTaskDetail) -> pb.ReviewTask:
    message = review_task_to_pb(detail.task)
    message.sides.extend(_side_to_pb(s) for s in detail.sides)
    message.comparisons.extend(_field_to_pb(c) for c in detail.comparisons)
    message.compared_records.extend(convert.record_ref_to_pb(r) for r in detail.compared_records)
    return message


def _json_text(value: dict[str, Any] | None) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":")) if value is not None else ""


def audit_event_to_pb(event: AuditEvent) -> pb.AuditEvent:
    return pb.AuditEvent(
        name=audit_event_name(event.id),
        action=event.action,
        actor=event.actor,
        event_time=convert.timestamp(event.event_time),
        customers=[customer_name(c) for c in event.customer_ids],
        reason=event.reason,
        before_json=_json_text(event.before),
        after_json=_json_text(event.after),
    )


class StewardServicer(pb_grpc.StewardServiceServicer):
    def __init__(
        self,
        profiles: ProfileService,
        stewardship: StewardshipService,
        households: HouseholdService,
    ) -> None:
        self.profiles = profiles
        self.stewardship = stewardship
        self.households = households

    async def AddHouseholdMember(
        self, request: pb.AddHouseholdMemberRequest, context: Context
    ) -> common_pb2.Household:
        change = _membership_change(request, context)
        return household_to_pb(await self.households.add_member(change))

    async def RemoveHouseholdMember(
        self, request: pb.RemoveHouseholdMemberRequest, context: Context
    ) -> common_pb2.Household:
        change = _membership_change(request, context)
        return household_to_pb(await self.households.remove_member(change))

    async def ReattributeInteractions(
        self, request: pb.ReattributeInteractionsRequest, context: Context
    ) -> pb.ReattributeInteractionsResponse:
        change = _membership_change(request, context)
        conversations, interactions = await self.households.reattribute(
            change, tuple(request.conversations)
        )
        return pb.ReattributeInteractionsResponse(
            conversations=[conversation_name(c) for c in conversations],
            interactions=[interaction_name(c, i) for c, i in interactions],
        )

    async def ExplainCustomer(
        self, request: pb.ExplainCustomerRequest, context: Context
    ) -> pb.ExplainCustomerResponse:
        customer, links = await self.profiles.explain_customer(request.name)
        return pb.ExplainCustomerResponse(
            customer=convert.customer_to_pb(customer),
            records=[
                pb.RecordExplanation(
                    record=convert.record_ref_to_pb(link.ref),
                    decision=convert.DECISION_TO_PB[link.decision],
                    evidence=[convert.evidence_to_pb(e) for e in link.evidence],
                    link_time=convert.timestamp(link.link_time),
                )
                for link in links
            ],
        )

    async def ListReviewTasks(
        self, request: pb.ListReviewTasksRequest, context: Context
    ) -> pb.ListReviewTasksResponse:
        page = await self.stewardship.list_review_tasks(
            ReviewTaskQuery(
                page_size=request.page_size,
                page_token=request.page_token,
                state=_state_filter(request.state),
                customer=request.customer,
            )
        )
        return pb.ListReviewTasksResponse(
            review_tasks=[review_task_to_pb(t) for t in page.review_tasks],
            next_page_token=page.next_page_token,
        )

    async def GetReviewTask(
        self, request: pb.GetReviewTaskRequest, context: Context
    ) -> pb.ReviewTask:
        return review_task_detail_to_pb(await self.stewardship.get_review_task(request.name))

    async def DecideReviewTask(
        self, request: pb.DecideReviewTaskRequest, context: Context
    ) -> pb.ReviewTask:
        decided = await self.stewardship.decide_review_task(
            DecideInput(
                name=request.name,
                verdict=_VERDICT_FROM_PB.get(request.verdict),
                reason=request.reason,
                request_id=request.request_id,
                etag=request.etag,
                actor=actor_of(context),
            )
        )
        return review_task_to_pb(decided)

    async def MergeCustomers(
        self, request: pb.MergeCustomersRequest, context: Context
    ) -> common_pb2.Customer:
        survivor = await self.stewardship.merge_customers(
            MergeInput(
                names=tuple(request.names),
                reason=request.reason,
                request_id=request.request_id,
                actor=actor_of(context),
            )
        )
        return convert.customer_to_pb(survivor)

    async def SplitCustomer(
        self, request: pb.SplitCustomerRequest, context: Context
    ) -> pb.SplitCustomerResponse:
        result = await self.stewardship.split_customer(
            SplitInput(
                name=request.name,
                records=tuple(SourceRecordRef(r.source, r.record_id) for r in request.records),
                reason=request.reason,
                request_id=request.request_id,
                actor=actor_of(context),
            )
        )
        return pb.SplitCustomerResponse(
            remaining=convert.customer_to_pb(result.remaining),
            split_off=convert.customer_to_pb(result.split_off),
            restored=result.restored,
        )

    async def ListAuditEvents(
        self, request: pb.ListAuditEventsRequest, context: Context
    ) -> pb.ListAuditEventsResponse:
        page = await self.stewardship.list_audit_events(
            AuditQuery(
                customer=request.customer,
                actor=request.actor,
                page_size=request.page_size,
                page_token=request.page_token,
            )
        )
        return pb.ListAuditEventsResponse(
            audit_events=[audit_event_to_pb(e) for e in page.audit_events],
            next_page_token=page.next_page_token,
        )


def _membership_change(
    request: pb.AddHouseholdMemberRequest
    | pb.RemoveHouseholdMemberRequest
    | pb.ReattributeInteractionsRequest,
    context: Context,
) -> MembershipChange:
    """The household, the customer and why, from any of the three membership requests."""
    return MembershipChange(
        request.household, request.customer, request.reason, request.request_id, actor_of(context)
    )
