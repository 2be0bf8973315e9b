"""Word queries with many postings evaluated as arrays, one segment at a time.

An OR of common words (``why did Nazarbayev oppose the Caspian pipeline deal`` matches most
of a large archive) has millions of postings: added up in dictionaries, its scores cost
about a microsecond per posting in Python, far more than the numpy import this module
brings (``engine.dense``). ``BulkEvaluation`` adds the parts' score arrays in the order
``WordScorer.evaluate`` adds its dictionaries, so each article gets the same float, and
ranks, counts and lists the matches from the arrays. It goes segment by segment, as
Lucene does: the arrays are the size of a segment, not of the archive, and the page is the
best of each segment's pages. ``WordScorer`` hands a query to it when its terms have at
least ``BULK_POSTINGS`` postings to score (``BULK_MATCHES`` only to count or list);
``tests/test_bulk.py`` checks both give the same pages, scores and counts.
"""

from __future__ import annotations

from functools import reduce

import numpy as np
from whoosh import query as wq

from monitor_search.engine import dense
from monitor_search.engine.bm25 import TermScores
from monitor_search.engine.dense import Dense
from monitor_search.engine.postings import SegmentPostings
from monitor_search.search.evaluation import phrase_free


class BulkEvaluation:
    """Scores and matches of one ``WordScorer``'s queries (from its ``postings`` and
    ``terms``), among its articles (those in ``allowed``, its filter's, if given). Only each
    query's count is kept between calls. It holds no reference to the scorer, so the two are
    freed as soon as the scorer is, without waiting for a cycle collection."""

    def __init__(self, postings: SegmentPostings, terms: TermScores, allowed: set[int] | None):
        self._postings = postings
        self._terms = terms
        self._allowed = None
        if allowed is not None:
            self._allowed = dense.mask_of(postings.document_count, allowed)
        self._counts: dict[wq.Query, int] = {}

    def top(self, query: wq.Query, limit: int) -> list[tuple[int, float]]:
        """The ``limit`` best (docnum, score) pairs: ``evaluation.top`` of the scores, from
        the best ``limit`` of each segment. An AND of words is first matched from the
        postings' document numbers alone: a question's words are often in no article
        together, and then none is scored."""
        found: list[tuple[int, float]] = []
        count = 0
        matched_first = type(query) is wq.And and phrase_free(query)
        for number, base in enumerate(self._postings.bases):
            if matched_first and not self._kept(self._mask(query, number), number).any():
                continue
            scores, mask = self._dense(self._evaluate(query, number), number)
            mask = self._kept(mask, number)
            count += int(np.count_nonzero(mask))
            found.extend((base + docnum, score) for docnum, score in dense.top(scores, mask, limit))
        self._counts[query] = count
        found.sort(key=lambda hit: (-hit[1], hit[0]))
        return found[:limit]

    def count(self, query: wq.Query) -> int:
        """How many articles ``query`` matches."""
        if query not in self._counts:
            masks = self._matched(query)
            self._counts[query] = sum(int(np.count_nonzero(mask)) for _, mask in masks)
        return self._counts[query]

    def matches(self, query: wq.Query) -> list[int]:
        """The articles ``query`` matches, in order."""
        found: list[int] = []
        for base, mask in self._matched(query):
            found.extend((np.flatnonzero(mask) + base).tolist())
        return found

    def _matched(self, query: wq.Query):
        """(base, mask of the documents ``query`` matches among the filter's) per segment."""
        for number, base in enumerate(self._postings.bases):
            yield base, self._kept(self._mask(query, number), number)

    def holds(self, query: wq.Query) -> bool:
        """Whether ``query``'s count is here already."""
        return query in self._counts

    def _kept(self, mask: np.ndarray, number: int) -> np.ndarray:
        """Of segment ``number``'s documents in ``mask``, those the filter lets through."""
        if self._allowed is None:
            return mask
        base = self._postings.bases[number]
        return mask & self._allowed[base : base + len(mask)]

    def _evaluate(self, query: wq.Query, number: int) -> Part:
        """Scores of ``query``'s documents in segment ``number``: the floats
        ``WordScorer.evaluate`` gives."""
        kind = type(query)
        if kind is wq.Term:
            found = dense.term_scores(
                self._terms, self._postings, number, query.fieldname, query.text
            )
            return _boosted(found, query.boost)
        if kind in (wq.Or, wq.And):
            if len(query.subqueries) == 1:  # as in Whoosh, a one-part group ignores its boost
                return self._evaluate(query.subqueries[0], number)
            return _boosted(self._joined(kind, query.subqueries, number), query.boost)
        if kind is wq.AndNot:
            found, left_out = self._evaluate(query.a, number), self._mask(query.b, number)
            if _is_sparse(found):  # a name's variant less the name: kept sparse
                kept = ~left_out[found[0]]
                return found[0][kept], found[1][kept]
            scores, mask = found
            mask &= ~left_out
            scores[~mask] = 0.0
            return scores, mask
        if kind is wq.Phrase:
            return _boosted(self._phrase(query.fieldname, query.words, number), query.boost)
        if kind is wq.ConstantScoreQuery:  # its articles, each scoring the same
            mask = self._kept(self._mask(query.child, number), number)
            return np.where(mask, float(query.score), 0.0), mask
        # every article (the filter's), each scoring the boost, as in Whoosh
        mask = self._kept(dense.live_mask(self._postings, number), number)
        return np.where(mask, float(query.boost), 0.0), mask

    def _phrase(self, field: str, words: list[str], number: int) -> Part:
        """``WordScorer``'s phrase in segment ``number``: the documents (of the filter's) with
        every word, those in which the words follow each other (``dense.phrase_in``), each
        scoring the sum of its words' scores in the order of Whoosh's tree of
        intersections (the words scored in those documents alone)."""
        postings = self._postings
        masks = [dense.term_mask(postings, number, field, word) for word in set(words)]
        matched = np.flatnonzero(self._kept(reduce(np.logical_and, masks), number))
        if len(words) > 1 and len(matched):
            matched = dense.phrase_in(postings, number, field, words, matched)
        wanted = dense.mask_of(postings.sizes[number], matched)
        scores = {
            word: dense.term_scores(self._terms, postings, number, field, word, wanted)[1]
            for word in set(words)
        }
        return matched, _tree_sum([scores[word] for word in words])

    def _joined(self, kind, parts: list[wq.Query], number: int) -> Dense:
        """An OR's or an AND's scores: the parts added up in order, as ``evaluation.joined``
        adds them (an article absent from a part adds 0.0, which leaves a float unchanged)."""
        scores, mask = self._dense(self._evaluate(parts[0], number), number)
        for part in parts[1:]:
            found = self._evaluate(part, number)
            if _is_sparse(found):
                docnums, part_scores = found
                scores[docnums] += part_scores
                part_mask = dense.mask_of(len(mask), docnums)
            else:
                part_scores, part_mask = found
                scores += part_scores
            if kind is wq.Or:
                mask |= part_mask
            else:
                mask &= part_mask
        if kind is wq.And:
            scores[~mask] = 0.0
        return scores, mask

    def _dense(self, found: Part, number: int) -> Dense:
        """``found`` as arrays over segment ``number``, to be added to in place: every part
        is computed anew for the query that asks for it, so a dense one is taken as it is."""
        if not _is_sparse(found):
            return found
        docnums, part_scores = found
        scores, mask = dense.empty(self._postings.sizes[number])
        scores[docnums] = part_scores
        mask[docnums] = True
        return scores, mask

    def _mask(self, query: wq.Query, number: int) -> np.ndarray:
        """Whether each document of segment ``number`` matches ``query`` (no scores)."""
        kind = type(query)
        if kind is wq.Term:
            return dense.term_mask(self._postings, number, query.fieldname, query.text)
        if kind is wq.Every:
            return dense.live_mask(self._postings, number)
        if kind in (wq.Or, wq.And):
            mask = self._mask(query.subqueries[0], number)
            for part in query.subqueries[1:]:
                if kind is wq.Or:
                    mask |= self._mask(part, number)
                else:
                    mask &= self._mask(part, number)
            return mask
        if kind is wq.AndNot:
            return self._mask(query.a, number) & ~self._mask(query.b, number)
        if kind is wq.ConstantScoreQuery:
            return self._mask(query.child, number)
        return self._dense(self._evaluate(query, number), number)[1]


Part = Dense
"""Scores of a query part in one segment: (ids, scores) of its documents alone (a term's),
or ``Dense`` (scores of all the segment's documents, and the mask of those it matches)."""


def _tree_sum(parts: list[np.ndarray]) -> np.ndarray:
    """The parts added up as ``evaluation._tree_sums`` adds them: the first half's sum plus
    the second's, down to single parts."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return _tree_sum(parts[:half]) + _tree_sum(parts[half:])


def _is_sparse(found: Part) -> bool:
    return found[1].dtype != np.bool_


def _boosted(found: Part, boost: float) -> Part:
    first, second = found
    if boost == 1.0:
        return found
    return (first, second * boost) if _is_sparse(found) else (first * boost, second)
