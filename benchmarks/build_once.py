"""One msearch build of a kept benchmark corpus, then its re-index figures.

    python benchmarks/build_once.py [--articles 100000] [--keep benchmarks/.work/bench]

What ``speed.py`` measures for msearch's full build (wall time, the largest process's peak
RSS and that of all its processes together, summed as RSS and as PSS, index size), with
each process's anonymous and file-backed memory at that peak, and for re-indexing (nothing
changed; one file changed), without building stock Whoosh and FTS5 beside it: at 100,000
articles they take far longer than msearch. The corpus must exist already (``speed.py
--large --keep DIR`` writes it); the msearch index in DIR is rebuilt from nothing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import speed  # noqa: E402  (a sibling script, not a package)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, default=HERE / ".work" / "bench")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    space = speed.Workspace(args.keep, args.seed)
    corpus, index_dir = space.corpus(args.articles), space.msearch_index(args.articles)
    if not corpus.is_dir():
        parser.error(f"no corpus at {corpus}: run speed.py with --keep {args.keep} first")
    shutil.rmtree(index_dir, ignore_errors=True)
    load = speed.load_average()
    run = speed.run_child(speed.msearch_index_command(corpus, index_dir), sample_tree=True)
    report = {
        "articles": args.articles,
        "code": speed.code_version(),
        "load_before": load,
        "seconds": round(run.seconds, 1),
        "peak_rss_mb": round(run.peak_rss_mb),
        "all_processes_rss_mb": round(run.tree_rss_mb or 0),
        "all_processes_anon_mb": round(run.tree_anon_mb or 0),
        "all_processes_pss_mb": round(run.tree_pss_mb) if run.tree_pss_mb else None,
        "at_peak": [
            {
                "pid": member.pid,
                "command": member.command,
                "anon_mb": round(member.anon_kb / 1024),
                "file_mb": round(member.file_kb / 1024),
                "shmem_mb": round(member.shmem_kb / 1024),
                "pss_mb": round(member.pss_kb / 1024),
            }
            for member in run.tree_at_peak
        ],
        "index_mb": round(speed.folder_bytes(index_dir) / 2**20),
        "reindex": speed.measure_reindex(space, args.articles),
        "load_after": speed.load_average(),
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
