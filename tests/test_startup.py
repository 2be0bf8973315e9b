"""``msearch query`` imports only what it uses: start-up is most of a query's wall time."""

from __future__ import annotations

import json
import subprocess
import sys

from monitor_search.index.indexer import update_index

PROBE = """
import contextlib, io, json, sys
from monitor_search.engine import deferred
deferred.install()  # as the msearch executable does (cli.run)
from monitor_search.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
loaded = [name for name, module in sys.modules.items() if type(module).__name__ != "_StandIn"]
print(json.dumps({"code": code, "loaded": loaded}))
"""


def _modules_after(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True
    )
    outcome = json.loads(done.stdout.splitlines()[-1])
    assert outcome["code"] == 0, done.stderr
    return set(outcome["loaded"])


def test_json_query_loads_no_terminal_or_network_code(corpus, tmp_path):
    update_index([str(corpus)], tmp_path / "index")
    loaded = _modules_after("query", "pipeline", "--json", "--index", str(tmp_path / "index"))
    assert "whoosh.searching" in loaded  # the probe did run a search
    unused = {"rich", "urllib.request", "http.client", "ssl", "email", "whoosh.lang.morph_en"}
    unused |= {"calendar", "textual", "monitor_search.browse"}
    unused |= {"numpy"}  # a small archive's query is scored in dictionaries
    unused |= {"monitor_search.ingest.article", "monitor_search.index.indexer"}  # parsing, writing
    assert not unused & loaded


def test_deferred_modules_still_work_when_used():
    code = """
from monitor_search.engine import deferred
deferred.install()
import monitor_search.search.searcher
import urllib.request, whoosh.compat
from whoosh.lang.morph_en import variations
assert callable(urllib.request.urlopen) and urllib.request.Request("http://x").host == "x"
assert "pulled" in variations("pull")
import calendar
assert calendar.monthrange(2000, 2)[1] == 29
from whoosh.util.times import relative_days
assert relative_days(1, 1, 0) == 0
assert type(sys.modules["urllib.request"]).__name__ == "module"
print("ok")
"""
    done = subprocess.run(
        [sys.executable, "-c", "import sys\n" + code], capture_output=True, text=True
    )
    assert done.stdout.strip() == "ok", done.stderr


def test_the_library_imports_nothing_in_place_of_the_standard_library():
    """The Python API: importing msearch leaves ``urllib.request`` and the rest as they are."""
    code = """
import sys
import monitor_search.search.searcher, monitor_search.index.indexer
assert not any(type(module).__name__ == "_StandIn" for module in sys.modules.values())
import urllib.request
assert callable(urllib.request.urlopen)
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "ok", done.stderr
