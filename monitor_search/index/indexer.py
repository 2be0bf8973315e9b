"""Bring the index up to date with article files on disk.

Incremental by default: a file whose size and modification time match what the index recorded
is skipped without being read; a changed file is re-read and replaced (or kept, if its bytes
hash the same); a file gone from a folder being indexed is removed. Work is committed in
batches, so an interrupted run keeps everything up to its last commit, and the next run
picks up where it stopped.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import operator
import os
import time
from collections.abc import Callable
from itertools import compress, repeat
from pathlib import Path

from monitor_search.engine.parallel import ParallelWriter, available
from monitor_search.errors import MsearchError
from monitor_search.index.schema import (
    article_from_stored,
    article_id,
    content_key,
    document_fields,
)
from monitor_search.index.store import locked_for_writing, record_indexed, shown
from monitor_search.ingest.article import parse_article
from monitor_search.ingest.decode import MAX_FILE_BYTES, UnreadableText, decode_article_bytes
from monitor_search.ingest.discover import discover
from monitor_search.model import Article, IndexReport

BATCH_DOCUMENTS = int(os.environ.get("MSEARCH_COMMIT_EVERY") or 50_000)
"""Articles written between commits: an interrupted run loses at most this many. Each
commit synchronises the writing processes, and each writes a segment that queries look in,
so fewer, larger batches index faster and make faster queries (each writing process's part
of a full batch makes a segment over LARGE_SEGMENT, never rewritten).
``$MSEARCH_COMMIT_EVERY`` changes it (fewer: less lost work, more, smaller segments)."""
PROCESSES = 2
PARALLEL_FROM = 500
"""With this many files to (re)index, one writing process per core pays for starting them."""
WRITER_MB = 128
"""Postings held in memory (by the pool's estimate, split between the writing processes)
before they are spilled to a run file (``engine.pool``: read back a term at a time, so
spilling costs little): bounds memory at any corpus size, under 512 MB for all processes."""
BATCH_SECONDS = 300.0
"""...or this much work, whichever comes first."""
SMALL_SEGMENT = 2_000
"""Segments with fewer articles are merged into each commit's new segment, so small runs do
not pile up segments. (Whoosh's own policy, MERGE_SMALL, rewrites most of a large index to
add one file.)"""
MERGE_FACTOR = 10
"""Segments of SMALL_SEGMENT up to MERGE_FACTOR times that many articles are merged once
MERGE_FACTOR of them have piled up (a run that adds a few thousand files a day would
otherwise add a segment a day for good, and every query looks in every segment)."""
LARGE_SEGMENT = SMALL_SEGMENT * MERGE_FACTOR
"""Segments of this many articles or more are never rewritten: merging costs Python work for
every posting, about a third of what indexing the articles again would (``benchmarks/RESULTS.md``),
so large segments are made large from the start, by large batches (BATCH_DOCUMENTS)."""

STAMP = b"%d:%d:"
"""A file's size and modification time in nanoseconds, the start of its signature."""


class IndexInterrupted(MsearchError):
    """Ctrl-C during an index run; what was committed before stays in the index."""

    exit_code = 130

    def __init__(self) -> None:
        super().__init__(
            "interrupted: articles committed before stay searchable; "
            "run the same 'msearch index' again to finish"
        )


class NothingToIndex(MsearchError):
    """None of the paths named exists: the run stops before it creates or changes anything."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        super().__init__(
            f"nothing to index: {', '.join(missing)}: no such file or folder (no index written)"
        )


PHASES = ("reading", "analysing", "writing", "merging")
"""What an index run is doing: finding the files, what the index has of them and which are
unchanged; reading and analysing each new or changed file; writing a batch's segment (and
the postings of the segments merged into it); copying the articles of the segments merged
into it (``merge_plan``)."""


def update_index(
    paths: list[str],
    index_dir: Path,
    *,
    rebuild: bool = False,
    wait_seconds: float = 60.0,
    on_wait: Callable[[], None] = lambda: None,
    on_start: Callable[[int], None] = lambda total: None,
    on_done: Callable[[int], None] = lambda count: None,
    on_skip: Callable[[str, str], None] = lambda path, reason: None,
    on_phase: Callable[[str], None] = lambda phase: None,
) -> IndexReport:
    """Index the article files under ``paths`` into ``index_dir`` and report what changed.

    The callbacks let a front end show progress: ``on_start(number_of_files)``, then
    ``on_done(count)`` as ``count`` more files are dealt with (the unchanged all at once),
    ``on_skip(path, reason)`` for each file left out, and ``on_phase(name)`` as the work
    moves from one of ``PHASES`` to another.
    """
    index_dir = Path(index_dir)
    started = time.monotonic()
    report = IndexReport()
    on_phase("reading")
    found = discover(paths)
    if found.missing and not (found.files or found.folders or found.problems):
        raise NothingToIndex(found.missing)
    report.missing = found.missing
    for path, reason in found.problems:
        _skip(report, on_skip, path, reason)
    try:
        with locked_for_writing(
            index_dir, rebuild=rebuild, wait_seconds=wait_seconds, on_wait=on_wait
        ) as (ix, fresh):
            run = _IndexRun(ix, index_dir, clear_first=rebuild and not fresh, on_phase=on_phase)
            try:
                _index_files(run, found, report, rebuild, on_start, on_done, on_skip)
            except BaseException:
                run.cancel()
                raise
            finally:
                run.close()
    except KeyboardInterrupt:
        raise IndexInterrupted() from None
    except OSError as error:
        raise _write_failure(index_dir, error) from None
    report.seconds = time.monotonic() - started
    return report


def _index_files(run, found, report: IndexReport, rebuild: bool, on_start, on_done, on_skip):
    known = {} if rebuild else run.known_signatures()
    gone = _gone(known, found)
    for path in gone:
        run.moved_from.setdefault(content_key(known[path]).encode(), []).append(path)
    on_start(len(found.files))
    ahead = _changed(known, found)
    report.unchanged = len(found.files) - len(ahead)
    on_done(report.unchanged)
    run.parallel = available() and len(ahead) >= PARALLEL_FROM
    for path in ahead:
        run.phase("analysing")
        outcome = run.add_file(path, known.get(path))
        if isinstance(outcome, str):
            setattr(report, outcome, getattr(report, outcome) + 1)
        else:
            _skip(report, on_skip, path, outcome[1])
        on_done(1)
    run.remove(gone)
    report.removed = len(gone) - report.moved
    run.commit()
    record_indexed(run.index_dir)


def _changed(known: dict[str, bytes], found) -> list[str]:
    """The files found whose size or modification time differ from what the index recorded
    (or that it does not hold), in the order found. (One pass of C loops: an archive of a
    million unchanged files is checked in a fraction of a second.)"""
    stamps = map(STAMP.__mod__, zip(found.sizes, found.mtimes_ns, strict=True))
    recorded = map(known.get, found.files, repeat(b""))
    unchanged = map(bytes.startswith, recorded, stamps)
    return list(compress(found.files, map(operator.not_, unchanged)))


def _gone(known: dict[str, bytes], found) -> list[str]:
    """Indexed files that are no more: gone from a folder just walked, or from the disk."""
    if not known:  # a new index: no set of every path found
        return []
    unseen = known.keys() - set(found.files)
    if not unseen:
        return []
    walked = tuple(os.path.join(folder, "") for folder in found.folders)
    return [
        path
        for path in known
        if path in unseen and (path.startswith(walked) or not os.path.exists(path))
    ]


def _stamp(size: int, mtime_ns: int) -> bytes:
    """How a signature starts: the file's size and modification time."""
    return STAMP % (size, mtime_ns)


