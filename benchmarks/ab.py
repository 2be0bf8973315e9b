"""Two versions of msearch side by side on one index: end-to-end ``msearch query --json``.

    python benchmarks/ab.py [--new-index DIR] [--runs R] INDEX OLD_TREE NEW_TREE [QUERY ...]

Each tree is a checkout of the repository (``git worktree add /tmp/old REV``); both run with
this venv's Python and packages, the tree first on ``sys.path``, as ``python -m
monitor_search``. Runs are interleaved (old, new, new, old, ...) so that the machine's noise
falls on both; the medians and their ratio (new / old) are printed per query. The index must
be one both versions read (the same schema version), or, with ``--new-index``, the new tree
reads its own index of the same files (when the schema changed between the two).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

QUERIES = (
    "Shevardnadze",
    "oil pipeline",
    '"boundary layer"',
    "oil AND gas",
    "pipeline NOT Russia",
    "Chechn*",
    "the flow of a gas in a pipeline near the border",
)


def timed(tree: Path, index: Path, query: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, "-m", "monitor_search", "query", query, "--json"]
    started = time.perf_counter()
    done = subprocess.run(  # from the index's folder: ``-m`` puts the current folder (a
        # checkout's root would shadow the tree) first on sys.path
        [*command, "--index", str(index.resolve())],
        env=env,
        capture_output=True,
        check=False,
        cwd=index.resolve().parent,
    )
    elapsed = time.perf_counter() - started
    if done.returncode > 1:
        raise SystemExit(f"{tree}: {query!r} failed: {done.stderr.decode()[-300:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--new-index", type=Path, help="the new tree's index (default: INDEX)")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("queries", nargs="*", default=list(QUERIES))
    args = parser.parse_args()
    indexes = {args.old: args.index, args.new: args.new_index or args.index}
    print(f"load {os.getloadavg()[0]:.2f}; {args.runs} interleaved runs per query and version")
    print(f"{'query':<50} {'old ms':>8} {'new ms':>8} {'new/old':>8}")
    for query in args.queries:
        times: dict[Path, list[float]] = {args.old: [], args.new: []}
        for run in range(args.runs):
            order = (args.old, args.new) if run % 2 == 0 else (args.new, args.old)
            for tree in order:
                times[tree].append(timed(tree, indexes[tree], query))
        old, new = (statistics.median(times[tree]) * 1000 for tree in (args.old, args.new))
        print(f"{query[:50]:<50} {old:8.1f} {new:8.1f} {new / old:8.2f}")
    print(f"load {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
