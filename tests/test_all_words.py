"""Plain words mean all of them: counts, date order, timelines and facets count the articles
with every word; relevance order goes on with those that have some; ``--any`` is the OR.
And the syntax people type: ``-word``, ``+word``, ``word~``, ``"a b"~N``, unknown fields."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor_search.index.indexer import update_index
from monitor_search.model import Filters
from monitor_search.search.searcher import count_matches, count_timeline, search
from monitor_search.search.suggest import _unshared, edit_distance

from .conftest import write_article

ARTICLES = [
    # name, headline, body, volume (Monitor: year 1994 + volume), citation month/day
    ("a.txt", "MASKHADOV IN GROZNY", "Maskhadov spoke of the pipeline in Grozny.", 5, "May 2"),
    ("b.txt", "PIPELINE TALKS", "Maskhadov and the pipeline.", 6, "June 3"),
    ("c.txt", "GAS", "The pipeline carries gas.", 7, "July 4"),
    ("d.txt", "GROZNY SHELLED", "Grozny was shelled; Maskhadov fled.", 4, "April 5"),
    ("e.txt", "ALL THREE", "Maskhadov, Grozny and the pipeline again.", 3, "March 6"),
    ("f.txt", "UNDATED", "Maskhadov, Grozny, the pipeline, no date.", None, None),
    ("g.txt", "OIL AND GAS", "Oil and gas from the Caspian; oil in Baku.", 5, "May 9"),
    ("h.txt", "OIL ALONE", "Oil prices rose in Baku.", 5, "May 10"),
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("allwords")
    for name, title, body, volume, day in ARTICLES:
        text = f"{body[:-1]} (Interfax, {day})." if day else body
        write_article(
            root / "articles",
            name,
            title,
            text,
            publication="Monitor" if volume else None,
            volume=volume,
        )
    update_index([str(root / "articles")], root / "index")
    return root / "index"


def _titles(hits) -> list[str]:
    return [hit.title for hit in hits]


def test_plain_words_count_the_articles_with_all_of_them(archive):
    result = search(archive, "Maskhadov pipeline Grozny")
    assert result.total == 3 and result.total_any == 6
    assert [hit.matched for hit in result.hits] == ["all"] * 3 + ["some"] * 3
    assert set(_titles(result.hits[:3])) == {"MASKHADOV IN GROZNY", "ALL THREE", "UNDATED"}
    for tier in ("all", "some"):
        scores = [hit.score for hit in result.hits if hit.matched == tier]
        assert scores == sorted(scores, reverse=True)


def test_any_makes_any_word_match(archive):
    result = search(archive, "Maskhadov pipeline Grozny", match_any=True)
    assert result.total == 6 == result.total_any


def test_date_order_both_ways_lists_only_matches_undated_last(archive):
    newest = search(archive, "Maskhadov pipeline Grozny", sort="newest")
    assert _titles(newest.hits) == ["MASKHADOV IN GROZNY", "ALL THREE", "UNDATED"]
    assert search(archive, "Maskhadov pipeline Grozny", sort="date").hits == newest.hits
    oldest = search(archive, "Maskhadov pipeline Grozny", sort="oldest")
    assert _titles(oldest.hits) == ["ALL THREE", "MASKHADOV IN GROZNY", "UNDATED"]
    assert {hit.matched for hit in oldest.hits} == {"all"} and oldest.total == 3
    wide = search(archive, "Maskhadov pipeline Grozny", sort="oldest", match_any=True)
    assert len(wide.hits) == 6 and wide.hits[-1].title == "UNDATED"


def test_timeline_and_facets_count_all_words(archive):
    total, by_year = count_timeline(archive, "Maskhadov Grozny")
    assert total == 4  # a, d, e, f
    assert dict(by_year.buckets) == {"1997": 1, "1998": 1, "1999": 1} and by_year.undated == 1
    assert count_timeline(archive, "Maskhadov Grozny", match_any=True)[0] == 5
    facets = search(archive, "Maskhadov Grozny", facets=("publication",)).facets
    assert facets["publication"] == {"Monitor": 3, "unknown": 1}


@pytest.mark.parametrize(
    "text",
    ["Maskhadov pipeline Grozny", "oil -gas", '"the pipeline"', "Grozn*", "the of", "nowhere"],
)
def test_count_is_the_searchs_total(archive, text):
    for match_any in (False, True):
        found = search(archive, text, match_any=match_any)
        assert count_matches(archive, text, match_any=match_any) == found.total
    assert count_matches(archive, "Maskhadov Grozny") == 4  # a, d, e, f
    in_volume = search(archive, "Maskhadov", filters=Filters(volume=5))
    assert count_matches(archive, "Maskhadov", filters=Filters(volume=5)) == in_volume.total == 1


def test_count_option_prints_the_number_alone(archive, msearch):
    counted = msearch("query", "Maskhadov Grozny", "--count", "-i", str(archive))
    assert (counted.code, counted.out, counted.err) == (0, "4\n", "")
    assert msearch("query", "Maskhadov Grozny", "-c", "--any", "-i", str(archive)).out == "5\n"
    as_json = msearch("query", "Maskhadov Grozny", "-c", "--json", "-i", str(archive))
    assert json.loads(as_json.out) == {"query": "Maskhadov Grozny", "total": 4}
    none = msearch("query", "nowhere", "--count", "-i", str(archive))
    assert (none.code, none.out, none.err) == (1, "0\n", "")  # as grep -c
    stop_words = msearch("query", "the of", "--count", "-i", str(archive))
    assert (stop_words.code, stop_words.out) == (1, "0\n")
    assert "every word of the query is a stop word (the, of)" in stop_words.err
    unknown = msearch("query", "Maskhadov", "-c", "--publication", "Nope", "-i", str(archive))
    assert (unknown.code, unknown.out) == (1, "0\n") and "no publication" in unknown.err
    for other in ("--jsonl", "--csv", "--brief", "--paths", "--facet=year"):
        refused = msearch("query", "Maskhadov", "--count", other, "-i", str(archive))
        assert refused.code == 2 and not refused.out and "--count" in refused.err


def test_minus_and_plus_hold_beside_phrases_and_wildcards(archive):
    """Query syntax (a phrase, a wildcard) does not turn ``-word`` into a word to find."""
    assert _titles(search(archive, "Bak* -gas").hits) == ["OIL ALONE"]
    assert _titles(search(archive, '"in Baku" -gas').hits) == ["OIL ALONE"]
    assert search(archive, '"in Baku" -gas').total == 1 == count_matches(archive, "Bak* -gas")
    required = search(archive, '+"in Baku" gas')
    assert required.total == 2 and {hit.title for hit in required.hits} == {
        "OIL AND GAS",
        "OIL ALONE",
    }
    assert count_matches(archive, '-"oil prices"') == len(ARTICLES) - 1
    assert search(archive, 'Grozn* -"the pipeline"').total == 1  # d: Grozny, no pipeline
    assert _titles(search(archive, "oil (-gas)").hits) == ["OIL ALONE"]  # a sign after "("


def test_minus_excludes_and_plus_requires(archive):
    assert _titles(search(archive, "oil -gas").hits) == ["OIL ALONE"]
    assert search(archive, "oil -gas").total == 1
    required = search(archive, "+gas pipeline")
    assert required.total == 1 and required.total_any == 2  # c has both; g has gas only
    assert all("GAS" in hit.title for hit in required.hits)
    assert search(archive, "Nagorno-Karabakh pipeline").total_any >= 1  # a hyphen is no minus


def test_fuzzy_words_find_misspellings(archive):
    assert search(archive, "Maskhadxv").total == 0
    fuzzy = search(archive, "Maskhadxv~")
    assert fuzzy.total == 5 and fuzzy.suggestion is None
    assert search(archive, "Mxskhxdov~2").total == 5
    assert search(archive, "Mxskhxdov~").total == 0


def test_fuzzy_words_look_for_two_edits_at_most(archive):
    """More edits would match unrelated words, and the scan would take minutes."""
    started = time.monotonic()
    assert search(archive, "Mxskhxdxv~9").total == search(archive, "Mxskhxdxv~2").total == 0
    assert search(archive, "Mxskhxdov~9").total == 5
    assert time.monotonic() - started < 5


def test_proximity(archive):
    assert search(archive, '"Grozny Maskhadov"').total == 0
    near = search(archive, '"Grozny Maskhadov"~3')  # "Grozny was shelled; Maskhadov fled."
    assert _titles(near.hits) == ["GROZNY SHELLED"]


def test_unknown_field_says_which_fields_exist(msearch, archive):
    outcome = msearch("query", "date:1999", "--index", str(archive))
    assert outcome.code == 2
    assert "no field 'date'" in outcome.err and "title, body, publication" in outcome.err
    assert msearch("query", "note: Maskhadov", "--index", str(archive)).code == 0


def test_terminal_marks_where_some_words_begin_and_json_says_which(msearch, archive):
    outcome = msearch("query", "Maskhadov pipeline Grozny", "--index", str(archive))
    assert outcome.code == 0
    before, after = outcome.out.split("articles with only some of the words")
    assert before.count("Maskhadov") >= 3 and " 4. " in after and " 4. " not in before
    assert "3 articles with all the words, 3 more with only some" in outcome.err
    outcome = msearch("query", "Maskhadov pipeline Grozny", "-n", "2", "-i", str(archive))
    assert outcome.err.strip() == "2 of 3 articles shown (3 more have only some of the words)"
    found = json.loads(
        msearch("query", "Maskhadov pipeline Grozny", "--json", "-i", str(archive)).out
    )
    assert (found["total"], found["total_any"]) == (3, 6)
    assert [hit["matched"] for hit in found["hits"]] == ["all"] * 3 + ["some"] * 3
    wide = msearch("query", "Maskhadov pipeline Grozny", "--any", "--json", "-i", str(archive))
    assert json.loads(wide.out)["total"] == 6


def test_a_phrase_is_highlighted_only_where_it_stands(tmp_path):
    from .conftest import SEED

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / SEED.name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    update_index([str(folder)], tmp_path / "index")
    (hit,) = search(tmp_path / "index", '"Collective Security Treaty"').hits
    marked = [[fragment.text[a:b] for a, b in fragment.highlights] for fragment in hit.fragments]
    assert marked == [["Collective", "Security", "Treaty"]]  # not the lone "treaty" later
    assert hit.title_fragment.highlights == ()  # "SECURITY PACT" has no phrase
    (both,) = search(tmp_path / "index", '"Collective Security Treaty" treaty').hits
    assert sum(len(fragment.highlights) for fragment in both.fragments) > 3


def test_did_you_mean_prefers_the_closest_spelling_then_the_most_used(tmp_path):
    folder = tmp_path / "articles"
    for n in range(6):
        write_article(folder, f"went{n}.txt", "MATCH", f"The team went home after game {n}.")
    write_article(folder, "wenger.txt", "ARSENAL", "Wenger praised Abramovich and Chelsea.")
    update_index([str(folder)], tmp_path / "index")
    assert search(tmp_path / "index", "Wengr").suggestion == "Wenger"
    assert search(tmp_path / "index", "Abramovic").suggestion == "Abramovich"


def test_a_query_of_stop_words_only_says_so(msearch, archive):
    outcome = msearch("query", "the of", "--index", str(archive))
    assert outcome.code == 1
    assert outcome.err.strip() == (
        "msearch: every word of the query is a stop word (the, of): nothing to search"
    )
    found = json.loads(msearch("query", "the pipeline of", "--json", "-i", str(archive)).out)
    assert found["ignored"] == ["the", "of"] and found["total"] == 5
    for counted in ('"the pipeline"~3', "pipeline~2"):
        found = json.loads(msearch("query", counted, "--json", "-i", str(archive)).out)
        assert found["ignored"] == (["the"] if "the" in counted else []), counted


def test_an_acronym_in_capitals_is_no_stop_word(tmp_path):
    folder = tmp_path / "articles"
    write_article(folder, "us.txt", "SANCTIONS", "The US imposed sanctions on us all.")
    write_article(folder, "who.txt", "HEALTH", "The WHO warned of an epidemic.")
    write_article(folder, "plain.txt", "PLAIN", "They told us who would come.")
    write_article(folder, "wire.txt", "WIRE", "The U.S. and the U.N. spoke on U.S.-Soviet trade.")
    update_index([str(folder)], tmp_path / "index")
    assert sorted(_titles(search(tmp_path / "index", "US").hits)) == ["SANCTIONS", "WIRE"]
    assert sorted(_titles(search(tmp_path / "index", "U.S.").hits)) == ["SANCTIONS", "WIRE"]
    assert _titles(search(tmp_path / "index", "UN").hits) == ["WIRE"]
    who = search(tmp_path / "index", "WHO epidemic")
    assert who.total == 1 and who.hits[0].title == "HEALTH"
    assert _titles(search(tmp_path / "index", "IT").hits) == []  # no article writes IT
    assert search(tmp_path / "index", "us").nothing_to_search
    assert search(tmp_path / "index", "us sanctions").ignored == ["us"]


def test_russian_words_are_stemmed_by_russian_rules(tmp_path):
    folder = tmp_path / "articles"
    write_article(folder, "ru.txt", "НОВОСТИ", "Строительство нефтепровода началось.")
    update_index([str(folder)], tmp_path / "index")
    assert _titles(search(tmp_path / "index", "нефтепровод").hits) == ["НОВОСТИ"]
    assert _titles(search(tmp_path / "index", "нефтепроводом").hits) == ["НОВОСТИ"]


def _table_distance(a: str, b: str) -> int:
    """The textbook dynamic programme for the same distance, to check the fast one by."""
    rows = [list(range(len(b) + 1))] + [[i] + [0] * len(b) for i in range(1, len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            rows[i][j] = min(
                rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + (a[i - 1] != b[j - 1])
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[len(a)][len(b)]


@settings(max_examples=2000, deadline=None)
@given(st.text("abcd", max_size=12), st.text("abcd", max_size=12))
def test_edit_distance_is_the_table_distance(a, b):
    assert edit_distance(a, b) == _table_distance(a, b) == edit_distance(b, a)
    assert edit_distance("shevardnadze", "shevardandze") == 1  # a swap is one edit


@settings(max_examples=2000, deadline=None)
@given(st.text("abcdef", max_size=10), st.text("abcdef", max_size=10))
def test_unshared_letters_never_exceed_the_edit_distance(a, b):
    """Did you mean skips the words whose letters alone put them too far."""
    assert _unshared(a, set(b)) <= edit_distance(a, b)
    assert _unshared("abc", set("abd")) == 1


def test_not_a_group_leaves_out_the_articles_with_all_of_it(tmp_path):
    """``NOT (oil pipeline)`` leaves out the articles with both words, in the count and in
    the "some of the words" count alike (which is never the smaller)."""
    folder = tmp_path / "articles"
    write_article(folder, "both.txt", "GAS NOTE", "Oil and the pipeline.")
    write_article(folder, "oil.txt", "GAS NOTE", "Oil only.")
    write_article(folder, "none.txt", "GAS NOTE", "Nothing else.")
    update_index([str(folder)], tmp_path / "ix")
    result = search(tmp_path / "ix", "gas NOT (oil pipeline)")
    assert sorted(Path(hit.path).stem for hit in result.hits) == ["none", "oil"]
    assert result.total == result.total_any == 2


def test_any_words_output_says_what_it_counts(archive, msearch):
    ranked = msearch("query", "Maskhadov pipeline Grozny", "--any", "--index", str(archive))
    assert ranked.code == 0 and ranked.out.count("only some of the words") == 1
    assert ranked.err.strip() == "6 of 6 articles with any of the words shown"
    by_date = msearch(
        "query", "Maskhadov pipeline Grozny", "--any", "--sort", "newest", "--index", str(archive)
    )
    titles = [line.split(". ", 1)[1] for line in by_date.out.splitlines() if ". " in line[:5]]
    assert titles[:3] == ["GAS", "PIPELINE TALKS", "MASKHADOV IN GROZNY"]  # all and some mixed
    assert "only some of the words" not in by_date.out  # so no line parts them
