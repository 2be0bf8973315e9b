"""A query scored from dictionaries against the same query scored as arrays (``search.bulk``),
in one process, warm, the two paths taken in turn.

    python benchmarks/bulk_ab.py INDEX TEXT [--runs N]

Prints the median milliseconds of ``search()`` on each path, and whether both gave the
same totals and hits. numpy's import is not in either figure: it is paid once per process,
before the first run.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from monitor_search.search import evaluation
from monitor_search.search.searcher import search

PATHS = {"dictionaries": 10**12, "arrays": 0}
"""Path -> the thresholds that send every query to it."""


def answer(index: Path, text: str, threshold: int):
    evaluation.BULK_POSTINGS = evaluation.BULK_MATCHES = evaluation.BULK_LOADED = threshold
    found = search(index, text)
    return found.total, found.total_any, [(hit.path, hit.score) for hit in found.hits]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("text")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    answers = {name: answer(args.index, args.text, bar) for name, bar in PATHS.items()}
    times: dict[str, list[float]] = {name: [] for name in PATHS}
    for _ in range(args.runs):
        for name, bar in PATHS.items():
            start = time.perf_counter()
            answer(args.index, args.text, bar)
            times[name].append(time.perf_counter() - start)
    same = answers["dictionaries"] == answers["arrays"]
    medians = {name: 1000 * statistics.median(found) for name, found in times.items()}
    print(f"{args.text}: " + ", ".join(f"{name} {ms:.0f} ms" for name, ms in medians.items()))
    print(f"same answers: {same}; matches {answers['arrays'][0]:,} / {answers['arrays'][1]:,}")


if __name__ == "__main__":
    main()
