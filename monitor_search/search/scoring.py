"""How matches are scored beyond Whoosh's defaults; ``benchmarks/relevance.py`` measures both.

* One idf per word, Lucene's. Whoosh's BM25F computes a word's idf field by field, so a
  word that is common in bodies but rare in headlines gets a headline idf far above its body
  idf, and a headline mention outweighs articles that are about the word. BM25F proper gives
  a word one idf; here it comes from the field where the word is most common. Its formula is
  Lucene's (Robertson-Sparck Jones, kept positive), not Whoosh's ``log(N / (df + 1)) + 1``,
  whose floor of 1 lets the common words of a long question outweigh its rare ones.
* Pseudo-relevance feedback (RM3). The words that dominate the best first-pass articles join
  the query, together weighing half as much as the query's own words (RM3's interpolation
  of one third), which brings up articles that use the topic's other words. It only
  re-orders the best first-pass hits: every hit still contains a query word.
"""

from __future__ import annotations

import math
from collections import Counter
from functools import cache

from whoosh import query as wq
from whoosh.lang import stopwords_for_language
from whoosh.scoring import BM25F

from monitor_search.analysis.terms import decode_counts, term_counts, text_positions
from monitor_search.engine.bm25 import TermScores
from monitor_search.engine.postings import SegmentPostings, doc_frequency
from monitor_search.index.schema import BODY_TERMS, QUERY_FIELDS

FEEDBACK_ARTICLES = 5
"""First-pass articles the feedback words are taken from: on Cranfield more do not rank
measurably better (``benchmarks/RESULTS.md``), and each costs a read of its term counts
at query time."""
FEEDBACK_WORDS = 20
"""Words they lend to the query."""
FEEDBACK_WEIGHT = 0.5
"""The feedback words' weights add up to this times the number of query words (each of which
weighs 1): a third of the expanded query, RM3's usual share; as much as the query itself
ranked no better on the test collections (``benchmarks/RESULTS.md``)."""
COMMON_SHARE = 0.5
"""Words in more than this share of the articles are never feedback words."""
FEEDBACK_DEPTH = 30
"""First-pass hits re-ranked (the first pass ranks more if more are asked for): on
Cranfield, re-ranking more gains little for its query time (``benchmarks/RESULTS.md``)."""

Scored = tuple[int, float]
"""(docnum, score)"""


class OneIdfBM25F(BM25F):
    """Whoosh's BM25F with one idf per word across headline and body, by
    Lucene's formula ``log(1 + (N - df + 0.5) / (df + 0.5))``; other fields keep Whoosh's."""

    def idf(self, searcher, fieldname, text):
        if fieldname not in QUERY_FIELDS:
            return super().idf(searcher, fieldname, text)
        parent = searcher.get_parent()
        df = max(doc_frequency(parent, field, text) for field in QUERY_FIELDS)
        return math.log(1 + (parent.doc_count_all() - df + 0.5) / (df + 0.5))


K1 = 0.9
"""BM25's term-frequency saturation (Whoosh's and Lucene's classic default 1.2; Anserini's 0.9)."""
B = 0.6
"""BM25's length normalisation (0.75 classic, 0.4 Anserini's): at 0.75, headlines without a
body, half of some archives, outranked the articles about the words (``benchmarks/RESULTS.md``)."""
WEIGHTING = OneIdfBM25F(B=B, K1=K1)


def reranked(searcher, query: wq.Query, first: list[Scored], rest: list[Scored]):
    """The first-pass hits (two tiers) with the top FEEDBACK_DEPTH re-ordered, tier by tier,
    by score plus feedback score; the hits below keep their order.

    Only those hits are re-scored, from their own text: scoring the expanded query over the
    whole index would cost many times the query itself. Queries that are not plain words
    (phrases, wildcards, fields, NOT, name variants) keep their order.
    """
    head_first = first[:FEEDBACK_DEPTH]
    head_rest = rest[: FEEDBACK_DEPTH - len(head_first)]
    head = head_first + head_rest
    if not head or not _only_words(query):
        return first, rest
    articles = _Articles(searcher)
    top = head[:FEEDBACK_ARTICLES]
    counts = {docnum: articles.term_counts(docnum) for docnum, _ in top}
    words = _feedback_model(searcher, top, counts)
    total = sum(words.values())
    if not total:
        return first, rest
    wanted = frozenset(words)  # below the top, only the feedback words are needed
    counts.update({docnum: articles.term_counts(docnum, wanted) for docnum, _ in head[len(top) :]})
    scale = FEEDBACK_WEIGHT * len({leaf.text for leaf in query.leaves()}) / total
    weights = {word: weight * scale for word, weight in words.items()}
    bonus = _scores(searcher, weights, counts)
    return (
        _by_score(head_first, bonus) + first[len(head_first) :],
        _by_score(head_rest, bonus) + rest[len(head_rest) :],
    )


