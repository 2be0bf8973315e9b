"""The best hits of a word query without scoring every article it matches.

A page shows 10 hits (30 are ranked for feedback) of the tens of thousands of articles that
``oil pipeline`` matches in a large archive; scoring them all would make a query's time
grow with the archive. This is an exact variant of MaxScore (Turtle and Flood, 1995), with bounds
Whoosh already stores:

1. The query's terms are taken in order of their number of postings, rarest first. The
   articles that have one of the terms taken so far are the candidates.
2. Every other article lacks those terms, so it scores at most what the query gives when
   the remaining terms score their ceiling (``TermScores.ceiling``: each term's highest
   weight and shortest field, from Whoosh's term info) and the taken ones are absent.
3. Once the candidates' page is complete and its lowest score is above that bound, no
   other article can enter the page: the candidates' page is the page.

Candidates get their exact scores, from the same floats in the same order as
``WordScorer.evaluate``, so the page is the one a full evaluation gives (tested with
hypothesis in ``tests/test_pruning.py``). When no bound is low enough before the
candidates cost as much as scoring every posting (``_affordable``), the query is evaluated
in full (an AND, when few articles have all its words, only on those, found first with set
operations). A query AND NOT another (``-word``, ``NOT``) is pruned on its first part: what
the second leaves out never adds to a score.

The page of a query such as ``oil pipeline`` can thus come from the articles with its
rarest term (``oil`` in the headline), a fraction of all its matches.

A query with postings enough to be scored as arrays (``WordScorer.scores_in_bulk``) is not
pruned: numpy scores all of them in less time than the dictionaries take for the candidates.
"""

from __future__ import annotations

from itertools import accumulate

from whoosh import query as wq

from monitor_search.engine.bm25 import Scores
from monitor_search.search.evaluation import WordScorer, top

Leaf = tuple[str, str]
"""A term: (field, text)."""

MARGIN = 1e-9
"""Relative slack on the bound, so that no rounding can let an article it excludes tie."""
AFFORDABLE_SHARE = 1 / 3
"""Of the archive: see ``_affordable``."""


def best(
    scorer: WordScorer, query: wq.Query, limit: int, allowed: set[int] | None = None
) -> list[tuple[int, float]]:
    """``top(scorer.evaluate(query, allowed), limit)``: the same hits, in the same order."""
    leaves = _leaves(query)
    if leaves is None or limit <= 0 or scorer.scores_in_bulk(query, allowed):
        return scorer.top(query, limit, allowed)
    counts = {leaf: scorer.terms.posting_count(*leaf) for leaf in leaves}
    order = sorted(leaves, key=lambda leaf: (counts[leaf], leaf))
    sizes = [0, *accumulate(counts[leaf] for leaf in order)]
    ceilings: dict[Leaf, float] = {}

    def ceiling(leaf: Leaf) -> float:
        if leaf not in ceilings:
            ceilings[leaf] = scorer.terms.ceiling(*leaf)
        return ceilings[leaf]

    def excludes(taken: int, lowest: float | None) -> bool:
        """Whether no article outside the candidates of the ``taken`` rarest terms can
        reach the page: none can match, or all score below the page's lowest score.
        (Without a page yet, only whether any can match: no ceiling is read.)"""
        bound = _bound(query, ceiling if lowest is not None else _nothing, set(order[:taken]))
        return bound is None or (lowest is not None and lowest > bound * (1 + MARGIN))

    lowest = None
    """The lowest score of a complete page of candidates so far: the page reaches it."""
    # the first candidates: the rarest term that has postings (or none, if the terms
    # without postings already rule out every article)
    taken = next((n for n in range(1, len(order)) if sizes[n] or excludes(n, None)), len(order))
    affordable = _affordable(scorer, sizes[-1], len(order))
    while taken < len(order) and sizes[taken] <= affordable:
        hits = top(_among(scorer, query, order[:taken], allowed), limit)
        if len(hits) == limit:
            lowest = hits[-1][1]
        if excludes(taken, lowest):
            return hits
        later = range(taken + 1, len(order))
        stop = next((n for n in later if excludes(n, lowest)), None)
        if stop is not None:
            if sizes[stop] > affordable:
                break
            return top(_among(scorer, query, order[:stop], allowed), limit)
        # no bound is low enough yet: take rarer terms until the candidates double
        taken = next((n for n in later if sizes[n] >= 2 * sizes[taken]), len(order))
    return _all(scorer, query, counts, limit, allowed)


