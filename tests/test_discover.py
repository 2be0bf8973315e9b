"""Finding article files: order, sizes and times, links, and no descriptor left open."""

from __future__ import annotations

import os

import pytest

from monitor_search.ingest import discover as discover_module
from monitor_search.ingest.discover import discover


def tree(root):
    """Folders and files whose names sort differently from how they were made."""
    for relative in ["b.txt", "a/z.txt", "a/m/k.TXT", "a/notes.md", "c/y.txt", "a/b.txt"]:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{relative}\n\nbody of {relative}\n")
    return root


def relative(found, root):
    return [os.path.relpath(path, root) for path in found.files]


def test_files_come_depth_first_in_name_order(tmp_path):
    root = tree(tmp_path / "corpus")
    found = discover([str(root)])
    assert relative(found, root) == ["a/b.txt", "a/m/k.TXT", "a/z.txt", "b.txt", "c/y.txt"]
    assert found.folders == [str(root)] and found.problems == [] and found.missing == []


def test_sizes_and_times_are_each_files_own(tmp_path):
    root = tree(tmp_path / "corpus")
    found = discover([str(root)])
    stats = [os.stat(path) for path in found.files]
    assert list(found.sizes) == [st.st_size for st in stats]
    assert list(found.mtimes_ns) == [st.st_mtime_ns for st in stats]


def test_the_same_without_folder_descriptors(tmp_path, monkeypatch):
    root = tree(tmp_path / "corpus")
    (root / "c" / "link").symlink_to(root / "a" / "m")
    with_descriptors = discover([str(root)])
    monkeypatch.setattr(os, "supports_fd", set())
    without = discover([str(root)])
    assert without.files == with_descriptors.files
    assert list(without.mtimes_ns) == list(with_descriptors.mtimes_ns)


def test_a_folder_reached_twice_is_walked_once(tmp_path):
    root = tree(tmp_path / "corpus")
    (root / "c" / "again").symlink_to(root / "a")
    found = discover([str(root), str(root / "a")])
    assert relative(found, root) == ["a/b.txt", "a/m/k.TXT", "a/z.txt", "b.txt", "c/y.txt"]


def test_a_file_found_again_is_kept_where_it_was_found_first(tmp_path):
    """Through a link found before or after it, a hard link, or its name given again: one
    file, at its first find, with its own size and time."""
    root = tree(tmp_path / "corpus")
    (root / "0-first.txt").symlink_to(root / "c" / "y.txt")
    (root / "c" / "z-after.txt").symlink_to(root / "a" / "z.txt")
    os.link(root / "b.txt", root / "c" / "hard.txt")
    found = discover([str(root), str(root / "a" / "b.txt")])
    assert relative(found, root) == ["0-first.txt", "a/b.txt", "a/m/k.TXT", "a/z.txt", "b.txt"]
    stats = [os.stat(path) for path in found.files]
    assert list(found.sizes) == [st.st_size for st in stats]
    assert list(found.mtimes_ns) == [st.st_mtime_ns for st in stats]


def test_a_hard_link_alone_is_one_file(tmp_path):
    root = tree(tmp_path / "corpus")
    os.link(root / "b.txt", root / "c" / "hard.txt")
    assert relative(discover([str(root)]), root) == [
        "a/b.txt", "a/m/k.TXT", "a/z.txt", "b.txt", "c/y.txt"
    ]  # fmt: skip


def test_an_interrupted_walk_closes_its_folders(tmp_path, monkeypatch):
    root = tree(tmp_path / "corpus")
    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc to count open descriptors")
    before = len(os.listdir("/proc/self/fd"))

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(discover_module, "_add_file", interrupt)
    with pytest.raises(KeyboardInterrupt):
        discover([str(root)])
    assert len(os.listdir("/proc/self/fd")) == before
