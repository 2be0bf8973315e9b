"""Queries against a real index: plain text, Whoosh syntax, metadata fields, filters, ranking."""

from __future__ import annotations

import gc
import random
from pathlib import Path

import pytest

from monitor_search.errors import BadQuery, IndexMissing
from monitor_search.index.indexer import update_index
from monitor_search.index.store import open_for_reading
from monitor_search.model import Filters
from monitor_search.search.query import build_query
from monitor_search.search.scoring import WEIGHTING
from monitor_search.search.searcher import search

from .conftest import write_article


@pytest.fixture
def index_dir(corpus, tmp_path):
    update_index([str(corpus)], tmp_path / "ix")
    return tmp_path / "ix"


def titles(index_dir, text, **kwargs):
    return [hit.title for hit in search(index_dir, text, limit=50, **kwargs).hits]


def test_seed_is_top_hit_with_words_highlighted(index_dir):
    result = search(index_dir, "Collective Security Treaty")
    top = result.hits[0]
    assert top.title == "AZERBAIJAN TO STAY OUT OF CIS SECURITY PACT."
    marked = {
        fragment.text[start:end].lower()
        for fragment in top.fragments
        for start, end in fragment.highlights
    }
    assert {"collective", "security", "treaty"} <= marked
    assert "Collective Security Treaty" in top.snippet
    title = top.title_fragment
    assert [title.text[s:e] for s, e in title.highlights] == ["SECURITY"]


def test_plain_words_any_with_all_first(index_dir, corpus):
    write_article(corpus, "many.txt", "GAS GAS GAS", "Gas gas gas gas gas gas. Gas again.")
    write_article(corpus, "both.txt", "NOTE", "Turkmen gas goes to Ukraine.")
    update_index([str(corpus)], index_dir)
    ranked = titles(index_dir, "gas Ukraine")
    assert ranked[0] == "NOTE"  # the only one with both words, despite less "gas"
    assert "GAS GAS GAS" in ranked and "GAZPROM AND TURKMENISTAN AGREE GAS PRICE" in ranked


def test_stemming_case_and_accent_folding(index_dir):
    assert titles(index_dir, "detente") == ["A NEW DÉTENTE WITH GEORGIA?"]
    assert titles(index_dir, "DÉTENTES") == ["A NEW DÉTENTE WITH GEORGIA?"]
    assert "AZERBAIJAN TO STAY OUT OF CIS SECURITY PACT." in titles(index_dir, "treaties")


def test_headline_outweighs_body(index_dir, corpus):
    filler = " ".join(f"word{i}" for i in range(60))
    write_article(corpus, "body.txt", "A REPORT", f"Tbilisi officials spoke. {filler} Tbilisi.")
    write_article(corpus, "head.txt", "TBILISI REPORT", f"Officials in the capital spoke. {filler}")
    update_index([str(corpus)], index_dir)
    assert titles(index_dir, "Tbilisi")[0] == "TBILISI REPORT"


def test_no_phrase_runs_from_headline_into_body(index_dir, corpus):
    """The body field holds the headline too, but apart: a phrase is found in either, never
    across the two; what is stored (shown, exported) is the body alone."""
    headline = "ZORKAL COUNCIL MEETS"
    write_article(corpus, "gap.txt", headline, "Treaty talks resume in Baku.")
    update_index([str(corpus)], index_dir)
    assert titles(index_dir, '"zorkal council"') == [headline]
    assert titles(index_dir, '"talks resume"') == [headline]
    assert titles(index_dir, '"meets treaty"') == []
    assert titles(index_dir, '"meets treaty"~5') == []
    assert titles(index_dir, "body:zorkal") == [headline]
    with open_for_reading(index_dir).searcher() as searcher:
        stored = next(f for f in searcher.all_stored_fields() if f["title"] == headline)
    assert stored["body"] == "Treaty talks resume in Baku."


