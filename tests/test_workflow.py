"""The daily workflow around the hits, through the installed executable: a highlighted
article (``show --query``), colours, the pager, shell completion, help with examples, and
misses that explain themselves. A pseudo-terminal stands in wherever the terminal matters."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest

from .conftest import SEED, installed_msearch, run_in_terminal, write_article

HOSTILE_TITLE = "PIPELINE \x1b]0;owned\x07 NEWS \x1b[31mRED\x1b[0m"
ESCAPE = "\x1b["
_SGR = re.compile(r"\x1b\[[0-9;]*m")


def plain(text: str) -> str:
    """Terminal output without its colours and styles."""
    return _SGR.sub("", text)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """Thirty pipeline articles of two publications, a hostile one, and the seed."""
    root = tmp_path_factory.mktemp("workflow")
    folder = root / "articles"
    for number in range(30):
        write_article(
            folder,
            f"pipe{number:02}.txt",
            f"CASPIAN PIPELINE REPORT {number}",
            "The Caspian pipeline carries oil to the sea. " * (number % 5 + 1)
            + "Oil from Baku goes west; the pipeline is Caspian. (Turan, March 2).",
            publication="Monitor" if number % 3 else "Eurasia Daily Monitor",
            issue=number + 1,
        )
    write_article(folder, "hostile.txt", HOSTILE_TITLE, "A pipeline \x1b[2J story \x07 here.")
    shutil.copy(SEED, folder / SEED.name)
    env = {**os.environ, "MSEARCH_INDEX": str(root / "index"), "TERM": "xterm-256color"}
    for name in ("NO_COLOR", "PAGER", "MSEARCH_PAGER", "LESS", "FORCE_COLOR"):
        env.pop(name, None)
    subprocess.run([installed_msearch(), "index", str(folder), "-q"], env=env, check=True)
    return env


def run(env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [installed_msearch(), *args], env=env, capture_output=True, text=True, check=False
    )


def first_id(env, text: str) -> str:
    return json.loads(run(env, "query", text, "--json", "-n", "1").stdout)["hits"][0]["id"]


def test_show_with_a_query_marks_its_words_in_the_whole_article(archive):
    article_id = first_id(archive, "Caspian pipeline")
    done = run(archive, "show", article_id, "--query", "Caspian pipeline", "--json")
    assert done.returncode == 0
    shown = json.loads(done.stdout)
    body, title = shown["body"], shown["title"]
    marked = [body[start:end].lower() for start, end in shown["highlights"]["body"]]
    assert marked and set(marked) == {"caspian", "pipeline"}
    assert len(marked) == len(re.findall(r"\b(caspian|pipeline)\b", body, re.IGNORECASE))
    assert [title[a:b] for a, b in shown["highlights"]["title"]] == ["CASPIAN", "PIPELINE"]
    plain = json.loads(run(archive, "show", article_id, "--json").stdout)
    assert "highlights" not in plain and plain == {
        key: value for key, value in shown.items() if key != "highlights"
    }


def test_show_marks_a_phrase_only_where_it_stands(archive):
    article_id = first_id(archive, "Caspian pipeline")
    done = run(archive, "show", article_id, "--query", '"Caspian pipeline"', "--json")
    shown = json.loads(done.stdout)
    body = shown["body"]
    marked = [body[start:end] for start, end in shown["highlights"]["body"]]
    phrases = len(re.findall(r"Caspian pipeline", body))
    assert marked == ["Caspian", "pipeline"] * phrases  # "the pipeline is Caspian" is not


def test_show_highlights_in_colour_and_keeps_article_text_inert(archive):
    article_id = first_id(archive, "NEWS")
    done = run(archive, "show", article_id, "--query", "pipeline", "--color", "always")
    assert done.returncode == 0
    assert "␛]0;owned␇" in done.stdout and "␛[2J" in done.stdout
    assert "\x1b]" not in done.stdout and "\x1b[2J" not in done.stdout and "\x07" not in done.stdout
    assert re.search(r"\x1b\[[0-9;]*m(PIPELINE|pipeline)\x1b\[0m", done.stdout)


def test_show_with_an_empty_query_or_unknown_id(archive):
    assert run(archive, "show", "0123456789ab", "--query", "oil").returncode == 1
    empty = run(archive, "show", first_id(archive, "oil"), "--query", " ")
    assert empty.returncode == 2 and "the query is empty" in empty.stderr


def test_color_always_never_and_no_color(archive):
    piped = run(archive, "query", "pipeline", "--color", "always", "-n", "2")
    assert ESCAPE in piped.stdout
    no_color = run({**archive, "NO_COLOR": "1"}, "query", "pipeline", "--color", "always")
    assert "\x1b[3" in no_color.stdout  # always wins over NO_COLOR
    code, never = run_in_terminal(
        ["query", "pipeline", "--color", "never", "-n", "2", "--no-pager"], archive
    )
    assert code == 0 and "PIPELINE" in never and ESCAPE not in never
    code, auto = run_in_terminal(["query", "pipeline", "-n", "2", "--no-pager"], archive)
    assert "\x1b[3" in auto
    code, quiet = run_in_terminal(
        ["timeline", "pipeline", "--no-pager"], {**archive, "NO_COLOR": "1"}
    )
    assert code == 0 and "\x1b[3" not in quiet  # NO_COLOR wins over auto
    for command in (["similar", first_id(archive, "oil")], ["stats"], ["timeline", "oil"]):
        assert ESCAPE in run(archive, *command, "--color", "always").stdout


@pytest.fixture
def recording_pager(archive, tmp_path):
    """An environment whose pager writes what it is given to a file (returned alongside)."""
    paged = tmp_path / "paged.txt"
    return {**archive, "MSEARCH_PAGER": f"sh -c 'cat > {paged}'", "PAGER": "false"}, paged


def test_long_output_in_a_terminal_goes_through_the_pager(recording_pager):
    env, paged = recording_pager
    code, screen = run_in_terminal(["query", "pipeline", "-n", "10"], env, rows=20)
    assert code == 0
    text = paged.read_text()
    assert "CASPIAN PIPELINE REPORT" in plain(text) and ESCAPE in text  # coloured: `less -R`
    assert "CASPIAN PIPELINE REPORT" not in screen and "10 of 31 articles shown" in screen


def test_the_pager_is_skipped_when_piped_short_or_turned_off(recording_pager):
    env, paged = recording_pager
    assert "REPORT" in run(env, "query", "pipeline", "-n", "10").stdout
    for args, rows in ((["-n", "10", "--no-pager"], 20), (["-n", "1"], 60)):
        code, screen = run_in_terminal(["query", "pipeline", *args], env, rows=rows)
        assert code == 0 and "CASPIAN PIPELINE REPORT" in plain(screen)
    code, screen = run_in_terminal(["query", "pipeline", "--json"], env, rows=5)
    assert code == 0 and '"hits"' in screen  # JSON is never paged
    assert not paged.exists()


def test_pager_falls_back_to_pager_then_to_none(archive, tmp_path):
    paged = tmp_path / "paged.txt"
    env = {**archive, "PAGER": f"sh -c 'cat > {paged}'"}
    run_in_terminal(["show", first_id(archive, "oil")], env, rows=5)
    assert "Caspian" in paged.read_text()
    missing = {**archive, "MSEARCH_PAGER": "no-such-pager-here"}
    code, screen = run_in_terminal(["query", "pipeline"], missing, rows=5)
    assert code == 0 and "CASPIAN PIPELINE REPORT" in plain(screen)
    cat = {**archive, "MSEARCH_PAGER": "cat", "PAGER": f"sh -c 'cat > {paged}.2'"}
    run_in_terminal(["query", "pipeline"], cat, rows=5)
    assert not (tmp_path / "paged.txt.2").exists()


def complete(env, *words: str) -> list[str]:
    """What bash completion offers after ``msearch WORDS`` (the last one being typed)."""
    done = subprocess.run(
        [installed_msearch()],
        env={
            **env,
            "_MSEARCH_COMPLETE": "complete_bash",
            "COMP_WORDS": " ".join(("msearch", *words)),
            "COMP_CWORD": str(len(words)),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_completion_offers_commands_and_option_values(archive):
    assert {"query", "show", "timeline"} <= set(complete(archive, ""))
    assert complete(archive, "query", "x", "--facet", "") == ["publication", "year", "source"]
    assert complete(archive, "query", "x", "--sort", "n") == ["newest"]
    assert complete(archive, "timeline", "x", "--by", "") == ["year", "month"]
    assert complete(archive, "query", "x", "--color", "") == ["auto", "always", "never"]
    assert complete(archive, "query", "x", "--publication", "Mon") == ["Monitor"]
    nowhere = {**archive, "MSEARCH_INDEX": "/nonexistent/index"}
    assert complete(nowhere, "query", "x", "--publication", "") in ([], [""])
    script = subprocess.run(  # from bash (not exec'd): the shell Typer detects
        ["bash", "-c", f"{installed_msearch()} --show-completion; true"],
        env=archive,
        capture_output=True,
        text=True,
        check=False,
    )
    assert script.returncode == 0 and "_MSEARCH_COMPLETE" in script.stdout


COMMANDS = ("index", "query", "similar", "timeline", "export", "show", "stats")


def test_top_level_help_gives_each_command_one_line(archive):
    done = run({**archive, "COLUMNS": "100"}, "--help")
    lines = done.stdout.splitlines()
    for command in COMMANDS:
        (line,) = [line for line in lines if re.match(rf"\W*{command}\s{{2,}}\w", line)]
        at = lines.index(line)
        assert not re.match(r"\W*\s{6,}\w", lines[at + 1]), f"{command}: more than one line"


@pytest.mark.parametrize("command", COMMANDS)
def test_each_commands_help_ends_with_examples_that_use_its_options(archive, command):
    done = run({**archive, "COLUMNS": "200"}, command, "--help")
    assert done.returncode == 0
    examples = done.stdout.split("Examples:")[1]
    calls = [line.strip()[2:] for line in examples.splitlines() if line.strip().startswith("$")]
    assert len(calls) >= 2
    for call in calls:
        assert f"{call} ".startswith(f"msearch {command} ")
        for option in re.findall(r"(?<=\s)--?[a-z][a-z-]*", call.split("|")[0]):
            assert option in done.stdout.split("Examples:")[0], f"{call}: {option}?"


def test_an_unknown_publication_lists_those_the_index_has(archive):
    for command in (["query", "oil"], ["timeline", "oil"]):
        done = run(archive, *command, "--publication", "Eurasia Daily")
        assert done.returncode == 1 and done.stdout == ""
        assert done.stderr.count("\n") == 1
        assert "no publication 'Eurasia Daily'" in done.stderr
        assert "Monitor (22)" in done.stderr and "Eurasia Daily Monitor (10)" in done.stderr
    known = run(archive, "query", "oil", "--publication", "eurasia daily monitor", "--json")
    assert known.returncode == 0 and json.loads(known.stdout)["total"] == 10


def test_export_has_no_flag_that_cannot_be_turned_off(archive):
    done = run(archive, "export", "--help")
    assert "[default: True]" not in done.stdout
    plain, said = run(archive, "export"), run(archive, "export", "--jsonl")
    assert plain.returncode == said.returncode == 0 and plain.stdout == said.stdout
    assert len(plain.stdout.splitlines()) == 32


def test_show_never_marks_the_words_a_query_leaves_out(archive):
    article_id = first_id(archive, "Caspian pipeline")
    for text in ("pipeline NOT Caspian", "pipeline -Caspian", "NOT Caspian"):
        shown = json.loads(run(archive, "show", article_id, "--query", text, "--json").stdout)
        body = shown["body"]
        marked = {body[start:end].lower() for start, end in shown["highlights"]["body"]}
        assert "caspian" not in marked, text
    done = run(archive, "show", article_id, "--query", "zzzyzzy")
    assert done.returncode == 0 and "none of the query's words are in this article" in done.stderr
    assert run(archive, "show", " ").returncode == 2


def test_the_pager_gets_ctrl_c_as_usual_and_dumb_terminals_get_none(archive, tmp_path):
    report = tmp_path / "signals.txt"
    pager = f"sh -c 'grep SigIgn /proc/$$/status > {report}; cat > /dev/null'"
    run_in_terminal(["query", "pipeline"], {**archive, "MSEARCH_PAGER": pager}, rows=5)
    ignored = int(report.read_text().split()[1], 16)
    assert not ignored & (1 << (2 - 1))  # SIGINT (2) is not ignored in the pager
    paged = tmp_path / "paged.txt"
    dumb = {**archive, "TERM": "dumb", "MSEARCH_PAGER": f"sh -c 'cat > {paged}'"}
    code, screen = run_in_terminal(["query", "pipeline"], dumb, rows=5)
    assert code == 0 and "CASPIAN PIPELINE REPORT" in screen and not paged.exists()


def test_brief_lines_go_through_the_pager_too(recording_pager):
    env, paged = recording_pager
    run_in_terminal(["query", "pipeline", "--brief", "-n", "30"], env, rows=10)
    assert len(paged.read_text().splitlines()) == 30


def test_an_unknown_publication_still_gives_tools_an_empty_result(archive):
    done = run(archive, "query", "oil", "--publication", "Nope", "--json")
    assert done.returncode == 1 and json.loads(done.stdout)["hits"] == []
    assert "no publication 'Nope'" in done.stderr
    table = run(archive, "query", "oil", "--publication", "Nope", "--csv")
    assert table.returncode == 1 and table.stdout.startswith("rank,score")


def test_bash_completion_escapes_what_bash_would_split(archive):
    assert complete(archive, "query", "x", "--publication", "Eur") == ["Eurasia\\ Daily\\ Monitor"]


def test_the_progress_bar_names_its_phase(tmp_path):
    folder = tmp_path / "articles"
    for number in range(40):
        write_article(folder, f"a{number}.txt", f"STORY {number}", "Oil and gas. " * 50)
    env = {**os.environ, "MSEARCH_INDEX": str(tmp_path / "index")}
    code, screen = run_in_terminal(["index", str(folder)], env)
    assert code == 0 and "indexed 40 articles" in screen
    assert "analysing" in screen and "writing" in screen
