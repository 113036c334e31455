"""UpdatePreferences: preferred channel and per-channel consents, idempotent and audited; and the
reply channel GetContext chooses from them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import psycopg
import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.timestamp_pb2 import Timestamp

from singleview.v1 import common_pb2
from singleview.v1 import profile_service_pb2 as pb
from singleview.v1 import timeline_service_pb2 as timeline_pb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from singleview.v1.timeline_service_pb2_grpc import TimelineServiceStub
from tests.support.builders import email, phone, record
from tests.support.status import rich_error
from tests.support.timeline_builders import interaction
from tests.support.timeline_builders import record as contact

VOICE, EMAIL, SMS, CHAT = (
    common_pb2.CHANNEL_VOICE,
    common_pb2.CHANNEL_EMAIL,
    common_pb2.CHANNEL_SMS,
    common_pb2.CHANNEL_CHAT,
)
MARKETING, SERVICE, DO_NOT_CONTACT = (
    common_pb2.CONSENT_LEVEL_MARKETING,
    common_pb2.CONSENT_LEVEL_SERVICE,
    common_pb2.CONSENT_LEVEL_DO_NOT_CONTACT,
)
MOBILE = "3125550170"


@pytest.fixture
def timeline(channel: grpc.Channel) -> TimelineServiceStub:
    return TimelineServiceStub(channel)


@pytest.fixture
def customer(identity: IdentityServiceStub) -> str:
    made = identity.Resolve(
        record("crm", "cy", phone(MOBILE), email("cy@example.com"), given_name="Cy")
    )
    return made.customer.name


def _consent(
    channel: common_pb2.Channel.ValueType, level: common_pb2.ConsentLevel.ValueType
) -> common_pb2.ChannelConsent:
    return common_pb2.ChannelConsent(channel=channel, level=level)


def _update(customer: str, **fields: object) -> pb.UpdatePreferencesRequest:
    return pb.UpdatePreferencesRequest(customer=customer, source="store/042", **fields)  # type: ignore[arg-type]


def _audit_rows(conninfo: str, customer: str) -> list[tuple[str, str]]:
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(
            "SELECT action, actor FROM audit_event WHERE %s = ANY(customers) ORDER BY id",
            (customer.removeprefix("customers/"),),
        ).fetchall()
    return [(action, actor) for action, actor in rows if action == "PREFERENCES_UPDATED"]


def _reply(timeline: TimelineServiceStub, asking: common_pb2.Channel.ValueType) -> int:
    context = timeline.GetContext(
        timeline_pb.GetContextRequest(identifiers=[phone(MOBILE)], channel=asking)
    )
    assert context.known
    return context.reply_channel


def _contact(timeline: TimelineServiceStub, event: str, channel: int, minutes_ago: int) -> None:
    timeline.RecordInteraction(
        contact("ivr", event, interaction(channel, minutes_ago=minutes_ago), phone(MOBILE))  # type: ignore[arg-type]
    )


def test_preferred_channel_and_consents_are_stated_with_when_and_where(
    profiles: ProfileServiceStub, customer: str
) -> None:
    when = Timestamp()
    when.FromDatetime(datetime.now(UTC) - timedelta(days=2))
    sms = _consent(SMS, DO_NOT_CONTACT)
    sms.source = "sms-stop-keyword"

    answer = profiles.UpdatePreferences(
        _update(
            customer,
            preferred_channel=EMAIL,
            consents=[_consent(EMAIL, MARKETING), sms],
            given_time=when,
        )
    )

    assert answer.preferred_channel == EMAIL
    assert answer.preferred_channel_source == "store/042"
    assert answer.preferred_channel_time == when
    consents = {c.channel: (c.level, c.source, c.given_time) for c in answer.consents}
    assert consents == {
        EMAIL: (MARKETING, "store/042", when),
        SMS: (DO_NOT_CONTACT, "sms-stop-keyword", when),
    }


def test_a_later_update_changes_only_what_it_names(
    profiles: ProfileServiceStub, customer: str
) -> None:
    profiles.UpdatePreferences(
        _update(customer, preferred_channel=EMAIL, consents=[_consent(EMAIL, MARKETING)])
    )

    answer = profiles.UpdatePreferences(_update(customer, consents=[_consent(SMS, SERVICE)]))
    cleared = profiles.UpdatePreferences(
        _update(customer, update_mask=FieldMask(paths=["preferred_channel"]))
    )

    assert answer.preferred_channel == EMAIL
    assert {c.channel: c.level for c in answer.consents} == {EMAIL: MARKETING, SMS: SERVICE}
    assert cleared.preferred_channel == common_pb2.CHANNEL_UNSPECIFIED
    assert len(cleared.consents) == 2


def test_an_unspecified_level_withdraws_the_consent_of_its_channel(
    profiles: ProfileServiceStub, customer: str
) -> None:
    profiles.UpdatePreferences(_update(customer, consents=[_consent(EMAIL, MARKETING)]))

    answer = profiles.UpdatePreferences(
        _update(customer, consents=[_consent(EMAIL, common_pb2.CONSENT_LEVEL_UNSPECIFIED)])
    )

    assert list(answer.consents) == []


def test_a_replayed_request_id_answers_as_the_first_call_and_is_audited_once(
    profiles: ProfileServiceStub, customer: str, clean_database: str
) -> None:
    request = _update(customer, preferred_channel=EMAIL, request_id="req-1")

    first = profiles.UpdatePreferences(request)
    profiles.UpdatePreferences(_update(customer, preferred_channel=SMS))
    again = profiles.UpdatePreferences(request)

    assert again == first
    assert _audit_rows(clean_database, customer) == [
        ("PREFERENCES_UPDATED", "anonymous"),
        ("PREFERENCES_UPDATED", "anonymous"),
    ]


def test_a_request_id_reused_for_another_request_is_refused(
    profiles: ProfileServiceStub, customer: str
) -> None:
    profiles.UpdatePreferences(_update(customer, preferred_channel=EMAIL, request_id="req-2"))

    with pytest.raises(grpc.RpcError) as caught:
        profiles.UpdatePreferences(_update(customer, preferred_channel=SMS, request_id="req-2"))

    error = rich_error(caught.value)
    assert (error.code, error.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "REQUEST_ID_REUSED")


def test_invalid_updates_name_every_bad_field(profiles: ProfileServiceStub, customer: str) -> None:
    request = pb.UpdatePreferencesRequest(
        customer=customer,
        consents=[
            _consent(EMAIL, MARKETING),
            _consent(EMAIL, SERVICE),
            common_pb2.ChannelConsent(),
        ],
        update_mask=FieldMask(paths=["consents", "language"]),
    )

    with pytest.raises(grpc.RpcError) as caught:
        profiles.UpdatePreferences(request)

    error = rich_error(caught.value)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert set(error.violations) == {
        "source",
        "update_mask",
        "consents[1].channel",
        "consents[2].channel",
    }


def test_an_update_that_names_nothing_is_an_invalid_argument(
    profiles: ProfileServiceStub, customer: str
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        profiles.UpdatePreferences(_update(customer))

    assert set(rich_error(caught.value).violations) == {"update_mask"}


def test_an_unknown_customer_is_not_found(profiles: ProfileServiceStub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        profiles.UpdatePreferences(_update("customers/nobody", preferred_channel=EMAIL))

    error = rich_error(caught.value)
    assert (error.code, error.reason) == (grpc.StatusCode.NOT_FOUND, "CUSTOMER_NOT_FOUND")


def test_the_reply_channel_is_the_stated_preference_over_the_latest_contact(
    profiles: ProfileServiceStub, timeline: TimelineServiceStub, customer: str
) -> None:
    _contact(timeline, "call-1", VOICE, minutes_ago=5)
    assert _reply(timeline, CHAT) == VOICE

    profiles.UpdatePreferences(_update(customer, preferred_channel=EMAIL))

    assert _reply(timeline, CHAT) == EMAIL


def test_the_reply_channel_is_never_a_do_not_contact_channel(
    profiles: ProfileServiceStub, timeline: TimelineServiceStub, customer: str
) -> None:
    _contact(timeline, "call-1", VOICE, minutes_ago=30)
    _contact(timeline, "sms-1", SMS, minutes_ago=5)
    profiles.UpdatePreferences(
        _update(customer, preferred_channel=SMS, consents=[_consent(SMS, DO_NOT_CONTACT)])
    )

    assert _reply(timeline, CHAT) == VOICE

    profiles.UpdatePreferences(_update(customer, consents=[_consent(VOICE, DO_NOT_CONTACT)]))

    assert _reply(timeline, CHAT) == common_pb2.CHANNEL_UNSPECIFIED


def test_a_channel_consented_to_is_the_reply_when_nothing_else_is_allowed(
    profiles: ProfileServiceStub, timeline: TimelineServiceStub, customer: str
) -> None:
    _contact(timeline, "sms-1", SMS, minutes_ago=5)
    profiles.UpdatePreferences(
        _update(customer, consents=[_consent(SMS, DO_NOT_CONTACT), _consent(EMAIL, SERVICE)])
    )

    assert _reply(timeline, VOICE) == EMAIL


def test_preferences_of_a_merged_customer_follow_it_to_the_survivor(
    identity: IdentityServiceStub, profiles: ProfileServiceStub, customer: str
) -> None:
    other = identity.Resolve(record("web", "w", email("cy.web@example.com"))).customer.name
    profiles.UpdatePreferences(_update(other, consents=[_consent(SMS, DO_NOT_CONTACT)]))
    profiles.UpdatePreferences(_update(customer, preferred_channel=EMAIL))

    merged = identity.Resolve(
        record("app", "a", phone(MOBILE), email("cy.web@example.com"))
    ).customer.name
    answer = profiles.UpdatePreferences(_update(other, consents=[_consent(VOICE, SERVICE)]))

    assert merged == customer
    assert answer.preferred_channel == EMAIL
    assert {c.channel: c.level for c in answer.consents} == {SMS: DO_NOT_CONTACT, VOICE: SERVICE}
