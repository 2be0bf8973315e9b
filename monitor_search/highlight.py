"""Pick the passages of an article that show why it matched, with the matched words marked.

Fragments are plain data (text plus character spans), so the terminal renderer can colour
them and the JSON writer can hand them on, neither knowing anything of Whoosh.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from .analysis import WORD_PATTERN
from .fastindex import possible_terms, term_if_possible
from .names import name_key

MAX_FRAGMENTS = 3
FRAGMENT_CHARS = 240
CONTEXT_CHARS = 70
_TAIL = 3
_WORDS = re.compile(WORD_PATTERN)
_CHARLIMIT = 2**15
"""Passages come from this much of an article (Whoosh's fragmenter's limit, kept): it bounds
the time spent on a very long article."""


@dataclass(frozen=True)
class Fragment:
    """A passage of an article; ``highlights`` are (start, end) offsets of matched words."""

    text: str
    highlights: tuple[tuple[int, int], ...] = ()
    starts_article: bool = False
    ends_article: bool = False


Match = tuple[int, int, str]
"""A matched word: start and end offsets in the article, and its index term."""


def passages(text: str, terms: set[str], name_keys: frozenset[str] = frozenset()):
    """Up to three passages of ``text`` containing the index ``terms`` of ``text_analyzer``
    (or a name whose transliteration key is in ``name_keys``), in text order."""
    if not (terms or name_keys) or not text:
        return []
    windows = list(_windows(_marked(text, terms, name_keys)))
    return [_to_fragment(text, *window) for window in _best(windows)]


def _windows(words):
    """(start, end, matches) of each passage: Whoosh's ``ContextFragmenter`` (maxchars
    FRAGMENT_CHARS, surround CONTEXT_CHARS, its 32,768-character limit), step for step,
    quirks included, on plain tuples instead of a Token object per word."""
    first, firsts, countdown, matches, length, end = None, deque(), -1, [], 0, None
    for start, end, term, matched in words:
        size = end - start
        if end > _CHARLIMIT:
            break
        if countdown < 0 and not matched:
            firsts.append(start)
            while firsts and end - firsts[0] > CONTEXT_CHARS:
                firsts.popleft()
        elif length + size > FRAGMENT_CHARS:
            countdown = 0
        elif matched:
            countdown = CONTEXT_CHARS
            if first is None:
                if firsts:
                    first = firsts[0]
                else:
                    first = start
                    countdown += CONTEXT_CHARS
            matches.append((start, end, term))
        if countdown >= 0:
            length += size
            countdown -= size
            if countdown <= 0:
                yield _window(first, end, matches)
                first, firsts, matches, length = None, deque(), [], 0
    if matches:
        yield _window(first, end, matches)


def _window(first: int | None, end: int, matches: list[Match]) -> tuple:
    """Whoosh's ``mkfrag``: a window with no start begins at its first match, or at 0."""
    if first is None:
        first = matches[0][0] if matches else 0
    return first, end, matches


def _best(windows: list) -> list:
    """The best-scoring passages, earlier first on a tie, then in text order.

    The score is Whoosh's ``BasicFragmentScorer`` (matches times distinct terms), but not
    its top_fragments: it breaks ties by object address, so the same query could show
    different passages from one run to the next.
    """

    def score(window) -> int:
        matches = window[2]
        return len(matches) * (len({term for _, _, term in matches}) * 100 or 1)

    scored = sorted(windows, key=lambda window: (-score(window), window[0]))
    return sorted(scored[:MAX_FRAGMENTS], key=lambda window: window[0])


def _to_fragment(text: str, start: int, end: int, matches: list[Match]) -> Fragment:
    if len(text) - end <= _TAIL:  # keep the article's last ")." rather than cut it
        end = len(text)
    spans = tuple((a - start, b - start) for a, b, _ in matches if start <= a and b <= end)
    return Fragment(text[start:end].replace("\n", " "), spans, start == 0, end >= len(text))


def _marked(text: str, terms: set[str], name_keys: frozenset[str]):
    """(start, end, term, matched) for each word of ``text``: its index term (``fastindex``:
    the same terms as ``text_analyzer``, in one pass; stop words get none), matched if the
    term is one of ``terms`` or, for a name, its key one of ``name_keys``. Words that cannot
    have one of ``terms`` are not stemmed (``possible_terms``)."""
    may_become = possible_terms(terms)
    seen: dict[str, tuple[str, bool]] = {}  # words that cannot match are not cached elsewhere
    for match in _WORDS.finditer(text):
        word = match.group(0)
        known = seen.get(word)
        if known is None:
            term = term_if_possible(word, may_become)
            matched = term in terms or (bool(name_keys) and name_key(word) in name_keys)
            known = seen[word] = (term, matched)
        yield (*match.span(), *known)


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
