"""Nothing lost, no traceback: real bad files, real signals, real concurrent processes."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from monitor_search.index.indexer import update_index
from monitor_search.search.searcher import search

from .conftest import monitor_text, write_article

MSEARCH = [sys.executable, "-m", "monitor_search"]


def run_msearch(*args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*MSEARCH, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
        **kwargs,
    )


def start_msearch(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [*MSEARCH, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def article_count(index_dir: Path) -> int:
    done = run_msearch("stats", "--json", "--index", str(index_dir))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["articles"]


def make_archive(folder: Path, count: int, words: int = 120) -> Path:
    """``count`` articles, each with its own number as a searchable word ``artN``."""
    folder.mkdir(parents=True, exist_ok=True)
    filler = " ".join(f"term{i % 97} pipeline Caspian" for i in range(words // 3))
    for n in range(count):
        body = f"art{n} reported on the Caspian. {filler} (Interfax, May {n % 28 + 1})."
        (folder / f"{n:05d}.txt").write_text(monitor_text(f"ARTICLE {n}", body), "utf-8")
    return folder


def wait_for_commit(index_dir: Path, process: subprocess.Popen, timeout: float = 60) -> None:
    """Block until the running indexer has committed at least one batch."""
    deadline = time.monotonic() + timeout
    marker = index_dir / "msearch.json"
    while time.monotonic() < deadline:
        assert process.poll() is None, "the indexer finished before it could be interrupted"
        if marker.exists() and "last_indexed" in marker.read_text():
            return
        time.sleep(0.02)
    raise AssertionError("no batch was committed in time")


def children(pid: int) -> list[int]:
    """The indexer's worker processes (it starts one per core for large batches)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def assert_gone(pids: list[int], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = [pid for pid in pids if Path(f"/proc/{pid}").exists() and not _zombie(pid)]
        if not alive:
            return
        time.sleep(0.05)
    raise AssertionError(f"worker processes still running: {alive}")


def _zombie(pid: int) -> bool:
    try:
        return " Z " in Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True


# 1. Bad files -------------------------------------------------------------------------------