def test_rare_words_of_a_long_question_outweigh_its_common_ones(tmp_path):
    """One idf per word by Lucene's formula: words in every article add almost nothing, so
    the one article with the question's rare word comes first, above those with all seven
    common words (Whoosh's idf, at least 1 for any word, put the rare one last)."""
    folder = tmp_path / "articles"
    for number in range(40):
        write_article(
            folder,
            f"{number}.txt",
            f"NOTE {number}",
            "Officials discussed the region's budget, taxes and trade policy.",
        )
    write_article(folder, "rare.txt", "NOTE", "Ilham Aliyev spoke.")
    update_index([str(folder)], tmp_path / "ix")
    question = "did officials discuss Aliyev and the budget, taxes, trade policy of the region"
    hits = search(tmp_path / "ix", question, limit=3, match_any=True).hits
    assert Path(hits[0].path).stem == "rare"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"collective security"', ["AZERBAIJAN TO STAY OUT OF CIS SECURITY PACT."]),
        ('"security collective"', []),
        ("Gazprom AND Uzbekistan", ["GAZPROM AND TURKMENISTAN AGREE GAS PRICE"]),
        ("Gazprom AND Georgia", []),
        ("security NOT Azerbaijan", ["A NEW DÉTENTE WITH GEORGIA?"]),
        ("title:chechnya", ["RUSSIAN FORCES ADVANCE IN CHECHNYA"]),
        ("title:grozny", []),
        ("Chech*", ["RUSSIAN FORCES ADVANCE IN CHECHNYA"]),
        ("source:Interfax", ["RUSSIAN FORCES ADVANCE IN CHECHNYA"]),
        (
            "source:itar-tass",
            [
                "AZERBAIJAN TO STAY OUT OF CIS SECURITY PACT.",
                "GAZPROM AND TURKMENISTAN AGREE GAS PRICE",
            ],
        ),
        ('publication:"Eurasia Daily Monitor"', ["GAZPROM AND TURKMENISTAN AGREE GAS PRICE"]),
        ("year:1998", ["A NEW DÉTENTE WITH GEORGIA?"]),
        ("year:[2000 TO 2010]", ["GAZPROM AND TURKMENISTAN AGREE GAS PRICE"]),
        ("issue:190", ["RUSSIAN FORCES ADVANCE IN CHECHNYA"]),
    ],
)
def test_query_syntax(index_dir, query, expected):
    assert sorted(titles(index_dir, query)) == expected


@pytest.mark.parametrize(
    "query",
    ["what about Chechnya?", "(Chechnya", "Chechnya)", 'Chechnya "', "note: Chechnya", "Chechnya:"],
)
def test_stray_punctuation_in_plain_text(index_dir, query):
    assert titles(index_dir, query) == ["RUSSIAN FORCES ADVANCE IN CHECHNYA"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (
            Filters(publication="eurasia daily  MONITOR"),
            ["GAZPROM AND TURKMENISTAN AGREE GAS PRICE"],
        ),
        (
            Filters(year=1999),
            ["AZERBAIJAN TO STAY OUT OF CIS SECURITY PACT.", "RUSSIAN FORCES ADVANCE IN CHECHNYA"],
        ),
        (Filters(volume=4), ["A NEW DÉTENTE WITH GEORGIA?"]),
        (Filters(issue=26), ["AZERBAIJAN TO STAY OUT OF CIS SECURITY PACT."]),
        (
            Filters(date_from="1999-02-01", date_to="1999-02-28"),
            ["AZERBAIJAN TO STAY OUT OF CIS SECURITY PACT."],
        ),
        (
            Filters(date_from="1999-02-06"),
            ["GAZPROM AND TURKMENISTAN AGREE GAS PRICE", "RUSSIAN FORCES ADVANCE IN CHECHNYA"],
        ),
        (Filters(date_to="1998"), ["A NEW DÉTENTE WITH GEORGIA?"]),
    ],
)
def test_filters(index_dir, filters, expected):
    assert sorted(titles(index_dir, "security OR gas OR Chechnya", filters=filters)) == expected


def test_sort_by_date_newest_first(index_dir):
    ranked = titles(index_dir, "security OR gas OR Chechnya OR Shevardnadze", sort="date")
    assert ranked == [
        "GAZPROM AND TURKMENISTAN AGREE GAS PRICE",
        "RUSSIAN FORCES ADVANCE IN CHECHNYA",
        "AZERBAIJAN TO STAY OUT OF CIS SECURITY PACT.",
        "A NEW DÉTENTE WITH GEORGIA?",
    ]


def test_bad_date_option(index_dir):
    with pytest.raises(BadQuery, match="--from"):
        search(index_dir, "x", filters=Filters(date_from="February"))


def test_total_counts_beyond_limit(index_dir):
    result = search(index_dir, "security OR gas OR Chechnya", limit=1)
    assert (len(result.hits), result.total) == (1, 4)


