"""Word queries evaluated from the postings, without Whoosh's matchers.

For the queries users type most (words in headline and body joined by OR or AND, name
variants, ``AND NOT``, phrases), ``WordScorer`` computes the very BM25F scores Whoosh's
matchers would (``engine.bm25``), from postings read in bulk (``engine.postings``). Phrases
look only at articles that have all their words, matched by set operations on (article,
position) keys (``engine.plainpositions``), segment by segment. Counts are set operations on
each segment's own document numbers, and ``evaluate_among`` scores only given articles
(``search.pruning`` picks them). Queries with many postings are ranked, counted and listed
from arrays instead (``search.bulk``: the same floats, with numpy).
``tests/test_postings.py`` checks the scores equal Whoosh's. Any other query (ranges, fuzzy
words, phrases with a slop, wildcards not written out as their words by
``search.patterns``) is answered by Whoosh.

``AND NOT`` here excludes every article of the excluded part, the first of a segment
included (Whoosh 2.7.4's ``AndNotMatcher`` can keep it; ``engine.patches`` mends that one
for the queries Whoosh answers).
"""

from __future__ import annotations

import heapq
import sys
from collections.abc import Collection, Iterable, Iterator
from itertools import compress

from whoosh import query as wq
from whoosh.scoring import BM25F

from monitor_search.engine.bm25 import Scores, TermScores
from monitor_search.engine.plainpositions import KEY_SHIFT
from monitor_search.engine.postings import SegmentPostings, Unsupported

BULK_POSTINGS = 200_000
"""Queries whose terms have this many postings or more (a phrase's words count
``PHRASE_COST`` times) are scored as arrays (``search.bulk``). Chosen from in-process
costs (``benchmarks/bulk_ab.py``: dictionaries about 1-2 microseconds a posting more than
arrays) against numpy's import (0.1-0.25 s). Near it, at 100,000 articles
(``benchmarks/RESULTS.md``, session 14): a phrase of 87,000 postings (261,000 as counted)
takes 35 ms as arrays and 151 ms in dictionaries, in-process: more than the import apart."""
BULK_MATCHES = 2_000_000
"""Queries only counted or listed go to the arrays from this many postings (unless their
scores are there already): sets of document numbers cost far less a posting than scores.
Counting as arrays saves 40-60 ns a posting (``count_matches`` at 1,000,000 articles, warm:
``oil pipeline``'s 700,000 postings 84 -> 41 ms, eight words' 2,300,000 181 -> 81 ms), which
pays numpy's import (60-125 ms) from 1-2 million postings on."""
BULK_LOADED = 5_000
"""Both thresholds once numpy is imported (a query scored as arrays already in this process,
or a program that uses numpy itself): without its import to pay, arrays cost no more than
dictionaries from about this many postings on (``benchmarks/bulk_ab.py``: a word of 4,400
postings alike, more than that faster)."""
PHRASE_COST = 3
"""A phrase's postings cost about three times a word's to match and score in Python: its
positions are decoded and compared too."""


def supports(query: wq.Query, searcher) -> bool:
    """Whether ``evaluate`` can answer ``query`` on ``searcher``."""
    if not isinstance(searcher.weighting, BM25F):
        return False
    return _supported(query, searcher.schema)


def _supported(query: wq.Query, schema) -> bool:
    kind = type(query)
    if kind is wq.Term:
        return query.fieldname in schema and schema[query.fieldname].scorable
    if kind is wq.Every:
        return query.fieldname in (None, "", "*")
    if kind in (wq.Or, wq.And):
        return bool(query.subqueries) and all(_supported(q, schema) for q in query.subqueries)
    if kind is wq.AndNot:
        return _supported(query.a, schema) and _supported(query.b, schema)
    if kind is wq.ConstantScoreQuery:  # a wildcard of many words (``patterns``)
        return phrase_free(query.child) and _supported(query.child, schema)
    if kind is wq.Phrase:  # Whoosh's default: words next to each other, in order
        if query.fieldname not in schema or query.slop != 1 or not query.words:
            return False
        fieldformat = schema[query.fieldname].format
        return fieldformat is not None and fieldformat.supports("positions")
    return False


