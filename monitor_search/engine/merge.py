"""Segments merged into a writer's new segment term by term, their postings streamed.

Whoosh's ``SegmentWriter.add_reader`` hands every posting of a merged segment to the
writer's pool as a tuple, through several matcher calls each, and the pool then holds all of
them (spilling to disk and merging the runs back, a posting at a time, when they pass its
memory limit). ``add_segment`` writes the segment's per-document data as Whoosh does and
keeps the segment open instead: when the new segment is written, ``MergedPostings`` reads
each term's postings block by block from every merged segment (``SegmentTerms``) and joins
them, in term order, to the pool's own, one term of each source in memory at a time. The
postings, and so the segment Whoosh would have written, are the same
(``tests/test_merge.py``); the merged terms get plain postings and positions
(``pool.write_held``) like any other.
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import itemgetter

from whoosh.codec.whoosh3 import W3LeafMatcher, W3TermInfo

from monitor_search.engine.postings import read_blocks

TermPostings = tuple  # ((fieldname, term bytes), (docnums, weights, values))


class SegmentTerms:
    """Every term of one merged segment with its postings renumbered for the new segment
    (``startdoc`` on, or ``docmap`` where the segment has deleted documents, whose postings
    are left out), in term order (field name, then term bytes)."""

    def __init__(self, reader, startdoc: int, docmap: dict[int, int] | None):
        self.reader = reader
        self.startdoc = startdoc
        self.docmap = docmap
        self._deleted = [] if docmap is None else _left_out(reader.doc_count_all(), docmap)
        """The segment's document numbers that ``docmap`` leaves out, in order: the live
        ones are numbered on from ``startdoc`` in order (as Whoosh's ``write_per_doc``
        numbers them), so a run of postings with none of these between them moves by one
        offset."""

    def terms(self) -> Iterator[TermPostings]:
        terms = getattr(self.reader, "_terms", None)  # none: a segment without terms
        if terms is None:
            return
        schema = self.reader.schema
        for fieldname in sorted(terms._fieldmap):
            if fieldname not in schema:
                continue  # as Whoosh's merge: fields gone from the schema are dropped
            prefix = terms._keycoder(fieldname, b"")
            fieldformat = schema[fieldname].format
            for key, info in terms._tindex.items_from(prefix):
                if not key.startswith(prefix):
                    break
                tbytes = key[len(prefix) :]
                postings = self._postings(terms, fieldformat, (fieldname, tbytes), info)
                if postings is not None:
                    yield (fieldname, tbytes), postings

    def _postings(self, terms, fieldformat, term, infobytes: bytes) -> tuple | None:
        """(docnums, weights, values) of the term, renumbered; None if none is left."""
        info = W3TermInfo.from_bytes(infobytes)
        matcher = terms._codec.postings_reader(terms._postfile, info, fieldformat, term=term)
        if not isinstance(matcher, W3LeafMatcher):  # inlined: never written by Whoosh 2.7.4
            raise TypeError(f"cannot merge postings stored as {type(matcher).__name__}")
        ids, weights, values = read_blocks(matcher, values=True)
        deleted = self._deleted
        before = bisect_left(deleted, ids[0]) if deleted else 0
        if not deleted or before == bisect_right(deleted, ids[-1]):
            offset = self.startdoc - before
            return array("I", [docnum + offset for docnum in ids]), weights, values
        return self._kept(ids, weights, values)

    def _kept(self, ids, weights, values) -> tuple | None:
        docmap = self.docmap
        kept = [at for at, docnum in enumerate(ids) if docnum in docmap]
        if not kept:
            return None
        _, weights, values = _taken(kept, ids, weights, values)
        return array("I", [docmap[ids[at]] for at in kept]), weights, values


def _left_out(count: int, docmap: dict[int, int]) -> list[int]:
    return [docnum for docnum in range(count) if docnum not in docmap]


class MergedPostings:
    """The postings of several sources (objects with ``terms()``, each in term order and
    numbering its documents above the previous one's), term by term in term order: each
    term's postings of all sources, one after another (one term of each source in memory at
    a time). Iterated, it gives Whoosh's posting tuples."""

    def __init__(self, sources: Iterable):
        self._sources = list(sources)

    def terms(self) -> Iterator[TermPostings]:
        streams = [_ranked(order, source.terms()) for order, source in enumerate(self._sources)]
        merged = heapq.merge(*streams, key=itemgetter(0, 1))
        for term, group in groupby(merged, key=itemgetter(0)):
            parts = [postings for _, _, postings in group]
            yield term, parts[0] if len(parts) == 1 else _joined(parts)

    def __iter__(self) -> Iterator[tuple]:
        for (fieldname, tbytes), (docnums, weights, values) in self.terms():
            for docnum, weight, value in zip(docnums, weights, values, strict=True):
                yield (fieldname, tbytes, docnum, weight, value)


def _ranked(order: int, terms: Iterator[TermPostings]) -> Iterator[tuple]:
    for term, postings in terms:
        yield term, order, postings


def _joined(parts: list[tuple]) -> tuple[array, array, list]:
    """One term's postings from several sources, one after another (in document order even
    if a source's documents did not all come after the previous one's)."""
    docnums, weights, values = array("I"), array("d"), []
    ordered = True
    for part_docnums, part_weights, part_values in parts:
        ordered = ordered and not (docnums and part_docnums and part_docnums[0] <= docnums[-1])
        docnums.extend(part_docnums)
        weights.extend(array("d", part_weights) if part_weights.typecode != "d" else part_weights)
        values.extend(part_values)
    return (docnums, weights, values) if ordered else in_document_order(docnums, weights, values)


def in_document_order(docnums: array, weights: array, values: list) -> tuple[array, array, list]:
    """One term's postings sorted by document number (a stable sort)."""
    return _taken(sorted(range(len(docnums)), key=docnums.__getitem__), docnums, weights, values)


def _taken(places: list[int], docnums, weights, values) -> tuple[array, array, list]:
    """The postings at ``places``, in that order."""
    return (
        array("I", [docnums[at] for at in places]),
        array("d", [weights[at] for at in places]),
        [values[at] for at in places],
    )


def add_segment(writer, reader) -> None:
    """Whoosh's ``SegmentWriter.add_reader`` for a segment reader, the postings streamed
    when the new segment is written (``CompactPool.merge_later``): the writer then owns
    ``reader`` and closes it with its pool."""
    writer._check_state()
    startdoc = writer.docnum
    indexed = {name for name in reader.indexed_field_names() if name in writer.schema}
    docmap = writer.write_per_doc(set(writer.schema.names()) | indexed, reader)
    writer.pool.merge_later(SegmentTerms(reader, startdoc, docmap))
    writer._added = True
