"""Fixes for Whoosh 2.7 bugs that change answers, applied once on import.

Whoosh is unmaintained upstream, so its bugs are mended here rather than waited on; each fix
has a test that fails without it.
"""

from __future__ import annotations

from whoosh.matching.binary import AndNotMatcher


def _find_first(self: AndNotMatcher) -> None:
    """Skip excluded documents from the start. Whoosh's version only checks whether both
    postings start on the same document, so when the excluded word's postings start earlier
    the first match is kept even if it holds the excluded word (``pipeline NOT Russia``
    returned an article about a pipeline in Russia)."""
    if self.a.is_active() and self.b.is_active():
        self._find_next()


AndNotMatcher._find_first = _find_first
