"""The options and arguments the commands share: their names, help and completion.

No ``from __future__ import annotations``: Typer reads these annotations on every run.
"""

import os
import re
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


class Sort(str, Enum):
    relevance = "relevance"
    newest = "newest"
    oldest = "oldest"
    date = "date"


class Facet(str, Enum):
    publication = "publication"
    year = "year"
    source = "source"


class Period(str, Enum):
    year = "year"
    month = "month"


IndexOption = Annotated[
    Optional[Path],  # noqa: UP045 - Typer needs Optional on Python 3.10
    typer.Option(
        "--index",
        "-i",
        metavar="DIR",
        help="Index folder. Default: $MSEARCH_INDEX, else ./index.",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object (see README).")]
JsonlOption = Annotated[
    bool, typer.Option("--jsonl", help="Print one JSON object per hit, one per line.")
]
LimitOption = Annotated[int, typer.Option("--limit", "-n", min=1, help="How many hits to show.")]
OffsetOption = Annotated[
    int,
    typer.Option(
        "--offset", min=0, metavar="N", help="Skip the N best hits: the next page (-n per page)."
    ),
]
PathsOption = Annotated[
    bool,
    typer.Option(
        "--paths", "-l", help="Print only the path of each hit, one per line (for xargs, rg)."
    ),
]
CsvOption = Annotated[
    bool,
    typer.Option("--csv", help="Print a CSV header and one row per hit (the JSON hit fields)."),
]
BriefOption = Annotated[
    bool,
    typer.Option("--brief", help="Print one line per hit: rank, date, publication, headline, id."),
]


def complete_publication(ctx: typer.Context) -> list[str]:
    """Shell completion of ``--publication``: the publications the index has (Typer keeps
    those that start with what is typed)."""
    from monitor_search.search.catalog import UNKNOWN_PUBLICATION, index_stats

    try:
        names = index_stats(index_dir_of(ctx.params.get("index_dir"))).publications
    except Exception:  # no index, or a damaged one: nothing to offer
        return []
    known = [name for name in names if name != UNKNOWN_PUBLICATION]
    if os.environ.get("_MSEARCH_COMPLETE") == "complete_bash":  # bash inserts them as they are
        return [re.sub(r"([^\w./-])", r"\\\1", name) for name in known]
    return known


PublicationOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        help="Only this publication (e.g. 'Eurasia Daily Monitor').",
        show_default=False,
        autocompletion=complete_publication,
    ),
]
SourceOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        help="Only articles that name this source (e.g. Interfax; case aside), as "
        "'--facet source' counts them.",
        show_default=False,
    ),
]
YearOption = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option(help="Only articles of this year.", show_default=False),
]
FromOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--from",
        metavar="DATE",
        help="Only articles dated on or after DATE (1999, 1999-02 or 1999-02-05).",
        show_default=False,
    ),
]
ToOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--to",
        metavar="DATE",
        help="Only articles dated on or before DATE (1999, 1999-02 or 1999-02-05).",
        show_default=False,
    ),
]
VolumeOption = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option(help="Only this volume.", show_default=False),
]
IssueOption = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option(help="Only this issue.", show_default=False),
]
ColorOption = Annotated[
    Color,
    typer.Option(
        "--color",
        help="Colours: auto (in a terminal, unless $NO_COLOR is set), always, or never.",
    ),
]
NoPagerOption = Annotated[
    bool,
    typer.Option(
        "--no-pager",
        help="Print straight to the terminal; else text longer than the screen goes through "
        "$MSEARCH_PAGER, $PAGER or 'less -R' (never when piped).",
    ),
]
SortOption = Annotated[
    Sort,
    typer.Option(help="relevance, newest or oldest (date = newest); undated articles come last."),
]
QUERY_HELP = (
    "What to find. Plain words find the articles with all of them (in relevance order "
    "followed by those with some); -word leaves articles out, +word requires a word, "
    'word~ finds similar spellings. Query syntax works too: AND, OR, NOT, "exact phrase", '
    '"near words"~5, wildcards (Chechn*), fields (title:, body:, publication:, source:, '
    "year:, volume:, issue:) and ranges (year:[1998 TO 2000])."
)
AnyOption = Annotated[
    bool,
    typer.Option(
        "--any", help="Articles with any of the words match (count, dates, facets), not all."
    ),
]


def examples(*commands: str) -> str:
    """A command's ``--help`` epilog: its examples, one per line."""
    return "\n\n".join(("Examples:", *(f"$ {command}" for command in commands)))


def index_dir_of(option: Path | None) -> Path:
    from monitor_search.index.store import resolve_index_dir

    return resolve_index_dir(option)
