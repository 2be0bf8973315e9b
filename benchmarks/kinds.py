"""Every query kind of issue 17, end to end: ``msearch`` beside ``sqlite-utils`` (FTS5) and
tantivy-py, on the same articles, in the same rounds.

    python benchmarks/kinds.py INDEX FTS5_DB TANTIVY_DIR [--runs N] [--kind NAME]... [--json]
    python benchmarks/kinds.py --in-process INDEX [INDEX...] [--runs N] [--kind NAME]...

INDEX is an msearch index, FTS5_DB and TANTIVY_DIR the baselines built from the same corpus
(``baselines.py fts5`` and ``baselines.py tantivy``). Each round runs every contender of a
kind once, in rotating order, as its own process with stdout to a pipe; the table gives the
median wall time, msearch's ratio to sqlite-utils, the peak RSS of msearch's process, and
the articles msearch and tantivy count (sqlite-utils prints at most ten, no count). A
contender that fails stops the run: sqlite-utils must exit 0; msearch and tantivy may also
exit 1 (nothing found) with nothing on stderr.

FTS5 runs ``sqlite-utils search DB articles TEXT --limit 10`` where the kind is a search,
and ``sqlite-utils query`` with the nearest SQL where it is not (a year filter, counts per
year, newest first, a count): the ``year`` column comes from the folder's name, as
tantivy's does, so both baselines do less than msearch's parsed dates. tantivy runs
``tantivy_query.py`` (words joined by AND); it has no prefix query in its parser, so it
sits out the wildcard. Child Pythons may cache bytecode (``speed.use_bytecode_cache``), as
an installed msearch does.

``--in-process`` times instead the library call behind each kind of msearch (``search``,
``count_matches`` or ``count_timeline``), warm, in this process, on each INDEX (sizes and
kinds interleaved round by round): p50 milliseconds, for the growth goal from one archive
size to the next.

The work differs where the tools differ, and the table says so: for eight words, both
baselines return the articles with all eight (none, here), while msearch also ranks and
counts those with some of them, and may suggest a spelling (the row ``eight words --any``
gives the baselines that work too: the words joined by OR); for ``--facet year`` msearch
also ranks and shows ten hits, the baselines only count. The all-words count is ``msearch
query --count`` beside FTS5's ``count(*)``: a number alone from each.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

if __package__:
    from .speed import BIN, HERE, load_average, median, rotated, run_child, use_bytecode_cache
else:  # run as a script: benchmarks/ is on sys.path
    from speed import BIN, HERE, load_average, median, rotated, run_child, use_bytecode_cache

YEAR = 2000
TWO_WORDS = "oil pipeline"
PHRASE = '"collective security treaty"'
QUESTION = "why did Nazarbayev oppose the Caspian pipeline deal"
ANY_QUESTION = " OR ".join(QUESTION.split())
"""The question as the baselines rank any of its words: what msearch ranks when no article
has them all (and with ``--any`` always)."""

MATCHED = "from articles join articles_fts on articles.rowid = articles_fts.rowid"
SEARCH_SQL = (
    f"select articles.* {MATCHED} where articles_fts match :q and year = {YEAR} "
    "order by articles_fts.rank limit 10"
)
PER_YEAR_SQL = (
    f"select year, count(*) as articles {MATCHED} where articles_fts match :q group by year"
)
NEWEST_SQL = f"select articles.* {MATCHED} where articles_fts match :q order by year desc limit 10"
COUNT_SQL = "select count(*) as articles from articles_fts where articles_fts match :q"
YEAR_SQL = (
    f"select (select count(*) from articles where year = {YEAR}) as articles, path, title "
    f"from articles where year = {YEAR} limit 10"
)


@dataclass(frozen=True)
class Kind:
    """One row of the table: msearch's arguments, FTS5's nearest (a text for ``sqlite-utils
    search``, or SQL with the text as ``:q``) and tantivy's: its query and options (empty:
    ``text``, no options; None: it sits this one out)."""

    name: str
    msearch: tuple[str, ...]
    text: str
    sql: str | None = None
    tantivy: tuple[str, ...] | None = ()

    def commands(self, index: Path, database: Path, tantivy_dir: Path) -> dict[str, list]:
        utils = str(BIN / "sqlite-utils")
        fts5 = (
            [utils, "search", database, "articles", self.text, "--limit", "10"]
            if self.sql is None
            else [utils, "query", database, self.sql, "-p", "q", self.text]
        )
        commands = {
            "msearch": [BIN / "msearch", *self.msearch, "--json", "--index", index],
            "sqlite-utils": fts5,
        }
        if self.tantivy is not None:
            script = HERE / "tantivy_query.py"
            tantivy_text = self.tantivy[0] if self.tantivy else self.text
            commands["tantivy"] = [
                sys.executable,
                script,
                tantivy_dir,
                tantivy_text,
                *self.tantivy[1:],
            ]
        return commands


KINDS = (
    Kind("one word", ("query", "Shevardnadze"), "Shevardnadze"),
    Kind("two words", ("query", TWO_WORDS), TWO_WORDS),
    Kind("phrase", ("query", PHRASE), PHRASE),
    Kind(
        "phrase --year",
        ("query", PHRASE, "--year", str(YEAR)),
        PHRASE,
        SEARCH_SQL,
        (PHRASE, "--year", str(YEAR)),
    ),
    Kind("eight words", ("query", QUESTION), QUESTION),
    Kind(
        "eight words --any",
        ("query", QUESTION, "--any"),
        ANY_QUESTION,
        tantivy=(ANY_QUESTION,),
    ),
    Kind("a AND b", ("query", "oil AND gas"), "oil AND gas"),
    Kind("a NOT b", ("query", "pipeline NOT Russia"), "pipeline NOT Russia"),
    Kind("wildcard", ("query", "Chechn*"), "Chechn*", tantivy=None),
    Kind(
        "* --year", ("query", "*", "--year", str(YEAR)), "*", YEAR_SQL, ("*", "--year", str(YEAR))
    ),
    Kind(
        "--facet year",
        ("query", TWO_WORDS, "--facet", "year"),
        TWO_WORDS,
        PER_YEAR_SQL,
        (TWO_WORDS, "--per-year"),
    ),
    Kind("timeline", ("timeline", TWO_WORDS), TWO_WORDS, PER_YEAR_SQL, (TWO_WORDS, "--per-year")),
    Kind(
        "--sort newest",
        ("query", TWO_WORDS, "--sort", "newest"),
        TWO_WORDS,
        NEWEST_SQL,
        (TWO_WORDS, "--newest"),
    ),
    Kind("all-words count", ("query", TWO_WORDS, "--count"), TWO_WORDS, COUNT_SQL),
)


COUNTED = {"msearch": "total", "tantivy": "count"}
"""Contender -> the field of its JSON output that holds the number of matching articles."""


def measure(kind: Kind, commands: dict[str, list], runs: int, warmup: int = 1) -> dict:
    """Median milliseconds and peak RSS of each contender, interleaved round by round, and
    the articles each counted."""
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1"}
    seconds: dict[str, list[float]] = {name: [] for name in commands}
    rss: dict[str, float] = dict.fromkeys(commands, 0.0)
    counted: dict[str, int] = {}
    for round_number in range(warmup + runs):
        for name in rotated(list(commands), round_number):
            run = run_child(commands[name], env=env, accept_nothing_found=name in COUNTED)
            if round_number >= warmup:
                seconds[name].append(run.seconds * 1000)
                rss[name] = max(rss[name], run.peak_rss_mb)
            shown = name in COUNTED and run.output.strip()
            count = json.loads(run.output).get(COUNTED[name]) if shown else None
            if count is not None:  # tantivy's counts per year have no total
                counted[name] = count
    medians = {name: round(median(values), 1) for name, values in seconds.items()}
    return {
        "kind": kind.name,
        "median_ms": medians,
        "peak_rss_mb": {name: round(value, 1) for name, value in rss.items()},
        "articles": counted,
        "msearch_vs_sqlite_utils": round(medians["msearch"] / medians["sqlite-utils"], 2),
    }


def library_call(kind: Kind, index: Path):
    """The function msearch's command for ``kind`` runs, with its arguments, as a closure."""
    from monitor_search.model import Filters
    from monitor_search.search.searcher import count_matches, count_timeline, search

    command, text, *options = kind.msearch
    flags = {option for option in options if option in ("--count", "--any")}
    valued = [option for option in options if option not in flags]
    settings = dict(zip(valued[::2], valued[1::2], strict=True))
    filters = Filters(year=int(settings["--year"])) if "--year" in settings else None
    match_any = "--any" in flags
    if "--count" in flags:
        return lambda: count_matches(index, text, filters=filters, match_any=match_any)
    if command == "timeline":
        return lambda: count_timeline(index, text, filters=filters, match_any=match_any)
    facets = (settings["--facet"],) if "--facet" in settings else ()
    limit = int(settings.get("-n", 10))
    sort = settings.get("--sort", "relevance")
    return lambda: search(
        index, text, limit=limit, filters=filters, sort=sort, facets=facets, match_any=match_any
    )


