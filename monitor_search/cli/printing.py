"""Results to stdout in the format the options chose; counts and messages to stderr."""

import sys
from dataclasses import dataclass

from monitor_search.cli.options import Color
from monitor_search.errors import MsearchError

EXIT_FOUND, EXIT_NOT_FOUND, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130


def articles(count: int, kind: str = "") -> str:
    """``1 article``, ``5,019 articles``; ``kind`` goes before the noun (``2 similar articles``)."""
    return f"{count:,} {kind}article" if count == 1 else f"{count:,} {kind}articles"


def stderr_line(message: str, prefix: str = "msearch: ") -> None:
    """One line on stderr, with anything taken from articles or file names made inert."""
    from monitor_search.output.inert import inert_line

    print(prefix + inert_line(message), file=sys.stderr)


@dataclass(frozen=True)
class Display:
    """How text goes to the terminal: ``--color`` and ``--no-pager``."""

    color: Color = Color.auto
    no_pager: bool = False

    def paged(self):
        """A console for stdout, through the pager when the text needs one."""
        from monitor_search.output.pager import paged

        return paged(self.color.value, enabled=not self.no_pager)


def print_lines(
    result, *, csv: bool, brief: bool, display: Display | None = None, kind: str = ""
) -> None:
    """Paths, CSV rows or brief lines on stdout; with brief lines (which go through the
    pager as other text does), the count on stderr."""
    if csv:
        from monitor_search.output.csv import write_csv

        write_csv(result.hits, sys.stdout)
        return
    from monitor_search.output.lines import write_brief, write_paths

    if not brief:
        write_paths(result.hits, sys.stdout)
        return
    with (display or Display()).paged() as out:
        write_brief(result.hits, out.file)
    print(shown_line(result, kind) if result.hits else f"no {kind}articles match", file=sys.stderr)


def one_format(json_out: bool, jsonl: bool, **others: bool) -> None:
    chosen = {"json": json_out, "jsonl": jsonl, **others}
    if sum(chosen.values()) > 1:
        names = [f"--{name}" for name in chosen]
        raise MsearchError(f"choose one of {', '.join(names[:-1])} and {names[-1]}")


def print_hits(
    result, json_out: bool, jsonl: bool, display: Display, similar_to=None, *, about=None
) -> None:
    """The hits in the format chosen, and on stderr how many were shown of how many.
    ``about`` (a saved search's run) goes first in the JSON object; its hits count as new
    ones when it lists only those."""
    if json_out or jsonl:
        from monitor_search.output.json import hit_object, result_object, write_json, write_lines

        if jsonl:
            write_lines((hit_object(hit) for hit in result.hits), sys.stdout)
        else:
            write_json({**(about or {}), **result_object(result, similar_to)}, sys.stdout)
        return
    from monitor_search.output.terminal import print_results

    with display.paged() as out:
        print_results(result, out)
    kind = "new " if about and about.get("new_only") else ""
    if result.suggestion:
        stderr_line(f"Did you mean: {result.suggestion}?", prefix="")
    if result.hits and similar_to:
        print(f"{articles(len(result.hits), 'similar ')} shown", file=sys.stderr)
    elif result.hits:
        print(shown_line(result, kind), file=sys.stderr)
    elif result.nothing_to_search and result.ignored:
        print_only_stop_words(result.ignored)
    else:
        print(f"no {kind}articles match", file=sys.stderr)


def print_only_stop_words(ignored: list[str]) -> None:
    words = ", ".join(ignored)
    stderr_line(f"every word of the query is a stop word ({words}): nothing to search")


def shown_line(result, kind: str = "") -> str:
    """``10 of 156 articles shown``, and how many more have only some of the words; ``kind``
    goes before the noun (``3 of 3 new articles shown``)."""
    some_only = (result.total if result.total_any is None else result.total_any) - result.total
    shown = f"{len(result.hits)}"
    if result.offset:  # a later page: which ranks it shows
        shown = f"{result.offset + 1:,}-{result.offset + len(result.hits):,}"
    if result.any_words:
        return f"{shown} of {articles(result.total, kind)} with any of the words shown"
    if any(hit.matched == "some" for hit in result.hits):
        return (
            f"{shown} shown: {articles(result.total, kind)} with all the words, "
            f"{some_only:,} more with only some"
        )
    line = f"{shown} of {articles(result.total, kind)} shown"
    if some_only > 0:
        line += f" ({some_only:,} more have only some of the words)"
    return line
