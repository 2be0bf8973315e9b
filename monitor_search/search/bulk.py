"""Word queries with many postings evaluated as arrays over the whole archive.

An OR of common words (``why did Nazarbayev oppose the Caspian pipeline deal`` matches most
of a large archive) has millions of postings: added up in dictionaries, its scores cost
about a microsecond per posting in Python, far more than the numpy import this module
brings (``engine.dense``). ``BulkEvaluation`` adds the parts' score arrays in the order
``WordScorer.evaluate`` adds its dictionaries, so each article gets the same float, and
ranks, counts and lists the matches from the arrays. ``WordScorer`` hands a query to it when
its terms have at least ``BULK_POSTINGS`` postings to score (``BULK_MATCHES`` only to count
or list); ``tests/test_bulk.py`` checks both give the same pages, scores and counts.
"""

from __future__ import annotations

from functools import reduce

import numpy as np
from whoosh import query as wq

from monitor_search.engine import dense
from monitor_search.engine.bm25 import TermScores
from monitor_search.engine.dense import Dense
from monitor_search.engine.postings import SegmentPostings


class BulkEvaluation:
    """Scores and matches of one ``WordScorer``'s queries (from its ``postings`` and
    ``terms``), as arrays over all its articles (those in ``allowed``, its filter's, if
    given). Only the queries asked about are kept (two arrays of one element per article
    each); their parts are let go once added up. It holds no reference to the scorer, so
    the two are freed as soon as the scorer is, without waiting for a cycle collection."""

    def __init__(self, postings: SegmentPostings, terms: TermScores, allowed: set[int] | None):
        self._postings = postings
        self._terms = terms
        self._allowed = None if allowed is None else dense.mask_of(postings, allowed)
        self._evaluated: dict[wq.Query, Dense] = {}
        self._matched: dict[wq.Query, np.ndarray] = {}

    def top(self, query: wq.Query, limit: int) -> list[tuple[int, float]]:
        """The ``limit`` best (docnum, score) pairs: ``evaluation.top`` of the scores. An
        AND of words is first matched from the postings' document numbers alone: a
        question's words are often in no article together, and then none is scored."""
        if query not in self._evaluated:
            if type(query) is wq.And and _words_only(query):
                matched = self._filtered(self._mask(query))
                if not matched.any():
                    self._matched[query] = matched
                    return []
            self._evaluated[query] = _as_dense(self._evaluate(query), self._postings)
        scores, mask = self._evaluated[query]
        return dense.top(scores, self._filtered(mask), limit)

    def count(self, query: wq.Query) -> int:
        """How many articles ``query`` matches."""
        return int(np.count_nonzero(self._kept_mask(query)))

    def matches(self, query: wq.Query) -> list[int]:
        """The articles ``query`` matches, in order."""
        return np.flatnonzero(self._kept_mask(query)).tolist()

    def holds(self, query: wq.Query) -> bool:
        """Whether ``query``'s scores or matches are here already."""
        return query in self._evaluated or query in self._matched

    def _kept_mask(self, query: wq.Query) -> np.ndarray:
        if query in self._evaluated:
            return self._filtered(self._evaluated[query][1])
        if query not in self._matched:
            self._matched[query] = self._filtered(self._mask(query))
        return self._matched[query]

    def _filtered(self, mask: np.ndarray) -> np.ndarray:
        return mask if self._allowed is None else mask & self._allowed

    def _evaluate(self, query: wq.Query) -> Part:
        """Scores of ``query``'s articles: the floats ``WordScorer.evaluate`` gives."""
        kind = type(query)
        if kind is wq.Term:
            found = dense.term_scores(self._terms, self._postings, query.fieldname, query.text)
            return _boosted(found, query.boost)
        if kind in (wq.Or, wq.And):
            if len(query.subqueries) == 1:  # as in Whoosh, a one-part group ignores its boost
                return self._evaluate(query.subqueries[0])
            return _boosted(self._joined(kind, query.subqueries), query.boost)
        if kind is wq.AndNot:
            found, left_out = self._evaluate(query.a), self._mask(query.b)
            if _is_sparse(found):  # a name's variant less the name: kept sparse
                kept = ~left_out[found[0]]
                return found[0][kept], found[1][kept]
            scores, mask = found
            mask &= ~left_out
            scores[~mask] = 0.0
            return scores, mask
        if kind is wq.Phrase:
            return _boosted(self._phrase(query.fieldname, query.words), query.boost)
        # every article (the filter's), each scoring the boost, as in Whoosh
        mask = self._filtered(dense.live_mask(self._postings))
        return np.where(mask, float(query.boost), 0.0), mask

    def _phrase(self, field: str, words: list[str]) -> Part:
        """``WordScorer``'s phrase: the articles (of the filter's) with every word, those in
        which the words follow each other (``dense.phrase_in``), each scoring the sum of
        its words' scores in the order of Whoosh's tree of intersections (the words scored
        in those articles alone)."""
        postings = self._postings
        present = reduce(
            np.logical_and, [dense.term_mask(postings, field, word) for word in set(words)]
        )
        matched = np.flatnonzero(self._filtered(present))
        if len(words) > 1 and len(matched):
            bounds = np.searchsorted(matched, [*postings.bases, postings.document_count])
            found = [
                dense.phrase_in(postings, number, field, words, matched[start:end] - base) + base
                for number, (base, start, end) in enumerate(
                    zip(postings.bases, bounds, bounds[1:], strict=False)
                )
                if end > start
            ]
            matched = np.concatenate(found) if found else matched[:0]
        wanted = dense.mask_of(postings, matched)
        scores = {word: self._scores_among(field, word, wanted) for word in set(words)}
        return matched, _tree_sum([scores[word] for word in words])

    def _scores_among(self, field: str, word: str, wanted: np.ndarray) -> np.ndarray:
        """The word's score in each ``wanted`` article (all of which have it), in order."""
        found = [
            scores
            for _, scores in dense.segment_term_scores(
                self._terms, self._postings, field, word, wanted
            )
        ]
        return np.concatenate(found) if found else np.zeros(0)

    def _joined(self, kind, parts: list[wq.Query]) -> Dense:
        """An OR's or an AND's scores: the parts added up in order, as ``evaluation.joined``
        adds them (an article absent from a part adds 0.0, which leaves a float unchanged)."""
        scores, mask = self._dense(parts[0])
        for part in parts[1:]:
            part_mask = self._add(scores, part)
            if kind is wq.Or:
                mask |= part_mask
            else:
                mask &= part_mask
        if kind is wq.And:
            scores[~mask] = 0.0
        return scores, mask

    def _dense(self, part: wq.Query) -> Dense:
        """``part``'s scores as arrays over every article, to be added to in place (a
        term's taken in segment by segment)."""
        if type(part) is not wq.Term:
            return _as_dense(self._evaluate(part), self._postings)
        scores, mask = dense.empty(self._postings)
        for docnums, part_scores in self._term_segments(part):
            scores[docnums] = part_scores
            mask[docnums] = True
        return scores, mask

    def _add(self, scores: np.ndarray, part: wq.Query) -> np.ndarray:
        """Adds ``part``'s scores to ``scores`` (a term's segment by segment); the mask of
        its articles."""
        part_mask = np.zeros(len(scores), dtype=bool)
        found = self._term_segments(part) if type(part) is wq.Term else [self._evaluate(part)]
        for docnums_or_scores, part_scores in found:
            if part_scores.dtype == np.bool_:  # dense
                scores += docnums_or_scores
                return part_scores
            scores[docnums_or_scores] += part_scores
            part_mask[docnums_or_scores] = True
        return part_mask

    def _term_segments(self, term: wq.Term):
        """(docnums, scores) of each segment's articles with ``term``, boosted."""
        found = dense.segment_term_scores(self._terms, self._postings, term.fieldname, term.text)
        for docnums, scores in found:
            yield _boosted((docnums, scores), term.boost)

    def _mask(self, query: wq.Query) -> np.ndarray:
        """Whether each article matches ``query`` (no scores added up)."""
        kind = type(query)
        if kind is wq.Term:
            return dense.term_mask(self._postings, query.fieldname, query.text)
        if kind is wq.Every:
            return dense.live_mask(self._postings)
        if kind in (wq.Or, wq.And):
            mask = self._mask(query.subqueries[0]).copy()
            for part in query.subqueries[1:]:
                if kind is wq.Or:
                    mask |= self._mask(part)
                else:
                    mask &= self._mask(part)
            return mask
        if kind is wq.AndNot:
            return self._mask(query.a) & ~self._mask(query.b)
        return _as_dense(self._evaluate(query), self._postings)[1]


