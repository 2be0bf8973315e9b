"""Answer a query: ranked hits as plain dataclasses, ready for any printer.

Ranking is BM25F over headline and body. The words a query puts side by side match the
articles that have all of them; in relevance order those with only some follow, each group
in score order. Date order (``newest``, ``oldest``) lists the matches alone.
"""

from __future__ import annotations

import dataclasses
import gc
import heapq
import math
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from monitor_search.analysis.analyzers import fold_key
from monitor_search.engine.columns import numeric_values
from monitor_search.errors import ArticleNotFound, BadQuery, MsearchError, UnknownPublication
from monitor_search.index.schema import QUERY_FIELDS, content_key
from monitor_search.index.store import read_index
from monitor_search.model import Filters, Fragment, Hit, MarkedArticle, SearchResult, Timeline
from monitor_search.search import evaluation
from monitor_search.search.catalog import from_stored, info_fields, stored_article
from monitor_search.search.facets import (
    FACETS,
    PERIODS,
    UNKNOWN,
    count_facets,
    naming_source,
    timeline,
)
from monitor_search.search.highlight import marked_whole, opening, passages, whole
from monitor_search.search.pruning import best
from monitor_search.search.query import (
    Ranking,
    build_query,
    filter_query,
    ignored_words,
    is_syntax,
    ranking_for_words,
)
from monitor_search.search.scoring import FEEDBACK_DEPTH, WEIGHTING, reranked
from monitor_search.search.suggest import suggest

SORTS = ("relevance", "newest", "oldest", "date")
"""``date`` is ``newest``."""
FEW_MATCHES = 10
"""Below this many matches (less than a page) a query with an unknown word gets a "did you
mean"; above it the query found what it was after, and looking for corrections (a fuzzy scan
of the vocabulary, slow on a large index) would only cost time."""
SIMILAR_TERMS = 20
"""Key terms of an article that ``similar`` searches for."""


@dataclass(frozen=True)
class _Request:
    limit: int
    filter_query: object
    sort: str
    facets: tuple[str, ...]
    feedback: bool = False
    """Re-rank by pseudo-relevance feedback (queries a user typed; not ``similar``)."""
    match_any: bool = False
    """Articles with any of the words match (else those with all of them)."""
    offset: int = 0
    """Better hits skipped (the page after the first ``offset`` hits)."""
    passages: bool = True
    """Find each hit's passages and highlights (not needed for paths alone)."""

    @property
    def depth(self) -> int:
        """Hits ranked: those skipped and those shown."""
        return self.offset + self.limit


def search(
    index_dir: Path,
    text: str,
    *,
    limit: int = 10,
    filters: Filters | None = None,
    sort: str = "relevance",
    facets: tuple[str, ...] = (),
    match_any: bool = False,
    offset: int = 0,
    passages: bool = True,
) -> SearchResult:
    """Run ``text`` against the index in ``index_dir``; the best ``limit`` hits after the
    first ``offset`` (ranked ``offset + 1`` on).

    Plain words match the articles that have all of them (``match_any``: any of them); in
    relevance order the articles with only some follow those with all. ``sort`` is
    ``relevance``, ``newest`` (or ``date``) or ``oldest``; undated articles come last.
    Without ``passages`` the hits have no fragments (and no highlighting work is done)."""
    request = _search_request(limit, filters, sort, facets, match_any, offset, passages)
    return _run(index_dir, _checked(text), _answering(text, filters, request))


@dataclass(frozen=True)
class Matches:
    """A result with the content keys (``index.schema.content_key``) of what it matched."""

    result: SearchResult
    matched: frozenset[str]
    """Of every article that matches (the hits shown and all the others)."""
    shown: frozenset[str]
    """Of the hits in ``result``."""


