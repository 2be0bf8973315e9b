"""The page of a word query found without scoring every match is the full evaluation's."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from monitor_search.analysis.terms import word_term
from monitor_search.index.store import open_for_reading
from monitor_search.search import evaluation, pruning
from monitor_search.search.evaluation import WordScorer, top
from monitor_search.search.scoring import WEIGHTING

from .conftest import VOCABULARY

TERM = st.builds(
    wq.Term,
    st.sampled_from(["title", "body"]),
    st.sampled_from([word_term(word) for word in VOCABULARY] + ["said", "absent"]),
    boost=st.sampled_from([1.0, 1.0, 2.0, 0.5]),
)
TERMS = st.recursive(
    TERM,
    lambda inner: (
        st.builds(wq.Or, st.lists(inner, min_size=1, max_size=4), boost=st.sampled_from([1, 1.5]))
        | st.builds(wq.And, st.lists(inner, min_size=1, max_size=3))
        | st.builds(wq.AndNot, inner, inner)
    ),
    max_leaves=8,
)
"""Terms of headline and body joined by OR, AND and AND NOT, as ``build_query`` makes them
(a name's variants: ``variant AND NOT name``; ``-word``: ``words AND NOT word``)."""


PHRASE = st.builds(
    lambda field, words: wq.Phrase(field, [word_term(word) for word in words]),
    st.sampled_from(["title", "body"]),
    st.lists(st.sampled_from(VOCABULARY[:6]), min_size=2, max_size=3),
)
"""Phrases of the words most often next to each other in the generated articles."""


@settings(max_examples=300, deadline=None)
@given(
    query=TERMS | st.builds(wq.AndNot, TERMS, TERMS | PHRASE),
    limit=st.integers(1, 40),
    every=st.sampled_from([None, 1, 2, 5]),
)
def test_page_is_the_full_evaluations(word_index, query, limit, every):
    """With a filter or without, and for words AND NOT others or a phrase."""
    with open_for_reading(word_index).searcher(weighting=WEIGHTING) as searcher:
        kept = None if every is None else set(range(0, searcher.doc_count_all(), every))
        scores = WordScorer(searcher).evaluate(query)
        expected = top({d: s for d, s in scores.items() if kept is None or d in kept}, limit)
        scorer = WordScorer(searcher, kept)
        assert pruning.best(scorer, query, limit, scorer.allowed) == expected


@pytest.mark.parametrize(
    ("query", "limit"),
    [
        (wq.And([wq.Or([wq.Term("title", w), wq.Term("body", w)]) for w in ("ga", "kiev")]), 5),
        (wq.Or([wq.Term("title", "shevardnadz"), wq.Term("body", "shevardnadz")]), 10),
        (
            wq.AndNot(
                wq.Or([wq.Term("title", "shevardnadz"), wq.Term("body", "shevardnadz")]),
                wq.Term("body", "kiev"),
            ),
            10,
        ),
    ],
)
def test_page_found_without_scoring_every_match(word_index, monkeypatch, query, limit):
    """The rarest terms alone bring in candidates that outscore every other match: no full
    evaluation, and fewer articles scored than match."""
    with open_for_reading(word_index).searcher(weighting=WEIGHTING) as searcher:
        expected = top(WordScorer(searcher).evaluate(query), limit)
        scored = []
        among = evaluation.WordScorer.evaluate_among
        monkeypatch.setattr(evaluation.WordScorer, "evaluate", _refuse)
        monkeypatch.setattr(
            evaluation.WordScorer,
            "evaluate_among",
            lambda *args: scored.append(found := among(*args)) or found,
        )
        assert pruning.best(WordScorer(searcher), query, limit) == expected
        assert scored and len(scored[-1]) < WordScorer(searcher).count(query)


def _refuse(*args):
    raise AssertionError("evaluated in full")


def test_ceiling_is_the_highest_score(word_index):
    """Each term's ceiling is at least, and close to, the best score of its postings."""
    with open_for_reading(word_index).searcher(weighting=WEIGHTING) as searcher:
        scorer = WordScorer(searcher)
        for field in ("title", "body"):
            for word in [word_term(w) for w in VOCABULARY] + ["absent"]:
                scores = scorer.terms.term_scores(field, word).values()
                ceiling = scorer.terms.ceiling(field, word)
                assert ceiling >= max(scores, default=0.0)
                assert ceiling <= 1.6 * max(scores, default=0.0)
