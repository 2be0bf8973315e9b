"""Saved searches: a query and its filters kept under a name, run again on demand.

They live in the index folder, in ``saved.json``, next to the index they search: ``msearch
index`` runs (``--rebuild`` included) leave that file alone. Each saved search remembers the
articles it has seen, by the hash of their text (a moved file is the same article, a
rewritten one is new): those that matched when it was saved, and those its ``new_only``
runs showed (``record_runs``, called once the hits are written out). Every change is a
read-modify-write under an OS lock (``saved.lock``), written to a temporary file and renamed
over the old one: a crash or a concurrent run leaves either the old state or the new, never
a torn file, and seen articles are only ever added.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import re
from collections.abc import Iterator
from pathlib import Path

from monitor_search.errors import BadQuery, IndexDamaged, MsearchError, UnknownPublication
from monitor_search.index.store import check_index, now_iso, shown, write_atomically
from monitor_search.model import FILTER_FIELDS, Filters, SavedRun, SavedSearch
from monitor_search.search.searcher import SORTS, Matches, search_matching

STATE_FILE = "saved.json"
LOCK_FILE = "saved.lock"
FORMAT = "msearch-saved"
VERSION = 1
_NAME = re.compile(r"\w[\w.-]{0,63}")


class SavedSearchNotFound(MsearchError):
    """No saved search of that name (exit code 2: the name given is wrong)."""


def add_saved(
    index_dir: Path,
    name: str,
    query: str,
    *,
    filters: Filters | None = None,
    match_any: bool = False,
    sort: str = "relevance",
    replace: bool = False,
) -> SavedRun:
    """Save ``query`` (with ``filters``, ``match_any`` and ``sort``) as ``name`` and run it
    once: what it matches now counts as seen, so ``new_only`` runs list what is indexed
    from now on. Replacing a search with the same query and filters (another order) keeps
    what it has seen. A publication the index does not have yet is no error: ``error``
    says so, and its articles will be new. Nothing is written if the query cannot run."""
    _check_name(name)
    index_dir = Path(index_dir)
    with _state(index_dir) as searches:
        old = searches.get(name)
        if old is not None and not replace:
            raise BadQuery(f"a saved search {name!r} exists: choose another name, or --replace it")
        saved = SavedSearch(name, query, filters or Filters(), match_any, sort, now_iso())
        try:
            found = _search(index_dir, saved, new_only=False, limit=1)
        except UnknownPublication as error:
            searches[name] = dataclasses.replace(saved, last_run=saved.created)
            return SavedRun(searches[name], None, False, str(error))
        if found.result.nothing_to_search:
            words = ", ".join(found.result.ignored) or "none"
            raise BadQuery(f"the query has no word to search for (stop words: {words})")
        same = old is not None and (old.query, old.filters, old.match_any) == (
            query,
            saved.filters,
            match_any,
        )
        if same:
            searches[name] = dataclasses.replace(saved, seen=old.seen, last_run=old.last_run)
        else:
            searches[name] = dataclasses.replace(saved, seen=found.matched, last_run=saved.created)
    return SavedRun(searches[name], found.result, False)


def list_saved(index_dir: Path) -> list[SavedSearch]:
    """Every saved search of the index, by name."""
    index_dir = Path(index_dir)
    check_index(index_dir)  # a missing or foreign folder is the usual error
    return sorted(_read(index_dir).values(), key=lambda saved: saved.name)


def remove_saved(index_dir: Path, name: str) -> SavedSearch:
    """Forget the saved search ``name``; the one removed."""
    with _state(Path(index_dir)) as searches:
        return searches.pop(_known(searches, name))


def run_saved(
    index_dir: Path, name: str, *, new_only: bool = False, limit: int | None = 10
) -> SavedRun:
    """Run the saved search ``name``: its best ``limit`` hits (every match when None), only
    among the articles it has not seen when ``new_only``. Nothing is recorded: once the
    hits are shown, ``record_runs`` marks them seen. A query or publication that no longer
    fits the index raises its error, as ``search`` does."""
    index_dir = Path(index_dir)
    check_index(index_dir)
    searches = _read(index_dir)
    saved = searches[_known(searches, name)]
    found = _search(index_dir, saved, new_only, limit)
    return SavedRun(saved, found.result, new_only, shown=found.shown)


def run_all_saved(
    index_dir: Path, *, new_only: bool = False, limit: int | None = 10
) -> list[SavedRun]:
    """``run_saved`` for every saved search, by name. One that cannot run (its query or
    publication no longer fits the index) says why in ``error``, and the others go on."""
    index_dir = Path(index_dir)
    check_index(index_dir)
    searches = _read(index_dir)
    return [_run_one(index_dir, searches[name], new_only, limit) for name in sorted(searches)]


def record_runs(index_dir: Path, runs: list[SavedRun]) -> None:
    """Mark the hits that ``new_only`` runs showed as seen, and note the time: call it once
    they have been written out. Runs of other processes meanwhile are kept (seen articles
    are only ever added)."""
    shown = [ran for ran in runs if ran.new_only and ran.error is None]
    if not shown:
        return
    with _state(Path(index_dir)) as searches:
        for ran in shown:
            saved = searches.get(ran.search.name)
            if saved is not None:
                seen = saved.seen | ran.shown
                searches[saved.name] = dataclasses.replace(saved, seen=seen, last_run=now_iso())


def _run_one(index_dir: Path, saved: SavedSearch, new_only: bool, limit: int | None) -> SavedRun:
    try:
        found = _search(index_dir, saved, new_only, limit)
    except (BadQuery, UnknownPublication) as error:
        return SavedRun(saved, None, new_only, str(error))
    return SavedRun(saved, found.result, new_only, shown=found.shown)


def _search(index_dir: Path, saved: SavedSearch, new_only: bool, limit: int | None) -> Matches:
    return search_matching(
        index_dir,
        saved.query,
        limit=limit,
        filters=saved.filters,
        sort=saved.sort,
        match_any=saved.match_any,
        unseen_only=saved.seen if new_only else None,
    )


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise BadQuery(
            f"saved search name {name!r}: use letters, digits, '-', '_' and '.', "
            "starting with a letter or digit (at most 64)"
        )


def _known(searches: dict[str, SavedSearch], name: str) -> str:
    if name not in searches:
        known = ", ".join(sorted(searches)) or "none yet: 'msearch saved add NAME TEXT'"
        raise SavedSearchNotFound(f"no saved search {name!r}; saved searches: {known}")
    return name


@contextlib.contextmanager
def _state(index_dir: Path) -> Iterator[dict[str, SavedSearch]]:
    """The saved searches, to read and change; written back (atomically) if the block ends
    without an error. One process at a time: others wait for the lock."""
    check_index(index_dir)  # only an existing msearch index holds saved searches
    try:
        lock = open(index_dir / LOCK_FILE, "a+b")  # noqa: SIM115 - held for the whole block
    except OSError as error:
        raise MsearchError(
            f"cannot change the saved searches in {shown(index_dir)}: {error.strerror}"
        ) from None
    with lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        searches = _read(index_dir)
        before = dict(searches)
        yield searches
        if searches != before:
            _write(index_dir, searches)


def _read(index_dir: Path) -> dict[str, SavedSearch]:
    path = index_dir / STATE_FILE
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        if state.get("format") != FORMAT:
            raise ValueError("not a saved-searches file")
        if state.get("version", 0) > VERSION:
            raise MsearchError(
                f"{shown(path)} was written by a newer msearch: upgrade to use saved searches"
            )
        return {name: _from_json(name, entry) for name, entry in state["searches"].items()}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise IndexDamaged(
            f"cannot read the saved searches in {shown(path)} ({error}): "
            "fix or remove that file (it holds nothing else)"
        ) from None


_FILTER_TYPES = {"publication": str, "date_from": str, "date_to": str}
"""The filters that are text; the others are whole numbers."""


def _from_json(name: str, entry: dict) -> SavedSearch:
    """A saved search from its JSON entry, every value checked for its type (the file may
    have been edited by hand)."""
    filters = entry.get("filters", {})
    values = {field: filters.get(field) for field in FILTER_FIELDS}
    for field, value in values.items():
        _expect(value is None or type(value) is _FILTER_TYPES.get(field, int), name, field)
    seen = entry.get("seen", [])
    _expect(isinstance(seen, list) and all(isinstance(key, str) for key in seen), name, "seen")
    _expect(isinstance(entry.get("query"), str), name, "query")
    _expect(isinstance(entry.get("any", False), bool), name, "any")
    _expect(entry.get("sort", "relevance") in SORTS, name, "sort")
    return SavedSearch(
        name=name,
        query=entry["query"],
        filters=Filters(**values),
        match_any=entry.get("any", False),
        sort=entry.get("sort", "relevance"),
        created=str(entry.get("created", "")),
        last_run=entry.get("last_run"),
        seen=frozenset(seen),
    )


def _expect(holds: bool, name: str, field: str) -> None:
    if not holds:
        raise ValueError(f"saved search {name!r} has a wrong {field!r}")


def _to_json(saved: SavedSearch) -> dict:
    return {
        "query": saved.query,
        "filters": {
            field: getattr(saved.filters, field)
            for field in FILTER_FIELDS
            if getattr(saved.filters, field) is not None
        },
        "any": saved.match_any,
        "sort": saved.sort,
        "created": saved.created,
        "last_run": saved.last_run,
        "seen": sorted(saved.seen),
    }


def _write(index_dir: Path, searches: dict[str, SavedSearch]) -> None:
    """Write the state at once and to disk (``write_atomically``)."""
    state = {
        "format": FORMAT,
        "version": VERSION,
        "searches": {name: _to_json(searches[name]) for name in sorted(searches)},
    }
    text = json.dumps(state, ensure_ascii=False, indent=1) + "\n"
    try:
        write_atomically(index_dir / STATE_FILE, text, durable=True)
    except OSError as error:
        raise MsearchError(
            f"cannot save the saved searches in {shown(index_dir)}: {error.strerror}"
        ) from None
