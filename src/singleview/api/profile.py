"""ProfileService: convert, call the profile and clienteling services, convert back."""

from __future__ import annotations

from typing import Any

import grpc

from singleview.api import clienteling_convert as clienteling_pb
from singleview.api import convert
from singleview.api.auth import caller_of
from singleview.api.household_convert import household_to_pb
from singleview.domain.errors import FieldViolation, InvalidArgument
from singleview.domain.security import ANONYMOUS, Role
from singleview.service.clienteling import Clienteling
from singleview.service.household_stewardship import HouseholdService
from singleview.service.masking import mask_customer
from singleview.service.profiles import ProfileService
from singleview.v1 import common_pb2
from singleview.v1 import profile_service_pb2 as pb
from singleview.v1 import profile_service_pb2_grpc as pb_grpc

Context = grpc.aio.ServicerContext[Any, Any]


def masked_for(context: Context) -> bool:
    """Store associates (the clienteling role) see emails and phone numbers masked; stewards,
    admins and a development server without authentication see them whole."""
    return caller_of(context).role is Role.CLIENTELING


class ProfileServicer(pb_grpc.ProfileServiceServicer):
    def __init__(
        self, profiles: ProfileService, clienteling: Clienteling, households: HouseholdService
    ) -> None:
        self.profiles = profiles
        self.clienteling = clienteling
        self.households = households

    async def GetHousehold(
        self, request: pb.GetHouseholdRequest, context: Context
    ) -> common_pb2.Household:
        return household_to_pb(await self.households.get_household(request.name))

    async def GetCustomer(
        self, request: pb.GetCustomerRequest, context: Context
    ) -> common_pb2.Customer:
        if request.view not in clienteling_pb.VIEWS:
            raise InvalidArgument([FieldViolation("view", f"unknown value {request.view}")])
        mask = masked_for(context)
        if request.view == pb.CUSTOMER_VIEW_CARD:
            found = await self.clienteling.card(request.name, mask=mask)
            await self._attribute_read(found.customer.id, context)
            return clienteling_pb.customer_card_to_pb(found)
        customer = await self.profiles.get_customer(request.name)
        await self._attribute_read(customer.id, context)
        return convert.customer_to_pb(mask_customer(customer, mask))

    async def _attribute_read(self, customer_id: str, context: Context) -> None:
        """Store associates' reads are recorded; so are named callers on an open server."""
        caller = caller_of(context)
        if caller.role is Role.CLIENTELING or (
            caller.role is None and caller.name != ANONYMOUS.name
        ):
            await self.profiles.record_read(customer_id, caller.name, "GetCustomer")

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
        page = await self.clienteling.search.search(
            request.query, request.page_size, request.page_token, mask=masked_for(context)
        )
        return clienteling_pb.search_response(page)

    async def UpdatePreferences(
        self, request: pb.UpdatePreferencesRequest, context: Context
    ) -> common_pb2.Preferences:
        update = clienteling_pb.preferences_update(request, caller_of(context).name)
        return clienteling_pb.preferences_to_pb(await self.clienteling.preferences.update(update))

    async def RecordVisit(
        self, request: pb.RecordVisitRequest, context: Context
    ) -> pb.RecordVisitResponse:
        recorded = await self.clienteling.record_visit(clienteling_pb.visit_input(request))
        return clienteling_pb.visit_response(recorded)