def search_matching(
    index_dir: Path,
    text: str,
    *,
    limit: int | None = 10,
    filters: Filters | None = None,
    sort: str = "relevance",
    match_any: bool = False,
    unseen_only: frozenset[str] | None = None,
) -> Matches:
    """``search``, with the content keys of what matched, all read from one commit of the
    index. The hits are matches alone (no articles with only some of the words follow);
    ``limit`` None: every match. With ``unseen_only``, the articles whose content key is in
    it are left out (a saved search's articles seen already)."""
    request = _search_request(limit or 1, filters, sort, (), match_any, 0, True)

    def both(searcher, ranking: Ranking) -> Matches:
        _check_publication(searcher, filters)
        reader = searcher.reader()
        keys = reader.column_reader("signature")
        wanted = _restricted(searcher, filters, request)
        if unseen_only is not None:
            allowed = {d for d in reader.all_doc_ids() if content_key(keys[d]) not in unseen_only}
            wanted = dataclasses.replace(wanted, filter_query=_narrowed(searcher, wanted, allowed))
        docnums = _all_matches(searcher, ranking.matching(match_any), wanted.filter_query)
        if limit is None:
            wanted = dataclasses.replace(wanted, limit=max(1, len(docnums)))
        result = _answer(searcher, ranking, text, wanted)
        result.hits = [hit for hit in result.hits if match_any or hit.matched == "all"]
        paths = reader.column_reader("path")
        by_path = {paths[docnum]: docnum for docnum in docnums}
        return Matches(
            result,
            frozenset(content_key(keys[docnum]) for docnum in docnums),
            frozenset(content_key(keys[by_path[hit.path]]) for hit in result.hits),
        )

    return _run(index_dir, _checked(text), both)


def _search_request(limit, filters, sort, facets, match_any, offset, passages) -> _Request:
    if sort not in SORTS:
        raise BadQuery(f"--sort {sort!r}: choose one of {', '.join(SORTS)}")
    if limit < 1:
        raise BadQuery("--limit must be at least 1")
    if offset < 0:
        raise BadQuery("--offset must be 0 or more")
    for name in facets:
        if name not in FACETS:
            raise BadQuery(f"--facet {name!r}: choose from {', '.join(FACETS)}")
    return _Request(
        limit,
        filter_query(filters or Filters()),
        sort,
        tuple(dict.fromkeys(facets)),
        feedback=True,
        match_any=match_any,
        offset=offset,
        passages=passages,
    )


def _answering(text: str, filters: Filters | None, request: _Request):
    def answer(searcher, ranking: Ranking) -> SearchResult:
        _check_publication(searcher, filters)
        return _answer(searcher, ranking, text, _restricted(searcher, filters, request))

    return answer


def _restricted(searcher, filters: Filters | None, request: _Request) -> _Request:
    """``request``, its filter narrowed to the articles naming ``filters.source`` if set (a
    filter the query language cannot say exactly: see ``facets.naming_source``)."""
    if filters is None or not filters.source:
        return request
    allowed = _narrowed(searcher, request, naming_source(searcher, filters.source))
    return dataclasses.replace(request, filter_query=allowed)


def _narrowed(searcher, request: _Request, allowed: set[int]) -> set[int]:
    """The document numbers of ``allowed`` that ``request``'s filter lets through."""
    if request.filter_query is None:
        return allowed
    if isinstance(request.filter_query, (set, frozenset)):
        return allowed & request.filter_query
    return allowed & set(searcher.docs_for_query(request.filter_query))


def _checked(text: str) -> str:
    """``text``, if it asks for something: an empty query is a usage error, not "no
    articles match"."""
    if not text.strip():
        raise BadQuery("the query is empty: give words to search for, or '*' for every article")
    return text


def _check_publication(searcher, filters: Filters | None) -> None:
    """A ``--publication`` the index does not have is a miss to explain, not a plain "no
    articles match": say which publications it has, with their article counts."""
    if filters is None or not filters.publication:
        return
    reader = searcher.reader()
    if ("pubkey", fold_key(filters.publication)) in reader:
        return
    counts = count_facets(reader, list(reader.all_doc_ids()), ("publication",))["publication"]
    counts.pop(UNKNOWN, None)
    known = ", ".join(f"{name} ({count:,})" for name, count in counts.items())
    raise UnknownPublication(
        f"no publication {filters.publication!r} in the index; "
        + (f"it has: {known}" if known else "no article in it names its publication")
    )


