"""Text output longer than the terminal goes through a pager, as git's does.

The pager is ``$MSEARCH_PAGER``, else ``$PAGER``, else ``less -R``; an empty value or ``cat``
means none. Output is paged only when stdout is a terminal and the text has more lines than
the terminal: piped output, and output that fits, are written straight to stdout.
"""

from __future__ import annotations

import contextlib
import io
import os
import shlex
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

from monitor_search.output.terminal import console

DEFAULT_PAGER = "less -R"
LESS_DEFAULTS = "FRX"
"""Set as ``$LESS`` when it is unset, as git does: quit when the text fits, keep colours,
leave the text on the screen afterwards."""


def pager_command(environ=os.environ) -> list[str] | None:
    """The pager to run, as an argument list; None when there is none to run."""
    for name in ("MSEARCH_PAGER", "PAGER"):
        if name in environ:
            chosen = environ[name]
            break
    else:
        chosen = DEFAULT_PAGER
    try:
        words = shlex.split(chosen)
    except ValueError:
        return None
    if not words or words == ["cat"] or shutil.which(words[0]) is None:
        return None
    return words


@contextmanager
def paged(color: str = "auto", enabled: bool = True) -> Iterator[Console]:
    """A console for stdout; what is printed to it goes through the pager when ``enabled``,
    stdout is a terminal (not a dumb one), there is a pager, and the text is longer than
    the terminal."""
    dumb = os.environ.get("TERM", "dumb") in ("dumb", "unknown", "")
    command = pager_command() if enabled and sys.stdout.isatty() and not dumb else None
    if command is None:
        yield console(color=color)
        return
    size = shutil.get_terminal_size()
    buffer = io.StringIO()
    yield console(color=color, file=buffer, terminal_width=size.columns)
    text = buffer.getvalue()
    if text.count("\n") < size.lines:
        sys.stdout.write(text)
    else:
        _page(command, text)


def _page(command: list[str], text: str) -> None:
    """Run the pager on ``text`` and wait for it. Ctrl-C belongs to the pager meanwhile
    (msearch lets it pass; the pager starts with Ctrl-C's usual effect); a pager that quits
    before reading everything is no error."""
    sys.stdout.flush()
    environ = dict(os.environ)
    environ.setdefault("LESS", LESS_DEFAULTS)
    previous = signal.signal(signal.SIGINT, _let_pass)
    try:
        pager = subprocess.Popen(command, stdin=subprocess.PIPE, env=environ)
        with contextlib.suppress(BrokenPipeError):
            pager.stdin.write(text.encode(sys.stdout.encoding or "utf-8", "backslashreplace"))
        with contextlib.suppress(BrokenPipeError):
            pager.stdin.close()
        pager.wait()
    except OSError:  # the pager could not start: the text goes to stdout after all
        sys.stdout.write(text)
    finally:
        signal.signal(signal.SIGINT, previous)


def _let_pass(signum, frame) -> None:
    """Ctrl-C while the pager runs: the pager's to act on, not msearch's. (A handler, not
    SIG_IGN: a program started meanwhile would inherit an ignored signal.)"""
