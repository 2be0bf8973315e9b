"""Pick the passages of an article that show why it matched, with the matched words marked.

Fragments are plain data (text plus character spans), so the terminal renderer can colour
them and the JSON writer can hand them on, neither knowing anything of Whoosh.
"""

from __future__ import annotations

import re

from monitor_search.analysis.analyzers import WORD_PATTERN
from monitor_search.analysis.names import name_key
from monitor_search.analysis.terms import possible_terms, term_if_possible
from monitor_search.model import Fragment

MAX_FRAGMENTS = 3
FRAGMENT_CHARS = 300
"""A passage is at most about this long: it is cut at word boundaries, so it may end a
little short of it, never past it (but for one word longer than that)."""
CONTEXT_CHARS = 70
"""Text kept before a passage's first matched word, when there is room."""
MATCH_SPAN = FRAGMENT_CHARS - 2 * CONTEXT_CHARS
"""The matched words one passage gathers lie within this many characters, leaving room
for context on both sides."""
_TAIL = 3
_WORDS = re.compile(WORD_PATTERN)
_CHARLIMIT = 500_000
"""Passages come from this much of an article: it bounds the time spent on a huge file."""


Match = tuple[int, int, str]
"""A matched word: start and end offsets in the article, and its index term."""


Phrase = tuple[str, ...]
"""The index terms of a phrase's words, in order."""


def passages(
    text: str,
    terms: set[str],
    name_keys: frozenset[str] = frozenset(),
    phrases: tuple[Phrase, ...] = (),
):
    """Up to MAX_FRAGMENTS passages of ``text``, in text order, each holding at least one
    word with one of the index ``terms`` of ``text_analyzer`` (or a capitalised name whose
    transliteration key is in ``name_keys``), or one of the ``phrases`` where it stands (its
    words in a row, stop words between them aside), all its matched words marked.

    Passages that hold more of the different terms come first, then those with more
    matches, then earlier ones; they never overlap.
    """
    if not (terms or name_keys or phrases) or not text:
        return []
    clusters = _best_clusters(_matches(text[:_CHARLIMIT], terms, name_keys, phrases))
    return [_to_fragment(text, cluster) for cluster in clusters]


def marked_whole(
    text: str,
    terms: set[str],
    name_keys: frozenset[str] = frozenset(),
    phrases: tuple[Phrase, ...] = (),
) -> Fragment:
    """All of ``text`` (a whole article, however long), every word ``passages`` would mark
    in it marked."""
    if not (terms or name_keys or phrases):
        return Fragment(text, (), True, True)
    spans = tuple(
        dict.fromkeys((start, end) for start, end, _ in _matches(text, terms, name_keys, phrases))
    )
    return Fragment(text, spans, True, True)


def _matches(text: str, terms: set[str], name_keys: frozenset[str], phrases) -> list[Match]:
    """The matched words of ``text``, in text order: words with one of ``terms`` (or a name
    key in ``name_keys``), and the words of ``phrases`` where they stand."""
    words = list(_marked(text, terms, name_keys, phrases))
    return sorted(
        [(start, end, term) for start, end, term, matched in words if matched]
        + _phrase_matches([(start, end, term) for start, end, term, _ in words], phrases)
    )


def _best_clusters(matches: list[Match]) -> list[list[Match]]:
    """The best groups of neighbouring matches, each within MATCH_SPAN characters."""
    candidates = []
    for first, (start, _, _) in enumerate(matches):
        last = first
        while last + 1 < len(matches) and matches[last + 1][1] - start <= MATCH_SPAN:
            last += 1
        group = matches[first : last + 1]
        candidates.append((-len({term for _, _, term in group}), -len(group), start, group))
    chosen: list[list[Match]] = []
    for *_, group in sorted(candidates, key=lambda candidate: candidate[:3]):
        if len(chosen) == MAX_FRAGMENTS:
            break
        if not any(_overlap(group, other) for other in chosen):
            chosen.append(group)
    return sorted(chosen, key=lambda group: group[0][0])


def _overlap(a: list[Match], b: list[Match]) -> bool:
    """Whether two groups' passages could share text (their matches with context)."""
    return a[0][0] - FRAGMENT_CHARS < b[-1][1] and b[0][0] - FRAGMENT_CHARS < a[-1][1]


