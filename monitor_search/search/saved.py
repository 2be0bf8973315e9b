"""Saved searches: a query and its filters kept under a name, run again on demand.

They live in the index folder, in ``saved.json``, next to the index they search: ``msearch
index`` runs (``--rebuild`` included) leave that file alone. Each saved search remembers the
ids of the articles that matched when it last ran (or was saved), so ``run(..., new_only=True)``
lists only the matching articles indexed since. Every change is a read-modify-write under an
OS lock (``saved.lock``), written to a temporary file and renamed over the old one: a crash or
a concurrent run leaves either the old state or the new, never a torn file or a lost update.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

from monitor_search.errors import BadQuery, IndexDamaged, MsearchError, UnknownPublication
from monitor_search.index.store import now_iso, open_for_reading, shown
from monitor_search.model import FILTER_FIELDS, Filters, SavedRun, SavedSearch
from monitor_search.search.searcher import search_matching

STATE_FILE = "saved.json"
LOCK_FILE = "saved.lock"
FORMAT = "msearch-saved"
VERSION = 1
_NAME = re.compile(r"^[\w][\w.-]{0,63}$")


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
    from now on. The query is checked (and its publication) before anything is written."""
    _check_name(name)
    index_dir = Path(index_dir)
    with _state(index_dir) as searches:
        if name in searches and not replace:
            raise BadQuery(f"a saved search {name!r} exists: choose another name, or --replace it")
        saved = SavedSearch(name, query, filters or Filters(), match_any, sort, now_iso())
        ran = _run_one(index_dir, saved, new_only=False, limit=1)
        searches[name] = ran.search
    return ran


def list_saved(index_dir: Path) -> list[SavedSearch]:
    """Every saved search of the index, by name."""
    index_dir = Path(index_dir)
    open_for_reading(index_dir)  # a missing or foreign folder is the usual error
    return sorted(_read(index_dir).values(), key=lambda saved: saved.name)


def remove_saved(index_dir: Path, name: str) -> SavedSearch:
    """Forget the saved search ``name``; the one removed."""
    with _state(Path(index_dir)) as searches:
        return searches.pop(_known(searches, name))


def run_saved(
    index_dir: Path, name: str, *, new_only: bool = False, limit: int | None = 10
) -> SavedRun:
    """Run the saved search ``name``: its best ``limit`` hits (all of them when None), only
    among the articles indexed since it last ran when ``new_only``. What it matches is then
    recorded as seen, and the run's time as its last."""
    index_dir = Path(index_dir)
    with _state(index_dir) as searches:
        ran = _run_one(index_dir, searches[_known(searches, name)], new_only, limit)
        searches[name] = ran.search
    return ran


def run_all_saved(
    index_dir: Path, *, new_only: bool = False, limit: int | None = 10
) -> list[SavedRun]:
    """``run_saved`` for every saved search, by name, recorded together. One that cannot run
    (its query or publication no longer fits the index) says why and the others go on."""
    index_dir = Path(index_dir)
    runs: list[SavedRun] = []
    with _state(index_dir) as searches:
        for name in sorted(searches):
            try:
                runs.append(_run_one(index_dir, searches[name], new_only, limit))
            except (BadQuery, UnknownPublication) as error:
                runs.append(SavedRun(searches[name], None, new_only, str(error)))
        searches.update((ran.search.name, ran.search) for ran in runs if ran.error is None)
    return runs


def _run_one(index_dir: Path, saved: SavedSearch, new_only: bool, limit: int | None) -> SavedRun:
    filters = saved.filters
    if new_only:
        filters = dataclasses.replace(filters, not_ids=saved.seen)
    result, matching = search_matching(
        index_dir,
        saved.query,
        limit=limit,
        filters=filters,
        sort=saved.sort,
        match_any=saved.match_any,
    )
    seen = saved.seen | matching if new_only else matching
    ran = dataclasses.replace(saved, last_run=now_iso(), seen=frozenset(seen))
    return SavedRun(ran, result, new_only)


def _check_name(name: str) -> None:
    if not _NAME.match(name):
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
    open_for_reading(index_dir)  # only an existing msearch index holds saved searches
    with open(index_dir / LOCK_FILE, "a+b") as lock:
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


def _from_json(name: str, entry: dict) -> SavedSearch:
    filters = Filters(**{field: entry["filters"].get(field) for field in FILTER_FIELDS})
    return SavedSearch(
        name=name,
        query=entry["query"],
        filters=filters,
        match_any=bool(entry.get("any", False)),
        sort=entry.get("sort", "relevance"),
        created=entry.get("created", ""),
        last_run=entry.get("last_run"),
        seen=frozenset(entry.get("seen", ())),
    )


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
    """Write the state to a temporary file, flush it to disk, rename it over the old one."""
    state = {
        "format": FORMAT,
        "version": VERSION,
        "searches": {name: _to_json(searches[name]) for name in sorted(searches)},
    }
    temporary = index_dir / f".{STATE_FILE}.{os.getpid()}.tmp"
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(state, handle, ensure_ascii=False, indent=1)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, index_dir / STATE_FILE)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise MsearchError(
            f"cannot save the saved searches in {shown(index_dir)}: {error.strerror}"
        ) from None
    directory = os.open(index_dir, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
