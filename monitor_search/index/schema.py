"""The fields of the index, and how an ``Article`` maps onto them.

Searchable by name in queries: ``title``, ``body`` (the whole text: headline and body),
``publication``, ``source``, ``year``, ``volume``, ``issue``. The others are bookkeeping for
incremental indexing, filters and sorting.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

from whoosh import columns
from whoosh.fields import COLUMN, ID, NUMERIC, STORED, TEXT, Schema

from monitor_search.analysis.analyzers import (
    fold_key,
    name_analyzer,
    name_key_analyzer,
    text_analyzer,
)
from monitor_search.engine.fields import FastNames, FastText, TermCounts

if TYPE_CHECKING:  # parsing is for indexing; queries need not import it
    from monitor_search.model import Article

SCHEMA_VERSION = 10
"""Bumped whenever fields or analysis change; an index of another version must be rebuilt."""

TITLE_BOOST = 0.5
"""The ``body`` field indexes the headline too, so a headline word is counted once with the
whole article's words (one saturation, as in BM25F proper and in Lucene over one field);
the ``title`` field adds half as much again for being in the headline. (Headline and body
scored apart, the headline weighing twice, ranked long questions worse: a headline word
was counted twice over, ``benchmarks/RESULTS.md``.)"""

QUERY_FIELDS = ("title", "body")
"""Fields searched by words that name no field (and ``names``, see NAME_WEIGHT)."""

NAME_WEIGHT = 0.5
"""Weight of a match through a name's transliteration key (``Kiev`` finding ``Kyiv``) next to
a match of the word itself: the variant is found, but ranks below the spelling asked for."""

BODY_TERMS = "body_terms"
"""The column of each article's body term counts (``engine.fields.TermCounts``)."""

FIELD_NAMES_FOR_USERS = ("title", "body", "publication", "source", "year", "volume", "issue")

SOURCE_SEPARATOR = "\x1f"
"""Joins an article's sources in the ``source_list`` column (facet counts read it fast)."""

NO_DATE = 0
"""Stand-in for an unknown date in the numeric date columns (sorts last when newest first)."""

SHIFT_STEP = 8
"""Bits per level of Whoosh's numeric range terms: 4 terms per number instead of Whoosh's 8
(four fewer postings per number an article has), and still few terms per range query."""


def build_schema() -> Schema:
    return Schema(
        path=ID(stored=True, unique=True, sortable=True),
        id=ID(stored=True),
        signature=COLUMN(columns.VarBytesColumn()),
        title=FastText(analyzer=text_analyzer(), stored=True, field_boost=TITLE_BOOST),
        body=FastText(analyzer=text_analyzer(), stored=True),
        body_terms=TermCounts(),  # BODY_TERMS: after "body" in name order, see TermCounts
        names=FastNames(analyzer=name_key_analyzer()),
        publication=TEXT(analyzer=name_analyzer(), stored=True, sortable=True),
        pubkey=ID(sortable=True),
        source=TEXT(analyzer=name_analyzer()),
        sources=STORED(),
        source_list=COLUMN(columns.VarBytesColumn()),
        year=NUMERIC(int, bits=32, stored=True, sortable=True, shift_step=SHIFT_STEP),
        volume=NUMERIC(int, bits=32, stored=True, shift_step=SHIFT_STEP),
        issue=NUMERIC(int, bits=32, stored=True, shift_step=SHIFT_STEP),
        date=STORED(),
        date_low=NUMERIC(int, bits=32, sortable=True, shift_step=SHIFT_STEP),
        date_high=NUMERIC(int, bits=32, sortable=True, shift_step=SHIFT_STEP),
    )


def article_id(path: str) -> str:
    """A short, stable id for the article at ``path`` (what ``msearch show`` takes)."""
    return hashlib.blake2b(path.encode("utf-8", "surrogateescape"), digest_size=6).hexdigest()


def content_key(signature: bytes) -> str:
    """The content hash in an article's ``signature`` (``size:mtime:hash``): the same for a
    file that moved, another for a file whose text changed."""
    return signature.rpartition(b":")[2].decode("ascii")


def document_fields(article: Article, *, path: str, doc_id: str, signature: bytes) -> dict:
    """The field values Whoosh stores and indexes for one article."""
    low, high = date_span(article)
    text = (article.title, article.body)  # one object: body_terms reuses its analysis
    fields: dict = {
        "path": path,
        "id": doc_id,
        "signature": signature,
        "title": article.title,
        "body": text,
        "_stored_body": article.body,
        "body_terms": text,
        "names": f"{article.title}\n\n{article.body}",
        "sources": list(article.sources),
        "date": article.date.isoformat() if article.date else None,
        "date_low": low,
        "date_high": high,
    }
    if article.sources:
        fields["source"] = "\n".join(article.sources)
        fields["source_list"] = SOURCE_SEPARATOR.join(article.sources).encode("utf-8")
    if article.publication:
        fields["publication"] = article.publication
        fields["pubkey"] = fold_key(article.publication)
    for name in ("year", "volume", "issue"):
        value = getattr(article, name)
        if value is not None:
            fields[name] = value
    return fields


def article_from_stored(stored: dict) -> Article:
    """The ``Article`` that ``document_fields`` stored (the inverse, for what it stores)."""
    from monitor_search.model import Article

    date = stored.get("date")
    return Article(
        title=stored.get("title") or "",
        body=stored.get("body") or "",
        publication=stored.get("publication"),
        volume=stored.get("volume"),
        issue=stored.get("issue"),
        year=stored.get("year"),
        date=dt.date.fromisoformat(date) if date else None,
        sources=tuple(stored.get("sources") or ()),
    )


def date_span(article: Article) -> tuple[int, int]:
    """The first and last day (as YYYYMMDD numbers) the article can have appeared on.

    An exact date gives one day; a known year alone gives the whole year; nothing known gives
    ``NO_DATE`` for both, so date filters leave the article out rather than guess.
    """
    if article.date:
        day = date_number(article.date.year, article.date.month, article.date.day)
        return day, day
    if article.year:
        return date_number(article.year, 1, 1), date_number(article.year, 12, 31)
    return NO_DATE, NO_DATE


def date_number(year: int, month: int, day: int) -> int:
    return year * 10000 + month * 100 + day
