"""The ``msearch`` command: options wired to the library functions, nothing more.

Heavy modules (Whoosh, Rich) are imported inside the commands that need them, so that
``msearch query --json`` pays only for what it uses. Every failure ends in one line on stderr
and a grep-like exit code: 0 found / done, 1 nothing found, 2 error, 130 interrupted.

No ``from __future__ import annotations`` here: Typer reads every command's signature on each
run, and string annotations would be evaluated again each time.
"""

import contextlib
import errno
import os
import signal
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from monitor_search import __version__
from monitor_search.cli.options import (
    QUERY_HELP,
    AnyOption,
    BriefOption,
    Color,
    ColorOption,
    CsvOption,
    Facet,
    FromOption,
    IndexOption,
    IssueOption,
    JsonlOption,
    JsonOption,
    LimitOption,
    NoPagerOption,
    OffsetOption,
    PathsOption,
    Period,
    PublicationOption,
    Sort,
    SortOption,
    SourceOption,
    ToOption,
    VolumeOption,
    YearOption,
    examples,
    index_dir_of,
)
from monitor_search.cli.printing import (
    EXIT_ERROR,
    EXIT_FOUND,
    EXIT_INTERRUPTED,
    EXIT_NOT_FOUND,
    Display,
    articles,
    one_format,
    print_hits,
    print_lines,
    print_only_stop_words,
    stderr_line,
)
from monitor_search.cli.saved import saved_app
from monitor_search.engine import deferred
from monitor_search.errors import MsearchError, UnknownPublication

app = typer.Typer(
    name="msearch",
    help=(
        "Full-text search for archives of Jamestown Foundation articles.\n\n"
        "Index a folder once ('msearch index FOLDER'), then search it ('msearch query WORDS'). "
        "Exit codes: 0 found or done, 1 nothing found, 2 error."
    ),
    add_completion=True,
    # Click (8.4+) says "Did you mean 'query'?" for a mistyped command itself.
    suggest_commands=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


_interrupted = False
_wrote = False
"""Whether an index was written in this process (then ``run`` exits the usual way)."""


def _interrupt(signum, frame) -> None:
    global _interrupted
    _interrupted = True
    raise KeyboardInterrupt


def _unraisable(unraisable) -> None:
    """A KeyboardInterrupt raised inside a finaliser cannot propagate: Python prints it as
    "Exception ignored" and goes on. Stay quiet; ``_stop_if_interrupted`` raises it again."""
    if not isinstance(unraisable.exc_value, KeyboardInterrupt):
        sys.__unraisablehook__(unraisable)


def _stop_if_interrupted() -> None:
    if _interrupted:
        raise KeyboardInterrupt


@app.command(
    short_help="Index article files: new, changed and removed ones (incremental).",
    epilog=examples(
        "msearch index seeds/",
        "msearch index ~/archive/edm ~/archive/monitor --index ~/msearch-index",
        "msearch index articles/ --rebuild -q",
    ),
)
def index(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Folders (searched recursively for *.txt) and files to index.",
            show_default=False,
        ),
    ],
    index_dir: IndexOption = None,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Start from an empty index instead of updating.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar and no summary line.")
    ] = False,
    wait: Annotated[
        float,
        typer.Option(
            "--wait",
            metavar="SECONDS",
            min=0,
            help="How long to wait for another 'msearch index' run on the same index.",
        ),
    ] = 60.0,
) -> None:
    """Add new, changed and removed article files to the index (incremental).

    Unchanged files are skipped without being read; files deleted from an indexed folder
    are removed from the index. Files that cannot be read are reported and skipped.
    """
    from monitor_search.index.indexer import IndexInterrupted, update_index
    from monitor_search.index.store import shown
    from monitor_search.output.progress import IndexProgress

    global _wrote
    _wrote = True
    target = index_dir_of(index_dir)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops as cleanly as Ctrl-C
    signal.signal(signal.SIGINT, _interrupt)
    sys.unraisablehook = _unraisable

    def advance(count: int) -> None:
        _stop_if_interrupted()
        progress.advance(count)

    try:
        with IndexProgress(enabled=not quiet and sys.stderr.isatty()) as progress:
            report = update_index(
                [str(p) for p in paths],
                target,
                rebuild=rebuild,
                wait_seconds=wait,
                on_wait=lambda: stderr_line(
                    f"waiting for another 'msearch index' on {shown(target)}…"
                ),
                on_start=progress.start,
                on_phase=progress.phase,
                on_done=advance,
                on_skip=lambda path, reason: progress.note(f"msearch: skipped {path}: {reason}"),
            )
    except Exception:
        # An interruption in the middle of a commit can surface as another error (a
        # half-closed writer, a cancelled worker); the user pressed Ctrl-C: say that.
        if _interrupted:
            raise IndexInterrupted() from None
        raise
    if _interrupted:  # the interruption was swallowed after the last file
        raise IndexInterrupted()
    for missing in report.missing:
        stderr_line(f"{missing}: no such file or folder")
    if not quiet:
        print(
            f"indexed {articles(report.total)}: {report.new:,} new, {report.updated:,} updated, "
            f"{report.unchanged:,} unchanged, "
            + (f"{report.moved:,} moved, " if report.moved else "")
            + f"{report.removed:,} removed, "
            f"{len(report.skipped):,} skipped, in {report.seconds:.1f} s ({shown(target)})",
            file=sys.stderr,
        )
    raise typer.Exit(EXIT_ERROR if report.missing else EXIT_FOUND)


