"""A run that puts personal data through every path that might log it, and that data's traces.

Used by the in-process log capture (tests/api) and the `singleview serve` process run (tests/e2e):
after it, none of PERSONAL_DATA may appear in any log line.
"""

from __future__ import annotations

import contextlib

import grpc

from singleview.v1 import common_pb2, identity_service_pb2, privacy_service_pb2
from singleview.v1 import profile_service_pb2 as ppb
from singleview.v1 import timeline_service_pb2 as tpb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.privacy_service_pb2_grpc import PrivacyServiceStub
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from singleview.v1.timeline_service_pb2_grpc import TimelineServiceStub
from tests.support.auth import Metadata
from tests.support.builders import address, email, loyalty, phone, record, social
from tests.support.timeline_builders import interaction, update
from tests.support.timeline_builders import record as contact

PERSONAL_DATA = (
    "Zebulon",
    "Quixote",
    "zebulon.q",
    "zebulon@@",
    "4155550132",
    "555-0132",
    "Evergreen",
    "Shelbyville",
    "zebq_private",
    "99887766",
    "1961-07-04",
    "complains",
    "order 5511",
)
"""Fragments of the person's data: none may appear in a log line, in any spelling shown here."""

HOME = address("1742 Evergreen Terrace", locality="Shelbyville", postal_code="97403")


def _attempt(call: object, *args: object, metadata: Metadata = ()) -> None:
    """Call and ignore the outcome: the errors are part of what is checked (their logs)."""
    with contextlib.suppress(grpc.RpcError):
        call(*args, metadata=metadata, timeout=30)  # type: ignore[operator]


def _identity_calls(channel: grpc.Channel, metadata: Metadata) -> str:
    identity = IdentityServiceStub(channel)
    first = identity.Resolve(
        record("crm", "z-1", phone("+1 (415) 555-0132"), email("Zebulon.Q@example.org"),
               social("instagram", "@zebq_private"), given_name="Zebulon",
               family_name="Quixote", birth_date="1961-07-04", lives_at=HOME),
        metadata=metadata,
    )  # fmt: skip
    identity.Resolve(
        record("pos", "z-2", loyalty("acme", "99887766"), email("zebulon.q@example.org"),
               full_name="Zebulon Quixote"),
        metadata=metadata,
    )  # fmt: skip
    identity.Lookup(
        identity_service_pb2.LookupRequest(identifiers=[phone("415.555.0132")]),
        metadata=metadata,
    )
    bad = [
        record("web", "z-3", email("zebulon@@example.org")),
        record("web", "z-4", phone("call Zebulon at 415 555 0132 x")),
        record("web", "z-5", phone("4155550132"), given_name="Zebulon\x00Quixote"),
        record("web", "z-6", phone("4155550132"), birth_date="1961-07-04x"),
    ]
    for request in bad:
        _attempt(identity.Resolve, request, metadata=metadata)
    return first.customer.name


def run_personal_data_scenario(channel: grpc.Channel, metadata: Metadata = ()) -> None:
    """Resolve, look up, fail on bad input, record and update interactions, read, export, erase,
    and come back erased: the paths that might log what a request carries."""
    name = _identity_calls(channel, metadata)
    timeline = TimelineServiceStub(channel)
    recorded = timeline.RecordInteraction(
        contact("chat", "z-chat-1",
                interaction(common_pb2.CHANNEL_CHAT, summary="Zebulon complains about order 5511",
                            transcript="Zebulon Quixote, 1742 Evergreen Terrace"),
                email("zebulon.q@example.org")),
        metadata=metadata,
    )  # fmt: skip
    timeline.UpdateInteraction(
        update(recorded.interaction.name, "state", "summary",
               state=tpb.INTERACTION_STATE_CLOSED, summary="Zebulon still complains"),
        metadata=metadata,
    )  # fmt: skip
    _attempt(
        timeline.RecordInteraction,
        contact("chat", "z-chat-2", interaction(common_pb2.CHANNEL_CHAT), email("zebulon@@x")),
        metadata=metadata,
    )
    timeline.GetContext(
        tpb.GetContextRequest(identifiers=[phone("4155550132")], channel=common_pb2.CHANNEL_SMS),
        metadata=metadata,
    )
    ProfileServiceStub(channel).GetCustomer(ppb.GetCustomerRequest(name=name), metadata=metadata)
    _attempt(
        ProfileServiceStub(channel).SearchCustomers,
        ppb.SearchCustomersRequest(query="Zebulon Quixote 0132"),
        metadata=metadata,
    )
    privacy = PrivacyServiceStub(channel)
    privacy.ExportCustomer(privacy_service_pb2.ExportCustomerRequest(name=name), metadata=metadata)
    privacy.EraseCustomer(
        privacy_service_pb2.EraseCustomerRequest(name=name, reason="ticket 99"), metadata=metadata
    )
    _attempt(
        IdentityServiceStub(channel).Resolve,
        record("crm", "z-1", phone("+1 (415) 555-0132"), given_name="Zebulon"),
        metadata=metadata,
    )


def personal_data_in(text: str) -> list[str]:
    return [fragment for fragment in PERSONAL_DATA if fragment.lower() in text.lower()]
