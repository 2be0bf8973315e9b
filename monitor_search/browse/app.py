"""``msearch browse``'s screens: a thin Textual layer over ``browse.session``.

Searches run in a worker thread, so the screen keeps answering keys while a large archive is
searched; only the newest search's answer is shown. A failure inside the app is kept
(``Browser.failure``) and the app ends; the CLI reports it in one line, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from monitor_search.browse import views
from monitor_search.browse.session import Listing, Session
from monitor_search.errors import MsearchError
from monitor_search.model import Hit
from monitor_search.search.facets import UNKNOWN

SIDE_WIDTH = 26
"""Columns of the side panel (facets and timeline)."""
LOAD_AHEAD = 5
"""More hits are fetched once the cursor is this close to the end of the list."""


_NEXT_PANE = Binding("tab", "app.focus_next", "Pane", key_display="Tab")
_VIM_KEYS = [
    Binding("j", "cursor_down", "Down", show=False),
    Binding("k", "cursor_up", "Up", show=False),
]


class QueryBox(Input):
    """The query; Enter runs it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Search", key_display="↵"),
        _NEXT_PANE,
    ]


class HitList(OptionList):
    """The hits, two lines each; Enter opens one; j and k move as Down and Up do."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Open", key_display="↵"),
        _NEXT_PANE,
        *_VIM_KEYS,
    ]


class FacetList(OptionList):
    """Facet values of the current query; Enter narrows to one (again: widens)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Narrow", key_display="↵"),
        _NEXT_PANE,
        *_VIM_KEYS,
    ]


