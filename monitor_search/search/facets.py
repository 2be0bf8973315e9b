"""Counting matches by value: facets (publication, year, source) and timelines.

Counts cover every matching article, not only the hits shown, so they read per-document
columns rather than stored fields: a few bytes per match instead of a whole article (the
numeric ones whole, ``engine.columns``).
"""

from __future__ import annotations

from collections import Counter

from monitor_search.engine.columns import numeric_value_counts, numeric_values
from monitor_search.index.schema import SOURCE_SEPARATOR
from monitor_search.model import Timeline

FACETS = ("publication", "year", "source")
PERIODS = ("year", "month")
UNKNOWN = "unknown"
"""The facet value of articles that do not say (no publication line, no known year...)."""

_MAX_YEAR = 9999


def count_facets(reader, docnums: list[int], names: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """For each facet in ``names``: value -> number of matching articles, most first; years
    in year order instead (``unknown`` last), as a timeline reads."""
    counted: dict[str, dict[str, int]] = {}
    for name in names:
        counts = _COUNTERS[name](reader, docnums)
        order = _by_year if name == "year" else _most_first
        counted[name] = dict(sorted(counts.items(), key=order))
    return counted


def _most_first(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


def _by_year(item: tuple[str, int]) -> tuple[bool, str]:
    return (item[0] == UNKNOWN, item[0].zfill(4))


def _publications(reader, docnums: list[int]) -> Counter[str]:
    column = reader.column_reader("publication")
    return Counter(column[doc] or UNKNOWN for doc in docnums)


def _years(reader, docnums: list[int]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for year, count in numeric_value_counts(reader, "year", docnums).items():
        counts[_year_label(year)] += count
    return counts


def _year_label(value: int) -> str:
    return str(value) if 0 < value <= _MAX_YEAR else UNKNOWN


def _sources(reader, docnums: list[int]) -> Counter[str]:
    """Sources folded for case (``ITAR-TASS`` = ``Itar-Tass``), shown as first written."""
    column = reader.column_reader("source_list")
    shown: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for doc in docnums:
        names = column[doc].decode("utf-8").split(SOURCE_SEPARATOR) if column[doc] else []
        for key in {shown.setdefault(name.casefold(), name) for name in names}:
            counts[key] += 1
        if not names:
            counts[UNKNOWN] += 1
    return counts


def naming_source(searcher, name: str) -> set[int]:
    """The articles that name the source ``name``, told apart as ``count_facets`` tells
    them (case folded): ``Interfax`` is not ``Interfax-Ukraine``."""
    from whoosh import query as wq

    words = [token.text for token in searcher.schema["source"].analyzer(name)]
    if not words:
        return set()
    near = wq.Term("source", words[0]) if len(words) == 1 else wq.Phrase("source", words)
    wanted = name.strip().casefold()
    column = searcher.reader().column_reader("source_list")
    return {
        doc
        for doc in searcher.docs_for_query(near)
        if column[doc] and wanted in column[doc].decode("utf-8").casefold().split(SOURCE_SEPARATOR)
    }


_COUNTERS = {"publication": _publications, "year": _years, "source": _sources}


def timeline(reader, docnums: list[int], by: str) -> Timeline:
    counts: Counter[tuple[int, int] | None] = Counter()
    if by == "year":
        for year, count in numeric_value_counts(reader, "year", docnums).items():
            counts[_year_period(year)] += count
    else:
        lows, highs = (numeric_values(reader, name, docnums) for name in ("date_low", "date_high"))
        counts.update(map(_month_period, lows, highs))
    undated = counts.pop(None, 0)
    return Timeline(by, _with_gaps(counts, by), undated)


def _year_period(year: int) -> tuple[int, int] | None:
    return (year, 0) if 0 < year <= _MAX_YEAR else None


def _month_period(low: int, high: int) -> tuple[int, int] | None:
    """The month of an exact date (a day: low == high); None for a year or no date."""
    return (low // 10000, low // 100 % 100) if low and low == high else None


def _with_gaps(counts: Counter[tuple[int, int]], by: str) -> list[tuple[str, int]]:
    if not counts:
        return []
    first, last = min(counts), max(counts)
    buckets = []
    year, month = first
    while (year, month) <= last:
        label = str(year) if by == "year" else f"{year}-{month:02d}"
        buckets.append((label, counts.get((year, month), 0)))
        if by == "year":
            year += 1
        else:
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return buckets
