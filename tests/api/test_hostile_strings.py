"""Strings full of quotes, SQL and odd Unicode are stored and returned exactly; control
characters are refused, naming the field."""

from __future__ import annotations

import grpc
import pytest

from singleview.v1 import common_pb2, identity_service_pb2, profile_service_pb2
from singleview.v1 import timeline_service_pb2 as tpb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from singleview.v1.timeline_service_pb2_grpc import TimelineServiceStub
from tests.support.builders import phone
from tests.support.status import rich_error
from tests.support.timeline_builders import interaction
from tests.support.timeline_builders import record as contact

ODD = {
    "given_name": 'O\'Brien "Bob" `x`',
    "family_name": "'; DROP TABLE customer; --",
    "full_name": "Robert'); DELETE FROM source_record WHERE ('1'='1",
}
ODD_ADDRESS = common_pb2.PostalAddress(
    lines=["%(source)s {0} $1 \\N \\\\ \\x00", "Zoë 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🧑\u200d🤝\u200d🧑 李小龍 עִבְרִית"],
    locality="\u202eevil\u202c zero\u200bwidth \ufeffbom",
    region="e\u0301\u0301 ｆｕｌｌ",
    postal_code="<script>alert(1)</script>",
    country="ДЕ' OR 1=1",
)
SQL_ID = "x'); SELECT pg_sleep(10); --"


def test_quotes_sql_and_odd_unicode_come_back_exactly(
    identity: IdentityServiceStub, profiles: ProfileServiceStub
) -> None:
    request = identity_service_pb2.ResolveRequest(
        source="crm'; --",
        record_id="\"id\" 🧾 'quoted'",
        identifiers=[
            common_pb2.Identifier(
                kind=common_pb2.IDENTIFIER_KIND_EXTERNAL_ID, namespace="legacy", value=SQL_ID
            ),
            phone("3125550100"),
        ],
        attributes=common_pb2.PersonAttributes(**ODD, address=ODD_ADDRESS),
    )
    resolved = identity.Resolve(request)

    stored = profiles.GetCustomer(
        profile_service_pb2.GetCustomerRequest(name=resolved.customer.name)
    )

    assert stored.golden.given_name == ODD["given_name"]
    assert stored.golden.family_name == ODD["family_name"]
    assert stored.golden.full_name == ODD["full_name"]
    assert stored.golden.address == ODD_ADDRESS
    assert [(r.source, r.record_id) for r in stored.records] == [
        (request.source, request.record_id)
    ]
    assert SQL_ID in {i.value for i in stored.identifiers}


def test_interaction_text_comes_back_exactly(timeline: TimelineServiceStub) -> None:
    summary = "Customer said: \"it's broken\" -- '; DROP TABLE interaction; 🤬 \u202eok"
    recorded = timeline.RecordInteraction(
        contact(
            "chat",
            "c'1\"",
            interaction(common_pb2.CHANNEL_CHAT, summary=summary, attributes={"note": "v\"al' --"}),
            phone("3125550100"),
        )
    )
    listed = timeline.ListInteractions(tpb.ListInteractionsRequest(parent=recorded.customer))
    [found] = listed.interactions
    assert found.summary == summary
    assert dict(found.attributes) == {"note": "v\"al' --"}
    assert (found.source, found.source_event_id) == ("chat", "c'1\"")


def _attributes(field: str, value: str) -> common_pb2.PersonAttributes:
    attributes = common_pb2.PersonAttributes()
    setattr(attributes, field, value)
    return attributes


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("given_name", "Ann\x00"),
        ("family_name", "Lee\x1b[31m"),
        ("full_name", "Ann\u0085Lee"),
    ],
)
def test_control_characters_are_refused_naming_the_field(
    identity: IdentityServiceStub, field: str, value: str
) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        identity.Resolve(
            identity_service_pb2.ResolveRequest(
                source="crm",
                record_id="1",
                identifiers=[phone("3125550100")],
                attributes=_attributes(field, value),
            )
        )
    error = rich_error(raised.value)
    assert error.code == grpc.StatusCode.INVALID_ARGUMENT
    assert f"attributes.{field}" in error.violations
