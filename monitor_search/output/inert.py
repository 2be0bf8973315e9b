"""Make text from articles (and file names) safe to print: data, never terminal commands."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")


def inert(text: str) -> str:
    """``text`` with every control character replaced by a visible stand-in (ESC -> ␛).

    Tabs and newlines are kept; escape sequences, bells and backspaces can no longer act.
    """
    return _CONTROL.sub(_visible, text)


def _visible(match: re.Match) -> str:
    code = ord(match.group(0))
    if code < 0x20:
        return chr(0x2400 + code)
    return "␡" if code == 0x7F else "\ufffd"


def inert_line(text: str) -> str:
    """Like ``inert``, and tabs and newlines made visible too: a message stays one line."""
    return inert(text).replace("\t", "␉").replace("\n", "␤")
