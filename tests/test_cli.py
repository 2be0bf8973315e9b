"""The msearch command: output formats, exit codes, inert article text, the installed script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from .conftest import SEED, installed_msearch, write_article

SEED_TITLE = "AZERBAIJAN TO STAY OUT OF CIS SECURITY PACT."
HIT_KEYS = {
    "rank",
    "score",
    "matched",
    "id",
    "path",
    "title",
    "publication",
    "volume",
    "issue",
    "year",
    "date",
    "sources",
    "snippet",
    "fragments",
}


@pytest.fixture
def indexed(msearch, corpus):
    outcome = msearch("index", str(corpus))
    assert outcome.code == 0, outcome.err
    return corpus


def test_index_prints_summary_on_stderr(msearch, corpus):
    outcome = msearch("index", str(corpus))
    assert outcome.code == 0
    assert outcome.out == ""
    assert "4 new, 0 updated, 0 unchanged, 0 removed, 0 skipped" in outcome.err
    assert "1 unchanged" not in msearch("index", str(corpus), "--quiet").err


def test_index_reports_bad_file_and_exits_0(msearch, corpus):
    (corpus / "bad.txt").write_bytes(b"\x00\x00")
    outcome = msearch("index", str(corpus))
    assert outcome.code == 0
    assert f"skipped {corpus / 'bad.txt'}: binary file" in outcome.err
    assert "1 skipped" in outcome.err


def test_index_missing_path_exits_2(msearch, corpus, tmp_path):
    outcome = msearch("index", str(corpus), str(tmp_path / "nope"))
    assert outcome.code == 2
    assert "nope: no such file or folder" in outcome.err


def test_query_json_shape(msearch, indexed):
    outcome = msearch("query", "Collective Security Treaty", "--json")
    assert outcome.code == 0
    result = json.loads(outcome.out)
    assert set(result) == {
        "query", "total", "total_any", "offset", "suggestion", "ignored", "hits"
    }  # fmt: skip
    assert result["query"] == "Collective Security Treaty"
    top = result["hits"][0]
    assert set(top) == HIT_KEYS
    assert top["title"] == SEED_TITLE
    assert (top["rank"], top["publication"], top["volume"], top["issue"]) == (1, "Monitor", 5, 26)
    assert (top["year"], top["date"]) == (1999, "1999-02-05")
    assert top["sources"] == ["Turan", "Azad-Inform", "Itar-Tass"]
    assert "Collective Security Treaty" in top["snippet"]
    fragment = top["fragments"][0]
    start, end = fragment["highlights"][0]
    assert fragment["text"][start:end].lower() in {"collective", "security", "treaty"}


def test_query_json_unknown_values_are_null(msearch, tmp_path):
    write_article(tmp_path / "a", "x.txt", "LONE ARTICLE", "Nothing known.", publication=None)
    msearch("index", str(tmp_path / "a"))
    hit = json.loads(msearch("query", "lone", "--json").out)["hits"][0]
    assert [hit[k] for k in ("publication", "volume", "issue", "year", "date")] == [None] * 5
    assert hit["sources"] == []


def test_query_json_nothing_found_exits_1(msearch, indexed):
    outcome = msearch("query", "zzzyzzy", "--json")
    assert outcome.code == 1
    assert json.loads(outcome.out) == {
        "query": "zzzyzzy",
        "total": 0,
        "total_any": 0,
        "offset": 0,
        "suggestion": None,
        "ignored": [],
        "hits": [],
    }


@pytest.mark.parametrize("text", ["oil pipeline", '"oil pipeline"', "oil NOT gas", "oil*"])
def test_query_on_an_index_of_no_articles_finds_nothing(msearch, tmp_path, text):
    """An index built from an empty folder has no segment (Whoosh gives an empty reader):
    every kind of query finds nothing, exit 1, and says nothing of damage."""
    (tmp_path / "none").mkdir()
    assert msearch("index", str(tmp_path / "none")).code == 0
    outcome = msearch("query", text, "--json")
    assert (outcome.code, json.loads(outcome.out)["total"]) == (1, 0), outcome.err
    assert "damaged" not in outcome.err


def test_query_jsonl_one_hit_per_line(msearch, indexed):
    outcome = msearch("query", "security OR gas", "--jsonl")
    lines = outcome.out.splitlines()
    assert len(lines) == 3
    assert [json.loads(line)["rank"] for line in lines] == [1, 2, 3]
    assert all(set(json.loads(line)) == HIT_KEYS for line in lines)
    assert msearch("query", "zzzyzzy", "--jsonl").out == ""


def test_query_terminal_output(msearch, indexed):
    outcome = msearch("query", "Collective Security Treaty")
    assert outcome.code == 0
    assert outcome.out.startswith(f" 1. {SEED_TITLE}")
    assert "Monitor · vol. 5 · issue 26 · 1999-02-05" in outcome.out
    assert "\x1b" not in outcome.out  # not a terminal: no escape codes
    assert "2 shown: 1 article with all the words, 1 more with only some" in outcome.err


def test_query_limit_and_filters(msearch, indexed):
    outcome = msearch("query", "security OR gas OR Chechnya", "--limit", "1", "--json")
    assert json.loads(outcome.out)["total"] == 4
    assert len(json.loads(outcome.out)["hits"]) == 1
    outcome = msearch(
        "query", "security OR gas", "--publication", "Eurasia Daily Monitor", "--json"
    )
    assert [h["title"] for h in json.loads(outcome.out)["hits"]] == [
        "GAZPROM AND TURKMENISTAN AGREE GAS PRICE"
    ]
    outcome = msearch("query", "security", "--year", "1999", "--volume", "5", "--issue", "26")
    assert outcome.code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "x", "--limit", "0"], "--limit"),
        (["query", "x", "--sort", "size"], "--sort"),
        (["query", "x", "--from", "yesterday"], "--from"),
        (["query", "x", "--json", "--jsonl"], "choose one of --json, --jsonl, --csv"),
        (["frobnicate"], "No such command"),
        (["query", "x", "--year", "99999999999999999999"], "--year 99999999999999999999: out"),
        (["query", "x", "--issue", "3000000000"], "--issue 3000000000: out of range"),
    ],
)
def test_usage_errors_exit_2(msearch, indexed, args, message):
    outcome = msearch(*args)
    assert outcome.code == 2
    assert message in outcome.err
    assert "Traceback" not in outcome.err


def test_no_index_exits_2_with_advice(msearch):
    outcome = msearch("query", "x")
    assert outcome.code == 2
    assert outcome.err.strip().endswith("run 'msearch index <folder>' first")
    assert len(outcome.err.strip().splitlines()) == 1


def test_show_and_stats(msearch, indexed):
    hit = json.loads(msearch("query", "Collective Security Treaty", "--json").out)["hits"][0]
    shown = msearch("show", hit["id"])
    assert shown.code == 0
    assert shown.out.startswith(SEED_TITLE)
    assert "Khalafov" in shown.out and "Jamestown" not in shown.out
    article = json.loads(msearch("show", hit["id"], "--json").out)
    assert article["title"] == SEED_TITLE and article["body"].startswith("Deputy Foreign")
    missing = msearch("show", "000000000000")
    assert missing.code == 1 and "no article with id" in missing.err
    stats = json.loads(msearch("stats", "--json").out)
    assert stats["articles"] == 4
    assert stats["publications"] == {"Monitor": 3, "Eurasia Daily Monitor": 1}
    assert (stats["first_year"], stats["last_year"]) == (1998, 2005)
    assert stats["size_bytes"] > 0 and stats["last_indexed"]
    text = msearch("stats").out
    assert "articles" in text and "publication   Eurasia Daily Monitor: 1" in text
    assert "years         1998–2005" in text
    assert all(line == line.rstrip() for line in text.splitlines())  # no table padding


@pytest.mark.parametrize(
    ("first", "last", "shown"),
    [(1999, 1999, "1999"), (1998, 2005, "1998–2005"), (None, None, "unknown")],
)
def test_stats_of_a_single_year_says_it_once(first, last, shown):
    from io import StringIO

    from rich.console import Console

    from monitor_search.model import IndexStats
    from monitor_search.output.terminal import print_stats

    stats = IndexStats("index", 3, 1000, None, first_year=first, last_year=last)
    out = StringIO()
    print_stats(stats, Console(file=out, width=100, color_system=None))
    assert f"years         {shown}\n" in out.getvalue()


HOSTILE = (
    "Warning [bold red]not markup[/bold red] [link=http://evil.example]click[/link] "
    "\x1b[31mred\x1b[0m \x1b]8;;http://evil.example\x07osc\x1b]8;;\x07 bell\x07 back\x08space"
)


def test_article_text_is_inert_in_terminal(msearch, tmp_path):
    write_article(tmp_path / "h", "h.txt", "HOSTILE [bold]TITLE[/bold]", f"Hostile text. {HOSTILE}")
    msearch("index", str(tmp_path / "h"))
    for args in (
        ["query", "hostile"],
        ["show", json.loads(msearch("query", "hostile", "--json").out)["hits"][0]["id"]],
    ):
        out = msearch(*args).out
        assert "[bold red]not markup[/bold red]" in out
        assert "[link=http://evil.example]click[/link]" in out
        assert "HOSTILE [bold]TITLE[/bold]" in out
        assert not any(ord(c) < 32 and c not in "\n\t" for c in out), repr(out)
        assert "␛[31mred" in out


def test_article_text_kept_in_json(msearch, tmp_path):
    write_article(tmp_path / "h", "h.txt", "HOSTILE", f"Hostile text. {HOSTILE}")
    msearch("index", str(tmp_path / "h"))
    article = json.loads(msearch("query", "hostile", "--json").out)["hits"][0]
    shown = json.loads(msearch("show", article["id"], "--json").out)
    assert HOSTILE in shown["body"]


def test_help_lists_every_option(msearch):
    outcome = msearch("query", "--help")
    assert outcome.code == 0
    for option in (
        "--index",
        "--limit",
        "--json",
        "--jsonl",
        "--publication",
        "--year",
        "--from",
        "--to",
        "--volume",
        "--issue",
        "--sort",
        "source:",
        "year:",
    ):
        assert option in outcome.out, option


def test_installed_executable_end_to_end(tmp_path):
    exe = installed_msearch()
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(SEED, seeds)
    env = {**os.environ, "MSEARCH_INDEX": str(tmp_path / "index"), "NO_COLOR": "1"}
    done = subprocess.run([exe, "index", str(seeds)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [exe, "query", "Collective Security Treaty", "--json"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0
    assert json.loads(done.stdout)["hits"][0]["title"] == SEED_TITLE
    done = subprocess.run([exe, "query", "zzzyzzy"], env=env, capture_output=True, text=True)
    assert done.returncode == 1 and done.stdout == ""
    done = subprocess.run(
        [sys.executable, "-m", "monitor_search", "query", "Khalafov"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and SEED_TITLE in done.stdout


def test_colour_in_a_terminal_and_none_with_no_color(tmp_path):
    """Run under a real pseudo-terminal: highlighted words carry escape codes unless NO_COLOR."""
    import pty

    exe = installed_msearch()
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(SEED, seeds)
    env = {**os.environ, "MSEARCH_INDEX": str(tmp_path / "index"), "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    subprocess.run([exe, "index", str(seeds), "-q"], env=env, check=True)

    def in_terminal(extra_env: dict) -> str:
        leader, follower = pty.openpty()
        subprocess.run(
            [exe, "query", "Collective Security Treaty"],
            env={**env, **extra_env},
            stdout=follower,
            stderr=follower,
            check=True,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(leader)
        return b"".join(chunks).decode()

    coloured = in_terminal({})
    assert "\x1b[" in coloured and "Collective" in coloured
    plain = in_terminal({"NO_COLOR": "1"})
    assert "Collective" in plain
    assert "\x1b[3" not in plain and "\x1b[4" not in plain  # no colours


def test_read_only_commands_end_at_once_with_all_their_output(corpus, tmp_path):
    """``run`` ends read-only commands with os._exit once their output is flushed: nothing
    may be lost, in a pipe, or when the reader goes away."""
    env = {**os.environ, "MSEARCH_INDEX": str(tmp_path / "index"), "NO_COLOR": "1"}
    msearch = [sys.executable, "-m", "monitor_search"]
    indexed = subprocess.run([*msearch, "index", str(corpus), "-q"], env=env, check=True)
    assert indexed.returncode == 0
    done = subprocess.run(
        [*msearch, "query", "*", "--jsonl", "-n", "50"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert len([json.loads(line) for line in done.stdout.splitlines()]) == 4
    assert subprocess.run([*msearch, "query", "zzzyzzy"], env=env).returncode == 1
    reader = subprocess.Popen(
        [*msearch, "export"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    first = reader.stdout.read(10)
    reader.stdout.close()  # like `| head -c 10`
    code, err = reader.wait(timeout=30), reader.stderr.read()
    assert code == 0, (first, err)
    assert b"Traceback" not in err


@pytest.mark.parametrize("command", ["query", "timeline"])
@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_query_is_a_usage_error(msearch, indexed, command, text):
    outcome = msearch(command, text)
    assert outcome.code == 2 and "the query is empty" in outcome.err
