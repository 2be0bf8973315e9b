"""Parse the text of one Monitor-format article into its parts.

The shape, as the Jamestown Foundation published it::

    HEADLINE (may wrap onto a second line)

    Publication: Monitor Volume: 5 Issue: 26        (may be missing)

    Body paragraphs ... (Turan, Itar-Tass, February 5-6; see also the Monitor, February 5).

    The Monitor is a publication of the Jamestown Foundation. ... Copyright (c) ...

This module knows nothing of the index: it is plain text in, an ``Article`` out. What the text
does not say is None, never guessed.
"""

from __future__ import annotations

import datetime as dt
import html
import re

from monitor_search.model import Article

YEAR_ZERO = {"monitor": 1994, "eurasia daily monitor": 2003}
"""Publications whose volume number gives the year: volume N appeared in YEAR_ZERO + N."""

_PUBLICATION_LINE = re.compile(
    r"""^\s*publication\s*:\s*(?P<name>.*?)\s*
        (?:\bvolume\s*:?\s*(?P<volume>\d+)\s*,?\s*)?
        (?:\bissue\s*:?\s*(?P<issue>\d+))?\s*[.,;]?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_FOOTER_START = re.compile(r"is\s+a\s+publication\s+of\s+(the\s+)?jamestown\s+foundation", re.I)
_FOOTER_LINE = re.compile(
    r"copyright\s*(\(c\)|©)|all\s+rights\s+reserved|pubs@jamestown\.org|"
    r"unauthorized\s+reproduction|site\s+maintenance\s+by",
    re.I,
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_DATE = re.compile(
    r"\b(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?\s+"
    r"(?P<day>\d{1,2})(?!\d)(?:\s*[-–/]\s*\d{1,2}(?!\d))?(?:\s*,?\s*(?P<year>(?:19|20)\d\d)\b)?",
    re.I,
)
_CHARACTER_REFERENCE = re.compile(
    r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
)
_CLOSING_CITATION = re.compile(r"\(([^()]*)\)\s*[.]?\s*$")


def parse_article(text: str) -> Article:
    """Split an article's text into headline, publication data, body, sources and date."""
    paragraphs = _paragraphs(_characters_for_references(text))
    title, paragraphs = _take_title(paragraphs)
    publication, volume, issue, paragraphs = _take_publication(paragraphs)
    body_paragraphs, closing = _drop_footer(paragraphs)
    citation = _closing_citation(closing)
    year = _year_from_volume(publication, volume)
    date = _citation_date(citation, year)
    if year is None and date is not None:
        year = date.year
    return Article(
        title=title,
        body="\n\n".join(body_paragraphs),
        publication=publication,
        volume=volume,
        issue=issue,
        year=year,
        date=date,
        sources=_citation_sources(citation),
    )


def _paragraphs(text: str) -> list[list[str]]:
    """Blank-line separated paragraphs, each a list of stripped non-empty lines."""
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n"):
        line = raw.strip()
        if line:
            current.append(line)
        elif current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return paragraphs


def _take_title(paragraphs: list[list[str]]) -> tuple[str, list[list[str]]]:
    """The headline is the first paragraph, joined if it wraps; a publication line that
    follows it without a blank line is handed back to the rest."""
    if not paragraphs:
        return "", []
    first, rest = paragraphs[0], paragraphs[1:]
    for i, line in enumerate(first):
        if i and _PUBLICATION_LINE.match(line):
            return " ".join(first[:i]), [first[i:], *rest]
    return " ".join(first), rest


def _take_publication(
    paragraphs: list[list[str]],
) -> tuple[str | None, int | None, int | None, list[list[str]]]:
    if not paragraphs:
        return None, None, None, paragraphs
    match = _PUBLICATION_LINE.match(paragraphs[0][0])
    if not match:
        return None, None, None, paragraphs
    rest = paragraphs[0][1:]
    remaining = [rest, *paragraphs[1:]] if rest else paragraphs[1:]
    name = " ".join(match["name"].split()) or None
    volume = int(match["volume"]) if match["volume"] else None
    issue = int(match["issue"]) if match["issue"] else None
    return name, volume, issue, remaining


def _characters_for_references(text: str) -> str:
    """HTML character references (``B&#233;ziers``, ``&amp;``, ``&eacute;``) as the
    characters they stand for, as scraped archives carry them. Only complete references
    (ending in ``;``) are read: ``AT&T`` and ``R&D`` stay as written."""
    if "&" not in text:
        return text
    return _CHARACTER_REFERENCE.sub(lambda match: html.unescape(match[0]), text)


def _drop_footer(paragraphs: list[list[str]]) -> tuple[list[str], str | None]:
    """Body paragraphs as text without the publisher's footer, and the paragraph that closes
    the article's own text (where its citation stands).

    The footer is the paragraph that says the publication "is a publication of the
    Jamestown Foundation", with the copyright and contact lines next to it; paragraphs after
    it are text like any other.
    """
    body: list[str] = []
    closing: str | None = None
    in_footer = False
    for lines in paragraphs:
        text = " ".join(lines)
        if body and _FOOTER_START.search(text):
            closing = body[-1] if closing is None else closing
            in_footer = True
        elif not (in_footer and _is_footer_line(text)):
            in_footer = False
            body.append(text)
    while body and _is_footer_line(body[-1]):
        body.pop()
    if closing is None and body:
        closing = body[-1]
    return body, closing


def _is_footer_line(text: str) -> bool:
    return len(text) < 600 and _FOOTER_LINE.search(text) is not None


def _closing_citation(closing: str | None) -> str | None:
    """The parenthesis that ends the article's text, if it has the Monitor's shape: news
    sources and the dates of their reports (``(Turan, Itar-Tass, February 5-6; see also the
    Monitor, February 5)``). A closing remark without a date (``(Kent)``, ``(once)``) is
    no citation."""
    if not closing:
        return None
    match = _CLOSING_CITATION.search(closing)
    if match is None or _DATE.search(match[1]) is None:
        return None
    return match[1]


def _year_from_volume(publication: str | None, volume: int | None) -> int | None:
    if publication is None or volume is None:
        return None
    base = YEAR_ZERO.get(publication.casefold())
    return base + volume if base is not None else None


def _citation_date(citation: str | None, year: int | None) -> dt.date | None:
    """The latest month and day the closing citation names, in the article's year.

    A year written in the citation wins over the one derived from the volume.
    """
    if not citation:
        return None
    dates: list[dt.date] = []
    for match in _DATE.finditer(citation):
        found_year = int(match["year"]) if match["year"] else year
        if found_year is None:
            continue
        try:
            dates.append(dt.date(found_year, _MONTHS[match["month"].lower()], int(match["day"])))
        except ValueError:
            continue
    return max(dates) if dates else None


def _citation_sources(citation: str | None) -> tuple[str, ...]:
    """News sources named in the closing citation: ``(Turan, Itar-Tass, February 5-6;
    see also the Monitor, February 5)`` gives ``("Turan", "Itar-Tass")``."""
    if not citation:
        return ()
    sources: list[str] = []
    for part in citation.split(";"):
        if part.strip().lower().startswith(("see ", "cf.")):
            continue
        for item in part.split(","):
            name = _DATE.sub("", item).strip(" .:")
            if _looks_like_source(name) and name not in sources:
                sources.append(name)
    return tuple(sources)


def _looks_like_source(name: str) -> bool:
    """A name as news sources are written: capitalised, short, without digits."""
    return (
        0 < len(name) <= 60
        and name[0].isupper()
        and any(c.isalpha() for c in name)
        and not any(c.isdigit() for c in name)
        and name.lower() not in _MONTHS
    )
