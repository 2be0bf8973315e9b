"""BM25F scores of single terms computed from ``SegmentPostings``, in one loop per term.

The very floats Whoosh's ``BM25F`` gives: its formula and constants, its quantised field
lengths, the searcher's own idf (``tests/test_postings.py`` compares them).
"""

from __future__ import annotations

from whoosh.scoring import BM25F
from whoosh.util.numeric import length_to_byte

from monitor_search.engine.patches import LENGTH_OF_CODE
from monitor_search.engine.postings import SegmentPostings, doc_frequency, weights_of

Scores = dict[int, float]
"""Document number -> score."""


class TermScores:
    """Each term's score in the articles that have it, for one searcher; kept once computed."""

    def __init__(self, searcher, postings: SegmentPostings):
        self._searcher = searcher
        self._postings = postings
        self.factor = searcher.weighting.K1 + 1
        self._norms: dict[str, list] = {}
        self._parts: dict[tuple[str, bool], list[float]] = {}
        self._scores: dict[tuple[str, str], Scores] = {}

    def known(self, field: str, text: str) -> Scores | None:
        """The term's scores if ``term_scores`` computed them already, else None."""
        return self._scores.get((field, text))

    def term_scores(self, field: str, text: str) -> Scores:
        """The term's score in each article that has it."""
        key = (field, text)
        if key in self._scores:
            return self._scores[key]
        tbytes = self._postings.term_bytes(field, text)
        held = list(self._held(field, tbytes))
        scores: Scores = {}
        if held:
            idf, factor = self._searcher.idf(field, tbytes), self.factor
            # Whoosh's bm25() term for term (every posting's document has a length), in one
            # dictionary for all segments
            scores = {
                base + docnum: idf * ((tf * factor) / (tf + norm[codes[docnum]]))
                for _, base, codes, norm, ids, weights in held
                for docnum, tf in zip(ids, weights, strict=True)
            }
            for number, base, _, _, ids, _ in held:
                deleted = self._postings.deleted[number]
                if deleted:  # an intersection iterates over all of ``ids``, even when empty
                    for docnum in deleted.intersection(ids):
                        del scores[base + docnum]
        self._scores[key] = scores
        return scores

    def term_scores_among(self, field: str, text: str, wanted: list[list[int]]) -> Scores:
        """``term_scores`` for only the ``wanted`` articles (per segment, the sorted
        segment-local numbers of articles not deleted): the same floats, computed from a
        look-up in the term's postings instead of a pass over all of them."""
        known = self._scores.get((field, text))
        if known is not None:
            return {
                base + docnum: known[base + docnum]
                for base, local in zip(self._postings.bases, wanted, strict=True)
                for docnum in local
                if base + docnum in known
            }
        tbytes = self._postings.term_bytes(field, text)
        scores: Scores = {}
        idf = 0.0
        for number, base, codes, norm, ids, weights in self._held(field, tbytes, wanted):
            if not idf:
                idf = self._searcher.idf(field, tbytes)
            for docnum, tf in weights_of(ids, weights, wanted[number]):
                scores[base + docnum] = idf * ((tf * self.factor) / (tf + norm[codes[docnum]]))
        return scores

    def ceiling(self, field: str, text: str) -> float:
        """A score no article's posting of the term exceeds: BM25 grows with the weight and
        falls with the field's length, and Whoosh's term info in each segment keeps the
        term's highest weight and the shortest field among its postings."""
        tbytes = self._postings.term_bytes(field, text)
        highest = 0.0
        for number in range(len(self._postings.segments)):
            info = self._postings.term_info(number, field, tbytes)
            if info is not None:
                tf = info.max_weight()
                norm = self.norm(field, number)[1][length_to_byte(info.min_length() or 0)]
                highest = max(highest, (tf * self.factor) / (tf + norm))
        return self._searcher.idf(field, tbytes) * highest if highest else 0.0

    def idf(self, field: str, text: str) -> float:
        """The searcher's idf of the term (Whoosh's, as every score here uses it)."""
        return self._searcher.idf(field, self._postings.term_bytes(field, text))

    def posting_count(self, field: str, text: str) -> int:
        """How many postings the term has, deleted articles included (its cost to score):
        its document frequency, which its idf needs too."""
        return doc_frequency(self._searcher, field, text)

    def score(self, field: str, text: str, docnum: int, weight: float) -> float:
        """The score a posting of ``weight`` (occurrences times field boost) in article
        ``docnum`` gets: what ``term_scores`` computes, for one article whose counts are
        known without reading the postings."""
        number, local = self._postings.segment_of(docnum)
        codes, norm = self.norm(field, number)
        code = codes[local] if local < len(codes) else 0
        idf = self._searcher.idf(field, self._postings.term_bytes(field, text))
        return idf * ((weight * self.factor) / (weight + norm[code]))

    def _held(self, field: str, tbytes: bytes, wanted: list[list[int]] | None = None):
        """(segment number, base, length codes, BM25 length parts, ids, weights) of the
        term's postings in each segment that has them and holds any ``wanted`` article."""
        for number, base in enumerate(self._postings.bases):
            if wanted is not None and not wanted[number]:
                continue
            arrays = self._postings.arrays(number, field, tbytes)
            if arrays is not None:
                codes, norm = self.norm(field, number)
                yield number, base, codes, norm, *arrays

    def norm(self, field: str, segment: int) -> tuple[bytes, list[float]]:
        """A segment's field-length codes, and BM25's length part for each code."""
        per_segment = self._norms.get(field)
        if per_segment is None:
            per_segment = self._norms[field] = [None] * len(self._postings.segments)
        found = per_segment[segment]
        if found is None:
            codes, missing = self._postings.length_codes(field, segment)
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


def _b(weighting: BM25F, field: str) -> float:
    return weighting._field_B.get(field, weighting.B)
