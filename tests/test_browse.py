"""``msearch browse``: the session on its own, then the screen driven by real key presses
(Textual's pilot), then the command in a pseudo-terminal."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from monitor_search.browse.app import ArticleScreen, Browser
from monitor_search.browse.session import PAGE, Session
from monitor_search.index.indexer import update_index
from monitor_search.model import Filters
from monitor_search.search.searcher import search

from .conftest import installed_msearch, write_article

MATCHES = PAGE + 14
"""Articles with "pipeline": the talks, the gas article and the hostile one."""
HOSTILE_TITLE = "[bold red]FAKE[/] \x1b[2J\x1b]0;pwned\x07 PIPELINE"


@pytest.fixture
def archive(tmp_path):
    folder = tmp_path / "archive"
    for number in range(PAGE + 12):  # more than a page: the list loads more as it scrolls
        publication = "Eurasia Daily Monitor" if number % 3 else "Monitor"
        write_article(
            folder,
            f"p{number:03d}.txt",
            f"PIPELINE TALKS {number}",
            f"The Caspian pipeline was discussed in Baku, round {number} "
            f"({'Interfax' if number % 2 else 'Turan'}, March {number % 28 + 1}).",
            publication=publication,
            volume=5,
            issue=number + 1,
        )
    write_article(folder, "gas.txt", "GAS PRICE TALKS", "Gazprom and the pipeline price of gas.")
    write_article(folder, "hostile.txt", HOSTILE_TITLE, "[link=http://x]click[/link] \x1b[31mred")
    index_dir = tmp_path / "ix"
    update_index([str(folder)], index_dir)
    return index_dir


def run(app: Browser, steps, size=(80, 24)):
    """Run ``app`` under the pilot at ``size``, ``await steps(pilot)``, and return the app."""

    async def drive():
        async with app.run_test(size=size) as pilot:
            await settled(pilot)
            await steps(pilot)

    asyncio.run(drive())
    assert app.failure is None
    return app


async def settled(pilot) -> None:
    """Wait until the searches started have shown their answer."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def press(pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settled(pilot)


def shown(app: Browser, selector: str) -> str:
    """The plain text a Static widget shows."""
    content = app.screen.query_one(selector).content
    return getattr(content, "plain", str(content))


def rows(app: Browser) -> list[str]:
    hits = app.query_one("#hits")
    return [str(getattr(option.prompt, "plain", option.prompt)) for option in hits.options]


def browser(archive, text: str | None = "pipeline", **options) -> Browser:
    session = Session(archive, **options)
    return Browser(session, session.query(text) if text is not None else None)


# --- the session: the library's calls and their state ---------------------------------------


def test_session_is_the_library_functions(archive):
    session = Session(archive)
    listing = session.query("pipeline")
    expected = search(archive, "pipeline", limit=PAGE, facets=("publication", "year", "source"))
    assert [hit.id for hit in listing.result.hits] == [hit.id for hit in expected.hits]
    assert listing.result.facets == expected.facets
    assert listing.listable == expected.total == MATCHES
    more = session.more(listing)
    assert len(more.result.hits) == MATCHES and more.complete
    assert len({hit.id for hit in more.result.hits}) == MATCHES
    assert [hit.rank for hit in more.result.hits] == list(range(1, MATCHES + 1))


def test_narrowing_toggles_the_filter_and_counts_agree(archive):
    session = Session(archive)
    counted = session.query("pipeline").result.facets
    session.toggle("publication", "Monitor")
    assert session.filters == Filters(publication="Monitor")
    assert session.query().result.total == counted["publication"]["Monitor"]
    session.toggle("source", "interfax")
    assert session.query().result.total == len(
        [n for n in range(PAGE + 12) if n % 3 == 0 and n % 2 == 1]
    )
    session.toggle("publication", "monitor")  # again (case aside): widened
    assert session.filters == Filters(source="interfax")
    with pytest.raises(ValueError):
        session.toggle("year", "unknown")


def test_sort_goes_round(archive):
    session = Session(archive, sort="date")
    assert [session.next_sort() for _ in range(3)] == ["oldest", "relevance", "newest"]


# --- the screen -------------------------------------------------------------------------------


def test_starts_with_the_hits_and_previews_the_first(archive):
    async def steps(pilot):
        app = pilot.app
        assert app.focused.id == "hits"
        assert shown(app, "#status").startswith(f"{MATCHES} with all the words")
        assert rows(app)[0].startswith(" 1. ")
        assert "pipeline" in shown(app, "#preview").lower()
        preview = app.query_one("#preview").content
        assert any("pipeline" in preview.plain[s.start : s.end].lower() for s in preview.spans)
        facets = [row for row in rows_of(app, "#facets")]
        assert any("Eurasia Daily" in row for row in facets) and "by year" in facets
        assert "most:" in shown(app, "#timeline")

    run(browser(archive), steps)


