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
    """Absolute paths of article files under ``paths``, each real file once."""
    found = Discovery()
    seen_files: set[tuple[int, int]] = set()
    seen_dirs: set[tuple[int, int]] = set()
    for given in paths:
        path = os.path.abspath(given)
        if os.path.isdir(path):
            found.folders.append(path)
            for file_path in _walk(path, seen_dirs, found.problems):
                _add_file(file_path, seen_files, found)
        elif os.path.isfile(path):
            _add_file(path, seen_files, found)
        elif os.path.islink(path):
            found.problems.append((path, "broken symbolic link"))
        else:
            found.missing.append(given)
    return found


def _add_file(path: str, seen: set[tuple[int, int]], found: Discovery) -> None:
    try:
        st = os.stat(path)
    except OSError as error:
        found.problems.append((path, error.strerror or str(error)))
        return
    key = (st.st_dev, st.st_ino)
    if key not in seen:
        seen.add(key)
        found.files.append(path)
        found.sizes.append(st.st_size)
        found.mtimes_ns.append(st.st_mtime_ns)


def _walk(top: str, seen_dirs: set[tuple[int, int]], problems: list) -> Iterator[str]:
    try:
        st = os.stat(top)
    except OSError as error:
        problems.append((top, error.strerror or str(error)))
        return
    if (st.st_dev, st.st_ino) in seen_dirs:
        return
    seen_dirs.add((st.st_dev, st.st_ino))
    try:
        with os.scandir(top) as entries:
            children = sorted(entries, key=lambda entry: entry.name)
    except OSError as error:
        problems.append((top, f"cannot read folder: {error.strerror or error}"))
        return
    for entry in children:
        yield from _visit(entry, seen_dirs, problems)


def _visit(entry: os.DirEntry, seen_dirs: set, problems: list) -> Iterator[str]:
    try:
        is_dir = entry.is_dir(follow_symlinks=True)
        is_file = entry.is_file(follow_symlinks=True)
    except OSError as error:
        problems.append((entry.path, _reason(error)))
        return
    if is_dir:
        yield from _walk(entry.path, seen_dirs, problems)
    elif is_file:
        if entry.name.lower().endswith(ARTICLE_SUFFIX):
            yield entry.path
    elif entry.is_symlink() and entry.name.lower().endswith(ARTICLE_SUFFIX):
        problems.append((entry.path, _link_problem(entry.path)))


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
