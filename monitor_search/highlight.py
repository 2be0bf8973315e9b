"""Pick the passages of an article that show why it matched, with the matched words marked.

Fragments are plain data (text plus character spans), so the terminal renderer can colour
them and the JSON writer can hand them on, neither knowing anything of Whoosh.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from whoosh import highlight as wh
from whoosh.analysis import Token

from .analysis import WORD_PATTERN
from .fastindex import possible_terms, term_if_possible
from .names import name_key

MAX_FRAGMENTS = 3
FRAGMENT_CHARS = 240
CONTEXT_CHARS = 70
_TAIL = 3
HIGHLIGHT_SCAN_CHARS = 200_000
"""Only this much of a very long article is scanned for passages (bounds time per hit)."""
_WORDS = re.compile(WORD_PATTERN)


@dataclass(frozen=True)
class Fragment:
    """A passage of an article; ``highlights`` are (start, end) offsets of matched words."""

    text: str
    highlights: tuple[tuple[int, int], ...] = ()
    starts_article: bool = False
    ends_article: bool = False


class _Collect(wh.Formatter):
    """A Whoosh formatter that returns fragments as data instead of marked-up strings."""

    def format(self, fragments, replace=False):
        return [_to_fragment(fragment) for fragment in fragments]


def _to_fragment(fragment) -> Fragment:
    start, end = fragment.startchar, fragment.endchar
    if len(fragment.text) - end <= _TAIL:  # keep the article's last ")." rather than cut it
        end = len(fragment.text)
    text = fragment.text[start:end].replace("\n", " ")
    spans = tuple(
        (token.startchar - start, token.endchar - start)
        for token in fragment.matches
        if start <= token.startchar and token.endchar <= end
    )
    return Fragment(text, spans, start == 0, end >= len(fragment.text))


def passages(text: str, terms: set[str], name_keys: frozenset[str] = frozenset()):
    """Up to three passages of ``text`` containing the index ``terms`` of ``text_analyzer``
    (or a name whose transliteration key is in ``name_keys``), in text order."""
    if not (terms or name_keys) or not text:
        return []
    text = text[:HIGHLIGHT_SCAN_CHARS]
    fragmenter = wh.ContextFragmenter(maxchars=FRAGMENT_CHARS, surround=CONTEXT_CHARS)
    fragments = fragmenter.fragment_tokens(text, _marked(text, terms, name_keys))
    return _Collect()(text, _best(fragments))


def _best(fragments) -> list:
    """The best-scoring passages, earlier first on a tie, then in text order.

    Not Whoosh's top_fragments: it breaks ties by object address, so the same query could
    show different passages from one run to the next.
    """
    scorer = wh.BasicFragmentScorer()
    scored = sorted(fragments, key=lambda f: (-scorer(f), f.startchar))
    return sorted(scored[:MAX_FRAGMENTS], key=lambda f: f.startchar)


def _marked(text: str, terms: set[str], name_keys: frozenset[str]):
    """The words of ``text`` as Whoosh tokens with their index term (``fastindex``: the same
    terms as ``text_analyzer``, in one pass; stop words get none), each marked as matched
    if its term is one of ``terms`` or, for a name, its key one of ``name_keys``.

    Words that cannot have one of ``terms`` are not stemmed (``possible_terms``). One token
    object is reused, as Whoosh's tokenizers do; the fragmenter copies the ones it keeps."""
    token = Token(chars=True, boost=1.0)
    may_become = possible_terms(terms)
    for match in _WORDS.finditer(text):
        word = match.group(0)
        token.text = term_if_possible(word, may_become)
        token.startchar, token.endchar = match.span()
        token.matched = token.text in terms or (bool(name_keys) and name_key(word) in name_keys)
        yield token


def whole(text: str, terms: set[str], analyzer) -> Fragment:
    """All of a short text (a headline) with the matched words marked."""
    spans = tuple(
        (token.startchar, token.endchar)
        for token in analyzer(text, chars=True, mode="query", removestops=False)
        if token.text in terms
    )
    return Fragment(text, spans, True, True)


def opening(text: str) -> Fragment:
    """The start of an article, for hits that matched only in their metadata."""
    cut = text[: FRAGMENT_CHARS + 40]
    if len(cut) < len(text):
        cut = cut[: cut.rfind(" ")] if " " in cut[FRAGMENT_CHARS // 2 :] else cut
    return Fragment(cut.replace("\n", " "), (), True, len(cut) >= len(text))
