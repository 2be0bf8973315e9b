"""The domain types: plain data that flows from files to index to hits to printers.

Every layer shares these; none of them imports Whoosh or any other part of msearch.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    """One article as parsed from its text; the index stores these fields."""

    title: str
    body: str
    publication: str | None = None
    volume: int | None = None
    issue: int | None = None
    year: int | None = None
    date: dt.date | None = None
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArticleInfo:
    """What the index keeps about an article besides its text. Unknown values are None."""

    id: str
    path: str
    title: str
    publication: str | None
    volume: int | None
    issue: int | None
    year: int | None
    date: str | None
    sources: tuple[str, ...]


@dataclass(frozen=True)
class StoredArticle(ArticleInfo):
    """An indexed article as ``show`` presents it (footer already excluded at parse time)."""

    body: str


@dataclass(frozen=True)
class MarkedArticle:
    """A whole article with a query's words marked in its headline and body."""

    article: StoredArticle
    title: Fragment
    """The headline, its matched words marked."""
    body: Fragment
    """The whole body, its matched words marked."""

    @classmethod
    def unmarked(cls, article: StoredArticle) -> MarkedArticle:
        """The article with nothing marked (``show`` without a query)."""
        return cls(
            article, Fragment(article.title, (), True, True), Fragment(article.body, (), True, True)
        )


@dataclass
class IndexStats:
    index: str
    articles: int
    size_bytes: int
    last_indexed: str | None
    publications: dict[str, int] = field(default_factory=dict)
    first_year: int | None = None
    last_year: int | None = None
    unknown_year: int = 0


@dataclass(frozen=True)
class Filters:
    """Restrictions from the command-line options; None means no restriction."""

    publication: str | None = None
    year: int | None = None
    date_from: str | None = None
    date_to: str | None = None
    volume: int | None = None
    issue: int | None = None
    source: str | None = None
    """A source the article names, as the source facet counts them (case aside)."""


FILTER_FIELDS = ("publication", "year", "date_from", "date_to", "volume", "issue", "source")
"""The restrictions of ``Filters`` that a user sets (``msearch query``'s options)."""


@dataclass(frozen=True)
class Fragment:
    """A passage of an article; ``highlights`` are (start, end) offsets of matched words."""

    text: str
    highlights: tuple[tuple[int, int], ...] = ()
    starts_article: bool = False
    ends_article: bool = False


@dataclass(frozen=True)
class Hit(ArticleInfo):
    """One matching article, with the passages that show why it matched."""

    rank: int
    score: float
    fragments: tuple[Fragment, ...]
    title_fragment: Fragment
    matched: str = "all"
    """"all": the article has every word of the query; "some": only some (relevance order
    goes on with these once the articles with all of them are listed)."""

    @property
    def snippet(self) -> str:
        """The passages as one plain-text line."""
        return " … ".join(fragment.text.strip() for fragment in self.fragments)


@dataclass
class SearchResult:
    query: str
    total: int
    """Articles that match: with all the words of a plain query (any of them with
    ``match_any``), or what the query syntax says."""
    hits: list[Hit] = field(default_factory=list)
    suggestion: str | None = None
    """A corrected query when this one found few articles and has words the index lacks."""
    facets: dict[str, dict[str, int]] | None = None
    """Requested facets: name -> value -> number of matching articles."""
    total_any: int | None = None
    """Articles with any of the words (the total, when the query is one part)."""
    ignored: list[str] = field(default_factory=list)
    """Words of the query that were not searched for: stop words."""
    nothing_to_search: bool = False
    """The query has no word left to search for (all stop words, or none at all)."""
    offset: int = 0
    """Better hits skipped before the first of ``hits`` (whose rank is ``offset + 1``)."""
    any_words: bool = False
    """``total`` counts the articles with any of the words (``match_any``), not all."""


@dataclass
class Timeline:
    """Matching articles per period, oldest first, empty periods included; ``undated`` counts
    the matches whose period is not known (no year, or no exact date when by month)."""

    by: str
    buckets: list[tuple[str, int]]
    undated: int


@dataclass
class IndexReport:
    """What an index run did, for the one-line summary and for callers of ``update_index``."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    moved: int = 0
    """Files found at a new place with the same content (their article keeps its text)."""
    removed: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged + self.moved


@dataclass(frozen=True)
class SavedSearch:
    """A named query with the filters, order and matching it runs with."""

    name: str
    query: str
    filters: Filters = field(default_factory=Filters)
    match_any: bool = False
    sort: str = "relevance"
    created: str = ""
    last_run: str | None = None
    """When it was saved or last ran with ``new_only``."""
    seen: frozenset[str] = frozenset()
    """Content keys (``index.schema.content_key``) of the articles it has seen: those that
    matched when it was saved, and those its ``new_only`` runs have shown."""

    @property
    def options(self) -> list[str]:
        """The filters and options as ``msearch query`` options (for showing and cron lines)."""
        words = []
        for name in FILTER_FIELDS:
            value = getattr(self.filters, name)
            if value is not None:
                option = {"date_from": "from", "date_to": "to"}.get(name, name)
                words += [f"--{option}", str(value)]
        if self.sort != "relevance":
            words += ["--sort", self.sort]
        if self.match_any:
            words.append("--any")
        return words


@dataclass(frozen=True)
class SavedRun:
    """What running a saved search found: its result (None if it could not run, ``error``
    says why), and whether only the articles new to it count."""

    search: SavedSearch
    result: SearchResult | None
    new_only: bool
    error: str | None = None
    shown: frozenset[str] = frozenset()
    """Content keys of the hits in ``result`` (what a ``new_only`` run marks seen)."""
