"""Answer a query: ranked hits as plain dataclasses, ready for any printer.

Ranking is BM25F over headline and body. When the query joins several words without an
operator, articles that contain all of them come first, the rest after, each group in score
order (or all in date order with ``sort="date"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import BadQuery, MsearchError
from .highlight import Fragment, opening, passages, whole
from .query import Filters, Ranking, build_query, ranking_for_words
from .store import damaged, open_for_reading

SORTS = ("relevance", "date")


@dataclass(frozen=True)
class Hit:
    """One matching article. Unknown values are None."""

    rank: int
    score: float
    id: str
    path: str
    title: str
    publication: str | None
    volume: int | None
    issue: int | None
    year: int | None
    date: str | None
    sources: tuple[str, ...]
    fragments: tuple[Fragment, ...]
    title_fragment: Fragment

    @property
    def snippet(self) -> str:
        """The passages as one plain-text line."""
        return " … ".join(fragment.text.strip() for fragment in self.fragments)


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[Hit] = field(default_factory=list)


def search(
    index_dir: Path,
    text: str,
    *,
    limit: int = 10,
    filters: Filters | None = None,
    sort: str = "relevance",
) -> SearchResult:
    """Run ``text`` against the index in ``index_dir``; the best ``limit`` hits."""
    if sort not in SORTS:
        raise BadQuery(f"--sort {sort!r}: choose one of {', '.join(SORTS)}")
    if limit < 1:
        raise BadQuery("--limit must be at least 1")
    filter_query = (filters or Filters()).to_query()
    ix = open_for_reading(index_dir)
    try:
        with ix.searcher() as searcher:
            hits, total = _answer(searcher, build_query(text, ix.schema), limit, filter_query, sort)
    except MsearchError:
        raise
    except Exception as error:
        hits, total = _answer_again(ix, index_dir, text, error, limit, filter_query, sort)
    return SearchResult(query=text, total=total, hits=hits)


def _answer(searcher, ranking: Ranking, limit: int, filter_query, sort: str):
    ranked, total = _ranked(searcher, ranking, limit, filter_query, sort)
    terms = _highlight_terms(searcher, ranking)
    schema = searcher.schema
    hits = [
        _hit(rank, searcher.stored_fields(docnum), score, terms, schema)
        for rank, (docnum, score) in enumerate(ranked, start=1)
    ]
    return hits, total


def _answer_again(ix, index_dir: Path, text: str, error: Exception, *args):
    """The query failed inside Whoosh: if the index reads fine, it was the query's syntax,
    so answer its words as plain text; otherwise the index is damaged."""
    from whoosh.query import Every

    try:
        with ix.searcher() as searcher:
            searcher.search(Every(), limit=1)
    except Exception:
        raise damaged(index_dir, error) from None
    try:
        with ix.searcher() as searcher:
            return _answer(searcher, ranking_for_words(text), *args)
    except Exception as again:
        raise BadQuery(f"cannot run this query ({again}); try plain words") from None


def _ranked(searcher, ranking: Ranking, limit: int, filter_query, sort: str):
    """(docnum, score) pairs of the top hits, and the number of all matches."""
    from whoosh import query as wq

    if isinstance(ranking.any_words, type(wq.NullQuery)):
        return [], 0
    if sort == "date":
        from whoosh.sorting import FieldFacet

        results = searcher.search(
            ranking.any_words,
            limit=limit,
            filter=filter_query,
            sortedby=FieldFacet("date_low", reverse=True),
        )
        return [(hit.docnum, hit.score or 0.0) for hit in results], len(results)
    first: list[tuple[int, float]] = []
    if ranking.all_words is not None:
        top = searcher.search(ranking.all_words, limit=limit, filter=filter_query)
        first = [(hit.docnum, hit.score) for hit in top]
    results = searcher.search(ranking.any_words, limit=limit + len(first), filter=filter_query)
    taken = {docnum for docnum, _ in first}
    rest = [(hit.docnum, hit.score) for hit in results if hit.docnum not in taken]
    return (first + rest)[:limit], len(results)


def _highlight_terms(searcher, ranking: Ranking) -> dict[str, set[str]]:
    """Per field, the index terms the query matches (wildcards expanded).

    Not ``Query.existing_terms``: in Whoosh 2.7 it keeps only the first field it meets.
    """
    reader = searcher.reader()
    terms: dict[str, set[str]] = {}
    for leaf in ranking.any_words.leaves():
        for fieldname, text in leaf.expanded_terms(reader):
            if fieldname not in ("title", "body"):
                continue
            word = text.decode("utf-8") if isinstance(text, bytes) else str(text)
            if (fieldname, word) in reader:
                terms.setdefault(fieldname, set()).add(word)
    return terms


def _hit(rank: int, stored: dict, score: float, terms: dict[str, set[str]], schema) -> Hit:
    body = stored.get("body") or ""
    fragments = passages(body, terms.get("body", set()), schema["body"].analyzer)
    title = stored.get("title") or ""
    return Hit(
        rank=rank,
        score=round(float(score), 4),
        id=stored["id"],
        path=stored["path"],
        title=title,
        publication=stored.get("publication"),
        volume=stored.get("volume"),
        issue=stored.get("issue"),
        year=stored.get("year"),
        date=stored.get("date"),
        sources=tuple(stored.get("sources") or ()),
        fragments=tuple(fragments) or ((opening(body),) if body else ()),
        title_fragment=whole(title, terms.get("title", set()), schema["title"].analyzer),
    )
