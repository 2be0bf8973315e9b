"""Results as JSON for other tools: the schema documented in the README, kept stable.

Fields are only ever added, never renamed or removed. Unknown values are ``null``. Text is
written as-is (JSON escapes control characters), so nothing from an article is lost.
"""

from __future__ import annotations

import dataclasses
import json
from typing import IO

from monitor_search.model import (
    ArticleInfo,
    Hit,
    IndexStats,
    MarkedArticle,
    SavedSearch,
    SearchResult,
    StoredArticle,
    Timeline,
)


def info_object(info: ArticleInfo) -> dict:
    """The metadata every article object shares (hits, ``show``, ``export``)."""
    fields = {name: getattr(info, name) for name in _INFO_FIELDS}
    fields["sources"] = list(info.sources)
    return fields


_INFO_FIELDS = [field.name for field in dataclasses.fields(ArticleInfo)]
HIT_FIELDS = ["rank", "score", "matched", *_INFO_FIELDS, "snippet", "fragments"]
"""The fields of a hit object, in order (``hit_object``)."""


def hit_object(hit: Hit) -> dict:
    return {
        "rank": hit.rank,
        "score": hit.score,
        "matched": hit.matched,
        **info_object(hit),
        "snippet": hit.snippet,
        "fragments": [
            {"text": fragment.text, "highlights": [list(span) for span in fragment.highlights]}
            for fragment in hit.fragments
        ],
    }


def result_object(result: SearchResult, similar_to: str | None = None) -> dict:
    """``msearch query --json`` (``similar_to`` set: ``msearch similar --json``)."""
    head: dict = {"similar_to": similar_to} if similar_to else {"query": result.query}
    head["total"] = result.total
    if not similar_to:
        head["total_any"] = result.total if result.total_any is None else result.total_any
    if not similar_to:
        head["offset"] = result.offset
        head["suggestion"] = result.suggestion
        head["ignored"] = result.ignored
    if result.facets is not None:
        head["facets"] = result.facets
    return {**head, "hits": [hit_object(hit) for hit in result.hits]}


def timeline_object(query: str, total: int, timeline: Timeline) -> dict:
    return {
        "query": query,
        "by": timeline.by,
        "total": total,
        "buckets": [{"period": period, "count": count} for period, count in timeline.buckets],
        "undated": timeline.undated,
    }


def article_object(article: StoredArticle) -> dict:
    return {**info_object(article), "body": article.body}


def marked_article_object(shown: MarkedArticle) -> dict:
    """``msearch show ID --query TEXT --json``: the article object, and the [start, end]
    character offsets of the query's words in its ``title`` and ``body``."""
    return {
        **article_object(shown.article),
        "highlights": {
            "title": [list(span) for span in shown.title.highlights],
            "body": [list(span) for span in shown.body.highlights],
        },
    }


def stats_object(stats: IndexStats) -> dict:
    return dataclasses.asdict(stats)


def write_json(value: dict, out: IO[str]) -> None:
    out.write(json.dumps(value, ensure_ascii=False, indent=2))
    out.write("\n")


def write_lines(values, out: IO[str]) -> None:
    for value in values:
        out.write(json.dumps(value, ensure_ascii=False))
        out.write("\n")


def saved_object(saved: SavedSearch) -> dict:
    """A saved search as ``msearch saved list --json`` shows it (its seen ids counted)."""
    return {
        "name": saved.name,
        "query": saved.query,
        "options": saved.options,
        "created": saved.created,
        "last_run": saved.last_run,
        "seen": len(saved.seen),
    }
