"""Queries evaluated as arrays (``search.bulk``) give what the dictionaries give: the same
pages, to the last bit of each score, the same counts and the same matches."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from monitor_search.analysis.terms import word_term
from monitor_search.index.store import open_for_reading
from monitor_search.search import evaluation
from monitor_search.search.evaluation import WordScorer, top
from monitor_search.search.scoring import WEIGHTING

from .conftest import VOCABULARY
from .test_pruning import PHRASE, TERMS

QUERIES = TERMS | st.builds(wq.Or, st.lists(TERMS | PHRASE, min_size=2, max_size=3))
"""Words joined by OR, AND and AND NOT, and phrases among them (``*`` less some words:
``-word`` alone)."""


@settings(max_examples=300, deadline=None)
@given(
    query=QUERIES | st.builds(wq.AndNot, QUERIES | st.just(wq.Every()), TERMS | PHRASE),
    limit=st.integers(1, 40),
    every=st.sampled_from([None, 1, 3]),
    thresholds=st.sampled_from([(0, 0), (0, 10**12), (10**12, 0)]),
)
def test_arrays_give_the_dictionaries_answers(word_index, query, limit, every, thresholds):
    """On segments with and without plain postings, deleted articles, with a filter or not;
    scored as arrays and counted as arrays, or only one of the two."""
    with open_for_reading(word_index).searcher(weighting=WEIGHTING) as searcher:
        kept = None if every is None else set(range(0, searcher.doc_count_all(), every))
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(evaluation, "BULK_POSTINGS", 10**12)
            patch.setattr(evaluation, "BULK_MATCHES", 10**12)
            by_dicts = WordScorer(searcher, kept)
            expected = _answers(by_dicts, query, limit)
            assert by_dicts._bulk is None
            patch.setattr(evaluation, "BULK_POSTINGS", thresholds[0])
            patch.setattr(evaluation, "BULK_MATCHES", thresholds[1])
            by_arrays = WordScorer(searcher, kept)
            assert _answers(by_arrays, query, limit) == expected
            assert by_arrays._bulk is not None


def _answers(scorer: WordScorer, query: wq.Query, limit: int):
    allowed = scorer.allowed
    page = scorer.top(query, limit, allowed)
    return page, scorer.count(query, allowed), scorer.sorted_matches(query, allowed)


def test_arrays_rank_as_the_full_evaluation(word_index, monkeypatch):
    """Ties broken by the lowest document number, the page cut at ``limit``."""
    query = wq.Or([wq.Term("body", "said"), wq.Term("title", "said")])
    monkeypatch.setattr(evaluation, "BULK_POSTINGS", 0)
    with open_for_reading(word_index).searcher(weighting=WEIGHTING) as searcher:
        scorer = WordScorer(searcher)
        scores = scorer.evaluate(query)
        assert len(scores) > 40, "the fixture should have many matches"
        for limit in (1, 10, len(scores) + 5):
            assert scorer.top(query, limit) == top(scores, limit)


@pytest.mark.parametrize("threshold", [0, 10**12])
def test_search_is_the_same_either_way(word_index, monkeypatch, threshold):
    """The whole search (tiers, counts, facets, dates) goes through whichever is chosen."""
    from monitor_search.search.searcher import search

    monkeypatch.setattr(evaluation, "BULK_POSTINGS", threshold)
    monkeypatch.setattr(evaluation, "BULK_MATCHES", threshold)
    found = search(word_index, "Shevardnadze Kiev gas", facets=("year",))
    newest = search(word_index, "Kiev gas", sort="newest")
    monkeypatch.setattr(evaluation, "BULK_POSTINGS", 10**12 - threshold)
    monkeypatch.setattr(evaluation, "BULK_MATCHES", 10**12 - threshold)
    assert search(word_index, "Shevardnadze Kiev gas", facets=("year",)) == found
    assert search(word_index, "Kiev gas", sort="newest") == newest
    assert found.total_any > found.total > 0


@pytest.mark.parametrize("every", [None, 3])
def test_a_filter_of_many_words_as_arrays(word_index, monkeypatch, every):
    """A wildcard of many words (``patterns``: each article with one scores the same) and
    words beside it: the same page, count and matches either way."""
    words = wq.Or([wq.Term("body", word_term(word)) for word in VOCABULARY[:5]])
    query = wq.Or([wq.ConstantScoreQuery(words, score=1.5), wq.Term("title", "said")])
    with open_for_reading(word_index).searcher(weighting=WEIGHTING) as searcher:
        kept = None if every is None else set(range(0, searcher.doc_count_all(), every))
        monkeypatch.setattr(evaluation, "BULK_POSTINGS", 10**12)
        monkeypatch.setattr(evaluation, "BULK_MATCHES", 10**12)
        expected = _answers(WordScorer(searcher, kept), query, 15)
        monkeypatch.setattr(evaluation, "BULK_POSTINGS", 0)
        monkeypatch.setattr(evaluation, "BULK_MATCHES", 0)
        by_arrays = WordScorer(searcher, kept)
        assert _answers(by_arrays, query, 15) == expected
        assert by_arrays._bulk is not None and expected[1] > 15


def test_numpy_once_imported_takes_smaller_queries(word_index, monkeypatch):
    """Without numpy's import to pay, arrays take queries from ``BULK_LOADED`` postings."""
    pytest.importorskip("numpy")
    query = wq.Or([wq.Term("body", "said"), wq.Term("title", "said")])
    monkeypatch.setattr(evaluation, "BULK_POSTINGS", 10**12)
    monkeypatch.setattr(evaluation, "BULK_LOADED", 1)
    with open_for_reading(word_index).searcher(weighting=WEIGHTING) as searcher:
        assert evaluation.numpy_imported()
        assert WordScorer(searcher).scores_in_bulk(query)
        monkeypatch.setattr(evaluation, "numpy_imported", lambda: False)
        assert not WordScorer(searcher).scores_in_bulk(query)


def test_phrase_articles_come_once_each_in_order(word_index, monkeypatch):
    """An article where a phrase stands twice is one match."""
    from monitor_search.search.bulk import BulkEvaluation

    monkeypatch.setattr(evaluation, "BULK_POSTINGS", 0)
    with open_for_reading(word_index).searcher(weighting=WEIGHTING) as searcher:
        scorer = WordScorer(searcher)
        bulk = BulkEvaluation(scorer.postings, scorer.terms, scorer.allowed)
        twice = 0
        for first in VOCABULARY[:6]:
            for second in VOCABULARY[:6]:
                words = [word_term(first), word_term(second)]
                matched = []
                for number, base in enumerate(scorer.postings.bases):
                    local, _ = bulk._phrase("body", words, number)
                    assert (local[1:] > local[:-1]).all()
                    matched.extend((local + base).tolist())
                assert matched == sorted(scorer.evaluate(wq.Phrase("body", words)))
                twice += _phrase_twice(scorer, words, matched)
        assert twice, "the fixture should have an article with a phrase twice"


def _phrase_twice(scorer: WordScorer, words: list[str], articles: list[int]) -> int:
    """How many of ``articles`` have the two-word phrase ``words`` more than once."""
    found = 0
    for docnum in articles:
        number, local = scorer.postings.segment_of(docnum)
        keys = {}
        for word in words:
            _, word_keys = scorer.postings.position_keys(number, "body", word, [local])
            keys[word] = set(word_keys)
        found += len({key + 1 for key in keys[words[0]]} & keys[words[1]]) > 1
    return found