@app.command(
    short_help="Search: ranked hits with highlighted passages.",
    epilog=examples(
        "msearch query 'Collective Security Treaty'",
        "msearch query '\"Caspian pipeline\" Baku' --from 1998 --to 2001 --sort newest",
        "msearch query Chechnya --facet year --facet publication -n 5",
        "msearch query Shevardnadze --paths | xargs wc -w",
        "msearch query 'oil -Russia' --json | jq '.hits[].title'",
        "msearch query Gazprom --csv -n 100 > gazprom.csv",
    ),
)
def query(
    text: Annotated[str, typer.Argument(help=QUERY_HELP, show_default=False)],
    index_dir: IndexOption = None,
    limit: LimitOption = 10,
    offset: OffsetOption = 0,
    json_out: JsonOption = False,
    jsonl: JsonlOption = False,
    csv_out: CsvOption = False,
    brief: BriefOption = False,
    paths: PathsOption = False,
    count: Annotated[
        bool,
        typer.Option(
            "--count",
            "-c",
            help="Print only how many articles match (with all the words; with --any, any), "
            "as grep -c does: nothing is ranked.",
        ),
    ] = False,
    publication: PublicationOption = None,
    year: YearOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    volume: VolumeOption = None,
    issue: IssueOption = None,
    source: SourceOption = None,
    sort: SortOption = Sort.relevance,
    match_any: AnyOption = False,
    facet: Annotated[
        Optional[list[Facet]],  # noqa: UP045
        typer.Option(
            help="Count all matches per publication, year or source (repeatable).",
            show_default=False,
        ),
    ] = None,
    color: ColorOption = Color.auto,
    no_pager: NoPagerOption = False,
) -> None:
    """Search the index: ranked hits with highlighted passages (or JSON)."""
    from monitor_search.model import Filters
    from monitor_search.search.searcher import search

    one_format(json_out, jsonl, csv=csv_out, brief=brief, paths=paths)
    filters = Filters(publication, year, date_from, date_to, volume, issue, source)
    if count:
        formats = (jsonl, csv_out, brief, paths)
        _print_count(index_dir_of(index_dir), text, filters, match_any, json_out, facet, formats)
    facets = tuple(f.value for f in facet or ())
    try:
        result = search(
            index_dir_of(index_dir),
            text,
            limit=limit,
            filters=filters,
            sort=sort.value,
            facets=facets,
            match_any=match_any,
            offset=offset,
            passages=not (paths or brief),
        )
    except UnknownPublication:
        if json_out or csv_out:  # tools reading the output still get a (empty) result
            from monitor_search.model import SearchResult

            empty = SearchResult(text, 0, total_any=0, offset=offset)
            if json_out:
                print_hits(empty, True, False, Display())
            else:
                print_lines(empty, csv=True, brief=False)
        raise
    display = Display(color, no_pager)
    if paths or csv_out or brief:
        print_lines(result, csv=csv_out, brief=brief, display=display)
    else:
        print_hits(result, json_out, jsonl, display)
    raise typer.Exit(EXIT_FOUND if result.hits else EXIT_NOT_FOUND)


