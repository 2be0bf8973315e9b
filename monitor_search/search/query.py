"""Turn what a user typed into Whoosh queries, and option values into filters.

Two kinds of input are told apart:

* plain text (``Collective Security Treaty``, ``what did Aliyev say?``): every word counts,
  punctuation is ignored, and nothing the user types can be a syntax error;
* query syntax (``"security pact" AND NOT Armenia``, ``source:Interfax``, ``Chechn*``,
  ``year:[1998 TO 2000]``), which goes to Whoosh's parser; if that parser fails the text is
  taken as plain text instead.

Either way ``Ranking.all_words`` joins the parts a query puts side by side (no operator)
with AND: those are the articles that match. ``Ranking.any_words`` joins them with OR: the
articles with some of them, ranked after those with all (and matching with ``--any``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from whoosh import query as wq

from monitor_search.analysis.analyzers import fold_key, text_analyzer
from monitor_search.analysis.names import LONG_KEY, NAME_MARK, name_key
from monitor_search.errors import BadQuery
from monitor_search.index.schema import (
    FIELD_NAMES_FOR_USERS,
    NAME_WEIGHT,
    QUERY_FIELDS,
    date_number,
)
from monitor_search.model import Filters
from monitor_search.search.patterns import expanded

MAX_QUERY_CHARS = 2000
"""Longer input is cut: no real query is that long, and it bounds parsing time."""

EVERYTHING = ("*", "*:*")
"""Queries for every article (useful with filters: ``msearch query '*' --year 1999``)."""

FIELD_PREFIXES = (*FIELD_NAMES_FOR_USERS, "path", "id")
OPERATORS = ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO")
# The most edits ``word~N`` looks for: the cost of a fuzzy scan grows steeply with N, and
# three or more edits match unrelated words (Lucene and Elasticsearch stop at 2 as well).
MAX_EDITS = 2
_FIELD_PREFIX = "|".join(FIELD_PREFIXES)

_SYNTAX = re.compile(
    r'"|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b|\b(?:' + _FIELD_PREFIX + r")\s*:"
    r"|\w\*|\*\w|\w\?\w|\w~|[\[{][^\]}]*\bTO\b|\^\d",
    re.IGNORECASE,
)
_OPERATORS = re.compile(r"\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b")
_QUESTION_MARK = re.compile(r"(\w)\?(?=\s|$|[.,;!)])")
_WORD = re.compile(r"\w+(?:\.?\w+)*")


@dataclass(frozen=True)
class Ranking:
    """The query to run (``any_words``) and, when it joins several parts, their AND."""

    any_words: wq.Query
    all_words: wq.Query | None

    @property
    def is_empty(self) -> bool:
        """No word is left to search for (the query was all stop words, or nothing)."""
        return isinstance(self.any_words, type(wq.NullQuery))

    def matching(self, match_any: bool = False) -> wq.Query:
        """The query whose articles match: the AND of the parts, or (``match_any``, or a
        query of one part) the query itself."""
        return self.any_words if match_any or self.all_words is None else self.all_words


def build_query(text: str, schema, reader=None) -> Ranking:
    """The Whoosh queries for what the user typed; with the index's ``reader``, names also
    find their other spellings (see ``wants_variants``)."""
    text = text[:MAX_QUERY_CHARS]
    if text.strip() in EVERYTHING:
        return Ranking(any_words=wq.Every(), all_words=None)
    _check_fields(text)
    if is_syntax(text):
        any_parts = _parse_syntax(text, schema, all_parts=False)
        if any_parts is not None:
            all_parts = _parse_syntax(text, schema, all_parts=True)
            if all_parts is not None:
                any_parts = _excluding_alike(any_parts, all_parts)
            all_words = None if all_parts in (None, any_parts) else all_parts
            return _varied(Ranking(any_parts, all_words), text, reader)
    return ranking_for_words(text, reader)


def ranking_for_words(text: str, reader=None) -> Ranking:
    """The words of ``text`` as plain text, whatever syntax characters it holds (but for
    ``-word``, which excludes, and ``+word``, which requires)."""
    return _varied(plain_ranking(text), text, reader)


def ignored_words(text: str) -> list[str]:
    """The words of ``text`` that no query searches for: stop words (``the``, ``of``), each
    once, as written (operators, field names and the number of ``~2`` or ``"a b"~5`` aside)."""
    analyzer = text_analyzer()
    ignored: list[str] = []
    for match in _WORD.finditer(text[:MAX_QUERY_CHARS]):
        word = match.group(0)
        if (
            word in OPERATORS
            or text[match.end() : match.end() + 1] == ":"
            or text[match.start() - 1 : match.start()] == "~"
        ):
            continue
        if not any(True for _ in analyzer(word, mode="query")) and word not in ignored:
            ignored.append(word)
    return ignored


_FIELD_USE = re.compile(r"(?<![\w.])([A-Za-z]\w*):(?=[\w\"(\[*])")


def _check_fields(text: str) -> None:
    """A ``field:`` prefix that names no field is an error that says which exist."""
    for match in _FIELD_USE.finditer(text):
        if match[1].lower() not in FIELD_PREFIXES:
            raise BadQuery(
                f"no field {match[1]!r} (in {match[0]!r}): the fields are "
                f"{', '.join(FIELD_NAMES_FOR_USERS)}; use --year, --from and --to for dates"
            )


def _varied(ranking: Ranking, text: str, reader) -> Ranking:
    """With the index's ``reader``: names with their other spellings, and wildcards as the
    words they fit (``patterns``)."""
    if reader is None:
        return ranking
    wanted: dict = {}

    def varied(query: wq.Query) -> wq.Query:
        return _with_name_variants(expanded(query, reader), text, reader, wanted)

    all_words = ranking.all_words
    return Ranking(
        any_words=varied(ranking.any_words),
        all_words=None if all_words is None else varied(all_words),
    )


def wants_variants(word: str, reader) -> bool:
    """Whether a query word should also find the other spellings of a name.

    Only if some article has a name with the same key but not this spelling (otherwise
    there is no variant to find). Then yes when the archive uses this very spelling as a
    name in at least half the articles whose bodies have it (``Kyiv``; not ``prices``,
    capitalised once in a while), or does not contain the word at all and it is written
    like a name:
    capitalised (``Kiev`` where the archive writes ``Kyiv``), long enough not to be a short
    common word (``chechnia``), or in another alphabet (``Киев``). No for words the archive
    uses only as ordinary words, so that ``security`` or ``mess`` never drift to names that
    happen to fold alike.
    """
    key = name_key(word)
    if key is None:
        return False
    with_key = reader.doc_frequency("names", key)
    spelt_so = reader.doc_frequency("names", NAME_MARK + word.lower())
    if with_key <= spelt_so:
        return False  # no article has another spelling: nothing to add, only cost
    stems = [token.text for token in text_analyzer()(word, mode="query")]
    if spelt_so:
        # a name where most articles that have the word write it as one: "Kyiv", but not
        # "prices" (capitalised in "Producer Prices Index", lower-case everywhere else)
        in_bodies = max((reader.doc_frequency("body", stem) for stem in stems), default=0)
        return spelt_so * 2 >= in_bodies
    if any((field, stem) in reader for stem in stems for field in QUERY_FIELDS):
        return False
    return len(key) >= LONG_KEY or word[0].isupper() or not word.isascii()


def _with_name_variants(q: wq.Query, text: str, reader, wanted: dict[str, bool]) -> wq.Query:
    """Each word looked up in headline and body may also match a name variant, in articles
    without the word itself: an article with the exact spelling does not score twice for it,
    and one with only another spelling ranks below it. (Not DisjunctionMax: Whoosh 2.7's
    scores it wrongly, giving variant-only articles the exact match's score.) ``wanted``
    remembers ``wants_variants`` per word across the two tiers' queries."""
    if isinstance(q, wq.BinaryQuery):
        return q.__class__(
            _with_name_variants(q.a, text, reader, wanted),
            _with_name_variants(q.b, text, reader, wanted),
        )
    if isinstance(q, wq.Or) and _is_one_word(q):
        word = text[q.subqueries[0].startchar : q.subqueries[0].endchar]
        key = name_key(word)
        if key and word not in wanted:
            wanted[word] = wants_variants(word, reader)
        if key and wanted[word]:
            variant = wq.Term("names", key, boost=NAME_WEIGHT)
            return wq.Or([q, wq.AndNot(variant, q)], boost=q.boost)
        return q
    if isinstance(q, wq.CompoundQuery):
        parts = [_with_name_variants(sub, text, reader, wanted) for sub in q.subqueries]
        return q.__class__(parts, boost=q.boost)
    return q


def _is_one_word(q: wq.Or) -> bool:
    """One plain word looked up in headline and body (not a phrase, wildcard or field)."""
    parts = q.subqueries
    return (
        all(isinstance(sub, wq.Term) and sub.field() in QUERY_FIELDS for sub in parts)
        and len({(sub.startchar, sub.endchar) for sub in parts}) == 1
        and getattr(parts[0], "startchar", None) is not None
    )


def is_syntax(text: str) -> bool:
    """Whether ``text`` uses query syntax (operators, quotes, fields, wildcards, ranges)."""
    match = _SYNTAX.search(text)
    if match is None:
        return False
    operator_only = _OPERATORS.fullmatch(match.group(0))
    return not operator_only or _OPERATORS.search(text) is not None


def _parse_syntax(text: str, schema, *, all_parts: bool) -> wq.Query | None:
    """The query ``text`` says, its parts side by side joined by AND (``all_parts``) or OR;
    None if Whoosh's parser cannot read it."""
    from whoosh import qparser

    group = qparser.AndGroup if all_parts else qparser.OrGroup
    parser = qparser.MultifieldParser(list(QUERY_FIELDS), schema, group=group)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    # -word and +word beside syntax too: a sign before a word, a phrase or a group (not one
    # apart from any word, before punctuation, or a hyphen inside a word: source:itar-tass)
    parser.add_plugin(
        qparser.PlusMinusPlugin(plusexpr=_SIGN.format("\\+"), minusexpr=_SIGN.format("-"))
    )
    try:
        # Not normalised: that would flatten "gas pipeline" into one OR of four field terms
        # and lose which terms belong to which word.
        parsed = parser.parse(_QUESTION_MARK.sub(r"\1", text), normalize=False)
    except Exception:  # Whoosh's parser has many failure modes; plain text is the answer
        return None
    parsed = _tidy(parsed)
    if _is_null(parsed):
        return None
    return _bind_negations(parsed)


def _excluding_alike(any_parts: wq.Query, all_parts: wq.Query) -> wq.Query:
    """``any_parts`` with what it excludes taken from ``all_parts``: ``NOT (a b)`` leaves out
    the articles with both words in either query. (Left out with either word, as OR would
    say, the "some of the words" query would match fewer articles than the "all" one.)"""
    if type(any_parts) is not type(all_parts):
        return any_parts
    if type(any_parts) is wq.AndNot:
        return wq.AndNot(_excluding_alike(any_parts.a, all_parts.a), all_parts.b)
    if isinstance(any_parts, wq.BinaryQuery):
        return any_parts.__class__(
            _excluding_alike(any_parts.a, all_parts.a), _excluding_alike(any_parts.b, all_parts.b)
        )
    if isinstance(any_parts, wq.CompoundQuery) and len(any_parts.subqueries) == len(
        all_parts.subqueries
    ):
        parts = map(_excluding_alike, any_parts.subqueries, all_parts.subqueries)
        return any_parts.__class__(list(parts), boost=any_parts.boost)
    return any_parts


def _is_null(q: wq.Query) -> bool:
    return isinstance(q, type(wq.NullQuery))


def _tidy(q: wq.Query) -> wq.Query:
    """Drop the empty parts the parser leaves for stray operators (``gas OR``), and wrappers
    around a single part, keeping the grouping of words intact; ``word~N`` looks for at most
    ``MAX_EDITS`` edits."""
    if isinstance(q, wq.BinaryQuery):
        a, b = _tidy(q.a), _tidy(q.b)
        if _is_null(b):
            return a
        if _is_null(a):  # -"a b" alone: every article but those
            return wq.AndNot(wq.Every(), b) if isinstance(q, wq.AndNot) else wq.NullQuery
        return q.__class__(a, b)
    if isinstance(q, wq.CompoundQuery):
        parts = [part for part in map(_tidy, q.subqueries) if not _is_null(part)]
        if not parts:
            return wq.NullQuery
        if len(parts) == 1:
            return parts[0].with_boost(parts[0].boost * q.boost)
        return q.__class__(parts, boost=q.boost)
    if isinstance(q, wq.Not):
        inner = _tidy(q.query)
        return wq.NullQuery if _is_null(inner) else wq.Not(inner)
    if isinstance(q, wq.FuzzyTerm) and q.maxdist > MAX_EDITS:
        return wq.FuzzyTerm(
            q.fieldname, q.text, q.boost, MAX_EDITS, q.prefixlength, constantscore=q.constantscore
        )
    return q


def _bind_negations(q: wq.Query) -> wq.Query:
    """``a b NOT c`` means (a OR b), or (a AND b), without c, not "a, or b, or anything
    lacking c"."""
    if type(q) in (wq.Or, wq.And):
        positives = [_bind_negations(sub) for sub in q.subqueries if not isinstance(sub, wq.Not)]
        negatives = [sub.query for sub in q.subqueries if isinstance(sub, wq.Not)]
        if negatives:
            kept = _joined(positives, type(q)) if positives else wq.Every()
            return wq.AndNot(kept, _joined(negatives))
        return type(q)(positives, boost=q.boost)
    if isinstance(q, wq.Not):
        return wq.AndNot(wq.Every(), _bind_negations(q.query))
    if isinstance(q, wq.BinaryQuery):  # AndNot, AndMaybe, Require: two operands
        return q.__class__(_bind_negations(q.a), _bind_negations(q.b))
    if isinstance(q, wq.CompoundQuery):
        return q.__class__([_bind_negations(sub) for sub in q.subqueries], boost=q.boost)
    return q


def _joined(queries: list[wq.Query], kind: type = wq.Or) -> wq.Query:
    return queries[0] if len(queries) == 1 else kind(queries)


_STARTS_A_WORD = r"(?<![^\s(])"
"""Where a sign that requires (``+``) or leaves out (``-``) a word stands: after white space
or an opening parenthesis, or first."""
_SIGN = _STARTS_A_WORD + r"{}(?=[\w\"(])"
"""The parser's sign (``{}``), before a word, a phrase or a group."""

_PLAIN_WORD = re.compile(_STARTS_A_WORD + r"([+-])(?=\w)|\w+(?:\.?\w+)*")


def plain_ranking(text: str) -> Ranking:
    """Every distinct word, in the headline or the body: the articles with all of them
    first, then those with some; ``-word`` leaves out the articles that have it, ``+word``
    keeps only those that have it (whichever tier)."""
    words: list[wq.Query] = []
    required: list[wq.Query] = []
    excluded: list[wq.Query] = []
    seen: set[str] = set()
    sign = ""
    analyzer = text_analyzer()
    for match in _PLAIN_WORD.finditer(text):
        if match[1]:
            sign = match[1]
            continue
        stems = [token.text for token in analyzer(match.group(0), mode="query")]
        fresh = [stem for stem in stems if stem not in seen]
        seen.update(fresh)
        if fresh:
            clause = _word_clause(fresh, match.start(), match.end())
            {"": words, "+": required, "-": excluded}[sign].append(clause)
        sign = ""
    if not (words or required):
        if not excluded:
            return Ranking(wq.NullQuery, None)
        return Ranking(wq.AndNot(wq.Every(), _joined(excluded)), None)
    parts = [*required, *words]
    any_parts = _joined(words) if words else None
    if required:
        needed = _joined(required, wq.And)
        any_parts = needed if any_parts is None else wq.AndMaybe(needed, any_parts)
    all_parts = _joined(parts, wq.And) if len(parts) > 1 else None
    if excluded:
        any_parts = wq.AndNot(any_parts, _joined(excluded))
        all_parts = None if all_parts is None else wq.AndNot(all_parts, _joined(excluded))
    return Ranking(any_parts, None if all_parts == any_parts else all_parts)


def _word_clause(stems: list[str], start: int, end: int) -> wq.Query:
    """A word's terms in each query field, marked with where the word stands in the text."""
    terms = []
    for stem in stems:
        for field in QUERY_FIELDS:
            term = wq.Term(field, stem)
            term.startchar, term.endchar = start, end
            terms.append(term)
    return wq.Or(terms)


_NUMBER_LOW, _NUMBER_HIGH = -(2**31), 2**31 - 1
"""The numbers the index's year, volume and issue fields hold (``NUMERIC(bits=32)``)."""


def filter_query(filters: Filters) -> wq.Query | None:
    """The query that keeps only the articles ``filters`` allow; None when they allow all."""
    parts: list[wq.Query] = []
    if filters.publication:
        parts.append(wq.Term("pubkey", fold_key(filters.publication)))
    for name in ("year", "volume", "issue"):
        value = getattr(filters, name)
        if value is not None:
            if not _NUMBER_LOW <= value <= _NUMBER_HIGH:
                raise BadQuery(f"--{name} {value}: out of range (the index keeps 32-bit numbers)")
            parts.append(wq.NumericRange(name, value, value))
    if filters.date_from or filters.date_to:
        low = parse_date_bound(filters.date_from, "--from", end=False) if filters.date_from else 1
        parts.append(wq.NumericRange("date_low", low, None))
        if filters.date_to:
            high = parse_date_bound(filters.date_to, "--to", end=True)
            parts.append(wq.NumericRange("date_high", None, high))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


_DATE_OPTION = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def parse_date_bound(value: str, option: str, *, end: bool) -> int:
    """``1999``, ``1999-02`` or ``1999-02-05`` as a YYYYMMDD number: the first day of that
    period for ``--from``, the last for ``--to``."""
    match = _DATE_OPTION.match(value.strip())
    if not match:
        raise BadQuery(f"{option} {value!r}: expected a date like 1999, 1999-02 or 1999-02-05")
    year = int(match[1])
    month = int(match[2]) if match[2] else (12 if end else 1)
    try:
        if match[3]:
            day = dt.date(year, month, int(match[3])).day
        elif end:
            following = dt.date(year + month // 12, month % 12 + 1, 1)
            day = (following - dt.timedelta(days=1)).day
        else:
            day = dt.date(year, month, 1).day
    except ValueError:
        raise BadQuery(f"{option} {value!r}: no such date") from None
    return date_number(year, month, day)