def phrase_free(query: wq.Query) -> bool:
    """Whether ``query`` holds no phrase: which articles it matches then takes no positions."""
    kind = type(query)
    if kind in (wq.Term, wq.Every):
        return True
    if kind is wq.AndNot:
        return phrase_free(query.a) and phrase_free(query.b)
    if kind is wq.ConstantScoreQuery:
        return phrase_free(query.child)
    return kind in (wq.And, wq.Or) and all(map(phrase_free, query.subqueries))


def numpy_imported() -> bool:
    """Whether numpy is imported in this process already (``BULK_LOADED`` then applies)."""
    return "numpy" in sys.modules


class WordScorer:
    """BM25F scores and matches of Term / Or / And / AndNot / Phrase queries for one searcher,
    among the articles ``filter_query`` lets through (a query or document numbers; None:
    all); each query part is evaluated once (the tiers of a search share their parts)."""

    def __init__(self, searcher, filter_query: wq.Query | Collection[int] | None = None):
        self._searcher = searcher
        self.postings = SegmentPostings(searcher)
        self.terms = TermScores(searcher, self.postings)
        self.allowed = self._let_through(filter_query)
        """The articles the filter lets through (None: no filter), which every call that
        takes ``allowed`` must be given: phrases are matched among them alone (a phrase
        with ``--year`` looks at positions in that year only)."""
        self._documents_of: dict[tuple[str, str], Iterable[int]] = {}
        self._evaluated: dict[wq.Query, Scores] = {}
        """Query part -> its scores (Whoosh's queries compare and hash by content)."""
        self._located: dict[wq.Query, list[list[int]]] = {}
        """Phrase -> ``locate`` of its articles."""
        self._bulk = None
        """The ``search.bulk.BulkEvaluation`` of queries with many postings, once needed."""

    def _let_through(self, filter_query) -> set[int] | None:
        """The articles ``filter_query`` lets through. All but a few (``similar`` leaves out
        its own article) are taken from the segments' sizes, without walking every article
        through Whoosh's matchers."""
        if filter_query is None:
            return None
        if isinstance(filter_query, (set, frozenset)):  # document numbers already
            return set(filter_query)
        docs_for = self._searcher.docs_for_query
        if type(filter_query) is wq.AndNot and type(filter_query.a) is wq.Every:
            return self.postings.live().difference(docs_for(filter_query.b))
        return set(docs_for(filter_query))

    def _check(self, allowed: set[int] | None) -> None:
        """Refuse an ``allowed`` that is not the filter's: phrases were matched among the
        filter's articles only."""
        if self.allowed is not None and allowed is not self.allowed:
            raise ValueError("a filtered WordScorer answers for its filter's articles only")

    def evaluate(self, query: wq.Query, allowed: set[int] | None = None) -> Scores:
        """Every article ``query`` matches (among ``allowed`` if given) with its score."""
        self._check(allowed)
        scores = self._evaluate(query)
        if allowed is not None:
            scores = {docnum: score for docnum, score in scores.items() if docnum in allowed}
        return scores

    def matches(self, query: wq.Query, allowed: set[int] | None = None) -> set[int]:
        """The articles ``query`` matches (among ``allowed`` if given), without their scores:
        unions and intersections of document numbers, far cheaper than adding up scores."""
        self._check(allowed)
        found = self._matched(query)
        return found if allowed is None else found & allowed

    def sorted_matches(self, query: wq.Query, allowed: set[int] | None = None) -> list[int]:
        """``matches``, in order."""
        bulk = self._bulk_for(query, allowed, BULK_MATCHES)
        return bulk.matches(query) if bulk else sorted(self.matches(query, allowed))

    def top(self, query: wq.Query, limit: int, allowed: set[int] | None = None):
        """``top(self.evaluate(query, allowed), limit)``: the best (docnum, score) pairs."""
        bulk = self._bulk_for(query, allowed, BULK_POSTINGS)
        return bulk.top(query, limit) if bulk else top(self.evaluate(query, allowed), limit)

    def scores_in_bulk(self, query: wq.Query, allowed: set[int] | None = None) -> bool:
        """Whether ``top`` scores ``query`` as arrays (``search.bulk``)."""
        return self._bulk_for(query, allowed, BULK_POSTINGS) is not None

    def _bulk_for(self, query: wq.Query, allowed: set[int] | None, threshold: int):
        """The bulk evaluation if it holds ``query`` already or ``query`` costs
        ``threshold`` postings or more (and ``allowed`` is the filter's), else None."""
        self._check(allowed)
        if allowed is not self.allowed:
            return None
        if self._bulk is not None and self._bulk.holds(query):
            return self._bulk
        if numpy_imported():
            threshold = min(threshold, BULK_LOADED)
        if self._cost(query) < threshold:
            return None
        if self._bulk is None:
            from monitor_search.search.bulk import BulkEvaluation

            self._bulk = BulkEvaluation(self.postings, self.terms, self.allowed)
        return self._bulk

    def _cost(self, query: wq.Query) -> int:
        """What ``query`` costs to evaluate in dictionaries, in postings: those of its terms (a
        phrase's ``PHRASE_COST`` times, but once under a filter, which leaves few articles
        to decode positions for), every article for ``*`` (the filter's, under one)."""
        kind = type(query)
        if kind is wq.Term:
            return self.terms.posting_count(query.fieldname, query.text)
        if kind is wq.Phrase:
            words = query.words
            postings = sum(self.terms.posting_count(query.fieldname, word) for word in words)
            return postings if self.allowed is not None else PHRASE_COST * postings
        if kind is wq.Every:
            return self.postings.document_count if self.allowed is None else len(self.allowed)
        if kind is wq.ConstantScoreQuery:
            return self._cost(query.child)
        return sum(map(self._cost, query.children()))

    def _matched(self, query: wq.Query) -> set[int]:
        """``matches`` without a filter (a phrase: among the filter's articles)."""
        found: set[int] = set()
        for _, base, local in self._segments_matching(query):
            found.update(map(base.__add__, local))
        return found

    def evaluate_among(self, query: wq.Query, docnums: set[int]) -> Scores:
        """``evaluate`` for only the articles in ``docnums`` (none of them deleted: callers
        pass matches or candidates, which come from the postings without deleted
        articles): the same floats, with each term looked up for those articles instead of
        scored in all of its postings."""
        wanted = self.postings.locate(docnums)

        def scores(part: wq.Query) -> Scores:
            kind = type(part)
            if kind is wq.Term:
                found = self.terms.term_scores_among(part.fieldname, part.text, wanted)
                return _boosted(found, part.boost)
            if kind in (wq.Or, wq.And):
                return joined(part, [scores(q) for q in part.subqueries])
            if kind is wq.AndNot:
                return _without(scores(part.a), scores(part.b))
            if kind is wq.Phrase:
                return _boosted(self._phrase(part.fieldname, part.words, docnums), part.boost)
            return {
                docnum: score for docnum, score in self._evaluate(part).items() if docnum in docnums
            }

        return scores(query)

    def count(self, query: wq.Query, allowed: set[int] | None = None) -> int:
        """How many articles ``query`` matches (among ``allowed``): segment by segment on the
        postings' own document numbers, which saves an addition per posting."""
        self._check(allowed)
        if type(query) is wq.Every and allowed is not None:
            return len(self.postings.live(allowed))
        if allowed is None and query in self._evaluated:  # scored in full already
            return len(self._evaluated[query])
        bulk = self._bulk_for(query, allowed, BULK_MATCHES)
        if bulk:
            return bulk.count(query)
        if allowed is None:
            return sum(len(local) for _, _, local in self._segments_matching(query))
        wanted = self.postings.locate(allowed)
        return sum(
            len(set(local).intersection(wanted[number]))
            for number, _, local in self._segments_matching(query)
        )

    def term_documents(self, field: str, text: str) -> Iterable[int]:
        """The articles that have the term, without their scores (a set built from the
        document numbers alone costs a fraction of scoring them)."""
        key = (field, text)
        known = self.terms.known(field, text)
        if known is not None:
            return known.keys()
        if key not in self._documents_of:
            self._documents_of[key] = self._matched(wq.Term(field, text))
        return self._documents_of[key]

    def _segments_matching(self, query: wq.Query) -> Iterator[tuple[int, int, Collection[int]]]:
        """(segment number, base, segment-local numbers of the articles ``query`` matches)
        for each segment that has any, deleted articles left out."""
        for number, (base, deleted) in enumerate(
            zip(self.postings.bases, self.postings.deleted, strict=True)
        ):
            local = self._local(query, number)
            if local and deleted:
                local = set(local).difference(deleted)
            if local:
                yield number, base, local

    def _local(self, query: wq.Query, number: int) -> Collection[int]:
        """The segment-local numbers of segment ``number``'s documents ``query`` matches
        (deleted ones may be among them)."""
        kind = type(query)
        if kind is wq.Term:
            tbytes = self.postings.term_bytes(query.fieldname, query.text)
            arrays = self.postings.arrays(number, query.fieldname, tbytes)
            return () if arrays is None else arrays[0]
        if kind is wq.Every:
            return range(self.postings.segments[number][0].doc_count_all())
        if kind is wq.Phrase:  # positions are needed: its articles come from its evaluation
            if query not in self._located:
                self._located[query] = self.postings.locate(self._evaluate(query))
            return self._located[query][number]
        if kind is wq.AndNot:
            return set(self._local(query.a, number)).difference(self._local(query.b, number))
        if kind is wq.ConstantScoreQuery:
            return self._local(query.child, number)
        if kind in (wq.Or, wq.And):
            parts = [self._local(q, number) for q in query.subqueries]
            return set().union(*parts) if kind is wq.Or else _common(parts)
        raise Unsupported(repr(query))

    def _evaluate(self, query: wq.Query) -> Scores:
        """``evaluate`` without ``allowed``, each query part once."""
        found = self._evaluated.get(query)
        if found is None:
            found = self._evaluated[query] = self._evaluated_anew(query)
        return found

    def _evaluated_anew(self, query: wq.Query) -> Scores:
        kind = type(query)
        if kind is wq.Term:
            return _boosted(self.terms.term_scores(query.fieldname, query.text), query.boost)
        if kind is wq.Every:  # every article (the filter's), each scoring the boost, as in Whoosh
            return dict.fromkeys(self.postings.live(self.allowed), query.boost)
        if kind is wq.ConstantScoreQuery:  # its articles, each scoring the same
            return dict.fromkeys(self._matched(query.child), query.score)
        if kind is wq.AndNot:
            return self._and_not(query)
        if kind is wq.Phrase:
            return _boosted(self._phrase(query.fieldname, query.words), query.boost)
        if kind in (wq.Or, wq.And):
            return joined(query, [self._evaluate(q) for q in query.subqueries])
        raise Unsupported(repr(query))

    def _and_not(self, query: wq.AndNot) -> Scores:
        """The scores of ``query.a`` for the articles ``query.b`` does not match. A term
        that keeps fewer than half of its articles (a name's variant, less the articles
        with the name) has only those scored, found first with set operations."""
        part = query.a
        if type(part) is wq.Term and part not in self._evaluated:
            kept = self._matched(query)
            if 2 * len(kept) < self.terms.posting_count(part.fieldname, part.text):
                return self.evaluate_among(part, kept)
        return _without(self._evaluate(part), self._evaluate(query.b))

    def _phrase(self, field: str, words: list[str], among: set[int] | None = None) -> Scores:
        """Articles with ``words`` one after the other in ``field`` (of ``among``, or of
        those the filter lets through), each scoring the sum of the words' scores, as Whoosh's
        ``Phrase`` (slop 1) scores them. Only the articles that have every word are looked
        at, and only their postings' positions decoded; only the articles with the phrase
        are scored."""
        present = [self.term_documents(field, word) for word in words]
        if not all(present):
            return {}
        among = self.allowed if among is None else among
        matched: Collection[int] = _common(present if among is None else [*present, among])
        if len(words) > 1 and matched:
            matched = self._with_phrase(field, words, matched)
        wanted = self.postings.locate(matched)
        scores = {word: self.terms.term_scores_among(field, word, wanted) for word in set(words)}
        return _tree_sums([scores[word] for word in words], matched)

    def _with_phrase(self, field: str, words: list[str], candidates: set[int]) -> set[int]:
        """The ``candidates`` in which the words follow each other, segment by segment (what
        a segment decodes is let go before the next)."""
        found: set[int] = set()
        for number, local in enumerate(self.postings.locate(candidates)):
            if local:
                base = self.postings.bases[number]
                found.update(map(base.__add__, self._phrase_in(number, field, words, local)))
        return found

    def _phrase_in(self, number: int, field: str, words: list[str], local: list[int]) -> set[int]:
        """The segment-local ``local`` articles of segment ``number`` in which the words follow
        each other: the (article, position) keys where the phrase could start, taken from
        the word with the fewest and intersected with each other word's keys less its
        offset in the phrase (set operations in C, whatever the number of articles)."""
        repeated = len(set(words)) < len(words)  # its keys are then gone through twice
        keys: dict[str, tuple[int, Iterable[int]]] = {}
        for word in set(words):
            size, found = self.postings.position_keys(number, field, word, local)
            keys[word] = size, list(found) if repeated else found
        starts: set[int] | None = None
        for offset, word in sorted(enumerate(words), key=lambda item: keys[item[1]][0]):
            found = keys[word][1]
            if offset:
                found = map((-offset).__add__, found)
            starts = set(found) if starts is None else starts.intersection(found)
            if not starts:
                return set()
        return set(map(KEY_SHIFT.__rrshift__, starts)).intersection(local)


