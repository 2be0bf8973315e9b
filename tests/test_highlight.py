"""Passages: msearch's one-pass fragmenter picks exactly what Whoosh's ContextFragmenter did."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import highlight as wh
from whoosh.analysis import Token

from monitor_search.fastindex import possible_terms, term_if_possible
from monitor_search.highlight import (
    _TAIL,
    _WORDS,
    CONTEXT_CHARS,
    FRAGMENT_CHARS,
    MAX_FRAGMENTS,
    Fragment,
    passages,
)
from monitor_search.names import name_key

from .conftest import SEED

WORDS = ["pipeline", "Pipelines", "gas", "Russia", "the", "of", "Kyiv", "Kiev", "treaty",
         "a", "Baku-Ceyhan", "(Interfax,", "March", "2).", "security", "\n\n", "said",
         "oil"]  # fmt: skip


def whooshs_passages(text: str, terms: set[str], name_keys: frozenset[str]) -> list[Fragment]:
    """The implementation this replaced: Whoosh's ContextFragmenter over Token objects (it
    cut the text at 200,000 characters first; its fragmenter stops at 32,768 anyway)."""
    text = text[:200_000]
    may_become = possible_terms(terms)

    def tokens():
        token = Token(chars=True, boost=1.0)
        for match in _WORDS.finditer(text):
            word = match.group(0)
            token.text = term_if_possible(word, may_become)
            token.startchar, token.endchar = match.span()
            token.matched = token.text in terms or (bool(name_keys) and name_key(word) in name_keys)
            yield token

    fragmenter = wh.ContextFragmenter(maxchars=FRAGMENT_CHARS, surround=CONTEXT_CHARS)
    scorer = wh.BasicFragmentScorer()
    fragments = list(fragmenter.fragment_tokens(text, tokens()))
    best = sorted(fragments, key=lambda f: (-scorer(f), f.startchar))[:MAX_FRAGMENTS]
    result = []
    for fragment in sorted(best, key=lambda f: f.startchar):
        start, end = fragment.startchar, fragment.endchar
        if len(text) - end <= _TAIL:
            end = len(text)
        spans = tuple(
            (t.startchar - start, t.endchar - start)
            for t in fragment.matches
            if start <= t.startchar and t.endchar <= end
        )
        result.append(
            Fragment(text[start:end].replace("\n", " "), spans, start == 0, end >= len(text))
        )
    return result


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(WORDS), max_size=400).map(" ".join),
    st.sets(st.sampled_from(["pipelin", "ga", "russia", "treati", "oil", "secur"]), max_size=3),
    st.booleans(),
)
def test_same_passages_as_whooshs_fragmenter(text, terms, with_names):
    name_keys = frozenset({name_key("Kiev")}) if with_names else frozenset()
    if not (terms or name_keys):
        return
    assert passages(text, terms, name_keys) == whooshs_passages(text, terms, name_keys)


def test_same_passages_on_the_seed_and_past_whooshs_character_limit():
    text = SEED.read_text(encoding="utf-8")
    long_text = (text + "\n") * 12  # past the fragmenter's 32,768 characters
    for sample in (text, long_text):
        for terms in ({"secur", "treati"}, {"azerbaijan"}, {"armenia", "russia", "moscow"}):
            assert passages(sample, terms) == whooshs_passages(sample, terms, frozenset())
