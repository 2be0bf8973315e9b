"""Whoosh's posting blocks, written with fewer Python calls and a smaller pickle.

A block of the ``whoosh3`` codec is its length, a pickled tuple of statistics and the
pickled, zlib-compressed tuple of its document number gaps, weights and values. Whoosh
pickles that tuple with protocol 2, which on Python 3 writes each value (``bytes``) as a
call of ``codecs.encode`` on a text copy of it: every posting of a field with positions
costs a function call to write and another to read, and the pickle is half as large again
before compression. ``write_block`` pickles the same tuple with protocol 4, where bytes
are bytes, and computes the gaps and the weights' summary in C loops: Whoosh's readers
load the same tuple (``tests/test_blocks.py``), an index written either way reads the
same, and its postings file is about a third smaller (``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

import zlib
from operator import sub
from pickle import dumps

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3PostingsWriter
from whoosh.util.numeric import length_to_byte

DATA_PROTOCOL = 4
"""Pickle protocol of a block's data tuple: the lowest that writes bytes as bytes (every
Python msearch runs on reads it)."""
INFO_PROTOCOL = 2
"""Pickle protocol of a block's statistics, as Whoosh writes them (numbers only)."""

WHOOSH_WRITE_BLOCK = W3PostingsWriter._write_block
"""Whoosh's own, kept for the tests that compare the two."""


def write_block(self: W3PostingsWriter, last: bool = False) -> None:
    """``W3PostingsWriter._write_block``: the buffered block's statistics added to its term
    and the block written at the end of the postings file (its length negative when
    ``last``), then a new block begun."""
    postfile = self._postfile
    if not self._blockcount:
        postfile.write(WHOOSH3_HEADER_MAGIC)
    self._terminfo.add_block(self)
    ids = self._ids
    gaps = tuple(ids) if self._byteids else _gaps(ids)
    data = dumps((gaps, _weights(self._weights), self._mini_values()), DATA_PROTOCOL)
    compression = self._compression
    if compression:
        data = zlib.compress(data, compression)
    lengths = length_to_byte(self._minlength), length_to_byte(self._maxlength)
    info = dumps((len(ids), ids[-1], self._maxweight, compression, *lengths), INFO_PROTOCOL)
    length = len(info) + len(data)
    postfile.write_int(-length if last else length)
    postfile.write(info)
    postfile.write(data)
    self._blockcount += 1
    self._new_block()


def _gaps(ids) -> tuple[int, ...]:
    """Each document number less the one before it (the first as it is), as Whoosh's
    ``delta_encode`` gives them."""
    return (ids[0], *map(sub, ids[1:], ids))


def _weights(weights) -> float | tuple[float, ...] | None:
    """Whoosh's summary of a block's weights: None when all are 1.0, the one weight when all
    are equal, else every weight."""
    count = len(weights)
    if weights.count(1.0) == count:
        return None
    first = weights[0]
    return first if weights.count(first) == count else tuple(weights)


def install() -> None:
    """Make every ``whoosh3`` postings writer in this process write its blocks so."""
    W3PostingsWriter._write_block = write_block
