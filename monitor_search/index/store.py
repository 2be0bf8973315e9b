"""Where the index lives on disk, and opening it safely for reading or writing.

An msearch index is a folder holding Whoosh's files plus ``msearch.json``, the marker that
says the folder is ours (and with which schema version it was built). msearch only ever
writes into an empty folder or one with that marker, so ``--index ~/Documents --rebuild``
cannot touch a user's own files. Writers hold ``msearch.lock`` (an OS advisory lock, released
by the kernel when the holder dies, so a crashed run never leaves a lock that blocks the next).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from monitor_search import engine
from monitor_search.engine import damage
from monitor_search.errors import IndexBusy, IndexDamaged, IndexMissing, MsearchError, NotAnIndex
from monitor_search.index.schema import SCHEMA_VERSION, build_schema

INDEX_ENV = "MSEARCH_INDEX"
DEFAULT_INDEX = "index"
MARKER = "msearch.json"
LOCK = "msearch.lock"
_OPEN_RETRIES = 3
T = TypeVar("T")


def resolve_index_dir(option: str | os.PathLike | None) -> Path:
    """``--index DIR`` if given, else ``$MSEARCH_INDEX``, else ``./index``."""
    if option:
        return Path(option)
    return Path(os.environ.get(INDEX_ENV) or DEFAULT_INDEX)


def shown(path: Path) -> str:
    """A path as the user should see it in messages (``./index`` rather than ``index``)."""
    text = str(path)
    return text if path.is_absolute() or text.startswith(".") else f"./{text}"


def read_marker(index_dir: Path) -> dict | None:
    try:
        with open(index_dir / MARKER, encoding="utf-8") as handle:
            marker = json.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise IndexDamaged(f"cannot read {shown(index_dir / MARKER)}: {error}") from None
    return marker if isinstance(marker, dict) else {}


def write_marker(index_dir: Path, **updates) -> None:
    """Update the marker atomically (write a temporary file, then rename it over)."""
    marker = read_marker(index_dir) or {}
    marker.update({"format": "msearch-index", "schema": SCHEMA_VERSION, **updates})
    write_atomically(index_dir / MARKER, json.dumps(marker, indent=2) + "\n")


def write_atomically(path: Path, text: str, *, durable: bool = False) -> None:
    """Replace ``path`` with ``text`` at once: written to a temporary file beside it, then
    renamed over it, so readers see the old file or the new, never part of one. ``durable``:
    on disk before this returns (the file and the rename), through a crash of the machine."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(text)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    if durable:
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def check_index(index_dir: Path) -> None:
    """Raise the error a user should see unless ``index_dir`` holds an msearch index of this
    version (its marker says so; the index itself is not opened)."""
    marker = read_marker(index_dir) if index_dir.is_dir() else None
    if marker is None:
        if index_dir.is_dir() and not _looks_empty(index_dir):
            raise NotAnIndex(f"{shown(index_dir)} is not an msearch index (no {MARKER})")
        raise IndexMissing(f"no index at {shown(index_dir)}: run 'msearch index <folder>' first")
    _check_version(index_dir, marker)


def open_for_reading(index_dir: Path):
    """The Whoosh index in ``index_dir``, checked to be an msearch index that opens."""
    engine.install()
    index_dir = Path(index_dir)
    check_index(index_dir)
    return _CheckedIndex(*_open_whoosh(index_dir))


def _check_version(index_dir: Path, marker: dict) -> None:
    if marker.get("schema") != SCHEMA_VERSION:
        raise IndexDamaged(
            f"the index at {shown(index_dir)} was built by another version of msearch: "
            "run 'msearch index <folder> --rebuild'"
        )


