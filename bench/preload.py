"""Fill a store with synthetic customers fast: COPY, in chunks, straight into the tables.

Resolving a million records one by one would measure the import, not the reads, so the rows are
written directly: customers with a golden record, one source record each (phone, email, every
third a loyalty card), its normalized identifiers, the blocking keys and search entry the
service computes for it, and a realistic timeline: two to eight interactions over several
channels in one to three conversations over the last ninety days, and for one customer in ten
a conversation still open with a live contact from the last hour.

Customer `n`'s identifiers are `phone(n)`, `email(n)`, `loyalty(n)` (raw, as a channel sends
them), so a benchmark can address any preloaded customer. Everything is drawn from
`random.Random(chunk start)`: the same sizes give the same store.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

import psycopg

from singleview.domain.identifiers import Identifier, IdentifierKind
from singleview.domain.records import PersonAttributes, PostalAddress
from singleview.matching.blocking import blocking_keys
from singleview.matching.profile import build_profile
from singleview.service.names import new_customer_id
from singleview.service.search_index import name_row
from singleview.store.codec import attributes_to_json, content_hash, identifiers_to_json

_GIVEN_TEXT = """
Ann Maria Luis Omar Yuki Petra Ben Emma Oliver Sofia Liam Noah Ava Mia Lucas Elena Ivan Fatima
Aisha Chen Wei Hiro Kenji Priya Ravi Arjun Carlos Ana Jose Lucia Marta Pablo Nina Olga Sven Ingrid
Lars Anna Paul Greta Hugo Lea Tom Eva Max Ida Jonas Sara Ali Leila
"""
_FAMILY_TEXT = """
Smith Garcia Lee Brown Okafor Tanaka Novak Haddad Nguyen Patel Kim Muller Rossi Silva Jones
Ivanova Kowalski Larsen Dubois Moreau Schmidt Fischer Weber Becker Khan Ahmed Singh Kumar Lopez
Martinez Perez Sanchez Romero Costa Santos Ferreira Almeida Olsen Hansen Nielsen Berg Lind Wong
Chan Yamamoto Sato Suzuki Watanabe Ito Nakamura
"""
GIVEN = tuple(_GIVEN_TEXT.split())
FAMILY = tuple(_FAMILY_TEXT.split())
_SUFFIXES = ("", "son", "er", "a", "ez", "i")
CHANNELS = ("VOICE", "CHAT", "EMAIL", "SMS", "SOCIAL", "APP", "WEB", "STORE")
CHUNK = 20_000
"""Customers per COPY transaction: memory stays flat however large the store."""


def phone(n: int) -> str:
    """Customer n's mobile as a channel would send it (E.164 +1312{2000000 + n})."""
    return f"+1 312 {200 + n // 10000:03d} {n % 10000:04d}"


def email(n: int) -> str:
    return f"p{n}@example.com"


def loyalty(n: int) -> str:
    return f"{70000000 + n}"


def person(rng: random.Random) -> PersonAttributes:
    """Names from a small pool (with suffixes), so blocking keys collide as in real stores."""
    born = date(rng.randint(1940, 2005), rng.randint(1, 12), rng.randint(1, 28))
    return PersonAttributes(
        given_name=rng.choice(GIVEN),
        family_name=f"{rng.choice(FAMILY)}{rng.choice(_SUFFIXES)}",
        birth_date=born,
        address=PostalAddress(
            lines=(f"{rng.randint(1, 999)} Oak St",), postal_code=f"{rng.randint(10000, 99999)}"
        ),
    )


def identifiers_of(n: int) -> tuple[Identifier, ...]:
    """Normalized, as the service stores them."""
    held = [
        Identifier(IdentifierKind.PHONE, "", f"+1312{2000000 + n:07d}"),
        Identifier(IdentifierKind.EMAIL, "", email(n)),
    ]
    if n % 3 == 0:
        held.append(Identifier(IdentifierKind.LOYALTY_ID, "club", loyalty(n)))
    return tuple(held)


@dataclass(frozen=True)
class _Customer:
    n: int
    id: str
    attributes: PersonAttributes
    identifiers: tuple[Identifier, ...]


def _customers(start: int, count: int) -> Iterator[_Customer]:
    rng = random.Random(start)
    for n in range(start, start + count):
        yield _Customer(n, new_customer_id(), person(rng), identifiers_of(n))


@cache
def _search_entry(given: str, family: str) -> tuple[str, str, str] | None:
    """The search columns of a name (names repeat: computed once each)."""
    row = name_row(0, PersonAttributes(given_name=given, family_name=family))
    if row is None:
        return None
    return " ".join(row.given), " ".join(row.family), _tsvector(row.lexemes)


def _tsvector(lexemes: tuple[str, ...]) -> str:
    return " ".join("'" + lexeme.replace("'", "''") + "'" for lexeme in lexemes)


