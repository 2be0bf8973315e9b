"""Whoosh 2.7.4's numeric columns read whole, one read per segment.

Whoosh reads a column value through four layers of Python objects and a seek and a read
per document (some 5 microseconds); a timeline or facet counts every match, tens of
thousands of them in a large archive. ``numeric_values`` gives the same values as Whoosh's
column reader, from each segment's column read in one piece.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable

from whoosh.columns import NumericColumn


def numeric_values(reader, fieldname: str, docnums: Iterable[int]) -> list[int]:
    """The value of the integer field ``fieldname`` in each of ``docnums`` (in order), as
    ``reader.column_reader(fieldname)[docnum]`` gives it (its default for articles without
    one)."""
    field = reader.schema[fieldname]
    offset = (1 << (field.bits - 1)) if field.signed else 0  # NUMERIC stores x + offset
    raw = array("q")
    for segment, _ in reader.leaf_readers():
        raw.extend(_raw_column(segment, fieldname))
    return [raw[docnum] - offset for docnum in docnums]


def _raw_column(segment, fieldname: str) -> Iterable[int]:
    """A segment's stored column values, one per document, before Whoosh translates them."""
    column = segment.column_reader(fieldname, translate=False)
    count = segment.doc_count_all()
    if not isinstance(column, NumericColumn.Reader) or array(column._typecode).itemsize != (
        column._fixedlen
    ):
        return [column[docnum] for docnum in range(count)]
    values = array(
        column._typecode, column._dbfile.get(column._basepos, column._count * column._fixedlen)
    )
    if sys.byteorder == "little":  # Whoosh writes them big-endian
        values.byteswap()
    return [*values, *[column._default] * (count - len(values))]
