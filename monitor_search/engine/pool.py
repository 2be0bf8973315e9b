"""Postings waiting to be written to a segment: held compactly, written a block at a time.

Whoosh's ``PostingPool`` keeps every posting as a 5-tuple of Python objects and, past its
memory limit, sorts them, spills them to a run file and merges the runs back in Python at
commit time: a writing process's share of a batch would overflow that limit several times, and
spilling and merging would take a large part of indexing time. ``CompactPool`` keeps each
term's postings in arrays and its encoded values in one byte string (about 16 bytes a posting
plus its value, and about 500 bytes per distinct term), in the order they arrive, so only the
distinct terms are sorted at the end. When it does reach its limit (large batches), it
spills what it holds to a run file a term at a time (arrays pickled whole), and the runs are
read back and joined term by term (``merge.MergedPostings``), where Whoosh merges its runs a
posting at a time. Segments merged into the new one do not pass through it: their postings
are joined to the pool's the same way when it is written (``merge``).

Whoosh then writes the segment one posting at a time (``FieldWriter.add_postings``: a length
lookup and a method call per posting). ``write_held`` fills each posting block of the
``whoosh3`` codec's writer from the held arrays instead: the same blocks, byte for byte
(``tests/test_pool.py``), at a fraction of the calls, each term's preceded by its plain
document numbers and weights (``plainpostings``) and, in fields with positions, its plain
positions (``plainpositions``).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from itertools import groupby
from operator import itemgetter
from pickle import HIGHEST_PROTOCOL, dump, load

from whoosh import writing
from whoosh.codec import base
from whoosh.codec.whoosh3 import W3FieldWriter, W3PerDocReader
from whoosh.formats import Positions
from whoosh.writing import PostingPool

from monitor_search.engine import plainpositions, plainpostings
from monitor_search.engine.merge import MergedPostings, in_document_order
from monitor_search.engine.patches import LENGTH_OF_CODE, length_codes

Posting = tuple  # (fieldname, term bytes, docnum, weight, encoded value or None)

_POSTING_BYTES = 4 + 8 + 4
"""Memory per posting besides its value's bytes: document number, weight, value end offset."""
_TERM_BYTES = 500
"""Memory per distinct term: its bytes as a key, three arrays, a bytearray, a dict slot."""


