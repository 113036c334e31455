"""Finding households: customers who share a generic identifier and an address or family name.

Runs inside the transaction of whatever changed who holds the identifier (a resolve, a merge, a
split). For one learned-generic identifier (placeholders never count):
- held by more than SMALL_GROUP customers, it is a crowd's (a store's default phone typed for
  walk-ins): it leaves every household and never makes one;
- otherwise its named holders that share a family name or an address with another holder are
  members of one household (an existing one of theirs, else a new one), unless a steward removed
  them; nameless holders (a call from the landline, a family mailbox with no name) are the
  household's contacts, whose interactions are the household's until re-attributed.
Households only ever link: nothing here moves a record or an interaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from singleview.domain.households import MemberOrigin, MemberRole
from singleview.domain.identifiers import Identifier
from singleview.domain.records import Customer, Evidence, EvidenceKind
from singleview.matching.kinship import is_named as is_named  # resolve.py imports it from here
from singleview.matching.kinship import related
from singleview.matching.profile import build_profile
from singleview.service.matcher import SMALL_GROUP
from singleview.service.names import new_id
from singleview.store import customers as customer_store
from singleview.store import households as store
from singleview.store import matching as match_store
from singleview.store import resolution
from singleview.store.database import Connection
from singleview.store.sql import Batch

HOLDER_RECORDS = 40
"""Newest records of an identifier read to count its holders: enough for a household's few
members with several records each, bounded for a store phone held by thousands."""

HOUSEHOLD_PREFIX = "households/"


def household_name(household_id: str) -> str:
    return HOUSEHOLD_PREFIX + household_id


def household_people(customers: Sequence[Customer]) -> list[str]:
    """The named customers related to at least one other of them, in the given order."""
    named = [c for c in customers if is_named(c.golden)]
    profiles = {c.id: build_profile(c.golden, []) for c in named}
    return [
        c.id
        for c in named
        if any(o.id != c.id and related(profiles[c.id], profiles[o.id]) for o in named)
    ]


def _evidence(identifier: Identifier, others: int) -> tuple[Evidence, ...]:
    kind = identifier.kind.value.lower().replace("_", " ")
    return (
        Evidence(
            EvidenceKind.IDENTIFIER_MATCH,
            f"shares a {kind} and an address or family name with {others} other member(s)",
            identifier=identifier,
        ),
    )


async def refresh_households(conn: Connection, identifiers: Iterable[Identifier]) -> None:
    """Re-derive the households of these identifiers (those learned generic)."""
    learned = await match_store.generic_among(conn, tuple(set(identifiers)))
    await refresh_learned_households(conn, learned)


async def refresh_learned_households(conn: Connection, learned: Iterable[Identifier]) -> None:
    """Re-derive the households of identifiers known to be learned generic: a resolve's
    matching has just read or recorded each one so, and asking the store again cost every such
    record a read (in a bulk import, also a flush of the batch's held-back writes)."""
    for identifier in sorted(set(learned)):
        await _refresh_identifier(conn, identifier)


async def refresh_households_of_customers(conn: Connection, customer_ids: Sequence[str]) -> None:
    """After a split or a steward's change: the households of every identifier they hold."""
    customers = await customer_store.load_customers(conn, list(customer_ids))
    await refresh_households(conn, {i for c in customers.values() for i in c.identifiers})


async def _refresh_identifier(conn: Connection, identifier: Identifier) -> None:
    # The household's own contacts (nameless calls on the line) are nobody yet: they do not
    # make the line look held by more people than a household.
    # Three round trips: what the line's holders are, who they are, where they stand.
    async with Batch(conn) as batch:
        people_holding = batch.add(
            resolution.customers_of_identifiers_bounded_read(
                (identifier,), HOLDER_RECORDS, contacts=False
            )
        )
        holding = batch.add(
            resolution.customers_of_identifiers_bounded_read((identifier,), HOLDER_RECORDS)
        )
    if len(people_holding.value) > SMALL_GROUP:
        await store.dissolve_small(conn, set(await store.delete_identifier(conn, identifier)))
        return
    customers = await customer_store.load_customers(conn, sorted(holding.value))
    ordered = [customers[c] for c in sorted(customers, key=lambda c: customers[c].create_time)]
    people = household_people(ordered)
    if len(people) < 2:
        return
    contacts = [c.id for c in ordered if not is_named(c.golden)]
    async with Batch(conn) as batch:
        placing = batch.add(store.households_of_customers_read([*people, *contacts]))
        attached_to = batch.add(store.households_of_identifiers_read([identifier]))
        exclusions = batch.add(store.exclusions_of_customers_read([*people, *contacts]))
    placed, attached = placing.value, attached_to.value
    theirs = sorted({placed[c][0] for c in people if c in placed}) + sorted(attached)
    if theirs:
        household_id = theirs[0]
    else:
        household_id = new_id()
        await store.insert_household(conn, household_id)
    excluded = {c for c, households in exclusions.value.items() if household_id in households}
    evidence = _evidence(identifier, len(people) - 1)
    changed = household_id not in attached
    for customer_id in people:
        if customer_id in excluded:
            continue
        where = placed.get(customer_id)
        if where is None:
            await store.insert_member(
                conn,
                household_id,
                customer_id,
                MemberRole.MEMBER,
                MemberOrigin.SHARED_IDENTIFIER,
                evidence,
            )
            changed = True
        elif where == (household_id, MemberRole.CONTACT):
            await store.promote_member(
                conn, household_id, customer_id, MemberOrigin.SHARED_IDENTIFIER, evidence
            )
            changed = True
    for customer_id in contacts:
        if customer_id not in placed and customer_id not in excluded:
            await store.insert_member(
                conn,
                household_id,
                customer_id,
                MemberRole.CONTACT,
                MemberOrigin.SHARED_IDENTIFIER,
                evidence,
            )
            changed = True
    if household_id not in attached:
        await store.insert_identifier(conn, household_id, identifier)
    if changed:  # a record that changes nothing leaves the household (and its time) as it was
        await store.touch(conn, household_id)


async def household_contacts(conn: Connection, household_id: str) -> list[str]:
    """The household's nameless contacts: whose conversations are the household's."""
    household = await store.load_household(conn, household_id)
    return household.customer_ids(MemberRole.CONTACT) if household is not None else []


async def household_of(conn: Connection, customer_id: str) -> tuple[str, list[str]]:
    """(household id, its contacts) of a customer; ("", []) outside any household."""
    placed = (await store.households_of_customers(conn, [customer_id])).get(customer_id)
    if placed is None:
        return "", []
    contacts = await household_contacts(conn, placed[0])
    return placed[0], [c for c in contacts if c != customer_id]


async def settle_household_contact(
    conn: Connection, identifiers: Sequence[Identifier], customer_id: str, actor: str
) -> list[str]:
    """A channel named the customer on a household's identifiers (the caller answered the
    question): the household's open conversations were theirs. Moves them, audited; returns the
    conversation ids moved."""
    found = await store.households_of_identifiers(conn, identifiers)
    placed = (await store.households_of_customers(conn, [customer_id])).get(customer_id)
    if placed is None or placed != (placed[0], MemberRole.MEMBER) or placed[0] not in found:
        return []
    contacts = await household_contacts(conn, placed[0])
    if not contacts:
        return []
    await resolution.lock_customers(conn, set(contacts))
    conversations, interactions = await store.reattribute(
        conn, contacts, customer_id, open_only=True
    )
    if conversations:
        await resolution.insert_audit_event(
            conn,
            action="REATTRIBUTE",
            actor=actor,
            customers=[customer_id],
            reason="the channel named the household member on the household's identifiers",
            after={
                "household": placed[0],
                "customer": customer_id,
                "conversations": conversations,
                "interactions": interactions,
            },
        )
    return conversations
