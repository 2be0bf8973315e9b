"""The fast index-time analysis gives exactly the postings of the Whoosh analyzers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.fields import TEXT

from monitor_search.analysis import name_key_analyzer, text_analyzer
from monitor_search.fastindex import FastNames, FastText

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
