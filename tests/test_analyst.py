"""Analyst features on a real index: similar, did you mean, facets, timeline, export."""

from __future__ import annotations

import json

import pytest

from monitor_search.index.indexer import update_index
from monitor_search.model import Filters
from monitor_search.search.searcher import count_timeline, search, similar

from .conftest import write_article

PIPELINE = "GAS PIPELINE ACROSS THE CASPIAN"


@pytest.fixture
def archive(tmp_path):
    folder = tmp_path / "archive"
    write_article(
        folder,
        "p1.txt",
        PIPELINE,
        "Turkmenistan and Azerbaijan discussed a trans-Caspian gas pipeline to Baku and on to "
        "Ceyhan, bypassing Russia (Interfax, Turan, March 3).",
        volume=5,
        issue=40,
    )
    write_article(
        folder,
        "p2.txt",
        "BAKU-CEYHAN ROUTE GAINS SUPPORT",
        "Washington backs the Baku-Ceyhan pipeline; Turkmen gas could join it across the "
        "Caspian (ITAR-TASS, Turan, March 20).",
        volume=5,
        issue=55,
    )
    write_article(
        folder,
        "p3.txt",
        "SHEVARDNADZE VISITS ANKARA",
        "Eduard Shevardnadze discussed the pipeline route through Georgia with Turkish leaders "
        "(Prime-News, April 2).",
        volume=5,
        issue=64,
    )
    write_article(
        folder,
        "p4.txt",
        "SHEVARDNADZE ON ABKHAZIA",
        "Shevardnadze warned about Abkhazia (Kavkasia-Press, May 5).",
        volume=6,
        issue=90,
    )
    write_article(
        folder,
        "p5.txt",
        "ELECTIONS IN BELARUS",
        "Lukashenka's opponents were arrested.",
        publication="Eurasia Daily Monitor",
        volume=2,
        issue=3,
    )
    write_article(folder, "p6.txt", "UNDATED SHEVARDNADZE NOTE", "Shevardnadze.", publication=None)
    index_dir = tmp_path / "ix"
    update_index([str(folder)], index_dir)
    return index_dir


def hit_id(index_dir, text):
    return search(index_dir, text).hits[0].id


def test_similar_finds_related_story_not_itself(archive):
    pipeline_id = hit_id(archive, f'"{PIPELINE}"')
    result = similar(archive, pipeline_id, limit=3)
    titles = [hit.title for hit in result.hits]
    assert titles[0] == "BAKU-CEYHAN ROUTE GAINS SUPPORT"
    assert PIPELINE not in titles
    assert all(hit.id != pipeline_id for hit in result.hits)


def test_similar_command_json_and_unknown_id(msearch, archive):
    pipeline_id = hit_id(archive, f'"{PIPELINE}"')
    outcome = msearch("similar", pipeline_id, "--index", str(archive), "--json")
    assert outcome.code == 0
    result = json.loads(outcome.out)
    assert result["similar_to"] == pipeline_id
    assert result["hits"][0]["rank"] == 1 and "snippet" in result["hits"][0]
    assert msearch("similar", "ffffffffffff", "--index", str(archive)).code == 1
    shown = msearch("similar", pipeline_id, "--index", str(archive), "-n", "2")
    assert shown.code == 0 and shown.err.strip() == "2 similar articles shown"


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [
        ("Shevardnadse", "Shevardnadze"),
        ("shevardnadse", "shevardnadze"),
        ("Shevardnadse pipeline", "Shevardnadze pipeline"),
        ("title:Shevardnadse", "title:Shevardnadze"),
        ("Abkhasia", "Abkhazia"),
    ],
)
def test_did_you_mean(archive, query, suggestion):
    assert search(archive, query).suggestion == suggestion


def test_no_suggestion_for_known_words_or_hopeless_ones(archive):
    assert search(archive, "Shevardnadze pipeline").suggestion is None
    assert search(archive, "xqzvvkwy").suggestion is None


