"""Turn the bytes of an article file into text, or say why that is not possible.

Archives are scraped over many years: most files are UTF-8, some carry a BOM or CRLF line ends,
and older ones are in legacy Windows code pages (1252 for Western text, 1251 for Cyrillic).
UTF-8 is tried first because it is unambiguous; anything else goes to charset-normalizer,
whose detection is far better than any hand-written guess.
"""

from __future__ import annotations

import unicodedata

MAX_FILE_BYTES = 16 * 1024 * 1024
"""Largest file read as one article. Real articles are a few kB; a larger file is a dump or a
mistake, and reading it whole would cost memory out of proportion to its value."""

_DETECTION_SAMPLE = 256 * 1024


class UnreadableText(ValueError):
    """The bytes are not an article's text; the message says why, for the skip report."""


def decode_article_bytes(data: bytes) -> str:
    """Decode a file's bytes to text with normalised line ends.

    Raises UnreadableText for binary data, undecodable bytes and files with no text.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _normalise(data.decode("utf-16", errors="replace"))
    if b"\x00" in data[:_DETECTION_SAMPLE] or b"\x00" in data[-_DETECTION_SAMPLE:]:
        raise UnreadableText("binary file (contains NUL bytes)")
    return _normalise(_decode(data))


def _normalise(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise UnreadableText("no text (empty or only white space)")
    return text


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # only legacy files pay for the import

    best = from_bytes(data[:_DETECTION_SAMPLE]).best()
    if best is None or best.encoding in ("utf_8", "utf_8_sig", "ascii"):
        raise UnreadableText("undecodable bytes: not UTF-8 and no legacy encoding fits")
    try:
        text = data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        raise UnreadableText(f"undecodable bytes (best guess {best.encoding} fails)") from None
    return _prefer_western(data, text)


def _prefer_western(data: bytes, text: str) -> str:
    """Latin-script text is decoded as Windows-1252.

    On short texts the single-byte Latin code pages (1250, 1252, 1257, Latin-1, ...) are
    statistically indistinguishable, and detection picks among them almost at random
    (``Genève`` comes out as ``Genčve``). The archives are English-language, written on
    Western systems, so 1252 is by far the likeliest; non-Latin scripts (Cyrillic 1251,
    KOI8-R, ...) are recognised reliably and kept.
    """
    letters = [c for c in text if ord(c) > 127 and c.isalpha()]
    if not letters or not all(unicodedata.name(c, "").startswith("LATIN") for c in letters):
        return text
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return text
