"""Wildcards (``Chechn*``, ``Chech?a``) as the indexed words they stand for.

Whoosh's matcher for a pattern joins the index's words that fit it with OR (one word:
that word alone, at its own score, the pattern's boost ignored) and, in an archive of over
5,000 articles, scores the OR's sum of BM25F scores; in a smaller one it gives every match
of three words or more the same score, which ranks them in no useful order. ``expanded``
writes the OR out, so that a wildcard ranks by the words it fits at every size, and its
words are scored, counted and pruned from the postings like any other
(``search.evaluation``), with the scores Whoosh's matcher gives in a large archive
(``tests/test_postings.py``).
"""

from __future__ import annotations

from whoosh import query as wq

MAX_WORDS = wq.Or.TOO_MANY_CLAUSES
"""A pattern fitting this many words or more is left to Whoosh: past this many, its OR
joins them with another matcher (its array matcher), whose scores this does not follow."""


def expanded(query: wq.Query, reader) -> wq.Query:
    """``query`` with each pattern replaced by the OR of the words of ``reader`` it fits."""
    if isinstance(query, (wq.Prefix, wq.Wildcard)):
        return _words_of(query, reader)
    if query.is_leaf():
        return query
    return query.apply(lambda part: expanded(part, reader))


def _words_of(pattern: wq.Prefix | wq.Wildcard, reader) -> wq.Query:
    """The query Whoosh's matcher for ``pattern`` evaluates; the pattern itself when it fits
    too many words or stands for every article (``*``). A pattern that fits no word matches
    nothing: it becomes the term of its own text, which no index holds (a word equal to a
    prefix would fit it, and no indexed word has a ``*`` or ``?``)."""
    if pattern.text in ("", "*"):
        return pattern
    field = pattern.fieldname
    from_bytes = reader.schema[field].from_bytes
    words = []
    for _, btext in pattern.expanded_terms(reader):
        words.append(from_bytes(btext))
        if len(words) >= MAX_WORDS:
            return pattern
    if not words:
        return wq.Term(field, pattern.text)
    if len(words) == 1:
        return wq.Term(field, words[0])
    return wq.Or([wq.Term(field, word) for word in words], boost=pattern.boost)