def count_timeline(
    index_dir: Path,
    text: str,
    *,
    by: str = "year",
    filters: Filters | None = None,
    match_any: bool = False,
) -> tuple[int, Timeline]:
    """How many articles match ``text`` (as ``search`` counts them), and how many per year
    or month."""
    _checked(text)
    if by not in PERIODS:
        raise BadQuery(f"--by {by!r}: choose one of {', '.join(PERIODS)}")

    def count(searcher, ranking: Ranking):
        restriction = _restriction(searcher, filters)
        docnums = _all_matches(searcher, ranking.matching(match_any), restriction)
        return len(docnums), timeline(searcher.reader(), docnums, by)

    return _run(index_dir, text, count)


def count_matches(
    index_dir: Path, text: str, *, filters: Filters | None = None, match_any: bool = False
) -> int:
    """How many articles match ``text``: the ``total`` of ``search`` with the same
    arguments, without ranking or reading any article."""
    _checked(text)

    def count(searcher, ranking: Ranking) -> int:
        restriction = _restriction(searcher, filters)
        return _match_count(searcher, ranking.matching(match_any), restriction)

    return _run(index_dir, text, count)


def _restriction(searcher, filters: Filters | None):
    """The filter query of ``filters`` as ``search`` applies it (an unknown publication is
    an error)."""
    _check_publication(searcher, filters)
    request = _Request(1, filter_query(filters or Filters()), "relevance", ())
    return _restricted(searcher, filters, request).filter_query


def _match_count(searcher, query, filter_query) -> int:
    """How many articles ``query`` matches (among those ``filter_query`` lets through)."""
    from whoosh import query as wq

    if isinstance(query, type(wq.NullQuery)):
        return 0
    if evaluation.supports(query, searcher):
        scorer = evaluation.WordScorer(searcher, filter_query)
        return scorer.count(query, scorer.allowed)
    return len(_all_matches(searcher, query, filter_query))


def similar(index_dir: Path, article_id: str, *, limit: int = 10) -> SearchResult:
    """The articles most like article ``article_id`` (by its key terms), never itself."""
    if limit < 1:
        raise BadQuery("--limit must be at least 1")

    def read(ix) -> SearchResult:
        with _no_cycle_collection(), ix.searcher(weighting=WEIGHTING) as searcher:
            return _similar(searcher, article_id, limit)

    return read_index(index_dir, read)


def marked_article(index_dir: Path, key: str, text: str) -> MarkedArticle:
    """The article whose id (or file path) is ``key``, whole, with the words (and phrases)
    of the query ``text`` marked as in the passages of its hits."""
    _checked(text)

    def mark(searcher, ranking: Ranking) -> MarkedArticle:
        article = from_stored(stored_article(searcher, key))
        wanted = _Wanted.of(searcher, ranking)
        body = marked_whole(article.body, *wanted.in_body())
        return MarkedArticle(article, wanted.title(article.title), body)

    return _run(index_dir, text, mark)


def _similar(searcher, article_id: str, limit: int) -> SearchResult:
    from whoosh import query as wq

    docnum = searcher.document_number(id=article_id.strip().lower())
    if docnum is None:
        raise ArticleNotFound(
            f"no article with id {article_id!r} in the index: ids are shown by 'msearch query'"
        )
    stored = searcher.stored_fields(docnum)
    text = f"{stored.get('title') or ''}\n{stored.get('body') or ''}"
    key_terms = _key_terms(searcher, text)
    words = wq.Or(
        [wq.Term(f, term, boost=weight) for term, weight in key_terms for f in QUERY_FIELDS]
    )
    others = wq.AndNot(wq.Every(), wq.Term("id", stored["id"]))
    request = _Request(limit, others, "relevance", ())
    return _answer(searcher, Ranking(words, None), f"similar:{stored['id']}", request)


