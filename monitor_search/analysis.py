"""How article text becomes index terms (Whoosh analyzers).

The same analyzer runs at index time and at query time, so whatever folding it does
(case, accents, stemming) makes a query word meet every spelling that folds alike.
Changing anything here changes the terms on disk: bump ``SCHEMA_VERSION`` in ``schema.py``.
"""

from __future__ import annotations

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.support.charset import accent_map

WORD_PATTERN = r"\w+(?:\.?\w+)*"
"""A word: letters and digits, with inner dots kept (``U.S``); hyphens and apostrophes split,
so ``Nagorno-Karabakh`` is found by ``Karabakh`` and ``Azerbaijan's`` by ``Azerbaijan``."""


def text_analyzer() -> Analyzer:
    """Prose fields: words, lower case, accents folded (``détente`` = ``detente``), English
    stop words dropped, Porter stems (``treaties`` = ``treaty``)."""
    return (
        RegexTokenizer(WORD_PATTERN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(minsize=2)
        | StemFilter(cachesize=-1)
    )


def name_analyzer() -> Analyzer:
    """Names (publications, news agencies): words folded for case and accents, not stemmed,
    no stop words, so ``source:Interfax`` and ``publication:"Eurasia Daily Monitor"`` match."""
    return RegexTokenizer(WORD_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)


def fold_key(value: str) -> str:
    """A name as an exact-match key: case, accents and spacing folded (for filters, facets)."""
    tokens = name_analyzer()(value)
    return " ".join(token.text for token in tokens)
