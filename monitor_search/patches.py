"""Mends for Whoosh 2.7, applied once on import: a bug that changes answers and a hot spot
that made indexing slow. Whoosh is unmaintained upstream, so they are fixed here; each has a
test (``tests/test_postings.py``) or a measured figure (``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocReader
from whoosh.matching.binary import AndNotMatcher
from whoosh.util.numeric import byte_to_length

LENGTH_OF_CODE = [byte_to_length(code) for code in range(256)]
"""Field length for each one-byte length code Whoosh stores."""


def _find_first(self: AndNotMatcher) -> None:
    """Skip excluded documents from the start. Whoosh's version only checks whether both
    postings start on the same document, so when the excluded word's postings start earlier
    the first match is kept even if it holds the excluded word (``pipeline NOT Russia``
    returned an article about a pipeline in Russia)."""
    if self.a.is_active() and self.b.is_active():
        self._find_next()


def length_codes(perdoc: W3PerDocReader, fieldname: str) -> bytes | None:
    """A segment's one-byte length code of ``fieldname`` for each document (documents past
    the end have code 0), read in one piece the first time; None if the segment has none."""
    cache = perdoc.__dict__.setdefault("_msearch_length_codes", {})
    if fieldname not in cache:
        column = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
        cache[fieldname] = (
            None if column is None else column._dbfile.get(column._basepos, column._count)
        )
    return cache[fieldname]


def _doc_field_length(self: W3PerDocReader, docnum: int, fieldname: str, default=0):
    """Whoosh's answer, from ``length_codes``. Whoosh read the length file anew (a seek and a
    read) for every posting it wrote: a seventh of all indexing time."""
    if docnum > self._doccount:
        raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
    codes = length_codes(self, fieldname)
    if codes is None:
        return default
    code = codes[docnum] if docnum < len(codes) else 0
    return LENGTH_OF_CODE[code] if code else None  # None for 0, as Whoosh returns


AndNotMatcher._find_first = _find_first
W3PerDocReader.doc_field_length = _doc_field_length