def _print_count(
    index_dir: Path, text: str, filters, match_any: bool, json_out: bool, facet, formats
) -> None:
    """``query --count``: the number alone on stdout (with ``--json``, in an object with the
    query); exits 0 if any article matches, 1 if none does."""
    from monitor_search.search.searcher import count_matches

    if facet or any(formats):
        raise MsearchError(
            "--count prints how many articles match (with --json, in an object): "
            "leave out --facet, --jsonl, --csv, --brief and --paths"
        )
    try:
        found = count_matches(index_dir, text, filters=filters, match_any=match_any)
    except UnknownPublication:
        _write_count(text, 0, json_out)  # as grep -c prints 0
        raise
    _write_count(text, found, json_out)
    if not found:
        from monitor_search.search.query import ignored_words, plain_ranking

        ignored = ignored_words(text)
        if ignored and plain_ranking(text).is_empty:
            print_only_stop_words(ignored)
    raise typer.Exit(EXIT_FOUND if found else EXIT_NOT_FOUND)


def _write_count(text: str, found: int, json_out: bool) -> None:
    if json_out:
        from monitor_search.output.json import write_json

        write_json({"query": text, "total": found}, sys.stdout)
    else:
        print(found)


@app.command(
    short_help="Articles like a given one.",
    epilog=examples("msearch similar 11db9a0410e5", "msearch similar 11db9a0410e5 -n 3 --jsonl"),
)
def similar(
    article_id: Annotated[
        str, typer.Argument(metavar="ID", help="An article id from 'msearch query'.")
    ],
    index_dir: IndexOption = None,
    limit: LimitOption = 10,
    json_out: JsonOption = False,
    jsonl: JsonlOption = False,
    color: ColorOption = Color.auto,
    no_pager: NoPagerOption = False,
) -> None:
    """The articles most like article ID (sharing its most telling words), never ID itself."""
    from monitor_search.search.searcher import similar as find_similar

    one_format(json_out, jsonl)
    result = find_similar(index_dir_of(index_dir), article_id, limit=limit)
    print_hits(result, json_out, jsonl, Display(color, no_pager), similar_to=article_id)
    raise typer.Exit(EXIT_FOUND if result.hits else EXIT_NOT_FOUND)


@app.command(
    short_help="Matching articles per year or month, as bars.",
    epilog=examples(
        "msearch timeline 'Collective Security Treaty'",
        "msearch timeline Shevardnadze --by month --from 1998 --to 1999",
        "msearch timeline Kadyrov --json | jq '.buckets[]'",
    ),
)
def timeline(
    text: Annotated[str, typer.Argument(help=QUERY_HELP, show_default=False)],
    index_dir: IndexOption = None,
    by: Annotated[Period, typer.Option(help="Count per year or per month.")] = Period.year,
    json_out: JsonOption = False,
    publication: PublicationOption = None,
    source: SourceOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    match_any: AnyOption = False,
    color: ColorOption = Color.auto,
    no_pager: NoPagerOption = False,
) -> None:
    """How many matching articles appeared per year (or month): a bar chart, or JSON."""
    from monitor_search.model import Filters
    from monitor_search.search.searcher import count_timeline

    filters = Filters(publication=publication, date_from=date_from, date_to=date_to, source=source)
    total, counts = count_timeline(
        index_dir_of(index_dir), text, by=by.value, filters=filters, match_any=match_any
    )
    if json_out:
        from monitor_search.output.json import timeline_object, write_json

        write_json(timeline_object(text, total, counts), sys.stdout)
    else:
        from monitor_search.output.terminal import print_timeline

        with Display(color, no_pager).paged() as out:
            print_timeline(counts, out)
    raise typer.Exit(EXIT_FOUND if total else EXIT_NOT_FOUND)


