"""Hostile input: random and malformed requests to every RPC of every service.

Messages are drawn from the service descriptors, field by field, with strings full of quotes,
SQL, NUL and control characters, odd Unicode, and real resource names so that some requests get
past validation; enums include values the contract does not define; timestamps run off the
calendar. Whatever is sent: no INTERNAL (or UNKNOWN) status, the server stays SERVING, and the
store's invariants hold afterwards. Bounded: FUZZ_EXAMPLES requests per method (about 200 in
all), so the whole file runs in well under a minute.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from grpc_health.v1 import health_pb2, health_pb2_grpc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from singleview.config import SecuritySettings, Settings
from singleview.store.invariants import check_invariants
from singleview.v1 import common_pb2
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.timeline_service_pb2_grpc import TimelineServiceStub
from tests.support.auth import Metadata, bearer, create_token
from tests.support.builders import email, loyalty, phone, record
from tests.support.database import truncate_all
from tests.support.rpc import Rpc, call, every_rpc
from tests.support.server import ServerThread
from tests.support.timeline_builders import interaction
from tests.support.timeline_builders import record as contact

FUZZ_EXAMPLES = int(os.environ.get("SINGLEVIEW_FUZZ_EXAMPLES", "9"))
FAILURES = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.DATA_LOSS}
HOSTILE = [
    "",
    " ",
    "'",
    '"',
    'O\'Brien "Bob"',
    "'; DROP TABLE customer; --",
    "1' OR '1'='1",
    "%(source)s",
    "{0}{name}",
    "\\x00\\\\",
    "a\x00b",
    "\x00",
    "\r\n\t",
    "\x1b[31mred",
    "\u202eevil\u202c",
    "zero\u200bwidth\u200djoiner",
    "e\u0301\u0301\u0301",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🧑‍🤝‍🧑",
    "\ufeffbom",
    "\uffff",
    "ｆｕｌｌｗｉｄｔｈ",
    "x" * 600,
    "customers/",
    "customers/../../etc",
    "customers/" + "z" * 65,
    "reviewTasks/1",
    "conversations/x",
    "+1 312 555 0100",
    "ann.lee@example.com",
    "1999-13-45",
    "2000-01-01",
]
PROTO_TEXT = st.text(max_size=24)
"""Any Unicode but lone surrogates, which a proto string cannot carry."""


def _int_range(field: FieldDescriptor) -> tuple[int, int]:
    types = FieldDescriptor
    if field.type in (types.TYPE_UINT32, types.TYPE_FIXED32):
        return 0, 2**32 - 1
    if field.type in (types.TYPE_UINT64, types.TYPE_FIXED64):
        return 0, 2**64 - 1
    if field.type in (types.TYPE_INT64, types.TYPE_SINT64, types.TYPE_SFIXED64):
        return -(2**63), 2**63 - 1
    return -(2**31), 2**31 - 1


_WORDS = st.sampled_from(["crm", "pos", "ivr", "web", "a-1", "42", "x"])
_PLAUSIBLE_TEXT: dict[str, st.SearchStrategy[str]] = {
    "source": _WORDS,
    "record_id": _WORDS,
    "source_event_id": _WORDS,
    "visit_id": _WORDS,
    "request_id": _WORDS,
    "store_id": _WORDS,
    "agent_id": _WORDS,
    "namespace": st.sampled_from(["", "acme", "instagram", "idfa", "gaid"]),
    "value": st.sampled_from(
        ["+1 312 555 0100", "(312) 555-0101", "Seed0@Example.com", "10000", "@ann_lee", "x"]
    ),
    "given_name": st.sampled_from(["Ann", "O'Brien", "Zoë", "Robert'); --", "李"]),
    "family_name": st.sampled_from(["Lee", 'Nuñez "Jr"', "Smith", "ßtraße"]),
    "birth_date": st.sampled_from(["1990-04-01", "2000-02-29", "1899-12-31", "2999-01-01"]),
    "query": st.sampled_from(["ann lee", "0100", "seed0@example.com", "10000", "%", "_"]),
    "paths": st.sampled_from(["state", "summary", "outcome", "attributes", "nope", ""]),
}
_NAME_FIELDS = {"name", "customer", "parent", "names", "customers", "conversation_id"}


QUOTED = [
    text
    for text in HOSTILE
    if len(text) < 100 and not any(ch < " " or "\x7f" <= ch < "\xa0" for ch in text)
]
"""The hostile strings valid requests may carry: quotes, SQL, odd Unicode, no control characters."""


def _text(field: FieldDescriptor, names: list[str], clean: bool) -> st.SearchStrategy[str]:
    """Clean requests get plausible values (so they get past validation) or quoted oddities;
    the others get anything."""
    plausible = (
        st.sampled_from(names) if field.name in _NAME_FIELDS else _PLAUSIBLE_TEXT.get(field.name)
    )
    if clean:
        return plausible if plausible is not None else st.sampled_from(QUOTED)
    hostile = st.one_of(st.sampled_from(HOSTILE), PROTO_TEXT)
    return hostile if plausible is None else st.one_of(plausible, hostile)


def _number(field: FieldDescriptor, clean: bool) -> st.SearchStrategy[Any]:
    low, high = _int_range(field)
    container = field.containing_type
    if container is not None and container.full_name == "google.protobuf.Timestamp":
        plausible = (
            st.integers(1_600_000_000, 1_900_000_000) if field.name == "seconds" else st.just(0)
        )
        return plausible if clean else st.one_of(plausible, st.integers(low, high))
    if clean:
        return st.integers(0, 100)
    return st.one_of(
        st.sampled_from([0, 1, -1, low, high, 10, 10_000]).filter(lambda n: low <= n <= high),
        st.integers(low, high),
    )


def _scalar(field: FieldDescriptor, names: list[str], clean: bool) -> st.SearchStrategy[Any]:
    types = FieldDescriptor
    if field.type == types.TYPE_STRING:
        return _text(field, names, clean)
    if field.type == types.TYPE_BYTES:
        return st.binary(max_size=32)
    if field.type == types.TYPE_BOOL:
        return st.booleans()
    if field.type in (types.TYPE_FLOAT, types.TYPE_DOUBLE):
        return st.floats(width=32 if field.type == types.TYPE_FLOAT else 64)
    if field.type == types.TYPE_ENUM:
        assert field.enum_type is not None
        defined = [value.number for value in field.enum_type.values if value.number]
        return st.sampled_from(defined) if clean else st.integers(-3, 1000)
    return _number(field, clean)


@st.composite
def messages(
    draw: st.DrawFn, descriptor: Descriptor, names: list[str], clean: bool, depth: int = 0
) -> Message:
    """A message of `descriptor` with a random subset of its fields set."""
    message: Message = GetMessageClass(descriptor)()
    present = st.integers(0, 5).map(bool) if clean else st.booleans()
    for field in descriptor.fields:
        if not draw(present):
            continue
        if field.message_type is None:
            values = _scalar(field, names, clean)
            if field.is_repeated:
                getattr(message, field.name).extend(draw(st.lists(values, max_size=4)))
            else:
                setattr(message, field.name, draw(values))
        elif field.message_type.GetOptions().map_entry:
            text = (
                st.sampled_from(QUOTED)
                if clean
                else st.one_of(st.sampled_from(HOSTILE), PROTO_TEXT)
            )
            getattr(message, field.name).update(draw(st.dictionaries(text, text, max_size=3)))
        elif depth < 3:
            child = messages(field.message_type, names, clean, depth + 1)
            if field.is_repeated:
                for item in draw(st.lists(child, max_size=3)):
                    getattr(message, field.name).add().CopyFrom(item)
            else:
                getattr(message, field.name).CopyFrom(draw(child))
    return message


@st.composite
def requests(draw: st.DrawFn, rpc: Rpc, names: list[str]) -> list[Message]:
    """One request (three for a client stream), clean or hostile as a whole."""
    clean = draw(st.booleans())
    count = 3 if rpc.descriptor.client_streaming else 1
    return [draw(messages(rpc.descriptor.input_type, names, clean)) for _ in range(count)]


def _seed(channel: grpc.Channel, admin: Metadata) -> list[str]:
    """A few real customers, interactions and conversations, whose names the fuzzer reuses."""
    identity, timeline = IdentityServiceStub(channel), TimelineServiceStub(channel)
    names = []
    for n, (given_name, number) in enumerate([("Ann", "3125550100"), ("Omar", "3125550101")]):
        resolved = identity.Resolve(
            record("crm", f"seed-{n}", phone(number), email(f"seed{n}@example.com"),
                   loyalty("acme", f"1000{n}"), given_name=given_name, family_name="Lee"),
            metadata=admin,
        )  # fmt: skip
        names.append(resolved.customer.name)
        recorded = timeline.RecordInteraction(
            contact("ivr", f"seed-call-{n}", interaction(common_pb2.CHANNEL_VOICE), phone(number)),
            metadata=admin,
        )
        names += [recorded.interaction.name, recorded.interaction.conversation_id]
    return names + ["crm", "seed-0", "ivr", "PHONE"]


Fuzzed = tuple[grpc.Channel, Metadata, list[str]]


@pytest.fixture(scope="module")
def fuzzed(database_url: str) -> Iterator[Fuzzed]:
    """An authenticating server on an emptied database, an admin's credentials, seeded names."""
    truncate_all(database_url)
    server = ServerThread(database_url, Settings(security=SecuritySettings(auth=True))).start()
    admin = bearer(create_token(database_url, "fuzzer", "admin"))
    with grpc.insecure_channel(server.target) as channel:
        yield channel, admin, _seed(channel, admin)
    server.stop()