def in_process(kinds: list[Kind], indexes: list[Path], runs: int, warmup: int = 2) -> list:
    """p50 milliseconds of each kind's library call on each index, interleaved."""
    jobs = [(kind, index) for kind in kinds for index in indexes]
    calls = {(kind.name, index): library_call(kind, index) for kind, index in jobs}
    samples: dict[tuple[str, Path], list[float]] = {key: [] for key in calls}
    for round_number in range(warmup + runs):
        for kind, index in rotated(jobs, round_number):
            started = time.perf_counter()
            calls[(kind.name, index)]()
            if round_number >= warmup:
                samples[(kind.name, index)].append((time.perf_counter() - started) * 1000)
    return [
        {
            "kind": kind.name,
            "p50_ms": {str(i): round(median(samples[(kind.name, i)]), 1) for i in indexes},
        }
        for kind in kinds
    ]


def render_in_process(rows: list[dict], indexes: list[Path]) -> str:
    names = [index.name for index in indexes]
    growth = len(indexes) == 2
    lines = [
        "| kind | "
        + " | ".join(f"p50 {name}" for name in names)
        + (" | growth |" if growth else " |"),
        "|---" * (1 + len(names) + growth) + "|",
    ]
    for row in rows:
        p50 = [row["p50_ms"][str(index)] for index in indexes]
        cells = " | ".join(f"{value:.1f} ms" for value in p50)
        ratio = f" | {p50[1] / p50[0]:.2f}x |" if growth else " |"
        lines.append(f"| {row['kind']} | {cells}{ratio}")
    return "\n".join(lines)


