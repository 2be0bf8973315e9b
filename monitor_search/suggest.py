"""Did you mean: correct query words the index has never seen, from the index's own words.

Names are the usual victims (``Shevardnadse`` for ``Shevardnadze``). A word is corrected only
when none of its forms is in the index; the correction is the closest indexed word (to the
word as typed or to its stem), among equally close ones the one most articles use, shown as
it is written in an article. A word unknown
to the index is corrected only when the query found few articles (``search.FEW_MATCHES``).
"""

from __future__ import annotations

import re

from .query import FIELD_PREFIXES, OPERATORS

_WORD = re.compile(r"\w+")
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
    return (
        word in OPERATORS
        or follows == "~"  # a fuzzy word already finds its near spellings
        or (follows == ":" and word.lower() in FIELD_PREFIXES)
    )


def _frequency(searcher, term: str) -> int:
    return sum(searcher.doc_frequency(field, term) for field in _FIELDS)


def _correction(searcher, word: str, stem: str, analyzer) -> str | None:
    """The indexed word closest to ``word`` (as typed, or as its stem), the one most
    articles use among equally close ones."""
    reader = searcher.reader()
    typed = word.lower()
    candidates: set[str] = set()
    for form in {typed, stem}:
        maxdist = 1 if len(form) <= 4 else 2
        for field in _FIELDS:
            candidates.update(reader.terms_within(field, form, maxdist, prefix=1))
    candidates.discard(stem)
    if not candidates:
        return None

    def closeness(term: str) -> tuple[int, int, str]:
        distance = min(edit_distance(term, typed), edit_distance(term, stem))
        return (distance, -_frequency(searcher, term), term)

    best = min(candidates, key=closeness)
    return _as_written(searcher, best, analyzer) or best


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, an adjacent swap counting as one edit."""
    previous, current = None, list(range(len(b) + 1))
    for i, char in enumerate(a, start=1):
        before, previous, current = previous, current, [i] + [0] * len(b)
        for j, other in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other))
            if before is not None and j > 1 and char == b[j - 2] and a[i - 2] == other:
                current[j] = min(current[j], before[j - 2] + 1)
    return current[len(b)]


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