FUZZ_SETTINGS = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("rpc", every_rpc(), ids=str)
def test_random_requests_never_fail_internally(fuzzed: Fuzzed, rpc: Rpc) -> None:
    channel, admin, names = fuzzed

    @FUZZ_SETTINGS
    @given(
        requests(rpc, names),
        st.sampled_from(
            [admin, admin, admin, [("authorization", "Bearer svt_'; DROP TABLE api_token; --")], []]
        ),
    )
    def check(requests: list[Message], metadata: Metadata) -> None:
        timeout = 1.0 if rpc.descriptor.server_streaming else 10.0
        code = call(channel, rpc, requests, metadata=metadata, timeout=timeout)
        assert code not in FAILURES

    check()


@pytest.mark.parametrize("rpc", every_rpc(), ids=str)
def test_bytes_that_are_no_message_are_invalid_arguments(fuzzed: Fuzzed, rpc: Rpc) -> None:
    channel, admin, _ = fuzzed
    for garbage in (b"\xff\xff\xff\xff", b"\x08\xff\xff\xff", b"\x0a\x05ab"):
        code = call(channel, rpc, [garbage], metadata=admin, timeout=5)
        assert code == grpc.StatusCode.INVALID_ARGUMENT


def test_the_server_is_still_serving_and_the_store_consistent(
    fuzzed: Fuzzed, database_url: str
) -> None:
    channel, _, _ = fuzzed
    health = health_pb2_grpc.HealthStub(channel)
    assert health.Check(health_pb2.HealthCheckRequest()).status == (
        health_pb2.HealthCheckResponse.SERVING
    )
    assert check_invariants(database_url) == []