def render(rows: list[dict]) -> str:
    lines = [
        "| kind | msearch | sqlite-utils | tantivy | msearch / sqlite-utils "
        "| msearch peak RSS | articles (msearch / tantivy) |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        ms, articles = row["median_ms"], row["articles"]
        tantivy = f"{ms['tantivy']:.0f} ms" if "tantivy" in ms else "n/a"
        counts = " / ".join(f"{articles[n]:,}" if n in articles else "-" for n in COUNTED)
        lines.append(
            f"| {row['kind']} | {ms['msearch']:.0f} ms | {ms['sqlite-utils']:.0f} ms | {tantivy} "
            f"| {row['msearch_vs_sqlite_utils']:.2f} | {row['peak_rss_mb']['msearch']:.0f} MB "
            f"| {counts} |"
        )
    return "\n".join(lines)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", type=Path, nargs="+", metavar="PATH")
    parser.add_argument(
        "--in-process", action="store_true", help="time the library calls; PATHs: indexes"
    )
    parser.add_argument("--runs", type=int, default=7, metavar="N", help="rounds (default: 7)")
    parser.add_argument(
        "--kind", action="append", choices=[kind.name for kind in KINDS], help="only this kind"
    )
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    chosen = [kind for kind in KINDS if not args.kind or kind.name in args.kind]
    if args.in_process:
        started = load_average()
        rows = in_process(chosen, args.paths, args.runs)
        print(f"load {started} -> {load_average()}; {args.runs} rounds", file=sys.stderr)
        print(json.dumps(rows, indent=2) if args.json else render_in_process(rows, args.paths))
        return 0
    if len(args.paths) != 3:
        sys.exit("kinds.py: give INDEX FTS5_DB TANTIVY_DIR (or --in-process INDEX...)")
    index, database, tantivy_dir = args.paths
    with tempfile.TemporaryDirectory(prefix="msearch-pyc-") as bytecode:
        use_bytecode_cache(Path(bytecode))
        started = load_average()
        rows = []
        for kind in chosen:
            commands = kind.commands(index, database, tantivy_dir)
            rows.append(measure(kind, commands, args.runs))
            print(f"{kind.name}: {rows[-1]['median_ms']}", file=sys.stderr)
    print(f"load {started} -> {load_average()}; {args.runs} rounds", file=sys.stderr)
    print(json.dumps(rows, indent=2) if args.json else render(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
