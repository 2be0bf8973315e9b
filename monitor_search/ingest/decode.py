"""Turn the bytes of an article file into text, or say why that is not possible.

Archives are scraped over many years: most files are UTF-8, some carry a BOM or CRLF line ends,
and older ones are in legacy Windows code pages (1252 for Western text, 1251 for Cyrillic).
UTF-8 is tried first because it is unambiguous; anything else goes to charset-normalizer,
whose detection is far better than any hand-written guess.
"""

from __future__ import annotations

import itertools
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

    sample = data[:_DETECTION_SAMPLE]
    best = from_bytes(sample).best()
    if best is not None and _is_east_asian(best.encoding) and not _reads_east_asian(str(best)):
        best = from_bytes(sample, cp_exclusion=list(_EAST_ASIAN_NAMES)).best()
    if best is None or best.encoding in ("utf_8", "utf_8_sig", "ascii"):
        raise UnreadableText("undecodable bytes: not UTF-8 and no legacy encoding fits")
    try:
        text = data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        raise UnreadableText(f"undecodable bytes (best guess {best.encoding} fails)") from None
    return _prefer_western(data, text)


_EAST_ASIAN = (
    *("cp932", "cp949", "cp950", "shift_jis", "euc_", "iso2022", "gb", "hz", "big5", "johab"),
)
"""Multi-byte East Asian encodings (their names in Python's codec registry begin so)."""
_EAST_ASIAN_NAMES = (
    "cp932", "cp949", "cp950", "shift_jis", "shift_jis_2004", "shift_jisx0213", "euc_jp",
    "euc_jis_2004", "euc_jisx0213", "euc_kr", "iso2022_jp", "iso2022_jp_1", "iso2022_jp_2",
    "iso2022_jp_2004", "iso2022_jp_3", "iso2022_jp_ext", "iso2022_kr", "gb2312", "gbk",
    "gb18030", "hz", "big5", "big5hkscs", "johab",
)  # fmt: skip


def _is_east_asian(encoding: str) -> bool:
    return encoding.startswith(_EAST_ASIAN)


def _reads_east_asian(text: str) -> bool:
    """Whether text decoded as an East Asian encoding reads as such: its non-ASCII
    characters are mostly ideographs, kana or hangul, some of them side by side (words).

    Western text in a single-byte code page decodes as such an encoding too, but only into
    scattered characters: the pound sign of ``£15.8m`` in Latin-1 becomes the half-width
    bracket ``｣`` of Shift-JIS.
    """
    wide = [char for char in text if ord(char) > 127]
    asian = sum(map(_is_east_asian_letter, wide))
    pairs = sum(
        _is_east_asian_letter(a) and _is_east_asian_letter(b) for a, b in itertools.pairwise(text)
    )
    return bool(wide) and asian * 2 > len(wide) and pairs > 0


def _is_east_asian_letter(char: str) -> bool:
    code = ord(char)
    return (
        0x3040 <= code <= 0x30FF  # hiragana, katakana
        or 0x3400 <= code <= 0x9FFF  # CJK ideographs
        or 0xAC00 <= code <= 0xD7AF  # hangul syllables
        or 0xF900 <= code <= 0xFAFF  # CJK compatibility ideographs
    )


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