def top(scores: Scores, limit: int) -> list[tuple[int, float]]:
    """The ``limit`` best (docnum, score) pairs: highest score first, then lowest docnum,
    as Whoosh's collector orders them. The scores alone are ranked first (compared in C),
    then only the pairs that reach the lowest of the best are sorted."""
    candidates = scores.items()
    if len(scores) > limit:
        lowest = heapq.nlargest(limit, scores.values())[-1]
        candidates = compress(candidates, map(lowest.__le__, scores.values()))
    return sorted(candidates, key=lambda item: (-item[1], item[0]))[:limit]


def joined(query: wq.Or | wq.And, parts: list[Scores]) -> Scores:
    """The scores of an OR or an AND, given those of its parts, added up as Whoosh adds
    them (a one-part group ignores its boost, as in Whoosh)."""
    if len(parts) == 1:
        return parts[0]
    together = _union(parts) if type(query) is wq.Or else _intersection(parts)
    return _boosted(together, query.boost)


def _without(scores: Scores, dropped: Collection[int]) -> Scores:
    return {docnum: score for docnum, score in scores.items() if docnum not in dropped}


def _boosted(scores: Scores, boost: float) -> Scores:
    if boost == 1.0:
        return scores
    return {docnum: score * boost for docnum, score in scores.items()}