def _timeline(
    rng: random.Random, customer: _Customer, record_pk: int, now: datetime
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Conversations and interactions of one customer, oldest first."""
    conversations: list[tuple[object, ...]] = []
    interactions: list[tuple[object, ...]] = []
    live = rng.random() < 0.1
    count = rng.randint(1, 3)
    for c in range(count):
        conversation_id = f"sc{customer.n}x{c}"
        is_open = live and c == count - 1
        start = now - (
            timedelta(minutes=rng.randint(5, 55)) if is_open else timedelta(days=rng.uniform(1, 90))
        )
        occur = start
        size = rng.randint(1, 3)
        for k in range(size):
            channel = rng.choice(CHANNELS)
            state = "OPEN" if is_open and k == size - 1 else "CLOSED"
            interactions.append(
                (
                    f"si{customer.n}x{c}x{k}",
                    customer.id,
                    conversation_id,
                    record_pk,
                    "seed",
                    f"{customer.n}-{c}-{k}",
                    "LINKED",
                    channel,
                    "INBOUND" if k == 0 or rng.random() < 0.6 else "OUTBOUND",
                    state,
                    rng.choice(("HUMAN", "BOT", "SELF_SERVICE")),
                    occur,
                    f"{channel.lower()} contact about order {rng.randint(1000, 9999)}",
                )
            )
            occur += timedelta(minutes=rng.randint(1, 20))
        conversations.append(
            (
                conversation_id,
                customer.id,
                "OPEN" if is_open else "CLOSED",
                start,
                occur,
                None if is_open else occur,
            )
        )
    return conversations, interactions


def _copy_chunk(conn: psycopg.Connection[tuple[Any, ...]], start: int, count: int) -> None:
    now = datetime.now(UTC)
    rng = random.Random(-start - 1)
    customers = list(_customers(start, count))
    with conn.cursor() as cur:
        with cur.copy("COPY customer (id, golden) FROM STDIN") as copy:
            for c in customers:
                golden = {"attributes": attributes_to_json(c.attributes), "sources": {}}
                copy.write_row((c.id, json.dumps(golden)))
        with cur.copy(
            "COPY source_record (source, record_id, customer_id, observed_at, attributes,"
            " identifiers, content_hash, decision) FROM STDIN"
        ) as copy:
            for c in customers:
                copy.write_row(
                    (
                        "seed",
                        str(c.n),
                        c.id,
                        "2025-01-01T00:00:00Z",
                        json.dumps(attributes_to_json(c.attributes)),
                        json.dumps(identifiers_to_json(c.identifiers)),
                        content_hash(c.identifiers, c.attributes),
                        "NEW",
                    )
                )
        cur.execute(
            "SELECT min(id), max(id) FROM source_record WHERE source = 'seed'"
            " AND record_id = ANY(%s)",
            ([str(start), str(start + count - 1)],),
        )
        first, last = cur.fetchone() or (0, 0)
        first, last = int(first), int(last)
        if last - first + 1 != count:
            raise RuntimeError("source_record ids are not contiguous: fill an idle database")
        with cur.copy(
            "COPY record_identifier (record_pk, kind, namespace, value) FROM STDIN"
        ) as cp:
            for offset, c in enumerate(customers):
                for i in c.identifiers:
                    cp.write_row((first + offset, i.kind.value, i.namespace, i.value))
        with cur.copy("COPY record_blocking_key (key, record_pk) FROM STDIN") as copy:
            for offset, c in enumerate(customers):
                for key in blocking_keys(build_profile(c.attributes, c.identifiers)):
                    copy.write_row((key, first + offset))
        with cur.copy("COPY search_name (record_pk, given, family, lexemes) FROM STDIN") as copy:
            for offset, c in enumerate(customers):
                entry = _search_entry(c.attributes.given_name, c.attributes.family_name)
                if entry is not None:
                    copy.write_row((first + offset, *entry))
        timelines = [_timeline(rng, c, first + o, now) for o, c in enumerate(customers)]
        with cur.copy(
            "COPY conversation (id, customer_id, state, start_time, last_activity, close_time)"
            " FROM STDIN"
        ) as copy:
            for conversations, _ in timelines:
                for conversation in conversations:
                    copy.write_row(conversation)
        with cur.copy(
            "COPY interaction (id, customer_id, conversation_id, record_pk, source,"
            " source_event_id, decision, channel, direction, state, handler, occur_time, summary)"
            " FROM STDIN"
        ) as copy:
            for _, interactions in timelines:
                for interaction in interactions:
                    copy.write_row(interaction)
    conn.commit()


def fill(conninfo: str, start: int, count: int, progress: bool = True) -> float:
    """COPY customers start .. start+count-1 into the store; returns the seconds it took."""
    began = time.perf_counter()
    with psycopg.connect(conninfo) as conn:
        conn.execute("UPDATE search_backfill SET pending = false")
        done = 0
        while done < count:
            size = min(CHUNK, count - done)
            _copy_chunk(conn, start + done, size)
            done += size
            if progress:
                rate = done / (time.perf_counter() - began)
                print(f"\rpreloaded {done:,}/{count:,} customers ({rate:,.0f}/s)", end="")
        conn.execute("ANALYZE")
    if progress:
        print()
    return time.perf_counter() - began