def _words_only(query: wq.Query) -> bool:
    """Whether ``query`` has no phrase: its mask then costs no positions."""
    kind = type(query)
    if kind in (wq.Term, wq.Every):
        return True
    if kind is wq.AndNot:
        return _words_only(query.a) and _words_only(query.b)
    return kind in (wq.And, wq.Or) and all(map(_words_only, query.subqueries))


Part = Dense
"""Scores of a query part: (docnums, scores) of its articles alone (a term's), or ``Dense``
(scores of all articles, and the mask of those it matches)."""


def _tree_sum(parts: list[np.ndarray]) -> np.ndarray:
    """The parts added up as ``evaluation._tree_sums`` adds them: the first half's sum plus
    the second's, down to single parts."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return _tree_sum(parts[:half]) + _tree_sum(parts[half:])


def _is_sparse(found: Part) -> bool:
    return found[1].dtype != np.bool_


def _as_dense(found: Part, postings: SegmentPostings) -> Dense:
    """``found`` as arrays over every article, to be added to in place: every part is
    computed anew for the query that asks for it, so a dense one is taken as it is."""
    if not _is_sparse(found):
        return found
    docnums, part_scores = found
    scores, mask = dense.empty(postings)
    scores[docnums] = part_scores
    mask[docnums] = True
    return scores, mask


def _mask_of(found: Part, postings: SegmentPostings) -> np.ndarray:
    """Whether each article is among ``found``'s."""
    if not _is_sparse(found):
        return found[1]
    return dense.mask_of(postings, found[0])


def _boosted(found: Part, boost: float) -> Part:
    first, second = found
    if boost == 1.0:
        return found
    return (first, second * boost) if _is_sparse(found) else (first * boost, second)
