"""A connection that holds back a bulk import's row writes and sends them as multi-row statements.

A lone resolve writes a new record with about six single-row statements (customer, record,
identifiers, blocking keys, search entry, golden record); in a batch of hundreds that is
thousands of statements, each costing psycopg's Python and PostgreSQL's per-statement work.
This wrapper recognizes exactly those statements and only collects their parameters; the first
statement of any other kind (a read, a merge, a review task), and the end of the batch, first
send everything collected as one statement per table, in foreign-key order (customers,
records, then what hangs off records: identifiers, blocking keys, search entries deleted and
written; golden records last). Every other statement therefore
sees all the writes made before it, as if each had been sent at once; only the held-back
writes are reordered among themselves, and none of them reads what another writes (a golden
record is written for a customer created before it, and the last one written for a customer
is the one kept).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from psycopg import sql

from singleview.store.database import Connection
from singleview.store.sql import query

_FILE = "bulk.sql"
_RECORD_COLUMNS = (
    "id",
    "source",
    "record_id",
    "customer_id",
    "observed_at",
    "attributes",
    "identifiers",
    "content_hash",
    "decision",
    "evidence",
)


class WriteBehind:
    """Wraps the batch's connection; `connection` is the wrapper typed as what it stands for."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._reset()
        self._held: dict[str, Callable[[Mapping[str, Any]], None]] = {
            _text("resolution.sql", "insert_customer"): self._customer,
            _text("resolution.sql", "insert_record_with_id"): self._record,
            _text("resolution.sql", "insert_record_identifiers"): self._identifiers,
            _text("matching.sql", "insert_blocking_keys"): self._keys,
            _text("search.sql", "upsert_record_names"): self._names,
            _text("search.sql", "delete_record_name"): self._nameless,
            _text("resolution.sql", "update_golden"): self._golden,
        }

    def _reset(self) -> None:
        self.held = 0
        self.customers: list[str] = []
        self.records: list[Mapping[str, Any]] = []
        self.identifiers: dict[str, list[Any]] = {
            k: [] for k in ("pks", "kinds", "namespaces", "ids")
        }
        self.keys: dict[str, list[Any]] = {"keys": [], "pks": []}
        self.names: dict[int, tuple[str, str, str] | None] = {}
        """Record pk -> its search entry, None to delete it: the last write of each counts."""
        self.goldens: dict[str, Any] = {}

    @property
    def connection(self) -> Connection:
        return cast(Connection, self)

    async def execute(self, statement: Any, params: Any = None, **kwargs: Any) -> Any:
        if isinstance(statement, sql.SQL) and isinstance(params, Mapping) and not kwargs:
            hold = self._held.get(statement.as_string(None))
            if hold is not None:
                hold(params)
                self.held += 1
                return None  # callers of these statements read no result
        await self.flush()
        return await self.conn.execute(statement, params, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.conn, name)

    async def flush(self) -> None:
        """Send what is held, one statement per table, in foreign-key order."""
        if not self.held:
            return
        run = self.conn.execute
        if self.customers:
            await run(query(_FILE, "insert_customers"), {"ids": self.customers})
        if self.records:
            records = {c: [r[c] for r in self.records] for c in _RECORD_COLUMNS}
            await run(query(_FILE, "insert_records_with_ids"), records)
        if self.identifiers["pks"]:
            await run(query(_FILE, "insert_identifiers_of_records"), self.identifiers)
        if self.keys["pks"]:
            await run(query(_FILE, "insert_blocking_keys_of_records"), self.keys)
        nameless = [pk for pk, row in self.names.items() if row is None]
        if nameless:
            await run(query(_FILE, "delete_names_of_records"), {"pks": nameless})
        named = {pk: row for pk, row in self.names.items() if row is not None}
        if named:
            columns = [list(c) for c in zip(*named.values(), strict=True)]
            names = dict(zip(("givens", "families", "lexemes"), columns, strict=True))
            names["pks"] = list(named)
            await run(query("search.sql", "upsert_record_names"), names)
        if self.goldens:
            await run(
                query(_FILE, "update_goldens"),
                {"ids": list(self.goldens), "goldens": list(self.goldens.values())},
            )
        self._reset()

    def _customer(self, params: Mapping[str, Any]) -> None:
        self.customers.append(params["id"])

    def _record(self, params: Mapping[str, Any]) -> None:
        self.records.append(params)

    def _identifiers(self, params: Mapping[str, Any]) -> None:
        pk = params["record_pk"]
        self.identifiers["pks"] += [pk] * len(params["ids"])
        for column in ("kinds", "namespaces", "ids"):
            self.identifiers[column] += params[column]

    def _keys(self, params: Mapping[str, Any]) -> None:
        self.keys["keys"] += params["keys"]
        self.keys["pks"] += [params["record_pk"]] * len(params["keys"])

    def _names(self, params: Mapping[str, Any]) -> None:
        for row in zip(
            params["pks"], params["givens"], params["families"], params["lexemes"], strict=True
        ):
            self.names[row[0]] = row[1:]

    def _nameless(self, params: Mapping[str, Any]) -> None:
        self.names[params["record_pk"]] = None

    def _golden(self, params: Mapping[str, Any]) -> None:
        self.goldens.pop(params["customer_id"], None)  # the last one written is kept
        self.goldens[params["customer_id"]] = params["golden"]


def _text(filename: str, name: str) -> str:
    return query(filename, name).as_string(None)