def rows_of(app: Browser, selector: str) -> list[str]:
    return [str(getattr(o.prompt, "plain", o.prompt)) for o in app.query_one(selector).options]


def test_keys_move_open_and_go_back(archive):
    async def steps(pilot):
        app = pilot.app
        first = app._selected_hit()
        await press(pilot, "j")
        second = app._selected_hit()
        assert second.rank == first.rank + 1
        assert second.title in shown(app, "#preview")
        await press(pilot, "k", "down")
        assert app._selected_hit() == second
        await press(pilot, "enter")
        assert isinstance(app.screen, ArticleScreen)
        article = shown(app, "#article-text")
        assert article.startswith(second.title) and "Caspian pipeline" in article
        marked = app.screen.query_one("#article-text").content
        assert any(marked.plain[s.start : s.end].lower() == "pipeline" for s in marked.spans)
        await press(pilot, "escape")
        assert not isinstance(app.screen, ArticleScreen) and app.focused.id == "hits"
        await press(pilot, "enter", "slash")
        assert not isinstance(app.screen, ArticleScreen) and app.focused.id == "query"

    run(browser(archive), steps)


def test_typing_a_query_and_enter_runs_it(archive):
    async def steps(pilot):
        app = pilot.app
        assert app.focused.id == "query"
        assert "Type words" in shown(app, "#status")
        await press(pilot, *"gazprom", "enter")
        assert shown(app, "#status").startswith("1 with all the words")
        assert app.focused.id == "hits" and "GAS PRICE TALKS" in rows(app)[0]
        await press(pilot, "slash")
        await press(pilot, "end", *["backspace"] * 7, *"quit", "enter")  # q: a letter here
        assert app.is_running and app.session.text == "quit"

    run(browser(archive, None), steps)


def test_an_empty_result_and_a_bad_query_say_so(archive):
    async def steps(pilot):
        app = pilot.app
        assert shown(app, "#status").startswith("0 with all the words")
        assert rows(app) == [] and shown(app, "#preview") == "no articles match"
        await press(pilot, "s", "enter", "j")  # nothing selected: nothing to do, no failure
        await press(pilot, "slash", "end", *["backspace"] * 12, "enter")
        assert "the query is empty" in shown(app, "#status")

    run(browser(archive, "Lukashenka"), steps)


def test_the_list_loads_more_at_its_end(archive):
    async def steps(pilot):
        app = pilot.app
        assert len(rows(app)) == PAGE
        await press(pilot, *["j"] * (PAGE - 2))
        assert len(rows(app)) == MATCHES
        await press(pilot, "end")
        assert app._selected_hit().rank == MATCHES

    run(browser(archive), steps)


def test_similar_and_back(archive):
    async def steps(pilot):
        app = pilot.app
        await press(pilot, "j")
        chosen = app._selected_hit()
        await press(pilot, "s")
        assert shown(app, "#status").startswith(f"{len(rows(app))} articles similar to")
        assert chosen.id not in [hit.id for hit in app.listing.result.hits]
        await press(pilot, "enter")
        assert isinstance(app.screen, ArticleScreen)
        await press(pilot, "escape", "escape")
        assert shown(app, "#status").startswith(f"{MATCHES} with all")
        assert app._selected_hit() == chosen

    run(browser(archive), steps)


def test_a_facet_value_narrows_and_again_widens(archive):
    async def steps(pilot):
        app = pilot.app
        counted = app.listing.result.facets["publication"]
        await press(pilot, "tab")
        assert app.focused.id == "facets"
        await press(pilot, "down", "enter")  # the first value under "by publication"
        name = next(iter(counted))
        assert app.session.filters.publication == name
        assert shown(app, "#status").startswith(f"{counted[name]} with all the words")
        assert f"publication: {name}" in shown(app, "#status")
        assert rows_of(app, "#facets")[1].startswith("✓ ")
        await press(pilot, "enter")
        assert app.session.filters.publication is None
        assert shown(app, "#status").startswith(f"{MATCHES} with all")

    run(browser(archive), steps)


def test_order_key_reorders(archive):
    async def steps(pilot):
        app = pilot.app
        await press(pilot, "o")
        assert app.session.sort == "newest" and "· newest" in shown(app, "#status")

    run(browser(archive), steps)


def test_any_key_counts_and_facets_the_articles_with_some_words(archive):
    expected = search(archive, "Gazprom Baku", match_any=True, facets=["publication"])

    async def steps(pilot):
        app = pilot.app
        assert shown(app, "#status").startswith(f"0 with all the words, {expected.total} with")
        assert "none has them" in rows_of(app, "#facets")[0]
        await press(pilot, "a")
        assert shown(app, "#status").startswith(f"{expected.total} articles with any of")
        first_count = next(iter(expected.facets["publication"].values()))
        assert rows_of(app, "#facets")[1].endswith(f" {first_count}")
        await press(pilot, "a")
        assert shown(app, "#status").startswith("0 with all the words")

    run(browser(archive, "Gazprom Baku"), steps)