FieldCounts = dict[str, dict[str, int]]
"""Field -> index term -> occurrences, for one article."""


class _Articles:
    """The term counts of articles' headlines and bodies, as they were indexed."""

    def __init__(self, searcher):
        self._searcher = searcher
        self._bodies = searcher.reader().column_reader(BODY_TERMS)

    def term_counts(self, docnum: int, wanted: frozenset[str] | None = None) -> FieldCounts:
        """How often each index term (each ``wanted`` one, if given) occurs in the article's
        headline and body: the headline's from its text, the body's as stored at indexing
        time (``engine.fields.TermCounts``)."""
        title = self._searcher.stored_fields(docnum).get("title") or ""
        body = decode_counts(self._bodies[docnum])
        if wanted is not None:
            body = {term: body[term] for term in wanted & body.keys()}
        return {"title": term_counts(title, wanted), "body": body}


def _scores(
    searcher, weights: dict[str, float], counts: dict[int, FieldCounts]
) -> dict[int, float]:
    """Each article's score for the weighted words, in headline and body alike: the BM25F
    score its postings would give (``TermScores.score``), without reading any posting."""
    scorer = TermScores(searcher, SegmentPostings(searcher))
    boosts = {field: searcher.schema[field].format.field_boost for field in QUERY_FIELDS}
    scores = dict.fromkeys(counts, 0.0)
    for docnum, fields in counts.items():
        for field, terms in fields.items():
            for word in weights.keys() & terms.keys():
                tf = terms[word] * boosts[field]
                scores[docnum] += weights[word] * scorer.score(field, word, docnum, tf)
    return scores


def _by_score(hits: list[Scored], bonus: dict[int, float]) -> list[Scored]:
    rescored = [(docnum, score + bonus[docnum]) for docnum, score in hits]
    return sorted(rescored, key=lambda hit: -hit[1])


def _only_words(query: wq.Query) -> bool:
    """Words in headline or body, joined by OR or AND, and nothing else."""
    if isinstance(query, wq.Term):
        return query.fieldname in QUERY_FIELDS
    return type(query) in (wq.Or, wq.And) and all(_only_words(q) for q in query.subqueries)


def _feedback_model(
    searcher, top: list[Scored], counts: dict[int, FieldCounts]
) -> dict[str, float]:
    """The FEEDBACK_WORDS heaviest words of the top articles: each article's word shares,
    weighted by the article's share of the total score.

    Stop words, numbers and words in more than COMMON_SHARE of all articles say nothing about
    a topic, and the common ones have the longest postings to read: all are left out.
    """
    scores = sum(score for _, score in top) or 1.0
    stop = _stop_terms()
    model: Counter[str] = Counter()
    for docnum, score in top:
        words: Counter[str] = Counter()
        for terms in counts[docnum].values():
            words.update({t: n for t, n in terms.items() if t not in stop and _has_letter(t)})
        length = sum(words.values())
        for word, count in words.items():
            model[word] += (score / scores) * count / length
    common = COMMON_SHARE * searcher.doc_count_all()
    chosen: dict[str, float] = {}
    for word, weight in model.most_common():
        if len(chosen) == FEEDBACK_WORDS:
            break
        # body first: a common word is rejected before its headline count is looked up
        if all(doc_frequency(searcher, f, word, common) <= common for f in ("body", "title")):
            chosen[word] = weight
    return chosen


def _has_letter(term: str) -> bool:
    return any(c.isalpha() for c in term)


@cache
def _stop_terms() -> frozenset[str]:
    """Whoosh's fuller English stop list, as index terms (``was`` -> ``wa``)."""
    return frozenset(text_positions(" ".join(stopwords_for_language("en"))))
