"""Building the match profile of a record: everything comparisons and blocking need, once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from singleview.domain.identifiers import Identifier, IdentifierKind
from singleview.domain.records import PersonAttributes
from singleview.matching.address import parse_address
from singleview.matching.levels import MatchProfile
from singleview.matching.names import parse_name

PLACEHOLDER_BIRTH_DATES = frozenset(
    {date(1900, 1, 1), date(1901, 1, 1), date(1899, 12, 31), date(1, 1, 1), date(9999, 12, 31)}
)
"""Birth dates forms and tills fill in when they have none: compared, they would contradict
the person's real birth date and veto the link, or tie strangers together."""


def build_profile(attributes: PersonAttributes, identifiers: Sequence[Identifier]) -> MatchProfile:
    """Folded names, parsed address, and the record's emails and phones (sorted, unique).

    Identifiers are already normalized (canonical mailbox, E.164): they are used as they are.
    Callers leave out identifiers known to be generic, so that a shared store phone is no
    evidence. Sorting makes the profile, and so the blocking keys, independent of input order.
    """
    given, family = parse_name(attributes.given_name, attributes.family_name, attributes.full_name)
    address = parse_address(attributes.address)
    return MatchProfile(
        given=given,
        family=family,
        birth_date=None
        if attributes.birth_date in PLACEHOLDER_BIRTH_DATES
        else attributes.birth_date,
        house_number=address.house_number,
        street=address.street,
        postal_code=address.postal_code,
        locality=address.locality,
        country=address.country,
        emails=_values(identifiers, IdentifierKind.EMAIL),
        phones=_values(identifiers, IdentifierKind.PHONE),
    )


ROLE_LOCAL_PARTS = frozenset(
    {"info", "contact", "admin", "office", "sales", "support", "hello", "mail", "noreply"}
    | {"no-reply", "team", "billing", "accounts", "service", "help", "enquiries", "family"}
)
"""Mailboxes of a role, not a person: a shared local part of these says nothing."""


def email_local_part(email: str) -> str:
    """The local part of an address without its "+tag" and dots, or "" for a role mailbox.

    "john.smith+shop@work.com" and "johnsmith@gmail.com" are likely the same person across
    providers (Gmail ignores dots, so canonical Gmail mailboxes have none); "info@" is no one.
    """
    local, at, _ = email.rpartition("@")
    local = (local if at else email).lower().partition("+")[0]
    if local in ROLE_LOCAL_PARTS:
        return ""
    return local.replace(".", "")


def _values(identifiers: Sequence[Identifier], kind: IdentifierKind) -> tuple[str, ...]:
    return tuple(sorted({i.value for i in identifiers if i.kind is kind}))
