"""``msearch query``'s other outputs, through the installed executable: paths alone, CSV,
one line per hit, and later pages (``--offset``)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess

import pytest

from monitor_search.output.csv import COLUMNS

from .conftest import SEED, installed_msearch, write_article

HOSTILE_TITLE = 'OIL, "GAS" AND \x1b[31mRED\x1b[0m'


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """Twelve articles about oil (one with a hostile headline and three sources), the seed."""
    root = tmp_path_factory.mktemp("modes")
    folder = root / "articles"
    for number in range(11):
        write_article(
            folder,
            f"oil{number:02}.txt",
            f"OIL REPORT {number}",
            "Oil output rose. " * (number + 1) + "(Interfax, Reuters, March 2).",
            issue=number + 1,
        )
    write_article(folder, "hostile.txt", HOSTILE_TITLE, "Oil and gas (Turan, ITAR-TASS, May 5).")
    shutil.copy(SEED, folder / SEED.name)
    env = {**os.environ, "MSEARCH_INDEX": str(root / "index"), "NO_COLOR": "1"}
    subprocess.run([installed_msearch(), "index", str(folder), "-q"], env=env, check=True)
    return env


def run(env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [installed_msearch(), *args], env=env, capture_output=True, text=True, check=False
    )


def hits_as_json(env, *args: str) -> list[dict]:
    done = run(env, "query", *args, "--jsonl")
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_paths_are_the_hits_paths_one_per_line(archive):
    done = run(archive, "query", "oil", "-l", "-n", "4")
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.splitlines() == [
        hit["path"] for hit in hits_as_json(archive, "oil", "-n", "4")
    ]
    none = run(archive, "query", "zzzyzzy", "--paths")
    assert none.returncode == 1 and none.stdout == "" and none.stderr == ""


def test_csv_has_a_header_and_the_json_fields_of_each_hit(archive):
    done = run(archive, "query", "oil", "--csv", "-n", "20")
    assert done.returncode == 0
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    expected = hits_as_json(archive, "oil", "-n", "20")
    assert done.stdout.splitlines()[0].split(",") == COLUMNS
    assert len(rows) == len(expected) == 12
    for row, hit in zip(rows, expected, strict=True):
        assert row["sources"] == "; ".join(hit["sources"])
        assert row["title"] == hit["title"]  # commas, quotes and escapes survive as data
        assert row["score"] == str(hit["score"])
        assert row["volume"] == ("" if hit["volume"] is None else str(hit["volume"]))
    assert any(row["title"] == HOSTILE_TITLE for row in rows)
    empty = run(archive, "query", "zzzyzzy", "--csv")
    assert empty.returncode == 1 and empty.stdout.splitlines() == [",".join(COLUMNS)]


def test_offset_gives_the_next_page(archive):
    first = hits_as_json(archive, "oil", "-n", "8")
    pages = hits_as_json(archive, "oil", "-n", "4") + hits_as_json(
        archive, "oil", "-n", "4", "--offset", "4"
    )
    assert [(h["rank"], h["id"], h["score"]) for h in pages] == [
        (h["rank"], h["id"], h["score"]) for h in first
    ]
    done = run(archive, "query", "oil", "-n", "4", "--offset", "4", "--json")
    assert json.loads(done.stdout)["offset"] == 4
    terminal = run(archive, "query", "oil", "-n", "4", "--offset", "4")
    assert terminal.stdout.lstrip().startswith("5. ")
    assert "5-8 of 12 articles shown" in terminal.stderr
    beyond = run(archive, "query", "oil", "--offset", "500", "--json")
    assert beyond.returncode == 1 and json.loads(beyond.stdout)["total"] == 12


def test_brief_is_one_inert_line_per_hit(archive):
    done = run(archive, "query", "oil gas", "--brief", "-n", "20")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    expected = hits_as_json(archive, "oil gas", "-n", "20")
    assert len(lines) == len(expected)
    for line, hit in zip(lines, expected, strict=True):
        rank, when, publication, *_ = line.lstrip().split("  ", 3)
        assert int(rank) == hit["rank"] and publication == (hit["publication"] or "-")
        assert when == (hit["date"] or (str(hit["year"]) if hit["year"] else "-"))
        assert line.endswith(hit["id"])
    assert "\x1b" not in done.stdout and "␛[31mRED" in done.stdout
    assert "shown" in done.stderr


@pytest.mark.parametrize("pair", [("--csv", "--json"), ("--paths", "--brief"), ("-l", "--jsonl")])
def test_one_output_format_at_a_time(archive, pair):
    done = run(archive, "query", "oil", *pair)
    assert done.returncode == 2 and "choose one of" in done.stderr


def test_a_negative_offset_is_a_usage_error(archive):
    done = run(archive, "query", "oil", "--offset", "-1")
    assert done.returncode == 2
