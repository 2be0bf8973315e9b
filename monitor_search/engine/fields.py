"""Field types that index through ``analysis.terms``: one pass per field, Whoosh's formats.

Each field yields the postings its Whoosh counterpart would (``tests/test_fastindex.py``
compares them): terms, frequencies, weights and the value bytes of Whoosh's ``Positions``
and ``Frequency`` formats.
"""

from __future__ import annotations

from itertools import pairwise
from pickle import dumps

from whoosh.columns import CompressedBytesColumn
from whoosh.fields import COLUMN, TEXT
from whoosh.system import pack_uint

from monitor_search.analysis.terms import encode_counts, name_counts, remembered_positions


class FastText(TEXT):
    """A TEXT field (positions, for phrases) indexed through ``text_positions``; its value
    may also be a (headline, body) pair, indexed as ``article_positions``."""

    def index(self, value, **kwargs):
        boost = self.format.field_boost
        for term, positions in remembered_positions(value).items():
            yield term.encode("utf-8"), len(positions), len(positions) * boost, _encode(positions)


def _encode(positions: list[int]) -> bytes:
    """``Positions.encode`` (the count, then the pickled gaps); a single position's value,
    the most common, is remembered."""
    if len(positions) == 1:
        value = _ONE_POSITION.get(positions[0])
        if value is None:
            value = pack_uint(1) + dumps(positions, 2)
            if positions[0] < _REMEMBERED_POSITIONS:
                _ONE_POSITION[positions[0]] = value
        return value
    gaps = [positions[0], *(b - a for a, b in pairwise(positions))]
    return pack_uint(len(positions)) + dumps(gaps, 2)


_ONE_POSITION: dict[int, bytes] = {}
"""Position -> ``_encode([position])``: most postings are a word met once in its article."""
_REMEMBERED_POSITIONS = 50_000
"""Positions beyond this (articles longer than any seen) are encoded anew each time."""


class FastNames(TEXT):
    """The ``names`` field (frequencies only) indexed through ``name_counts``."""

    def __init__(self, analyzer):
        super().__init__(analyzer=analyzer, phrase=False)

    def index(self, value, **kwargs):
        boost = self.format.field_boost
        for term, count in name_counts(value).items():
            yield term.encode("utf-8"), count, count * boost, pack_uint(count)


class TermCounts(COLUMN):
    """A column of each article's body term counts (``encode_counts``), given the body
    field's value.

    Feedback re-ranking needs the term counts of the best articles; recomputing them from
    their text would be the largest part of a query's time (a fresh process stems every word
    anew). Whoosh indexes fields in name order, so the body's positions are
    still remembered when this column asks for them: no second analysis at indexing time.
    """

    def __init__(self):
        super().__init__(CompressedBytesColumn(level=1))

    def to_column_value(self, value):
        return encode_counts(remembered_positions(value))
