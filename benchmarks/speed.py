"""Speed benchmark: msearch indexing and querying beside stock Whoosh and SQLite FTS5.

    python benchmarks/speed.py [--articles N | --large] [--keep DIR] [--json] [--skip-index]

What is measured, on a synthetic archive (``corpus.py``) of N Monitor-format articles:

* indexing, each build a fresh process on a fresh folder: ``msearch index --quiet`` (the
  installed console script), stock Whoosh and SQLite FTS5 (``baselines.py``); wall time,
  articles/s, MB/s, peak RSS, size on disk; then msearch re-indexing with nothing changed and
  after one file changed;
* querying: in-process p50/p95 of ``monitor_search.search.searcher.search`` over a mix of
  queries, and end-to-end wall time and peak RSS of ``msearch query`` (``--json``, and
  terminal output to a pipe) against ``sqlite-utils search`` on the same articles,
  interleaved run by run.

The machine this runs on is usually shared and noisy, so runs are interleaved (each round
visits every contender, in rotating order), medians are reported, and comparisons are given as
ratios measured in the same rounds. Every run prints the load average it saw.

``--keep DIR`` keeps the corpus (and the indexes) in DIR, so a second run skips generating it
and ``--skip-index`` reuses the indexes to measure queries only. Without it, everything lives
in a temporary folder removed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

if __package__:
    from .corpus import read_manifest
else:  # run as a script: benchmarks/ is on sys.path
    from corpus import read_manifest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BIN = REPO / ".venv" / "bin"
DEFAULT_ARTICLES = 10_000
LARGE_ARTICLES = 100_000
GROWTH_BASE = 10_000
"""Corpus size whose in-process latency a larger run is compared with (goal: <= 3x)."""

E2E_QUERY = "oil pipeline"
"""Query for the end-to-end comparison: two plain words, the commonest kind of search."""

QUERY_MIX: tuple[tuple[str, str, int | None], ...] = (
    ("one word", "Shevardnadze", None),
    ("two words", "oil pipeline", None),
    ("phrase", '"collective security treaty"', None),
    ("word + --year", "Chechnya", 2000),
    ("8-word question", "why did Nazarbayev oppose the Caspian pipeline deal", None),
)
"""(kind, text, year filter) for in-process latency."""

GOALS = {
    "build_speedup_vs_whoosh": (">=", 3.0),
    "index_peak_rss_mb": ("<", 512.0),
    "noop_reindex_share": ("<", 0.05),
    "json_vs_sqlite_utils": ("<=", 1.0),
    "query_peak_rss_mb": ("<", 80.0),
    "p50_growth": ("<=", 3.0),
}
"""Goal name -> (comparison, bound), checked in ``goals``."""


# --- running and timing child processes ---------------------------------------------------


@dataclass(frozen=True)
class ProcessMemory:
    """One process's resident memory, from /proc/PID/status: anonymous pages (its own heap,
    counted again in each forked child until written), file-backed pages (mapped files such
    as index segments: page cache, shared between the processes that map them) and shared
    memory."""

    pid: int
    command: str
    anon_kb: int
    file_kb: int
    shmem_kb: int
    pss_kb: int = 0
    """Proportional set size: each page shared with other processes (a forked writing
    process shares the parent's heap until either writes to it) counted as its share, so
    the processes' PSS add up to the memory they take together; RSS counts it in each."""

    @property
    def rss_kb(self) -> int:
        return self.anon_kb + self.file_kb + self.shmem_kb


@dataclass(frozen=True)
class ChildRun:
    seconds: float
    peak_rss_mb: float
    """Of the largest single process (the command, or one of the children it waited for)."""
    output: bytes
    tree_rss_mb: float | None = None
    """Peak of the summed RSS of the command and all its descendants, sampled every 0.1 s
    (a parallel writer's processes add up; the probe above sees only the largest)."""
    tree_anon_mb: float | None = None
    """Peak of the summed anonymous memory (heaps) alone, file-backed pages left out."""
    tree_at_peak: tuple[ProcessMemory, ...] = ()
    """Each process's memory when the summed RSS peaked."""
    tree_pss_mb: float | None = None
    """Peak of the summed proportional set sizes: the memory all the processes take
    together, shared pages counted once."""


class TreeSampler(threading.Thread):
    """Samples the RSS of a process and its descendants from /proc until stopped: the peak
    of their sum, the processes' memory at that peak, and the peak of their anonymous
    memory alone."""

    def __init__(self, root: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.peak_kb = self.peak_anon_kb = self.peak_pss_kb = 0
        self.at_peak: tuple[ProcessMemory, ...] = ()
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.interval):
            members = _tree_memory(self.root)
            total = sum(member.rss_kb for member in members)
            if total > self.peak_kb:
                self.peak_kb, self.at_peak = total, members
            self.peak_anon_kb = max(self.peak_anon_kb, sum(m.anon_kb for m in members))
            self.peak_pss_kb = max(self.peak_pss_kb, sum(m.pss_kb for m in members))

    def stop(self) -> float:
        self.done.set()
        self.join()
        return self.peak_kb / 1024


def _tree_memory(root: int) -> tuple[ProcessMemory, ...]:
    """The memory of ``root`` and of every process descended from it."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
    members = {root}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in members and pid not in members:
                members.add(pid)
                grew = True
    found = (_process_memory(pid) for pid in sorted(members))
    return tuple(memory for memory in found if memory is not None)


def _process_memory(pid: int) -> ProcessMemory | None:
    """``pid``'s memory, or None if it has exited."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            status = dict(line.split(":", 1) for line in handle if ":" in line)
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            command = handle.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return None

    def kb(key: str) -> int:
        return int(status.get(key, "0 kB").split()[0])

    memory = (kb("RssAnon"), kb("RssFile"), kb("RssShmem"))
    return ProcessMemory(pid, command[:120], *memory, pss_kb=_pss_kb(pid))


def _pss_kb(pid: int) -> int:
    """``pid``'s proportional set size (0 where the kernel does not report it)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


GNU_TIME = "/usr/bin/time"
_RUSAGE_HELPER = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as out:
    out.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def _with_rss_probe(argv: list[str], rss_file: str) -> list[str]:
    """``argv`` behind a small process that writes the command's peak RSS (KB) to a file.

    Not ``os.wait4`` from here: Linux counts the parent's resident memory at fork time into the
    child's ``ru_maxrss``, so every child of this (large) process would look as large as it.
    GNU time is a few hundred kB; the fallback, ``python -S``, about 9 MB.
    """
    if os.access(GNU_TIME, os.X_OK):
        return [GNU_TIME, "-f", "%M", "-o", rss_file, *argv]
    return [sys.executable, "-S", "-c", _RUSAGE_HELPER, rss_file, *argv]


def run_child(
    argv: Sequence[str | os.PathLike],
    *,
    env: dict | None = None,
    sample_tree: bool = False,
    accept_nothing_found: bool = False,
) -> ChildRun:
    """Run a command with stdout to a pipe we drain (as ``| less`` would); its wall time
    (the probe adds about a millisecond to every command alike) and its peak RSS. A failing
    command raises; with ``accept_nothing_found``, exit code 1 with nothing on stderr does
    not (grep's "no match"; a Python traceback also exits 1, but says so on stderr)."""
    command = [str(part) for part in argv]
    with tempfile.NamedTemporaryFile() as rss_file, tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        child = subprocess.Popen(
            _with_rss_probe(command, rss_file.name),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
            env=env,
        )
        sampler = TreeSampler(child.pid) if sample_tree and os.path.isdir("/proc") else None
        if sampler:
            sampler.start()
        output = child.stdout.read()
        child.stdout.close()
        returncode = child.wait()
        seconds = time.perf_counter() - started
        tree_mb = sampler.stop() if sampler else None
        tree_anon_mb = sampler.peak_anon_kb / 1024 if sampler else None
        at_peak = sampler.at_peak if sampler else ()
        tree_pss_mb = sampler.peak_pss_kb / 1024 if sampler else None
        errors.seek(0)
        message = errors.read().decode(errors="replace").strip()[-2000:]
        if returncode != 0 and not (accept_nothing_found and returncode == 1 and not message):
            raise RuntimeError(f"{' '.join(command)} exited {returncode}: {message}")
        peak_kb = int(Path(rss_file.name).read_text().split()[-1])
    return ChildRun(seconds, peak_kb / 1024, output, tree_mb, tree_anon_mb, at_peak, tree_pss_mb)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile: a value that was actually measured."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def rotated(items: Sequence, round_number: int) -> list:
    """``items`` starting at a different one each round, so none always runs first (on a
    cold cache) or last (after the others warmed the CPU)."""
    shift = round_number % len(items)
    return [*items[shift:], *items[:shift]]


def folder_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(entry.stat().st_size for entry in path.rglob("*") if entry.is_file())


def code_version() -> str:
    """The commit measured, and whether msearch's sources differ from it (read-only git)."""
    try:
        head = subprocess.run(
            ["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", REPO, "status", "--porcelain", "--", "monitor_search"],
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{head}{' + uncommitted changes' if dirty else ''}" if head else "unknown"


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


# --- the workspace --------------------------------------------------------------------------


@dataclass(frozen=True)
class Workspace:
    """Where a run keeps its corpora and indexes (names carry size and seed, so one
    ``--keep`` folder can hold several)."""

    root: Path
    seed: int

    def corpus(self, articles: int) -> Path:
        return self.root / f"corpus-{articles}-s{self.seed}"

    def msearch_index(self, articles: int) -> Path:
        return self.root / f"msearch-{articles}-s{self.seed}"

    def whoosh_index(self, articles: int) -> Path:
        return self.root / f"whoosh-{articles}-s{self.seed}"

    def fts5_database(self, articles: int) -> Path:
        return self.root / f"fts5-{articles}-s{self.seed}.db"


@contextlib.contextmanager
def workspace(keep: Path | None, seed: int) -> Iterator[Workspace]:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield Workspace(keep.resolve(), seed)
        return
    with tempfile.TemporaryDirectory(prefix="msearch-speed-") as folder:
        yield Workspace(Path(folder), seed)


def ensure_corpus(space: Workspace, articles: int) -> dict:
    """The corpus manifest, generating the corpus unless a complete one is kept."""
    folder = space.corpus(articles)
    manifest = read_manifest(folder)
    if manifest and manifest["articles"] == articles and manifest["seed"] == space.seed:
        return manifest
    shutil.rmtree(folder, ignore_errors=True)
    print(f"generating {articles:,} articles in {folder} ...", file=sys.stderr)
    run_child([sys.executable, HERE / "corpus.py", articles, folder, "--seed", space.seed])
    return read_manifest(folder)


def fresh(path: Path) -> Path:
    """``path`` removed, so a build starts from nothing."""
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
    return path


# --- indexing ----------------------------------------------------------------------------


@dataclass
class Build:
    system: str
    seconds: list[float] = field(default_factory=list)
    peak_rss_mb: list[float] = field(default_factory=list)
    tree_rss_mb: list[float] = field(default_factory=list)
    size_mb: float = 0.0

    def summary(self, articles: int, megabytes: float) -> dict:
        seconds = median(self.seconds)
        return {
            "system": self.system,
            "seconds": round(seconds, 2),
            "runs": [round(s, 2) for s in self.seconds],
            "articles_per_s": round(articles / seconds, 1),
            "mb_per_s": round(megabytes / seconds, 3),
            "peak_rss_mb": round(max(self.peak_rss_mb), 1),
            "tree_rss_mb": round(max(self.tree_rss_mb), 1),
            "size_mb": round(self.size_mb, 1),
        }


def msearch_index_command(corpus: Path, index_dir: Path) -> list:
    return [BIN / "msearch", "index", corpus, "--index", index_dir, "--quiet"]


def build_commands(space: Workspace, articles: int) -> dict[str, tuple[list, Path]]:
    """System -> (command that builds its index from nothing, where the index goes)."""
    corpus = space.corpus(articles)
    baseline = [sys.executable, HERE / "baselines.py"]
    whoosh, fts5 = space.whoosh_index(articles), space.fts5_database(articles)
    msearch = space.msearch_index(articles)
    return {
        "msearch": (msearch_index_command(corpus, msearch), msearch),
        "Whoosh stock": ([*baseline, "whoosh", corpus, whoosh], whoosh),
        "SQLite FTS5": ([*baseline, "fts5", corpus, fts5], fts5),
    }


def measure_builds(space: Workspace, articles: int, rounds: int) -> dict[str, Build]:
    """Full builds of every system, ``rounds`` times in rotating order."""
    commands = build_commands(space, articles)
    builds = {name: Build(name) for name in commands}
    for round_number in range(rounds):
        for name in rotated(list(commands), round_number):
            command, target = commands[name]
            fresh(target)
            print(f"  build {name} (round {round_number + 1}) ...", file=sys.stderr)
            run = run_child(command, sample_tree=True)
            builds[name].seconds.append(run.seconds)
            builds[name].peak_rss_mb.append(run.peak_rss_mb)
            builds[name].tree_rss_mb.append(run.tree_rss_mb or 0.0)
            builds[name].size_mb = folder_bytes(target) / 2**20
    return builds


def measure_reindex(space: Workspace, articles: int, repeats: int = 3) -> dict[str, float]:
    """msearch re-index with nothing changed, and after one file changed (median seconds).

    The changed file gets a sentence appended (new size and mtime, so msearch must re-read
    it); its original bytes are put back and indexed afterwards, so a kept index stays true.
    """
    corpus, index_dir = space.corpus(articles), space.msearch_index(articles)
    command = msearch_index_command(corpus, index_dir)
    victim = next(corpus.rglob("*.txt"))
    original = victim.read_bytes()
    unchanged, one_changed = [], []
    try:
        for repeat in range(repeats):
            unchanged.append(run_child(command).seconds)
            victim.write_bytes(original + f"\nOne more sentence, take {repeat}.\n".encode())
            one_changed.append(run_child(command).seconds)
    finally:
        victim.write_bytes(original)
        run_child(command)
    return {"unchanged_s": median(unchanged), "one_changed_s": median(one_changed)}


def index_section(space: Workspace, articles: int, manifest: dict, rounds: int) -> dict:
    megabytes = manifest["bytes"] / 2**20
    builds = measure_builds(space, articles, rounds)
    summaries = {name: b.summary(articles, megabytes) for name, b in builds.items()}
    ours = builds["msearch"]
    ratios = {
        name: round(
            median([other / mine for other, mine in zip(b.seconds, ours.seconds, strict=True)]),
            2,
        )
        for name, b in builds.items()
        if name != "msearch"
    }
    reindex = measure_reindex(space, articles)
    full = median(ours.seconds)
    return {
        "builds": list(summaries.values()),
        "time_ratio_vs_msearch": ratios,
        "reindex": {
            **{key: round(value, 2) for key, value in reindex.items()},
            "unchanged_share_of_full": round(reindex["unchanged_s"] / full, 4),
            "one_changed_share_of_full": round(reindex["one_changed_s"] / full, 4),
        },
    }


def ensure_indexes(space: Workspace, articles: int) -> None:
    """Bring what the query section needs up to date (not timed).

    A kept msearch index is updated incrementally (a no-op when nothing changed), and rebuilt
    when that fails, e.g. because msearch's schema version changed since it was built.
    """
    for name, (command, target) in build_commands(space, articles).items():
        if name == "Whoosh stock" or (name != "msearch" and target.exists()):
            continue
        print(f"  bringing the {name} index up to date for queries ...", file=sys.stderr)
        try:
            run_child(command)
        except RuntimeError:
            fresh(target)
            run_child(command)


# --- queries ------------------------------------------------------------------------------


def in_process_latency(index_dirs: dict[int, Path], rounds: int, warmup: int = 3) -> dict:
    """p50/p95 milliseconds of ``search()`` per query kind and size, queries and sizes
    interleaved within each round."""
    from monitor_search.model import Filters
    from monitor_search.search.searcher import search

    samples: dict[tuple[int, str], list[float]] = {}
    jobs = [(size, kind) for size in index_dirs for kind, _, _ in QUERY_MIX]
    queries = {kind: (text, year) for kind, text, year in QUERY_MIX}
    for round_number in range(warmup + rounds):
        for size, kind in rotated(jobs, round_number):
            text, year = queries[kind]
            started = time.perf_counter()
            search(index_dirs[size], text, filters=Filters(year=year))
            elapsed = (time.perf_counter() - started) * 1000
            if round_number >= warmup:
                samples.setdefault((size, kind), []).append(elapsed)
    return {
        str(size): _latency_by_kind({kind: samples[(size, kind)] for kind in queries})
        for size in index_dirs
    }


def _latency_by_kind(samples: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    """Each kind's p50/p95, and those of all kinds pooled (what the growth goal compares)."""
    pooled = [value for values in samples.values() for value in values]
    return {kind: _latency(values) for kind, values in samples.items()} | {"all": _latency(pooled)}


def _latency(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(median(values), 2), "p95_ms": round(percentile(values, 0.95), 2)}


MSEARCH_JSON = "msearch query --json"
SQLITE_UTILS = "sqlite-utils search --limit 10"


def end_to_end_commands(space: Workspace, articles: int, query: str) -> dict[str, list]:
    """The commands timed end to end; ``--limit 10`` makes sqlite-utils print as many hits as
    msearch (it prints every match otherwise). The last two are floors, for reading the rest:
    interpreter start-up, and msearch's CLI without a search."""
    index_dir, database = space.msearch_index(articles), space.fts5_database(articles)
    msearch = [BIN / "msearch", "query", query, "--index", index_dir]
    commands = {MSEARCH_JSON: [*msearch, "--json"], "msearch query (text to pipe)": msearch}
    sqlite_utils = BIN / "sqlite-utils"
    if sqlite_utils.exists():  # pip install -e '.[bench]'
        commands[SQLITE_UTILS] = [sqlite_utils, "search", database, "articles", query]
        commands[SQLITE_UTILS] += ["--limit", "10"]
    commands["msearch --version"] = [BIN / "msearch", "--version"]
    commands["python -c pass"] = [sys.executable, "-c", "pass"]
    return commands


def end_to_end(space: Workspace, articles: int, query: str, rounds: int, warmup: int = 2):
    """Median wall time and peak RSS of each command, interleaved run by run."""
    commands = end_to_end_commands(space, articles, query)
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
    seconds: dict[str, list[float]] = {name: [] for name in commands}
    rss: dict[str, list[float]] = {name: [] for name in commands}
    for round_number in range(warmup + rounds):
        for name in rotated(list(commands), round_number):
            run = run_child(commands[name], env=env)
            if round_number >= warmup:
                seconds[name].append(run.seconds * 1000)
                rss[name].append(run.peak_rss_mb)
    json_vs_sqlite = [
        mine / theirs
        for mine, theirs in zip(seconds[MSEARCH_JSON], seconds.get(SQLITE_UTILS, []), strict=False)
    ]
    return {
        "query": query,
        "runs": rounds,
        "commands": {
            name: {
                "median_ms": round(median(seconds[name]), 1),
                "p95_ms": round(percentile(seconds[name], 0.95), 1),
                "peak_rss_mb": round(max(rss[name]), 1),
            }
            for name in commands
        },
        "json_vs_sqlite_utils": round(median(json_vs_sqlite), 2) if json_vs_sqlite else None,
    }


def fts5_matches(database: Path, query: str) -> int:
    """How many articles the end-to-end query matches in FTS5 (to show it is not trivial)."""
    with contextlib.closing(sqlite3.connect(database)) as connection:
        row = connection.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (query,)
        ).fetchone()
    return row[0]


# --- goals and output ---------------------------------------------------------------------


def measured_goals(report: dict) -> dict[str, float | None]:
    """The figures the goals are about, None where this run did not measure one."""
    index = report.get("index") or {}
    builds = {b["system"]: b for b in index.get("builds", [])}
    queries = report.get("queries") or {}
    e2e = queries.get("end_to_end") or {}
    latency = queries.get("latency") or {}
    growth = None
    if str(GROWTH_BASE) in latency and len(latency) > 1:
        larger = max(latency, key=int)
        growth = latency[larger]["all"]["p50_ms"] / latency[str(GROWTH_BASE)]["all"]["p50_ms"]
    return {
        "build_speedup_vs_whoosh": index.get("time_ratio_vs_msearch", {}).get("Whoosh stock"),
        "index_peak_rss_mb": builds.get("msearch", {}).get("tree_rss_mb"),
        "noop_reindex_share": index.get("reindex", {}).get("unchanged_share_of_full"),
        "json_vs_sqlite_utils": e2e.get("json_vs_sqlite_utils"),
        "query_peak_rss_mb": e2e.get("commands", {})
        .get("msearch query --json", {})
        .get("peak_rss_mb"),
        "p50_growth": None if growth is None else round(growth, 2),
    }


def goals(report: dict) -> dict[str, dict]:
    checks: dict[str, Callable[[float, float], bool]] = {
        ">=": lambda a, b: a >= b,
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
    }
    result = {}
    for name, value in measured_goals(report).items():
        op, bound = GOALS[name]
        met = None if value is None else checks[op](value, bound)
        result[name] = {"value": value, "goal": f"{op} {bound:g}", "met": met}
    return result


def format_table(rows: list[list[str]]) -> str:
    """Plain aligned columns (first left, the rest right): readable in a terminal and a log."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for number, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render(report: dict) -> str:
    parts = [
        f"corpus: {report['articles']:,} articles, {report['corpus_mb']:.1f} MB, "
        f"seed {report['seed']}; {report['machine']}; load {report['load_before']} -> "
        f"{report['load_after']}; bytecode cache {'on' if report['bytecode_cache'] else 'off'}; "
        f"{report['seconds']:.0f} s in all; msearch {report.get('code', 'unknown')}"
    ]
    if report.get("index"):
        parts.append(_render_index(report["index"]))
    if report.get("queries"):
        parts.append(_render_queries(report["queries"]))
    rows = [["goal", "measured", "target", "met"]]
    for name, check in report["goals"].items():
        met = {True: "yes", False: "NO", None: "n/a"}[check["met"]]
        value = "-" if check["value"] is None else f"{check['value']:g}"
        rows.append([name, value, check["goal"], met])
    parts.append(format_table(rows))
    return "\n\n".join(parts)


def _render_index(index: dict) -> str:
    rows = [["full build", "s", "art/s", "MB/s", "RSS MB", "RSS MB all", "size MB", "x msearch"]]
    ratios = index["time_ratio_vs_msearch"]
    for b in index["builds"]:
        ratio = ratios.get(b["system"])
        rows.append(
            [
                b["system"],
                f"{b['seconds']:.1f}",
                f"{b['articles_per_s']:.0f}",
                f"{b['mb_per_s']:.2f}",
                f"{b['peak_rss_mb']:.0f}",
                f"{b.get('tree_rss_mb', 0):.0f}",
                f"{b['size_mb']:.0f}",
                "1.00" if ratio is None else f"{ratio:.2f}",
            ]
        )
    r = index["reindex"]
    return (
        format_table(rows)
        + "\n(RSS MB: largest process; all: its processes summed, sampled every 0.1 s;"
        "\n x msearch: that system's build time / msearch's, median per round; >1 = msearch"
        " faster)\n" + f"msearch re-index, nothing changed: {r['unchanged_s']:.2f} s"
        f" ({r['unchanged_share_of_full']:.1%} of full build); one file changed:"
        f" {r['one_changed_s']:.2f} s ({r['one_changed_share_of_full']:.1%})"
    )


def _render_queries(queries: dict) -> str:
    latency = queries["latency"]
    sizes = sorted(latency, key=int)
    header = ["search() in-process"]
    for size in sizes:
        header += [f"p50 ms @{int(size):,}", f"p95 ms @{int(size):,}"]
    rows = [header]
    for kind in latency[sizes[0]]:
        row = [kind]
        for size in sizes:
            row += [f"{latency[size][kind]['p50_ms']:.1f}", f"{latency[size][kind]['p95_ms']:.1f}"]
        rows.append(row)
    e2e = queries["end_to_end"]
    rows2 = [[f"end to end: {e2e['query']!r}", "median ms", "p95 ms", "peak RSS MB"]]
    for name, c in e2e["commands"].items():
        rows2.append(
            [name, f"{c['median_ms']:.0f}", f"{c['p95_ms']:.0f}", f"{c['peak_rss_mb']:.0f}"]
        )
    return (
        format_table(rows)
        + "\n\n"
        + format_table(rows2)
        + f"\n({e2e['runs']} interleaved runs each; FTS5 matches {e2e['fts5_matches']:,} articles;"
        f" msearch --json / sqlite-utils, median per round: {e2e['json_vs_sqlite_utils']})"
    )


# --- main ---------------------------------------------------------------------------------


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--articles", type=int, default=DEFAULT_ARTICLES, metavar="N")
    size.add_argument(
        "--large",
        action="store_const",
        dest="articles",
        const=LARGE_ARTICLES,
        help=f"{LARGE_ARTICLES:,} articles, with latency growth from {GROWTH_BASE:,}",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep corpus and indexes here")
    parser.add_argument(
        "--skip-index", action="store_true", help="queries only (reuses kept indexes)"
    )
    parser.add_argument("--build-rounds", type=int, default=1, metavar="R")
    parser.add_argument("--query-rounds", type=int, default=30, metavar="R")
    parser.add_argument("--e2e-runs", type=int, default=21, metavar="R")
    parser.add_argument("--e2e-query", default=E2E_QUERY)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--show", type=Path, metavar="FILE", help="print the tables of a saved --json report"
    )
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="leave PYTHONDONTWRITEBYTECODE as it is (see use_bytecode_cache)",
    )
    return parser.parse_args(argv)


def query_section(space: Workspace, args: argparse.Namespace) -> dict:
    ensure_indexes(space, args.articles)
    index_dirs = {args.articles: space.msearch_index(args.articles)}
    if args.articles > GROWTH_BASE:
        ensure_corpus(space, GROWTH_BASE)
        ensure_indexes(space, GROWTH_BASE)
        index_dirs = {GROWTH_BASE: space.msearch_index(GROWTH_BASE), **index_dirs}
    print("  in-process latency ...", file=sys.stderr)
    latency = in_process_latency(index_dirs, args.query_rounds)
    print("  end to end ...", file=sys.stderr)
    e2e = end_to_end(space, args.articles, args.e2e_query, args.e2e_runs)
    e2e["fts5_matches"] = fts5_matches(space.fts5_database(args.articles), args.e2e_query)
    return {"latency": latency, "end_to_end": e2e}


def use_bytecode_cache(folder: Path) -> None:
    """Let child Pythons cache compiled bytecode, in ``folder``, as a normal install does.

    Some sandboxes set PYTHONDONTWRITEBYTECODE, and msearch is installed editable, so its
    modules would be compiled from source on every run (tens of ms) while site-packages
    (compiled by pip) would not: a cost no user pays. A prefix keeps the cache out of the
    source tree; the warm-up runs fill it.
    """
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(folder)


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    if args.show:
        print(render(json.loads(args.show.read_text(encoding="utf-8"))))
        return 0
    if not args.no_bytecode_cache:
        use_bytecode_cache(HERE / ".work" / "pycache")
    started = time.perf_counter()
    report: dict = {"articles": args.articles, "seed": args.seed, "load_before": load_average()}
    report["code"] = code_version()
    report["machine"] = (
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}"
    )
    with workspace(args.keep, args.seed) as space:
        manifest = ensure_corpus(space, args.articles)
        report["corpus_mb"] = round(manifest["bytes"] / 2**20, 1)
        if not args.skip_index:
            print("indexing ...", file=sys.stderr)
            report["index"] = index_section(space, args.articles, manifest, args.build_rounds)
        print("querying ...", file=sys.stderr)
        report["queries"] = query_section(space, args)
    report["bytecode_cache"] = not args.no_bytecode_cache
    report["load_after"] = load_average()
    report["seconds"] = round(time.perf_counter() - started, 1)
    report["goals"] = goals(report)
    print(json.dumps(report, indent=2) if args.json else render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
