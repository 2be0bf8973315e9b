"""What the index holds: one article by id (``msearch show``) and totals (``msearch stats``)."""

from __future__ import annotations

import os
from pathlib import Path

from monitor_search.errors import ArticleNotFound, BadQuery
from monitor_search.index.store import open_for_reading, read_failures, read_index, read_marker
from monitor_search.model import IndexStats, StoredArticle
from monitor_search.search.facets import UNKNOWN, count_facets

UNKNOWN_PUBLICATION = "(unknown)"
"""How ``index_stats`` counts the articles that do not name their publication."""


def info_fields(stored: dict) -> dict:
    """``ArticleInfo`` field values from a document's stored fields."""
    return {
        "id": stored["id"],
        "path": stored["path"],
        "title": stored.get("title") or "",
        "publication": stored.get("publication"),
        "volume": stored.get("volume"),
        "issue": stored.get("issue"),
        "year": stored.get("year"),
        "date": stored.get("date"),
        "sources": tuple(stored.get("sources") or ()),
    }


def get_article(index_dir: Path, key: str) -> StoredArticle:
    """The article whose id is ``key`` (or whose file path is ``key``)."""

    def read(ix) -> dict:
        with ix.searcher() as searcher:
            return stored_article(searcher, key)

    return from_stored(read_index(index_dir, read))


def stored_article(searcher, key: str) -> dict:
    """The stored fields of the article whose id (or file path) is ``key``."""
    if not key.strip():
        raise BadQuery("no article id given: ids are shown by 'msearch query'")
    stored = searcher.document(id=key.strip().lower())
    if stored is None and key:
        stored = searcher.document(path=os.path.abspath(key))
    if stored is None:
        raise ArticleNotFound(
            f"no article with id {key!r} in the index: ids are shown by 'msearch query'"
        )
    return stored


def iter_articles(index_dir: Path):
    """Every article in the index, in index order."""
    index_dir = Path(index_dir)
    ix = open_for_reading(index_dir)
    with read_failures(ix, index_dir), ix.searcher() as searcher:
        for docnum in searcher.reader().all_doc_ids():
            stored = searcher.stored_fields(docnum)
            yield from_stored(stored)


def from_stored(stored: dict) -> StoredArticle:
    return StoredArticle(**info_fields(stored), body=stored.get("body") or "")


def index_stats(index_dir: Path) -> IndexStats:
    """Article count, size on disk, last run, articles per publication, year range.

    Counted from the per-document columns the facets use, not from stored articles: a few
    bytes per article instead of its whole text."""
    index_dir = Path(index_dir)

    def read(ix) -> tuple[dict, int]:
        with ix.searcher() as searcher:
            reader = searcher.reader()
            counted = count_facets(reader, list(reader.all_doc_ids()), ("publication", "year"))
            return counted, searcher.doc_count()

    counts, count = read_index(index_dir, read)
    publications = {
        (UNKNOWN_PUBLICATION if name == UNKNOWN else name): n
        for name, n in counts["publication"].items()
    }
    years = [int(year) for year in counts["year"] if year != UNKNOWN]
    marker = read_marker(index_dir) or {}
    return IndexStats(
        index=str(index_dir),
        articles=count,
        size_bytes=sum(p.stat().st_size for p in index_dir.iterdir() if p.is_file()),
        last_indexed=marker.get("last_indexed"),
        publications=publications,
        first_year=min(years) if years else None,
        last_year=max(years) if years else None,
        unknown_year=counts["year"].get(UNKNOWN, 0),
    )
