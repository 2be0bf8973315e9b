"""The README's query-syntax examples, run as written on the Reuters sample they show: each
``$ msearch ...`` line of that section is run by the shell (through ``jq`` where it says so)
and must print what the README prints."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from monitor_search.index.indexer import update_index

from .conftest import REPO

WIRE = REPO.parent / "shared" / "datasets" / "reuters" / "1987-feb"
pytestmark = [
    pytest.mark.skipif(not WIRE.is_dir(), reason=f"the Reuters sample is not at {WIRE}"),
    pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed"),
]


def _section(title: str) -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def _examples(section: str) -> list[tuple[str, str]]:
    """(command, expected output) for each ``$ msearch query``/``timeline`` line of the
    section's code blocks; ``index`` and ``export`` lines set the scene and are not run."""
    examples: list[tuple[str, list[str]]] = []
    inside = False
    for line in section.splitlines():
        if line.startswith("```"):
            inside = not inside
            examples.append(("", []))
        elif inside and line.startswith("$ "):
            examples.append((line[2:], []))
        elif inside:
            examples[-1][1].append(line)
    return [
        (command, "\n".join(output))
        for command, output in examples
        if command.startswith(("msearch query", "msearch timeline"))
    ]


EXAMPLES = _examples(_section("Query syntax"))


@pytest.fixture(scope="module")
def wire_index(tmp_path_factory) -> Path:
    index_dir = tmp_path_factory.mktemp("wire") / "index"
    update_index([str(WIRE)], index_dir)
    return index_dir


def test_the_section_has_examples():
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize(("command", "expected"), EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_readme_example(wire_index, command, expected):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("MSEARCH_INDEX", "NO_COLOR", "COLUMNS")
    }
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["MSEARCH_INDEX"] = str(wire_index)
    shown = subprocess.run(
        ["bash", "-c", f"{command} 2>&1"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert _portable(shown) == _portable(expected)


_ID = re.compile(r"\b[0-9a-f]{12}\b")


def _portable(output: str) -> str:
    """The output without what depends on where ``../shared`` is: the README was made with
    it at /work/shared, and an article's id is derived from its path."""
    output = output.replace(str(WIRE.parents[2]), "/work/shared")
    return _ID.sub("<id>", output).rstrip("\n")