class ArticleScreen(Screen):
    """One whole article, its query words highlighted, scrollable."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back", key_display="Esc"),
        Binding("slash", "to_query", "Query", key_display="/"),
        Binding("j", "scroll_down", "Down", show=False),
        Binding("k", "scroll_up", "Up", show=False),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, text: Text) -> None:
        super().__init__()
        self._text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="article"):
            yield Static(self._text, id="article-text", markup=False)
        yield Footer()

    def action_scroll_down(self) -> None:
        self.query_one("#article", VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one("#article", VerticalScroll).scroll_up()

    def action_to_query(self) -> None:
        self.app.pop_screen()
        self.app.query_one("#query", Input).focus()


class Browser(App):
    """The query box, the hit list with the selected hit's passages, and the side panel
    of facets and timeline."""

    TITLE = "msearch browse"
    ENABLE_COMMAND_PALETTE = False
    CSS = f"""
    #query {{ height: 3; }}
    #status {{ height: 1; padding: 0 1; }}
    #main {{ height: 1fr; }}
    #left {{ width: 1fr; }}
    OptionList {{ border: none; padding: 0; text-wrap: nowrap; text-overflow: ellipsis; }}
    #hits {{ height: 1fr; min-height: 4; }}
    #preview-box {{ height: 1fr; border-top: solid $secondary; }}
    #preview {{ padding: 0 1; }}
    #side {{ width: {SIDE_WIDTH}; border-left: solid $secondary; }}
    #facets {{ height: 1fr; }}
    #timeline {{ height: auto; max-height: 5; padding: 0 1; }}
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
        Binding("escape", "back", "Back", key_display="Esc"),
        Binding("slash", "to_query", "Query", key_display="/"),
        Binding("s", "similar", "Similar"),
        Binding("o", "next_sort", "Order"),
        Binding("a", "any_words", "All/any"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, session: Session, listing: Listing | None = None) -> None:
        super().__init__()
        self.session = session
        self.listing = listing
        self.failure: BaseException | None = None
        self._rows: list[Hit | None] = []
        """The hit on each row of the list (None: the line before articles with some words)."""
        self._facet_rows: list[tuple[str, str] | None] = []
        """(facet, value) on each row of the side panel (None: a heading)."""
        self._earlier: list[tuple[Listing, int]] = []
        """Listings to go back to (Escape), with the row that was selected."""
        self._loading_more = False

    def compose(self) -> ComposeResult:
        yield QueryBox(
            value=self.session.text,
            placeholder="words to find, then Enter ('*': every article)",
            id="query",
        )
        yield Static(id="status", markup=False)
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield HitList(id="hits")
                with VerticalScroll(id="preview-box", can_focus=False):
                    yield Static(id="preview", markup=False)
            with Vertical(id="side"):
                yield FacetList(id="facets")
                yield Static(id="timeline", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#hits", HitList).border_title = "hits"
        self._show(self.listing)
        if self.listing is None:
            self.query_one("#query", Input).focus()
        else:
            self.query_one("#hits", HitList).focus()

    # --- what the keys do -------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._earlier.clear()
        text = event.value
        self._search(lambda: self.session.query(text), focus_hits=True)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id != "hits":
            return
        self._preview(self._hit_at(event.option_index))
        if event.option_index >= len(self._rows) - LOAD_AHEAD:
            self._load_more()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "hits":
            hit = self._hit_at(event.option_index)
            if hit is not None and self.listing is not None:
                self._open(hit, self.listing)
        elif event.option_list.id == "facets":
            chosen = self._facet_rows[event.option_index]
            if chosen is not None:
                self.session.toggle(*chosen)
                self._search(self.session.query)

    def action_to_query(self) -> None:
        self.query_one("#query", Input).focus()

    def action_similar(self) -> None:
        hit = self._selected_hit()
        if hit is None or self.listing is None:
            return
        self._earlier.append((self.listing, self.query_one("#hits", HitList).highlighted or 0))
        self._search(lambda: self.session.similar(hit), focus_hits=True)

    def action_next_sort(self) -> None:
        self.session.next_sort()
        self._search_again()

    def action_any_words(self) -> None:
        self.session.toggle_any()
        self._search_again()

    def action_back(self) -> None:
        if self._earlier:
            listing, row = self._earlier.pop()
            self._show(listing, row)
            self.query_one("#hits", HitList).focus()
        elif isinstance(self.focused, (Input, FacetList)):
            self.query_one("#hits", HitList).focus()

    # --- searching ----------------------------------------------------------------------

    def _search_again(self) -> None:
        """The current query again, in the session's new order or mode."""
        if self.session.text.strip():
            self._earlier.clear()
            self._search(self.session.query)
        else:
            self._status(views.status(None, self.session))

    def _search(self, step: Callable[[], Listing], focus_hits: bool = False) -> None:
        self._status(Text("searching…", style=views.DIM_STYLE))
        self._fetch(step, focus_hits)

    @work(thread=True, exclusive=True, group="search")
    def _fetch(self, step: Callable[[], Listing], focus_hits: bool) -> None:
        """Run ``step`` off the screen's thread; show what it found, or why it could not."""
        try:
            listing = step()
        except MsearchError as error:
            self.call_from_thread(self._status, Text(str(error), style="bold red"))
            return
        except Exception as error:  # a fault of msearch: shown in one line, app kept alive
            line = f"internal error: {type(error).__name__}: {error} (please report this)"
            self.call_from_thread(self._status, Text(line, style="bold red"))
            return
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._shown, listing, focus_hits)

    def _shown(self, listing: Listing, focus_hits: bool) -> None:
        self._show(listing)
        if focus_hits and listing.result.hits:
            self.query_one("#hits", HitList).focus()

    def _load_more(self) -> None:
        listing = self.listing
        if listing is None or listing.complete or self._loading_more:
            return
        self._loading_more = True
        self._fetch_more(listing)

    @work(thread=True, group="more")
    def _fetch_more(self, listing: Listing) -> None:
        try:
            more = self.session.more(listing)
        except Exception:  # the list stays as it is; the next query will say what is wrong
            more = listing
        self.call_from_thread(self._more_shown, listing, more)

    def _more_shown(self, before: Listing, more: Listing) -> None:
        self._loading_more = False
        if self.listing is not before:  # a new query came meanwhile
            return
        hits = self.query_one("#hits", HitList)
        self.listing = more
        self._add_hits(hits, more.result.hits[len(before.result.hits) :], more.tiered)

    def _open(self, hit: Hit, listing: Listing) -> None:
        try:
            shown = self.session.article(hit, listing)
        except MsearchError as error:
            self._status(Text(str(error), style="bold red"))
            return
        self.push_screen(ArticleScreen(views.article_text(shown)))

    # --- showing ------------------------------------------------------------------------

    def _show(self, listing: Listing | None, row: int = 0) -> None:
        self.listing = listing
        self._status(views.status(listing, self.session))
        hits = self.query_one("#hits", HitList)
        hits.clear_options()
        self._rows = []
        if listing is not None:
            self._add_hits(hits, listing.result.hits, listing.tiered)
        if self._rows:
            row = min(row, len(self._rows) - 1)
            hits.highlighted = row + 1 if self._rows[row] is None else row
            self._preview(self._rows[hits.highlighted])
        else:
            self._preview(None)
        if listing is None or listing.similar_to is None:
            self._show_side(listing)

    def _add_hits(self, hits: HitList, new: list[Hit], tiered: bool) -> None:
        previous = self._rows[-1] if self._rows else None
        options: list[Option] = []
        for hit in new:
            starts_some = previous is None or previous.matched == "all"
            if tiered and hit.matched == "some" and starts_some:
                options.append(Option(views.some_words_prompt(), disabled=True))
                self._rows.append(None)
            options.append(Option(views.hit_prompt(hit)))
            self._rows.append(hit)
            previous = hit
        hits.add_options(options)

    def _show_side(self, listing: Listing | None) -> None:
        facets = self.query_one("#facets", FacetList)
        was = self._facet_rows[facets.highlighted] if facets.highlighted is not None else None
        facets.clear_options()
        self._facet_rows = []
        counted = listing.result.facets if listing is not None else None
        width = SIDE_WIDTH - 4  # its border, the list's scroll bar and a margin
        options: list[Option] = []
        for name, counts in (counted or {}).items():
            if not counts:
                continue
            options.append(Option(views.facet_heading(name), disabled=True))
            self._facet_rows.append(None)
            for value, count in counts.items():
                chosen = self.session.is_chosen(name, value)
                prompt = views.facet_prompt(value, count, chosen, width)
                options.append(Option(prompt, disabled=value == UNKNOWN))
                self._facet_rows.append((name, value))
        if not options and listing is not None and listing.result.hits:  # some words only
            options.append(Option(views.no_facets_prompt(), disabled=True))
            self._facet_rows.append(None)
        facets.add_options(options)
        if was in self._facet_rows:  # the value just chosen stays under the cursor
            facets.highlighted = self._facet_rows.index(was)
        timeline = listing.timeline if listing is not None else None
        self.query_one("#timeline", Static).update(views.timeline_text(timeline, width))

    def _preview(self, hit: Hit | None) -> None:
        if hit is not None:
            shown = views.preview(hit)
        else:
            nothing = self.listing is not None and not self.listing.result.hits
            shown = Text("no articles match" if nothing else "", style=views.DIM_STYLE)
        self.query_one("#preview", Static).update(shown)
        self.query_one("#preview-box", VerticalScroll).scroll_home(animate=False)

    def _status(self, line: Text) -> None:
        self.query_one("#status", Static).update(line)

    def _hit_at(self, row: int | None) -> Hit | None:
        return self._rows[row] if row is not None and 0 <= row < len(self._rows) else None

    def _selected_hit(self) -> Hit | None:
        return self._hit_at(self.query_one("#hits", HitList).highlighted)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The keys of the hit list are not offered while an article is read."""
        return not (
            action in ("similar", "next_sort", "any_words")
            and isinstance(self.screen, ArticleScreen)
        )

    # --- failures -----------------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        """Textual's hook for an exception nothing caught: kept for the CLI to say in one
        line, and the app ends (Textual's own would print a traceback as it ends)."""
        self.failure = error
        self.exit(return_code=2)
