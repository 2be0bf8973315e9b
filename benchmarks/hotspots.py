"""Where msearch spends its time: profiles of indexing and querying, summed by area.

    python benchmarks/hotspots.py index    [--articles 2000] [--keep DIR]
    python benchmarks/hotspots.py fields   [--articles 2000] [--keep DIR]
    python benchmarks/hotspots.py variants [--articles 5000] [--keep DIR] [--rounds 2]
    python benchmarks/hotspots.py query    INDEX_DIR [QUERY] [--runs 7]
    python benchmarks/hotspots.py search   INDEX_DIR

* ``index``: cProfile of ``update_index`` on a fresh index, self time summed by area (time
  in C functions such as ``re`` is charged to the area that called them), plus the
  cumulative time of the steps of indexing one file.
* ``fields``: no profiler: how long each field's analysis (``Field.index``) and each step
  before it (read, decode, parse, hash) take per 1,000 articles, beside stock Whoosh's
  ``StemmingAnalyzer`` and, if installed, PyStemmer.
* ``variants``: full builds (each a fresh process, interleaved) with the Whoosh writer set
  up differently (commit batch, ``procs``, ``multisegment``, ``limitmb``), by patching the
  writer msearch opens: what each change would buy before anyone edits msearch.
* ``query``: ``msearch query --json`` end to end: ``-X importtime`` by package, and a
  cProfile of the whole run by step.
* ``search``: cProfile of in-process ``search()`` for each kind of query, by step.

The profiler slows Python code more than C code, so its shares are a guide to where to look;
``fields`` and ``variants`` give unprofiled times to confirm.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import importlib
import json
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

if __package__:
    from .speed import HERE, Workspace, ensure_corpus, rotated, run_child, use_bytecode_cache
else:  # run as a script: benchmarks/ is on sys.path
    from speed import HERE, Workspace, ensure_corpus, rotated, run_child, use_bytecode_cache

DEFAULT_WORK = HERE / ".work" / "hotspots"

# --- summing a profile by area -----------------------------------------------------------

INDEX_AREAS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("stemming (whoosh.lang.porter + cache)", ("whoosh/lang/", "whoosh/util/cache")),
    (
        "one-pass analysis (msearch analysis/terms.py, engine/fields.py)",
        ("monitor_search/analysis/terms.py", "monitor_search/engine/fields.py"),
    ),
    ("parallel hand-off (multiproc, pickle)", ("whoosh/multiproc.py", "multiprocessing/")),
    ("name keys (msearch names.py)", ("monitor_search/analysis/names.py",)),
    ("name tokenizer (msearch analysis.py)", ("monitor_search/analysis/analyzers.py",)),
    ("tokenize + filters (whoosh.analysis)", ("whoosh/analysis/",)),
    ("postings per field (fields/formats)", ("whoosh/fields.py", "whoosh/formats.py")),
    ("writer + postings pool", ("whoosh/writing.py", "whoosh/util/", "whoosh/externalsort")),
    ("segment files + merging (codec)", ("whoosh/codec/", "whoosh/columns.py", "whoosh/filedb/")),
    ("reading segments", ("whoosh/reading.py", "whoosh/matching/", "whoosh/index.py")),
    ("parsing articles (article.py)", ("monitor_search/ingest/article.py",)),
    ("decode + discover", ("monitor_search/ingest/decode.py", "monitor_search/ingest/discover.py")),
    (
        "indexer loop + schema fields",
        ("monitor_search/index/indexer.py", "monitor_search/index/schema.py"),
    ),
    ("marker + lock (store.py)", ("monitor_search/index/store.py",)),
)

QUERY_AREAS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("importing (importlib, module bodies)", ("<frozen importlib", "<frozen zipimport")),
    (
        "msearch query building",
        ("monitor_search/search/query.py", "monitor_search/analysis/names.py"),
    ),
    ("highlighting (passages)", ("monitor_search/search/highlight.py", "whoosh/highlight.py")),
    ("did-you-mean", ("monitor_search/search/suggest.py", "whoosh/automata/")),
    ("analysis (tokenize, stem)", ("whoosh/analysis/", "whoosh/lang/", "monitor_search/analysis/")),
    ("whoosh searching + scoring", ("whoosh/searching.py", "whoosh/matching/", "whoosh/scoring")),
    ("whoosh reading (open, terms)", ("whoosh/reading.py", "whoosh/codec/", "whoosh/filedb/")),
    ("whoosh index open (toc, schema)", ("whoosh/index.py", "whoosh/fields.py")),
    ("query parsing (whoosh.qparser)", ("whoosh/qparser/", "whoosh/query/")),
    ("CLI (typer, click)", ("typer/", "click/", "monitor_search/cli/")),
    ("JSON output", ("monitor_search/output/json.py", "json/")),
)


def area_of(filename: str, areas: Iterable[tuple[str, tuple[str, ...]]]) -> str:
    for name, markers in areas:
        if any(marker in filename for marker in markers):
            return name
    if _is_helper(filename):
        return "standard library + C (called from the standard library)"
    return "other: " + _package_of(filename)


def _package_of(filename: str) -> str:
    match = re.search(r"site-packages/([^/]+)", filename) or re.search(
        r"/(monitor_search/[^/]+)", filename
    )
    return match[1] if match else Path(filename).name


def _is_helper(filename: str) -> bool:
    """C functions and the standard library: their time is charged to whoever called them."""
    if filename.startswith("<frozen importlib"):
        return False  # importing is an area of its own
    return filename == "~" or filename.startswith("<frozen") or bool(_STDLIB.search(filename))


_STDLIB = re.compile(r"/lib/python3\.\d+/(?!site-packages/)")


def self_time_by_area(stats: pstats.Stats, areas) -> dict[str, float]:
    """Seconds of self time per area; the time of C and standard-library functions goes to
    the areas of their callers (pstats records, per caller, the time spent in the callee)."""
    totals: dict[str, float] = {}
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, callers) in stats.stats.items():
        if not _is_helper(filename) or not callers:
            area = area_of(filename, areas)
            totals[area] = totals.get(area, 0.0) + tottime
            continue
        for (caller_file, _l, _n), caller_stats in callers.items():
            area = area_of(caller_file, areas)
            totals[area] = totals.get(area, 0.0) + caller_stats[2]
    return dict(sorted(totals.items(), key=lambda item: -item[1]))


def cumulative(stats: pstats.Stats, file_part: str, function: str) -> float:
    """Cumulative seconds of the functions named ``function`` in files containing
    ``file_part`` (summed over same-named methods: ``add_document`` of all writers)."""
    return sum(
        ct
        for (filename, _line, name), (_cc, _nc, _tt, ct, _callers) in stats.stats.items()
        if name == function and file_part in filename
    )


def print_areas(title: str, totals: dict[str, float], wall: float, limit: int = 14) -> None:
    print(f"\n{title} (self time by area, of {wall:.2f} s profiled)")
    for area, seconds in list(totals.items())[:limit]:
        print(f"  {seconds:8.2f} s  {seconds / wall:6.1%}  {area}")


def print_steps(title: str, stats: pstats.Stats, steps, wall: float) -> None:
    print(f"\n{title} (cumulative, overlapping)")
    for label, file_part, function in steps:
        seconds = cumulative(stats, file_part, function)
        print(f"  {seconds:8.2f} s  {seconds / wall:6.1%}  {label}")


def print_top(stats: pstats.Stats, count: int = 15) -> None:
    print(f"\ntop {count} functions by self time")
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:count]
    for (filename, line, name), (_cc, calls, tottime, _ct, _callers) in rows:
        where = "C" if filename == "~" else f"{_package_of(filename)}:{line}"
        print(f"  {tottime:8.2f} s  {calls:>10,} calls  {name}  ({where})")


# --- index -------------------------------------------------------------------------------

INDEX_STEPS = (
    ("update_index", "monitor_search/index/indexer.py", "update_index"),
    ("  add_file (one file, all steps)", "monitor_search/index/indexer.py", "add_file"),
    ("    decode_article_bytes", "monitor_search/ingest/decode.py", "decode_article_bytes"),
    ("    parse_article", "monitor_search/ingest/article.py", "parse_article"),
    ("    document_fields", "monitor_search/index/schema.py", "document_fields"),
    ("    writer.add_document (analysis + pool)", "whoosh/writing.py", "add_document"),
    ("      Field.index, Whoosh's fields", "whoosh/fields.py", "index"),
    (
        "      FastText/FastNames.index (title, body, names)",
        "monitor_search/engine/fields.py",
        "index",
    ),
    ("        text_positions", "monitor_search/analysis/terms.py", "text_positions"),
    ("        name_counts", "monitor_search/analysis/terms.py", "name_counts"),
    ("        porter stem (cache misses)", "whoosh/lang/porter.py", "stem"),
    ("      CompactPool.add (postings held per term)", "monitor_search/engine/pool.py", "add"),
    ("  commits (flush segment, merge)", "whoosh/writing.py", "commit"),
    ("    merging segments", "whoosh/writing.py", "_merge_segments"),
    ("    writing postings", "whoosh/writing.py", "_flush_segment"),
    ("      posting blocks (write_held)", "monitor_search/engine/pool.py", "write_held"),
    ("  marker writes (record_indexed)", "monitor_search/index/store.py", "record_indexed"),
)


def profile_index(space: Workspace, articles: int) -> None:
    """Unprofiled build first (the reference wall time), then the profiled one, both with
    one writing process: with msearch's parallel writer the work happens in children, which
    the profiler does not see (``variants`` compares the two)."""
    from monitor_search.index import indexer
    from monitor_search.index.indexer import update_index

    indexer.PARALLEL_FROM = 10**9  # serial: every step in this process
    ensure_corpus(space, articles)
    corpus = str(space.corpus(articles))
    with tempfile.TemporaryDirectory(prefix="hotspots-") as folder:
        started = time.perf_counter()
        update_index([corpus], Path(folder) / "plain")
        plain = time.perf_counter() - started
        reset_caches()
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.runcall(update_index, [corpus], Path(folder) / "profiled")
        wall = time.perf_counter() - started
    stats = pstats.Stats(profiler)
    print(
        f"update_index (serial writer) over {articles:,} articles: {plain:.2f} s unprofiled "
        f"({articles / plain:.0f} articles/s), {wall:.2f} s profiled"
    )
    print_areas("indexing", self_time_by_area(stats, INDEX_AREAS), wall)
    print_steps("steps of indexing", stats, INDEX_STEPS, wall)
    print_top(stats)


def reset_caches() -> None:
    """Empty msearch's per-word caches, so a second run in one process starts as cold as a
    new ``msearch index`` does: the module-level dicts of the modules that analyse words, in
    whichever of them the tree profiled has (older trees kept them in ``fastindex``)."""
    for module in _modules(
        "monitor_search.analysis.terms", "monitor_search.engine.fields", "monitor_search.fastindex"
    ):
        for name, value in vars(module).items():
            if name.startswith("_") and not name.startswith("__") and isinstance(value, dict):
                value.clear()


def _modules(*names: str) -> list:
    """The modules among ``names`` that the tree profiled has."""
    found = []
    for name in names:
        with contextlib.suppress(ImportError):
            found.append(importlib.import_module(name))
    return found


# --- fields: unprofiled cost per step and per field --------------------------------------


def _timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def field_costs(space: Workspace, articles: int) -> None:
    """Seconds per 1,000 articles of each step, measured without a profiler.

    Field analysis runs on a fresh schema each pass, so the first pass pays for filling the
    stem cache (as a new index run does) and is the one reported.
    """
    import hashlib

    from whoosh.fields import TEXT

    from monitor_search.analysis.analyzers import text_analyzer
    from monitor_search.index.schema import build_schema, document_fields
    from monitor_search.ingest.article import parse_article
    from monitor_search.ingest.decode import decode_article_bytes

    ensure_corpus(space, articles)
    paths = sorted(space.corpus(articles).rglob("*.txt"))
    data = [path.read_bytes() for path in paths]
    per_k = 1000 / len(paths)
    texts: list[str] = []
    parsed: list = []
    rows = {
        "read files": _timed(lambda: [path.read_bytes() for path in paths]),
        "blake2b hash": _timed(lambda: [hashlib.blake2b(d, digest_size=16) for d in data]),
        "decode": _timed(lambda: texts.extend(decode_article_bytes(d) for d in data)),
        "parse_article": _timed(lambda: parsed.extend(parse_article(t) for t in texts)),
    }
    documents = [
        document_fields(a, path=str(p), doc_id="x", signature=b"")
        for a, p in zip(parsed, paths, strict=True)
    ]
    schema = build_schema()
    for name in ("title", "body", "names", "publication", "source", "pubkey", "path"):
        values = [doc[name] for doc in documents if doc.get(name)]
        rows[f"Field.index {name}"] = _timed(lambda n=name, v=values: _index_all(schema[n], v))
    chain = TEXT(analyzer=text_analyzer())
    bodies = [doc["body"] for doc in documents]
    rows["body via Whoosh analyzer chain (text_analyzer)"] = _timed(
        lambda: _index_all(chain, bodies)
    )
    rows.update(_stock_and_stemmers(documents))
    print(f"cost per 1,000 articles ({len(paths):,} measured, no profiler)")
    for label, seconds in rows.items():
        print(f"  {seconds * per_k:8.3f} s  {label}")


def _index_all(field, values: list) -> None:
    for value in values:
        for _ in field.index(value):
            pass


def _stock_and_stemmers(documents: list[dict]) -> dict[str, float]:
    """Stock Whoosh's body field, and bare stemming of every body word: Whoosh's Porter
    (no cache, and with an unbounded cache as msearch uses) vs PyStemmer (C) if present."""
    from whoosh.analysis import RegexTokenizer, StemmingAnalyzer
    from whoosh.fields import TEXT
    from whoosh.lang.porter import stem

    bodies = [doc["body"] for doc in documents]
    rows = {
        "stock TEXT(StemmingAnalyzer) body": _timed(
            lambda: _index_all(TEXT(analyzer=StemmingAnalyzer()), bodies)
        )
    }
    words = [t.text.lower() for body in bodies for t in RegexTokenizer()(body)]
    rows["  tokenizing body words only"] = _timed(
        lambda: [t.text for body in bodies for t in RegexTokenizer()(body)]
    )
    rows["  porter stem(), every body word, no cache"] = _timed(lambda: [stem(w) for w in words])
    cache: dict[str, str] = {}
    rows["  porter stem(), unbounded dict cache"] = _timed(
        lambda: [cache.get(w) or cache.setdefault(w, stem(w)) for w in words]
    )
    try:
        import Stemmer  # PyStemmer, optional

        stemmer = Stemmer.Stemmer("porter")
        rows["  PyStemmer porter stemWords(), no cache"] = _timed(lambda: stemmer.stemWords(words))
    except ImportError:
        rows["  (PyStemmer not installed)"] = 0.0
    return rows


# --- variants of the Whoosh writer -------------------------------------------------------

ONE_COMMIT = {"BATCH_DOCUMENTS": 10**9, "BATCH_SECONDS": 1e9}
VARIANTS: dict[str, dict] = {
    "as is": {},
    "serial writer": {"PARALLEL_FROM": 10**9},
    "one commit at the end": ONE_COMMIT,
    "one commit, WRITER_MB=1024": {**ONE_COMMIT, "WRITER_MB": 1024},
    "WRITER_MB=512": {"WRITER_MB": 512},
}
"""Settings of ``monitor_search.indexer`` to override (module constants, read at run time)."""


def time_one_build(corpus: str, index_dir: str, variant: dict) -> float:
    """One update_index with msearch's indexer settings overridden; seconds."""
    from monitor_search.index import indexer

    for name, value in variant.items():
        if not hasattr(indexer, name):
            raise SystemExit(
                f"monitor_search.index.indexer has no {name} any more: update VARIANTS"
            )
        setattr(indexer, name, value)
    started = time.perf_counter()
    indexer.update_index([corpus], Path(index_dir))
    return time.perf_counter() - started


