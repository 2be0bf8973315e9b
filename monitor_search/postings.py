"""Score word queries straight from the index's posting blocks, without Whoosh's matchers.

Whoosh scores a query by walking a tree of matcher objects: several Python calls for every
posting of every term, then a second pass to count the matches. For the queries users type
most (words in headline and body joined by OR or AND, name variants, ``AND NOT``, phrases)
this module reads each term's document numbers and weights in one piece (``plainpostings``,
or Whoosh's blocks for segments without them) and computes the very same BM25F scores in one
loop per term: Whoosh's formula and constants, its quantised field lengths, the searcher's
own idf. Phrases decode positions only for articles that have all their words. Counts are
set operations on each segment's own document numbers, and ``evaluate_among`` scores only
given articles (``pruning.py`` picks them). ``tests/test_postings.py`` checks the scores
equal Whoosh's. Any other query (wildcards, ranges, phrases with a slop) is answered by
Whoosh as before.

It also avoids a Whoosh 2.7 bug: its ``AndNotMatcher`` never excludes the first posting of a
segment when the excluded term's postings start earlier, so ``gas AND NOT Russia`` could
return an article about Russia.

It reads Whoosh's posting and length storage directly (Whoosh 2.7's ``whoosh3`` codec, pinned
in ``pyproject.toml``), as only ``pool.py`` (writing it) and ``patches.py`` otherwise do.
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable, Iterator
from itertools import accumulate, compress
from pickle import loads

from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher, W3TermInfo
from whoosh.formats import Positions
from whoosh.scoring import BM25F
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import length_to_byte

from . import plainpostings
from .patches import LENGTH_OF_CODE, doc_frequencies, length_codes

Scores = dict[int, float]
"""Document number -> score."""


class Unsupported(Exception):
    """The query holds a part this module does not evaluate; Whoosh must."""


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
    if kind is wq.Phrase:  # Whoosh's default: words next to each other, in order
        if query.fieldname not in schema or query.slop != 1 or not query.words:
            return False
        fieldformat = schema[query.fieldname].format
        return fieldformat is not None and fieldformat.supports("positions")
    return False


def doc_frequency(searcher, field: str, text: str | bytes, limit: float | None = None) -> int:
    """How many articles have ``text`` in ``field``, counted segment by segment (a term
    lookup in each) and remembered by the searcher: feedback checks a word's count and then
    scores with its idf, and an archive of 100,000 articles has about 20 segments. With a
    ``limit``, counting stops as soon as it is passed (the count returned is then partial,
    still above the limit, and not remembered)."""
    known = searcher.__dict__.setdefault("_msearch_doc_frequency", {})
    word = text.decode("utf-8") if isinstance(text, bytes) else text
    if (field, word) in known:
        return known[(field, word)]
    total = 0
    readers = [reader for reader, _ in searcher.reader().leaf_readers()]
    for count in doc_frequencies(readers, field, searcher.schema[field].to_bytes(word)):
        total += count
        if limit is not None and total > limit:
            return total
    known[(field, word)] = total
    return total


class WordScorer:
    """BM25F scores of Term / Or / And / AndNot queries, read in bulk from one searcher."""

    def __init__(self, searcher):
        self._searcher = searcher
        self._segments = searcher.reader().leaf_readers()
        self._bases = [base for _, base in self._segments]
        self.document_count = searcher.doc_count_all()
        """Articles in the index, deleted ones included."""
        self._norms: dict[str, list] = {}
        self._parts: dict[tuple[str, bool], list[float]] = {}
        self._terms: dict[tuple[str, str], Scores] = {}
        self._documents_of: dict[tuple[str, str], Iterable[int]] = {}
        self._infos: dict[tuple[int, str, bytes], W3TermInfo | None] = {}
        self._read: dict[tuple[int, str, bytes], tuple | None] = {}
        self._evaluated: dict[wq.Query, Scores] = {}
        """Query part -> its scores (Whoosh's queries compare and hash by content)."""
        self._located: dict[wq.Query, list[list[int]]] = {}
        """Phrase -> ``locate`` of its articles."""
        self._deleted: list[frozenset[int]] = [
            frozenset(reader._perdoc.deleted_docs()) if reader.has_deletions() else frozenset()
            for reader, _ in self._segments
        ]

    def allowed_by(self, filter_query: wq.Query | None) -> set[int] | None:
        """The articles ``filter_query`` lets through (None: no filter, all of them). All
        but a few (``similar`` leaves out its own article) are taken from the segments'
        sizes: Whoosh would walk every article through its matchers ('similar' at 100,000
        articles: 150 -> 127 ms)."""
        if filter_query is None:
            return None
        docs_for = self._searcher.docs_for_query
        if type(filter_query) is wq.AndNot and type(filter_query.a) is wq.Every:
            return self.live().difference(docs_for(filter_query.b))
        return set(docs_for(filter_query))

    def live(self) -> set[int]:
        """Every article not deleted."""
        found: set[int] = set()
        for (reader, base), deleted in zip(self._segments, self._deleted, strict=True):
            found.update(range(base, base + reader.doc_count_all()))
            found.difference_update(map(base.__add__, deleted))
        return found

    def evaluate(self, query: wq.Query, allowed: set[int] | None = None) -> Scores:
        """Every article ``query`` matches (among ``allowed`` if given) with its score."""
        scores = self._evaluate(query)
        if allowed is not None:
            scores = {docnum: score for docnum, score in scores.items() if docnum in allowed}
        return scores

    def matches(self, query: wq.Query, allowed: set[int] | None = None) -> set[int]:
        """The articles ``query`` matches (among ``allowed`` if given), without their scores:
        unions and intersections of document numbers are set operations, far cheaper than
        adding up scores (segment by segment: see ``count``)."""
        found: set[int] = set()
        for _, base, local in self._segments_matching(query):
            found.update(map(base.__add__, local))
        return found if allowed is None else found & allowed

    def evaluate_among(self, query: wq.Query, docnums: set[int]) -> Scores:
        """``evaluate`` for only the articles in ``docnums`` (none of them deleted: callers
        pass matches or candidates, which come from the postings without deleted
        articles): the same floats, with each term looked up for those articles instead of
        scored in all of its postings."""
        wanted = self.locate(docnums)

        def scores(part: wq.Query) -> Scores:
            kind = type(part)
            if kind is wq.Term:
                found = self.term_scores_among(part.fieldname, part.text, wanted)
                return _boosted(found, part.boost)
            if kind in (wq.Or, wq.And):
                return joined(part, [scores(q) for q in part.subqueries])
            return {
                docnum: score for docnum, score in self._evaluate(part).items() if docnum in docnums
            }

        return scores(query)

    def count(self, query: wq.Query, allowed: set[int] | None = None) -> int:
        """How many articles ``query`` matches (among ``allowed``): segment by segment on the
        postings' own document numbers, which saves an addition per posting (``oil
        pipeline`` at 100,000 articles: 20 -> 5 ms)."""
        if allowed is None and query in self._evaluated:  # scored in full already
            return len(self._evaluated[query])
        if allowed is None:
            return sum(len(local) for _, _, local in self._segments_matching(query))
        wanted = self.locate(allowed)
        return sum(
            len(set(local).intersection(wanted[number]))
            for number, _, local in self._segments_matching(query)
        )

    def _segments_matching(self, query: wq.Query) -> Iterator[tuple[int, int, Collection[int]]]:
        """(segment number, base, segment-local numbers of the articles ``query`` matches)
        for each segment that has any, deleted articles left out."""
        for number, ((_, base), deleted) in enumerate(
            zip(self._segments, self._deleted, strict=True)
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
            arrays = self._arrays(number, query.fieldname, self._bytes(query.fieldname, query.text))
            return () if arrays is None else arrays[0]
        if kind is wq.Every:
            return range(self._segments[number][0].doc_count_all())
        if kind is wq.Phrase:  # positions are needed: its articles come from its evaluation
            if query not in self._located:
                self._located[query] = self.locate(self._evaluate(query))
            return self._located[query][number]
        if kind is wq.AndNot:
            return set(self._local(query.a, number)).difference(self._local(query.b, number))
        if kind in (wq.Or, wq.And):
            parts = [self._local(q, number) for q in query.subqueries]
            return set().union(*parts) if kind is wq.Or else _common(parts)
        raise Unsupported(repr(query))

    def _evaluate(self, query: wq.Query) -> Scores:
        """``evaluate`` without ``allowed``; each query part is evaluated once (the tiers of
        a search share their parts)."""
        found = self._evaluated.get(query)
        if found is None:
            found = self._evaluated[query] = self._evaluated_anew(query)
        return found

    def _evaluated_anew(self, query: wq.Query) -> Scores:
        kind = type(query)
        if kind is wq.Term:
            scores = self.term_scores(query.fieldname, query.text)
            return _boosted(scores, query.boost)
        if kind is wq.Every:  # every article, each scoring the boost, as in Whoosh
            return dict.fromkeys(self.live(), query.boost)
        if kind is wq.AndNot:
            kept, dropped = self._evaluate(query.a), self._evaluate(query.b)
            return {docnum: score for docnum, score in kept.items() if docnum not in dropped}
        if kind is wq.Phrase:
            return _boosted(self._phrase(query.fieldname, query.words), query.boost)
        if kind in (wq.Or, wq.And):
            return joined(query, [self._evaluate(q) for q in query.subqueries])
        raise Unsupported(repr(query))

    def term_scores(self, field: str, text: str) -> Scores:
        """The term's score in each article that has it."""
        key = (field, text)
        if key in self._terms:
            return self._terms[key]
        searcher = self._searcher
        tbytes = searcher.schema[field].to_bytes(text)
        scores: Scores = {}
        held = list(self._postings(field, tbytes))
        if held:
            idf = searcher.idf(field, tbytes)
            factor = searcher.weighting.K1 + 1
            # Whoosh's bm25() term for term (every posting's document has a length), in one
            # dictionary for all segments
            scores = {
                base + docnum: idf * ((tf * factor) / (tf + norm[codes[docnum]]))
                for base, codes, norm, ids, weights, _ in held
                for docnum, tf in zip(ids, weights, strict=True)
            }
            for base, _, _, ids, _, deleted in held:
                if deleted:  # an intersection iterates over all of ``ids``, even when empty
                    for docnum in deleted.intersection(ids):
                        del scores[base + docnum]
        self._terms[key] = scores
        return scores

    def term_documents(self, field: str, text: str) -> Iterable[int]:
        """The articles that have the term, without their scores (a set built from the
        document numbers alone costs a fraction of scoring them)."""
        key = (field, text)
        if key in self._terms:
            return self._terms[key].keys()
        if key not in self._documents_of:
            self._documents_of[key] = self.matches(wq.Term(field, text))
        return self._documents_of[key]

    def term_scores_among(self, field: str, text: str, wanted: list[list[int]]) -> Scores:
        """``term_scores`` for only the ``wanted`` articles (per segment, the sorted
        segment-local numbers of articles not deleted): the same floats, computed from a
        look-up in the term's postings instead of a pass over all of them."""
        if (field, text) in self._terms:
            found = self._terms[(field, text)]
            return {
                base + docnum: found[base + docnum]
                for (_, base), local in zip(self._segments, wanted, strict=True)
                for docnum in local
                if base + docnum in found
            }
        searcher = self._searcher
        tbytes = self._bytes(field, text)
        scores: Scores = {}
        idf = factor = 0.0
        for number, base, codes, norm, ids, weights in self._held(field, tbytes, wanted):
            if not idf:
                idf = searcher.idf(field, tbytes)
                factor = searcher.weighting.K1 + 1
            for docnum, tf in _weights_of(ids, weights, wanted[number]):
                scores[base + docnum] = idf * ((tf * factor) / (tf + norm[codes[docnum]]))
        return scores

    def ceiling(self, field: str, text: str) -> float:
        """A score no article's posting of the term exceeds: BM25 grows with the weight and
        falls with the field's length, and Whoosh's term info in each segment keeps the
        term's highest weight and the shortest field among its postings."""
        tbytes = self._bytes(field, text)
        factor = self._searcher.weighting.K1 + 1
        highest = 0.0
        for number in range(len(self._segments)):
            info = self._term_info(number, field, tbytes)
            if info is not None:
                tf = info.max_weight()
                norm = self._norm(field, number)[1][length_to_byte(info.min_length() or 0)]
                highest = max(highest, (tf * factor) / (tf + norm))
        return self._searcher.idf(field, tbytes) * highest if highest else 0.0

    def posting_count(self, field: str, text: str) -> int:
        """How many postings the term has, deleted articles included (its cost to score):
        its document frequency, which its idf needs too."""
        return doc_frequency(self._searcher, field, text)

    def locate(self, docnums: Iterable[int]) -> list[list[int]]:
        """Per segment, the sorted segment-local numbers of ``docnums``."""
        ordered = sorted(docnums)
        bounds = [bisect_right(ordered, base - 1) for base in self._bases] + [len(ordered)]
        return [
            [docnum - base for docnum in ordered[start:end]]
            for base, start, end in zip(self._bases, bounds, bounds[1:], strict=False)
        ]

    def _bytes(self, field: str, text: str) -> bytes:
        return self._searcher.schema[field].to_bytes(text)

    def _term_info(self, number: int, field: str, tbytes: bytes) -> W3TermInfo | None:
        """The term's information in segment ``number`` (None if it has none), read once."""
        key = (number, field, tbytes)
        if key not in self._infos:
            terms = getattr(self._segments[number][0], "_terms", None)  # none: an empty index
            stored = None if terms is None else terms._tindex.get(terms._keycoder(field, tbytes))
            self._infos[key] = None if stored is None else W3TermInfo.from_bytes(stored)
        return self._infos[key]

    def _arrays(self, number: int, field: str, tbytes: bytes) -> tuple | None:
        """(ids, weights) of the term's postings in segment ``number`` (None if it has none),
        read once (a query's tiers and its count share them); Whoosh's blocks, in segments
        without plain postings, joined into one pair of arrays."""
        key = (number, field, tbytes)
        if key not in self._read:
            info = self._term_info(number, field, tbytes)
            reader = self._segments[number][0]
            self._read[key] = None if info is None else _read_postings(reader, field, tbytes, info)
        return self._read[key]

    def _held(self, field: str, tbytes: bytes, wanted: list[list[int]] | None = None):
        """(segment number, base, length codes, BM25 length parts, ids, weights) of the
        term's postings in each segment that has them and holds any ``wanted`` article."""
        for number, (_, base) in enumerate(self._segments):
            if wanted is not None and not wanted[number]:
                continue
            arrays = self._arrays(number, field, tbytes)
            if arrays is not None:
                codes, norm = self._norm(field, number)
                yield number, base, codes, norm, *arrays

    def _postings(self, field: str, tbytes: bytes):
        """(base, length codes, BM25 length parts, ids, weights, deleted documents) of the
        term's postings, segment by segment."""
        for number, base, codes, norm, ids, weights in self._held(field, tbytes):
            yield base, codes, norm, ids, weights, self._deleted[number]

    def _phrase(self, field: str, words: list[str]) -> Scores:
        """Articles with ``words`` one after the other in ``field``, each scoring the sum of
        the words' scores, as Whoosh's ``Phrase`` (slop 1) scores them. Only the articles
        that have every word are looked at, and only their postings' positions decoded;
        only the articles with the phrase are scored."""
        present = [self.term_documents(field, word) for word in words]
        if not all(present):
            return {}
        matched: Collection[int] = _common(present)
        if len(words) > 1 and matched:
            matched = self._with_phrase(field, words, matched)
        wanted = self.locate(matched)
        scores = {word: self.term_scores_among(field, word, wanted) for word in set(words)}
        return _tree_sums([scores[word] for word in words], matched)

    def _with_phrase(self, field: str, words: list[str], candidates: set[int]):
        """The ``candidates`` in which the words follow each other: the positions where the
        phrase could start, narrowed word by word (an article drops out, and its postings
        are no longer decoded, as soon as none is left)."""
        starts: dict[int, set[int]] = {}
        decoded: dict[str, dict[int, list[int]]] = {}
        alive: Collection[int] = candidates
        for offset, word in enumerate(words):
            if word not in decoded:
                decoded[word] = self._positions(field, word, self.locate(alive))
            positions = decoded[word]
            if offset == 0:
                starts = {docnum: set(positions.get(docnum, ())) for docnum in alive}
            else:
                back = offset.__rsub__  # position - offset
                starts = {
                    docnum: kept
                    for docnum in alive
                    if (kept := starts[docnum].intersection(map(back, positions.get(docnum, ()))))
                }
            alive = starts.keys()
        return alive

    def _positions(self, field: str, word: str, wanted: list[list[int]]) -> dict[int, list[int]]:
        """The word's positions in each ``wanted`` article (per segment, sorted local
        numbers), read from the posting blocks that hold one (the others are skipped on
        their headers)."""
        tbytes = self._bytes(field, word)
        found: dict[int, list[int]] = {}
        for number, (reader, base) in enumerate(self._segments):
            local = wanted[number]
            if local and self._term_info(number, field, tbytes) is not None:
                for docnum, positions in _positions_of(reader, field, tbytes, local):
                    found[base + docnum] = positions
        return found

    def score(self, field: str, text: str, docnum: int, weight: float) -> float:
        """The score a posting of ``weight`` (occurrences times field boost) in article
        ``docnum`` gets: what ``term_scores`` computes, for one article whose counts are
        known without reading the postings."""
        searcher = self._searcher
        number = bisect_right(self._bases, docnum) - 1
        codes, norm = self._norm(field, number)
        local = docnum - self._bases[number]
        code = codes[local] if local < len(codes) else 0
        idf = searcher.idf(field, searcher.schema[field].to_bytes(text))
        return idf * ((weight * (searcher.weighting.K1 + 1)) / (weight + norm[code]))

    def _norm(self, field: str, segment: int) -> tuple[bytes, list[float]]:
        """A segment's field-length codes, and BM25's length part for each code, computed as
        Whoosh's ``bm25`` computes it."""
        per_segment = self._norms.get(field)
        if per_segment is None:
            per_segment = self._norms[field] = [None] * len(self._segments)
        found = per_segment[segment]
        if found is None:
            codes, missing = _length_codes(self._segments[segment][0], field)
            found = per_segment[segment] = (codes, self._length_parts(field, missing))
        return found

    def _length_parts(self, field: str, missing: bool) -> list[float]:
        """BM25's length part for each length code, as Whoosh's ``bm25`` computes it (for a
        segment without lengths of the field, Whoosh's scorer takes a length of 1); the
        same for every segment."""
        found = self._parts.get((field, missing))
        if found is None:
            searcher = self._searcher
            avgfl = searcher.avg_field_length(field) or 1
            b, k1 = _b(searcher.weighting, field), searcher.weighting.K1
            lengths = [1] * 256 if missing else LENGTH_OF_CODE
            found = [k1 * ((1 - b) + b * length / avgfl) for length in lengths]
            self._parts[(field, missing)] = found
        return found


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


def _boosted(scores: Scores, boost: float) -> Scores:
    if boost == 1.0:
        return scores
    return {docnum: score * boost for docnum, score in scores.items()}


def _union(parts: list[Scores]) -> Scores:
    """Each article's scores in ``parts`` added up in the parts' order, as Whoosh's OR adds
    them. (Filling one dictionary part by part instead of merging copies was tried: 15-30 %
    slower, measured on the benchmark's two- and eight-word queries at 100,000 articles.)"""
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


def _b(weighting: BM25F, field: str) -> float:
    return weighting._field_B.get(field, weighting.B)


def _length_codes(reader, field: str) -> tuple[bytes, bool]:
    """The segment's one-byte length code of ``field`` for each document, and whether the
    segment has no lengths for it at all (then all codes are 0)."""
    codes = length_codes(reader._perdoc, field)
    return (bytes(reader.doc_count_all()), True) if codes is None else (codes, False)


def _read_postings(reader, field: str, tbytes: bytes, terminfo: W3TermInfo) -> tuple:
    """(ids, weights) of a term's postings in one segment: at once when the segment stores
    them plainly (``plainpostings``), else gathered from Whoosh's blocks."""
    terms = reader._terms
    plain = plainpostings.read(terms._postfile, terminfo)
    if plain is not None:
        return plain
    matcher = terms._codec.postings_reader(
        terms._postfile, terminfo, reader.schema[field].format, term=(field, tbytes)
    )
    if not isinstance(matcher, W3LeafMatcher):
        raise Unsupported(f"postings stored as {type(matcher).__name__}")
    ids, weights = array("I"), array("f")
    while True:
        matcher._read_weights()
        ids.extend(_block_ids(matcher))
        weights.extend(matcher._weights)
        if matcher._lastblock:
            return ids, weights
        matcher._goto(matcher._nextoffset)


def _weights_of(ids, weights, wanted: list[int]) -> list[tuple[int, float]]:
    """(docnum, weight) of the sorted ``wanted`` documents that are among the postings
    ``ids``: a binary search for each when they are few (about 330 ns each, measured), else
    one dictionary of all the postings (about 85 ns a posting)."""
    if len(wanted) * 4 < len(ids):
        found = []
        at, end = 0, len(ids)
        for docnum in wanted:
            at = bisect_left(ids, docnum, at)
            if at < end and ids[at] == docnum:
                found.append((docnum, weights[at]))
        return found
    weight_of = dict(zip(ids, weights, strict=True))
    return [(docnum, weight_of[docnum]) for docnum in wanted if docnum in weight_of]


def _tree_sums(parts: list[Scores], docnums: Iterable[int]) -> Scores:
    """For each of ``docnums``, its scores in ``parts`` added up in the order of Whoosh's
    ``make_binary_tree`` of intersections (the first half, then the second), so that the
    floats come out identical."""
    if len(parts) == 1:
        return {docnum: parts[0][docnum] for docnum in docnums}
    half = len(parts) // 2
    first, second = _tree_sums(parts[:half], docnums), _tree_sums(parts[half:], docnums)
    return {docnum: first[docnum] + second[docnum] for docnum in docnums}


def _positions_of(reader, field: str, tbytes: bytes, wanted: list[int]):
    """(docnum, positions) for each of the sorted segment-local ``wanted`` documents that
    has the term, from Whoosh's posting blocks: a block is read only if its range of
    document numbers holds a wanted one, and only wanted postings are decoded."""
    fieldformat = reader.schema[field].format
    matcher = reader._terms.matcher(field, tbytes, fieldformat)
    if not isinstance(matcher, W3LeafMatcher):
        raise Unsupported(f"postings stored as {type(matcher).__name__}")
    found: list[tuple[int, bytes]] = []
    start = 0
    while start < len(wanted):
        end = bisect_right(wanted, matcher._maxid, start)
        if end > start:
            matcher._read_values()
            value_of = dict(zip(_block_ids(matcher), matcher._values, strict=True))
            found.extend(
                (docnum, value_of[docnum]) for docnum in wanted[start:end] if docnum in value_of
            )
            start = end
        if matcher._lastblock:
            break
        matcher._goto(matcher._nextoffset)
    values = [value for _, value in found]
    if type(fieldformat) is Positions:
        decoded = _positions(values)
    else:
        decoded = [fieldformat.decode_positions(value) for value in values]
    return zip((docnum for docnum, _ in found), decoded, strict=True)


def _block_ids(matcher: W3LeafMatcher):
    """The document numbers of the matcher's current block: ``_read_ids`` with the gaps
    added up in C (Whoosh adds them in a Python generator, posting by posting)."""
    if matcher._data is None:
        matcher._read_data()
    ids = matcher._data[0]
    return ids if matcher._byteids else tuple(accumulate(ids))


def _positions(values: list[bytes]) -> list[list[int]]:
    """``Positions.decode_positions`` of each value, unpickled in one call.

    A value is a four-byte count, then the gaps between positions as a pickled list of
    integers (protocol 2: ``PROTO 2``, the list's opcodes, ``STOP``). Integers pickle with no
    memo references, so the lists' opcodes joined inside one outer list unpickle to all the
    lists at once; one ``loads`` per posting took a fifth of a phrase query. Any value
    shaped otherwise is decoded one by one, as Whoosh does.
    """
    bodies = []
    for value in values:
        gaps = value[_INT_SIZE:]
        if not (gaps.startswith(b"\x80\x02]") and gaps.endswith(b".")):
            return [list(accumulate(_gaps(value))) for value in values]
        bodies.append(gaps[2:-1])
    lists = loads(b"\x80\x02](" + b"".join(bodies) + b"e.")
    return [list(accumulate(gaps)) for gaps in lists]


def _gaps(value: bytes) -> list[int]:
    gaps = value[_INT_SIZE:]
    return loads(gaps if gaps.endswith(b".") else gaps + b".")
