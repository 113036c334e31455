"""SearchCustomers: find the customer in front of a store associate from whatever they are told.

A query is split into parts (service/search_terms.py); its parts find a few hundred candidates
at most through indexes (service/search_lookup.py), and every candidate is scored against every
part (service/search_rank.py), so a customer found by a phone number is also checked against
the name typed beside it. Nothing scans all customers (bench/search.py measures it).

Results are ordered by (score desc, customer id); the page token is that pair for the last
match shown, bound to the query, so a page never repeats a customer the previous page showed.
"""

from __future__ import annotations

from singleview.config import Settings
from singleview.domain.clienteling import SearchMatch, SearchPage
from singleview.domain.errors import FieldViolation, InvalidArgument, ViolationCollector
from singleview.service.masking import mask_customer
from singleview.service.paging import decode_page_token, encode_page_token
from singleview.service.search_lookup import CandidateFinder
from singleview.service.search_rank import Ranked
from singleview.service.search_terms import SearchQuery, parse_query
from singleview.service.validation import check_page_size, check_text
from singleview.store import customers as customer_store
from singleview.store.database import Database

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
                ranked = await CandidateFinder(conn, query, self.clienteling).ranked()
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


def _cursor(last: Ranked) -> str:
    return f"{last.score:.4f}|{last.customer_id}"