def writer_variants(space: Workspace, articles: int, rounds: int) -> None:
    """Each variant a fresh process on a fresh index, variants interleaved round by round."""
    ensure_corpus(space, articles)
    corpus = space.corpus(articles)
    seconds: dict[str, list[float]] = {name: [] for name in VARIANTS}
    rss: dict[str, float] = {}
    for round_number in range(rounds):
        for name in rotated(list(VARIANTS), round_number):
            with tempfile.TemporaryDirectory(prefix="hotspots-") as folder:
                command = [
                    sys.executable,
                    __file__,
                    "_build",
                    corpus,
                    Path(folder) / "ix",
                    json.dumps(VARIANTS[name]),
                ]
                run = run_child(command)
            seconds[name].append(float(run.output))
            rss[name] = max(rss.get(name, 0.0), run.peak_rss_mb)
            print(f"  {name}: {float(run.output):.1f} s", file=sys.stderr)
    base = statistics.median(seconds[next(iter(VARIANTS))])
    print(f"full build of {articles:,} articles, median of {rounds} interleaved rounds")
    for name, values in seconds.items():
        value = statistics.median(values)
        print(f"  {value:7.1f} s  x{base / value:5.2f} vs as is  {rss[name]:6.0f} MB peak  {name}")


# --- query -------------------------------------------------------------------------------

