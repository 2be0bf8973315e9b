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


@pytest.fixture(params=["in a set", "sorted"])
def finding_repeats(request, monkeypatch):
    """Repeats found both ways: in a set (small walks), by sorting (large ones)."""
    if request.param == "sorted":
        monkeypatch.setattr(discover_module, "SORTED_FROM", 0)


def distinct_sizes(root):
    """Each file of ``tree`` a size of its own, so sizes out of step with files show."""
    for number, path in enumerate(sorted(root.rglob("*.*"))):
        path.write_text("x" * (10 + number))


ALL = ["a/b.txt", "a/m/k.TXT", "a/z.txt", "b.txt", "c/y.txt"]


@pytest.mark.usefixtures("finding_repeats")
@pytest.mark.parametrize(
    ("repeat", "expected"),
    [
        ("link before", ["0-first.txt", "a/b.txt", "a/m/k.TXT", "a/z.txt", "b.txt"]),
        ("link after", ALL),
        ("hard link", ALL),
        ("named again", ALL),
        ("nothing", ALL),
    ],
)
def test_a_file_found_again_is_kept_where_it_was_found_first(tmp_path, repeat, expected):
    root = tree(tmp_path / "corpus")
    distinct_sizes(root)
    paths = [str(root)]
    if repeat == "link before":
        (root / "0-first.txt").symlink_to(root / "c" / "y.txt")
    elif repeat == "link after":
        (root / "c" / "z-after.txt").symlink_to(root / "a" / "z.txt")
    elif repeat == "hard link":
        os.link(root / "b.txt", root / "c" / "hard.txt")
    elif repeat == "named again":
        paths.append(str(root / "a" / "b.txt"))
    found = discover(paths)
    assert relative(found, root) == expected
    stats = [os.stat(path) for path in found.files]
    assert list(found.sizes) == [st.st_size for st in stats]
    assert list(found.mtimes_ns) == [st.st_mtime_ns for st in stats]


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


@pytest.mark.parametrize("find", [discover_module._repeats, discover_module._repeats_sorted])
def test_repeats_are_told_apart_by_device_and_both_halves_of_the_inode(find):
    seen = discover_module._Identities()
    for device, inode in [(1, 5), (2, 5), (1, 5), (2, 6), (1, 2**64 + 5), (2, 6), (1, 2**64 + 5)]:
        discover_module._add_file("x", _Stat(device, inode), seen, discover_module.Discovery())
    assert find(seen) == [False, False, True, False, False, True, True]
    alone = discover_module._Identities()
    for inode in (3, 1, 2):
        discover_module._add_file("x", _Stat(7, inode), alone, discover_module.Discovery())
    assert find(alone) is None


class _Stat:
    def __init__(self, device: int, inode: int):
        self.st_dev, self.st_ino, self.st_size, self.st_mtime_ns = device, inode, 1, 1