def test_hostile_article_text_is_shown_not_obeyed(archive):
    async def steps(pilot):
        app = pilot.app
        listed = rows(app)[0]
        assert "[bold red]FAKE[/]" in listed and "\x1b" not in listed and "␛[2J" in listed
        await press(pilot, "enter")
        article = shown(app, "#article-text")
        assert "[link=http://x]click[/link]" in article and "␛[31mred" in article
        assert "\x1b" not in article and "\x07" not in article

    run(browser(archive, "FAKE"), steps)


@pytest.mark.parametrize("size", [(80, 24), (60, 16)])
def test_small_terminals_keep_every_pane(archive, size):
    async def steps(pilot):
        app = pilot.app
        for selector in ("#query", "#status", "#hits", "#preview-box", "#facets"):
            region = app.query_one(selector).region
            assert region.width > 0 and region.height > 0, selector
            assert region.right <= size[0] and region.bottom <= size[1], selector
        assert app.query_one("#hits").region.height >= 4

    run(browser(archive), steps, size=size)


def test_q_and_ctrl_c_quit_with_exit_0(archive):
    for key in ("q", "ctrl+c"):

        async def steps(pilot, key=key):
            await pilot.press(key)
            await pilot.pause()

        app = run(browser(archive), steps)
        assert app.return_code == 0 and not app.is_running


def test_no_color_is_followed(archive, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")

    async def steps(pilot):
        assert pilot.app.no_color

    run(browser(archive), steps)


# --- the command -----------------------------------------------------------------------------


def test_a_missing_index_is_the_query_error(msearch, tmp_path, monkeypatch):
    import monitor_search.browse as browse

    monkeypatch.setattr(browse.sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(browse.sys.stdout, "isatty", lambda: True, raising=False)
    missing = msearch("browse", "pipeline", "--index", str(tmp_path / "nowhere"))
    expected = msearch("query", "pipeline", "--index", str(tmp_path / "nowhere"))
    assert (missing.code, missing.err) == (expected.code, expected.err) == (2, expected.err)
    assert expected.err.count("\n") == 1


def test_browse_outside_a_terminal_is_refused(msearch, archive):
    refused = msearch("browse", "pipeline", "--index", str(archive))
    assert refused.code == 2 and "needs a terminal" in refused.err


def test_browse_in_a_real_terminal_quits_cleanly(archive):
    """The installed command on a pseudo-terminal: it draws, takes q, ends with 0."""
    code, output = _keys_in_terminal(
        [installed_msearch(), "browse", "pipeline", "--index", str(archive)], b"q"
    )
    assert code == 0, output[-2000:]
    assert "TALKS" in output and "Traceback" not in output


def _keys_in_terminal(command: list[str], keys: bytes, timeout: float = 30) -> tuple[int, str]:
    """Run ``command`` on an 80x24 pseudo-terminal, type ``keys`` once it has drawn its footer,
    and return its exit code and all it wrote."""
    import fcntl
    import pty
    import select
    import struct
    import subprocess
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color"}
    process = subprocess.Popen(command, stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    output, typed, deadline = b"", False, time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        if not typed and b"Quit" in output:  # the footer: the screen is up
            time.sleep(0.5)
            os.write(leader, keys)
            typed = True
        if process.poll() is not None and not ready:
            break
    os.close(leader)
    if process.poll() is None:
        process.kill()
    return process.wait(timeout=10), output.decode(errors="replace")


def test_a_fault_inside_the_app_ends_it_in_one_line(msearch, archive, monkeypatch):
    """A fault of msearch while browsing ends the app and is kept for the CLI, which says it
    in one line (Textual would print a traceback as the app ends)."""

    def broken(*args):
        raise RuntimeError("the article shelf fell over")

    app = browser(archive)
    monkeypatch.setattr(app.session, "article", broken)

    async def drive():
        async with app.run_test(size=(80, 24)) as pilot:
            await settled(pilot)
            pilot.app.simulate_key("enter")  # the pilot's press would wait for the app, which ends
            for _ in range(100):
                await asyncio.sleep(0.05)
                if pilot.app.failure is not None:
                    break

    asyncio.run(drive())
    assert isinstance(app.failure, RuntimeError) and app.return_code == 2

    import monitor_search.browse as browse

    monkeypatch.setattr(browse.sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(browse.sys.stdout, "isatty", lambda: True, raising=False)

    def run_and_fail(self):
        self.failure = RuntimeError("the article shelf fell over")

    monkeypatch.setattr(Browser, "run", run_and_fail)
    failed = msearch("browse", "pipeline", "--index", str(archive))
    assert failed.code == 2 and "Traceback" not in failed.err
    assert failed.err.startswith("msearch: internal error: RuntimeError: the article shelf")
    assert failed.err.count("\n") == 1