def _open_whoosh(index_dir: Path):
    """(the Whoosh index, a reader of all its segments): opening every segment here makes a
    damaged index fail now, not in the middle of a query."""
    from whoosh import index

    for attempt in range(_OPEN_RETRIES):
        try:
            ix = index.open_dir(str(index_dir), schema=build_schema())
            return ix, ix.reader()
        except index.EmptyIndexError:
            raise IndexMissing(
                f"no index at {shown(index_dir)} yet: run 'msearch index <folder>'"
            ) from None
        except Exception as error:
            # A commit in another process may have just replaced the files: look again.
            if attempt + 1 == _OPEN_RETRIES:
                raise damaged(index_dir, error) from None
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


class _CheckedIndex:
    """A Whoosh index whose first searcher reads through the reader opened to check it
    (each query would otherwise open every segment twice, and a large archive has many);
    everything else is the index's own."""

    def __init__(self, ix, reader):
        self._ix = ix
        self._unused = [reader]
        self._generation = reader.generation()

    def recommitted(self) -> bool:
        """Whether another commit replaced the one this index was opened at."""
        try:
            return self._ix.latest_generation() != self._generation
        except Exception:
            return True

    def searcher(self, **kwargs):
        from whoosh.searching import Searcher

        if self._unused:
            return Searcher(self._unused.pop(), fromindex=self._ix, **kwargs)
        return self._ix.searcher(**kwargs)

    def __getattr__(self, name: str):
        return getattr(self._ix, name)


CHECK_SECONDS = 10.0
"""How long ``find_damage`` reads before it gives up looking (a large archive takes longer
to read through): what it has not reached is not called damaged."""


def find_damage(ix, seconds: float = CHECK_SECONDS) -> str | None:
    """What is wrong with the index's files, or None if all that was read is sound.

    Called after a read failed, to tell a damaged index (truncated, deleted or overwritten
    files) from a fault in msearch: it opens every segment and reads its stored articles,
    its columns and its term dictionary, checking that each term's postings lie inside the
    postings file. It stops after ``seconds``.
    """
    deadline = time.monotonic() + seconds
    try:
        reader = ix.reader()
    except Exception as error:
        return _reason(error)
    try:
        for segment, _ in reader.leaf_readers():
            problem = _segment_damage(ix, segment, deadline)
            if problem is not None or time.monotonic() > deadline:
                return problem
    finally:
        reader.close()
    return None


def _segment_damage(ix, segment, deadline: float) -> str | None:
    if segment.doc_count_all() == 0:
        return None
    name = segment.segment().segment_id()
    step = "stored articles"
    try:
        for _ in segment.all_stored_fields():
            pass
        for field in ix.schema.names():
            step = f"the {field} column"
            if ix.schema[field].column_type and segment.has_column(field):
                for _ in segment.column_reader(field):
                    pass
        step = "the term dictionary"
        return damage.postings_outside(segment, name, deadline)
    except Exception as error:
        return f"segment {name}: cannot read {step}: {_reason(error)}"


def _reason(error: BaseException) -> str:
    text = str(error).splitlines()[0][:200] if str(error) else ""
    return text or type(error).__name__


def read_index(index_dir: Path, read: Callable[[object], T]) -> T:
    """``read(index)`` on the index as last committed.

    If it fails while another process commits (the files it was reading are replaced), it
    is read again from the new commit; a failure that stays is damage if ``find_damage``
    finds some, and otherwise goes on as it is: a fault in msearch, not in the index.
    """
    index_dir = Path(index_dir)
    for attempt in range(_OPEN_RETRIES):
        ix = open_for_reading(index_dir)
        try:
            return read(ix)
        except MsearchError:
            raise
        except Exception:
            if attempt + 1 < _OPEN_RETRIES and ix.recommitted():
                continue
            _raise_if_damaged(ix, index_dir)
            raise
    raise AssertionError("unreachable")


@contextlib.contextmanager
def read_failures(ix, index_dir: Path) -> Iterator[None]:
    """Report a failure while reading the index as damage if ``find_damage`` finds some;
    any other failure goes on as it is: a fault in msearch, not in the user's index."""
    try:
        yield
    except MsearchError:
        raise
    except Exception:
        _raise_if_damaged(ix, index_dir)
        raise


