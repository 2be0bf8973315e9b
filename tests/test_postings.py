"""Word queries scored straight from the posting blocks give Whoosh's own matches and scores."""

from __future__ import annotations

import io
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq
from whoosh.columns import VarBytesColumn
from whoosh.filedb.filestore import RamStorage
from whoosh.filedb.filetables import OrderedHashReader, OrderedHashWriter
from whoosh.filedb.structfile import BufferFile, StructFile

from monitor_search.analysis.terms import term_counts, word_term
from monitor_search.engine import install, patches, postings
from monitor_search.engine.postings import doc_frequency
from monitor_search.index.indexer import update_index
from monitor_search.index.schema import TITLE_BOOST
from monitor_search.index.store import open_for_reading
from monitor_search.search import evaluation, patterns
from monitor_search.search import searcher as search
from monitor_search.search.query import build_query
from monitor_search.search.scoring import WEIGHTING, _Articles

from .conftest import VOCABULARY, write_article


def _word(text: str, boost: float = 1.0) -> wq.Query:
    term = text.lower()
    return wq.Or([wq.Term("title", term), wq.Term("body", term)], boost=boost)


WORD = st.builds(
    _word, st.sampled_from([w.lower() for w in VOCABULARY] + ["absent"]), st.sampled_from([1, 2])
)
PHRASE = st.builds(
    lambda field, words, boost: wq.Phrase(field, [word_term(word) for word in words], boost=boost),
    st.sampled_from(["title", "body"]),
    st.lists(st.sampled_from([*VOCABULARY[:6], "said", "absent"]), min_size=1, max_size=3),
    st.sampled_from([1, 1.5]),
)
"""Phrases of the words most often next to each other in the generated articles."""
LEAF = (
    WORD
    | PHRASE
    | st.builds(
        lambda text: wq.Term("names", text, boost=0.5), st.sampled_from(["kaf", "=kyiv", "=aliyev"])
    )
)
WITHOUT_NOT = st.recursive(
    LEAF,
    lambda inner: (
        st.builds(wq.Or, st.lists(inner, min_size=1, max_size=4))
        | st.builds(wq.And, st.lists(inner, min_size=1, max_size=3))
    ),
    max_leaves=8,
)


def _same(found: dict[int, float], expected: dict[int, float]) -> None:
    assert found.keys() == expected.keys()
    for docnum, score in expected.items():
        assert found[docnum] == pytest.approx(score, rel=1e-12)


@settings(max_examples=150, deadline=None)
@given(query=WITHOUT_NOT)
def test_scores_equal_whooshs(word_index, stock_whoosh, query):
    with open_for_reading(word_index).searcher(weighting=WEIGHTING) as searcher:
        assert evaluation.supports(query, searcher)
        expected = stock_whoosh.scores(query)
        _same(evaluation.WordScorer(searcher).evaluate(query), expected)
        assert evaluation.WordScorer(searcher).matches(query) == expected.keys()


