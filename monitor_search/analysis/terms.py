"""A text's terms, positions and counts in one pass, without Whoosh's per-token generators.

Whoosh analyses text by passing a Token object through a generator per filter (tokenizer,
lower case, accents, stop words, stems). The functions here compute the same terms and
positions as the analyzers of ``analyzers.py`` directly, remembering each distinct word's
term; indexing (``engine.fields``), highlighting and feedback all use them.
``tests/test_fastindex.py`` checks they agree with the analyzers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from monitor_search.analysis.analyzers import NAME, WORD_PATTERN, fold, index_term, name_kind
from monitor_search.analysis.names import NAME_MARK, name_key

_WORDS = re.compile(WORD_PATTERN)
_CACHE_LIMIT = 100_000
"""Distinct words remembered (in each of ``_terms`` and ``_keys``) before the memo starts
over. The 100,000 most common words are over 99 % of the words of an archive of 20,000
articles, and a full memo of this size holds about 20 MB; one of 500,000 words held over
200 MB in each writing process of a large archive, whose rare words (names, misspellings)
never stop coming (``benchmarks/RESULTS.md``)."""
_terms: dict[str, str] = {}
OPENING = 3
"""Letters compared before a word is stemmed in ``term_counts``."""
_keys: dict[str, tuple[str, ...]] = {}
_last: tuple[object, dict[str, list[int]]] = ("", {})
"""The text ``remembered_positions`` analysed last, and its positions."""


_term = index_term.__wrapped__
"""``index_term`` without its own memo: ``_terms`` remembers the words met here, and two
memos of each word would hold it twice."""


def word_term(word: str) -> str:
    """The index term of one word (as ``_term``), remembered."""
    term = _terms.get(word)
    if term is None:
        if len(_terms) > _CACHE_LIMIT:
            _terms.clear()
        term = _terms[word] = _term(word)
    return term


def text_positions(text: str) -> dict[str, list[int]]:
    """Term -> positions, as ``text_analyzer`` (whose StopFilter renumbers positions so
    that kept words follow one another)."""
    if len(_terms) > _CACHE_LIMIT:
        _terms.clear()
    terms = _terms
    found: dict[str, list[int]] = {}
    position = None
    for index, word in enumerate(_WORDS.findall(text)):
        term = terms.get(word)
        if term is None:
            term = terms[word] = _term(word)
        if term:
            position = index if position is None else position + 1
            if term in found:
                found[term].append(position)
            else:
                found[term] = [position]
    return found


HEADLINE_GAP = 100
"""Positions left free between a headline and the body that follows it in one field, so that
no phrase (nor a phrase with a slop below this) runs from one into the other."""

ArticleText = tuple[str, str]
"""(headline, body): the text of the field that holds both (``index.schema``)."""


def article_positions(headline: str, body: str) -> dict[str, list[int]]:
    """Term -> positions of the headline followed by the body, ``HEADLINE_GAP`` apart."""
    found = text_positions(headline)
    offset = max((positions[-1] for positions in found.values()), default=-1)
    offset += 1 + HEADLINE_GAP
    for term, positions in text_positions(body).items():
        shifted = [offset + position for position in positions]
        if term in found:
            found[term].extend(shifted)
        else:
            found[term] = shifted
    return found


def remembered_positions(text: str | ArticleText) -> dict[str, list[int]]:
    """``text_positions`` (``article_positions`` for a headline and body), computed once
    when two fields of a document hold the same text (the body is indexed, then its term
    counts are stored, see ``TermCounts``)."""
    global _last
    last = _last  # read once: another thread may replace it
    if last[0] is not text and last[0] != text:
        positions = text_positions(text) if isinstance(text, str) else article_positions(*text)
        last = _last = (text, positions)
    return last[1]


def encode_counts(positions: dict[str, list[int]]) -> bytes:
    """Term counts as the ``TermCounts`` column stores them: the terms seen once, then a line
    of the others with their counts (terms are words: never a space or a line break)."""
    once = " ".join(term for term, found in positions.items() if len(found) == 1)
    more = " ".join(f"{term} {len(found)}" for term, found in positions.items() if len(found) > 1)
    return f"{once}\n{more}".encode()


def decode_counts(data: bytes) -> dict[str, int]:
    """Term -> occurrences, from ``encode_counts``."""
    once, _, more = data.decode().partition("\n")
    counts = dict.fromkeys(once.split(), 1)
    pairs = more.split()
    counts.update(zip(pairs[::2], map(int, pairs[1::2]), strict=True))
    return counts


def term_counts(text: str, wanted: frozenset[str] | None = None) -> dict[str, int]:
    """Term -> occurrences in ``text`` (the postings' frequencies); only ``wanted`` terms if
    given, and then words that cannot become one of them are not even stemmed."""
    counts: dict[str, int] = {}
    may_become = None if wanted is None else possible_terms(wanted)
    for word in _WORDS.findall(text):
        term = word_term(word) if may_become is None else term_if_possible(word, may_become)
        if term and (wanted is None or term in wanted):
            counts[term] = counts.get(term, 0) + 1
    return counts


def possible_terms(wanted: Iterable[str]) -> Callable[[str], bool]:
    """A quick test of whether a word could have one of the ``wanted`` terms, so that the
    other words need not be stemmed (what costs most in analysing text at query time).

    It rests on how Porter stems: a stem differs from its word at most in its last two
    letters (``happy`` -> ``happi``, ``possibility`` -> ``possibl``, and ``ble`` for a
    ``biliti`` ending where the ``e`` stays), so a word that does not begin with a term less
    its last two letters never has that term (``tests/test_fastindex.py`` checks it). Both
    sides are compared folded and without dots, for the acronyms ``index_term`` keeps in
    capitals (``WHO``) or joins (``U.S.S.R`` = ``ussr``).
    """
    by_size: dict[int, set[str]] = {}
    for term in wanted:
        opening = fold(term[:-2]).replace(".", "")[:OPENING]
        by_size.setdefault(len(opening), set()).add(opening)
    checks = tuple(by_size.items())

    def may_become(word: str) -> bool:
        folded = fold(word).replace(".", "")
        return any(folded[:size] in openings for size, openings in checks)

    return may_become


def term_if_possible(word: str, may_become: Callable[[str], bool]) -> str:
    """The word's term (as ``word_term``) if it is known or ``may_become`` allows it, else ""."""
    term = _terms.get(word)
    if term is None:
        return word_term(word) if may_become(word) else ""
    return term


_name_key = name_key.__wrapped__
"""``name_key`` without its own memo: ``_keys`` remembers the words met here."""


def name_counts(text: str) -> dict[str, int]:
    """Term -> frequency, as ``name_key_analyzer`` at index time: each capitalised word's key
    and, for a NAME, its marked spelling."""
    if len(_keys) > _CACHE_LIMIT:
        _keys.clear()
    counts: dict[str, int] = {}
    for match in _WORDS.finditer(text):
        word = match.group(0)
        if not word[0].isupper():
            continue
        terms = _keys.get(word)
        if terms is None:
            key = _name_key(word)
            terms = _keys[word] = (key, NAME_MARK + word.lower()) if key else ()
        kind = name_kind(text, match, terms[0] if terms else None)
        if kind is None:
            continue
        for term in terms if kind == NAME else terms[:1]:
            counts[term] = counts.get(term, 0) + 1
    return counts