@app.command(
    short_help="Every article as JSON lines.",
    epilog=examples(
        "msearch export > archive.jsonl", "msearch export | jq -r 'select(.year == 1999) | .title'"
    ),
)
def export(
    index_dir: IndexOption = None,
    jsonl: Annotated[
        bool,
        typer.Option(
            "--jsonl", help="JSON lines: the format export always writes (saying so is optional)."
        ),
    ] = False,
) -> None:
    """Every article with its metadata and body, one JSON object per line."""
    from monitor_search.output.json import article_object, write_lines
    from monitor_search.search.catalog import iter_articles

    count = 0
    for article in iter_articles(index_dir_of(index_dir)):
        write_lines([article_object(article)], sys.stdout)
        count += 1
    raise typer.Exit(EXIT_FOUND if count else EXIT_NOT_FOUND)


@app.command(
    short_help="One whole article, a query's words highlighted.",
    epilog=examples(
        "msearch show 11db9a0410e5",
        "msearch show 11db9a0410e5 --query 'security treaty'",
        "msearch show seeds/000_b427728f8c5f3a6a.txt --json | jq -r .body",
    ),
)
def show(
    article_id: Annotated[
        str,
        typer.Argument(
            metavar="ID", help="An article id from 'msearch query' (or the article's path)."
        ),
    ],
    index_dir: IndexOption = None,
    query_text: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--query",
            metavar="TEXT",
            help="Highlight this query's words (or phrases) in the article, as in the hits.",
            show_default=False,
        ),
    ] = None,
    json_out: JsonOption = False,
    color: ColorOption = Color.auto,
    no_pager: NoPagerOption = False,
) -> None:
    """Print one whole article: metadata and body, without the publisher's footer."""
    from monitor_search.model import MarkedArticle

    if query_text is None:
        from monitor_search.search.catalog import get_article

        shown = MarkedArticle.unmarked(get_article(index_dir_of(index_dir), article_id))
    else:
        from monitor_search.search.searcher import marked_article

        shown = marked_article(index_dir_of(index_dir), article_id, query_text)
    if json_out:
        from monitor_search.output.json import article_object, marked_article_object, write_json

        marked = query_text is not None
        write_json(
            marked_article_object(shown) if marked else article_object(shown.article), sys.stdout
        )
    else:
        from monitor_search.output.terminal import print_article

        with Display(color, no_pager).paged() as out:
            print_article(shown, out)
    if query_text is not None and not (shown.title.highlights or shown.body.highlights):
        stderr_line("none of the query's words are in this article")


@app.command(
    short_help="What the index holds: articles, size, publications, years.",
    epilog=examples("msearch stats", "msearch stats --json | jq .publications"),
)
def stats(
    index_dir: IndexOption = None,
    json_out: JsonOption = False,
    color: ColorOption = Color.auto,
    no_pager: NoPagerOption = False,
) -> None:
    """How many articles the index holds, its size, last run, publications and years."""
    from monitor_search.search.catalog import index_stats

    result = index_stats(index_dir_of(index_dir))
    if json_out:
        from monitor_search.output.json import stats_object, write_json

        write_json(stats_object(result), sys.stdout)
    else:
        from monitor_search.output.terminal import print_stats

        with Display(color, no_pager).paged() as out:
            print_stats(result, out)