@pytest.mark.parametrize("few_wanted", [0, postings.FEW_WANTED], ids=["blocks", "plain"])
@settings(max_examples=40, deadline=None)
@given(phrase=PHRASE)
def test_phrases_equal_whooshs_from_blocks_or_plain_positions(
    word_index, stock_whoosh, few_wanted, phrase
):
    """A phrase finds the same articles with the same scores whether its words' positions
    are read from Whoosh's blocks (a few wanted articles, or segments of earlier versions)
    or from the plain positions."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(postings, "FEW_WANTED", few_wanted)
        with open_for_reading(word_index).searcher(weighting=WEIGHTING) as searcher:
            _same(evaluation.WordScorer(searcher).evaluate(phrase), stock_whoosh.scores(phrase))


@settings(max_examples=60, deadline=None)
@given(kept=WITHOUT_NOT, dropped=WITHOUT_NOT)
def test_and_not_keeps_scores_and_drops_every_excluded_article(
    word_index, stock_whoosh, kept, dropped
):
    with open_for_reading(word_index).searcher(weighting=WEIGHTING) as searcher:
        excluded = set(stock_whoosh.scores(dropped))
        expected = {d: s for d, s in stock_whoosh.scores(kept).items() if d not in excluded}
        found = evaluation.WordScorer(searcher).evaluate(wq.AndNot(kept, dropped))
        _same(found, expected)
        assert evaluation.WordScorer(searcher).matches(wq.AndNot(kept, dropped)) == expected.keys()


@pytest.mark.parametrize(
    ("kept", "dropped", "few_kept"),
    [
        (wq.Term("names", "kaf", boost=0.5), _word("kiev"), True),  # Kyiv's, less Kiev's
        (wq.Term("names", "kaf", boost=0.5), _word("absent"), False),
    ],
)
def test_a_term_and_not_scores_only_the_articles_it_keeps(
    word_index, stock_whoosh, monkeypatch, kept, dropped, few_kept
):
    """A term that keeps fewer than half of its articles has only those scored (looked up
    among them); either way, Whoosh's scores of the articles kept."""
    looked_up = []
    among = evaluation.WordScorer.evaluate_among
    monkeypatch.setattr(
        evaluation.WordScorer,
        "evaluate_among",
        lambda scorer, query, docnums: looked_up.append(query) or among(scorer, query, docnums),
    )
    with open_for_reading(word_index).searcher(weighting=WEIGHTING) as searcher:
        excluded = set(stock_whoosh.scores(dropped))
        expected = {d: s for d, s in stock_whoosh.scores(kept).items() if d not in excluded}
        assert expected
        _same(evaluation.WordScorer(searcher).evaluate(wq.AndNot(kept, dropped)), expected)
    assert looked_up == ([kept] if few_kept else [])


@pytest.mark.parametrize(
    ("pattern", "kind"),
    [("k", wq.Prefix), ("ki", wq.Prefix), ("s", wq.Prefix), ("pipelin", wq.Prefix),
     ("ga", wq.Prefix), ("k?ev", wq.Wildcard), ("s*dz", wq.Wildcard), ("*a", wq.Wildcard),
     ("absent", wq.Prefix), ("gas", wq.Prefix)],
)  # fmt: skip
def test_wildcards_written_out_score_as_whooshs(word_index, monkeypatch, pattern, kind):
    """Whoosh's matcher for ``k*`` in an archive of over 5,000 articles (its binary tree of
    unions: below, it gives every match the same score) scores the OR of the words it fits,
    which the postings then answer."""
    monkeypatch.setattr(wq.Or, "matcher_type", wq.Or.DEFAULT_MATCHER)
    query = wq.Or([kind("title", pattern), kind("body", pattern)])
    with open_for_reading(word_index).searcher(weighting=WEIGHTING) as searcher:
        written = patterns.expanded(query, searcher.reader())
        expected = {hit.docnum: hit.score for hit in searcher.search(query, limit=None)}
        assert evaluation.supports(written, searcher)
        if not expected:  # fits no word
            assert written == wq.Or([wq.Term("title", pattern), wq.Term("body", pattern)])
        _same(evaluation.WordScorer(searcher).evaluate(written), expected)


def test_a_boosted_wildcard_is_a_boosted_or_of_its_words(word_index):
    """As Whoosh's matcher joins them: one word alone is that word's own term, unboosted."""
    with open_for_reading(word_index).searcher(weighting=WEIGHTING) as searcher:
        reader = searcher.reader()
        fitting = [text.decode() for _, text in wq.Prefix("body", "s").expanded_terms(reader)]
        assert len(fitting) > 1
        written = patterns.expanded(wq.Prefix("body", "s", boost=2.0), reader)
        assert written == wq.Or([wq.Term("body", word) for word in fitting], boost=2.0)
        single = patterns.expanded(wq.Prefix("body", "pipelin", boost=2.0), reader)
        assert single == wq.Term("body", "pipelin")


