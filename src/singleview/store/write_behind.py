"""A connection that holds back a bulk import's row writes and sends them as multi-row statements.

A lone resolve writes a new record with one statement (`insert_new_record`: customer, record,
identifiers, blocking keys, search entry) and its golden record with another, and a record
that joins or changes a customer with several more; in a batch of hundreds that is
thousands of statements, each costing psycopg's Python and PostgreSQL's per-statement work.
This wrapper recognizes exactly those statements and only collects their parameters; the first
statement of any other kind (a read, a merge), and the end of the batch, first send everything
collected as one statement per table, in foreign-key order (customers, records, then what
hangs off records: identifiers, blocking keys, search entries deleted and written; golden
records; review tasks last, in the order raised). Every other statement therefore
sees all the writes made before it, as if each had been sent at once; only the held-back
writes are reordered among themselves, and none of them reads what another writes (a golden
record is written for a customer created before it, and the last one written for a customer
is the one kept).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from psycopg import sql
from psycopg.types.json import Jsonb

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
            _text("resolution.sql", "insert_new_record"): self._new_record,
            _text("resolution.sql", "insert_customer"): self._customer,
            _text("resolution.sql", "insert_record_with_id"): self._record,
            _text("resolution.sql", "insert_record_identifiers"): self._identifiers,
            _text("matching.sql", "insert_blocking_keys"): self._keys,
            _text("search.sql", "upsert_record_names"): self._names,
            _text("search.sql", "delete_record_name"): self._nameless,
            _text("resolution.sql", "update_golden"): self._golden,
            _text("matching.sql", "insert_review_task"): self._review_task,
        }

    def _reset(self) -> None:
        self.held = 0
        self.customers: list[str] = []
        self.records: list[dict[str, Any]] = []
        self.identifiers: list[tuple[int, str, str, str]] = []
        self.keys: list[tuple[str, int]] = []
        self.names: dict[int, tuple[str, str, str] | None] = {}
        """Record pk -> its search entry, None to delete it: the last write of each counts."""
        self.goldens: dict[str, Any] = {}
        self.review_tasks: list[dict[str, Any]] = []

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
        """Send what is held, one statement per table, in foreign-key order; rows go as one
        JSON document each (encoded in C, not value by value as arrays are)."""
        if not self.held:
            return
        run = self.conn.execute
        if self.customers:
            await run(query(_FILE, "insert_customers"), {"ids": self.customers})
        if self.records:
            await run(query(_FILE, "insert_records_with_ids"), {"rows": Jsonb(self.records)})
        if self.identifiers:
            rows = Jsonb(self.identifiers)
            await run(query(_FILE, "insert_identifiers_of_records"), {"rows": rows})
        if self.keys:
            await run(query(_FILE, "insert_blocking_keys_of_records"), {"rows": Jsonb(self.keys)})
        nameless = [pk for pk, row in self.names.items() if row is None]
        if nameless:
            await run(query(_FILE, "delete_names_of_records"), {"pks": nameless})
        named = [(pk, *row) for pk, row in self.names.items() if row is not None]
        if named:
            await run(query(_FILE, "upsert_names_of_records"), {"rows": Jsonb(named)})
        if self.goldens:
            rows = Jsonb(list(self.goldens.items()))
            await run(query(_FILE, "update_goldens"), {"rows": rows})
        if self.review_tasks:
            rows = Jsonb(self.review_tasks)
            await run(query(_FILE, "insert_review_tasks"), {"rows": rows})
        self._reset()

    def _new_record(self, params: Mapping[str, Any]) -> None:
        """The lone resolve's one-statement new record (customer, record, identifiers,
        blocking keys, search entry), held as its parts."""
        pk = params["id"]
        if params["new_customer"]:
            self.customers.append(params["customer_id"])
        self._record(params)
        self._identifiers({**params, "record_pk": pk})
        self._keys({"record_pk": pk, "keys": params["keys"]})
        givens = params["givens"]
        self._names({**params, "pks": [pk] * len(givens)})

    def _customer(self, params: Mapping[str, Any]) -> None:
        self.customers.append(params["id"])

    def _record(self, params: Mapping[str, Any]) -> None:
        row = {c: params[c] for c in _RECORD_COLUMNS}
        for column in ("attributes", "identifiers", "evidence"):
            row[column] = row[column].obj  # the value its Jsonb wraps
        row["observed_at"] = row["observed_at"].isoformat()
        self.records.append(row)

    def _identifiers(self, params: Mapping[str, Any]) -> None:
        pk = params["record_pk"]
        columns = (params["kinds"], params["namespaces"], params["ids"])
        self.identifiers += [(pk, *i) for i in zip(*columns, strict=True)]

    def _keys(self, params: Mapping[str, Any]) -> None:
        self.keys += [(key, params["record_pk"]) for key in params["keys"]]

    def _names(self, params: Mapping[str, Any]) -> None:
        for row in zip(
            params["pks"], params["givens"], params["families"], params["lexemes"], strict=True
        ):
            self.names[row[0]] = row[1:]

    def _nameless(self, params: Mapping[str, Any]) -> None:
        self.names[params["record_pk"]] = None

    def _golden(self, params: Mapping[str, Any]) -> None:
        self.goldens.pop(params["customer_id"], None)  # the last one written is kept
        self.goldens[params["customer_id"]] = params["golden"].obj

    def _review_task(self, params: Mapping[str, Any]) -> None:
        self.review_tasks.append({**params, "evidence": params["evidence"].obj})


def _text(filename: str, name: str) -> str:
    return query(filename, name).as_string(None)
