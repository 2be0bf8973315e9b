"""Find the article files under the paths a user names.

Folders are walked recursively for ``*.txt`` files. Symbolic links are followed, each real
folder at most once, so a link loop cannot make the walk endless. A path named directly is
taken whatever its suffix. Problems (broken links, unreadable folders) are reported, not fatal.
"""

from __future__ import annotations

import errno
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
                _add_file(path, os.stat(path), seen, found, may_repeat=True)
            except OSError as error:
                found.problems.append((path, error.strerror or str(error)))
        elif os.path.islink(path):
            found.problems.append((path, "broken symbolic link"))
        else:
            found.missing.append(given)
    if seen.may_repeat:
        _keep_first(found, seen)
    return found


class _Identities:
    """The device and inode of each file found, in order (16 bytes a file, where a set of
    a million identities takes 60 MB), and whether any file may have been found twice.

    Each real folder is walked once, so a file with one name is met once by the walk; only
    a file with several names (hard links), one met through a symbolic link or one named
    on the command line can be met again."""

    def __init__(self) -> None:
        self.devices = array("Q")
        self.inodes = array("Q")
        self.may_repeat = False


def _add_file(
    path: str, st: os.stat_result, seen: _Identities, found: Discovery, *, may_repeat: bool
) -> None:
    """Add the file at ``path`` to what was found (``_keep_first`` drops a second find)."""
    seen.devices.append(st.st_dev)
    seen.inodes.append(st.st_ino)
    seen.may_repeat = seen.may_repeat or may_repeat or st.st_nlink > 1
    found.files.append(path)
    found.sizes.append(st.st_size)
    found.mtimes_ns.append(st.st_mtime_ns)


def _keep_first(found: Discovery, seen: _Identities) -> None:
    """Drop each file found again after its first find."""
    first: set[tuple[int, int]] = set()
    keep = []
    for identity in zip(seen.devices, seen.inodes, strict=True):
        keep.append(identity not in first)
        first.add(identity)
    found.files = list(compress(found.files, keep))
    found.sizes = array("q", compress(found.sizes, keep))
    found.mtimes_ns = array("q", compress(found.mtimes_ns, keep))


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
                        _add_file(path, st, seen, found, may_repeat=entry.is_symlink())
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