def test_a_wildcard_of_many_words_is_a_filter_of_them(word_index, monkeypatch):
    """Every article with one of its words, each scoring the pattern's boost, as Whoosh's
    constant-score wrapper scores them; counted and filtered like any word query."""
    with open_for_reading(word_index).searcher(weighting=WEIGHTING) as searcher:
        reader = searcher.reader()
        fitting = [text.decode() for _, text in wq.Prefix("body", "s").expanded_terms(reader)]
        monkeypatch.setattr(patterns, "MAX_WORDS", len(fitting) + 1)
        assert type(patterns.expanded(wq.Prefix("body", "s"), reader)) is wq.Or
        monkeypatch.setattr(patterns, "MAX_WORDS", len(fitting))
        written = patterns.expanded(wq.Prefix("body", "s", boost=2.0), reader)
        words = wq.Or([wq.Term("body", word) for word in fitting])
        assert written == wq.ConstantScoreQuery(words, score=2.0)
        assert evaluation.supports(written, searcher)
        expected = {hit.docnum: hit.score for hit in searcher.search(written, limit=None)}
        assert set(expected.values()) == {2.0}
        scorer = evaluation.WordScorer(searcher)
        assert scorer.evaluate(written) == expected
        assert scorer.count(written) == len(expected)
        kept = set(range(0, searcher.doc_count_all(), 3))
        filtered = evaluation.WordScorer(searcher, kept)
        assert filtered.evaluate(written, filtered.allowed) == {
            docnum: score for docnum, score in expected.items() if docnum in kept
        }


def test_every_and_filters(word_index, stock_whoosh):
    with open_for_reading(word_index).searcher(weighting=WEIGHTING) as searcher:
        scorer = evaluation.WordScorer(searcher)
        everything = wq.Every()
        _same(scorer.evaluate(everything), stock_whoosh.scores(everything))
        allowed = set(range(0, 400, 3))
        found = scorer.evaluate(_word("gas"), allowed)
        assert found.keys() == {d for d in stock_whoosh.scores(_word("gas")) if d in allowed}


def test_score_from_counts_equals_the_postings(word_index):
    """Feedback re-ranking scores articles from the term counts stored with them (the body's)
    or counted in their text (the headline's): both are the postings' counts."""
    with open_for_reading(word_index).searcher(weighting=WEIGHTING) as searcher:
        scorer = evaluation.WordScorer(searcher)
        reader = searcher.reader()
        articles = _Articles(searcher)
        docnums = list(reader.all_doc_ids())[::5]
        for field, boost in (("title", TITLE_BOOST), ("body", 1.0)):
            for word in ("gas", "pipelin", "kyiv", "said"):
                from_postings = scorer.terms.term_scores(field, word)
                for docnum in docnums:
                    stored = searcher.stored_fields(docnum)
                    # the body field holds the headline as well
                    texts = [stored.get("title")] + (
                        [stored.get("body")] if field == "body" else []
                    )
                    count = sum(term_counts(text or "").get(word, 0) for text in texts)
                    assert articles.term_counts(docnum)[field].get(word, 0) == count
                    wanted = articles.term_counts(docnum, frozenset([word, "absent"]))
                    assert wanted[field] == ({word: count} if count else {})
                    assert (docnum in from_postings) == bool(count)
                    if count:
                        found = scorer.terms.score(field, word, docnum, count * boost)
                        assert found == from_postings[docnum]


@pytest.mark.parametrize(
    "text",
    ["gas pipeline", "Kiev treaty army", "gas AND NOT russia", "security OR election", "*",
     '"gas pipeline"', '"the army said"', '"security treaty" OR "election border"',
     "pipelin* kiev", "se* NOT treaty", "k?ev OR ba*", "sa* OR ki*"],
)  # fmt: skip
def test_tiers_equal_whooshs_path(word_index, monkeypatch, text):
    """The same hits, scores and counts whether the words are scored from the postings or
    by Whoosh's matchers."""
    ix = open_for_reading(word_index)
    with ix.searcher(weighting=WEIGHTING) as searcher:
        ranking = build_query(text, ix.schema, searcher.reader())
        assert evaluation.supports(ranking.any_words, searcher)
    fast = search.search(word_index, text, limit=15)
    monkeypatch.setattr(evaluation, "supports", lambda query, searcher: False)
    slow = search.search(word_index, text, limit=15)
    assert [(hit.id, hit.matched) for hit in fast.hits] == [(h.id, h.matched) for h in slow.hits]
    found, expected = [hit.score for hit in fast.hits], [hit.score for hit in slow.hits]
    assert found == pytest.approx(expected, rel=1e-12)
    assert (fast.total, fast.total_any) == (slow.total, slow.total_any)
    assert fast.total_any > 0