def _union(parts: list[Scores]) -> Scores:
    """Each article's scores in ``parts`` added up in the parts' order, as Whoosh's OR adds
    them."""
    joined = parts[0]
    for part in parts[1:]:
        merged = {**joined, **part}
        for docnum in joined.keys() & part.keys():
            merged[docnum] = joined[docnum] + part[docnum]
        joined = merged
    return joined


def _common(parts: list) -> set[int]:
    """The document numbers in every one of ``parts`` (sets or score dictionaries)."""
    smallest = min(parts, key=len)
    return set(smallest).intersection(*(part for part in parts if part is not smallest))


def _intersection(parts: list[Scores]) -> Scores:
    joined, *others = parts
    # Added in query order: Whoosh's order for two parts. (With three or more, Whoosh
    # joins the smaller first, so a sum can differ from its score in the last bit.)
    for part in others:
        joined = {
            docnum: score + part[docnum] for docnum, score in joined.items() if docnum in part
        }
    return joined


def _tree_sums(parts: list[Scores], docnums: Iterable[int]) -> Scores:
    """For each of ``docnums``, its scores in ``parts`` added up in the order of Whoosh's
    ``make_binary_tree`` of intersections (the first half, then the second), so that the
    floats come out identical."""
    if len(parts) == 1:
        return {docnum: parts[0][docnum] for docnum in docnums}
    half = len(parts) // 2
    first, second = _tree_sums(parts[:half], docnums), _tree_sums(parts[half:], docnums)
    return {docnum: first[docnum] + second[docnum] for docnum in docnums}