def test_bad_files_are_named_skipped_and_the_rest_indexed(tmp_path):
    folder = tmp_path / "archive"
    write_article(folder, "good.txt", "GOOD ARTICLE", "Shevardnadze in Tbilisi.")
    (folder / "binary.txt").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00" * 50)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_bytes(b" \r\n\t \n")
    (folder / "garbage.txt").write_bytes(bytes(range(128, 256)) * 20)
    (folder / "cp1252.txt").write_bytes(
        monitor_text("CP1252 DÉTENTE", "Déjà vu – “quotes” " * 5).encode("cp1252")
    )
    (folder / "cp1251.txt").write_bytes(
        monitor_text("ЧЕЧНЯ", "Грозный и Москва, переговоры продолжаются. " * 5).encode("cp1251")
    )
    (folder / "latin1.txt").write_bytes(
        monitor_text("GENÈVE", "Réunion à Genève, où le ministre a parlé. " * 5).encode("latin-1")
    )
    (folder / "bom.txt").write_bytes(
        b"\xef\xbb\xbf" + monitor_text("BOM TITLE", "Bom body.").replace("\n", "\r\n").encode()
    )
    write_article(folder, "name with spaces ünïcödé Тбилиси.txt", "ODD NAME", "Found by name.")
    with open(folder / "huge.txt", "wb") as huge:  # 40 MB of real text
        line = b"A very long dump of text that is not one article at all. " * 16 + b"\n"
        for _ in range(40 * 2**20 // len(line) + 1):
            huge.write(line)
    (folder / "broken.txt").symlink_to(tmp_path / "does-not-exist.txt")
    (folder / "self.txt").symlink_to(folder / "self.txt")
    (folder / "loop").symlink_to(folder)  # a folder link back to itself

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = update_index([str(folder)], tmp_path / "ix")
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    reasons = {Path(path).name: reason for path, reason in report.skipped}

    assert report.new == 6  # good, cp1252, cp1251, latin1, bom, odd name
    assert set(reasons) == {
        "binary.txt",
        "empty.txt",
        "blank.txt",
        "garbage.txt",
        "huge.txt",
        "broken.txt",
        "self.txt",
    }
    assert "binary" in reasons["binary.txt"]
    assert "no text" in reasons["empty.txt"] and "no text" in reasons["blank.txt"]
    assert "undecodable" in reasons["garbage.txt"]
    assert "too large" in reasons["huge.txt"]
    assert "broken symbolic link" in reasons["broken.txt"]
    assert "loop" in reasons["self.txt"]
    assert grown_mb < 100  # the 40 MB file was never read into memory
    ix = tmp_path / "ix"
    assert [h.title for h in search(ix, "détente").hits] == ["CP1252 DÉTENTE"]
    assert [h.title for h in search(ix, "Грозный").hits] == ["ЧЕЧНЯ"]
    assert [h.title for h in search(ix, "Genève").hits] == ["GENÈVE"]
    assert [h.title for h in search(ix, "bom").hits] == ["BOM TITLE"]
    assert [h.title for h in search(ix, "name").hits] == ["ODD NAME"]


def test_bad_files_through_the_command(tmp_path):
    folder = tmp_path / "archive"
    write_article(folder, "good.txt", "GOOD ARTICLE", "Text.")
    (folder / "bad\x1b[31mname.txt").write_bytes(b"\x00")
    done = run_msearch("index", str(folder), "--index", str(tmp_path / "ix"))
    assert done.returncode == 0
    assert "1 new" in done.stderr and "1 skipped" in done.stderr
    assert "binary file" in done.stderr
    assert "\x1b" not in done.stderr and "bad␛[31mname.txt" in done.stderr
    assert "Traceback" not in done.stderr


# 2. Interrupted indexing ------------------------------------------------------------------


@pytest.mark.parametrize("how", ["kill -9", "Ctrl-C"])
def test_interrupted_run_keeps_committed_work_and_next_run_finishes(tmp_path, how):
    archive = make_archive(tmp_path / "archive", 1500)
    index_dir = tmp_path / "ix"
    process = start_msearch(
        "index", str(archive), "--index", str(index_dir), env={"MSEARCH_COMMIT_EVERY": "100"}
    )
    wait_for_commit(index_dir, process)
    workers = children(process.pid)
    process.send_signal(signal.SIGKILL if how == "kill -9" else signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert_gone(workers)  # no orphaned indexing process keeps the index locked

    if how == "Ctrl-C":
        assert process.returncode == 130, err
        assert "interrupted" in err and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1
    else:
        assert process.returncode == -signal.SIGKILL
    kept = article_count(index_dir)
    assert 100 <= kept < 1500
    assert search(index_dir, "art0").hits[0].title == "ARTICLE 0"  # first batch searchable

    done = run_msearch("index", str(archive), "--index", str(index_dir), "--wait", "0")
    assert done.returncode == 0, done.stderr  # the dead run's lock does not block
    assert f"{kept:,} unchanged" in done.stderr
    assert article_count(index_dir) == 1500


def test_sigterm_is_a_clean_interruption(tmp_path):
    archive = make_archive(tmp_path / "archive", 1500)
    index_dir = tmp_path / "ix"
    process = start_msearch(
        "index", str(archive), "--index", str(index_dir), env={"MSEARCH_COMMIT_EVERY": "100"}
    )
    wait_for_commit(index_dir, process)
    process.terminate()
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and "interrupted" in err and "Traceback" not in err


# 3. Concurrency -----------------------------------------------------------------------------


def test_concurrent_runs_wait_or_refuse_and_nothing_is_lost(tmp_path):
    first = make_archive(tmp_path / "first", 1200)
    second = tmp_path / "second"
    write_article(second, "extra.txt", "EXTRA ARTICLE", "Written by the second run.")
    index_dir = tmp_path / "ix"
    env = {"MSEARCH_COMMIT_EVERY": "100"}
    running = start_msearch("index", str(first), "--index", str(index_dir), env=env)
    wait_for_commit(index_dir, running)

    refused = run_msearch("index", str(second), "--index", str(index_dir), "--wait", "0")
    assert refused.returncode == 2
    assert "busy" in refused.stderr and "Traceback" not in refused.stderr

    during = run_msearch("query", "Caspian", "--index", str(index_dir), "--json")
    assert during.returncode == 0, during.stderr  # answered from the last commit
    assert 100 <= json.loads(during.stdout)["total"] <= 1200

    waiting = start_msearch("index", str(second), "--index", str(index_dir), "--wait", "120")
    assert running.wait(timeout=120) == 0
    _, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert "waiting for another 'msearch index'" in err
    assert article_count(index_dir) == 1201


# 4. Damaged and foreign index folders -------------------------------------------------------


def _indexed(tmp_path) -> Path:
    folder = tmp_path / "archive"
    write_article(folder, "a.txt", "CASPIAN OIL", "Baku and the Caspian.")
    index_dir = tmp_path / "ix"
    assert run_msearch("index", str(folder), "--index", str(index_dir)).returncode == 0
    return index_dir


@pytest.mark.parametrize(
    "damage", ["truncate terms", "truncate postings", "garbage toc", "delete terms"]
)
def test_damaged_index_exits_2_suggesting_rebuild(tmp_path, damage):
    index_dir = _indexed(tmp_path)
    terms = next(index_dir.glob("*.trm"))
    postings = next(index_dir.glob("*.pst"))
    toc = next(index_dir.glob("_MAIN_*.toc"))
    if damage == "truncate terms":
        terms.write_bytes(terms.read_bytes()[:100])
    elif damage == "truncate postings":
        postings.write_bytes(postings.read_bytes()[:10])
    elif damage == "garbage toc":
        toc.write_bytes(b"\x00garbage" * 10)
    else:
        terms.unlink()
    done = run_msearch("query", "Caspian", "--index", str(index_dir))
    assert done.returncode == 2
    assert "--rebuild" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    rebuilt = run_msearch(
        "index", str(tmp_path / "archive"), "--index", str(index_dir), "--rebuild"
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert run_msearch("query", "Caspian", "--index", str(index_dir)).returncode == 0


def test_similar_on_damaged_postings_exits_2_suggesting_rebuild(tmp_path):
    index_dir = _indexed(tmp_path)
    write_article(tmp_path / "archive", "b.txt", "CASPIAN GAS", "Baku and the Caspian gas.")
    assert (
        run_msearch("index", str(tmp_path / "archive"), "--index", str(index_dir)).returncode == 0
    )
    found = run_msearch("query", "Caspian", "--json", "--index", str(index_dir))
    article = json.loads(found.stdout)["hits"][0]["id"]
    for postings in index_dir.glob("*.pst"):
        postings.write_bytes(postings.read_bytes()[:10])
    done = run_msearch("similar", article, "--index", str(index_dir))
    assert done.returncode == 2, done.stderr
    assert "--rebuild" in done.stderr and "Traceback" not in done.stderr


def test_rebuild_refuses_a_users_folder(tmp_path):
    documents = tmp_path / "Documents"
    documents.mkdir()
    (documents / "letter.txt").write_text("Dear editor", encoding="utf-8")
    (documents / "_MAIN_1.toc").write_text("looks like an index but is not ours", encoding="utf-8")
    write_article(tmp_path / "docs", "a.txt", "T", "Body.")
    done = run_msearch("index", str(tmp_path / "docs"), "--index", str(documents), "--rebuild")
    assert done.returncode == 2
    assert "not an msearch index" in done.stderr
    assert sorted(p.name for p in documents.iterdir()) == ["_MAIN_1.toc", "letter.txt"]
    assert (documents / "letter.txt").read_text(encoding="utf-8") == "Dear editor"


def _limit_file_size():
    """In the child: files may not grow past 64 kB, and exceeding it is an error, not a kill."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


@pytest.mark.parametrize("files", [400, 1200], ids=["one process", "parallel workers"])
def test_disk_full_leaves_previous_index_intact(tmp_path, files):
    index_dir = _indexed(tmp_path)
    big = make_archive(tmp_path / "big", files, words=300)
    done = subprocess.run(
        [*MSEARCH, "index", str(big), "--index", str(index_dir)],
        capture_output=True,
        text=True,
        preexec_fn=_limit_file_size,
        timeout=120,
    )
    assert done.returncode == 2
    assert "cannot write the index" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    after = run_msearch("query", "Caspian oil", "--index", str(index_dir), "--json")
    assert after.returncode == 0
    assert json.loads(after.stdout)["hits"][0]["title"] == "CASPIAN OIL"
