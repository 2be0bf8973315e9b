"""Name variants: transliteration folding finds other spellings, and leaves English alone."""

from __future__ import annotations

import pytest

from monitor_search.analysis.analyzers import name_key_analyzer
from monitor_search.analysis.names import name_key
from monitor_search.index.indexer import update_index
from monitor_search.search.searcher import search

from .conftest import write_article

VARIANTS = [
    ("Chechnya", "Chechnia"), ("Kyiv", "Kiev"), ("Dagestan", "Daghestan"), ("Tofig", "Tofik"),
    ("Nazarbaev", "Nazarbayev"), ("Khodorkovsky", "Khodorkovskiy"), ("Yeltsin", "Eltsin"),
    ("Shevardnadze", "Schewardnadse"), ("Aliyev", "Əliyev"), ("Dzhokhar", "Djokhar"),
    ("Zhirinovsky", "Jirinovsky"), ("Grozny", "Groznyy"), ("Киев", "Kiev"), ("Чечня", "Chechnya"),
    ("Şuşa", "Shusha"), ("Abkhazia", "Abkhaziya"), ("Zulfuqarov", "Zulfugarov"),
    ("Iraq", "Irak"), ("Qatar", "Katar"),
]  # fmt: skip
DIFFERENT = [
    ("Aliyev", "Aslanov"), ("Kiev", "Kuchma"), ("Baku", "Batumi"), ("Putin", "Lukin"),
    ("Georgia", "Armenia"), ("Moscow", "Minsk"), ("Tbilisi", "Tehran"), ("Nazarbayev", "Niyazov"),
]  # fmt: skip


@pytest.mark.parametrize(("one", "other"), VARIANTS)
def test_spellings_of_one_name_share_a_key(one, other):
    assert name_key(one) == name_key(other)


@pytest.mark.parametrize(("one", "other"), DIFFERENT)
def test_different_names_keep_different_keys(one, other):
    assert name_key(one) != name_key(other)


def test_only_words_that_look_like_names_are_keyed_when_indexing():
    text = (
        "He met Tofig Zulfugarov and NATO officials. Then Baku agreed; Shevardnadze spoke. "
        "Mass rallies followed."
    )
    keyed = [token.text for token in name_key_analyzer()(text)]

    # Not: He (a stop word), nor lower-case words. NATO (all capitals), Then and Mass
    # (short, opening a sentence) have a key, but no marked spelling: no evidence that the
    # archive writes them as names.
    def named(word: str) -> list[str]:
        return [name_key(word), "=" + word.lower()]

    assert keyed == [
        *named("Tofig"),
        *named("Zulfugarov"),
        name_key("NATO"),
        name_key("Then"),
        *named("Baku"),
        *named("Shevardnadze"),
        name_key("Mass"),
    ]
    in_query = [token.text for token in name_key_analyzer()("the pact", mode="query")]
    assert in_query == [name_key("the"), name_key("pact")]


@pytest.fixture
def archive(tmp_path):
    folder = tmp_path / "archive"
    articles = {
        "kyiv": ("UKRAINE TALKS", "Officials met in Kyiv on Monday to discuss the gas transit."),
        "kiev": ("TRANSIT DEAL", "Negotiators in Kiev agreed the gas transit fee."),
        "chechnia": ("WAR IN THE NORTH", "Fighting resumed in Chechnia after the truce."),
        "daghestan": ("BORDER INCIDENT", "Troops moved into Daghestan from the south."),
        "tofik": ("MINISTER TRAVELS", "Foreign Minister Tofik Zulfugarov flew to Bonn."),
        "nazarbaev": ("ASTANA SUMMIT", "President Nursultan Nazarbaev hosted the summit."),
        "yukos": ("YUKOS AFFAIR", "Prosecutors questioned Mikhail Khodorkovskiy again."),
        "security": ("SECURITY PACT", "The security treaty expired and the members disagreed."),
        "pipeline": ("PIPELINE OPENS", "The new pipeline carries oil; a treaty protects it."),
        "election": ("ELECTION RESULTS", "The election was marred by fraud, observers said."),
        "market": ("MARKET REFORM", "Prices rose as the market opened to foreign capital."),
        "mass": ("MASS PROTEST", "A mass rally was held; Miss Petrova and Moss attended."),
    }  # fmt: skip
    for name, (title, body) in articles.items():
        write_article(folder, f"{name}.txt", title, body)
    update_index([str(folder)], tmp_path / "ix")
    return tmp_path / "ix"


def found(index_dir, text):
    return [hit.path.rsplit("/", 1)[1][:-4] for hit in search(index_dir, text, limit=20).hits]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Kiev", ["kiev", "kyiv"]),
        ("chechnya", ["chechnia"]),
        ("Kyiv", ["kyiv", "kiev"]),
        ("Chechnya", ["chechnia"]),
        ("Dagestan", ["daghestan"]),
        ("Tofig", ["tofik"]),
        ("nazarbayev", ["nazarbaev"]),
        ("Khodorkovsky", ["yukos"]),
        ("Киев", ["kiev", "kyiv"]),
    ],
)
def test_query_finds_other_spellings_exact_first(archive, query, expected):
    assert found(archive, query) == expected


def test_variant_is_highlighted(archive):
    hit = search(archive, "Kiev").hits[1]
    fragment = hit.fragments[0]
    assert [fragment.text[s:e] for s, e in fragment.highlights] == ["Kyiv"]


@pytest.mark.parametrize(
    "word", ["security", "treaty", "pipeline", "oil", "election", "market", "gas", "minister",
             "summit", "prices", "bit", "mess", "miss", "moss", "pact", "north", "president",
             "fighting", "negotiators", "officials", "troops"],
)  # fmt: skip
def test_ordinary_english_words_match_only_themselves(archive, word):
    """Every hit for an English word contains that word: name keys add no false matches."""
    exact = search(archive, f"title:{word} OR body:{word}", limit=50)
    folded = search(archive, word, limit=50)
    assert {hit.id for hit in folded.hits} == {hit.id for hit in exact.hits}


def test_names_in_capitals_and_opening_sentences_are_found_too(tmp_path):
    folder = tmp_path / "gaps"
    write_article(folder, "headline.txt", "KYIV TALKS RESUME", "The talks resumed on Monday.")
    write_article(folder, "opening.txt", "TALKS", "Kyiv said the talks would go on.")
    write_article(folder, "inside.txt", "TALKS AGAIN", "Officials in Kyiv said so.")
    write_article(folder, "chechnya.txt", "CHECHNYA VOTES", "The vote went ahead.")
    write_article(folder, "azeri.txt", "BAKU", "Foreign Minister Tofik Zulfugarov flew out.")
    update_index([str(folder)], tmp_path / "index")
    everywhere = {"KYIV TALKS RESUME", "TALKS", "TALKS AGAIN"}
    for query in ("Kiev", "Kyiv", "Киев"):
        assert {hit.title for hit in search(tmp_path / "index", query).hits} == everywhere, query
    assert [hit.title for hit in search(tmp_path / "index", "Chechnia").hits] == ["CHECHNYA VOTES"]
    assert [hit.title for hit in search(tmp_path / "index", "Zulfuqarov").hits] == ["BAKU"]