class CompactPool(PostingPool):
    """A ``PostingPool`` (its interface for a segment writer, the same sorted output; its run
    files are its own, read by ``items`` alone, all open at once) that stores postings per term:
    document numbers, weights and value end offsets in arrays, the values themselves in
    one ``bytearray``. A posting without a value comes back with ``b""`` (Whoosh writes
    ``None`` and ``b""`` alike)."""

    def __init__(self, tempstore, segment, limitmb=128, **kwargs):
        super().__init__(tempstore, segment, limitmb=limitmb, **kwargs)
        self._fields: dict[str, dict[bytes, tuple[array, array, bytearray, array]]] = {}
        """Field name -> term bytes -> the term's postings (one dictionary per field: no key
        tuple to build and hash for each posting)."""
        self._unordered: set[tuple[str, bytes]] = set()
        self._merged: list = []
        """Segments merged into this one (``merge.SegmentTerms``), their postings read when
        the segment is written."""

    def merge_later(self, segment_terms) -> None:
        """Take ``segment_terms``' postings (``merge.SegmentTerms``, numbered above every
        document added so far) when the segment is written, streamed, not held; the pool
        closes its reader on ``cleanup``."""
        self._merged.append(segment_terms)

    def add(self, item: Posting) -> None:
        """One posting, as Whoosh's own writer code hands them (merging segments)."""
        fieldname, tbytes, docnum, weight, value = item
        self.add_field(fieldname, docnum, ((tbytes, 0, weight, value),), 1.0, False)

    def add_field(self, fieldname: str, docnum: int, items, boost: float, scorable: bool) -> int:
        """``add`` for each posting of one field of one document (``items`` as
        ``Field.index`` yields them), without a call and a tuple per posting; the field's
        length. The memory limit is checked once per field."""
        terms = self._fields.get(fieldname, {})
        length, size = 0, 0
        for tbytes, freq, weight, value in items:
            if scorable:
                length += freq
            held = terms.get(tbytes)
            if held is None:
                held = terms[tbytes] = (array("I"), array("d"), bytearray(), array("I"))
                self._fields[fieldname] = terms  # a field is held from its first posting
                self.fieldnames.add(fieldname)
                size += _TERM_BYTES + len(tbytes)
            elif docnum < held[0][-1]:
                self._unordered.add((fieldname, tbytes))  # not met: documents arrive in order
            docnums, weights, values, ends = held
            docnums.append(docnum)
            weights.append(weight * boost)
            if value:  # None and b"" alike: Whoosh writes both as no value
                values += value
            ends.append(len(values))
            size += _POSTING_BYTES + len(value or b"")
        self.currentsize += size
        if self.currentsize > self.limit:
            self.save()
        return length

    def save(self) -> None:
        """Write what is held to a run file, term by term in term order (each term's
        postings as arrays and a list, pickled together): merging the runs back costs a
        little for each term of each run, not Python work for each posting."""
        if self._fields:
            path, handle = self._new_run()
            with handle:
                for term, (docnums, weights, values) in self._in_order():
                    dump((term, docnums, weights, values), handle, HIGHEST_PROTOCOL)
            self._add_run(path)
        self._fields = {}
        self._unordered = set()
        self.currentsize = 0

    def items(self, maxfiles: int = 128) -> HeldPostings | MergedPostings:
        """Every posting, in order: those held, those of the runs spilled before them and
        those of the segments merged after them, joined term by term."""
        runs, self.runs = self.runs, []
        sources = [_RunTerms(self, path) for path in runs]
        if self._fields or not sources:
            sources.append(HeldPostings(self))
        sources.extend(self._merged)
        if len(sources) == 1 and isinstance(sources[0], HeldPostings):
            return sources[0]
        return MergedPostings(sources)

    def cleanup(self) -> None:
        super().cleanup()
        merged, self._merged = self._merged, []
        for segment_terms in merged:
            segment_terms.reader.close()

    def _sorted(self) -> Iterator[Posting]:
        """Every posting held, in the order ``sorted()`` would give the tuples."""
        for (fieldname, tbytes), (docnums, weights, values) in self._in_order():
            for docnum, weight, value in zip(docnums, weights, values, strict=True):
                yield (fieldname, tbytes, docnum, weight, value)

    def _in_order(self):
        """((fieldname, term bytes), (docnums, weights, values)) in term order, each term's
        postings in document order."""
        for fieldname in sorted(self._fields):
            terms = self._fields[fieldname]
            for tbytes in sorted(terms):
                docnums, weights, values, ends = terms[tbytes]
                data = bytes(values)
                cuts = zip([0, *ends[:-1]], ends, strict=True)
                postings = (docnums, weights, [data[a:b] for a, b in cuts])
                if (fieldname, tbytes) in self._unordered:
                    postings = in_document_order(*postings)
                yield (fieldname, tbytes), postings


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


class _RunTerms:
    """The postings of one of a pool's run files, term by term (the file is removed once
    read)."""

    def __init__(self, pool: CompactPool, path: str):
        self._pool = pool
        self._path = path

    def terms(self):
        handle = self._pool._open_run(self._path)
        try:
            while True:
                try:
                    term, docnums, weights, values = load(handle)
                except EOFError:
                    return
                yield term, (docnums, weights, values)
        finally:
            handle.close()
            self._pool._remove_run(self._path)


