"""Reading households, and a steward's changes to them: add or remove a member, re-attribute.

A steward knows what the data cannot show: a lodger who shares the landline, a grown child who
moved out. Adding makes the customer a member (a contact of the household becomes a person of
it); removing also keeps shared identifiers from adding them back. Re-attributing settles who an
ambiguous contact was: the household's conversations (held by its nameless contacts) and their
interactions become the member's. Every change is idempotent with request_id (the stewardship
service's `once`) and audited with ids only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from singleview.config import Settings
from singleview.domain.errors import FailedPrecondition, NotFound
from singleview.domain.households import (
    Household,
    MemberOrigin,
    MemberRole,
    MembershipChange,
)
from singleview.domain.records import Evidence, EvidenceKind
from singleview.service.households import HOUSEHOLD_PREFIX, household_name
from singleview.service.names import customer_name, parse_customer_name
from singleview.service.stewardship import StewardshipService
from singleview.service.stewardship_validation import (
    ValidMembership,
    parse_household_name,
    validate_membership,
)
from singleview.store import customers as customer_store
from singleview.store import households as store
from singleview.store import resolution
from singleview.store.database import Connection, Database


def _household_not_found(name: str) -> NotFound:
    return NotFound("no such household", reason="HOUSEHOLD_NOT_FOUND", metadata={"household": name})


async def _live(conn: Connection, customer_id: str) -> str:
    live = (await customer_store.resolve_names(conn, [customer_id])).get(customer_id)
    if live is None:
        raise NotFound(
            "no such customer",
            reason="CUSTOMER_NOT_FOUND",
            metadata={"customer": customer_name(customer_id)},
        )
    return live


async def _locked(conn: Connection, household_id: str) -> Household:
    household = await store.load_household(conn, household_id, lock=True)
    if household is None:
        raise _household_not_found(household_name(household_id))
    return household


class HouseholdService:
    def __init__(
        self, database: Database, settings: Settings, stewardship: StewardshipService
    ) -> None:
        self.database = database
        self.settings = settings
        self.stewardship = stewardship

    async def get_household(self, name: str) -> Household:
        """`households/{id}`, or `customers/{id}` for that customer's household."""
        async with self.database.connection() as conn:
            if name.startswith(HOUSEHOLD_PREFIX):
                household_id = parse_household_name(name, "name")
            else:
                customer_id = await _live(conn, parse_customer_name(name, "name"))
                placed = await store.households_of_customers(conn, [customer_id])
                if customer_id not in placed:
                    raise _household_not_found(name)
                household_id = placed[customer_id][0]
            household = await store.load_household(conn, household_id)
            if household is None:
                raise _household_not_found(name)
            return household

    async def _change(
        self,
        method: str,
        valid: ValidMembership,
        change: Callable[[Connection, ValidMembership], Awaitable[dict[str, Any]]],
    ) -> dict[str, Any]:
        fields = {
            "household": valid.household_id,
            "customer": valid.customer_id,
            "reason": valid.reason,
            "conversations": list(valid.conversation_ids),
        }

        async def work(conn: Connection) -> dict[str, Any]:
            async def run() -> dict[str, Any]:
                return await change(conn, valid)

            return await self.stewardship.once(
                conn, method, valid.request_id, fields, valid.actor, run
            )

        return await self.database.in_transaction(work)

    async def add_member(self, request: MembershipChange) -> Household:
        valid = validate_membership(request, self.settings.limits)
        await self._change("AddHouseholdMember", valid, self._add)
        return await self.get_household(household_name(valid.household_id))

    async def remove_member(self, request: MembershipChange) -> Household:
        valid = validate_membership(request, self.settings.limits)
        result = await self._change("RemoveHouseholdMember", valid, self._remove)
        if result["dissolved"]:  # fewer than two members were left
            created = datetime.fromisoformat(str(result["create_time"]))
            dissolved = datetime.fromisoformat(str(result["dissolve_time"]))
            return Household(valid.household_id, (), (), created, dissolved)
        return await self.get_household(household_name(valid.household_id))

    async def reattribute(
        self, request: MembershipChange, conversations: Sequence[str]
    ) -> tuple[list[str], list[tuple[str, str]]]:
        """(conversation ids, (customer id, interaction id)s) now the member's."""
        valid = validate_membership(request, self.settings.limits, conversations)
        result = await self._change("ReattributeInteractions", valid, self._reattribute)
        pairs = [(str(c), str(i)) for c, i in result["interactions"]]
        return [str(c) for c in result["conversations"]], pairs

    @staticmethod
    async def _add(conn: Connection, valid: ValidMembership) -> dict[str, Any]:
        household = await _locked(conn, valid.household_id)
        customer_id = await _live(conn, valid.customer_id)
        await resolution.lock_customers(conn, {customer_id})
        placed = (await store.households_of_customers(conn, [customer_id])).get(customer_id)
        evidence = (
            Evidence(
                EvidenceKind.STEWARD_DECISION,
                f"added by a steward: {valid.reason}",
                customer_id=customer_id,
            ),
        )
        if placed is not None and placed[0] != household.id:
            raise FailedPrecondition(
                "the customer is a member of another household; remove them there first",
                reason="HOUSEHOLD_CONFLICT",
                metadata={"household": household_name(placed[0])},
            )
        if placed is None:
            await store.insert_member(
                conn, household.id, customer_id, MemberRole.MEMBER, MemberOrigin.STEWARD, evidence
            )
        elif placed[1] is MemberRole.CONTACT:
            await store.promote_member(
                conn, household.id, customer_id, MemberOrigin.STEWARD, evidence
            )
        await store.set_excluded(conn, household.id, customer_id, excluded=False)
        await store.touch(conn, household.id)
        await _audit(conn, "HOUSEHOLD_ADD", valid, household.id, customer_id, {})
        return {"customer": customer_id}

    @staticmethod
    async def _remove(conn: Connection, valid: ValidMembership) -> dict[str, Any]:
        household = await _locked(conn, valid.household_id)
        customer_id = await _live(conn, valid.customer_id)
        if customer_id not in {m.customer_id for m in household.members}:
            raise FailedPrecondition(
                "the customer is not in this household",
                reason="NOT_A_HOUSEHOLD_MEMBER",
                metadata={"household": household_name(household.id)},
            )
        await store.delete_member(conn, household.id, customer_id)
        await store.set_excluded(conn, household.id, customer_id, excluded=True)
        await store.touch(conn, household.id)
        dissolved = bool(await store.dissolve_small(conn, {household.id}))
        await _audit(
            conn, "HOUSEHOLD_REMOVE", valid, household.id, customer_id, {"dissolved": dissolved}
        )
        # Kept with the request id, so a replay describes the dissolved household as the first
        # answer did (it no longer exists to be read).
        times = {"create_time": household.create_time.isoformat(), "dissolve_time": _now()}
        return {"customer": customer_id, "dissolved": dissolved, **(times if dissolved else {})}

    @staticmethod
    async def _reattribute(conn: Connection, valid: ValidMembership) -> dict[str, Any]:
        household = await _locked(conn, valid.household_id)
        customer_id = await _live(conn, valid.customer_id)
        if customer_id not in household.customer_ids():
            raise FailedPrecondition(
                "interactions go to a member of the household",
                reason="NOT_A_HOUSEHOLD_MEMBER",
                metadata={"household": household_name(household.id)},
            )
        contacts = household.customer_ids(MemberRole.CONTACT)
        await resolution.lock_customers(conn, {customer_id, *contacts})
        chosen = list(valid.conversation_ids) or None
        conversations, interactions = await store.reattribute(conn, contacts, customer_id, chosen)
        await _audit(
            conn,
            "REATTRIBUTE",
            valid,
            household.id,
            customer_id,
            {"conversations": conversations, "interactions": interactions},
        )
        return {
            "conversations": conversations,
            "interactions": [[customer_id, i] for i in interactions],
        }


async def _audit(
    conn: Connection,
    action: str,
    valid: ValidMembership,
    household_id: str,
    customer_id: str,
    after: dict[str, Any],
) -> None:
    await resolution.insert_audit_event(
        conn,
        action=action,
        actor=valid.actor,
        customers=[customer_id],
        reason=valid.reason,
        after={"household": household_id, "customer": customer_id, **after},
    )


def _now() -> str:
    return datetime.now(UTC).isoformat()
