"""Terms' BM25F scores and articles as arrays over one segment (numpy), for queries whose
postings are too many to add up in Python dictionaries.

``term_scores`` computes the very floats ``bm25.TermScores.term_scores`` gives (the same
IEEE operations on the same doubles, in the same order, element by element). Arrays are
over one segment's documents: document ``d`` of the segment is element ``d``. numpy is
imported by this module alone, which the search layer imports only for such queries: the
import costs 0.1-0.25 s.
"""

from __future__ import annotations

import numpy as np

from monitor_search.engine.bm25 import TermScores
from monitor_search.engine.plainpositions import KEY_SHIFT
from monitor_search.engine.postings import SegmentPostings

Dense = tuple[np.ndarray, np.ndarray]
"""(scores, float64; mask, bool): each document's score and whether it matches; those that
do not match score 0.0."""


def empty(size: int) -> Dense:
    """No document of ``size`` matches."""
    return np.zeros(size), np.zeros(size, dtype=bool)


def term_scores(
    terms: TermScores,
    postings: SegmentPostings,
    number: int,
    field: str,
    text: str,
    wanted: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(ids, scores) of segment ``number``'s documents that have the term, in order, deleted
    ones left out (with ``wanted``, a mask of documents none of which is deleted, only
    those): ``TermScores.term_scores`` of the segment, as two arrays."""
    found = _postings_of(postings, number, field, text)
    if found is None:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    ids, weights = found
    tf = np.frombuffer(weights, dtype=np.float32)
    if wanted is not None:
        kept = wanted[ids]
        ids, tf = ids[kept], tf[kept]
    elif postings.deleted[number]:
        kept = ~np.isin(ids, _deleted(postings, number))
        ids, tf = ids[kept], tf[kept]
    codes, norm = terms.norm(field, number)
    lengths = np.array(norm)[_codes(codes, postings, number)[ids]]
    tf = tf.astype(np.float64)
    return ids, terms.idf(field, text) * ((tf * terms.factor) / (tf + lengths))


def term_mask(postings: SegmentPostings, number: int, field: str, text: str) -> np.ndarray:
    """Whether each document of segment ``number`` has the term (deleted ones do not)."""
    mask = np.zeros(postings.sizes[number], dtype=bool)
    found = _postings_of(postings, number, field, text)
    if found is not None:
        mask[found[0]] = True
        _drop_deleted(postings, number, mask)
    return mask


def live_mask(postings: SegmentPostings, number: int) -> np.ndarray:
    """Whether each document of segment ``number`` is not deleted."""
    mask = np.ones(postings.sizes[number], dtype=bool)
    _drop_deleted(postings, number, mask)
    return mask


def mask_of(size: int, docnums) -> np.ndarray:
    """The mask over ``size`` documents of ``docnums`` (an array or an iterable of numbers)."""
    mask = np.zeros(size, dtype=bool)
    found = docnums if isinstance(docnums, np.ndarray) else np.fromiter(docnums, dtype=np.int64)
    mask[found] = True
    return mask


def phrase_in(
    postings: SegmentPostings, number: int, field: str, words: list[str], wanted: np.ndarray
) -> np.ndarray:
    """The sorted segment-local ``wanted`` articles of segment ``number`` in which ``words``
    follow each other in ``field``: the (article, position) keys
    (``plainpositions.KEY_SHIFT``) of each word, less its offset in the phrase, intersected,
    the word with the fewest first (``WordScorer``'s matching, on arrays)."""
    keys = {word: _position_keys(postings, number, field, word, wanted) for word in set(words)}
    starts = None
    for offset, word in sorted(enumerate(words), key=lambda item: len(keys[item[1]])):
        found = keys[word] - offset if offset else keys[word]
        starts = found if starts is None else _common_sorted(starts, found)
        if not len(starts):
            break
    articles = starts >> KEY_SHIFT
    if not len(articles):
        return articles
    return articles[np.concatenate(([True], articles[1:] != articles[:-1]))]  # each once


def _common_sorted(fewer: np.ndarray, more: np.ndarray) -> np.ndarray:
    """The values of the sorted, distinct ``fewer`` that are in the sorted ``more``: each
    looked up by binary search (no sort of both together, as ``np.intersect1d`` does)."""
    if not len(more):
        return more
    at = np.searchsorted(more, fewer)
    at[at == len(more)] = 0
    return fewer[more[at] == fewer]


def _position_keys(
    postings: SegmentPostings, number: int, field: str, word: str, wanted: np.ndarray
) -> np.ndarray:
    """The sorted keys of the word's positions in the ``wanted`` articles of the segment."""
    plain = postings.plain_positions(number, field, word)
    if plain is None:  # kept in Whoosh's blocks only: decoded for the wanted articles
        _, found = postings.position_keys(number, field, word, wanted.tolist())
        return np.fromiter(found, dtype=np.int64)
    ids, counts, gaps = plain
    ids = np.frombuffer(ids, dtype=np.uint32).astype(np.int64)
    counts = np.frombuffer(counts, dtype=np.uint32).astype(np.int64)
    # the gaps added up over all postings at once; each posting's positions are those sums
    # less the sum before its first gap
    running = np.cumsum(np.array(gaps, dtype=np.int64))
    before = np.concatenate(([0], running))[np.cumsum(counts) - counts]
    keys = running + np.repeat((ids << KEY_SHIFT) - before, counts)
    return keys[np.repeat(np.isin(ids, wanted, assume_unique=True), counts)]


def top(scores: np.ndarray, mask: np.ndarray, limit: int) -> list[tuple[int, float]]:
    """The ``limit`` best (docnum, score) pairs of the articles in ``mask``: highest score
    first, then lowest docnum (``evaluation.top``'s order)."""
    docnums = np.flatnonzero(mask)
    values = scores[docnums]
    if len(values) > limit:
        lowest = np.partition(values, len(values) - limit)[len(values) - limit]
        kept = values >= lowest
        docnums, values = docnums[kept], values[kept]
    order = np.lexsort((docnums, -values))[:limit]
    return list(zip(docnums[order].tolist(), values[order].tolist(), strict=True))


def _postings_of(postings: SegmentPostings, number: int, field: str, text: str):
    """(ids as int64, weights) of the term's postings in segment ``number``, or None."""
    arrays = postings.arrays(number, field, postings.term_bytes(field, text))
    if arrays is None or not len(arrays[0]):
        return None
    return np.frombuffer(arrays[0], dtype=np.uint32).astype(np.int64), arrays[1]


def _codes(codes: bytes, postings: SegmentPostings, number: int) -> np.ndarray:
    """A segment's length codes, one per document (those past the stored end: 0)."""
    found = np.frombuffer(codes, dtype=np.uint8)
    size = postings.sizes[number]
    return found if len(found) >= size else np.pad(found, (0, size - len(found)))


def _deleted(postings: SegmentPostings, number: int) -> np.ndarray:
    return np.fromiter(postings.deleted[number], dtype=np.int64)


def _drop_deleted(postings: SegmentPostings, number: int, mask: np.ndarray) -> None:
    if postings.deleted[number]:
        mask[_deleted(postings, number)] = False
