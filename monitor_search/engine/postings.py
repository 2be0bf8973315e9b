"""A searcher's postings read straight from Whoosh 2.7.4's files, segment by segment.

Whoosh reads postings through a tree of matcher objects, several Python calls per posting.
``SegmentPostings`` reads each term's document numbers and weights in one piece
(``plainpostings``, or Whoosh's blocks for segments without them) and keeps them for the
searcher's life; positions come in one piece too (``plainpositions``), or from the blocks
that hold the articles asked for.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from itertools import accumulate
from pickle import loads

from whoosh.codec.whoosh3 import W3LeafMatcher, W3TermInfo
from whoosh.formats import Positions
from whoosh.system import _INT_SIZE

from monitor_search.engine import plainpositions, plainpostings
from monitor_search.engine.patches import doc_frequencies, keys_with_prefix, length_codes

FEW_WANTED = 128
"""A phrase decodes all of a word's plain positions in a segment unless fewer than one of
its articles in this many is wanted: then the few posting blocks that hold a wanted
article (a block holds 128) cost less."""


SOME_WANTED = 4
"""...and when fewer than one in this many is wanted, only the wanted articles' positions
are made keys (the phrase then intersects fewer)."""


class Unsupported(Exception):
    """The query holds a part this module does not evaluate; Whoosh must."""


def doc_frequency(searcher, field: str, text: str | bytes, limit: float | None = None) -> int:
    """How many articles have ``text`` in ``field``, counted segment by segment (a term
    lookup in each) and remembered by the searcher: feedback checks a word's count and then
    scores with its idf, and a large archive has many segments. With a
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


def terms_with_prefix(reader, field: str, prefix: str) -> set[str]:
    """Every word of ``field`` in the index that starts with ``prefix``, in no order: each
    segment's term table read in one piece over the range of such words
    (``patches.keys_with_prefix``), without Whoosh's merge of the segments' sorted words and
    its generators around each."""
    found: set[bytes] = set()
    for segment, _ in reader.leaf_readers():
        terms = getattr(segment, "_terms", None)  # none: an empty index
        if terms is None or field not in terms._fieldmap:
            continue
        start = terms._keycoder(field, prefix.encode("utf-8"))
        field_code = len(terms._keycoder(field, b""))
        found.update(key[field_code:] for key in keys_with_prefix(terms._tindex, start))
    return {key.decode("utf-8") for key in found}