class StreamedPostings:
    """Whoosh's postings in order as an iterator of tuples, term by term for
    ``write_held``: one term's postings in memory at a time."""

    def __init__(self, items: Iterator[Posting]):
        self._items = items

    def terms(self):
        """((fieldname, term bytes), (docnums, weights, values)) in term order."""
        for term, postings in groupby(self._items, key=itemgetter(0, 1)):
            docnums, weights, values = array("I"), array("d"), []
            for _, _, docnum, weight, value in postings:
                docnums.append(docnum)
                weights.append(weight)
                values.append(value or b"")  # None and b"" alike: Whoosh writes no value
            yield term, (docnums, weights, values)


def write_held(
    writer: W3FieldWriter, schema, lengths, held: HeldPostings | StreamedPostings | MergedPostings
) -> None:
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
        # only fields queries score (not ids, paths, numbers), only terms long enough to gain
        if schema[fieldname].scorable and count >= plainpostings.MIN_POSTINGS:
            if type(schema[fieldname].format) is Positions:  # for phrases
                plainpositions.write(writer._postfile, values)
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
    if lengths is not None and not isinstance(lengths, W3PerDocReader):
        # lengths of several readers (Whoosh's merge of sub-segments): Whoosh's own way
        base.FieldWriter.add_postings(self, schema, lengths, items)
        return
    if not isinstance(items, HeldPostings | StreamedPostings | MergedPostings):
        items = StreamedPostings(iter(items))
    write_held(self, schema, lengths, items)


WHOOSH_ADD_DOCUMENT = writing.SegmentWriter.add_document
"""Whoosh's own, kept for the tests that compare the two."""


def _add_document(self: writing.SegmentWriter, **fields) -> None:
    """Whoosh's ``SegmentWriter.add_document``, step for step, but a ``CompactPool`` takes
    each field's postings at once (``add_field``): the call and tuple per posting are a
    sizeable share of indexing time (``benchmarks/hotspots.py index`` profiles it).
    (Spelling words, which msearch's fields do not have, get no value; Whoosh passes the
    last posting's by mistake.)"""
    self._check_state()
    perdocwriter, schema, docnum = self.perdocwriter, self.schema, self.docnum
    add_post = self.pool.add
    add_field = getattr(self.pool, "add_field", None)
    docboost = self._doc_boost(fields)
    fieldnames = sorted([name for name in fields if not name.startswith("_")])
    self._check_fields(schema, fieldnames)
    perdocwriter.start_doc(docnum)
    for fieldname in fieldnames:
        value = fields.get(fieldname)
        if value is None:
            continue
        field = schema[fieldname]
        length = 0
        if field.indexed:
            boost = self._field_boost(fields, fieldname, docboost)
            items = field.index(value)
            if add_field is not None:
                length = add_field(fieldname, docnum, items, boost, field.scorable)
            else:
                for tbytes, freq, weight, vbytes in items:
                    if field.scorable:
                        length += freq
                    add_post((fieldname, tbytes, docnum, weight * boost, vbytes))
        if field.separate_spelling():
            spellfield = field.spelling_fieldname(fieldname)
            for word in field.spellable_words(value):
                add_post((spellfield, word.encode("utf-8"), 0, 1, b""))
        if field.vector:
            vitems = field.vector.word_values(value, field.analyzer, mode="index")
            vitems = sorted((text, weight, vbytes) for text, _, weight, vbytes in vitems)
            perdocwriter.add_vector_items(fieldname, field, vitems)
        customval = fields.get(f"_stored_{fieldname}", value)
        perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
        column = field.column_type
        if column and customval is not None:
            perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
    perdocwriter.finish_doc()
    self._added = True
    self.docnum += 1


def install() -> None:
    """Make every Whoosh segment writer in this process (and the writing processes it
    starts) hold postings in ``CompactPool``, hand it each field's postings at once and
    write them with ``write_held``. ``SegmentWriter`` creates its pool by this module-level
    name and ignores its own ``poolclass`` argument."""
    writing.PostingPool = CompactPool
    writing.SegmentWriter.add_document = _add_document
    W3FieldWriter.add_postings = _add_postings
