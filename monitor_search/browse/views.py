"""The text of ``msearch browse``'s panes, as Rich ``Text``.

Built from the pieces ``msearch query`` prints with (``output.terminal``), so a hit, its
passages and an article read the same in both. Article text is always wrapped in ``Text``
(never parsed as markup) and its control characters are made visible (``output.inert``).
"""

from __future__ import annotations

from rich.text import Text

from monitor_search.browse.session import Listing, Session
from monitor_search.model import FILTER_FIELDS, Hit, MarkedArticle, Timeline
from monitor_search.output.inert import inert
from monitor_search.output.terminal import (
    DIM_STYLE,
    META_STYLE,
    SOME_WORDS_LINE,
    TITLE_STYLE,
    article_lines,
    hit_details,
    hit_heading,
)

SPARKS = "▁▂▃▄▅▆▇█"
"""Bar heights of the timeline, lowest first (an empty period is a space)."""


def hit_prompt(hit: Hit) -> Text:
    """A hit in the list: rank and headline, then publication, date and score."""
    prompt = hit_heading(hit)
    about = [hit.publication or "unknown publication"]
    if hit.date or hit.year is not None:
        about.append(hit.date or str(hit.year))
    prompt.append("\n    ")
    prompt.append(inert(" · ".join(about)), style=META_STYLE)
    prompt.append(f"  score {hit.score:.2f}", style=DIM_STYLE)
    return prompt


def some_words_prompt() -> Text:
    """The line between the articles with all the words and those with only some."""
    return Text(SOME_WORDS_LINE, style=DIM_STYLE)


def preview(hit: Hit) -> Text:
    """The selected hit's headline, metadata, path and passages, its words highlighted."""
    return Text("\n").join([hit_heading(hit), *hit_details(hit)])


def article_text(shown: MarkedArticle) -> Text:
    """A whole article as ``msearch show`` prints it."""
    return Text("\n").join(article_lines(shown))


def status(listing: Listing | None, session: Session) -> Text:
    """What the list holds, in which order, narrowed how."""
    if listing is None:
        return Text("Type words to find and press Enter.", style=DIM_STYLE)
    result = listing.result
    if listing.similar_to is not None:
        line = Text(f"{len(result.hits):,} articles similar to ", style=TITLE_STYLE)
        line.append(inert(listing.similar_to.title or "(untitled)"))
        line.append("  (Escape: back)", style=DIM_STYLE)
        return line
    line = Text(f"{result.total:,}", style=TITLE_STYLE)
    some = (result.total_any or 0) - result.total
    if result.any_words:
        line.append(" articles with any of the words")
    else:
        line.append(" with all the words")
        if some > 0:
            line.append(f", {some:,} with only some")
    line.append(f"  · {session.sort}", style=DIM_STYLE)
    narrowed = narrowing(session)
    if narrowed:
        line.append("  · ", style=DIM_STYLE)
        line.append(inert(narrowed), style=META_STYLE)
    if result.nothing_to_search and result.ignored:
        line.append(f"  (only stop words: {inert(', '.join(result.ignored))})", style=DIM_STYLE)
    elif result.suggestion:
        line.append(f"  Did you mean: {inert(result.suggestion)}?", style=DIM_STYLE)
    return line


def narrowing(session: Session) -> str:
    """The filters in force, as ``name: value`` pairs (named as ``query``'s options)."""
    filters = session.filters
    return ", ".join(
        f"{_OPTION_NAMES.get(name, name)}: {getattr(filters, name)}"
        for name in FILTER_FIELDS
        if getattr(filters, name) is not None
    )


_OPTION_NAMES = {"date_from": "from", "date_to": "to"}


def facet_heading(name: str) -> Text:
    return Text(f"by {name}", style=TITLE_STYLE)


def no_facets_prompt() -> Text:
    """Why the side panel is empty when only articles with some of the words are listed."""
    lines = ["facets count articles", "with all the words:", "none has them.", "a: count any word"]
    return Text("\n".join(lines), style=DIM_STYLE)


def facet_prompt(value: str, count: int, chosen: bool, width: int) -> Text:
    """A facet value and its number of matching articles; chosen (narrowing) marked ✓."""
    mark = "✓ " if chosen else "  "
    number = f"{count:,}"
    room = max(1, width - len(mark) - len(number) - 1)
    label = inert(value)
    if len(label) > room:
        label = label[: max(0, room - 1)] + "…"
    prompt = Text(mark, style=TITLE_STYLE)
    prompt.append(label.ljust(room), style=META_STYLE if not chosen else TITLE_STYLE)
    prompt.append(" " + number)
    return prompt


def timeline_text(timeline: Timeline | None, width: int) -> Text:
    """A one-line bar chart of the matches by year, its first and last year under it."""
    if timeline is None:
        return Text()
    buckets = timeline.buckets
    if not buckets:
        line = Text("no dated matches", style=DIM_STYLE)
    else:
        counts = _binned([count for _, count in buckets], max(1, width))
        widest = max(counts) or 1
        bars = "".join(
            SPARKS[max(0, round(count / widest * len(SPARKS)) - 1)] if count else " "
            for count in counts
        )
        first, last = buckets[0][0], buckets[-1][0]
        labels = first if first == last else first + last.rjust(max(1, len(bars) - len(first)))
        peak_label, peak = max(buckets, key=lambda bucket: bucket[1])
        line = Text(bars, style="green")
        line.append("\n" + labels, style=DIM_STYLE)
        line.append(f"\nmost: {peak_label} ({peak:,})", style=DIM_STYLE)
    if timeline.undated:
        line.append(f"\nno year: {timeline.undated:,}", style=DIM_STYLE)
    return line


def _binned(counts: list[int], width: int) -> list[int]:
    """``counts`` summed into at most ``width`` consecutive bins."""
    if len(counts) <= width:
        return counts
    size = -(-len(counts) // width)
    return [sum(counts[start : start + size]) for start in range(0, len(counts), size)]
