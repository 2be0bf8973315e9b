"""Whoosh 2.7.4's numeric and byte-string columns read whole, one read per segment.

Whoosh reads a column value through four layers of Python objects and a seek and a read
per document (some 5 microseconds); a timeline or facet counts every match, tens of
thousands of them in a large archive. ``numeric_values`` gives the same values as Whoosh's
column reader, from each segment's column read in one piece (some 40 nanoseconds a
document), or through Whoosh's reader when the documents asked for are few.
``live_bytes_values`` gives every live article's bytes of a byte-string column (an index
run reads every article's path and signature), sliced from each segment's column read whole.
"""

from __future__ import annotations

import sys
from array import array
from collections import Counter
from collections.abc import Collection
from itertools import accumulate

from whoosh.columns import NumericColumn, VarBytesColumn

WHOLE_FROM = 1 / 100
"""Columns are read whole when the documents asked for are at least this share of the
index (a whole column costs about what Whoosh's reader takes for one document in 100)."""


def numeric_values(reader, fieldname: str, docnums: Collection[int]) -> list[int]:
    """The value of the integer field ``fieldname`` in each of ``docnums`` (in order), as
    ``reader.column_reader(fieldname)[docnum]`` gives it (its default for articles without
    one)."""
    if not _read_whole(reader, fieldname, docnums):
        column = reader.column_reader(fieldname)
        return [column[docnum] for docnum in docnums]
    raw, offset = _whole_raw_column(reader, fieldname)
    return [raw[docnum] - offset for docnum in docnums]


def numeric_value_counts(reader, fieldname: str, docnums: Collection[int]) -> Counter[int]:
    """How many of ``docnums`` have each value of the integer field ``fieldname``: the
    ``Counter`` of ``numeric_values``, without a list of one value per document."""
    if not _read_whole(reader, fieldname, docnums):
        return Counter(numeric_values(reader, fieldname, docnums))
    raw, offset = _whole_raw_column(reader, fieldname)
    return Counter(
        {value - offset: n for value, n in Counter(map(raw.__getitem__, docnums)).items()}
    )


def _read_whole(reader, fieldname: str, docnums: Collection[int]) -> bool:
    """Whether the column is read whole for ``docnums``: enough of them, and an integer field
    of up to 32 bits (whose raw values an ``array("q")`` holds)."""
    field = reader.schema[fieldname]
    whole = len(docnums) >= WHOLE_FROM * reader.doc_count_all()
    return whole and field.numtype is int and not field.decimal_places and field.bits <= 32


def _whole_raw_column(reader, fieldname: str) -> tuple[array, int]:
    """Every document's stored value of the (up to 32-bit) integer field, before Whoosh
    translates it, and what to subtract to translate it."""
    field = reader.schema[fieldname]
    offset = (1 << (field.bits - 1)) if field.signed else 0  # NUMERIC stores x + offset
    raw = array("q")
    for segment, base in reader.leaf_readers():
        assert len(raw) == base, "segments are numbered one after the other"
        _add_raw_column(raw, segment, fieldname)
    return raw, offset


def _add_raw_column(raw: array, segment, fieldname: str) -> None:
    """Append to ``raw`` a segment's stored column values, one per document, before Whoosh
    translates them (no list of them is made: a column has one per article)."""
    column = segment.column_reader(fieldname, translate=False)
    count = segment.doc_count_all()
    if not isinstance(column, NumericColumn.Reader) or array(column._typecode).itemsize != (
        column._fixedlen
    ):
        raw.extend(column[docnum] for docnum in range(count))
        return
    values = array(
        column._typecode, column._dbfile.get(column._basepos, column._count * column._fixedlen)
    )
    if sys.byteorder == "little":  # Whoosh writes them big-endian
        values.byteswap()
    raw.extend(iter(values))
    raw.extend([column._default] * (count - len(values)))


def live_bytes_values(reader, fieldname: str) -> list[bytes]:
    """The raw bytes of the column ``fieldname`` (before Whoosh translates them) of every
    article not deleted, in document order (``b""`` for an article without one)."""
    values: list[bytes] = []
    for segment, _ in reader.leaf_readers():
        column = segment.column_reader(fieldname, translate=False)
        count = segment.doc_count_all()
        if isinstance(column, VarBytesColumn.Reader):
            lengths = column._lengths
            ends = list(accumulate(lengths))
            data = column._dbfile.get(column._basepos, ends[-1] if ends else 0)
            whole = [data[end - length : end] for end, length in zip(ends, lengths, strict=True)]
        else:
            whole = [column[docnum] for docnum in range(count)]
        if segment.has_deletions():
            deleted = set(segment._perdoc.deleted_docs())
            whole = [value for docnum, value in enumerate(whole) if docnum not in deleted]
        values.extend(whole)
    return values
