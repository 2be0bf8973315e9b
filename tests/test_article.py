"""Parsing article text: headline, publication data, body, footer, sources, year and date."""

from __future__ import annotations

import datetime as dt

import pytest

from monitor_search.ingest.article import parse_article
from monitor_search.ingest.decode import UnreadableText, decode_article_bytes

from .conftest import SEED, monitor_text


def test_seed_article_parts():
    article = parse_article(decode_article_bytes(SEED.read_bytes()))
    assert article.title == "AZERBAIJAN TO STAY OUT OF CIS SECURITY PACT."
    assert (article.publication, article.volume, article.issue) == ("Monitor", 5, 26)
    assert article.year == 1999
    assert article.date == dt.date(1999, 2, 5)
    assert article.sources == ("Turan", "Azad-Inform", "Itar-Tass")
    assert article.body.startswith("Deputy Foreign Minister Khalaf Khalafov")
    assert article.body.endswith("see also the Monitor, February 5).")
    assert "Jamestown" not in article.body
    assert "Publication:" not in article.body


def test_missing_publication_line_leaves_metadata_null():
    article = parse_article(monitor_text("TITLE", "Body text (Interfax, May 2).", publication=None))
    assert article.title == "TITLE"
    assert (article.publication, article.volume, article.issue, article.year) == (None,) * 4
    assert article.date is None  # a month and day without a year is not a date
    assert article.sources == ("Interfax",)
    assert article.body == "Body text (Interfax, May 2)."


def test_wrapped_headline_is_joined():
    text = (
        "RUSSIA AND BELARUS SIGN\nUNION TREATY\n\nPublication: Monitor Volume: 3 Issue: 7\n\nBody."
    )
    article = parse_article(text)
    assert article.title == "RUSSIA AND BELARUS SIGN UNION TREATY"
    assert (article.volume, article.issue, article.year) == (3, 7, 1997)


def test_publication_line_right_under_headline():
    article = parse_article("HEADLINE\npublication:  monitor   volume:4  issue:  12\n\nBody.")
    assert (article.title, article.publication, article.volume, article.issue) == (
        "HEADLINE",
        "monitor",
        4,
        12,
    )
    assert article.year == 1998


def test_publication_line_parts_may_be_absent():
    article = parse_article("T\n\nPublication: China Brief Issue: 3\n\nBody.")
    assert (article.publication, article.volume, article.issue, article.year) == (
        "China Brief",
        None,
        3,
        None,
    )


def test_eurasia_daily_monitor_year_and_date():
    text = monitor_text(
        "T",
        "Text (Interfax, January 30; Kommersant, February 2).",
        publication="Eurasia Daily Monitor",
        volume=2,
        issue=20,
    )
    article = parse_article(text)
    assert article.year == 2005
    assert article.date == dt.date(2005, 2, 2)
    assert article.sources == ("Interfax", "Kommersant")


def test_unknown_publication_gives_no_year():
    article = parse_article(monitor_text("T", "Text (AP, May 1).", publication="Terrorism Monitor"))
    assert article.year is None and article.date is None


def test_year_written_in_citation_is_used():
    article = parse_article(monitor_text("T", "Text (Reuters, May 1, 2001).", publication=None))
    assert (article.year, article.date) == (2001, dt.date(2001, 5, 1))


def test_footer_of_any_publication_is_dropped():
    footer = (
        "China Brief is a publication of The Jamestown Foundation.\n\n"
        "Copyright (c) 2005 The Jamestown Foundation. All rights reserved."
    )
    article = parse_article(monitor_text("T", "First.\n\nSecond.", footer=footer))
    assert article.body == "First.\n\nSecond."


def test_crlf_and_bom():
    data = "\ufeff" + monitor_text("T", "Line one\nline two.").replace("\n", "\r\n")
    article = parse_article(decode_article_bytes(data.encode("utf-8")))
    assert article.title == "T"
    assert article.body == "Line one line two."


def test_windows_1252_is_detected():
    body = "The “détente” between Moscow and Tbilisi – as Shevardnadze called it – is over. " * 3
    data = monitor_text("DÉTENTE ENDS", body).encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    article = parse_article(decode_article_bytes(data))
    assert article.title == "DÉTENTE ENDS"
    assert "“détente”" in article.body


def test_windows_1251_is_detected():
    body = "Президент Азербайджана Гейдар Алиев заявил, что страна не продлит договор. " * 3
    article = parse_article(decode_article_bytes(monitor_text("АЛИЕВ", body).encode("cp1251")))
    assert article.title == "АЛИЕВ"
    assert "Гейдар Алиев" in article.body


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        # charset-normalizer's best guess for these bytes is Shift-JIS (cp932)
        ("T\n\nThe £5 were noted.\n", "latin-1"),
        ("T\n\nThe £5 were noted.\n", "cp1252"),
        (
            "TREATY\n\nThe minister’s visit – the first since 1998 – cost £2,000 at the café.\n",
            "cp1252",
        ),
        ("SANCTIONS\n\nThe fund paid £5 million to the café owners in Baku.\n", "latin-1"),
        (
            "АЛИЕВ\n\nПрезидент Азербайджана Гейдар Алиев заявил, что договор не продлят.\n",
            "koi8-r",
        ),
        (
            "東京\n\n日本政府は本日、新しい経済政策を発表しました。首相は記者会見で説明した。\n",
            "shift_jis",
        ),
        ("北京\n\n中国政府今天宣布了新的经济政策。总理在记者会上作了说明。\n", "gb2312"),
    ],
)
def test_legacy_encodings_decode_to_the_text_written(text, encoding):
    """A multi-byte East Asian guess is kept only when the text reads as East Asian."""
    assert decode_article_bytes(text.encode(encoding)) == text


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "no text"),
        (b"  \n\t\r\n", "no text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ],
)
def test_unreadable_files_say_why(data, reason):
    with pytest.raises(UnreadableText, match=reason):
        decode_article_bytes(data)
