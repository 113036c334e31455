"""A lookup by identifiers alone reads what it needs in one statement (store/lookup.py): it
answers exactly what the separate reads answer (generic identifiers, their holders, the
holders' newest records, the first holders' views), with a generic landline among the
identifiers, several holders, a customer of several records and a merged-in name."""

from __future__ import annotations

import asyncio

import psycopg

from singleview.domain.identifiers import Identifier, IdentifierKind
from singleview.store import customers as customer_store
from singleview.store import matching as match_store
from singleview.store import resolution
from singleview.store.lookup import AtAGlance, identifiers_at_a_glance_read
from singleview.store.sql import Batch, run
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from tests.support.builders import address, email, phone, record

HOME = address("7 Birch Ave", postal_code="62702")
PER_CUSTOMER, VIEWS = 2, 2


def _phone(e164: str) -> Identifier:
    return Identifier(IdentifierKind.PHONE, "", e164)


async def _read(conninfo: str, ids: tuple[Identifier, ...]) -> tuple[AtAGlance, AtAGlance]:
    """(the one statement's answer, the separate reads' answer) for these identifiers."""
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
        together = await run(conn, identifiers_at_a_glance_read(ids, 40, PER_CUSTOMER, VIEWS))
        async with Batch(conn) as batch:
            generic = batch.add(match_store.generic_among_read(ids))
            holding = batch.add(resolution.customers_of_identifiers_read(ids))
        first = sorted(holding.value)  # lowest ids first (ids are ASCII: as COLLATE "C")
        async with Batch(conn) as batch:
            records = batch.add(match_store.records_of_customers_read(first, PER_CUSTOMER))
            views = batch.add(customer_store.customer_views_read(first[:VIEWS]))
    return together, AtAGlance(generic.value, holding.value, records.value, views.value)


def test_one_statement_answers_as_the_separate_reads(
    identity: IdentityServiceStub, clean_database: str
) -> None:
    for n, given in enumerate(("Min", "Joon")):  # a landline shared by people who differ
        identity.Resolve(
            record(
                "crm",
                f"k{n}",
                phone("(217) 555-0150"),
                phone(f"(217) 555-02{n:02d}"),
                given_name=given,
                family_name="Kim",
                birth_date=f"19{70 + n}-01-0{n + 1}",
                lives_at=HOME,
            )
        )
    identity.Resolve(record("web", "w", email("min@example.com")))  # merged into Min below
    for n in range(3):  # Min's records: more than PER_CUSTOMER
        identity.Resolve(record("app", f"a{n}", phone("(217) 555-0200"), email("min@example.com")))
    identity.Resolve(record("crm", "z", phone("(312) 555-0177"), given_name="Zed"))
    ids = (
        _phone("+13125550177"),
        _phone("+12175550150"),
        _phone("+12175550200"),
        _phone("+12175550201"),
        Identifier(IdentifierKind.EMAIL, "", "min@example.com"),
        _phone("+12175559999"),
    )

    together, separately = asyncio.run(_read(clean_database, ids))

    assert together.generic == separately.generic == {_phone("+12175550150")}
    assert together.holders == separately.holders and len(together.holders) == 3
    assert together.records == separately.records
    assert len(together.records) == 2 * PER_CUSTOMER
    assert together.views == separately.views and len(together.views) == VIEWS
    assert any(view.merged_ids for view in together.views.values())


def test_no_identifiers_read_nothing(clean_database: str) -> None:
    together, _ = asyncio.run(_read(clean_database, ()))

    assert together == AtAGlance(set(), {}, [], {})
