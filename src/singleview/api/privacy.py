"""PrivacyService: convert, call the privacy service with the caller as actor, convert back."""

from __future__ import annotations

from typing import Any

import grpc

from singleview.api.auth import caller_of
from singleview.domain.privacy import EraseInput
from singleview.service.privacy import PrivacyService
from singleview.v1 import privacy_service_pb2 as pb
from singleview.v1 import privacy_service_pb2_grpc as pb_grpc

Context = grpc.aio.ServicerContext[Any, Any]


class PrivacyServicer(pb_grpc.PrivacyServiceServicer):
    def __init__(self, privacy: PrivacyService) -> None:
        self.privacy = privacy

    async def EraseCustomer(
        self, request: pb.EraseCustomerRequest, context: Context
    ) -> pb.EraseCustomerResponse:
        erasure = await self.privacy.erase_customer(
            EraseInput(request.name, request.reason, request.request_id, caller_of(context).name)
        )
        return pb.EraseCustomerResponse(
            erased=list(erasure.erased_ids),
            records_erased=erasure.records_erased,
            interactions_erased=erasure.interactions_erased,
            identifiers_suppressed=erasure.identifiers_suppressed,
        )

    async def ExportCustomer(
        self, request: pb.ExportCustomerRequest, context: Context
    ) -> pb.ExportCustomerResponse:
        document = await self.privacy.export_customer(request.name, caller_of(context).name)
        return pb.ExportCustomerResponse(json=document)