def _skip(report: IndexReport, on_skip: Callable, path: str, reason: str) -> None:
    report.skipped.append((path, reason))
    on_skip(path, reason)


def _write_failure(index_dir: Path, error: OSError) -> MsearchError:
    if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        reason = "the disk is full" if error.errno != errno.EFBIG else "a file grew too large"
        return MsearchError(
            f"cannot write the index at {shown(index_dir)}: {reason}; free some space and run "
            "again (the index keeps what was committed before)"
        )
    return MsearchError(f"cannot write the index at {shown(index_dir)}: {error}")


class _IndexRun:
    """One writer session over the index, committing every batch."""

    def __init__(self, ix, index_dir: Path, *, clear_first: bool, on_phase=lambda phase: None):
        self.ix = ix
        self._on_phase = on_phase
        self._phase = "reading"
        self.index_dir = index_dir
        self.clear_next_commit = clear_first
        self.writer = None
        self.pending = 0
        self.batch_started = time.monotonic()
        self.parallel = False
        self.moved_from: dict[bytes, list[str]] = {}
        """Content hash -> paths, of the indexed files that are gone: a new file with the
        same bytes moved there, and its article is taken from the index."""
        self._searcher = None

    def phase(self, name: str) -> None:
        """Move to phase ``name`` (one of ``PHASES``), telling ``on_phase`` if it changed."""
        if name != self._phase:
            self._phase = name
            self._on_phase(name)

    def known_signatures(self) -> dict[str, bytes]:
        """Path -> signature of every article in the index."""
        from monitor_search.engine.columns import live_bytes_values

        with self.ix.reader() as reader:
            if reader.doc_count() == 0:
                return {}
            paths = live_bytes_values(reader, "path")
            signatures = live_bytes_values(reader, "signature")
            return dict(zip(map(bytes.decode, paths), signatures, strict=True))

    def add_file(self, path: str, known: bytes | None) -> str | tuple[str, str]:
        """Index one file: the name of the report counter it adds to, or ("skipped", reason)."""
        try:
            st = os.stat(path)
        except OSError as error:
            return ("skipped", error.strerror or str(error))
        stamp = _stamp(st.st_size, st.st_mtime_ns)
        if known is not None and known.startswith(stamp):
            return "unchanged"
        if st.st_size > MAX_FILE_BYTES:
            return (
                "skipped",
                f"too large for one article ({st.st_size / 2**20:.1f} MB; "
                f"the limit is {MAX_FILE_BYTES // 2**20} MB)",
            )
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as error:
            return ("skipped", f"cannot read: {error.strerror or error}")
        digest = hashlib.blake2b(data, digest_size=16).hexdigest().encode()
        moved_from = self._moved_here(digest) if known is None else None
        if moved_from is not None:
            article = self._stored_article(moved_from)
        else:
            try:
                article = parse_article(decode_article_bytes(data))
            except UnreadableText as problem:
                return ("skipped", str(problem))
        fields = document_fields(
            article, path=path, doc_id=article_id(path), signature=stamp + digest
        )
        self._write(fields, replace=known is not None)
        if known is None:
            return "new" if moved_from is None else "moved"
        return "unchanged" if known.endswith(b":" + digest) else "updated"

    def _moved_here(self, digest: bytes) -> str | None:
        """The gone file whose content hash is ``digest``, if any (each is taken once)."""
        paths = self.moved_from.get(digest)
        return paths.pop() if paths else None

    def _stored_article(self, path: str) -> Article:
        """The article indexed from ``path``, as stored (for a file that only moved)."""
        if self._searcher is None:
            self._searcher = self.ix.searcher()
        return article_from_stored(self._searcher.document(path=path))

    def close(self) -> None:
        """Close what the run read the index with (the writer is committed or cancelled)."""
        if self._searcher is not None:
            self._searcher, searcher = None, self._searcher
            searcher.close()

    def remove(self, paths: list[str]) -> None:
        """Delete the articles indexed from ``paths``."""
        for path in paths:
            self._writer().delete_by_term("path", path)
            self._count_pending()

    def _write(self, fields: dict, *, replace: bool) -> None:
        writer = self._writer()
        if replace:
            writer.update_document(**fields)
        else:
            writer.add_document(**fields)
        self._count_pending()

    def _writer(self):
        if self.writer is None:
            # compound=False: Whoosh reads a compound segment file by copying it whole into
            # memory each time the index is opened (every query would copy the whole index);
            # separate files are memory-mapped instead.
            if self.parallel:
                self.writer = ParallelWriter(
                    self.ix,
                    procs=PROCESSES,
                    multisegment=True,
                    limitmb=WRITER_MB // PROCESSES,
                    compound=False,
                )
            else:
                self.writer = self.ix.writer(limitmb=WRITER_MB, compound=False)
            self.batch_started = time.monotonic()
        return self.writer

    def _count_pending(self) -> None:
        self.pending += 1
        if (
            self.pending >= BATCH_DOCUMENTS
            or time.monotonic() - self.batch_started >= BATCH_SECONDS
        ):
            self.commit()

    def commit(self) -> None:
        if self.writer is None and not self.clear_next_commit:
            return
        from whoosh.writing import CLEAR

        writer = self._writer()
        self.writer = None
        self.phase("writing")
        try:
            if self.clear_next_commit:
                writer.commit(mergetype=CLEAR)
                self.clear_next_commit = False
            else:
                writer.commit(mergetype=self._merging)
        except BaseException:
            with contextlib.suppress(Exception):
                writer.pool.cleanup()  # closes the segments being merged, if any
            raise
        self.pending = 0
        record_indexed(self.index_dir)  # batch by batch, so an interrupted run shows its work

    def _merging(self, writer, segments: list) -> list:
        """Whoosh merge policy: the segments ``merge_plan`` chooses are merged into the
        segment being written, in their order (their articles' stored data copied in the
        phase "merging", their postings joined to the batch's as the segment is written),
        those with no article left are dropped, the others kept as they are."""
        from whoosh.reading import SegmentReader

        from monitor_search.engine.merge import add_segment

        live = [segment for segment in segments if segment.doc_count() > 0]
        chosen = merge_plan([segment.doc_count() for segment in live])
        if chosen:
            self.phase("merging")
        for number in chosen:
            add_segment(writer, SegmentReader(writer.storage, writer.schema, live[number]))
        self.phase("writing")
        merged = set(chosen)
        return [segment for number, segment in enumerate(live) if number not in merged]

    def cancel(self) -> None:
        """Drop the uncommitted batch. Best effort: an interruption in the middle of a commit
        can leave the writer half closed, and its own error must not replace the
        interruption; files without a commit are removed by the next one."""
        if self.writer is not None:
            writer, self.writer = self.writer, None
            with contextlib.suppress(Exception):
                writer.cancel()
            _close_files(writer)