@pytest.mark.parametrize("query", ["Abkhazi*", "Abkhazi* pipeline", "Abkhaz?a", "Shevardn*"])
def test_no_suggestion_for_the_parts_of_a_wildcard(archive, query, monkeypatch):
    """``Abkhazi`` in ``Abkhazi*`` is no word of its own, mistyped or not (asked even
    when the query finds plenty)."""
    monkeypatch.setattr("monitor_search.search.searcher.FEW_MATCHES", 10**9)
    assert search(archive, query).suggestion is None


def test_a_question_mark_ending_a_word_still_gets_a_suggestion(archive):
    assert search(archive, "what of Shevardnadse?").suggestion == "what of Shevardnadze?"


def test_no_suggestion_when_the_query_finds_plenty(archive, monkeypatch):
    """Only a query that finds little asks for a correction (issue 6)."""
    found = search(archive, "Shevardnadse pipeline")
    assert found.suggestion == "Shevardnadze pipeline"
    monkeypatch.setattr("monitor_search.search.searcher.FEW_MATCHES", found.total)
    assert search(archive, "Shevardnadse pipeline").suggestion is None


def test_did_you_mean_in_terminal_and_json(msearch, archive):
    outcome = msearch("query", "Shevardnadse", "--index", str(archive))
    assert outcome.code == 0  # found as a variant of the name, and the spelling suggested
    assert "SHEVARDNADZE" in outcome.out
    assert "Did you mean: Shevardnadze?" in outcome.err
    outcome = msearch("query", "Abkhasia", "--index", str(archive))
    assert "Did you mean: Abkhazia?" in outcome.err
    result = json.loads(msearch("query", "Shevardnadse", "--index", str(archive), "--json").out)
    assert result["suggestion"] == "Shevardnadze"


def test_facets_count_every_match(archive):
    result = search(
        archive, "Shevardnadze OR pipeline", limit=1, facets=("year", "source", "publication")
    )
    assert len(result.hits) == 1
    assert result.facets["year"] == {"1999": 3, "2000": 1, "unknown": 1}
    assert result.facets["source"] == {
        "Turan": 2,
        "ITAR-TASS": 1,
        "Interfax": 1,
        "Kavkasia-Press": 1,
        "Prime-News": 1,
        "unknown": 1,
    }
    assert result.facets["publication"] == {"Monitor": 4, "unknown": 1}


def test_the_year_facet_is_in_year_order(msearch, archive):
    """Years read as a timeline, whichever has most articles; the other facets most first."""
    folder = archive.parent / "archive"
    for number in range(3):
        write_article(
            folder,
            f"edm{number}.txt",
            f"PIPELINE TALKS {number}",
            "The pipeline was discussed.",
            publication="Eurasia Daily Monitor",
            volume=2,
            issue=10 + number,
        )
    update_index([str(folder)], archive)
    facets = search(archive, "pipeline OR Lukashenka", facets=("year", "publication")).facets
    assert list(facets["year"].items()) == [("1999", 3), ("2005", 4)]
    assert list(facets["publication"]) == ["Eurasia Daily Monitor", "Monitor"]
    shown = msearch("query", "pipeline OR Lukashenka", "--index", str(archive), "--facet", "year")
    block = shown.out[shown.out.index("by year") :]
    assert block.index("1999") < block.index("2005")


def test_facets_in_json_and_terminal(msearch, archive):
    args = ("query", "pipeline", "--index", str(archive), "--facet", "year", "--facet", "source")
    result = json.loads(msearch(*args, "--json").out)
    assert result["facets"] == {
        "year": {"1999": 3},
        "source": {"Turan": 2, "ITAR-TASS": 1, "Interfax": 1, "Prime-News": 1},
    }
    terminal = msearch(*args).out
    assert "by year" in terminal and "by source" in terminal and "Turan" in terminal
    assert msearch("query", "x", "--index", str(archive), "--facet", "colour").code == 2