@app.command(
    short_help="Browse the archive in the terminal: query, hits, articles, facets.",
    epilog=examples(
        "msearch browse",
        "msearch browse 'Collective Security Treaty'",
        "msearch browse Chechnya --from 1999 --sort newest",
    ),
)
def browse(
    text: Annotated[
        Optional[str],  # noqa: UP045
        typer.Argument(
            help="A query to start with (as 'msearch query' takes it).", show_default=False
        ),
    ] = None,
    index_dir: IndexOption = None,
    publication: PublicationOption = None,
    year: YearOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    volume: VolumeOption = None,
    issue: IssueOption = None,
    source: SourceOption = None,
    sort: SortOption = Sort.relevance,
    match_any: AnyOption = False,
) -> None:
    """Browse the index interactively. Keys: Enter runs the query / opens the selected
    article; Up/Down or j/k move; s lists articles similar to the selected one; o changes
    the order; a switches between all the words and any of them; Tab reaches the facets
    (Enter on a value narrows the query, again widens it); Escape goes back; / returns to
    the query box; q or Ctrl-C quits. NO_COLOR is followed."""
    from monitor_search.browse import browse as run_browser
    from monitor_search.model import Filters

    filters = Filters(publication, year, date_from, date_to, volume, issue, source)
    run_browser(
        index_dir_of(index_dir), text, filters=filters, sort=sort.value, match_any=match_any
    )


app.add_typer(
    saved_app, short_help="Saved searches: add, list, run (--new: only new articles), remove."
)


def _version_callback(value: bool) -> None:
    if value:
        print(f"msearch {__version__}")
        raise typer.Exit(EXIT_FOUND)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """Full-text search for archives of Jamestown Foundation articles."""


def run() -> None:
    """The ``msearch`` console script: ``main``, then the exit.

    Only here, in the executable, do the modules msearch never uses load on demand
    (``engine.deferred``): a program that imports msearch as a library gets them as they are.

    Python's own shutdown tears down every module and object, a noticeable part of a short
    query's run. A command that only read the index has nothing left to finish once its
    output is flushed, so the process ends there (``os._exit``); ``msearch index`` exits the
    usual way, its writing processes and files shut down in order.
    """
    deferred.install()
    code = main()
    if _wrote:
        sys.exit(code)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _reader_gone()
    with contextlib.suppress(OSError):
        sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return a grep-like exit code (``run`` exits with it)."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="msearch", standalone_mode=False)
        return result if isinstance(result, int) else EXIT_FOUND
    except MsearchError as error:
        stderr_line(str(error))
        return error.exit_code
    except typer.Exit as done:
        return done.exit_code
    except (KeyboardInterrupt, typer.Abort):
        stderr_line("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return _reader_gone()
    except OSError as error:
        if error.errno not in _OUTPUT_FAILURES:
            return _internal_error(error)
        stderr_line(f"cannot write the output: {error.strerror}")
        return EXIT_ERROR
    except SystemExit:
        from click.utils import PacifyFlushWrapper

        if isinstance(sys.stdout, PacifyFlushWrapper):  # Click's sys.exit(1) on a closed pipe
            return _reader_gone()
        raise
    except Exception as error:
        if hasattr(error, "show") and hasattr(error, "exit_code"):  # usage error from the parser
            error.show()
            return error.exit_code
        return _internal_error(error)


_OUTPUT_FAILURES = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}
"""Errors of writing the output (``> /dev/full``), not faults of msearch."""


def _internal_error(error: Exception) -> int:
    """A fault of msearch: one line that asks for a report (MSEARCH_DEBUG=1: the traceback)."""
    stderr_line(
        f"internal error: {type(error).__name__}: {error} (please report this; "
        "MSEARCH_DEBUG=1 shows where it happened)"
    )
    if os.environ.get("MSEARCH_DEBUG"):
        raise error
    return EXIT_ERROR


def _reader_gone() -> int:
    """The reader of our output went away (``msearch query ... | head``): stop quietly."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_FOUND
