"""Messy, mixed, real input (issue "Real archives"): empty indexes, damage told from faults,
nothing guessed, bounded snippets, closed pipes, moved archives, text after the footer.

Self-made fixtures here; the real Reuters sample in ``test_reuters.py``."""

from __future__ import annotations

import json
import os
import subprocess
import threading

import pytest

from monitor_search.engine import postings
from monitor_search.errors import ArticleNotFound
from monitor_search.index.indexer import update_index
from monitor_search.index.store import find_damage, open_for_reading
from monitor_search.ingest.article import parse_article
from monitor_search.search import evaluation
from monitor_search.search.catalog import get_article, index_stats
from monitor_search.search.highlight import FRAGMENT_CHARS
from monitor_search.search.searcher import search

from .conftest import monitor_text, write_article
from .test_robustness import MSEARCH, make_archive, run_msearch

# --- an empty index, and nothing to index ---------------------------------------------------


@pytest.fixture
def empty_index(msearch, tmp_path):
    (tmp_path / "empty").mkdir()
    assert msearch("index", str(tmp_path / "empty")).code == 0
    return tmp_path / "index"


def test_an_empty_index_has_0_articles(msearch, empty_index):
    stats = msearch("stats")
    assert stats.code == 0, stats.err
    assert "articles      0" in stats.out
    assert json.loads(msearch("stats", "--json").out)["articles"] == 0


@pytest.mark.parametrize(
    "command",
    [
        ["query", "pipeline"],
        ["query", "*", "--facet", "publication", "--facet", "year", "--facet", "source"],
        ["query", "pipeline", "--sort", "date", "--json"],
        ["timeline", "pipeline"],
        ["timeline", "*", "--by", "month", "--json"],
        ["export"],
    ],
)
def test_an_empty_index_finds_nothing(msearch, empty_index, command):
    outcome = msearch(*command)
    assert outcome.code == 1, outcome.err
    assert "damaged" not in outcome.err and "internal error" not in outcome.err