def test_timeline_by_year_and_month(archive):
    total, by_year = count_timeline(archive, "Shevardnadze OR pipeline")
    assert total == 5
    assert by_year.buckets == [("1999", 3), ("2000", 1)]
    assert by_year.undated == 1
    _, by_month = count_timeline(archive, "pipeline", by="month")
    assert by_month.buckets == [("1999-03", 2), ("1999-04", 1)]
    _, filtered = count_timeline(archive, "Shevardnadze", filters=Filters(date_from="2000"))
    assert filtered.buckets == [("2000", 1)]


def test_timeline_gaps_are_zero_buckets(archive):
    _, counts = count_timeline(archive, "Shevardnadze OR Lukashenka")
    assert counts.buckets == [
        (str(y), n)
        for y, n in [(1999, 1), (2000, 1), (2001, 0), (2002, 0), (2003, 0), (2004, 0), (2005, 1)]
    ]


def test_timeline_command(msearch, archive):
    outcome = msearch("timeline", "Shevardnadze OR pipeline", "--index", str(archive))
    assert outcome.code == 0
    lines = outcome.out.splitlines()
    assert lines[0].split()[:2] == ["1999", "3"] and "█" in lines[0]
    assert lines[1].split()[:2] == ["2000", "1"]
    assert any(line.split()[:3] == ["no", "year", "1"] for line in lines)
    result = json.loads(
        msearch("timeline", "pipeline", "--index", str(archive), "--by", "month", "--json").out
    )
    assert result == {
        "query": "pipeline",
        "by": "month",
        "total": 3,
        "buckets": [{"period": "1999-03", "count": 2}, {"period": "1999-04", "count": 1}],
        "undated": 0,
    }
    assert msearch("timeline", "zzzqqq", "--index", str(archive)).code == 1


def test_export_every_article_as_json_lines(msearch, archive):
    outcome = msearch("export", "--index", str(archive))
    assert outcome.code == 0
    articles = [json.loads(line) for line in outcome.out.splitlines()]
    assert len(articles) == 6
    assert {
        "id",
        "path",
        "title",
        "publication",
        "volume",
        "issue",
        "year",
        "date",
        "sources",
        "body",
    } == set(articles[0])
    pipeline = next(a for a in articles if a["title"] == PIPELINE)
    assert pipeline["body"].startswith("Turkmenistan and Azerbaijan")
    assert pipeline["sources"] == ["Interfax", "Turan"]


@pytest.mark.parametrize("text", ["pipeline OR Shevardnadze", '"the pipeline"', "pipe*", "*"])
def test_source_filter_keeps_what_the_source_facet_counts(archive, text):
    """``--source`` narrows to the articles the source facet counts for that value: case
    aside, and a source only as a whole name (``Interfax`` is not ``Interfax-Ukraine``)."""
    write_article(
        archive.parent / "archive",
        "p7.txt",
        "KYIV PIPELINE",
        "Ukraine's pipeline was discussed in Kyiv (Interfax-Ukraine, June 1).",
    )
    update_index([str(archive.parent / "archive")], archive)
    counted = search(archive, text, facets=("source",)).facets["source"]
    for name in ("Turan", "ITAR-TASS", "Interfax", "Interfax-Ukraine", "Kavkasia-Press"):
        for spelling in (name, name.lower()):
            narrowed = search(archive, text, filters=Filters(source=spelling), limit=50)
            assert narrowed.total == len(narrowed.hits) == counted.get(name, 0)
            assert all(name in hit.sources for hit in narrowed.hits)
            total, _ = count_timeline(archive, text, filters=Filters(source=spelling))
            assert total == counted.get(name, 0)
    assert search(archive, text, filters=Filters(source="Nowhere")).total == 0


def test_source_option(msearch, archive):
    shown = msearch("query", "pipeline", "--index", str(archive), "--source", "turan", "--json")
    assert {hit["path"].rsplit("/", 1)[-1] for hit in json.loads(shown.out)["hits"]} == {
        "p1.txt",
        "p2.txt",
    }
    assert msearch("query", "pipeline", "--index", str(archive), "--source", "ORT").code == 1