def _key_terms(searcher, text: str) -> list[tuple[str, float]]:
    """The article's most telling words that other articles share: tf x idf, as in Lucene's
    more-like-this; words no other article has cannot lead anywhere, so they are left out."""
    counts: dict[str, int] = {}
    for token in searcher.schema["body"].analyzer(text):
        counts[token.text] = counts.get(token.text, 0) + 1
    total = searcher.doc_count_all()
    scored = []
    for term, tf in counts.items():
        df = searcher.doc_frequency("body", term)
        if df >= 2:
            scored.append((term, tf * math.log(1 + total / df)))
    scored.sort(key=lambda item: (-item[1], item[0]))
    best = scored[:SIMILAR_TERMS]
    top = best[0][1] if best and best[0][1] > 0 else 1.0
    return [(term, weight / top) for term, weight in best if weight > 0]


def _run(index_dir: Path, text: str, answer):
    """``answer(searcher, ranking)`` for the query ``text``, with Python's cycle collector
    paused (``_no_cycle_collection``)."""
    with _no_cycle_collection():
        return _answer_or_retry(index_dir, text, answer)


@contextmanager
def _no_cycle_collection():
    """Pause Python's cycle collector while a query is answered, then restore it.

    A query on a large archive builds tens of thousands of small containers (scores, sets,
    candidate tuples) that hold no cycles, and each 700 of them set off a collection that
    walks every object of the process.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _answer_or_retry(index_dir: Path, text: str, answer):
    """``answer(searcher, ranking)`` for the query ``text``. If Whoosh fails on what it
    parsed from query syntax, the words are answered as plain text instead."""

    def read(ix):
        try:
            with ix.searcher(weighting=WEIGHTING) as searcher:
                return answer(searcher, build_query(text, ix.schema, searcher.reader()))
        except MsearchError:
            raise
        except Exception:
            if not is_syntax(text):
                raise
        with ix.searcher(weighting=WEIGHTING) as searcher:
            return answer(searcher, ranking_for_words(text, searcher.reader()))

    return read_index(index_dir, read)


def _answer(searcher, ranking: Ranking, text: str, request: _Request) -> SearchResult:
    ranked = _ranked(searcher, ranking, request)
    wanted = _Wanted.of(searcher, ranking)
    shown, with_passages = ranked.hits[request.offset :], request.passages
    hits = [
        _hit(rank, searcher.stored_fields(docnum), score, matched, wanted, with_passages)
        for rank, (docnum, score, matched) in enumerate(shown, start=request.offset + 1)
    ]
    typed = not text.startswith("similar:")
    result = SearchResult(
        query=text,
        total=ranked.total,
        hits=hits,
        total_any=ranked.total_any,
        ignored=ignored_words(text) if typed else [],
        nothing_to_search=ranking.is_empty,
        offset=request.offset,
        any_words=request.match_any,
    )
    if typed and ranked.total < FEW_MATCHES:
        result.suggestion = suggest(searcher, text)
    if request.facets:
        matching = ranking.matching(request.match_any)
        docnums = _all_matches(searcher, matching, request.filter_query)
        result.facets = count_facets(searcher.reader(), docnums, request.facets)
    return result


def _all_matches(searcher, query, filter_query) -> list[int]:
    """Every article ``query`` matches (among those ``filter_query`` lets through)."""
    from whoosh import query as wq

    if isinstance(query, type(wq.NullQuery)):
        return []
    if evaluation.supports(query, searcher):
        scorer = evaluation.WordScorer(searcher, filter_query)
        return scorer.sorted_matches(query, scorer.allowed)
    results = searcher.search(query, limit=None, filter=filter_query, scored=False)
    return sorted(results.docs())


@dataclass
class _Ranked:
    hits: list[tuple[int, float, str]]
    """(docnum, score, "all" or "some") of the hits to show."""
    total: int
    total_any: int


def _ranked(searcher, ranking: Ranking, request: _Request) -> _Ranked:
    """The top hits, the number of matches, and of the articles with any of the words."""
    if ranking.is_empty:
        return _Ranked([], 0, 0)
    if request.sort != "relevance":
        return _by_date(searcher, ranking, request)
    depth = max(request.depth, FEEDBACK_DEPTH) if request.feedback else request.depth
    first, rest, total_all, total_any = _tiered(searcher, ranking, depth, request.filter_query)
    if request.feedback:
        first, rest = reranked(searcher, ranking.any_words, first, rest)
    others = "all" if ranking.all_words is None else "some"
    hits = [(d, score, "all") for d, score in first] + [(d, score, others) for d, score in rest]
    total = total_any if request.match_any or ranking.all_words is None else total_all
    return _Ranked(hits[: request.depth], total, total_any)


def _by_date(searcher, ranking: Ranking, request: _Request) -> _Ranked:
    """The matches newest (or oldest) first, undated last, each with its relevance score."""
    matching = ranking.matching(request.match_any)
    docnums = _all_matches(searcher, matching, request.filter_query)
    days = numeric_values(searcher.reader(), "date_low", docnums)
    sign = -1 if request.sort in ("newest", "date") else 1
    # undated last, then by day, then by document number
    keys = ((not day, sign * day, docnum) for day, docnum in zip(days, docnums, strict=True))
    shown = [key[2] for key in heapq.nsmallest(request.depth, keys)]
    scores = _relevance(searcher, ranking, shown)
    total_any = len(docnums)
    if matching is not ranking.any_words:
        total_any = _match_count(searcher, ranking.any_words, request.filter_query)
    return _Ranked(
        [(docnum, score, "all") for docnum, score in zip(shown, scores, strict=True)],
        len(docnums),
        total_any,
    )


def _relevance(searcher, ranking: Ranking, docnums: list[int]) -> list[float]:
    """Each article's relevance score for the query (its first-pass score, before feedback).
    Whoosh's hits sorted by date carry the sort key as their score (-2167714879 for
    2023-12-31), which is no score to show."""
    if evaluation.supports(ranking.any_words, searcher):
        scorer = evaluation.WordScorer(searcher)
        scores = scorer.evaluate_among(ranking.any_words, set(docnums))
    else:
        found = searcher.search(ranking.any_words, limit=None, filter=set(docnums))
        scores = {hit.docnum: hit.score for hit in found}
    return [scores.get(docnum, 0.0) for docnum in docnums]


def _tiered(searcher, ranking: Ranking, limit: int, filter_query):
    """The top ``limit`` hits as two tiers, articles with all the words, then the rest, each
    in score order; the number of articles with all the words, and with any."""
    if evaluation.supports(ranking.any_words, searcher) and (
        ranking.all_words is None or evaluation.supports(ranking.all_words, searcher)
    ):
        return _tiered_from_postings(searcher, ranking, limit, filter_query)
    first: list[tuple[int, float]] = []
    if ranking.all_words is not None:
        top = searcher.search(ranking.all_words, limit=limit, filter=filter_query)
        first = [(hit.docnum, hit.score) for hit in top]
    results = searcher.search(ranking.any_words, limit=limit + len(first), filter=filter_query)
    taken = {docnum for docnum, _ in first}
    rest = [(hit.docnum, hit.score) for hit in results if hit.docnum not in taken]
    # counted in an unscored pass of their own: the length of Whoosh's results is its
    # collector's tally, which stops short once Whoosh skips low-scoring parts of a query
    total_any = _match_count(searcher, ranking.any_words, filter_query)
    total_all = total_any
    if ranking.all_words is not None:
        total_all = _match_count(searcher, ranking.all_words, filter_query)
    return first, rest[: limit - len(first)], total_all, total_any


def _tiered_from_postings(searcher, ranking: Ranking, limit: int, filter_query):
    """``_tiered`` for word queries, scored in bulk (see ``evaluation``): same hits, same
    scores, same order. When articles with every word fill the page, the others are only
    counted, not scored."""
    scorer = evaluation.WordScorer(searcher, filter_query)
    allowed = scorer.allowed
    first: list[tuple[int, float]] = []
    rest: list[tuple[int, float]] = []
    if ranking.all_words is not None:
        first = best(scorer, ranking.all_words, limit, allowed)
    if len(first) < limit:
        taken = {docnum for docnum, _ in first}
        found = best(scorer, ranking.any_words, limit + len(first), allowed)
        rest = [hit for hit in found if hit[0] not in taken][: limit - len(first)]
    total_any = scorer.count(ranking.any_words, allowed)
    if ranking.all_words is None:
        return first, rest, total_any, total_any
    return first, rest, scorer.count(ranking.all_words, allowed), total_any


def _wanted_leaves(query):
    """The leaves of ``query`` that ask for words, not those that leave words out (under a
    NOT, or the second part of an AND NOT): those are never marked."""
    from whoosh import query as wq

    if isinstance(query, wq.Not):
        return
    if isinstance(query, wq.AndNot):
        yield from _wanted_leaves(query.a)
        return
    if query.is_leaf():
        yield query
        return
    for child in query.children():
        yield from _wanted_leaves(child)


def _highlight_terms(searcher, ranking: Ranking) -> dict[str, set[str]]:
    """Per field, the index terms the query matches (wildcards expanded), but for the words
    of phrases (``_highlight_phrases``) that the query does not also ask for alone.

    Not ``Query.existing_terms``: in Whoosh 2.7 it keeps only the first field it meets.
    """
    from whoosh import query as wq

    reader = searcher.reader()
    terms: dict[str, set[str]] = {}
    for leaf in _wanted_leaves(ranking.any_words):
        if isinstance(leaf, wq.Phrase) and leaf.slop == 1:
            continue
        for fieldname, text in leaf.expanded_terms(reader):
            if fieldname not in ("title", "body", "names"):
                continue
            word = text.decode("utf-8") if isinstance(text, bytes) else str(text)
            if (fieldname, word) in reader:
                terms.setdefault(fieldname, set()).add(word)
    return terms


def _highlight_phrases(ranking: Ranking) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Per field, the phrases of the query (words next to each other), as index terms."""
    from whoosh import query as wq

    phrases: dict[str, list[tuple[str, ...]]] = {}
    for leaf in _wanted_leaves(ranking.any_words):
        if isinstance(leaf, wq.Phrase) and leaf.slop == 1 and leaf.words:
            phrases.setdefault(leaf.fieldname, []).append(tuple(leaf.words))
    return {field: tuple(found) for field, found in phrases.items()}


