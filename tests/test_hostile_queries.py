"""Arbitrary and syntax-heavy queries: always an answer or a clear error, never a traceback."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from monitor_search.errors import MsearchError
from monitor_search.index.indexer import update_index
from monitor_search.search.searcher import search

from .conftest import write_article

SYNTAX_PIECES = [
    '"',
    "'",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ":",
    "*",
    "?",
    "^",
    "~",
    "-",
    "+",
    "\\",
    "/",
    "AND",
    "OR",
    "NOT",
    "ANDNOT",
    "ANDMAYBE",
    "TO",
    "title:",
    "body:",
    "year:",
    "source:",
    "publication:",
    "volume:",
    "issue:",
    "path:",
    "id:",
    "*:*",
    "year:[",
    " TO ]",
    "1999",
    "Chechnya",
    "gas",
    "Aliyev",
    "détente",
    "Тбилиси",
    "\x00",
    "\x1b[31m",
    "\u202e",
    "🙂",
    " ",
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    folder = base / "articles"
    names = ["Chechnya", "Aliyev", "Shevardnadze", "Nazarbayev", "Gazprom", "Caspian"]
    for n in range(40):
        write_article(
            folder,
            f"{n}.txt",
            f"{names[n % 6].upper()} REPORT {n}",
            f"{names[n % 6]} and {names[(n + 1) % 6]} on gas and détente, item{n} "
            f"(Interfax, Itar-Tass, March {n % 28 + 1}).",
            volume=n % 10 + 1,
            issue=n,
        )
    update_index([str(folder)], base / "ix")
    return base / "ix"


def check(index_dir, text: str) -> None:
    started = time.monotonic()
    try:
        result = search(index_dir, text, limit=5)
    except MsearchError as error:
        assert "damaged" not in str(error), f"{text!r} blamed the index: {error}"
        return
    finally:
        assert time.monotonic() - started < 5, f"{text!r} took too long"
    assert result.total_any >= len(result.hits) and result.total_any >= result.total


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=200))
def test_arbitrary_unicode(index_dir, text):
    check(index_dir, text)


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(SYNTAX_PIECES), max_size=12).map("".join))
def test_syntax_heavy(index_dir, text):
    check(index_dir, text)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(SYNTAX_PIECES), max_size=12).map(" ".join))
@example("NOT ( *  TO ] )")  # the "some words" query once matched fewer than the "all"
def test_syntax_heavy_spaced(index_dir, text):
    check(index_dir, text)


@pytest.mark.parametrize(
    "text",
    [
        '"unbalanced',
        "(((",
        ")))",
        "AND",
        "OR NOT",
        "title:",
        "year:",
        "*:*",
        "*",
        "?",
        "year:[1999 TO",
        "year:[abc TO def]",
        "volume:x",
        "title:(",
        "\\",
        "^2",
        "~",
        "a" * 10_000,
        "Chechnya " * 2_000,
        "*a*b*c*d*e*",
        "[TO]",
        "{}",
        "title:*",
        "year:*",
    ],
)
def test_named_hostile_queries(index_dir, text):
    check(index_dir, text)


def test_hostile_queries_through_the_command(index_dir):
    for text in [
        '"unbalanced',
        "title:",
        "*:*",
        "year:[abc TO def]",
        "x" * 10_000,
        "\x1b[31m",
        "--",
    ]:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "monitor_search",
                "query",
                "--index",
                str(index_dir),
                "--",
                text,
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode in (0, 1, 2), (text, done.returncode)
        assert "Traceback" not in done.stderr, done.stderr
        assert "\x1b[31m" not in done.stdout + done.stderr
