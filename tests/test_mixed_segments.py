"""Indexes whose segments differ: every per-article read (stats, facets, timelines, date
order, filters) is right for any mixture of articles with and without each field, committed
in several batches. The expected figures are counted from the files themselves."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor_search.engine.columns import numeric_value_counts, numeric_values
from monitor_search.index import indexer
from monitor_search.index.indexer import update_index
from monitor_search.index.schema import date_span
from monitor_search.index.store import open_for_reading
from monitor_search.ingest.article import parse_article
from monitor_search.ingest.decode import decode_article_bytes
from monitor_search.model import Filters
from monitor_search.search.catalog import index_stats
from monitor_search.search.facets import UNKNOWN
from monitor_search.search.searcher import count_timeline, search

from .conftest import monitor_text

PUBLICATIONS = [None, "Monitor", "Eurasia Daily Monitor", "China Brief"]
SOURCES = ["Interfax", "Itar-Tass", "Turan", "Prime-News"]
MONTHS = ["January", "March", "June", "October"]

article_texts = st.builds(
    lambda publication, volume, issue, cited, month, day, has_body: monitor_text(
        "CASPIAN REPORT",
        (
            "The pipeline talks went on in Baku"
            + (f" ({', '.join(cited)}, {month} {day})." if cited else ".")
        )
        if has_body
        else "",
        publication=publication,
        volume=volume,
        issue=issue,
        footer="" if not has_body else "The Monitor is a publication of the Jamestown Foundation.",
    ),
    st.sampled_from(PUBLICATIONS),
    st.one_of(st.none(), st.integers(1, 12)),
    st.one_of(st.none(), st.integers(1, 200)),
    st.lists(st.sampled_from(SOURCES), max_size=3, unique=True),
    st.sampled_from(MONTHS),
    st.integers(1, 28),
    st.booleans(),
)
batches = st.lists(st.lists(article_texts, min_size=1, max_size=5), min_size=1, max_size=4)


def _expected(folder: Path) -> list:
    return [
        parse_article(decode_article_bytes(path.read_bytes()))
        for path in sorted(folder.rglob("*.txt"))
    ]


def _index_in_batches(root: Path, texts: list[list[str]], merge: bool) -> Path:
    index_dir = root / "index"
    with pytest.MonkeyPatch.context() as patch:
        if not merge:  # every batch stays a segment of its own
            patch.setattr(indexer, "SMALL_SEGMENT", 0)
        for number, batch in enumerate(texts):
            folder = root / "archive" / f"batch{number}"
            folder.mkdir(parents=True)
            for position, text in enumerate(batch):
                (folder / f"{position}.txt").write_text(text, encoding="utf-8")
            update_index([str(folder)], index_dir)
    return index_dir


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches, st.booleans())
def test_every_per_article_read_matches_the_files(texts, merge):
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        index_dir = _index_in_batches(root, texts, merge)
        articles = _expected(root / "archive")
        if not merge and len(texts) > 1:
            with open_for_reading(index_dir).reader() as reader:
                assert len(reader.leaf_readers()) == len(texts)
        _check_stats(index_dir, articles)
        _check_facets(index_dir, articles)
        _check_timelines(index_dir, articles)
        _check_filters_and_date_order(index_dir, articles)
        _check_numeric_columns(index_dir)


def _check_numeric_columns(index_dir: Path) -> None:
    """Whole columns read segment by segment give Whoosh's values, defaults included."""
    with open_for_reading(index_dir).reader() as reader:
        docnums = list(range(reader.doc_count_all()))[::-1]
        for name in ("year", "date_low", "date_high"):
            column = reader.column_reader(name)
            assert numeric_values(reader, name, docnums) == [column[d] for d in docnums]
            for some in (docnums, docnums[::3], docnums[:1]):
                counted = Counter(column[d] for d in some)
                assert numeric_value_counts(reader, name, some) == counted


def _check_stats(index_dir: Path, articles: list) -> None:
    stats = index_stats(index_dir)
    assert stats.articles == len(articles)
    assert stats.publications == dict(
        Counter(article.publication or "(unknown)" for article in articles)
    )
    years = [article.year for article in articles if article.year]
    assert (stats.first_year, stats.last_year) == (
        min(years, default=None),
        max(years, default=None),
    )
    assert stats.unknown_year == sum(article.year is None for article in articles)


def _check_facets(index_dir: Path, articles: list) -> None:
    # headline words: ranked with feedback from each hit's body term counts (a column that
    # segments of headline-only articles lack)
    assert search(index_dir, "Caspian report", limit=100).total == len(articles)
    for text, matching in (("*", articles), ("pipeline", [a for a in articles if a.body])):
        facets = search(index_dir, text, facets=("publication", "year", "source")).facets
        assert facets["publication"] == _counted(a.publication or UNKNOWN for a in matching)
        assert facets["year"] == _counted(str(a.year) if a.year else UNKNOWN for a in matching)
        sources = [name for a in matching for name in a.sources]
        sources += [UNKNOWN] * sum(not a.sources for a in matching)
        assert facets["source"] == _counted(sources)


def _counted(values) -> dict[str, int]:
    counts = Counter(values)
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _check_timelines(index_dir: Path, articles: list) -> None:
    total, by_year = count_timeline(index_dir, "*", by="year")
    assert total == len(articles)
    assert {label: n for label, n in by_year.buckets if n} == dict(
        Counter(str(a.year) for a in articles if a.year)
    )
    assert by_year.undated == sum(a.year is None for a in articles)
    _, by_month = count_timeline(index_dir, "*", by="month")
    assert {label: n for label, n in by_month.buckets if n} == dict(
        Counter(a.date.isoformat()[:7] for a in articles if a.date)
    )
    assert by_month.undated == sum(a.date is None for a in articles)


def _check_filters_and_date_order(index_dir: Path, articles: list) -> None:
    for publication in {a.publication for a in articles if a.publication}:
        found = search(index_dir, "*", filters=Filters(publication=publication), limit=100)
        assert found.total == sum(a.publication == publication for a in articles)
        assert {hit.publication for hit in found.hits} == {publication}
    for year in {a.year for a in articles if a.year}:
        found = search(index_dir, "*", filters=Filters(year=year), limit=100)
        assert found.total == sum(a.year == year for a in articles)
    newest = search(index_dir, "*", sort="date", limit=100)
    assert newest.total == len(articles)
    shown = [date_span(parse_article(Path(hit.path).read_text("utf-8")))[0] for hit in newest.hits]
    dated = [day for day in shown if day]
    assert dated == sorted(dated, reverse=True)
    assert shown == dated + [0] * (len(shown) - len(dated)), "undated articles come last"