@pytest.mark.parametrize("text", ["pipeline NOT russia", '"pipeline crosses" NOT russia'])
def test_not_excludes_the_first_match_too(tmp_path, text):
    """Whoosh 2.7's AndNotMatcher kept the first match when it held the excluded word and
    the excluded word's postings started earlier; msearch must not, whether the query is
    scored from the postings (words) or by Whoosh's matchers (phrases, ``patches.py``)."""
    folder = tmp_path / "articles"
    write_article(folder, "a.txt", "RUSSIA", "Russia and oil.")
    write_article(folder, "b.txt", "PIPELINE NEWS", "The pipeline crosses Russia.")
    write_article(folder, "c.txt", "PIPELINE", "The pipeline crosses Georgia.")
    update_index([str(folder)], tmp_path / "index")
    result = search.search(tmp_path / "index", text)
    assert [hit.path for hit in result.hits] == [str(folder / "c.txt")]
    assert result.total == 1


def test_doc_frequency_sums_the_segments_and_stops_past_a_limit(word_index):
    with open_for_reading(word_index).searcher(weighting=WEIGHTING) as searcher:
        reader = searcher.reader()
        for field, word in (("body", "pipelin"), ("title", "gas"), ("body", "absent")):
            exact = reader.doc_frequency(field, word)
            assert doc_frequency(searcher, field, word, limit=exact) == exact
            assert searcher.__dict__["_msearch_doc_frequency"][(field, word)] == exact
            assert doc_frequency(searcher, field, word.encode()) == exact
            if exact:
                searcher.__dict__.pop("_msearch_doc_frequency")  # forget the counts
                partial = doc_frequency(searcher, field, word, limit=0)
                assert 0 < partial <= exact
                assert doc_frequency(searcher, field, word) == exact  # the partial one forgotten


@pytest.mark.parametrize("cutoff", [2**15, 10], ids=["offsets added up", "offsets stored"])
def test_byte_columns_read_back_what_was_written(cutoff):
    """``patches`` adds up a column's offsets its own way: every value must come back."""
    rng = random.Random(5)
    values = [
        bytes(rng.randrange(256) for _ in range(rng.choice([0, 1, 3, 300]))) for _ in range(400)
    ]
    column = VarBytesColumn(write_offsets_cutoff=cutoff)
    buffer = io.BytesIO()
    writer = column.writer(StructFile(buffer))
    for docnum, value in enumerate(values):
        if value:
            writer.add(docnum, value)
    writer.finish(len(values))
    data = buffer.getvalue()
    reader = column.reader(BufferFile(data), 0, len(data), len(values))
    assert reader.had_stored_offsets == (cutoff == 10)
    assert [reader[docnum] for docnum in range(len(values))] == values
    backwards = column.reader(BufferFile(data), 0, len(data), len(values))
    assert [backwards[docnum] for docnum in reversed(range(len(values)))] == values[::-1]


