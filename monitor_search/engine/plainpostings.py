"""Each term's document numbers and weights, stored plainly just before its Whoosh postings.

Whoosh's ``whoosh3`` codec pickles and compresses each block of 128 postings together with
their positions, and gives document numbers as gaps to add up: reading the postings of a
common word costs Python work for every posting, and it grows with the archive (in a large
archive, most of a two-word query's time). Scoring needs neither positions nor anything
else in those blocks: only which articles have the term and how often.

So ``pool.write_held`` writes, in the postings file just before a term's Whoosh postings,
its document numbers (``array("I")``) and weights (``array("f")``, the very values Whoosh
stores), compressed together, then their count, the compressed size and a mark::

    [zlib(docnums, 4 bytes each + weights, 4 bytes each)][count][size][b"MSPP"][Whoosh's]

Whoosh never reads before a term's start, so it reads the file as before; ``read`` gets both
arrays back in two reads and C-speed copies. (They are compressed at level 1 and left out
for rare terms, which keeps what they add to the index small.)
A term without them (fewer than MIN_POSTINGS postings in the segment, a segment written by an
earlier version, or by Whoosh's own pool after it spilled to disk) gives None and is read
from Whoosh's blocks; the mark and a count equal
to the term's document frequency tell the two apart.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array

MARK = b"MSPP"
MIN_POSTINGS = 32
"""Terms with fewer postings in a segment are left to Whoosh's blocks: one small block is
read quickly, and most terms are rare (writing every term's arrays would add a zlib call
for each of them at indexing time)."""
TAIL = struct.Struct("<II4s")
_SWAP = sys.byteorder != "little"
"""The arrays are stored little-endian whatever the machine."""


def write(postfile, docnums: array, weights) -> None:
    """Append a term's plain postings at the current position of ``postfile`` (just before
    Whoosh starts the term)."""
    ids = array("I", docnums)
    values = array("f", weights)
    if _SWAP:
        ids.byteswap()
        values.byteswap()
    packed = zlib.compress(ids.tobytes() + values.tobytes(), 1)
    postfile.write(packed + TAIL.pack(len(ids), len(packed), MARK))


def start_of(postfile, terminfo) -> int | None:
    """Where the term's plain postings start in ``postfile`` (what is stored before them,
    ``plainpositions``, ends there), or None if it has none."""
    found = _located(postfile, terminfo)
    return None if found is None else found[0]


def _located(postfile, terminfo) -> tuple[int, int] | None:
    """(start, compressed size) of the term's plain postings, None if it has none."""
    start = terminfo._offset
    if start is None or start < TAIL.size:  # None: postings kept in the terms file
        return None
    count, packed, mark = TAIL.unpack(postfile.get(start - TAIL.size, TAIL.size))
    if mark != MARK or count != terminfo.doc_frequency() or packed > start - TAIL.size:
        return None
    return start - TAIL.size - packed, packed


def read(postfile, terminfo) -> tuple[array, array] | None:
    """(document numbers, weights) of the term whose Whoosh postings ``terminfo`` locates,
    or None if they were not stored plainly."""
    found = _located(postfile, terminfo)
    if found is None:
        return None
    size = 4 * terminfo.doc_frequency()
    try:
        data = zlib.decompress(postfile.get(*found))
    except zlib.error:
        data = b""
    if len(data) != 2 * size:  # damaged: Whoosh's blocks are read (and judged) instead
        return None
    ids, weights = array("I"), array("f")
    ids.frombytes(data[:size])
    weights.frombytes(data[size:])
    if _SWAP:
        ids.byteswap()
        weights.byteswap()
    return ids, weights
