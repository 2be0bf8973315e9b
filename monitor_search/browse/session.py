"""What ``msearch browse`` shows, without the screen: the library's calls and their state.

A ``Session`` holds the query, the filters and the order a user has chosen, and turns each
step (run a query, narrow by a facet value, list similar articles, read one, load more hits)
into calls of the same functions the other commands use. It has no search logic of its own
and imports no terminal code, so it is usable and tested on its own.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from monitor_search.model import Filters, Hit, MarkedArticle, SearchResult, Timeline
from monitor_search.search.catalog import get_article
from monitor_search.search.facets import FACETS, UNKNOWN
from monitor_search.search.searcher import count_timeline, marked_article, search, similar

PAGE = 50
"""Hits fetched at a time; more come as the list is scrolled to its end."""
SORTS = ("relevance", "newest", "oldest")
"""The orders ``next_sort`` goes through."""
FACET_FILTERS = {"publication": "publication", "year": "year", "source": "source"}
"""Facet name -> the ``Filters`` field that choosing one of its values sets."""


@dataclass(frozen=True)
class Listing:
    """What the hit list shows: a query's hits, with the facet counts and timeline of all
    its matches, or the articles similar to one (``similar_to``; no facets of their own)."""

    result: SearchResult
    listable: int
    """How many hits the list holds once scrolled to its end: the matches, and in relevance
    order the articles with only some of the words after them."""
    timeline: Timeline | None = None
    similar_to: Hit | None = None
    tiered: bool = True
    """Whether the articles with only some of the words all come after those with all of
    them (relevance order), so that a line can part them."""

    @property
    def complete(self) -> bool:
        """Whether every hit the list can hold is loaded."""
        return len(self.result.hits) >= self.listable


class Session:
    """The state of one browsing session over the index in ``index_dir``."""

    def __init__(
        self,
        index_dir: Path,
        *,
        filters: Filters | None = None,
        sort: str = "relevance",
        match_any: bool = False,
    ) -> None:
        self.index_dir = index_dir
        self.filters = filters or Filters()
        self.sort = sort
        self.match_any = match_any
        self.text = ""

    def query(self, text: str | None = None) -> Listing:
        """The first page of hits of ``text`` (default: the current query) with the
        current filters and order, the facet counts and the timeline by year."""
        if text is not None:
            self.text = text
        result = search(
            self.index_dir,
            self.text,
            limit=PAGE,
            filters=self.filters,
            sort=self.sort,
            facets=FACETS,
            match_any=self.match_any,
        )
        _, by_year = count_timeline(
            self.index_dir, self.text, filters=self.filters, match_any=self.match_any
        )
        listable = result.total
        if self.sort == "relevance" and not self.match_any:
            listable = max(result.total, result.total_any or 0)
        return Listing(result, listable, by_year, tiered=self.sort == "relevance")

    def more(self, listing: Listing) -> Listing:
        """``listing`` with the next page of hits added (as it is when complete)."""
        if listing.complete:
            return listing
        page = search(
            self.index_dir,
            listing.result.query,
            limit=PAGE,
            filters=self.filters,
            sort=self.sort,
            match_any=self.match_any,
            offset=len(listing.result.hits),
        )
        result = dataclasses.replace(listing.result, hits=listing.result.hits + page.hits)
        return dataclasses.replace(listing, result=result)

    def similar(self, hit: Hit) -> Listing:
        """The articles most like ``hit``'s article."""
        result = similar(self.index_dir, hit.id, limit=PAGE)
        return Listing(result, len(result.hits), similar_to=hit)

    def article(self, hit: Hit, listing: Listing) -> MarkedArticle:
        """``hit``'s whole article, the query's words marked (nothing marked for a list of
        similar articles: no words were typed for it)."""
        if listing.similar_to is not None:
            return MarkedArticle.unmarked(get_article(self.index_dir, hit.id))
        return marked_article(self.index_dir, hit.id, listing.result.query)

    def toggle(self, facet: str, value: str) -> None:
        """Narrow the query to ``value`` of ``facet``, or widen it again if it already is.
        ``unknown`` (articles that do not say) is no value to narrow to."""
        if facet not in FACET_FILTERS or value == UNKNOWN:
            raise ValueError(f"cannot narrow by {facet} {value!r}")
        name = FACET_FILTERS[facet]
        chosen: str | int = int(value) if name == "year" else value
        current = getattr(self.filters, name)
        same = current is not None and str(current).casefold() == str(chosen).casefold()
        self.filters = dataclasses.replace(self.filters, **{name: None if same else chosen})

    def is_chosen(self, facet: str, value: str) -> bool:
        """Whether the query is narrowed to ``value`` of ``facet``."""
        current = getattr(self.filters, FACET_FILTERS.get(facet, ""), None)
        return current is not None and str(current).casefold() == value.casefold()

    def toggle_any(self) -> bool:
        """Switch between all the words (ranked first, then those with only some) and any of
        them (ranked together, counted and faceted together); whether it is now any."""
        self.match_any = not self.match_any
        return self.match_any

    def next_sort(self) -> str:
        """Go on to the next order of ``SORTS``; the new order."""
        shown = self.sort if self.sort in SORTS else "newest"  # "date" is "newest"
        self.sort = SORTS[(SORTS.index(shown) + 1) % len(SORTS)]
        return self.sort