def test_term_lookups_equal_whooshs(word_index):
    """``patches`` looks terms up with ``pread``; every term, and absent ones, must give what
    Whoosh's own look-up gives."""
    ix = open_for_reading(word_index)
    with ix.reader() as reader:
        for segment, _ in reader.leaf_readers():
            table, terms = segment._terms._tindex, segment._terms
            keys = [terms._keycoder(field, text) for field, text in segment.all_terms()]
            keys += [terms._keycoder("body", b"absent"), b"", b"\xff" * 40]
            for key in keys:
                found = list(table.ranges_for_key(key))
                assert found == list(patches.WHOOSH_RANGES_FOR_KEY(table, key))
            present = [
                (f, t, terms.term_info(f, t).doc_frequency()) for f, t in segment.all_terms()
            ]
            for field, text, expected in [*present, ("body", b"absent", 0), ("nofield", b"x", 0)]:
                assert list(patches.doc_frequencies([segment], field, text)) == [expected]
                if field in ix.schema:
                    assert segment.doc_frequency(field, text) == expected
                if expected:
                    assert patches.WHOOSH_DOC_FREQUENCY(terms, field, text) == expected
            whooshs = object.__new__(type(table))
            patches.WHOOSH_HASH_READER_INIT(whooshs, table.dbfile, startoffset=table.startoffset)
            for name in ("tables", "startofdata", "endofdata", "extras", "hashtype"):
                assert getattr(whooshs, name) == getattr(table, name)


@settings(max_examples=200, deadline=None)
@given(
    scores=st.dictionaries(st.integers(0, 500), st.sampled_from([0.5, 1.0, 1.25, 2.0, 3.5])),
    limit=st.integers(1, 40),
)
def test_top_is_whooshs_order(scores, limit):
    """Best score first, then lowest document number, as Whoosh's collector returns them."""
    expected = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:limit]
    assert evaluation.top(scores, limit) == expected


@settings(max_examples=120, deadline=None)
@given(query=WITHOUT_NOT | st.builds(wq.AndNot, WITHOUT_NOT, WITHOUT_NOT), every=st.integers(1, 4))
def test_count_is_the_number_whoosh_finds(word_index, stock_whoosh, query, every):
    """``count`` (segment by segment; a phrase's articles from its evaluation), with and
    without a filter, on segments with deleted articles."""
    with open_for_reading(word_index).searcher(weighting=WEIGHTING) as searcher:
        expected = set(stock_whoosh.scores(query))
        if type(query) is wq.AndNot:  # Whoosh's own AND NOT can keep an excluded article
            expected -= set(stock_whoosh.scores(query.b))
        scorer = evaluation.WordScorer(searcher)
        assert scorer.count(query) == len(expected)
        allowed = set(range(0, searcher.doc_count_all(), every))
        assert scorer.count(query, allowed) == len(expected & allowed)


@settings(max_examples=100, deadline=None)
@given(
    query=WITHOUT_NOT | st.builds(wq.AndNot, WITHOUT_NOT, WITHOUT_NOT) | st.just(wq.Every()),
    every=st.integers(2, 5),
)
def test_a_filtered_scorer_finds_whooshs_matches_among_those_let_through(
    word_index, stock_whoosh, query, every
):
    """Made with a filter, a scorer matches phrases among its articles alone: the same
    scores, count and matches as Whoosh's, filtered (and any other ``allowed`` refused).
    ``evaluate_among`` scores phrases among the given articles alone: the same scores too."""
    with open_for_reading(word_index).searcher(weighting=WEIGHTING) as searcher:
        expected = stock_whoosh.scores(query)
        if type(query) is wq.AndNot:  # Whoosh's own AND NOT can keep an excluded article
            excluded = stock_whoosh.scores(query.b)
            expected = {d: s for d, s in expected.items() if d not in excluded}
        scorer = evaluation.WordScorer(
            searcher, frozenset(range(0, searcher.doc_count_all(), every))
        )
        allowed = scorer.allowed
        filtered = {d: s for d, s in expected.items() if d in allowed}
        _same(scorer.evaluate(query, allowed), filtered)
        assert scorer.count(query, allowed) == len(filtered)
        assert scorer.matches(query, allowed) == filtered.keys()
        with pytest.raises(ValueError):
            scorer.count(query)
        among = set(sorted(scorer.postings.live())[::every])
        found = evaluation.WordScorer(searcher).evaluate_among(query, among)
        _same(found, {d: s for d, s in expected.items() if d in among})


