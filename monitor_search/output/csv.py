"""Hits as CSV for spreadsheets and ``csv`` readers: a header row, then one row per hit.

The columns are the JSON hit fields (``output.json``) but ``fragments``, in the same order;
sources are joined with ``; ``; unknown values are empty cells. Text is written as-is (the
``csv`` module quotes what needs quoting), so nothing from an article is lost.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO

from monitor_search.model import Hit
from monitor_search.output.json import HIT_FIELDS, hit_object

SOURCES_JOINED_WITH = "; "
COLUMNS = [name for name in HIT_FIELDS if name != "fragments"]
"""The header row."""


def write_csv(hits: Iterable[Hit], out: IO[str], saved: list[str] | None = None) -> None:
    """The header, then each hit's row (the header alone when there is no hit). With
    ``saved``, a first column ``saved`` names each hit's saved search."""
    columns = COLUMNS if saved is None else ["saved", *COLUMNS]
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for number, hit in enumerate(hits):
        row = hit_object(hit)
        row["sources"] = SOURCES_JOINED_WITH.join(row["sources"])
        if saved is not None:
            row["saved"] = saved[number]
        writer.writerow({key: "" if value is None else value for key, value in row.items()})
