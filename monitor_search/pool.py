"""Postings waiting to be written to a segment: held compactly, written a block at a time.

Whoosh's ``PostingPool`` keeps every posting as a 5-tuple of Python objects (about 200 bytes)
and, past its memory limit, sorts them, spills them to a run file and merges the runs back
in Python at commit time. With 5,000 articles per writing process it spilled three times,
and spilling and merging took 40 % of indexing time. ``CompactPool`` keeps each term's
postings in arrays and its encoded values in one byte string (about 16 bytes a posting plus
its value, and about 500 bytes per distinct term), in the order they arrive, so only the
distinct terms are sorted at the end. It spills the same way, in
Whoosh's run format, when it does reach its limit (merging large segments).

Whoosh then wrote the segment one posting at a time (``FieldWriter.add_postings``: a length
lookup and a method call per posting). ``write_held`` fills each posting block of the
``whoosh3`` codec's writer from the held arrays instead: the same blocks, byte for byte
(``tests/test_pool.py``), at a fraction of the calls, each term's preceded by its plain
document numbers and weights (``plainpostings``).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator

from whoosh import writing
from whoosh.codec import base
from whoosh.codec.whoosh3 import W3FieldWriter
from whoosh.writing import PostingPool

from . import plainpostings
from .patches import LENGTH_OF_CODE, length_codes

Posting = tuple  # (fieldname, term bytes, docnum, weight, encoded value or None)

_POSTING_BYTES = 4 + 8 + 4
"""Memory per posting besides its value's bytes: document number, weight, value end offset."""
_TERM_BYTES = 500
"""Memory per distinct term: key tuple, term bytes, three arrays, a bytearray, a dict slot."""


class CompactPool(PostingPool):
    """A ``PostingPool`` (same interface, same sorted output) that stores postings per term:
    document numbers, weights and value end offsets in arrays, the values themselves in
    one ``bytearray``. A posting without a value comes back with ``b""`` (Whoosh writes
    ``None`` and ``b""`` alike)."""

    def __init__(self, tempstore, segment, limitmb=128, **kwargs):
        super().__init__(tempstore, segment, limitmb=limitmb, **kwargs)
        self._terms: dict[tuple[str, bytes], tuple[array, array, bytearray, array]] = {}
        self._unordered: set[tuple[str, bytes]] = set()

    def add(self, item: Posting) -> None:
        key = item[:2]  # (fieldname, term bytes)
        try:
            docnums, weights, values, ends = self._terms[key]
        except KeyError:
            docnums, weights, values, ends = self._terms[key] = (
                array("I"), array("d"), bytearray(), array("I"),
            )  # fmt: skip
            self.fieldnames.add(key[0])
            self.currentsize += _TERM_BYTES + len(key[1])
        else:
            if item[2] < docnums[-1]:
                self._unordered.add(key)  # not met in practice: documents arrive in order
        docnums.append(item[2])
        weights.append(item[3])
        value = item[4]
        if value:  # None and b"" alike: Whoosh writes both as no value
            values += value
        ends.append(len(values))
        self.currentsize += _POSTING_BYTES + len(value or b"")
        if self.currentsize > self.limit:
            self.save()

    def save(self) -> None:
        if self._terms:
            path, handle = self._new_run()
            self._write_run(handle, self._sorted())
            self._add_run(path)
        self._terms = {}
        self._unordered = set()
        self.currentsize = 0

    def items(self, maxfiles: int = 128) -> Iterator[Posting]:
        if not self.runs:
            return self._sorted() if self._unordered else HeldPostings(self)
        return super().items(maxfiles)  # saves what is held, then merges the runs

    def _sorted(self) -> Iterator[Posting]:
        """Every posting held, in the order ``sorted()`` would give the tuples."""
        for (fieldname, tbytes), (docnums, weights, values) in self._in_order():
            held = zip(docnums, weights, values, strict=True)
            if (fieldname, tbytes) in self._unordered:
                held = sorted(held, key=lambda posting: posting[0])
            for docnum, weight, value in held:
                yield (fieldname, tbytes, docnum, weight, value)

    def _in_order(self):
        """((fieldname, term bytes), (docnums, weights, values)) in term order."""
        for key in sorted(self._terms):
            docnums, weights, values, ends = self._terms[key]
            data = bytes(values)
            cuts = zip([0, *ends[:-1]], ends, strict=True)
            yield key, (docnums, weights, [data[a:b] for a, b in cuts])


class HeldPostings:
    """A pool's postings, all in memory and in order: Whoosh's tuples when iterated, and
    term by term for ``write_held``."""

    def __init__(self, pool: CompactPool):
        self._pool = pool

    def __iter__(self) -> Iterator[Posting]:
        return self._pool._sorted()

    def terms(self):
        """((fieldname, term bytes), (docnums, weights, values)) in term order."""
        return self._pool._in_order()


def write_held(writer: W3FieldWriter, schema, lengths, held: HeldPostings) -> None:
    """What ``FieldWriter.add_postings`` writes, a block at a time: each block's ids,
    weights, values and statistics set as ``W3PostingsWriter.add_posting`` would leave them
    after its last posting, then written by Whoosh's own code."""
    current = None
    codes = None
    for (fieldname, tbytes), (docnums, weights, values) in held.terms():
        if fieldname != current:
            if current is not None:
                writer.finish_field()
            writer.start_field(fieldname, schema[fieldname])
            current = fieldname
            codes = None if lengths is None else length_codes(lengths, fieldname)
        postings = writer._postwriter
        size, count = postings._blocklimit, len(docnums)
        # only fields queries score (not ids, paths, numbers); Whoosh keeps terms with fewer
        # postings than its inline limit in the terms file, where there is no start to precede
        if schema[fieldname].scorable and count >= postings._inlinelimit:
            plainpostings.write(writer._postfile, docnums, weights)
        writer.start_term(tbytes)
        for start in range(0, count, size):
            end = min(start + size, count)
            _fill_block(postings, docnums[start:end], weights[start:end], codes)
            postings._values = [value for value in values[start:end] if value]
            if end < count:
                postings._write_block()
        writer.finish_term()
    if current is not None:
        writer.finish_field()


def _fill_block(postings, docnums: array, weights: array, codes: bytes | None) -> None:
    postings._ids = docnums
    postings._weights = array("f", weights)
    postings._maxweight = max(0, max(weights))
    known = 0 if codes is None else len(codes)  # past the end: code 0, no length
    lengths = [LENGTH_OF_CODE[codes[d]] for d in docnums if d < known and codes[d]]
    postings._minlength = min(lengths) if lengths else None
    postings._maxlength = max(lengths) if lengths else 0


def _add_postings(self: W3FieldWriter, schema, lengths, items) -> None:
    if isinstance(items, HeldPostings):
        write_held(self, schema, lengths, items)
    else:
        base.FieldWriter.add_postings(self, schema, lengths, items)


def install() -> None:
    """Make every Whoosh segment writer in this process (and the writing processes it
    starts) hold postings in ``CompactPool`` and write them with ``write_held``.
    ``SegmentWriter`` creates its pool by this module-level name and ignores its own
    ``poolclass`` argument."""
    writing.PostingPool = CompactPool
    W3FieldWriter.add_postings = _add_postings
