"""``msearch saved``: add, list, run and remove saved searches (``search.saved``).

No ``from __future__ import annotations``: Typer reads these annotations on every run.
"""

import sys
from typing import Annotated, Optional

import typer

from monitor_search.cli.options import (
    AnyOption,
    BriefOption,
    Color,
    ColorOption,
    CsvOption,
    FromOption,
    IndexOption,
    IssueOption,
    JsonlOption,
    JsonOption,
    NoPagerOption,
    PathsOption,
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
    EXIT_NOT_FOUND,
    Display,
    articles,
    one_format,
    print_hits,
    print_lines,
    stderr_line,
)

saved_app = typer.Typer(
    name="saved",
    help=(
        "Searches kept under a name, to run again: 'saved run NAME --new' lists only the "
        "matching articles it has not shown before. They live in the index folder."
    ),
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)

NameArgument = Annotated[
    str, typer.Argument(metavar="NAME", help="The saved search's name.", show_default=False)
]


@saved_app.command(
    short_help="Save a query and its filters under a name.",
    epilog=examples(
        "msearch saved add chechnya 'Chechnya Kadyrov'",
        "msearch saved add caspian '\"Caspian pipeline\"' --publication 'Eurasia Daily Monitor'",
        "msearch saved add gazprom Gazprom --from 2005 --sort newest --replace",
    ),
)
def add(
    name: NameArgument,
    text: Annotated[
        str, typer.Argument(help="The query, as 'msearch query' takes it.", show_default=False)
    ],
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
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace a saved search of the same name.")
    ] = False,
) -> None:
    """Save TEXT (with the filters given) as NAME. What it matches now counts as seen: 'saved
    run NAME --new' lists the matching articles indexed from now on."""
    from monitor_search.model import Filters
    from monitor_search.search.saved import add_saved

    filters = Filters(publication, year, date_from, date_to, volume, issue, source)
    ran = add_saved(
        index_dir_of(index_dir),
        name,
        text,
        filters=filters,
        match_any=match_any,
        sort=sort.value,
        replace=replace,
    )
    if ran.result is None:  # a publication not indexed yet
        stderr_line(f"saved {name!r}, though {ran.error}: its articles will all be new")
        return
    total = ran.result.total
    print(
        f"saved {name!r}: {articles(total)} {'matches' if total == 1 else 'match'} now; "
        f"'msearch saved run {name} --new' lists those indexed from now on",
        file=sys.stderr,
    )


@saved_app.command(
    name="list",
    short_help="The saved searches, their queries and last runs.",
    epilog=examples("msearch saved list", "msearch saved list --json | jq -r '.[].name'"),
)
def list_(index_dir: IndexOption = None, json_out: JsonOption = False) -> None:
    """Every saved search: name, query and options, when it last ran, articles it has seen."""
    from monitor_search.search.saved import list_saved

    searches = list_saved(index_dir_of(index_dir))
    if json_out:
        from monitor_search.output.json import saved_object, write_json

        write_json([saved_object(saved) for saved in searches], sys.stdout)
    elif searches:
        from monitor_search.output.lines import write_saved

        write_saved(searches, sys.stdout)
    else:
        print("no saved searches: 'msearch saved add NAME TEXT' saves one", file=sys.stderr)
    raise typer.Exit(EXIT_FOUND if searches else EXIT_NOT_FOUND)


