"""Shared fixtures: Monitor-format article files written by the tests, and a CLI runner."""

from __future__ import annotations

import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from monitor_search.cli import main
from monitor_search.engine import plainpositions, plainpostings
from monitor_search.index import indexer
from monitor_search.index.indexer import update_index
from monitor_search.index.store import open_for_reading
from monitor_search.search import evaluation
from monitor_search.search.scoring import WEIGHTING

from .reference import StockWhoosh

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "000_b427728f8c5f3a6a.txt"
FOOTER = (
    "The Monitor is a publication of the Jamestown Foundation. It is researched and written "
    "under the direction of senior analysts. Copyright (c) 1983-2002 The Jamestown Foundation"
)


def monitor_text(
    title: str,
    body: str,
    *,
    publication: str | None = "Monitor",
    volume: int | None = 5,
    issue: int | None = 1,
    footer: str = FOOTER,
) -> str:
    """An article in the shape the Jamestown Foundation published."""
    parts = [title]
    if publication is not None:
        line = f"Publication: {publication}"
        if volume is not None:
            line += f" Volume: {volume}"
        if issue is not None:
            line += f" Issue: {issue}"
        parts.append(line)
    parts.append(body)
    if footer:
        parts.append(footer)
    return "\n\n".join(parts) + "\n"


def write_article(folder: Path, name: str, title: str, body: str, **kwargs) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(monitor_text(title, body, **kwargs), encoding="utf-8")
    return path


@dataclass
class Outcome:
    code: int
    out: str
    err: str


@pytest.fixture(autouse=True, scope="session")
def _thresholds_as_without_numpy():
    """Which path a query takes must not depend on the tests run before it: numpy, once a
    test has imported it, would lower the arrays' threshold (``evaluation.BULK_LOADED``)
    for every later one. Tests of the arrays set the thresholds they test."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(evaluation, "BULK_LOADED", 10**12)
        yield


@pytest.fixture
def msearch(capsys, monkeypatch, tmp_path):
    """Run ``msearch ARGS`` in-process; the index defaults to tmp_path/index."""
    monkeypatch.setenv("MSEARCH_INDEX", str(tmp_path / "index"))
    monkeypatch.delenv("NO_COLOR", raising=False)

    def run(*args: str) -> Outcome:
        code = main(list(args))
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return run


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A small archive: the seed article plus a few written for the tests."""
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    write_article(
        folder,
        "chechnya.txt",
        "RUSSIAN FORCES ADVANCE IN CHECHNYA",
        "Federal troops moved toward Grozny on Tuesday, Interfax reported. The advance "
        "follows weeks of shelling (Interfax, ORT, October 12).",
        volume=5,
        issue=190,
    )
    write_article(
        folder,
        "gas.txt",
        "GAZPROM AND TURKMENISTAN AGREE GAS PRICE",
        "Gazprom will buy Turkmen gas at a higher price. The pipeline runs through "
        "Uzbekistan and Kazakhstan (Itar-Tass, March 3).",
        publication="Eurasia Daily Monitor",
        volume=2,
        issue=44,
    )
    write_article(
        folder / "sub",
        "detente.txt",
        "A NEW DÉTENTE WITH GEORGIA?",
        "Shevardnadze spoke of détente with Moscow. Security in the South Caucasus "
        "depends on it (Prime-News, Kavkasia-Press, June 1).",
        volume=4,
        issue=105,
    )
    return folder


# --- an index of word postings: several segments, deleted articles, both posting formats ---


VOCABULARY = [
    "gas", "pipeline", "russia", "oil", "treaty", "security", "election", "Kyiv", "Kiev",
    "Shevardnadze", "Aliyev", "Baku", "Tbilisi", "moscow", "parliament", "army", "border",
]  # fmt: skip
"""Common enough (a few in most articles) that long terms span several posting blocks."""


def _article(rng: random.Random) -> tuple[str, str]:
    title = " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(1, 4))).upper()
    words = [rng.choice(VOCABULARY) for _ in range(rng.randint(5, 60))]
    filler = ["the", "said", "on", "Tuesday", "report"]
    body = " ".join(w if rng.random() < 0.6 else rng.choice(filler) for w in words)
    return title, body.capitalize() + "."


@pytest.fixture(scope="session")
def word_index(tmp_path_factory):
    """Three commits (so three segments: one with plain postings and positions, one with
    neither and one with plain postings alone, as earlier versions wrote) and re-written
    articles (so deleted documents)."""
    root = tmp_path_factory.mktemp("postings")
    rng = random.Random(7)
    folder, index_dir = root / "articles", root / "index"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(indexer, "SMALL_SEGMENT", 100)  # keep the 150-article segments apart
        for batch in range(3):
            for number in range(150):
                write_article(folder, f"{batch}-{number}.txt", *_article(rng))
            with pytest.MonkeyPatch.context() as old_format:
                if batch >= 1:  # as the versions before plain positions wrote
                    old_format.setattr(plainpositions, "write", lambda *args: None)
                if batch == 1:  # and those before plain postings
                    old_format.setattr(plainpostings, "write", lambda *args: None)
                update_index([str(folder)], index_dir)
        for number in range(0, 150, 7):
            write_article(folder, f"0-{number}.txt", *_article(rng))
        update_index([str(folder)], index_dir)
    ix = open_for_reading(index_dir)
    with ix.searcher(weighting=WEIGHTING) as searcher:
        leaves = searcher.reader().leaf_readers()
        assert len(leaves) > 1, "the index should have several segments"
        assert any(reader.has_deletions() for reader, _ in leaves)
        plain = {_has_plain(plainpostings, reader) for reader, _ in leaves}
        assert plain == {True, False}, "segments with and without plain postings"
        positions = [_has_plain(plainpositions, reader) for reader, _ in leaves]
        assert positions.count(False) >= 2 and any(positions), "and without plain positions"
    return index_dir


@pytest.fixture(scope="session")
def stock_whoosh(word_index):
    """Unpatched Whoosh answering queries on ``word_index``, in its own interpreter."""
    reference = StockWhoosh(word_index)
    yield reference
    reference.close()


def _has_plain(module, reader) -> bool:
    """Whether ``module`` (``plainpostings``, ``plainpositions``) finds any body term's."""
    terms = reader._terms
    infos = [terms.term_info("body", text) for text in reader.lexicon("body")]
    return any(module.read(terms._postfile, info) is not None for info in infos)


def installed_msearch() -> str:
    """The ``msearch`` console script this environment installed (the test skips without)."""
    script = Path(sys.executable).parent / "msearch"
    found = str(script) if script.exists() else shutil.which("msearch")
    if not found:
        pytest.skip("the msearch console script is not installed (pip install -e .)")
    return found


def run_in_terminal(
    args: list[str], env: dict, *, rows: int = 24, columns: int = 80, timeout: float = 60
) -> tuple[int, str]:
    """Run the installed ``msearch ARGS`` with stdout and stderr on a pseudo-terminal of
    ``rows`` x ``columns``: its exit code and all it wrote there."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    process = subprocess.Popen(
        [installed_msearch(), *args], env=env, stdin=follower, stdout=follower, stderr=follower
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: every writer has gone
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(timeout=timeout), b"".join(chunks).decode(errors="replace")
