"""SearchCustomers: find the customer in front of a store associate from whatever they are told.

A query is split into parts (service/search_terms.py); each part asks its indexes for at most
`search_candidates` customers (names by lexemes, strict then loose, and by trigrams; phones
exactly or by their last digits; loyalty numbers; emails exactly or near). The union is scored
in full against every part (service/search_rank.py), so a candidate found by its name is also
checked against the phone digits typed beside it. Nothing scans all customers: latency stays
flat as the store grows (bench/search.py).

Results are ordered by (score desc, customer id); the page token is that pair for the last
match shown, bound to the query, so a page never repeats a customer the previous page showed.
"""

from __future__ import annotations

from singleview.config import Settings
from singleview.domain.clienteling import SearchMatch, SearchPage
from singleview.domain.errors import FieldViolation, InvalidArgument, ViolationCollector
from singleview.domain.identifiers import IdentifierKind
from singleview.service.masking import mask_customer
from singleview.service.paging import decode_page_token, encode_page_token
from singleview.service.search_rank import Ranked, rank
from singleview.service.search_terms import EmailTerm, SearchQuery, name_tsquery, parse_query
from singleview.service.validation import check_page_size, check_text
from singleview.store import customers as customer_store
from singleview.store import search as store
from singleview.store.database import Connection, Database

_PAGE_KIND = "search"
_NOTHING_TO_SEARCH = (
    "give a name, a phone number (or its last digits with a name), an email or a loyalty number"
)


def _page_kind(query: SearchQuery) -> str:
    return f"{_PAGE_KIND}:{query.digest()}"


def _decode_after(token: str, query: SearchQuery) -> tuple[float, str] | None:
    after = decode_page_token(token, _page_kind(query))
    if not after:
        return None
    score_text, _, customer_id = after.partition("|")
    try:
        return float(score_text), customer_id
    except ValueError:
        raise InvalidArgument(
            [FieldViolation("page_token", "not a page token returned by this method")]
        ) from None


class SearchService:
    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings
        self.clienteling = settings.clienteling

    def _check(self, text: str, page_size: int) -> tuple[SearchQuery, int]:
        errors = ViolationCollector()
        size = check_page_size(errors, page_size, self.settings.limits)
        limit = self.clienteling.search_max_query_length
        text = check_text(errors, "query", text, limit, required=True)
        errors.raise_if_any()
        query = parse_query(text, self.settings.normalization, self.clienteling)
        if query.is_empty():
            raise InvalidArgument([FieldViolation("query", _NOTHING_TO_SEARCH)])
        return query, size

    async def search(
        self, text: str, page_size: int, page_token: str, *, mask: bool = False
    ) -> SearchPage:
        """One page of matches, best first; `mask` hides emails and phones (associates)."""
        query, size = self._check(text, page_size)
        after = _decode_after(page_token, query)
        async with self.database.connection() as conn:
            async with conn.transaction():
                await store.use_index_plans(conn)
                ranked = await self._ranked(conn, query)
            if after is not None:
                ranked = [r for r in ranked if (-r.score, r.customer_id) > (-after[0], after[1])]
            page = ranked[:size]
            customers = await customer_store.load_customers(conn, [r.customer_id for r in page])
        matches = [
            SearchMatch(mask_customer(customers[r.customer_id], mask), r.score, r.reasons)
            for r in page
            if r.customer_id in customers
        ]
        more = len(ranked) > size
        token = encode_page_token(_page_kind(query), _cursor(page[-1])) if more and page else ""
        return SearchPage(matches, token)

    async def _ranked(self, conn: Connection, query: SearchQuery) -> list[Ranked]:
        """Identifiers first: a phone number, card or email finds the customer in a handful of
        index rows, and the name then ranks those. Names are searched when the query has no
        identifier, or none of its identifiers found anyone who matches the query well enough;
        so when a phone number matches, customers who match only the name are not listed."""
        minimum = self.clienteling.search_min_score
        details = await store.candidate_details(conn, await self._by_identifiers(conn, query))
        ranked = rank(query, details, minimum)
        if ranked or not query.words:
            return ranked
        more = [i for i in dict.fromkeys(await self._by_name(conn, query)) if i not in details]
        details.update(await store.candidate_details(conn, more))
        return rank(query, details, minimum)

    async def _by_name(self, conn: Connection, query: SearchQuery) -> list[str]:
        """Ever looser until enough customers are found: every word as written or as a
        nickname; then also by its first letters or its sound; then the words together by
        trigram similarity, which catches typos in the first letters too but reads long posting
        lists for common names, so it is the last resort, not the rule."""
        limit, enough = self.clienteling.search_candidates, self.clienteling.search_enough_names
        name, scan = " ".join(query.words), self.clienteling.search_name_scan
        ids: list[str] = []
        for loose in (False, True):
            tsquery = name_tsquery(query.words, loose=loose)
            ids += await store.customers_by_name_lexemes(conn, tsquery, name, limit, scan)
            if len(set(ids)) >= enough:
                return ids
        await store.set_similarity_threshold(conn, self.clienteling.search_name_similarity)
        return ids + await store.customers_by_name_trigrams(conn, name, limit)

    async def _by_identifiers(self, conn: Connection, query: SearchQuery) -> list[str]:
        """Phones exactly or by their last digits, loyalty numbers, emails exactly (near ones
        only when the exact address finds no one)."""
        limit = self.clienteling.search_candidates
        ids: list[str] = []
        for number in query.numbers:
            for kind, value in (
                (IdentifierKind.PHONE, number.phone),
                (IdentifierKind.LOYALTY_ID, number.loyalty),
            ):
                if value:
                    ids += await store.customers_by_identifier(conn, kind, value, limit)
            if number.suffix:
                ids += await store.customers_by_phone_suffix(conn, number.suffix, limit)
        for email in query.emails:
            ids += await self._by_email(conn, email)
        return list(dict.fromkeys(ids))

    async def _by_email(self, conn: Connection, email: EmailTerm) -> list[str]:
        limit = self.clienteling.search_candidates
        if email.exact:
            found = await store.customers_by_identifier(
                conn, IdentifierKind.EMAIL, email.exact, limit
            )
            if found:
                return found
        await store.set_similarity_threshold(conn, self.clienteling.search_email_similarity)
        return await store.customers_by_near_email(conn, email.near, limit)


def _cursor(last: Ranked) -> str:
    return f"{last.score:.4f}|{last.customer_id}"