def _among(
    scorer: WordScorer, query: wq.Query, taken: list[Leaf], allowed: set[int] | None
) -> Scores:
    """Exact scores of the articles (among ``allowed``) that have one of the ``taken``
    terms and match ``query``."""
    candidates = set().union(*(scorer.term_documents(*leaf) for leaf in taken))
    if allowed is not None:
        candidates &= allowed
    return scorer.evaluate_among(query, candidates)


def _affordable(scorer: WordScorer, postings: int, terms: int) -> float:
    """The most postings the terms taken may have for their candidates to be scored:
    ``AFFORDABLE_SHARE`` of the archive, and no more than the query's ``terms`` have on
    average. Past either, looking up every term's score for that many articles costs as
    much as scoring all the ``postings``, or more."""
    return min(AFFORDABLE_SHARE * scorer.postings.document_count, postings / terms)


def _all(
    scorer: WordScorer,
    query: wq.Query,
    counts: dict[Leaf, int],
    limit: int,
    allowed: set[int] | None,
) -> list[tuple[int, float]]:
    """The best ``limit`` of every match of ``query``, all scored. An AND's matches are
    found first with set operations, and if they are few beside the postings (fewer per
    term than a term has postings on average) only they are scored: several common words
    together are in far fewer articles than they have postings. When most articles have
    every word, looking each term up for each match costs more than scoring the postings:
    those are scored in full."""
    if type(query) is wq.And:
        postings = sum(counts.values())
        # the AND's matches are at most its rarest part's postings: not worth finding
        # them if even those would be too many
        rarest = min(_postings_of(part, counts) for part in query.subqueries)
        if rarest * len(counts) < postings:
            found = scorer.matches(query, allowed)
            if len(found) * len(counts) < postings:
                return top(scorer.evaluate_among(query, found), limit)
    return scorer.top(query, limit, allowed)


def _postings_of(part: wq.Query, counts: dict[Leaf, int]) -> int:
    """How many articles a query part can match at most: the postings of all its terms."""
    if type(part) is wq.Term:
        return counts[(part.fieldname, part.text)]
    return sum(_postings_of(sub, counts) for sub in part.subqueries)


def _nothing(leaf: Leaf) -> float:
    """A ceiling of 0 for every term: ``_bound`` then says only whether an article can
    match, without reading any term's ceiling."""
    return 0.0


def _bound(query: wq.Query, ceiling, taken: set[Leaf]) -> float | None:
    """The highest score ``query`` can give an article that has none of the ``taken``
    terms (None: such an article cannot match), added up in the evaluation's order, from
    each term's ``ceiling(leaf)``."""
    if type(query) is wq.Term:
        leaf = (query.fieldname, query.text)
        return None if leaf in taken else ceiling(leaf) * query.boost
    if type(query) is wq.AndNot:  # scores as its first part (the second leaves out)
        return _bound(query.a, ceiling, taken)
    parts = [_bound(part, ceiling, taken) for part in query.subqueries]
    if len(parts) == 1:
        return parts[0]
    if type(query) is wq.And and None in parts:
        return None
    present = [part for part in parts if part is not None]
    if not present:
        return None
    total = present[0]
    for part in present[1:]:
        total += part
    return total * query.boost


def _leaves(query: wq.Query) -> set[Leaf] | None:
    """The query's scoring terms (``_scoring_leaves``), or, for a query AND NOT another
    (``-word``, ``NOT``), those of its first part: the terms left out never add to a
    score. None for any other query."""
    if type(query) is wq.AndNot:
        return _scoring_leaves(query.a)
    return _scoring_leaves(query)


def _scoring_leaves(query: wq.Query) -> set[Leaf] | None:
    """The query's terms, if it is only terms joined by OR and AND with positive boosts
    (the bound holds only for sums of non-negative scores); else None."""
    if type(query) not in (wq.Term, wq.Or, wq.And) or query.boost <= 0:
        return None
    if type(query) is wq.Term:
        return {(query.fieldname, query.text)}
    if not query.subqueries:
        return None
    found: set[Leaf] = set()
    for part in query.subqueries:
        leaves = _scoring_leaves(part)
        if leaves is None:
            return None
        found |= leaves
    return found
