"""The store profile card: GetCustomer with CUSTOMER_VIEW_CARD bundles what an associate needs,
and an associate (the clienteling role) sees emails and phone numbers masked."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest

from singleview.config import SecuritySettings, Settings
from singleview.v1 import common_pb2
from singleview.v1 import profile_service_pb2 as pb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from singleview.v1.timeline_service_pb2_grpc import TimelineServiceStub
from tests.support.auth import bearer, create_token
from tests.support.builders import email, loyalty, phone, record
from tests.support.server import ServerThread
from tests.support.status import rich_error
from tests.support.timeline_builders import at, interaction
from tests.support.timeline_builders import record as contact

STORE, WEB, VOICE, EMAIL = (
    common_pb2.CHANNEL_STORE,
    common_pb2.CHANNEL_WEB,
    common_pb2.CHANNEL_VOICE,
    common_pb2.CHANNEL_EMAIL,
)


@pytest.fixture
def timeline(channel: grpc.Channel) -> TimelineServiceStub:
    return TimelineServiceStub(channel)


def _customer(
    identity: IdentityServiceStub, metadata: tuple[tuple[str, str], ...] | None = None
) -> str:
    return identity.Resolve(
        record(
            "crm",
            "dee",
            phone("3125550180"),
            email("dee.okafor@example.com"),
            loyalty("acme", "5745480672"),
            given_name="Dee",
            family_name="Okafor",
        ),
        metadata=metadata,
    ).customer.name


def _visit(n: int, outcome: pb.VisitOutcome.ValueType, customer: str) -> pb.RecordVisitRequest:
    """Visit n happened 20 / n minutes ago: later visits are newer."""
    return pb.RecordVisitRequest(
        source="clienteling",
        visit_id=f"v-{n}",
        customer=customer,
        visit=pb.StoreVisit(
            store_id=f"store-{n}",
            associate_id="assoc-1",
            outcome=outcome,
            visit_time=at(20 / n),
        ),
    )


def test_the_card_bundles_preferences_loyalty_purchases_visits_and_contacts(
    identity: IdentityServiceStub, profiles: ProfileServiceStub, timeline: TimelineServiceStub
) -> None:
    name = _customer(identity)
    profiles.RecordVisit(_visit(1, pb.VISIT_OUTCOME_NO_PURCHASE, name))
    profiles.RecordVisit(_visit(2, pb.VISIT_OUTCOME_PURCHASE, name))
    order = interaction(WEB, minutes_ago=1, summary="web order 1234")
    order.outcome = "PURCHASE"
    timeline.RecordInteraction(contact("shop", "order-1234", order, customer=name))
    timeline.RecordInteraction(
        contact("ivr", "call-1", interaction(VOICE, minutes_ago=0.5), phone("3125550180"))
    )
    profiles.UpdatePreferences(
        pb.UpdatePreferencesRequest(
            customer=name,
            source="store-2",
            preferred_channel=EMAIL,
            consents=[
                common_pb2.ChannelConsent(channel=EMAIL, level=common_pb2.CONSENT_LEVEL_MARKETING)
            ],
        )
    )

    found = profiles.GetCustomer(pb.GetCustomerRequest(name=name, view=pb.CUSTOMER_VIEW_CARD))

    card = found.card
    assert found.golden.given_name == "Dee"
    assert found.golden_sources["given_name"].record_id == "dee"
    assert card.preferences.preferred_channel == EMAIL
    assert [(c.channel, c.level) for c in card.preferences.consents] == [
        (EMAIL, common_pb2.CONSENT_LEVEL_MARKETING)
    ]
    assert [i.value for i in card.loyalty_ids] == ["5745480672"]
    assert [(p.channel, p.summary, p.store_id) for p in card.recent_purchases] == [
        (WEB, "web order 1234", ""),
        (STORE, "", "store-2"),
    ]
    assert [v.store_id for v in card.store_visits] == ["store-2", "store-1"]
    assert [c.channel for c in card.latest_contacts] == [VOICE, WEB, STORE, STORE]
    assert card.latest_contacts[0].active
    assert card.latest_contacts[0].interaction.startswith(f"{name}/interactions/")
    assert not card.masked
    assert "dee.okafor@example.com" in {i.value for i in found.identifiers}


def test_the_basic_view_has_no_card(
    identity: IdentityServiceStub, profiles: ProfileServiceStub
) -> None:
    name = _customer(identity)

    for view in (pb.CUSTOMER_VIEW_UNSPECIFIED, pb.CUSTOMER_VIEW_BASIC):
        found = profiles.GetCustomer(pb.GetCustomerRequest(name=name, view=view))
        assert not found.HasField("card")
        assert found.golden_sources["family_name"].source == "crm"


def test_an_unknown_view_is_an_invalid_argument(
    identity: IdentityServiceStub, profiles: ProfileServiceStub
) -> None:
    name = _customer(identity)

    with pytest.raises(grpc.RpcError) as caught:
        profiles.GetCustomer(pb.GetCustomerRequest(name=name, view=7))  # type: ignore[arg-type]

    assert rich_error(caught.value).violations.keys() == {"view"}


def test_the_card_of_a_merged_away_name_is_the_survivors(
    identity: IdentityServiceStub, profiles: ProfileServiceStub
) -> None:
    name = _customer(identity)
    other = identity.Resolve(record("web", "w", email("dee@example.org"))).customer.name
    profiles.RecordVisit(_visit(1, pb.VISIT_OUTCOME_PURCHASE, other))
    identity.Resolve(record("app", "a", phone("3125550180"), email("dee@example.org")))

    found = profiles.GetCustomer(pb.GetCustomerRequest(name=other, view=pb.CUSTOMER_VIEW_CARD))

    assert found.name == name
    assert [v.store_id for v in found.card.store_visits] == ["store-1"]


@pytest.fixture(scope="module")
def auth_server(database_url: str) -> Iterator[ServerThread]:
    running = ServerThread(database_url, Settings(security=SecuritySettings(auth=True))).start()
    yield running
    running.stop()


@pytest.fixture
def secured(auth_server: ServerThread, clean_database: str) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(auth_server.target) as ch:
        yield ch


def test_an_associate_sees_emails_and_phone_numbers_masked(
    secured: grpc.Channel, clean_database: str
) -> None:
    admin = bearer(create_token(clean_database, "admin-1", "admin"))
    associate = bearer(create_token(clean_database, "tablet-1", "clienteling"))
    name = _customer(IdentityServiceStub(secured), admin)
    profiles = ProfileServiceStub(secured)
    request = pb.GetCustomerRequest(name=name, view=pb.CUSTOMER_VIEW_CARD)

    masked = profiles.GetCustomer(request, metadata=associate)
    whole = profiles.GetCustomer(request, metadata=admin)
    searched = profiles.SearchCustomers(
        pb.SearchCustomersRequest(query="dee okafor"), metadata=associate
    ).matches[0]

    assert masked.card.masked and not whole.card.masked
    values = {i.kind: i.value for i in masked.identifiers}
    assert values[common_pb2.IDENTIFIER_KIND_EMAIL] == "d*********@example.com"
    assert values[common_pb2.IDENTIFIER_KIND_PHONE] == "+*******0180"
    assert values[common_pb2.IDENTIFIER_KIND_LOYALTY_ID] == "5745480672"
    assert {i.value for i in searched.customer.identifiers} == set(values.values())
    assert "dee.okafor@example.com" in {i.value for i in whole.identifiers}
