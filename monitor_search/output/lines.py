"""Hits as plain lines for a quick scan or for other tools: paths alone, or one line per hit.

Text from articles (headlines, publications) and file names is made inert (``inert_line``):
each hit stays one line, and nothing in it can act on the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from monitor_search.model import Hit
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