def _raise_if_damaged(ix, index_dir: Path) -> None:
    """IndexDamaged if ``find_damage`` finds damage; else nothing (the caller re-raises)."""
    problem = find_damage(ix)
    if problem is not None:
        raise damaged(index_dir, problem) from None


def damaged(index_dir: Path, error: BaseException | str) -> IndexDamaged:
    reason = error if isinstance(error, str) else _reason(error)
    return IndexDamaged(
        f"the index at {shown(index_dir)} is damaged ({reason}): "
        "run 'msearch index <folder> --rebuild'"
    )


@contextlib.contextmanager
def locked_for_writing(
    index_dir: Path,
    *,
    rebuild: bool = False,
    wait_seconds: float = 60.0,
    on_wait: Callable[[], None] = lambda: None,
) -> Iterator[tuple[object, bool]]:
    """Hold the index's write lock; yield ``(index, fresh)``.

    ``fresh`` is True when the index was created empty (new folder, or ``rebuild`` of an index
    that could not be opened); otherwise a rebuild is the caller's to do at commit time, so the
    previous index stays whole until the new one is committed.
    """
    engine.install()
    index_dir = Path(index_dir)
    _claim_folder(index_dir)
    with _write_lock(index_dir, wait_seconds, on_wait):
        marker = read_marker(index_dir)
        if not rebuild and marker is not None:
            _check_version(index_dir, marker)
        ix, fresh = _open_or_create(index_dir, rebuild)
        yield ix, fresh


def _claim_folder(index_dir: Path) -> None:
    """Make ``index_dir`` ours: create it, or accept it if empty or already an index."""
    if index_dir.exists() and not index_dir.is_dir():
        raise NotAnIndex(f"{shown(index_dir)} is a file, not an index folder")
    if index_dir.is_dir() and read_marker(index_dir) is not None:
        return
    if index_dir.is_dir() and not _looks_empty(index_dir):
        raise NotAnIndex(
            f"refusing to write to {shown(index_dir)}: it is not empty and not an msearch "
            "index; choose another folder with --index"
        )
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        write_marker(index_dir, created=now_iso())
    except OSError as error:
        raise NotAnIndex(
            f"cannot create an index at {shown(index_dir)}: {error.strerror}"
        ) from None


_PLACEHOLDERS = {".gitkeep", ".gitignore", ".keep", ".DS_Store"}


def _looks_empty(folder: Path) -> bool:
    """Empty but for files that only keep a folder in version control."""
    return all(entry.name in _PLACEHOLDERS for entry in folder.iterdir())


@contextlib.contextmanager
def _write_lock(index_dir: Path, wait_seconds: float, on_wait: Callable[[], None]):
    handle = open(index_dir / LOCK, "a+b")  # noqa: SIM115 - held for the whole block
    try:
        deadline = time.monotonic() + wait_seconds
        told = False
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexBusy(
                        f"the index at {shown(index_dir)} is busy: another 'msearch index' is "
                        "writing to it; try again when it has finished"
                    ) from None
                if not told:
                    on_wait()
                    told = True
                time.sleep(0.2)
        yield
    finally:
        handle.close()  # closing the file releases the lock


def _open_or_create(index_dir: Path, rebuild: bool):
    from whoosh import index

    try:
        ix, reader = _open_whoosh(index_dir)
        reader.close()  # the writer opens its own
        return ix, False
    except IndexMissing:
        pass  # a new folder, or one whose first run was interrupted before any commit
    except IndexDamaged:
        if not rebuild:
            raise
    ix = index.create_in(str(index_dir), build_schema())
    write_marker(index_dir, schema=SCHEMA_VERSION)
    return ix, True


def now_iso() -> str:
    """The local time now, to the second, with its UTC offset (ISO 8601)."""
    return dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")


def record_indexed(index_dir: Path) -> None:
    """Note in the marker when an index run last committed (shown by ``msearch stats``)."""
    write_marker(index_dir, last_indexed=now_iso())
