"""Passages: bounded, cut at word boundaries, each showing a matched word, best first."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor_search.analysis.names import name_key
from monitor_search.analysis.terms import text_positions
from monitor_search.search.highlight import FRAGMENT_CHARS, MAX_FRAGMENTS, passages

from .conftest import SEED

WORDS = ["pipeline", "Pipelines", "gas", "Russia", "the", "of", "Kyiv", "Kiev", "treaty",
         "a", "Baku-Ceyhan", "(Interfax,", "March", "2).", "security", "\n\n", "said",
         "oil", "Shevardnadze-Aliyev-Nazarbayev-Karimov", "\n"]  # fmt: skip
LONGEST_WORD = max(len(word) for word in WORDS)


def _check(text: str, terms: set[str], name_keys: frozenset[str]) -> list:
    found = passages(text, terms, name_keys)
    assert len(found) <= MAX_FRAGMENTS
    flat = text.replace("\n", " ")
    last_end = -1
    for fragment in found:
        assert fragment.highlights, "every passage shows a matched word"
        assert len(fragment.text) <= FRAGMENT_CHARS + LONGEST_WORD
        start = flat.find(fragment.text, last_end + 1) if fragment.text else -1
        assert start > last_end, "passages are in text order and do not overlap"
        end = start + len(fragment.text)
        assert fragment.starts_article == (start == 0)
        assert start == 0 or flat[start - 1] == " ", "cut at a word boundary"
        assert end >= len(flat) - 3 or flat[end] == " " or not flat[end - 1].isalnum()
        for a, b in fragment.highlights:
            word = fragment.text[a:b]
            matched = name_keys and name_key(word) in name_keys
            assert text_positions(word).keys() & terms or matched
        last_end = end
    return found


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(WORDS), max_size=400).map(" ".join),
    st.sets(st.sampled_from(["pipelin", "ga", "russia", "treati", "oil", "secur"]), max_size=3),
    st.booleans(),
)
def test_every_passage_is_bounded_and_shows_a_match(text, terms, with_names):
    name_keys = frozenset({name_key("Kiev")}) if with_names else frozenset()
    found = _check(text, terms, name_keys)
    if any(
        text_positions(w).keys() & terms or (name_keys and name_key(w) in name_keys)
        for w in re.findall(r"\w+", text)
    ):
        assert found, "a text with a matched word has a passage"


def test_a_long_stretch_without_matches_is_never_a_passage():
    filler = " ".join(["the committee met again and said nothing"] * 60)
    text = f"{filler} Putin spoke. {filler}"
    (only,) = _check(text, {"putin"}, frozenset())
    assert "Putin" in only.text and len(only.text) <= FRAGMENT_CHARS


def test_the_passage_with_most_different_words_comes_first_and_is_kept():
    filler = " ".join(["nothing of note happened that day"] * 20)
    text = (
        f"Gas. {filler} Gas again. {filler} Oil again. {filler} More gas. {filler} "
        f"The gas pipeline and the oil treaty. {filler}"
    )
    found = _check(text, {"ga", "pipelin", "oil", "treati"}, frozenset())
    assert any("gas pipeline and the oil treaty" in fragment.text for fragment in found)


def test_matches_far_into_a_long_article_are_found():
    text = SEED.read_text(encoding="utf-8")
    long_text = "Nothing here.\n\n" * 5000 + text
    (first, *_) = _check(long_text, {"secur", "treati"}, frozenset())
    assert "Collective Security Treaty" in first.text


def test_seed_passages():
    text = SEED.read_text(encoding="utf-8")
    for terms in ({"secur", "treati"}, {"azerbaijan"}, {"armenia", "russia", "moscow"}):
        assert _check(text, terms, frozenset())


def test_a_name_is_marked_where_written_as_a_name():
    """Name variants are marked where capitalised, as the ``names`` field indexes them."""
    text = "Troops left kyiv, then Kyiv and Kiev again."
    (fragment,) = passages(text, set(), frozenset({name_key("Kiev")}))
    assert [fragment.text[a:b] for a, b in fragment.highlights] == ["Kyiv", "Kiev"]