def test_missing_index(tmp_path):
    with pytest.raises(IndexMissing, match="run 'msearch index"):
        search(tmp_path / "none", "x")


def test_total_is_exact_when_whoosh_prunes(tmp_path):
    """Whoosh skips matchers that cannot reach the top hits; the total must not shrink.

    (Counting in the scoring pass reported 276 of these 760 matches for "word3 word40".)
    """
    rng = random.Random(1)
    vocabulary = [f"word{i}" for i in range(300)]
    zipf = [1 / (rank + 1) for rank in range(300)]
    for n in range(800):
        words = rng.choices(vocabulary, zipf, k=rng.randint(20, 200))
        write_article(tmp_path / "zipf", f"{n}.txt", f"NOTE {n}", " ".join(words))
    update_index([str(tmp_path / "zipf")], tmp_path / "ix")
    for query in ("word3 word40", "word1 word2 word200", "word150"):
        hits = search(tmp_path / "ix", query, limit=1000).hits
        counted = search(tmp_path / "ix", query, limit=1)
        assert counted.total_any == len(hits), query
        assert counted.total == sum(hit.matched == "all" for hit in hits), query


def test_a_query_pauses_the_cycle_collector_and_restores_it(index_dir, monkeypatch):
    from monitor_search.search import evaluation

    seen = []
    supports = evaluation.supports

    def watched(*args, **kwargs):
        seen.append(gc.isenabled())
        return supports(*args, **kwargs)

    monkeypatch.setattr(evaluation, "supports", watched)
    assert gc.isenabled()
    search(index_dir, "security")
    assert seen and not any(seen) and gc.isenabled()
    gc.disable()
    try:  # a caller's own setting is kept
        search(index_dir, "security")
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_reader_opened_to_check_the_index_serves_the_first_searcher(index_dir):
    ix = open_for_reading(index_dir)
    checked = ix._unused[0]
    with ix.searcher() as first:
        assert first.reader() is checked
        with ix.searcher() as second:  # later searchers open their own
            assert second.reader() is not checked
            assert second.doc_count() == first.doc_count() > 0
    assert ix.schema is ix._ix.schema


@pytest.mark.parametrize("text", ["security OR gas OR Chechnya", "secur* OR gas"])
def test_sorted_by_date_hits_keep_their_relevance_score(index_dir, text):
    """Whoosh gives date-sorted hits the sort key as their score; each hit shows its
    first-pass relevance score instead (for words, and through Whoosh for wildcards)."""
    by_date = search(index_dir, text, sort="date", limit=50).hits
    with open_for_reading(index_dir).searcher(weighting=WEIGHTING) as searcher:
        ranking = build_query(text, searcher.schema, searcher.reader())
        expected = {
            searcher.stored_fields(hit.docnum)["id"]: round(hit.score, 4)
            for hit in searcher.search(ranking.any_words, limit=None)
        }
    assert by_date and {hit.id: hit.score for hit in by_date} == expected


def test_all_but_one_article_as_whoosh_counts_them(word_index):
    """``similar``'s filter (every article but its own) is built from the segments' sizes
    and deleted articles instead of through Whoosh's matchers: the same articles."""
    from whoosh import query as wq

    from monitor_search.search.evaluation import WordScorer

    with open_for_reading(word_index).searcher() as searcher:
        assert any(reader.has_deletions() for reader, _ in searcher.reader().leaf_readers())
        some_id = searcher.stored_fields(5)["id"]
        everything_but = wq.AndNot(wq.Every(), wq.Term("id", some_id))
        expected = set(searcher.docs_for_query(everything_but))
        assert WordScorer(searcher, everything_but).allowed == expected
        assert 5 not in expected


def test_the_library_takes_an_index_folder_as_a_string(corpus, tmp_path):
    from monitor_search.search.catalog import get_article, index_stats, iter_articles
    from monitor_search.search.searcher import count_timeline, similar

    folder = str(tmp_path / "text-path")
    assert update_index([str(corpus)], folder).new > 0
    found = search(folder, "pipeline")
    assert found.total > 0
    assert count_timeline(folder, "pipeline")[0] == found.total
    assert index_stats(folder).articles == len(list(iter_articles(folder)))
    assert get_article(folder, found.hits[0].id).id == found.hits[0].id
    assert similar(folder, found.hits[0].id).hits