@saved_app.command(
    short_help="Run a saved search (or all); --new: only articles indexed since.",
    epilog=examples(
        "msearch saved run chechnya",
        "msearch saved run chechnya --new --brief",
        "msearch saved run --all --new",
        "msearch saved run --all --new --jsonl | jq -r '[.saved, .title] | @tsv'",
    ),
)
def run(
    name: Annotated[
        Optional[str],  # noqa: UP045
        typer.Argument(
            metavar="[NAME]", help="The saved search to run (or --all).", show_default=False
        ),
    ] = None,
    index_dir: IndexOption = None,
    run_all: Annotated[bool, typer.Option("--all", help="Run every saved search.")] = False,
    new: Annotated[
        bool,
        typer.Option(
            "--new",
            help="Only the matching articles this search has not shown before (every one, "
            "unless -n is given); they are then marked seen.",
        ),
    ] = False,
    limit: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            "--limit",
            "-n",
            min=1,
            help="How many hits to show per search. Default: 10, or every one with --new "
            "(those not shown stay new).",
            show_default=False,
        ),
    ] = None,
    json_out: JsonOption = False,
    jsonl: JsonlOption = False,
    csv_out: CsvOption = False,
    brief: BriefOption = False,
    paths: PathsOption = False,
    color: ColorOption = Color.auto,
    no_pager: NoPagerOption = False,
) -> None:
    """Run saved search NAME (or every one, --all) and print its hits as 'msearch query'
    would. A --new run marks the hits it printed as seen: the next lists only the others."""
    from monitor_search.search.saved import run_all_saved, run_saved

    one_format(json_out, jsonl, csv=csv_out, brief=brief, paths=paths)
    if (name is None) == (not run_all):
        raise typer.BadParameter("give the NAME of a saved search, or --all (not both)")
    if limit is None and not new:
        limit = 10
    target = index_dir_of(index_dir)
    if not run_all:
        ran = run_saved(target, name, new_only=new, limit=limit)
        if paths or csv_out or brief:
            display = Display(color, no_pager)
            kind = "new " if new else ""
            print_lines(ran.result, csv=csv_out, brief=brief, display=display, kind=kind)
        else:
            display = Display(color, no_pager)
            print_hits(ran.result, json_out, jsonl, display, about=_about(ran))
        _record(target, [ran])
        raise typer.Exit(EXIT_FOUND if ran.result.hits else EXIT_NOT_FOUND)
    runs = run_all_saved(target, new_only=new, limit=limit)
    if not runs:
        stderr_line("no saved searches: 'msearch saved add NAME TEXT' saves one")
        raise typer.Exit(EXIT_NOT_FOUND)
    _print_runs(
        runs,
        json_out=json_out,
        jsonl=jsonl,
        csv=csv_out,
        brief=brief,
        paths=paths,
        display=Display(color, no_pager),
    )
    _record(target, runs)
    for ran in runs:
        if ran.error:
            stderr_line(f"saved search {ran.search.name!r}: {ran.error}")
    if any(ran.error for ran in runs):
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_FOUND if any(ran.result.hits for ran in runs) else EXIT_NOT_FOUND)


def _record(target, runs) -> None:
    """Mark what was shown as seen, once it is all written out: output that fails (a full
    disk, a reader gone) leaves the saved searches as they were."""
    from monitor_search.search.saved import record_runs

    sys.stdout.flush()
    record_runs(target, runs)


def _about(ran) -> dict:
    """What the JSON of a saved search's run says before its result."""
    return {"saved": ran.search.name, "new_only": ran.new_only, "error": ran.error}


def _print_runs(runs, *, json_out, jsonl, csv, brief, paths, display: Display) -> None:
    """Every run's hits, in one format: a heading per saved search (but for paths alone),
    one JSON object holding them all, JSON lines and CSV rows naming their saved search."""
    if json_out or jsonl:
        from monitor_search.output.json import hit_object, result_object, write_json, write_lines

        if jsonl:
            hits = [(ran.search.name, hit) for ran in runs if ran.result for hit in ran.result.hits]
            write_lines(({"saved": name, **hit_object(hit)} for name, hit in hits), sys.stdout)
            return
        write_json(
            {
                "saved": [
                    {**_about(ran), "result": result_object(ran.result) if ran.result else None}
                    for ran in runs
                ]
            },
            sys.stdout,
        )
        return
    if csv:
        from monitor_search.output.csv import write_csv

        rows = [(ran.search.name, hit) for ran in runs if ran.result for hit in ran.result.hits]
        write_csv([hit for _, hit in rows], sys.stdout, saved=[name for name, _ in rows])
        return
    if paths:
        from monitor_search.output.lines import write_paths

        hits = {hit.path: hit for ran in runs if ran.result for hit in ran.result.hits}
        write_paths(hits.values(), sys.stdout)  # each article once
        return
    if brief:
        from monitor_search.output.lines import saved_heading, write_brief

        for ran in _worth_showing(runs):
            sys.stdout.write(saved_heading(ran.search, _found(ran)) + "\n")
            write_brief(ran.result.hits if ran.result else (), sys.stdout)
        return
    from monitor_search.output.terminal import print_saved_runs

    with display.paged() as out:
        shown = [(ran.search, _found(ran), ran.result) for ran in _worth_showing(runs)]
        print_saved_runs(shown, out)


def _worth_showing(runs) -> list:
    """The runs to print a heading for: all of them, but for ``--new`` those with nothing
    new (a daily cron job then prints nothing, and mails nothing, on a quiet day)."""
    return [ran for ran in runs if not ran.new_only or ran.error or ran.result.total]


def _found(ran) -> str:
    """``3 new articles``, ``no new articles``, ``12 articles``, or why it could not run."""
    if ran.error:
        return f"cannot run: {ran.error}"
    kind = "new " if ran.new_only else ""
    total = ran.result.total
    return articles(total, kind) if total else f"no {kind}articles"


@saved_app.command(
    short_help="Forget a saved search.",
    epilog=examples("msearch saved remove chechnya", "msearch saved remove gazprom -i ~/idx"),
)
def remove(name: NameArgument, index_dir: IndexOption = None) -> None:
    """Forget saved search NAME (the index itself is not touched)."""
    from monitor_search.search.saved import remove_saved

    remove_saved(index_dir_of(index_dir), name)
    print(f"removed saved search {name!r}", file=sys.stderr)
