"""Did you mean: correct query words the index has never seen, from the index's own words.

Names are the usual victims (``Shevardnadse`` for ``Shevardnadze``). A word is corrected only
when none of its forms is in the index; the correction is the closest indexed word (to the
word as typed or to its stem), among equally close ones the one most articles use, shown as
it is written in an article. A word unknown to the index is corrected only when the query
found few articles (``searcher.FEW_MATCHES``).
"""

from __future__ import annotations

import re

from monitor_search.engine.postings import terms_with_prefix
from monitor_search.search.query import FIELD_PREFIXES, OPERATORS

_WORD = re.compile(r"\w+")
_WILDCARD_MARK = re.compile(r"\w\?\w")
"""A ``?`` inside a word stands for one letter (at the end of one, it ends a question)."""
_FIELDS = ("title", "body")


def suggest(searcher, text: str) -> str | None:
    """``text`` with each unknown word replaced by its likeliest correction, or None."""
    analyzer = searcher.schema["body"].analyzer
    corrected = text
    changed = False
    for match in reversed(list(_WORD.finditer(text))):
        word = match.group(0)
        if _is_syntax(text, match):
            continue
        stems = [token.text for token in analyzer(word, mode="query")]
        if len(stems) != 1 or _frequency(searcher, stems[0]) > 0:
            continue
        replacement = _correction(searcher, word, stems[0], analyzer)
        if replacement is None:
            continue
        if word.islower():
            replacement = replacement.lower()
        corrected = corrected[: match.start()] + replacement + corrected[match.end() :]
        changed = True
    return corrected if changed else None


def _is_syntax(text: str, match: re.Match) -> bool:
    word = match.group(0)
    follows = text[match.end() : match.end() + 1]
    precedes = text[match.start() - 1 : match.start()]
    return (
        word in OPERATORS
        or follows == "~"  # a fuzzy word already finds its near spellings
        or "*" in (follows, precedes)  # part of a wildcard: not a word of its own
        or _WILDCARD_MARK.match(text, match.end() - 1) is not None
        or _WILDCARD_MARK.match(text, max(match.start() - 2, 0)) is not None
        or (follows == ":" and word.lower() in FIELD_PREFIXES)
    )


def _frequency(searcher, term: str) -> int:
    return sum(searcher.doc_frequency(field, term) for field in _FIELDS)


def _correction(searcher, word: str, stem: str, analyzer) -> str | None:
    """The indexed word closest to ``word`` (as typed, or as its stem), the one most
    articles use among equally close ones."""
    typed = word.lower()
    distances = _near_terms(searcher.reader(), {typed, stem})
    distances.pop(stem, None)
    if not distances:
        return None
    best = min(distances, key=lambda term: (distances[term], -_frequency(searcher, term), term))
    return _as_written(searcher, best, analyzer) or best


def _near_terms(reader, forms: set[str]) -> dict[str, int]:
    """Indexed words that share the first letter of one of ``forms`` and are at most 1 edit
    (forms of up to 4 letters) or 2 edits away from it, with their distance to the nearest.

    One pass over each field's words with that first letter, and the edit distance only for
    words whose length and letters could be near enough (Whoosh's ``terms_within`` walks the words
    once for each form and measures every one)."""
    found: dict[str, int] = {}
    for initial in {form[:1] for form in forms}:
        near = [
            (form, set(form), 1 if len(form) <= 4 else 2) for form in forms if form[:1] == initial
        ]
        for field in _FIELDS:
            for term in terms_with_prefix(reader, field, initial):
                for form, letters, maxdist in near:
                    if abs(len(term) - len(form)) > maxdist or _unshared(term, letters) > maxdist:
                        continue
                    distance = edit_distance(term, form)
                    if distance <= maxdist and distance < found.get(term, maxdist + 1):
                        found[term] = distance
    return found


def _unshared(term: str, letters: set[str]) -> int:
    """A bound no greater than the edit distance between ``term`` and a word of ``letters``:
    each letter one of them has and the other lacks takes an edit of its own (a swap of
    two letters takes or gives none)."""
    own = set(term)
    return max(len(own - letters), len(letters - own))


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, an adjacent swap counting as one edit (the "optimal string
    alignment" distance), by Hyyrö's bit-vector algorithm: one pass over ``b`` with the
    columns of the classic table for ``a`` held as the bits of a few integers."""
    if not a:
        return len(b)
    matches: dict[str, int] = {}
    for i, char in enumerate(a):
        matches[char] = matches.get(char, 0) | (1 << i)
    full, last = (1 << len(a)) - 1, 1 << (len(a) - 1)
    up, down, diagonal, previous_match, distance = full, 0, 0, 0, len(a)
    for char in b:
        match = matches.get(char, 0)
        swap = (((~diagonal) & match) << 1) & previous_match
        diagonal = ((((match & up) + up) ^ up) | match | down | swap) & full
        right = (down | ~(diagonal | up)) & full
        left = up & diagonal
        if right & last:
            distance += 1
        elif left & last:
            distance -= 1
        right = ((right << 1) | 1) & full
        left = (left << 1) & full
        up = (left | ~(diagonal | right)) & full
        down = right & diagonal
        previous_match = match
    return distance


def _as_written(searcher, term: str, analyzer) -> str | None:
    """The word as an article writes it (``Shevardnadze``), not its stem (``shevardnadz``)."""
    reader = searcher.reader()
    for field in ("body", "title"):  # headlines are often in capitals
        if (field, term) not in reader:
            continue
        for docnum in reader.postings(field, term).all_ids():
            text = searcher.stored_fields(docnum).get(field) or ""
            for token in analyzer(text, chars=True, mode="query"):
                if token.text == term:
                    return text[token.startchar : token.endchar]
            break
    return None
