"""How article text becomes index terms (Whoosh analyzers).

The same analyzer runs at index time and at query time, so whatever folding it does
(case, accents, stemming) makes a query word meet every spelling that folds alike.
Changing anything here changes the terms on disk: bump ``SCHEMA_VERSION`` in ``index/schema.py``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from whoosh.analysis import (
    STOP_WORDS,
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    Token,
    Tokenizer,
)
from whoosh.lang.porter import stem as porter_stem
from whoosh.support.charset import accent_map

from monitor_search.analysis.names import LONG_KEY, NAME_MARK, name_key

WORD_PATTERN = r"\w+(?:\.?\w+)*"
"""A word: letters and digits, with inner dots kept (``U.S``); hyphens and apostrophes split,
so ``Nagorno-Karabakh`` is found by ``Karabakh`` and ``Azerbaijan's`` by ``Azerbaijan``."""


def text_analyzer() -> Analyzer:
    """Prose fields: words as ``index_term`` makes them (stop words dropped, positions of
    the others in a row)."""
    return RegexTokenizer(WORD_PATTERN) | IndexTermFilter()


def fold(word: str) -> str:
    """A word in lower case with its accents folded (``Détente`` -> ``detente``)."""
    return word.lower().translate(accent_map)


_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN_LETTER = re.compile("[a-z]")
"""The Russian stemmer reads Latin letters as its transliteration of Cyrillic ones and turns
them into Cyrillic: a word that mixes the two alphabets is left to Porter's rules."""


@lru_cache(maxsize=500_000)
def index_term(word: str) -> str:
    """The index term of one word, the same at index and at query time; "" for a stop word.

    Lower case, accents folded, then stemmed: Cyrillic words by the Russian Snowball rules
    (``нефтепровода`` = ``нефтепровод``), others (and words mixing the two alphabets) by
    Porter's (``treaties`` = ``treaty``).
    English stop words and one-letter words have no term, but a stop word written in
    capitals is an acronym and is kept as written (``US``, ``IT``, ``WHO``). Capitals
    joined by dots are the same acronym: ``U.S`` = ``US``, ``U.N`` = ``UN``."""
    if "." in word and _is_initialism(word):
        word = word.replace(".", "")
    folded = fold(word)
    if len(folded) < 2:
        return ""
    if folded in STOP_WORDS:
        return word if word.isupper() else ""
    if _CYRILLIC.search(folded) and not _LATIN_LETTER.search(folded):
        return _russian().stem(folded.replace("ё", "е"))
    return porter_stem(folded)


def _is_initialism(word: str) -> bool:
    """Single capital letters joined by dots (``U.S``, ``E.U``), as wire copy writes acronyms."""
    letters = word.split(".")
    return len(letters) > 1 and all(len(letter) == 1 and letter.isupper() for letter in letters)


@lru_cache(maxsize=1)
def _russian():
    from whoosh.lang.snowball.russian import RussianStemmer

    return RussianStemmer()


class IndexTermFilter(Filter):
    """Each token as its ``index_term``; stop words dropped (or, with ``removestops=False``,
    marked stopped) and the positions of the words kept numbered in a row, as Whoosh's
    StopFilter numbers them."""

    def __eq__(self, other):
        return type(other) is type(self)

    def __call__(self, tokens):
        position = None
        for token in tokens:
            term = index_term(token.text)
            if term:
                if token.positions:
                    if position is None:
                        position = token.pos
                    else:
                        position += 1
                        token.pos = position
                token.text = term
                token.stopped = False
                yield token
            elif not token.removestops:
                token.text = fold(token.text)
                token.stopped = True
                yield token


def name_analyzer() -> Analyzer:
    """Names (publications, news agencies): words folded for case and accents, not stemmed,
    no stop words, so ``source:Interfax`` and ``publication:"Eurasia Daily Monitor"`` match."""
    return RegexTokenizer(WORD_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)


def fold_key(value: str) -> str:
    """A name as an exact-match key: case, accents and spacing folded (for filters, facets)."""
    tokens = name_analyzer()(value)
    return " ".join(token.text for token in tokens)


def name_key_analyzer() -> Analyzer:
    """Names folded by transliteration rules (``names.py``): at index time capitalised
    words (``name_kind``); at query time every word, since people type names in lower
    case."""
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
            kind = NAME if mode == "query" else name_kind(value, match)
            if kind is None:
                continue
            token.marked = kind == NAME
            token.text = token.original = match.group(0)
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token


NAME = "name"
"""A word written as a name: its key and its marked spelling are indexed."""
KEY_ONLY = "key"
"""A word that may be a name: only its key is indexed (it is no evidence that the archive
writes the word as a name)."""


_NOT_GIVEN = object()


def name_kind(text: str, match: re.Match, key: str | object | None = _NOT_GIVEN) -> str | None:
    """How a capitalised word (not a stop word) is indexed in the ``names`` field: NAME
    inside a sentence, or at its start when long enough that its key will not collide with
    an ordinary word's; KEY_ONLY when all in capitals (a headline's ``CHECHNYA``) or a short
    word opening a sentence (``Kiev said``); None for the others. ``key``: the word's
    ``name_key``, where the caller knows it already."""
    word = match.group(0)
    if not word[0].isupper() or word.lower() in STOP_WORDS:
        return None
    if word.isupper():
        return KEY_ONLY
    i = match.start() - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    inside_sentence = i >= 0 and text[i] not in ".!?:;\n\"“”«»'‘’([—–-"
    if inside_sentence:
        return NAME
    if key is _NOT_GIVEN:
        key = name_key(word)
    return NAME if len(key or "") >= LONG_KEY else KEY_ONLY


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
            if token.mode != "query" and token.marked:
                token.text = NAME_MARK + word.lower()
                yield token
