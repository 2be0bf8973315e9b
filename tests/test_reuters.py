"""The real Reuters wire sample in ../shared (4,157 stories of 1987, not Monitor-format),
alone and mixed with Monitor articles over several commits: every command answers, and
what the index says matches what the files say."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from monitor_search.analysis.analyzers import WORD_PATTERN
from monitor_search.analysis.terms import text_positions
from monitor_search.cli import main
from monitor_search.index import indexer
from monitor_search.index.indexer import update_index
from monitor_search.ingest.article import parse_article
from monitor_search.ingest.decode import decode_article_bytes
from monitor_search.search import evaluation
from monitor_search.search.catalog import get_article, index_stats, iter_articles
from monitor_search.search.highlight import FRAGMENT_CHARS
from monitor_search.search.searcher import count_matches, count_timeline, search

from .conftest import SEED, write_article

REUTERS = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "reuters"
pytestmark = pytest.mark.skipif(
    not REUTERS.is_dir(), reason=f"the Reuters sample is not at {REUTERS} (../shared)"
)


def _parsed(paths) -> list:
    return [parse_article(decode_article_bytes(Path(p).read_bytes())) for p in paths]


@pytest.fixture(scope="module")
def reuters_index(tmp_path_factory) -> Path:
    index_dir = tmp_path_factory.mktemp("reuters") / "index"
    report = update_index([str(REUTERS)], index_dir)
    assert report.new == len(list(REUTERS.rglob("*.txt"))) and not report.skipped
    return index_dir


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> tuple[Path, list[Path]]:
    """Monitor articles, then the February wire, then more Monitor articles: three segments
    of which only some have publications, volumes and sources."""
    root = tmp_path_factory.mktemp("mixed")
    monitor = root / "monitor"
    monitor.mkdir()
    shutil.copy(SEED, monitor / SEED.name)
    write_article(monitor, "gas.txt", "GAS TALKS", "Gazprom and oil prices (Interfax, March 3).")
    later = root / "later"
    write_article(later, "oil.txt", "OIL PRICES FALL", "Oil prices fell (Itar-Tass, May 2).")
    index_dir = root / "index"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(indexer, "SMALL_SEGMENT", 0)
        for folder in (monitor, REUTERS / "1987-feb", later):
            update_index([str(folder)], index_dir)
    files = [*monitor.glob("*.txt"), *(REUTERS / "1987-feb").glob("*.txt"), *later.glob("*.txt")]
    return index_dir, files


COMMANDS = [
    ["stats"],
    ["stats", "--json"],
    ["query", "oil prices", "--facet", "publication", "--facet", "year", "--facet", "source"],
    ["query", "*", "--facet", "publication", "--json"],
    ["query", "Collective Security Treaty", "--sort", "date"],
    ["query", "wheat", "--year", "1999", "--json"],
    ["query", "oil", "--publication", "Monitor"],
    ["query", '"oil prices" AND NOT Gazprom', "--jsonl"],
    ["query", "coffe*", "--from", "1987", "--to", "1999-12"],
    ["timeline", "oil OR wheat"],
    ["timeline", "oil", "--by", "month", "--json"],
    ["export"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("which", ["reuters", "mixed"])
def test_every_command_answers(request, capsys, which, command):
    index_dir = request.getfixturevalue("reuters_index") if which == "reuters" else None
    if index_dir is None:
        index_dir = request.getfixturevalue("mixed")[0]
    code = main([*command, "--index", str(index_dir)])
    err = capsys.readouterr().err
    assert code in (0, 1), err
    assert "internal error" not in err and "damaged" not in err


def test_show_and_similar_answer(reuters_index, capsys):
    (hit,) = search(reuters_index, "cocoa", limit=1).hits
    for command in (["show", hit.id], ["show", hit.id, "--json"], ["similar", hit.id]):
        assert main([*command, "--index", str(reuters_index)]) == 0
        assert "internal error" not in capsys.readouterr().err


def test_stats_and_facets_match_the_files(mixed):
    index_dir, files = mixed
    articles = _parsed(files)
    stats = index_stats(index_dir)
    assert stats.articles == len(files)
    assert stats.publications == dict(Counter(a.publication or "(unknown)" for a in articles))
    facets = search(index_dir, "*", facets=("publication", "source")).facets
    assert sum(facets["publication"].values()) == len(files)
    assert facets["publication"]["unknown"] == sum(a.publication is None for a in articles)
    assert facets["source"]["unknown"] == sum(not a.sources for a in articles)
    assert {"Interfax", "Itar-Tass", "Turan"} <= facets["source"].keys()


def test_no_wire_story_gets_sources_a_publication_or_a_date(reuters_index):
    for article in iter_articles(reuters_index):
        assert article.sources == () and article.publication is None
        assert article.date is None and article.year is None


QUERIES = ["oil prices", "coffee quota talks", "wheat exports to the soviet union", "gold mine"]


@pytest.mark.parametrize("text", QUERIES)
def test_hits_are_in_the_order_of_the_score_shown(reuters_index, text):
    """All-words hits first, then the others; in each tier, scores never go up."""
    wanted = set(text_positions(text))
    tiers: list[list[float]] = [[], []]
    for hit in search(reuters_index, text, limit=40).hits:
        article = get_article(reuters_index, hit.id)
        has_all = wanted <= set(text_positions(f"{article.title}\n{article.body}"))
        assert not (has_all and tiers[1]), "an all-words hit after the others"
        tiers[0 if has_all else 1].append(hit.score)
    for scores in tiers:
        assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("text", [*QUERIES, "said", "Reuter"])
def test_passages_are_bounded_and_each_shows_a_match(reuters_index, text):
    for hit in search(reuters_index, text, limit=30).hits:
        for fragment in hit.fragments:
            assert len(fragment.text) <= FRAGMENT_CHARS + 40
            if fragment.highlights:
                continue
            assert len(hit.fragments) == 1 and fragment.starts_article  # headline-only match
            assert hit.title_fragment.highlights


def test_stats_json_of_the_wire(reuters_index, capsys):
    assert main(["stats", "--json", "--index", str(reuters_index)]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["publications"] == {"(unknown)": stats["articles"]}
    assert stats["first_year"] is None and stats["unknown_year"] == stats["articles"]


def test_us_finds_every_story_that_writes_us_or_u_s(reuters_index):
    """The wire writes ``U.S.``; ``US`` and ``U.S.`` both find every story with either."""
    words = re.compile(WORD_PATTERN)
    expected = {
        article.path
        for article in iter_articles(reuters_index)
        if {"US", "U.S"} & set(words.findall(f"{article.title}\n{article.body}"))
    }
    assert len(expected) > 100
    for text in ("US", "U.S."):
        found = search(reuters_index, text, limit=len(expected) + 10)
        assert found.total == len(expected), text
        assert {hit.path for hit in found.hits} == expected, text


def test_a_variant_finds_names_in_all_capital_headlines(reuters_index):
    """The wire's headlines are all capitals: ``Brasil`` finds every story that writes the
    name Brazil, in its headline (``BRAZIL``) or its text; ``Brazil`` itself finds those and
    the stories that write it in lower case."""
    words = re.compile(WORD_PATTERN)
    articles = list(iter_articles(reuters_index))
    written = {a.path: set(words.findall(f"{a.title}\n{a.body}")) for a in articles}
    as_name = {path for path, found in written.items() if {"Brazil", "BRAZIL"} & found}
    any_case = {path for path, found in written.items() if "brazil" in map(str.lower, found)}
    headline_only = {
        a.path for a in articles if "BRAZIL" in words.findall(a.title) and "Brazil" not in a.body
    }
    assert len(as_name) > 20 and headline_only and any_case > as_name
    for text, expected in (("Brazil", any_case), ("Brasil", as_name)):
        found = search(reuters_index, text, limit=len(expected) + 10)
        assert {hit.path for hit in found.hits} == expected, text


@pytest.mark.parametrize(
    "text", ['"oil prices"', '"the company said"', '"said it"', '"billion dlrs" "crude oil"']
)
def test_phrases_on_the_wire_equal_whooshs_path(reuters_index, monkeypatch, text):
    """On real wire copy (common words, long postings, plain positions), a phrase finds the
    same articles, in the same order with the same scores, as Whoosh's own matchers do."""
    fast = search(reuters_index, text, limit=30)
    monkeypatch.setattr(evaluation, "supports", lambda query, searcher: False)
    slow = search(reuters_index, text, limit=30)
    assert fast.total == slow.total > 0
    assert [hit.id for hit in fast.hits] == [hit.id for hit in slow.hits]
    assert [hit.score for hit in fast.hits] == pytest.approx(
        [h.score for h in slow.hits], rel=1e-12
    )