def _close_files(writer) -> None:
    """Close the files a failed writer still holds (Whoosh 2.7's segment writer: its column
    scratch file, terms and postings files). When a commit fails (disk full), Whoosh's
    ``cancel`` fails on them too and leaves them open, and Python would then try to write
    their buffers once more as it exits, printing a traceback on the user's terminal.
    Closing gives up the buffered bytes; the files are left over from a commit that never
    happened, and the next commit removes them."""
    perdoc = getattr(writer, "perdocwriter", None)
    fields = getattr(writer, "fieldwriter", None)
    files = [
        getattr(getattr(perdoc, "_cols", None), "_temp", None),
        getattr(fields, "_postfile", None),
        getattr(getattr(fields, "_tindex", None), "dbfile", None),
    ]
    for handle in files:
        if handle is not None:
            with contextlib.suppress(Exception):
                handle.close()


def merge_plan(articles: list[int]) -> list[int]:
    """Which of the segments holding ``articles`` articles each to merge into a commit's new
    segment (their positions, in order): every one under SMALL_SEGMENT articles, and, when
    MERGE_FACTOR or more are under LARGE_SEGMENT (what the small ones make together counting
    as one once it reaches SMALL_SEGMENT), all of those."""
    small = [number for number, count in enumerate(articles) if count < SMALL_SEGMENT]
    middle = [
        number for number, count in enumerate(articles) if SMALL_SEGMENT <= count < LARGE_SEGMENT
    ]
    merged_small = sum(articles[number] for number in small)
    if len(middle) + (merged_small >= SMALL_SEGMENT) >= MERGE_FACTOR:
        return sorted(small + middle)
    return small
