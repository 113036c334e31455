"""Constraints stewards set between source records, and bringing a merged-away customer back.

A cannot-link ("not the same person") and a must-link ("one person") name source records, not
customers: records are what evidence is about, and they keep their meaning when customers merge
or split later. Two customers are kept apart while they hold records from opposite sides of one
cannot-link; records of one must-link group stay together when a customer is re-evaluated.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from singleview.domain.records import SourceRecordRef
from singleview.store import timeline as timeline_store
from singleview.store.database import Connection
from singleview.store.sql import Read, query, run

_FILE = "stewardship_links.sql"
_TIMELINE = "timeline.sql"


def cannot_link_pairs_read(customer_ids: Iterable[str]) -> Read[set[frozenset[str]]]:
    """Pairs among the live customers that a steward kept apart."""
    ids = sorted(set(customer_ids))
    return Read(
        query(_FILE, "cannot_link_pairs") if len(ids) >= 2 else None,
        {"ids": ids},
        lambda rows: {frozenset(row) for row in rows},
    )


async def cannot_link_pairs(conn: Connection, customer_ids: Iterable[str]) -> set[frozenset[str]]:
    return await run(conn, cannot_link_pairs_read(customer_ids))


async def insert_cannot_link(
    conn: Connection,
    side_a: Sequence[int],
    side_b: Sequence[int],
    *,
    actor: str,
    reason: str,
    review_task_id: str | None = None,
) -> None:
    """No record of `side_a` is the same person as any record of `side_b`."""
    cur = await conn.execute(
        query(_FILE, "insert_cannot_link"),
        {"actor": actor, "reason": reason, "review_task_id": review_task_id},
    )
    row = await cur.fetchone()
    assert row is not None
    for side, pks in ((0, side_a), (1, side_b)):
        await conn.execute(
            query(_FILE, "insert_cannot_link_records"),
            {"id": row[0], "side": side, "pks": list(pks)},
        )


async def insert_must_link(conn: Connection, group_id: str, pks: Sequence[int]) -> None:
    await conn.execute(query(_FILE, "insert_must_link"), {"group_id": group_id, "pks": list(pks)})


async def partition_must_links(conn: Connection, moved: Sequence[int], to_customer: str) -> None:
    """The moved records leave the groups they shared with records that stay behind."""
    await conn.execute(
        query(_FILE, "partition_must_links"), {"pks": list(moved), "to_customer": to_customer}
    )


async def must_link_groups(conn: Connection, pks: Sequence[int]) -> list[set[int]]:
    """The steward-confirmed groups among these records (each with two or more of them)."""
    cur = await conn.execute(query(_FILE, "must_link_groups"), {"pks": list(pks)})
    groups: dict[str, set[int]] = {}
    for group_id, pk in await cur.fetchall():
        groups.setdefault(group_id, set()).add(pk)
    return [g for g in groups.values() if len(g) > 1]


async def record_refs_of_customers(
    conn: Connection, customer_ids: Sequence[str]
) -> dict[str, list[tuple[int, SourceRecordRef]]]:
    """Customer id -> (pk, ref) of each of its records, oldest record first."""
    cur = await conn.execute(query(_FILE, "record_refs_of_customers"), {"ids": list(customer_ids)})
    found: dict[str, list[tuple[int, SourceRecordRef]]] = {c: [] for c in customer_ids}
    for customer_id, pk, source, record_id in await cur.fetchall():
        found[customer_id].append((pk, SourceRecordRef(source, record_id)))
    return found


async def records_by_ref(
    conn: Connection, refs: Sequence[SourceRecordRef]
) -> dict[SourceRecordRef, tuple[int, str]]:
    """ref -> (pk, customer id) of each stored record among `refs`."""
    cur = await conn.execute(
        query(_FILE, "record_pks_by_ref"),
        {"sources": [r.source for r in refs], "record_ids": [r.record_id for r in refs]},
    )
    return {
        SourceRecordRef(source, record_id): (pk, customer_id)
        for source, record_id, pk, customer_id in await cur.fetchall()
    }


@dataclass(frozen=True)
class RestorableMerge:
    """A customer merged into another, as it was when it went."""

    merge_id: int
    loser: str
    record_pks: tuple[int, ...]
    """The records it held then that are still in the customer it was merged into."""
    named_interactions: tuple[str, ...]
    redirected_names: tuple[str, ...]


async def restorable_merge(
    conn: Connection, customer_id: str, pks: Sequence[int]
) -> RestorableMerge | None:
    """The merged-in customer that splitting off `pks` brings back, if any.

    `pks` must hold every record that customer had when it was merged (those still here), and
    any others must have arrived since that merge (the record that bridged the two, later ones).
    The one with the most of its records among `pks` wins; then the latest merge.
    """
    cur = await conn.execute(query(_FILE, "restorable_merges"), {"customer": customer_id})
    wanted = set(pks)
    found: list[tuple[int, int, RestorableMerge]] = []
    for merge_id, loser, named, names, merge_time, here in await cur.fetchall():
        if not here or not set(here) <= wanted:
            continue
        extra = sorted(wanted - set(here))
        if extra:
            newer = await conn.execute(
                query(_FILE, "records_created_since"), {"pks": extra, "since": merge_time}
            )
            row = await newer.fetchone()
            if row is None or row[0] != len(extra):
                continue
        merge = RestorableMerge(merge_id, loser, tuple(here), tuple(named), tuple(names))
        found.append((len(here), merge_id, merge))
    return max(found, key=lambda f: (f[0], f[1]))[2] if found else None


async def restore_merged(conn: Connection, merge: RestorableMerge, survivor: str) -> None:
    """Undo the merge of `merge.loser` into `survivor`: its name and redirects come back."""
    params = {
        "loser": merge.loser,
        "survivor": survivor,
        "names": list(merge.redirected_names),
        "id": merge.merge_id,
    }
    await conn.execute(query(_FILE, "revive_customer"), params)
    await conn.execute(query(_FILE, "redirect_back"), params)
    await conn.execute(query(_FILE, "undo_merge"), params)


async def rehome_records(conn: Connection, pks: Sequence[int], customer_id: str) -> None:
    await conn.execute(
        query(_FILE, "rehome_records"), {"pks": list(pks), "customer_id": customer_id}
    )


async def return_named_interactions(
    conn: Connection,
    from_customer: str,
    to_customer: str,
    interaction_ids: Sequence[str],
    record_pks: Sequence[int],
) -> None:
    """Interactions recorded by name for a merged-away customer go back to it when it returns.

    `timeline.follow_split` moves interactions attributed through records; these carry no record,
    so the merge log remembers them. Call before follow_split: conversations are split the way
    it splits them (whole when every interaction of `from_customer` in them goes, else a copy
    under the id it derives), so the two moves agree on one copy per conversation.
    """
    if not interaction_ids:
        return
    base = {
        "from_customer": from_customer,
        "to_customer": to_customer,
        "ids": list(interaction_ids),
        "pks": list(record_pks),
    }
    cur = await conn.execute(query(_FILE, "conversations_of_named_interactions"), base)
    touched = [(conversation_id, bool(whole)) for conversation_id, whole in await cur.fetchall()]
    whole = [conversation_id for conversation_id, moves in touched if moves]
    await conn.execute(query(_TIMELINE, "move_conversations"), {**base, "ids": whole})
    spans: list[str] = []
    for conversation_id, moves in touched:
        if moves:
            continue
        copy_id = timeline_store.split_conversation_id(conversation_id, to_customer)
        params = {**base, "id": conversation_id, "new_id": copy_id}
        await conn.execute(query(_TIMELINE, "copy_conversation"), params)
        await conn.execute(query(_FILE, "repoint_named_interactions"), params)
        spans += [conversation_id, copy_id]
    await conn.execute(query(_FILE, "move_named_interactions"), base)
    if spans:
        await conn.execute(query(_TIMELINE, "refresh_conversation_span"), {"ids": spans})
