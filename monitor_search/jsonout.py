"""Results as JSON for other tools: the schema documented in the README, kept stable.

Fields are only ever added, never renamed or removed. Unknown values are ``null``. Text is
written as-is (JSON escapes control characters), so nothing from an article is lost.
"""

from __future__ import annotations

import dataclasses
import json
from typing import IO

from .catalog import IndexStats, StoredArticle
from .indexer import IndexReport
from .search import Hit, SearchResult


def hit_object(hit: Hit) -> dict:
    return {
        "rank": hit.rank,
        "score": hit.score,
        "id": hit.id,
        "path": hit.path,
        "title": hit.title,
        "publication": hit.publication,
        "volume": hit.volume,
        "issue": hit.issue,
        "year": hit.year,
        "date": hit.date,
        "sources": list(hit.sources),
        "snippet": hit.snippet,
        "fragments": [
            {"text": fragment.text, "highlights": [list(span) for span in fragment.highlights]}
            for fragment in hit.fragments
        ],
    }


def result_object(result: SearchResult) -> dict:
    return {
        "query": result.query,
        "total": result.total,
        "hits": [hit_object(hit) for hit in result.hits],
    }


def article_object(article: StoredArticle) -> dict:
    fields = dataclasses.asdict(article)
    fields["sources"] = list(article.sources)
    return fields


def stats_object(stats: IndexStats) -> dict:
    return dataclasses.asdict(stats)


def report_object(report: IndexReport) -> dict:
    return {
        "new": report.new,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "removed": report.removed,
        "skipped": [{"path": path, "reason": reason} for path, reason in report.skipped],
        "missing": report.missing,
        "seconds": round(report.seconds, 3),
    }


def write_json(value: dict, out: IO[str]) -> None:
    out.write(json.dumps(value, ensure_ascii=False, indent=2))
    out.write("\n")


def write_lines(values, out: IO[str]) -> None:
    for value in values:
        out.write(json.dumps(value, ensure_ascii=False))
        out.write("\n")
