"""``msearch browse``: read an archive in the terminal, query to hits to article and back.

``session`` holds what is shown and calls the library (no terminal code); ``views`` turns
it into text; ``app`` is the Textual screen. Textual is imported by this package alone.
"""

from __future__ import annotations

import sys
from pathlib import Path

from monitor_search.errors import MsearchError
from monitor_search.model import Filters


def browse(
    index_dir: Path,
    text: str | None = None,
    *,
    filters: Filters | None = None,
    sort: str = "relevance",
    match_any: bool = False,
) -> None:
    """Run the browser on the index in ``index_dir`` until the user quits, starting with the
    hits of ``text`` if given. What would stop ``msearch query`` (no index, a bad query)
    stops it before the screen is taken, with the same error."""
    from monitor_search.browse.session import Session
    from monitor_search.index.store import check_index

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise MsearchError(
            "browse needs a terminal (its input and output): use 'msearch query' in scripts"
        )
    session = Session(index_dir, filters=filters, sort=sort, match_any=match_any)
    check_index(index_dir)
    listing = session.query(text) if text is not None else None

    from monitor_search.browse.app import Browser

    app = Browser(session, listing)
    app.run()
    if app.failure is not None:
        raise app.failure
