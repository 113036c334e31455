"""Which customers a search looks at, and in what order it asks the indexes.

Identifiers first: a phone number, a card or an email finds the customer in a handful of index
rows, and the name then only ranks those ("ann 0100" checks the names of the customers whose
number ends in 0100, never every Ann). Names are looked up when the query has no identifier, or
its identifiers found no one who matches well enough; then ever more loosely, and only until a
customer matches the name well: each word as written or as a nickname; pairs of words by their
first letters, sounds and nicknames; each word by its first letters or sound; and last, the
words together by trigram similarity. The first steps read short posting lists whatever the
store size; the last two read long ones, which is why they are the last resort.

Every lookup is bounded (`search_candidates` customers), so one search never compares more
than a few hundred customers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from singleview.config import ClientelingSettings
from singleview.domain.identifiers import IdentifierKind
from singleview.service.search_rank import Ranked, rank, score
from singleview.service.search_terms import (
    EmailTerm,
    NumberTerm,
    SearchQuery,
    name_tsquery,
    pair_tsquery,
)
from singleview.store import search as store
from singleview.store.database import Connection

Lookup = Callable[[], Awaitable[list[str]]]


class CandidateFinder:
    """Finds and ranks the candidates of one query; call inside a transaction."""

    def __init__(self, conn: Connection, query: SearchQuery, settings: ClientelingSettings):
        self.conn = conn
        self.query = query
        self.settings = settings
        self.limit = settings.search_candidates
        self.details: dict[str, store.CandidateDetails] = {}

    async def ranked(self) -> list[Ranked]:
        """Every candidate scoring at least `search_min_score`, best first."""
        await store.use_index_plans(self.conn)
        for ids in [await self._by_number(n) for n in self.query.numbers]:
            await self._add(ids)
        for email in self.query.emails:
            await self._add(await self._by_email(email))
        found = rank(self.query, self.details, self.settings.search_min_score)
        if found or not self.query.words:
            return found
        await self._by_name()
        return rank(self.query, self.details, self.settings.search_min_score)

    async def _add(self, ids: list[str]) -> None:
        new = [i for i in dict.fromkeys(ids) if i not in self.details]
        self.details.update(await store.candidate_details(self.conn, new))

    async def _by_number(self, number: NumberTerm) -> list[str]:
        ids: list[str] = []
        for kind, value in (
            (IdentifierKind.PHONE, number.phone),
            (IdentifierKind.LOYALTY_ID, number.loyalty),
        ):
            if value:
                ids += await store.customers_by_identifier(self.conn, kind, value, self.limit)
        if number.suffix and self.query.words:
            tsquery = name_tsquery(self.query.words, loose=True)
            named = await store.customers_by_phone_suffix_and_name(
                self.conn, number.suffix, tsquery, self.limit, self.settings.search_name_scan
            )
            if named:
                return ids + named
        if number.suffix:
            ids += await store.customers_by_phone_suffix(self.conn, number.suffix, self.limit)
        return ids

    async def _by_email(self, email: EmailTerm) -> list[str]:
        """The address; else its mailbox name at any domain; else mailbox names like it."""
        conn, limit = self.conn, self.limit
        if email.exact:
            found = await store.customers_by_identifier(
                conn, IdentifierKind.EMAIL, email.exact, limit
            )
            if found:
                return found
        found = await store.customers_by_email_local_part(conn, email.near, limit)
        if found:
            return found
        await store.set_similarity_threshold(conn, self.settings.search_email_similarity)
        return await store.customers_by_near_email(conn, email.near, limit)

    def _name_lookups(self) -> list[Lookup]:
        words, conn, name = self.query.words, self.conn, " ".join(self.query.words)
        bounds = store.NameBounds(
            self.limit, self.settings.search_name_scan, self.settings.search_namesakes
        )

        def lexemes(tsquery: str) -> Lookup:
            return lambda: store.customers_by_name_lexemes(conn, tsquery, name, bounds)

        async def trigrams() -> list[str]:
            await store.set_similarity_threshold(conn, self.settings.search_name_similarity)
            return await store.customers_by_name_trigrams(conn, name, bounds)

        pairs = pair_tsquery(words)
        return [
            lexemes(name_tsquery(words, loose=False)),
            *([lexemes(pairs)] if pairs else []),
            lexemes(name_tsquery(words, loose=True)),
            trigrams,
        ]

    async def _by_name(self) -> None:
        """Widen the name lookup until some candidate's name matches the query's words well."""
        words_only = SearchQuery(words=self.query.words)
        good = self.settings.search_good_name
        for lookup in self._name_lookups():
            await self._add(await lookup())
            if any(score(words_only, i, d).score >= good for i, d in self.details.items()):
                return
