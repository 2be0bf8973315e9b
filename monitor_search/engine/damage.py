"""Damage checks that read Whoosh 2.7.4's term records directly."""

from __future__ import annotations

import time


def postings_outside(segment, name: str, deadline: float) -> str | None:
    """Where a term's postings lie past the end of the segment's postings file, as a line
    for the user; None if every term read before ``deadline`` is inside it."""
    terms = segment._terms  # Whoosh 2.7's W3TermsReader: terms and where their postings lie
    postings = segment._storage.file_length(segment.segment().make_filename(".pst"))
    for count, ((field, text), info) in enumerate(terms.items()):
        # Whoosh reads a term's postings length as a 1-tuple (it never uses it itself)
        length = info._length[0] if isinstance(info._length, tuple) else info._length
        if info._offset is not None and info._offset + length > postings:
            return f"segment {name}: the postings of {field}:{text!r} lie past the end of its file"
        if count % 4096 == 0 and time.monotonic() > deadline:
            return None
    return None
