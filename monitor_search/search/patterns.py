"""Wildcards (``Chechn*``, ``Chech?a``) as the indexed words they stand for.

Whoosh's matcher for a pattern joins the index's words that fit it with OR (one word:
that word alone, at its own score, the pattern's boost ignored) and, in an archive of over
5,000 articles, scores the OR's sum of BM25F scores; in a smaller one it gives every match
of three words or more the same score, which ranks them in no useful order. ``expanded``
writes the OR out, so that a wildcard ranks by the words it fits at every size, and its
words are scored, counted and pruned from the postings like any other
(``search.evaluation``), with the scores Whoosh's matcher gives in a large archive
(``tests/test_postings.py``).

A pattern that fits ``MAX_WORDS`` words or more (``s*``, ``pre*``) is a filter instead, as
Lucene rewrites such queries: every article with one of its words scores the pattern's
boost (``ConstantScoreQuery``), and the articles are found from the words' document numbers
alone. Whoosh's matcher takes 11 s for ``pre*`` and 40 s for ``s*`` at 100,000 articles,
and ranks by a sum of thousands of words' scores that says little about an article.
"""

from __future__ import annotations

from whoosh import query as wq

MAX_WORDS = wq.Or.TOO_MANY_CLAUSES
"""A pattern fitting this many words or more matches as a filter, each article scoring its
boost (past this many, Whoosh's OR joins the words with another matcher, its array
matcher, whose scores this does not follow)."""


def expanded(query: wq.Query, reader) -> wq.Query:
    """``query`` with each pattern replaced by the OR of the words of ``reader`` it fits."""
    if isinstance(query, (wq.Prefix, wq.Wildcard)):
        return _words_of(query, reader)
    if query.is_leaf():
        return query
    return query.apply(lambda part: expanded(part, reader))


def _words_of(pattern: wq.Prefix | wq.Wildcard, reader) -> wq.Query:
    """The query Whoosh's matcher for ``pattern`` evaluates; a filter of its words when it
    fits ``MAX_WORDS`` or more; the pattern itself when it stands for every word (``*``). A
    pattern that fits no word matches nothing: it becomes the term of its own text, which
    no index holds (a word equal to a prefix would fit it, and no indexed word has a ``*``
    or ``?``)."""
    if pattern.text in ("", "*"):
        return pattern
    field = pattern.fieldname
    from_bytes = reader.schema[field].from_bytes
    words = [from_bytes(btext) for _, btext in pattern.expanded_terms(reader)]
    if not words:
        return wq.Term(field, pattern.text)
    if len(words) == 1:
        return wq.Term(field, words[0])
    terms = [wq.Term(field, word) for word in words]
    if len(words) >= MAX_WORDS:
        return wq.ConstantScoreQuery(wq.Or(terms), score=pattern.boost)
    return wq.Or(terms, boost=pattern.boost)