@pytest.mark.parametrize(
    "text",
    [
        '"the company said"',
        "why did the bank raise interest rates in february",
        "oil prices opec",
        "dollar NOT yen",
        "shar*",
    ],
)
def test_arrays_answer_the_wire_as_the_dictionaries(reuters_index, monkeypatch, text):
    """Evaluated as arrays (``search.bulk``), real wire copy gets the same hits, scores,
    counts and facets as from the dictionaries."""
    monkeypatch.setattr(evaluation, "BULK_POSTINGS", 10**12)
    monkeypatch.setattr(evaluation, "BULK_MATCHES", 10**12)
    by_dicts = search(reuters_index, text, limit=30, facets=("year",))
    monkeypatch.setattr(evaluation, "BULK_POSTINGS", 0)
    monkeypatch.setattr(evaluation, "BULK_MATCHES", 0)
    assert search(reuters_index, text, limit=30, facets=("year",)) == by_dicts
    assert by_dicts.total_any > 0
    assert count_matches(reuters_index, text) == by_dicts.total  # counted as arrays
    for threshold in ("BULK_POSTINGS", "BULK_MATCHES"):
        monkeypatch.setattr(evaluation, threshold, 10**12)
    assert count_matches(reuters_index, text) == by_dicts.total  # counted in sets


@pytest.mark.parametrize("text", ["* AND oil", "oil OR year:[1980 TO 1990]", "title:s* AND crude"])
def test_queries_whoosh_answers_count_every_match(reuters_index, text):
    """Whoosh's own matchers (a wildcard of every word, a range beside words) skip parts
    that cannot reach the page; the totals still count every article that matches."""
    for match_any in (False, True):
        ranked = search(reuters_index, text, match_any=match_any)
        newest = search(reuters_index, text, sort="newest", match_any=match_any)
        counted = count_matches(reuters_index, text, match_any=match_any)
        timeline_total, _ = count_timeline(reuters_index, text, match_any=match_any)
        assert ranked.total == newest.total == counted == timeline_total > 0
