"""Saved searches through the installed executable: add, list, run (``--new``: only what was
indexed since the last run), ``--all`` for a cron line, remove; their state kept in the index
folder through index runs, ``--rebuild``, concurrent runs and damage."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from monitor_search.search.saved import STATE_FILE

from .conftest import REPO, SEED, installed_msearch, write_article

WIRE = REPO.parent / "shared" / "datasets" / "reuters"


def run(env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [installed_msearch(), *args], env=env, capture_output=True, text=True, check=False
    )


def oil_story(folder, number: int, extra: str = ""):
    return write_article(
        folder,
        f"oil{number:03}.txt",
        f"OIL REPORT {number}",
        f"Oil output in Baku rose again. {extra} (Turan, March 2).",
        issue=number,
    )


@pytest.fixture
def archive(tmp_path):
    """Five oil articles and the seed, indexed; the environment points at the index."""
    folder = tmp_path / "articles"
    for number in range(5):
        oil_story(folder, number)
    write_article(folder, "gas.txt", "GAS NEWS", "Gas prices in Tbilisi fell.")
    shutil.copy(SEED, folder / SEED.name)
    env = {**os.environ, "MSEARCH_INDEX": str(tmp_path / "index"), "NO_COLOR": "1"}
    env.pop("MSEARCH_PAGER", None)
    assert run(env, "index", str(folder), "-q").returncode == 0
    return env, folder


def ids(done: subprocess.CompletedProcess) -> list[str]:
    return [json.loads(line)["id"] for line in done.stdout.splitlines()]


def test_new_lists_only_what_was_indexed_since_the_last_run(archive):
    env, folder = archive
    added = run(env, "saved", "add", "oil", "oil Baku")
    assert added.returncode == 0 and "5 articles match now" in added.stderr
    nothing = run(env, "saved", "run", "oil", "--new")
    assert nothing.returncode == 1 and nothing.stdout == ""
    assert "no new articles match" in nothing.stderr
    fresh = [oil_story(folder, number, "Fresh news.") for number in (10, 11)]
    write_article(folder, "other.txt", "GAS AGAIN", "Gas, not the other fuel.")
    run(env, "index", str(folder), "-q")
    new = run(env, "saved", "run", "oil", "--new", "--jsonl")
    assert new.returncode == 0
    expected = run(env, "query", "Fresh", "--jsonl")
    assert sorted(ids(new)) == sorted(ids(expected)) and len(fresh) == len(ids(new)) == 2
    assert run(env, "saved", "run", "oil", "--new").returncode == 1  # seen now
    everything = run(env, "saved", "run", "oil", "--jsonl", "-n", "50")
    assert len(ids(everything)) == 7  # without --new: every match, as `query` ranks them


def test_new_shows_every_new_article_unless_limited(archive):
    env, folder = archive
    run(env, "saved", "add", "oil", "oil")
    for number in range(20, 34):
        oil_story(folder, number)
    run(env, "index", str(folder), "-q")
    limited = run(env, "saved", "run", "oil", "--new", "-n", "3", "--jsonl")
    assert len(ids(limited)) == 3
    done = run(env, "saved", "run", "oil", "--new")  # only the three shown count as seen
    assert done.returncode == 0 and "11 of 11 new articles shown" in done.stderr


def test_state_survives_index_runs_and_rebuild(archive):
    env, folder = archive
    run(env, "saved", "add", "oil", "oil", "--year", "1999")
    run(env, "saved", "add", "seed", "Khalafov")
    before = run(env, "saved", "list", "--json").stdout
    run(env, "index", str(folder), "-q")
    run(env, "index", str(folder), "-q", "--rebuild")
    assert run(env, "saved", "list", "--json").stdout == before
    assert run(env, "saved", "run", "seed", "--new").returncode == 1  # rebuilt, not new


def test_list_and_remove(archive):
    env, _ = archive
    assert run(env, "saved", "list").returncode == 1
    run(env, "saved", "add", "oil", "oil Baku", "--publication", "Monitor", "--sort", "newest")
    listed = run(env, "saved", "list")
    assert listed.returncode == 0
    assert listed.stdout.startswith("oil  'oil Baku' --publication Monitor --sort newest")
    (entry,) = json.loads(run(env, "saved", "list", "--json").stdout)
    assert entry["name"] == "oil" and entry["seen"] == 5 and entry["last_run"]
    assert entry["options"] == ["--publication", "Monitor", "--sort", "newest"]
    again = run(env, "saved", "add", "oil", "gas")
    assert again.returncode == 2 and "--replace" in again.stderr
    assert run(env, "saved", "add", "oil", "gas", "--replace").returncode == 0
    assert run(env, "saved", "remove", "oil").returncode == 0
    gone = run(env, "saved", "run", "oil")
    assert gone.returncode == 2 and "no saved search 'oil'" in gone.stderr


def test_run_all_reports_every_saved_search(archive):
    env, folder = archive
    run(env, "saved", "add", "oil", "oil")
    run(env, "saved", "add", "gas", "gas")
    oil_story(folder, 40)
    run(env, "index", str(folder), "-q")
    done = run(env, "saved", "run", "--all", "--new")
    assert done.returncode == 0
    assert "== gas" not in done.stdout  # nothing new: nothing to say (cron mails nothing)
    assert "== oil: oil: 1 new article ==" in done.stdout and "OIL REPORT 40" in done.stdout
    oil_story(folder, 41)
    run(env, "index", str(folder), "-q")
    rows = list(csv.DictReader(io.StringIO(run(env, "saved", "run", "--all", "--csv").stdout)))
    assert {row["saved"] for row in rows} == {"oil", "gas"}
    report = json.loads(run(env, "saved", "run", "--all", "--new", "--json").stdout)
    assert [(entry["saved"], entry["result"]["total"]) for entry in report["saved"]] == [
        ("gas", 0),
        ("oil", 1),  # the plain (CSV) run before marked nothing seen
    ]
    lines = run(env, "saved", "run", "--all", "--jsonl")
    assert lines.returncode == 0
    assert {json.loads(line)["saved"] for line in lines.stdout.splitlines()} == {"oil", "gas"}


def test_usage_errors(archive):
    env, _ = archive
    for args, message in [
        (["add", "bad name", "oil"], "saved search name"),
        (["add", "ok", " "], "the query is empty"),
        (["run"], "NAME of a saved search, or --all"),
        (["run", "oil", "--all"], "NAME of a saved search, or --all"),
        (["run", "--all", "--json", "--csv"], "choose one of"),
    ]:
        done = run(env, "saved", *args)
        assert done.returncode == 2 and message in done.stderr, (args, done.stderr)
    stop = run(env, "saved", "add", "stop", "the")
    assert stop.returncode == 2 and "no word to search for" in stop.stderr
    assert run(env, "saved", "add", "nl\n", "oil").returncode == 2
    assert run(env, "saved", "list").returncode == 1  # nothing was saved
    later = run(env, "saved", "add", "edm", "oil", "--publication", "Eurasia Daily Monitor")
    assert later.returncode == 0 and "will all be new" in later.stderr


def test_no_index_and_damaged_state(archive, tmp_path):
    env, _ = archive
    nowhere = run({**env, "MSEARCH_INDEX": str(tmp_path / "none")}, "saved", "list")
    assert nowhere.returncode == 2 and "no index" in nowhere.stderr
    assert not (tmp_path / "none").exists()
    run(env, "saved", "add", "oil", "oil")
    state = tmp_path / "index" / STATE_FILE
    state.write_text(state.read_text()[:40])
    damaged = run(env, "saved", "run", "oil")
    assert damaged.returncode == 2 and STATE_FILE in damaged.stderr
    assert "Traceback" not in damaged.stderr and damaged.stderr.count("\n") == 1
    assert run(env, "query", "oil", "--json").returncode == 0  # the index itself is fine


def test_concurrent_runs_lose_no_saved_search(archive):
    env, _ = archive

    def add(number: int) -> int:
        return run(env, "saved", "add", f"s{number}", "oil").returncode

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert set(pool.map(add, range(12))) == {0}
    names = [entry["name"] for entry in json.loads(run(env, "saved", "list", "--json").stdout)]
    assert sorted(names) == sorted(f"s{number}" for number in range(12))


@pytest.mark.skipif(not WIRE.is_dir(), reason=f"the Reuters archive is not at {WIRE}")
def test_new_wire_stories_on_a_mixed_archive(tmp_path):
    """A Monitor article and February's wire stories, then March's: --new lists exactly the
    March stories that match."""
    folder = tmp_path / "archive"
    shutil.copytree(WIRE / "1987-feb", folder / "feb")
    shutil.copy(SEED, folder)
    env = {**os.environ, "MSEARCH_INDEX": str(tmp_path / "index"), "NO_COLOR": "1"}
    run(env, "index", str(folder), "-q")
    run(env, "saved", "add", "crude", "crude oil")
    shutil.copytree(WIRE / "1987-mar", folder / "mar")
    run(env, "index", str(folder), "-q")
    new = run(env, "saved", "run", "crude", "--new", "--jsonl")
    paths = [json.loads(line)["path"] for line in new.stdout.splitlines()]
    every = run(env, "query", "crude oil", "--jsonl", "-n", "5000").stdout.splitlines()
    expected = [
        hit["path"]
        for hit in map(json.loads, every)
        if hit["matched"] == "all" and "/mar/" in hit["path"]
    ]
    assert paths and sorted(paths) == sorted(expected)


def test_only_new_runs_that_were_written_out_count(archive, tmp_path):
    env, folder = archive
    run(env, "saved", "add", "oil", "oil")
    oil_story(folder, 50)
    run(env, "index", str(folder), "-q")
    assert run(env, "saved", "run", "oil", "--brief").returncode == 0  # a look: seen nothing
    assert run(env, "saved", "add", "oil", "oil", "--sort", "newest", "--replace").returncode == 0
    full = subprocess.run(
        f"{installed_msearch()} saved run oil --new > /dev/full",
        shell=True,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert full.returncode == 2 and "cannot write the output" in full.stderr
    done = run(env, "saved", "run", "oil", "--new", "--jsonl")
    assert [json.loads(line)["title"] for line in done.stdout.splitlines()] == ["OIL REPORT 50"]


def test_moved_files_are_not_new_and_rewritten_ones_are(archive):
    env, folder = archive
    run(env, "saved", "add", "oil", "oil")
    (folder / "oil001.txt").rename(folder / "renamed.txt")
    oil_story(folder, 2, "Rewritten with more news.")
    done = run(env, "index", str(folder))
    assert "1 moved" in done.stderr
    new = run(env, "saved", "run", "oil", "--new", "--jsonl")
    assert [json.loads(line)["title"] for line in new.stdout.splitlines()] == ["OIL REPORT 2"]
