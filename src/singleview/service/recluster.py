"""Re-evaluating a customer once one of its identifiers turns out to be generic.

A customer may have been merged through a phone or mailbox before anyone knew several people
share it. When that becomes known, its records are clustered again on what still proves
identity (identifiers that are not generic, and attribute matches above the link threshold
without contradiction, a household's line weighing as it does when resolving); every group but
the one holding the oldest record becomes a customer of its own. Merges a steward confirmed are
not undone: records of one must-link group (a SAME verdict, a manual merge) stay together
whatever their identifiers say. Interactions follow the records that move
(store.timeline.follow_split).
"""

from __future__ import annotations

from collections.abc import Sequence

from singleview.domain.identifiers import Identifier
from singleview.domain.records import Decision, Evidence, EvidenceKind
from singleview.matching.decision import score_pair
from singleview.matching.profile import build_profile
from singleview.service.matcher import Matcher
from singleview.service.names import customer_name, new_customer_id
from singleview.service.stewardship_changes import ask_about_shared_identifiers
from singleview.store import matching as match_store
from singleview.store import resolution as store
from singleview.store import stewardship_links as links
from singleview.store import timeline as timeline_store
from singleview.store.database import Connection

MAX_RECORDS_RECLUSTERED = 400
"""Beyond this many records a customer is left as it is (and logged): pairwise cost is n^2."""


def _components(
    records: Sequence[match_store.StoredCandidate],
    generic: set[Identifier],
    matcher: Matcher,
    must_link: Sequence[set[int]] = (),
    small_groups: frozenset[Identifier] = frozenset(),
) -> list[list[match_store.StoredCandidate]]:
    parent = list(range(len(records)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    position = {r.pk: n for n, r in enumerate(records)}
    for group in must_link:
        members = [position[pk] for pk in sorted(group) if pk in position]
        for other in members[1:]:
            parent[find(other)] = find(members[0])

    profiles = [
        build_profile(r.attributes, [i for i in r.identifiers if i not in generic]) for r in records
    ]
    proving = [set(r.identifiers) - generic for r in records]
    grouped = [set(r.identifiers) & small_groups for r in records]
    link = matcher.model.thresholds.link
    for a in range(len(records)):
        for b in range(a + 1, len(records)):
            if find(a) == find(b):
                continue
            in_group = bool(grouped[a] & grouped[b])
            pair = score_pair(
                profiles[a], profiles[b], matcher.comparisons, matcher.model, in_group
            )
            if pair.contradicts:
                continue
            if proving[a] & proving[b] or pair.probability >= link:
                parent[find(b)] = find(a)
    groups: dict[int, list[match_store.StoredCandidate]] = {}
    for index, record in enumerate(records):
        groups.setdefault(find(index), []).append(record)
    return sorted(groups.values(), key=lambda g: min(r.pk for r in g))


async def recluster(conn: Connection, customer_id: str, matcher: Matcher, reason: str) -> list[str]:
    """Split the customer where nothing but generic identifiers holds it together."""
    records = await match_store.all_records_of_customer(conn, customer_id)
    if not 2 <= len(records) <= MAX_RECORDS_RECLUSTERED:
        return []
    generic = await matcher.known_generic(conn, {i for r in records for i in r.identifiers})
    confirmed = await links.must_link_groups(conn, [r.pk for r in records])
    small = await matcher.household_groups(conn, generic)
    groups = _components(records, generic, matcher, confirmed, small)
    created = []
    for group in groups[1:]:
        new_id = new_customer_id()
        await store.insert_customer(conn, new_id)
        evidence = (
            Evidence(
                EvidenceKind.SAME_RECORD,
                f"split out of {customer_name(customer_id)}: {reason}",
                customer_id=customer_id,
            ),
        )
        pks = [r.pk for r in group]
        await store.move_records_to(conn, pks, new_id, Decision.NEW, evidence)
        await timeline_store.follow_split(conn, customer_id, new_id, pks)
        created.append(new_id)
    for new_id in created:
        await ask_about_shared_identifiers(conn, customer_id, new_id, matcher.settings.placeholders)
    if created:
        await store.insert_audit_event(
            conn,
            action="SPLIT",
            actor="resolve",
            customers=[customer_id, *created],
            reason=reason,
            after={"remaining": customer_id, "split_off": created},
        )
    return created
