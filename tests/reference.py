"""Stock Whoosh 2.7.4 as the reference side of differential tests: a fresh interpreter that
opens the index with Whoosh alone, none of msearch's mends installed, and answers queries."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

_SERVER = r"""
import pickle, sys
from whoosh import index
from whoosh.matching.binary import AndNotMatcher
from monitor_search.index.schema import build_schema
from monitor_search.search.scoring import WEIGHTING

assert AndNotMatcher._find_first.__module__ == "whoosh.matching.binary", "patched Whoosh"
ix = index.open_dir(sys.argv[1], schema=build_schema())
source, sink = sys.stdin.buffer, sys.stdout.buffer
with ix.searcher(weighting=WEIGHTING) as searcher:
    while True:
        try:
            query = pickle.load(source)
        except EOFError:
            break
        hits = searcher.search(query, limit=None)
        pickle.dump({hit.docnum: hit.score for hit in hits}, sink)
        sink.flush()
"""


class StockWhoosh:
    """Scores from unpatched Whoosh for queries on one index (same document numbers)."""

    def __init__(self, index_dir: Path):
        self._process = subprocess.Popen(
            [sys.executable, "-c", _SERVER, str(index_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def scores(self, query) -> dict[int, float]:
        """Document number -> score of every article ``query`` matches, by Whoosh's matchers."""
        pickle.dump(query, self._process.stdin)
        self._process.stdin.flush()
        return pickle.load(self._process.stdout)

    def close(self) -> None:
        self._process.stdin.close()
        self._process.wait(timeout=30)
