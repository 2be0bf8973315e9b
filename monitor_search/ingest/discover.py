"""Find the article files under the paths a user names.

Folders are walked recursively for ``*.txt`` files. Symbolic links are followed, each real
folder at most once, so a link loop cannot make the walk endless. A path named directly is
taken whatever its suffix. Problems (broken links, unreadable folders) are reported, not fatal.
"""

from __future__ import annotations

import errno
import operator
import os
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import compress
from operator import attrgetter

ARTICLE_SUFFIX = ".txt"


@dataclass
class Discovery:
    """What a walk found: article files in order, roots walked, problems met on the way."""

    files: list[str] = field(default_factory=list)
    sizes: array = field(default_factory=lambda: array("q"))
    """Each file's size when it was found (``os.stat``), in the order of ``files``."""
    mtimes_ns: array = field(default_factory=lambda: array("q"))
    """Each file's modification time in nanoseconds when it was found."""
    folders: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def discover(paths: list[str]) -> Discovery:
    """Absolute paths of article files under ``paths``, each real file once (where it is
    first found)."""
    found = Discovery()
    seen = _Identities()
    seen_dirs: set[int] = set()
    for given in paths:
        path = os.path.abspath(given)
        if os.path.isdir(path):
            found.folders.append(path)
            _walk(path, seen_dirs, seen, found)
        elif os.path.isfile(path):
            try:
                _add_file(path, os.stat(path), seen, found)
            except OSError as error:
                found.problems.append((path, error.strerror or str(error)))
        elif os.path.islink(path):
            found.problems.append((path, "broken symbolic link"))
        else:
            found.missing.append(given)
    _keep_first(found, seen)
    return found


_WORD = 2**64


class _Identities:
    """The device and inode of each file found, in order: 24 bytes a file in arrays, where
    a set of a million identities takes 60 MB (an inode is 128 bits on some file systems,
    kept as two 64-bit halves)."""

    def __init__(self) -> None:
        self.devices = array("Q")
        self.inodes = array("Q")
        self.inodes_high = array("Q")

    def columns(self) -> tuple[array, array, array]:
        return self.devices, self.inodes_high, self.inodes


def _add_file(path: str, st: os.stat_result, seen: _Identities, found: Discovery) -> None:
    """Add the file at ``path`` to what was found (``_keep_first`` drops a second find)."""
    seen.devices.append(st.st_dev % _WORD)
    seen.inodes_high.append(st.st_ino // _WORD)
    seen.inodes.append(st.st_ino % _WORD)
    found.files.append(path)
    found.sizes.append(st.st_size)
    found.mtimes_ns.append(st.st_mtime_ns)


SORTED_FROM = 50_000
"""Files from which repeats are found by sorting the identities (numpy) instead of in a set."""


def _keep_first(found: Discovery, seen: _Identities) -> None:
    """Drop each file found again after its first find: a hard link, a symbolic link, a
    bind mount, a file named on the command line and found in a folder too."""
    found_again = (_repeats_sorted if len(found.files) >= SORTED_FROM else _repeats)(seen)
    if found_again is None:
        return
    keep = list(map(operator.not_, found_again))
    found.files = list(compress(found.files, keep))
    found.sizes = array("q", compress(found.sizes, keep))
    found.mtimes_ns = array("q", compress(found.mtimes_ns, keep))


def _repeats(seen: _Identities) -> list[bool] | None:
    """For each file, whether an earlier file has its identity (None when none has)."""
    first: set[tuple[int, int, int]] = set()
    again = []
    for identity in zip(*seen.columns(), strict=True):
        again.append(identity in first)
        first.add(identity)
    return again if any(again) else None


def _repeats_sorted(seen: _Identities) -> list[bool] | None:
    """``_repeats``, by sorting the identities: equal ones end up side by side. Most walks
    stay on one device, and then the inodes alone are sorted, in a copy of 8 bytes a file."""
    import numpy as np

    columns = [np.frombuffer(column, dtype=np.uint64) for column in seen.columns()]
    keys = [column for column in columns if (column != column[0]).any()] or columns[-1:]
    if len(keys) == 1:
        ordered = np.sort(keys[0])
        if not (ordered[1:] == ordered[:-1]).any():
            return None
    order = np.lexsort(keys[::-1])  # stable (the first found first); the last key sorts first
    ordered_keys = [key[order] for key in keys]
    same_as_before = np.logical_and.reduce([key[1:] == key[:-1] for key in ordered_keys])
    again = np.zeros(len(order), dtype=bool)
    again[order[1:][same_as_before]] = True
    return again.tolist()


def _identity(st: os.stat_result) -> int:
    """A folder's device and inode as one number."""
    return st.st_dev << 64 | st.st_ino


def _walk(top: str, seen_dirs: set, seen: _Identities, found: Discovery) -> None:
    """Add the article files under the folder ``top``, depth first, each folder's entries in
    name order (a subfolder's files where its name sorts)."""
    pending: list[tuple[str, Iterator[os.DirEntry], int | None]] = []
    try:
        _enter(top, seen_dirs, found.problems, pending)
        while pending:
            prefix, entries, descriptor = pending[-1]
            for entry in entries:
                path = prefix + entry.name
                try:
                    if entry.is_dir(follow_symlinks=True):
                        if _enter(path, seen_dirs, found.problems, pending):
                            break
                        continue
                    is_file = entry.is_file(follow_symlinks=True)
                except OSError as error:
                    found.problems.append((path, _reason(error)))
                    continue
                if not entry.name.lower().endswith(ARTICLE_SUFFIX):
                    continue
                if is_file:
                    try:
                        if descriptor is None:
                            st = os.stat(path)
                        else:  # the name alone: the kernel need not walk the whole path
                            st = os.stat(entry.name, dir_fd=descriptor)
                        _add_file(path, st, seen, found)
                    except OSError as error:
                        found.problems.append((path, error.strerror or str(error)))
                elif entry.is_symlink():
                    found.problems.append((path, _link_problem(path)))
            else:
                _leave(pending.pop())
    finally:
        for folder in pending:
            _leave(folder)


def _enter(path: str, seen_dirs: set, problems: list, pending: list) -> bool:
    """Put the folder ``path``'s entries, in name order, on top of ``pending``, unless it
    was walked before (through a link) or cannot be read; with an open descriptor of the
    folder where the system allows (names are looked up in it, not whole paths)."""
    try:
        st = os.stat(path)
    except OSError as error:
        problems.append((path, error.strerror or str(error)))
        return False
    identity = _identity(st)
    if identity in seen_dirs:
        return False
    seen_dirs.add(identity)
    descriptor = None
    try:
        if os.scandir in os.supports_fd:
            descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        with os.scandir(path if descriptor is None else descriptor) as listing:
            entries = sorted(listing, key=attrgetter("name"))
    except OSError as error:
        if descriptor is not None:
            os.close(descriptor)
        problems.append((path, f"cannot read folder: {error.strerror or error}"))
        return False
    pending.append((os.path.join(path, ""), iter(entries), descriptor))
    return True


def _leave(folder: tuple[str, Iterator[os.DirEntry], int | None]) -> None:
    if folder[2] is not None:
        os.close(folder[2])


def _link_problem(path: str) -> str:
    try:
        os.stat(path)
    except OSError as error:
        return _reason(error)
    return "broken symbolic link"


def _reason(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "symbolic link loop"
    if error.errno == errno.ENOENT:
        return "broken symbolic link"
    return error.strerror or str(error)
