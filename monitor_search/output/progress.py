"""The progress bar of ``msearch index``: Rich, on stderr, only when stderr is a terminal.

It names its phase (reading, analysing, writing, merging): files are counted while they are
analysed, and the bar says so when the count is done but segments are still being written."""

from __future__ import annotations

import sys
import time

from monitor_search.output.inert import inert_line

REFRESH_SECONDS = 0.1
"""The bar is drawn again at most this often."""


class IndexProgress:
    """Counts files as the indexer reports them, under the phase's name; notes (skipped
    files) print above the bar."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self._progress = None
        self._task = None
        self._shown = 0.0

    def __enter__(self) -> IndexProgress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description:<9}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(file=sys.stderr, highlight=False, markup=False),
                transient=True,
                # No refresh thread: the indexer forks writing processes, and a fork must
                # copy a process with one thread only (see ``engine.parallel``).
                auto_refresh=False,
            )
            self._progress.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)

    def phase(self, name: str) -> None:
        """Show ``name`` as what the run is doing now."""
        if self._progress is None:
            return
        if self._task is None:
            self._task = self._progress.add_task(name, total=None)
        else:
            self._progress.update(self._task, description=name)
        self._progress.refresh()
        self._shown = time.monotonic()

    def start(self, total: int) -> None:
        if self._progress is None:
            return
        if self._task is None:
            self._task = self._progress.add_task("analysing", total=total)
        else:
            self._progress.update(self._task, total=total)

    def advance(self, count: int) -> None:
        """Count ``count`` more files as done."""
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, count)
            now = time.monotonic()
            if now - self._shown >= REFRESH_SECONDS:
                self._shown = now
                self._progress.refresh()

    def note(self, message: str) -> None:
        if self._progress is not None:
            from rich.text import Text

            self._progress.console.print(Text(inert_line(message)))
        else:
            print(inert_line(message), file=sys.stderr)
