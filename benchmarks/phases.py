"""Where one query's time goes, without a profiler: ``search()`` timed step by step.

    python benchmarks/phases.py INDEX_DIR QUERY [--year YEAR] [--runs 20]

Each step ``search()`` takes (opening the index, parsing the query, the first pass and its
total, feedback re-ranking, the passages of the hits, did you mean) is wrapped with a
timer; the query runs three times to warm up, then ``--runs`` times, and the mean of each
step is printed beside the whole. Steps nest in ``search()``'s own order, so they do not
add up to the total exactly. For A/B comparisons of a change, run it before and after,
interleaved; the machine's noise is often larger than a small step.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

STEPS = ("open_for_reading", "build_query", "_tiered", "reranked", "_highlight_terms", "_hit")
"""The functions of ``monitor_search.search`` that are timed."""


def timed_steps(module, totals: dict[str, float]) -> None:
    """Wrap each of ``STEPS`` in ``module`` so that its time is added to ``totals``."""
    for name in STEPS:
        step = getattr(module, name)

        def wrapper(*args, _step=step, _name=name, **kwargs):
            started = time.perf_counter()
            try:
                return _step(*args, **kwargs)
            finally:
                totals[_name] += time.perf_counter() - started

        setattr(module, name, wrapper)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("query")
    parser.add_argument("--year", type=int, default=None)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from monitor_search.model import Filters
    from monitor_search.search import searcher as module

    totals: dict[str, float] = defaultdict(float)
    timed_steps(module, totals)
    filters = Filters(year=args.year)
    for _ in range(3):
        module.search(args.index_dir, args.query, filters=filters)
    totals.clear()
    started = time.perf_counter()
    for _ in range(args.runs):
        module.search(args.index_dir, args.query, filters=filters)
    whole = (time.perf_counter() - started) / args.runs
    steps = ", ".join(f"{name} {totals[name] / args.runs * 1000:.1f}" for name in STEPS)
    print(f"{args.query!r}: {whole * 1000:.1f} ms per query; {steps} (ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
