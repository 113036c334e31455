"""Reading customers: by name (merged-away names answer with the survivor) and page by page."""

from __future__ import annotations

from dataclasses import dataclass

from singleview.config import Settings
from singleview.domain.errors import NotFound, ViolationCollector
from singleview.domain.records import Customer
from singleview.service.names import parse_customer_name
from singleview.service.paging import decode_page_token, encode_page_token
from singleview.service.validation import check_page_size
from singleview.store import customers as customer_store
from singleview.store.database import Database
from singleview.store.resolution import insert_audit_event

_PAGE_KIND = "customers"


@dataclass(frozen=True)
class CustomerPage:
    customers: list[Customer]
    next_page_token: str


class ProfileService:
    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings

    async def get_customer(self, name: str) -> Customer:
        customer_id = parse_customer_name(name)
        async with self.database.connection() as conn:
            found = await customer_store.load_live_customers(conn, [customer_id])
        if customer_id not in found:
            raise NotFound(
                "no such customer", reason="CUSTOMER_NOT_FOUND", metadata={"customer": name}
            )
        return found[customer_id]

    async def record_read(self, customer_id: str, reader: str, via: str) -> None:
        """Attribute a person's read of a profile (a store associate, a steward's console).

        Reads by person-facing clients are audited so a customer's audit (and export) shows
        who looked at their profile and when; channel backends' machine reads are not.
        """
        async with self.database.connection() as conn:
            await insert_audit_event(
                conn, action="PROFILE_READ", actor=reader, customers=[customer_id], reason=via
            )

    async def explain_customer(self, name: str) -> tuple[Customer, list[customer_store.RecordLink]]:
        """The customer and, for each record, the decision and evidence that put it there."""
        customer = await self.get_customer(name)
        async with self.database.connection() as conn:
            links = await customer_store.record_links(conn, customer.id)
        return customer, links

    async def list_customers(self, page_size: int, page_token: str) -> CustomerPage:
        errors = ViolationCollector()
        size = check_page_size(errors, page_size, self.settings.limits)
        errors.raise_if_any()
        after = decode_page_token(page_token, _PAGE_KIND)
        async with self.database.connection() as conn:
            ids = await customer_store.live_customer_page(conn, after, size + 1)
            page_ids = ids[:size]
            loaded = await customer_store.load_customers(conn, page_ids)
        customers = [loaded[i] for i in page_ids if i in loaded]
        more = len(ids) > size
        token = encode_page_token(_PAGE_KIND, page_ids[-1]) if more and page_ids else ""
        return CustomerPage(customers, token)