def test_indexing_a_missing_path_creates_nothing(msearch, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MSEARCH_INDEX")
    outcome = msearch("index", str(tmp_path / "no" / "such"))
    assert outcome.code == 2
    assert "no such file or folder" in outcome.err and len(outcome.err.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


# --- "damaged" only for damage --------------------------------------------------------------


def test_a_fault_in_msearch_is_an_internal_error_not_damage(msearch, corpus, monkeypatch):
    assert msearch("index", str(corpus)).code == 0

    def fails(*args, **kwargs):
        raise postings.Unsupported("a query part no evaluator knows")

    monkeypatch.setattr(evaluation.WordScorer, "__init__", fails)
    for command in (["query", "pipeline"], ["timeline", "pipeline"], ["query", "gas pipeline"]):
        outcome = msearch(*command)
        assert outcome.code == 2
        assert "internal error: Unsupported" in outcome.err, outcome.err
        assert "MSEARCH_DEBUG=1" in outcome.err and "damaged" not in outcome.err


def test_find_damage_tells_a_sound_index_from_a_truncated_one(corpus, tmp_path):
    index_dir = tmp_path / "ix"
    update_index([str(corpus)], index_dir)
    assert find_damage(open_for_reading(index_dir)) is None
    for postings_file in index_dir.glob("*.pst"):
        postings_file.write_bytes(postings_file.read_bytes()[:10])
    assert "postings" in find_damage(open_for_reading(index_dir))


# --- nothing guessed: sources only from a Monitor-shaped citation ----------------------------

BBC_ENDINGS = [
    "The match was played at Priestfield (Kent).",
    "He was fined by the club (S Yorkshire).",
    "They beat Rangers 2-0 (Celtic).",
    "It had happened before (once).",
    "The final was held in B&#233;ziers (B&#233;ziers).",
]


@pytest.mark.parametrize("ending", BBC_ENDINGS)
def test_a_closing_remark_is_no_citation(ending):
    article = parse_article(f"Headline\n\nFirst paragraph.\n\n{ending}\n")
    assert article.sources == () and article.date is None and article.year is None


def test_monitor_citations_keep_their_sources():
    text = monitor_text(
        "T", "Talks went on (Interfax, Itar-Tass, May 2; see also the Monitor, May 1)."
    )
    assert parse_article(text).sources == ("Interfax", "Itar-Tass")


# --- text after the footer, character references ----------------------------------------------


def test_a_paragraph_after_the_footer_is_text_and_the_footer_is_not():
    text = (
        "HEADLINE\n\nPublication: Monitor Volume: 5 Issue: 26\n\n"
        "Baku said no (Turan, February 5).\n\n"
        "The Monitor is a publication of the Jamestown Foundation. Copyright (c) 1999.\n\n"
        "Editor's note: Aliyev later changed his mind.\n"
    )
    article = parse_article(text)
    assert (
        article.body
        == "Baku said no (Turan, February 5).\n\nEditor's note: Aliyev later changed his mind."
    )
    assert article.sources == ("Turan",) and article.date is not None


def test_html_character_references_are_the_characters_they_stand_for():
    article = parse_article(
        "B&#233;ziers &amp; Toulouse\n\nR&D at AT&T: &#x201c;fine&#x201d; &eacute;t&eacute;.\n"
    )
    assert article.title == "Béziers & Toulouse"
    assert article.body == "R&D at AT&T: “fine” été."


def test_character_references_are_searchable(corpus, tmp_path):
    (corpus / "beziers.txt").write_text("B&#233;ziers WIN\n\nB&#233;ziers beat Toulouse.\n")
    index_dir = tmp_path / "ix"
    update_index([str(corpus)], index_dir)
    (hit,) = search(index_dir, "Béziers").hits
    assert hit.title == "Béziers WIN"


# --- snippets: bounded, each showing a match ------------------------------------------------


def test_every_passage_of_every_hit_is_bounded_and_shows_a_match(tmp_path):
    filler = " ".join(["The committee met again and discussed the budget at length."] * 40)
    folder = tmp_path / "archive"
    write_article(folder, "a.txt", "BUDGET TALKS", f"{filler} Putin spoke briefly. {filler}")
    write_article(folder, "b.txt", "PUTIN VISITS BAKU", filler)
    index_dir = tmp_path / "ix"
    update_index([str(folder)], index_dir)
    hits = {hit.title: hit for hit in search(index_dir, "Putin").hits}
    (passage,) = hits["BUDGET TALKS"].fragments
    assert passage.highlights and len(passage.text) <= FRAGMENT_CHARS
    assert "Putin" in passage.text
    (opening,) = hits["PUTIN VISITS BAKU"].fragments  # matched in its headline alone
    assert opening.starts_article and not opening.highlights


# --- closed pipes ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_index(tmp_path_factory):
    root = tmp_path_factory.mktemp("pipes")
    folder = make_archive(root / "archive", 300, words=300)
    (folder / "long.txt").write_text(monitor_text("LONG", "Caspian pipeline. " * 20000))
    update_index([str(folder)], root / "index")
    return root / "index"


@pytest.mark.parametrize(
    "command",
    [
        ["query", "Caspian", "-n", "300"],
        ["query", "Caspian", "-n", "300", "--json"],
        ["query", "Caspian", "-n", "300", "--jsonl"],
        ["query", "Caspian", "-n", "300", "--facet", "year"],
        ["export"],
        ["show", "LONG"],
    ],
)
def test_a_closed_pipe_ends_the_command_with_0_and_no_noise(big_index, command):
    if command[0] == "show":
        (hit,) = search(big_index, "LONG", limit=1).hits
        command = ["show", hit.id]
    process = subprocess.Popen(
        [*MSEARCH, *command, "--index", str(big_index)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.readline()
    process.stdout.close()  # as `| head -1` does
    errors = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0
    assert "Traceback" not in errors and "Broken pipe" not in errors
    assert "shown" not in errors and "Exception ignored" not in errors


# --- a moved archive ----------------------------------------------------------------------------


def test_a_moved_archive_is_indexed_once_at_its_new_place(corpus, tmp_path):
    index_dir = tmp_path / "ix"
    update_index([str(corpus)], index_dir)
    before = search(index_dir, "Collective Security Treaty").hits[0]
    moved = tmp_path / "moved"
    corpus.rename(moved)
    report = update_index([str(moved)], index_dir)
    assert (report.moved, report.new, report.removed) == (4, 0, 0)
    assert index_stats(index_dir).articles == 4
    hits = search(index_dir, "Collective Security Treaty").hits
    assert len({hit.title for hit in hits}) == len(hits), "no article twice"
    after = hits[0]
    assert after.path.startswith(str(moved)) and after.title == before.title
    assert (after.score, after.sources, after.date) == (before.score, before.sources, before.date)
    with pytest.raises(ArticleNotFound):
        get_article(index_dir, before.id)


def test_files_gone_from_the_disk_leave_whatever_folder_is_indexed(corpus, tmp_path):
    other = tmp_path / "other"
    write_article(other, "tajik.txt", "TAJIK PEACE TALKS RESUME", "Talks in Tehran.")
    index_dir = tmp_path / "ix"
    update_index([str(corpus), str(other)], index_dir)
    (other / "tajik.txt").unlink()
    report = update_index([str(corpus)], index_dir)
    assert report.removed == 1 and report.unchanged == 4
    assert search(index_dir, "Tajik").hits == []


# --- one process, one thread, at every fork -----------------------------------------------------


def test_writing_processes_are_forked_from_a_single_thread(tmp_path, monkeypatch):
    """A fork copies only the calling thread: another thread's held lock stays held in the
    child for ever (Python 3.12+ warns: 'This process is multi-threaded')."""
    threads_at_fork = []
    fork = os.fork

    def counting_fork():
        threads_at_fork.append(threading.active_count())
        return fork()

    monkeypatch.setattr(os, "fork", counting_fork)
    monkeypatch.setenv("MSEARCH_COMMIT_EVERY", "400")
    folder = make_archive(tmp_path / "archive", 1100, words=30)
    monkeypatch.setattr("monitor_search.index.indexer.BATCH_DOCUMENTS", 400)
    report = update_index([str(folder)], tmp_path / "ix")
    assert report.new == 1100
    assert len(threads_at_fork) >= 4, "one writing process per core, in several batches"
    assert set(threads_at_fork) == {1}


# --- small ones ---------------------------------------------------------------------------------


def test_a_mistyped_command_is_suggested_once():
    done = run_msearch("qurey", "x")
    assert done.returncode == 2
    assert done.stderr.count("Did you mean") == 1 and "'query'" in done.stderr
