"""The fast index-time analysis gives exactly the postings of the Whoosh analyzers."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
from whoosh.fields import TEXT
from whoosh.support.charset import accent_map

from monitor_search.analysis.analyzers import name_key_analyzer, text_analyzer
from monitor_search.analysis.terms import (
    _term,
    decode_counts,
    encode_counts,
    term_counts,
    text_positions,
)
from monitor_search.engine.fields import FastNames, FastText

from .conftest import SEED

WORDS = st.sampled_from(
    ["The", "treaty", "Treaties", "détente", "Kyiv", "U.S.", "Nagorno-Karabakh", "Azerbaijan’s",
     "a", "of", "and", "Shevardnadze", "NATO", "Мосцоw", "Москва", "x1", "2005", "İstanbul",
     "said.", "(Interfax,", "Tofig", "ﬁnance", "naïve", "ŞUŞA", "\n\n", "Baku;", "it's"]
)  # fmt: skip
PROSE = st.lists(WORDS, max_size=60).map(" ".join) | st.text(max_size=300)


def postings(field, text: str) -> list:
    return sorted(field.index(text))


@settings(max_examples=400, deadline=None)
@given(PROSE)
def test_fast_text_matches_whoosh_text(text):
    for boost in (1.0, 2.0):
        fast = FastText(analyzer=text_analyzer(), field_boost=boost)
        plain = TEXT(analyzer=text_analyzer(), field_boost=boost)
        assert postings(fast, text) == postings(plain, text)


@settings(max_examples=400, deadline=None)
@given(PROSE)
def test_fast_names_match_whoosh_names(text):
    fast = FastNames(analyzer=name_key_analyzer())
    plain = TEXT(analyzer=name_key_analyzer(), phrase=False)
    assert postings(fast, text) == postings(plain, text)


def test_seed_article_postings_match():
    text = SEED.read_text(encoding="utf-8")
    assert postings(FastText(analyzer=text_analyzer()), text) == postings(
        TEXT(analyzer=text_analyzer()), text
    )
    assert postings(FastNames(analyzer=name_key_analyzer()), text) == postings(
        TEXT(analyzer=name_key_analyzer(), phrase=False), text
    )


@settings(max_examples=400, deadline=None)
@given(st.lists(WORDS, max_size=40).map(" ".join) | st.text(max_size=200), st.data())
def test_counting_only_wanted_terms_misses_none(text, data):
    """``term_counts`` with wanted terms skips words by their opening letters
    (``possible_terms``); it must count exactly what full analysis counts."""
    everything = term_counts(text)
    wanted = frozenset(data.draw(st.lists(st.sampled_from([*everything, "treati", "x"]))))
    assert term_counts(text, wanted) == {t: n for t, n in everything.items() if t in wanted}


def test_counting_only_wanted_terms_counts_acronyms():
    """Acronyms keep capitals (``WILL`` in a headline) or lose their dots (``U.S.S.R``)."""
    text = "THE U.S.S.R WILL SIGN, the U.S. will, pi is 3.14"
    for term, count in [("ussr", 1), ("WILL", 1), ("US", 1), ("3.14", 1), ("sign", 1)]:
        assert term_counts(text, frozenset({term})) == {term: count}


@settings(max_examples=1000, deadline=None)
@given(st.text(min_size=2, max_size=20))
@example("WILL")
@example("U.S.S.R")
@example("AЀ0")  # the Russian stemmer would turn the Latin A into a Cyrillic one
def test_a_stem_differs_from_its_word_only_in_the_last_two_letters(word):
    """What ``possible_terms`` relies on, over arbitrary words (folded, without dots)."""
    term = _term(word)
    folded = word.lower().translate(accent_map).replace(".", "")
    assert not term or folded.startswith(term[:-2].lower().translate(accent_map).replace(".", ""))


SUFFIXES = ["", "s", "es", "ies", "ed", "ing", "y", "ly", "ational", "tional", "enci", "anci",
            "izer", "bli", "alli", "entli", "eli", "ousli", "ization", "ation", "ator", "alism",
            "iveness", "fulness", "ousness", "aliti", "iviti", "biliti", "icate", "ative",
            "alize", "iciti", "ical", "ful", "ness", "ement", "ment", "ent", "ion", "ism",
            "ate", "iti", "ous", "ive", "ize", "able", "ible", "ance", "ence", "er",
            "ic"]  # fmt: skip


@settings(max_examples=1000, deadline=None)
@given(st.sampled_from(["gener", "poss", "nob", "hop", "rel", "condit", "agre", "sens", "mob",
                        "dy", "ti", "stab", "organ", "rat", "happ", "control", "fe", "b"]),
       st.lists(st.sampled_from(SUFFIXES), min_size=1, max_size=3))  # fmt: skip
@example("poss", ["y", "biliti"])
def test_the_last_two_letters_rule_holds_for_porters_suffixes(stem_of, suffixes):
    """Found by this test: ``possybiliti`` -> ``possyble`` differs in two letters."""
    word = stem_of + "".join(suffixes)
    term = _term(word)
    assert not term or word.startswith(term[:-2])


@settings(max_examples=200, deadline=None)
@given(text=PROSE)
def test_stored_term_counts_are_the_texts(text):
    assert decode_counts(encode_counts(text_positions(text))) == term_counts(text)