@pytest.mark.parametrize("text", ["oil*", "oill~", '"oil field"', "*"])
def test_a_filter_that_lets_nothing_through_finds_nothing(tmp_path, text):
    """Whoosh 2.7 took an empty filter for no filter in its counts (``patches.py``):
    ``oil* --volume 99`` counted every article with a word starting ``oil``."""
    folder = tmp_path / "articles"
    for number in range(120):  # more than Whoosh collects: it prunes, and counts apart
        word = ("oil", "oilfield", "oils")[number % 3]
        write_article(folder, f"{number}.txt", "NEWS", f"The {word} field.")
    update_index([str(folder)], tmp_path / "index")
    assert search.search(tmp_path / "index", text).total > 0
    nowhere = search.Filters(volume=99)
    result = search.search(tmp_path / "index", text, filters=nowhere)
    assert (result.total, result.total_any, result.hits) == (0, 0, [])
    assert search.count_timeline(tmp_path / "index", text, filters=nowhere)[0] == 0


def test_keys_from_are_whooshs(word_index):
    """The patched ``keys_from`` (read in growing chunks) gives Whoosh's keys from any key
    on, and so the words a prefix expands to, through Whoosh or ``terms_with_prefix``."""
    reader = open_for_reading(word_index).reader()
    for segment, _ in reader.leaf_readers():
        table, terms = segment._terms._tindex, segment._terms
        for key in [b"", terms._keycoder("body", b"g"), terms._keycoder("title", b"s"), b"\xff"]:
            assert list(table.keys_from(key)) == list(patches.WHOOSH_KEYS_FROM(table, key))
    for field, prefix in [("body", "g"), ("title", "pi"), ("names", ""), ("body", "zzzz")]:
        expected = {term for segment, _ in reader.leaf_readers()
                    for term in _whooshs_prefix(segment, field, prefix)}  # fmt: skip
        assert set(reader.expand_prefix(field, prefix)) == expected
        assert postings.terms_with_prefix(reader, field, prefix) == {t.decode() for t in expected}
    assert postings.terms_with_prefix(reader, "no such field", "g") == set()


def _whooshs_prefix(segment, field: str, prefix: str):
    terms = segment._terms
    start = terms._keycoder(field, prefix.encode())
    for key in patches.WHOOSH_KEYS_FROM(terms._tindex, start):
        if not key.startswith(start):
            return
        yield key[len(terms._keycoder(field, b"")) :]


def test_keys_from_reads_items_longer_than_a_chunk():
    """Values of any size, longer than the largest chunk included, in one table."""
    install()
    assert OrderedHashReader.keys_from is not patches.WHOOSH_KEYS_FROM
    storage = RamStorage()
    writer = OrderedHashWriter(storage.create_file("table"))
    items = [(b"a%05d" % number, b"v" * (number * 7919 % 300_000)) for number in range(40)]
    for key, value in items:
        writer.add(key, value)
    writer.close()
    table = OrderedHashReader.open(storage, "table")
    for start in (b"", b"a00007", b"a00039", b"b"):
        assert list(table.keys_from(start)) == [key for key, _ in items if key >= start]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 400), st.lists(st.integers(0, 50), min_size=1, max_size=6)),
        min_size=1,
        max_size=30,
        unique_by=lambda posting: posting[0],
    ),
    st.sets(st.integers(0, 400)),
)
def test_keys_among_are_the_wanted_articles_keys(postings, wanted):
    """``keys_among`` gives exactly the keys of ``keys`` whose article is wanted."""
    from array import array

    from monitor_search.engine import plainpositions

    postings.sort()
    docnums = array("I", [docnum for docnum, _ in postings])
    counts = array("I", [len(gaps) for _, gaps in postings])
    gaps = [gap for _, posting_gaps in postings for gap in posting_gaps]
    every = list(plainpositions.keys(docnums, counts, gaps))
    among = plainpositions.keys_among(docnums, counts, gaps, sorted(wanted))
    assert among == [key for key in every if key >> plainpositions.KEY_SHIFT in wanted]