def _to_fragment(text: str, group: list[Match]) -> Fragment:
    """The passage around a group of matches: context before (not reaching back past a
    paragraph break), then after, cut at word boundaries, FRAGMENT_CHARS in all."""
    first, last = group[0][0], group[-1][1]
    room = FRAGMENT_CHARS - (last - first)
    start = _sentence_start(text, max(0, first - min(2 * CONTEXT_CHARS, room // 2)), first)
    if start is None:
        start = _word_start(text, max(0, first - min(CONTEXT_CHARS, room // 2)), first)
    end = _word_end(text, last, min(len(text), start + FRAGMENT_CHARS))
    if len(text) - end <= _TAIL:  # keep the article's last ")." rather than cut it
        end = len(text)
    spans = tuple((a - start, b - start) for a, b, _ in group)
    return Fragment(text[start:end].replace("\n", " "), spans, start == 0, end >= len(text))


_SENTENCE_END = re.compile(r"[.!?][\"”’')]*\s+(?=[\"“‘(]?[A-Z0-9])|\n\n")


def _sentence_start(text: str, earliest: int, first_match: int) -> int | None:
    """Where the sentence holding ``first_match`` begins, if it begins at or after
    ``earliest`` (a passage then reads from the start of a sentence)."""
    if earliest == 0:
        return 0
    starts = [match.end() for match in _SENTENCE_END.finditer(text, earliest, first_match)]
    return starts[-1] if starts else None


def _word_start(text: str, earliest: int, first_match: int) -> int:
    """Where a passage before ``first_match`` begins: the first word that starts at or after
    ``earliest``, and after the last paragraph break before the match."""
    paragraph = text.rfind("\n\n", earliest, first_match)
    if paragraph >= 0:
        earliest = paragraph + 2
    if earliest == 0 or text[earliest - 1].isspace():
        return earliest
    space = _next_space(text, earliest, first_match)
    return first_match if space is None else space + 1


def _next_space(text: str, start: int, stop: int) -> int | None:
    for position in range(start, stop):
        if text[position].isspace():
            return position
    return None


def _word_end(text: str, last_match: int, latest: int) -> int:
    """Where a passage after ``last_match`` ends: the end of the last word that ends by
    ``latest``, without the white space after it."""
    if latest >= len(text) or text[latest].isspace():
        return len(text[:latest].rstrip()) if latest > last_match else last_match
    cut = text.rfind(" ", last_match, latest + 1)
    cut = max(cut, text.rfind("\n", last_match, latest + 1))
    return last_match if cut < 0 else len(text[:cut].rstrip()) or last_match


def _phrase_matches(words: list[Match], phrases: tuple[Phrase, ...]) -> list[Match]:
    """The words where one of ``phrases`` stands in ``words`` (stop words, which have no
    term, left out: the index does not see them either)."""
    keyed = [word for word in words if word[2]]
    found: set[Match] = set()
    for phrase in phrases:
        size = len(phrase)
        for i in range(len(keyed) - size + 1):
            if all(keyed[i + k][2] == phrase[k] for k in range(size)):
                found.update(keyed[i : i + size])
    return list(found)


def _marked(text: str, terms: set[str], name_keys: frozenset[str], phrases=()):
    """(start, end, term, matched) for each word of ``text``: its index term (``analysis.terms``:
    the same terms as ``text_analyzer``, in one pass; stop words get none), matched if the
    term is one of ``terms`` or, for a name (capitalised, as the ``names`` field indexes
    names), its key one of ``name_keys``. Words that cannot have one of ``terms`` or of the
    ``phrases``' terms are not stemmed (``possible_terms``)."""
    may_become = possible_terms(set(terms).union(*phrases))
    seen: dict[str, tuple[str, bool]] = {}  # words that cannot match are not cached elsewhere
    for match in _WORDS.finditer(text):
        word = match.group(0)
        known = seen.get(word)
        if known is None:
            term = term_if_possible(word, may_become)
            matched = term in terms or (
                bool(name_keys) and word[0].isupper() and name_key(word) in name_keys
            )
            known = seen[word] = (term, matched)
        yield (*match.span(), *known)


def whole(text: str, terms: set[str], analyzer, phrases: tuple[Phrase, ...] = ()) -> Fragment:
    """All of a short text (a headline) with the matched words (and phrases) marked."""
    words = [
        (token.startchar, token.endchar, "" if token.stopped else token.text)
        for token in analyzer(text, chars=True, mode="query", removestops=False)
    ]
    found = {(start, end) for start, end, term in words if term in terms}
    found.update((start, end) for start, end, _ in _phrase_matches(words, phrases))
    return Fragment(text, tuple(sorted(found)), True, True)


def opening(text: str) -> Fragment:
    """The start of an article, for hits that matched only in their metadata."""
    cut = text[: FRAGMENT_CHARS + 40]
    if len(cut) < len(text):
        cut = cut[: cut.rfind(" ")] if " " in cut[FRAGMENT_CHARS // 2 :] else cut
    return Fragment(cut.replace("\n", " "), (), True, len(cut) >= len(text))