QUERY_STEPS = (
    ("cli main", "monitor_search/cli/app.py", "main"),
    ("imports (all, incl. lazy ones)", "<frozen importlib._bootstrap>", "_find_and_load"),
    ("search()", "monitor_search/search/searcher.py", "search"),
    (
        "  open_for_reading (open_dir, doc_count)",
        "monitor_search/index/store.py",
        "open_for_reading",
    ),
    ("    build_schema", "monitor_search/index/schema.py", "build_schema"),
    ("  build_query (incl. name variants)", "monitor_search/search/query.py", "build_query"),
    ("  _ranked (scoring, feedback re-ranking)", "monitor_search/search/searcher.py", "_ranked"),
    ("  _highlight_terms", "monitor_search/search/searcher.py", "_highlight_terms"),
    ("  _hit (stored fields, passages)", "monitor_search/search/searcher.py", "_hit"),
    ("    passages", "monitor_search/search/highlight.py", "passages"),
    ("  suggest (did-you-mean)", "monitor_search/search/suggest.py", "suggest"),
    ("JSON output", "monitor_search/cli/printing.py", "print_hits"),
)


def import_times(command_tail: list[str], runs: int) -> None:
    """``-X importtime`` of the whole command: self time summed by root package (so nothing
    is counted twice, and ``monitor_search`` is only its own module bodies), median of
    ``runs``."""
    per_package: dict[str, list[float]] = {}
    for _ in range(runs):
        totals: dict[str, float] = {}
        for line in run_child_stderr(
            [sys.executable, "-X", "importtime", *command_tail]
        ).splitlines():
            match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|\s*(\S+)", line)
            if match:
                package = match[3].split(".")[0]
                totals[package] = totals.get(package, 0.0) + int(match[1]) / 1000
        for package, ms in totals.items():
            per_package.setdefault(package, []).append(ms)
    medians = {p: statistics.median(v) for p, v in per_package.items()}
    print(
        f"\nimports (-X importtime self time by package, median of {runs}): "
        f"{sum(medians.values()):.0f} ms"
    )
    for package, ms in sorted(medians.items(), key=lambda item: -item[1])[:14]:
        print(f"  {ms:7.1f} ms  {package}")