@dataclass(frozen=True)
class _Wanted:
    """What passages mark: terms per field, and phrases per field."""

    terms: dict[str, set[str]]
    phrases: dict[str, tuple[tuple[str, ...], ...]]
    title_analyzer: object

    @classmethod
    def of(cls, searcher, ranking: Ranking) -> _Wanted:
        """What to mark for ``ranking``'s query, as the index ``searcher`` reads knows it."""
        terms, phrases = _highlight_terms(searcher, ranking), _highlight_phrases(ranking)
        return cls(terms, phrases, searcher.schema["title"].analyzer)

    def title(self, title: str) -> Fragment:
        """The whole headline, its matched words (and phrases) marked."""
        words, phrases = self.terms.get("title", set()), self.phrases.get("title", ())
        return whole(title, words, self.title_analyzer, phrases)

    def in_body(self) -> tuple[set[str], frozenset[str], tuple[tuple[str, ...], ...]]:
        """The body's terms, name keys and phrases to mark (``passages``, ``marked_whole``)."""
        names = frozenset(self.terms.get("names", ()))
        return self.terms.get("body", set()), names, self.phrases.get("body", ())


def _hit(
    rank: int, stored: dict, score: float, matched: str, wanted: _Wanted, with_passages: bool
) -> Hit:
    body = stored.get("body") or ""
    title = stored.get("title") or ""
    found = {"rank": rank, "score": round(float(score), 4), "matched": matched}
    if not with_passages:
        return Hit(**info_fields(stored), **found, fragments=(), title_fragment=Fragment(title))
    fragments = passages(body, *wanted.in_body())
    return Hit(
        **info_fields(stored),
        **found,
        fragments=tuple(fragments) or ((opening(body),) if body else ()),
        title_fragment=wanted.title(title),
    )
