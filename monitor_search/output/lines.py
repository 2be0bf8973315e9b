"""Hits as plain lines for a quick scan or for other tools: paths alone, or one line per hit.

Text from articles (headlines, publications) and file names is made inert (``inert_line``):
each hit stays one line, and nothing in it can act on the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from monitor_search.model import Hit, SavedSearch
from monitor_search.output.inert import inert_line

UNKNOWN = "-"
"""Stands for an unknown date or publication in a brief line."""


def write_paths(hits: Iterable[Hit], out: IO[str]) -> None:
    """The path of each hit, one per line (``msearch query --paths``)."""
    for hit in hits:
        out.write(inert_line(hit.path) + "\n")


def brief_line(hit: Hit) -> str:
    """``rank  date  publication  headline  id``, separated by two spaces; the date is the
    year alone when only that is known."""
    when = hit.date or (str(hit.year) if hit.year else UNKNOWN)
    publication = hit.publication or UNKNOWN
    fields = (f"{hit.rank:>3}", when, publication, hit.title, hit.id)
    return "  ".join(inert_line(field) for field in fields)


def write_brief(hits: Iterable[Hit], out: IO[str]) -> None:
    for hit in hits:
        out.write(brief_line(hit) + "\n")


def saved_heading(saved: SavedSearch, found: str) -> str:
    """``== NAME: QUERY OPTIONS: what it found ==``, above a saved search's hits."""
    return inert_line(f"== {saved.name}: {_command_words(saved)}: {found} ==")


def write_saved(searches: list[SavedSearch], out: IO[str]) -> None:
    """One line per saved search: name, query and options, last run, articles seen."""
    width = max(len(saved.name) for saved in searches)
    for saved in searches:
        line = f"{saved.name:<{width}}  {_command_words(saved)}"
        line += f"  (last run {saved.last_run or 'never'}, {len(saved.seen):,} seen)"
        out.write(inert_line(line) + "\n")


def _command_words(saved: SavedSearch) -> str:
    """The query and options as a shell would take them: ``'oil gas' --year 1999``."""
    import shlex

    return " ".join(shlex.quote(word) for word in (saved.query, *saved.options))
