"""ProfileService: convert, call the profile service, convert back."""

from __future__ import annotations

from typing import Any

import grpc

from singleview.api import convert
from singleview.domain.errors import Unimplemented
from singleview.service.profiles import ProfileService
from singleview.v1 import common_pb2
from singleview.v1 import profile_service_pb2 as pb
from singleview.v1 import profile_service_pb2_grpc as pb_grpc

Context = grpc.aio.ServicerContext[Any, Any]


class ProfileServicer(pb_grpc.ProfileServiceServicer):
    def __init__(self, profiles: ProfileService) -> None:
        self.profiles = profiles

    async def GetCustomer(
        self, request: pb.GetCustomerRequest, context: Context
    ) -> common_pb2.Customer:
        return convert.customer_to_pb(await self.profiles.get_customer(request.name))

    async def ListCustomers(
        self, request: pb.ListCustomersRequest, context: Context
    ) -> pb.ListCustomersResponse:
        page = await self.profiles.list_customers(request.page_size, request.page_token)
        return pb.ListCustomersResponse(
            customers=[convert.customer_to_pb(c) for c in page.customers],
            next_page_token=page.next_page_token,
        )

    async def SearchCustomers(
        self, request: pb.SearchCustomersRequest, context: Context
    ) -> pb.SearchCustomersResponse:
        raise Unimplemented("SearchCustomers comes with clienteling")
