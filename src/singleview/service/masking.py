"""Masking of emails and phone numbers for callers who may recognize, not read, them.

A store associate confirms "is it still the gmail address starting with j?" or "the number
ending in 0100?" without the service handing a full address book to every tablet. Pure
functions: the api layer decides from the caller's role whether to mask.
"""

from __future__ import annotations

from dataclasses import replace

from singleview.domain.clienteling import CustomerCard
from singleview.domain.identifiers import Identifier, IdentifierKind
from singleview.domain.records import Customer

MASK = "*"
PHONE_DIGITS_SHOWN = 4


def mask_email(value: str) -> str:
    """First letter of the mailbox and the whole domain: "j*******@gmail.com"."""
    local, at, domain = value.rpartition("@")
    if not at or not local:
        return MASK * 3
    return f"{local[0]}{MASK * max(3, len(local) - 1)}@{domain}"


def mask_phone(value: str) -> str:
    """The last four digits only, the length kept: "+*******0100"."""
    shown = value[-PHONE_DIGITS_SHOWN:] if len(value) > PHONE_DIGITS_SHOWN else ""
    hidden = len(value) - len(shown)
    prefix = "+" if value.startswith("+") else ""
    return prefix + MASK * (hidden - len(prefix)) + shown


def mask_identifier(identifier: Identifier) -> Identifier:
    if identifier.kind is IdentifierKind.EMAIL:
        return replace(identifier, value=mask_email(identifier.value))
    if identifier.kind is IdentifierKind.PHONE:
        return replace(identifier, value=mask_phone(identifier.value))
    return identifier


def mask_customer(customer: Customer, mask: bool) -> Customer:
    """The customer with emails and phone numbers masked when `mask`; unchanged otherwise."""
    if not mask:
        return customer
    return replace(customer, identifiers=tuple(mask_identifier(i) for i in customer.identifiers))


def mask_card(card: CustomerCard, mask: bool) -> CustomerCard:
    """The customer and card, masked when `mask`; the card says whether it is."""
    if not mask:
        return card
    return CustomerCard(mask_customer(card.customer, mask), replace(card.card, masked=True))
