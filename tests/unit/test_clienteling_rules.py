"""Masking for associates, and the reply channel that preferences and consents decide."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from singleview.domain.clienteling import ChannelConsent, ConsentLevel, Preferences
from singleview.domain.identifiers import Identifier, IdentifierKind
from singleview.domain.records import Customer, PersonAttributes
from singleview.domain.timeline import Channel
from singleview.service.masking import mask_customer, mask_email, mask_phone
from singleview.service.preferences import choose_reply_channel

NOW = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("jon.smith@gmail.com", "j********@gmail.com"),
        ("a@example.com", "a***@example.com"),
        ("not-an-email", "***"),
    ],
)
def test_an_email_keeps_its_first_letter_and_domain(email: str, masked: str) -> None:
    assert mask_email(email) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("+13125550100", "+*******0100"), ("+447700900123", "+********0123"), ("123", "***")],
)
def test_a_phone_number_keeps_its_last_four_digits(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_masking_touches_only_emails_and_phones_and_only_when_asked() -> None:
    card = Identifier(IdentifierKind.LOYALTY_ID, "acme", "5745480672")
    customer = Customer(
        "c1",
        PersonAttributes(given_name="Ann"),
        (Identifier(IdentifierKind.EMAIL, "", "ann@example.com"), card),
        (),
        NOW,
        NOW,
    )

    assert mask_customer(customer, False) is customer
    assert [i.value for i in mask_customer(customer, True).identifiers] == [
        "a***@example.com",
        "5745480672",
    ]


def _consent(channel: Channel, level: ConsentLevel, day: int = 1) -> ChannelConsent:
    return ChannelConsent(channel, level, NOW.replace(day=day), "store/1")


@pytest.mark.parametrize(
    ("preferences", "stated", "inbound", "reply"),
    [
        (Preferences(), [], [], None),
        (Preferences(), [], [Channel.SMS, Channel.VOICE], Channel.SMS),
        (Preferences(), [], [Channel.STORE, Channel.VOICE], Channel.VOICE),
        (Preferences(), [Channel.EMAIL], [Channel.SMS], Channel.EMAIL),
        (Preferences(preferred_channel=Channel.CHAT), [Channel.EMAIL], [Channel.SMS], Channel.CHAT),
        (
            Preferences(
                preferred_channel=Channel.SMS,
                consents=(_consent(Channel.SMS, ConsentLevel.DO_NOT_CONTACT),),
            ),
            [],
            [Channel.SMS, Channel.VOICE],
            Channel.VOICE,
        ),
        (
            Preferences(
                consents=(
                    _consent(Channel.SMS, ConsentLevel.DO_NOT_CONTACT),
                    _consent(Channel.EMAIL, ConsentLevel.SERVICE, 2),
                    _consent(Channel.APP, ConsentLevel.MARKETING, 3),
                )
            ),
            [],
            [Channel.SMS],
            Channel.APP,
        ),
        (
            Preferences(consents=(_consent(Channel.VOICE, ConsentLevel.DO_NOT_CONTACT),)),
            [Channel.VOICE],
            [Channel.VOICE],
            None,
        ),
    ],
)
def test_the_reply_channel_follows_preferences_and_never_a_forbidden_channel(
    preferences: Preferences, stated: list[Channel], inbound: list[Channel], reply: Channel | None
) -> None:
    assert choose_reply_channel(preferences, stated, inbound) is reply
