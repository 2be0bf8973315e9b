"""Each term's positions, stored plainly just before its plain postings.

A phrase must look at the positions of every article that has all its words, and Whoosh
keeps them inside its compressed posting blocks, one pickled list per posting: reading them
costs Python work for every posting, and a phrase of common words grows with the archive.

So ``pool.write_held`` writes, just before a term's plain postings (``plainpostings``), the
position count of each posting (4 bytes each, big-endian, as Whoosh stores it in front of
each value) and the gaps between positions of all postings as one run of pickle opcodes,
compressed together, then the posting count, the compressed size and a mark::

    [zlib(counts + gaps)][count][size][b"MSPO"][plain postings][Whoosh's]

The gaps are what Whoosh's ``Positions`` values hold already (a protocol-2 pickled list of
integers each), cut out of them without decoding: ``read`` unpickles all of a term's gaps in
one call, and ``keys`` turns them into (article, position) keys with C-level iteration only.
A term without them (no plain postings, a segment written by an earlier version) gives None
and is read from Whoosh's blocks; the mark, a count equal to the term's document frequency
and a number of gaps equal to the sum of the counts tell the two apart.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from itertools import accumulate, chain, islice, repeat
from operator import add, itemgetter, sub
from pickle import UnpicklingError, loads

from monitor_search.engine import plainpostings

MARK = b"MSPO"
TAIL = struct.Struct("<II4s")
KEY_SHIFT = 32
"""A key is ``docnum << KEY_SHIFT | position``: the key of the next word in the same
article is one more, and no article has 2**32 words."""
_PICKLED_LIST = b"\x80\x02]q\x00"
"""How ``pickle.dumps(list, 2)`` starts: protocol, empty list, memo slot 0."""
_COUNT = itemgetter(slice(0, 4))
_OPENING = itemgetter(slice(4, 4 + len(_PICKLED_LIST)))
_MARK_OPCODE = ord("(")
_LITTLE = sys.byteorder == "little"


def write(postfile, values: list[bytes]) -> None:
    """Append the positions of a term's postings (``values``: Whoosh ``Positions`` values,
    a 4-byte count then the pickled gaps) at the current position of ``postfile``, just
    before its plain postings. Values shaped otherwise leave the term without them."""
    if not all(map(_PICKLED_LIST.__eq__, map(_OPENING, values))):
        return
    start = 4 + len(_PICKLED_LIST)
    # one gap: the integer then APPEND and STOP; several: MARK, the integers, APPENDS, STOP
    gaps = b"".join(
        [
            value[start + 1 : -2] if value[start] == _MARK_OPCODE else value[start:-2]
            for value in values
        ]
    )
    packed = zlib.compress(b"".join(map(_COUNT, values)) + gaps, 1)
    postfile.write(packed + TAIL.pack(len(values), len(packed), MARK))


def read(postfile, terminfo) -> tuple[array, list[int]] | None:
    """(position count of each posting, the gaps of all postings in order) of the term whose
    Whoosh postings ``terminfo`` locates, or None if they were not stored plainly."""
    end = plainpostings.start_of(postfile, terminfo)
    if end is None or end < TAIL.size:
        return None
    count, packed, mark = TAIL.unpack(postfile.get(end - TAIL.size, TAIL.size))
    if mark != MARK or count != terminfo.doc_frequency() or packed > end - TAIL.size:
        return None
    try:
        data = zlib.decompress(postfile.get(end - TAIL.size - packed, packed))
        counts = array("I", data[: 4 * count])
        gaps = loads(b"\x80\x02](" + data[4 * count :] + b"e.")
    except (zlib.error, UnpicklingError, ValueError, EOFError):
        return None
    if _LITTLE:
        counts.byteswap()
    if len(counts) != count or not isinstance(gaps, list) or sum(counts) != len(gaps):
        return None  # damaged: Whoosh's blocks are read (and judged) instead
    return counts, gaps


def keys(docnums, counts: array, gaps: list[int]) -> Iterator[int]:
    """The (article, position) key of every position of the postings ``docnums`` (as
    ``read`` gives their counts and gaps), in order, as they are iterated (there are
    ``len(gaps)`` of them).

    Positions are the gaps added up within each posting; here they are added up over all
    postings at once, and each posting's key offset (its article's ``docnum << KEY_SHIFT``
    less the running sum before its first gap) is repeated for each of its positions."""
    running = list(accumulate(gaps))
    ends = islice(accumulate(counts), len(counts) - 1)
    before = chain((0,), map(running.__getitem__, map((-1).__add__, ends)))
    offsets = map(sub, map((1 << KEY_SHIFT).__mul__, docnums), before)
    return map(add, running, chain.from_iterable(map(repeat, offsets, counts)))


def keys_among(docnums, counts: array, gaps: list[int], wanted: list[int]) -> list[int]:
    """The keys of ``keys`` that belong to the sorted ``wanted`` articles, in order: the
    positions added up in C as there, each wanted posting's found by a binary search."""
    running = list(accumulate(gaps))
    starts = list(accumulate(counts, initial=0))
    found: list[int] = []
    at, end = 0, len(docnums)
    for docnum in wanted:
        at = bisect_left(docnums, docnum, at)
        if at < end and docnums[at] == docnum:
            start = starts[at]
            offset = (docnum << KEY_SHIFT) - (running[start - 1] if start else 0)
            found.extend(map(offset.__add__, running[start : starts[at + 1]]))
    return found


def keys_of(found) -> list[int]:
    """The keys of (docnum, positions) pairs, as Whoosh's blocks give them."""
    result: list[int] = []
    for docnum, positions in found:
        result.extend(map((docnum << KEY_SHIFT).__add__, positions))
    return result
