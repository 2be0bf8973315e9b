"""How article text becomes index terms (Whoosh analyzers).

The same analyzer runs at index time and at query time, so whatever folding it does
(case, accents, stemming) makes a query word meet every spelling that folds alike.
Changing anything here changes the terms on disk: bump ``SCHEMA_VERSION`` in ``schema.py``.
"""

from __future__ import annotations

import re

from whoosh.analysis import (
    STOP_WORDS,
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
    Tokenizer,
)
from whoosh.support.charset import accent_map

from .names import LONG_KEY, NAME_MARK, name_key

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


def name_key_analyzer() -> Analyzer:
    """Names folded by transliteration rules (``names.py``): at index time only capitalised
    words inside a sentence, so ordinary words are never keyed; at query time every word,
    since people type names in lower case."""
    return NameTokenizer() | NameKeyFilter()


class NameTokenizer(Tokenizer):
    """Words that look like names: capitalised, not all capitals, not opening a sentence."""

    def __init__(self):
        self.expression = re.compile(WORD_PATTERN)

    def __eq__(self, other):
        return type(other) is type(self)

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, match in enumerate(self.expression.finditer(value)):
            if mode != "query" and not is_name_at(value, match):
                continue
            token.text = token.original = match.group(0)
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


def is_name_at(text: str, match: re.Match) -> bool:
    """Capitalised, not all capitals, not a stop word; inside a sentence, or at its start
    when long enough that its key will not collide with an ordinary word's."""
    word = match.group(0)
    if not word[0].isupper() or word.isupper() or word.lower() in STOP_WORDS:
        return False
    i = match.start() - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    inside_sentence = i >= 0 and text[i] not in ".!?:;\n\"“”«»'‘’([—–-"
    return inside_sentence or len(name_key(word) or "") >= LONG_KEY


class NameKeyFilter(Filter):
    """Each name as its transliteration key, plus (when indexing) its own spelling marked
    with NAME_MARK at the same position; words too short for a key are dropped."""

    def __call__(self, tokens):
        for token in tokens:
            word = token.text
            key = name_key(word)
            if not key:
                continue
            token.text = key
            yield token
            if token.mode != "query":
                token.text = NAME_MARK + word.lower()
                yield token