def run_child_stderr(argv: list) -> str:
    """The stderr of a command (where ``-X importtime`` writes)."""
    import subprocess

    done = subprocess.run([str(a) for a in argv], capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise RuntimeError(done.stderr[-2000:])
    return done.stderr


PROFILED_RUN = """
import cProfile, os, sys
output, sys.argv = sys.argv[1], ["msearch", *sys.argv[2:]]
profile, exit_now = cProfile.Profile(), os._exit


def dump_and_exit(code):
    profile.disable()
    profile.dump_stats(output)
    exit_now(code)


os._exit = dump_and_exit
profile.enable()
from monitor_search.cli import run
run()
"""
"""The console script under cProfile. It ends in ``os._exit``, which would skip the dump that
``python -m cProfile`` makes at exit, so the profile is written there."""


def profile_query(index_dir: Path, query: str, runs: int) -> None:
    """``msearch query --json`` as a user runs it (a fresh interpreter), three ways."""
    tail = ["-m", "monitor_search", "query", query, "--index", str(index_dir), "--json"]
    walls = [run_child([sys.executable, *tail]).seconds for _ in range(runs + 1)][1:]
    print(f"msearch query {query!r} --json: median {statistics.median(walls) * 1000:.0f} ms wall")
    import_times(tail, runs)
    with tempfile.TemporaryDirectory(prefix="hotspots-") as folder:
        output = Path(folder) / "query.prof"
        run_child([sys.executable, "-c", PROFILED_RUN, output, *tail[2:]])
        stats = pstats.Stats(str(output))
    wall = stats.total_tt
    print_areas("msearch query --json", self_time_by_area(stats, QUERY_AREAS), wall)
    print_steps("steps of msearch query --json", stats, QUERY_STEPS, wall)


def profile_search(index_dir: Path, repeats: int = 10) -> None:
    """In-process ``search()`` per kind of query (the mix in speed.py), by step."""
    from monitor_search.model import Filters
    from monitor_search.search.searcher import search

    if __package__:
        from .speed import QUERY_MIX
    else:
        from speed import QUERY_MIX
    for kind, text, year in QUERY_MIX:
        search(index_dir, text, filters=Filters(year=year))  # warm the page cache
        profiler = cProfile.Profile()
        started = time.perf_counter()
        for _ in range(repeats):
            profiler.runcall(search, index_dir, text, filters=Filters(year=year))
        wall = time.perf_counter() - started
        stats = pstats.Stats(profiler)
        print_steps(
            f"{kind}: {text!r}, {wall / repeats * 1000:.0f} ms each", stats, QUERY_STEPS[2:11], wall
        )


# --- main --------------------------------------------------------------------------------


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, default in (("index", 2000), ("fields", 2000), ("variants", 5000)):
        sub = commands.add_parser(name)
        sub.add_argument("--articles", type=int, default=default)
        sub.add_argument("--keep", type=Path, default=DEFAULT_WORK, metavar="DIR")
        sub.add_argument("--seed", type=int, default=0)
        if name == "variants":
            sub.add_argument("--rounds", type=int, default=2)
    query = commands.add_parser("query")
    query.add_argument("index_dir", type=Path)
    query.add_argument("query", nargs="?", default="oil pipeline")
    query.add_argument("--runs", type=int, default=7)
    search = commands.add_parser("search")
    search.add_argument("index_dir", type=Path)
    build = commands.add_parser("_build")  # internal: one timed build for ``variants``
    build.add_argument("corpus")
    build.add_argument("index_dir")
    build.add_argument("variant")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    if args.command == "_build":
        print(f"{time_one_build(args.corpus, args.index_dir, json.loads(args.variant)):.3f}")
        return 0
    use_bytecode_cache(HERE / ".work" / "pycache")
    if args.command in ("index", "fields", "variants"):
        args.keep.mkdir(parents=True, exist_ok=True)
        space = Workspace(args.keep.resolve(), args.seed)
        if args.command == "index":
            profile_index(space, args.articles)
        elif args.command == "fields":
            field_costs(space, args.articles)
        else:
            writer_variants(space, args.articles, args.rounds)
    elif args.command == "query":
        profile_query(args.index_dir, args.query, args.runs)
    else:
        profile_search(args.index_dir)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
