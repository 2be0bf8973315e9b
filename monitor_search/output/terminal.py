"""Print results for people, in the terminal, with Rich.

Article text is data: it is always wrapped in ``rich.text.Text`` (never parsed as markup), and
control characters are made visible before they can reach the terminal. Rich itself drops
colour when stdout is not a terminal or ``NO_COLOR`` is set.
"""

from __future__ import annotations

import os
import sys
from typing import IO

from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from monitor_search.model import (
    Fragment,
    Hit,
    IndexStats,
    MarkedArticle,
    SavedSearch,
    SearchResult,
    StoredArticle,
    Timeline,
)
from monitor_search.output.inert import inert

MATCH_STYLE = "bold black on yellow"
TITLE_STYLE = "bold"
META_STYLE = "cyan"
DIM_STYLE = "dim"
BAR_STYLE = "green"


class _Console(Console):
    """Rich's console, but a reader that went away (``msearch query ... | head``) ends the
    command through ``BrokenPipeError``, which the CLI turns into a quiet exit 0; Rich's own
    ``on_broken_pipe`` exits with 1, the code for "nothing found"."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


COLOR_CHOICES = ("auto", "always", "never")
"""``--color``: auto colours a terminal unless ``NO_COLOR`` is set; always colours (and
styles) any output, ``NO_COLOR`` or not; never prints no escape codes at all."""


def console(
    stderr: bool = False,
    color: str = "auto",
    file: IO[str] | None = None,
    terminal_width: int | None = None,
) -> Console:
    """A console for stdout (or stderr). Lines are wrapped (indented) only on a terminal;
    piped, each item stays one line. Output to ``file`` is laid out as for a terminal
    ``terminal_width`` columns wide (text on its way to a pager)."""
    stream = sys.stderr if stderr else sys.stdout
    as_terminal = terminal_width is not None
    colours: dict = {}
    if color == "always" or (as_terminal and color == "auto"):
        colours["force_terminal"] = True
    if color == "always":
        colours["no_color"] = False
    elif color == "never":
        colours["color_system"] = None
    return _Console(
        file=file or stream,
        width=terminal_width,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=not (as_terminal or stream.isatty()),
        **colours,
    )


def marked(fragment: Fragment, base_style: str = "") -> Text:
    """A fragment as Rich text, its matched words in ``MATCH_STYLE``."""
    text = Text(inert(fragment.text), style=base_style)
    for start, end in fragment.highlights:
        text.stylize(MATCH_STYLE, start, end)
    return text


SOME_WORDS_LINE = "── articles with only some of the words ──"


def some_words_start(hits: list[Hit]) -> int | None:
    """Where the articles with only some of the words begin, when they all come after
    those with all of them (relevance order); None when there is no such line to draw."""
    for position, hit in enumerate(hits):
        if hit.matched == "some":
            rest = hits[position:]
            return position if all(later.matched == "some" for later in rest) else None
    return None


def print_results(result: SearchResult, out: Console) -> None:
    divider = some_words_start(result.hits)
    for position, hit in enumerate(result.hits):
        if position == divider:
            out.print(Text(SOME_WORDS_LINE, style=DIM_STYLE))
            out.print()
        out.print(hit_heading(hit))
        details = hit_details(hit)
        if not out.soft_wrap:  # a terminal: wrapped lines stay indented
            out.print(Padding(Group(*details), (0, 0, 1, 4)))
        else:  # no padding to the console width, no wrapping: one line per item
            for line in details:
                out.print(Text("    ").append_text(line))
            out.print()
    if result.facets:
        print_facets(result.facets, out)


def print_facets(facets: dict[str, dict[str, int]], out: Console) -> None:
    """One small table per facet: value and number of matching articles."""
    for name, counts in facets.items():
        table = Table(title=f"by {name}", title_justify="left", box=None, pad_edge=False)
        table.add_column(name, style=META_STYLE)
        table.add_column("articles", justify="right")
        for value, count in counts.items():
            table.add_row(Text(inert(value)), f"{count:,}")
        out.print(table)
        out.print()


def print_timeline(timeline: Timeline, out: Console) -> None:
    """A horizontal bar chart: one line per period, bar length proportional to the count."""
    rows = list(timeline.buckets)
    if timeline.undated:
        rows.append(("no year" if timeline.by == "year" else "no exact date", timeline.undated))
    label_width = max((len(label) for label, _ in rows), default=0)
    count_width = max((len(f"{count:,}") for _, count in rows), default=0)
    widest = max((count for _, count in timeline.buckets), default=0)
    room = max(10, min(60, out.width - label_width - count_width - 4))
    for index, (label, count) in enumerate(rows):
        line = Text(label.ljust(label_width), style=META_STYLE)
        line.append(f"  {count:>{count_width},}  ")
        if index < len(timeline.buckets):
            line.append(bar(count, widest, room), style=BAR_STYLE)
        line.rstrip()
        out.print(line)


def bar(count: int, widest: int, room: int) -> str:
    """A bar in eighths of a character, so small differences still show."""
    if not widest or not count:
        return ""
    eighths = max(1, round(count / widest * room * 8))
    return "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8]


def hit_heading(hit: Hit) -> Text:
    heading = Text(f"{hit.rank:>2}. ", style=TITLE_STYLE)
    if hit.title:
        heading.append_text(marked(hit.title_fragment, TITLE_STYLE))
    else:
        heading.append("(untitled)", style=DIM_STYLE)
    return heading


def hit_details(hit: Hit) -> list[Text]:
    """The lines under a hit's heading: metadata with score and id, path, passages."""
    meta = Text(inert(metadata_line(hit)), style=META_STYLE)
    meta.append(f"  score {hit.score:.2f}  id {hit.id}", style=DIM_STYLE)
    lines: list[Text] = [meta, Text(inert(display_path(hit.path)), style=DIM_STYLE)]
    for fragment in hit.fragments:
        line = Text("" if fragment.starts_article else "…")
        line.append_text(marked(_trimmed(fragment)))
        line.append("" if fragment.ends_article else "…")
        lines.append(line)
    return lines