class SegmentPostings:
    """The postings of one searcher's index, segment by segment; what is read is kept."""

    def __init__(self, searcher):
        self.schema = searcher.schema
        self.segments = searcher.reader().leaf_readers()
        """(segment reader, base): a segment's documents are numbered from its base."""
        self.bases = [base for _, base in self.segments]
        self.sizes = [reader.doc_count_all() for reader, _ in self.segments]
        """How many documents each segment numbers, deleted ones included."""
        self.document_count = searcher.doc_count_all()
        """Articles in the index, deleted ones included."""
        self.deleted: list[frozenset[int]] = [
            frozenset(reader._perdoc.deleted_docs()) if reader.has_deletions() else frozenset()
            for reader, _ in self.segments
        ]
        """Per segment, the segment-local numbers of its deleted documents."""
        self._infos: dict[tuple[int, str, bytes], W3TermInfo | None] = {}
        self._read: dict[tuple[int, str, bytes], tuple | None] = {}

    def live(self, among: set[int] | None = None) -> set[int]:
        """Every article not deleted (of ``among`` if given)."""
        if among is not None:
            return among.difference(
                *(map(base.__add__, d) for base, d in zip(self.bases, self.deleted, strict=True))
            )
        found: set[int] = set()
        for (reader, base), deleted in zip(self.segments, self.deleted, strict=True):
            found.update(range(base, base + reader.doc_count_all()))
            found.difference_update(map(base.__add__, deleted))
        return found

    def locate(self, docnums: Iterable[int]) -> list[list[int]]:
        """Per segment, the sorted segment-local numbers of ``docnums``."""
        ordered = sorted(docnums)
        bounds = [bisect_right(ordered, base - 1) for base in self.bases] + [len(ordered)]
        return [
            [docnum - base for docnum in ordered[start:end]]
            for base, start, end in zip(self.bases, bounds, bounds[1:], strict=False)
        ]

    def segment_of(self, docnum: int) -> tuple[int, int]:
        """(segment number, segment-local number) of article ``docnum``."""
        number = bisect_right(self.bases, docnum) - 1
        return number, docnum - self.bases[number]

    def term_bytes(self, field: str, text: str) -> bytes:
        return self.schema[field].to_bytes(text)

    def term_info(self, number: int, field: str, tbytes: bytes) -> W3TermInfo | None:
        """The term's information in segment ``number`` (None if it has none), read once."""
        key = (number, field, tbytes)
        if key not in self._infos:
            terms = getattr(self.segments[number][0], "_terms", None)  # none: an empty index
            stored = None if terms is None else terms._tindex.get(terms._keycoder(field, tbytes))
            self._infos[key] = None if stored is None else W3TermInfo.from_bytes(stored)
        return self._infos[key]

    def arrays(self, number: int, field: str, tbytes: bytes) -> tuple | None:
        """(ids, weights) of the term's postings in segment ``number`` (None if it has none),
        read once; Whoosh's blocks, in segments without plain postings, joined into one pair
        of arrays."""
        key = (number, field, tbytes)
        if key not in self._read:
            info = self.term_info(number, field, tbytes)
            reader = self.segments[number][0]
            self._read[key] = None if info is None else _read_postings(reader, field, tbytes, info)
        return self._read[key]

    def position_keys(
        self, number: int, field: str, word: str, wanted: list[int]
    ) -> tuple[int, Iterable[int]]:
        """(how many, the keys) of the word's (article, position) keys in segment
        ``number`` (``plainpositions.keys``, segment-local numbers): of all its postings when
        it stores them plainly (only the wanted articles' when they are few of them), else
        (or when the sorted local ``wanted`` articles are too few to be worth decoding every
        posting) of the wanted articles alone, from the posting blocks that hold one."""
        tbytes = self.term_bytes(field, word)
        info = self.term_info(number, field, tbytes)
        if info is None:
            return 0, ()
        reader = self.segments[number][0]
        if len(wanted) * FEW_WANTED > info.doc_frequency():
            plain = self.plain_positions(number, field, word)
            if plain is not None:
                ids, counts, gaps = plain
                if len(wanted) * SOME_WANTED < len(ids):
                    found = plainpositions.keys_among(ids, counts, gaps, wanted)
                    return len(found), found
                return len(gaps), plainpositions.keys(ids, counts, gaps)
        found = plainpositions.keys_of(_positions_of(reader, field, tbytes, wanted))
        return len(found), found

    def plain_positions(self, number: int, field: str, word: str) -> tuple | None:
        """(ids, position counts, gaps: ``plainpositions.read``) of all the word's postings
        in segment ``number``, None if it has none or they are not stored plainly."""
        tbytes = self.term_bytes(field, word)
        info = self.term_info(number, field, tbytes)
        if info is None:
            return None
        plain = plainpositions.read(self.segments[number][0]._terms._postfile, info)
        ids = None if plain is None else self.arrays(number, field, tbytes)[0]
        return None if ids is None or len(ids) != len(plain[0]) else (ids, *plain)

    def length_codes(self, field: str, number: int) -> tuple[bytes, bool]:
        """Segment ``number``'s one-byte length code of ``field`` for each document, and
        whether the segment has no lengths for it at all (then all codes are 0)."""
        reader = self.segments[number][0]
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
    ids, weights, _ = read_blocks(matcher)
    return ids, weights


def read_blocks(matcher: W3LeafMatcher, *, values: bool = False) -> tuple[array, array, list]:
    """(ids, weights, values) of every posting block of the matcher's term, the weights as
    Whoosh stores them (4 bytes); the values only if asked for (else an empty list)."""
    ids, weights, found_values = array("I"), array("f"), []
    while True:
        matcher._read_weights()
        ids.extend(block_ids(matcher))
        weights.extend(matcher._weights)
        if values:
            matcher._read_values()
            found_values.extend(matcher._values)
        if matcher._lastblock:
            return ids, weights, found_values
        matcher._goto(matcher._nextoffset)


def weights_of(ids, weights, wanted: list[int]) -> list[tuple[int, float]]:
    """(docnum, weight) of the sorted ``wanted`` documents that are among the postings
    ``ids``: a binary search for each when they are few (under a quarter of the postings),
    else one dictionary of all the postings."""
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
            value_of = dict(zip(block_ids(matcher), matcher._values, strict=True))
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


def block_ids(matcher: W3LeafMatcher):
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
    lists at once; one ``loads`` per posting would dominate a phrase query. Any value
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
