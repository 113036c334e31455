"""StewardService: what is built so far (ExplainCustomer); the rest answers UNIMPLEMENTED."""

from __future__ import annotations

from typing import Any

import grpc

from singleview.api import convert
from singleview.domain.errors import Unimplemented
from singleview.service.profiles import ProfileService
from singleview.v1 import common_pb2
from singleview.v1 import steward_service_pb2 as pb
from singleview.v1 import steward_service_pb2_grpc as pb_grpc

Context = grpc.aio.ServicerContext[Any, Any]


class StewardServicer(pb_grpc.StewardServiceServicer):
    def __init__(self, profiles: ProfileService) -> None:
        self.profiles = profiles

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
        raise Unimplemented("ListReviewTasks comes with stewardship")

    async def GetReviewTask(
        self, request: pb.GetReviewTaskRequest, context: Context
    ) -> pb.ReviewTask:
        raise Unimplemented("GetReviewTask comes with stewardship")

    async def DecideReviewTask(
        self, request: pb.DecideReviewTaskRequest, context: Context
    ) -> pb.ReviewTask:
        raise Unimplemented("DecideReviewTask comes with stewardship")

    async def MergeCustomers(
        self, request: pb.MergeCustomersRequest, context: Context
    ) -> common_pb2.Customer:
        raise Unimplemented("MergeCustomers comes with stewardship")

    async def SplitCustomer(
        self, request: pb.SplitCustomerRequest, context: Context
    ) -> pb.SplitCustomerResponse:
        raise Unimplemented("SplitCustomer comes with stewardship")

    async def ListAuditEvents(
        self, request: pb.ListAuditEventsRequest, context: Context
    ) -> pb.ListAuditEventsResponse:
        raise Unimplemented("ListAuditEvents comes with stewardship")