def _trimmed(fragment: Fragment) -> Fragment:
    """The fragment with surrounding white space removed, highlight offsets kept in step."""
    leading = len(fragment.text) - len(fragment.text.lstrip())
    text = fragment.text.strip()
    spans = tuple((start - leading, end - leading) for start, end in fragment.highlights)
    return Fragment(text, spans, fragment.starts_article, fragment.ends_article)


def metadata_line(item: Hit | StoredArticle) -> str:
    """Publication, volume, issue and date (or year), as far as the article says them."""
    parts = [item.publication or "unknown publication"]
    if item.volume is not None:
        parts.append(f"vol. {item.volume}")
    if item.issue is not None:
        parts.append(f"issue {item.issue}")
    if item.date:
        parts.append(item.date)
    elif item.year is not None:
        parts.append(str(item.year))
    return " · ".join(parts)


def display_path(path: str) -> str:
    """A path relative to the working folder when it lies below it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


def print_article(shown: MarkedArticle, out: Console) -> None:
    """The headline, metadata, path and id, then the body, its marked words highlighted."""
    for line in article_lines(shown):
        out.print(line)
    out.print()


def article_lines(shown: MarkedArticle) -> list[Text]:
    """``print_article``'s lines: headline, metadata (sources), path and id, a blank line,
    the body."""
    article = shown.article
    lines = [marked(shown.title, TITLE_STYLE) if article.title else Text("(untitled)", TITLE_STYLE)]
    lines.append(Text(inert(metadata_line(article)), style=META_STYLE))
    if article.sources:
        lines.append(Text("sources: " + inert(", ".join(article.sources)), style=META_STYLE))
    lines.append(Text(f"{inert(display_path(article.path))}  id {article.id}", style=DIM_STYLE))
    return [*lines, Text(), marked(shown.body)]


def _year_span(first: int | None, last: int | None) -> str:
    if first is None:
        return "unknown"
    return str(first) if first == last else f"{first}–{last}"


def print_stats(stats: IndexStats, out: Console) -> None:
    """Label and value per line, labels aligned; plain lines rather than a table, so piped
    output has no trailing padding."""
    years = _year_span(stats.first_year, stats.last_year)
    if stats.unknown_year:
        years += f" ({stats.unknown_year:,} without a year)"
    rows = [
        ("index", inert(stats.index)),
        ("articles", f"{stats.articles:,}"),
        ("size on disk", human_size(stats.size_bytes)),
        ("last indexed", stats.last_indexed or "never"),
        ("years", years),
        *(
            ("publication", f"{inert(name)}: {count:,}")
            for name, count in stats.publications.items()
        ),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        out.print(Text.assemble((label.ljust(width), DIM_STYLE), "  ", value))


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def print_saved_runs(
    runs: list[tuple[SavedSearch, str, SearchResult | None]], out: Console
) -> None:
    """Each saved search's heading (what it found), then its hits as ``print_results``."""
    from monitor_search.output.lines import saved_heading

    for saved, found, result in runs:
        out.print(Text(saved_heading(saved, found), style=TITLE_STYLE))
        out.print()
        if result is not None and result.hits:
            print_results(result, out)
