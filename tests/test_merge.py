"""Segments merged with their postings streamed (``engine.merge``) make the very segment
Whoosh's own merge (``add_reader``, every posting through the pool) makes."""

from __future__ import annotations

import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader

from monitor_search.engine.merge import MergedPostings, SegmentTerms, add_segment

from .test_pool import _articles, _files, _plain_position_terms, _plain_terms, _writing


def _segments(folder, articles: list[dict], *, per_segment: int, deleted: list[str]):
    """An index of ``articles`` in segments of ``per_segment`` each (none merged), then
    the articles whose paths are in ``deleted`` deleted."""
    folder.mkdir()
    ix = FileStorage(str(folder)).create_index(_schema())
    for start in range(0, len(articles), per_segment):
        writer = ix.writer(compound=False)
        for fields in articles[start : start + per_segment]:
            writer.add_document(**fields)
        writer.commit(merge=False)
    if deleted:
        writer = ix.writer()
        for path in deleted:
            writer.delete_by_term("path", path)
        writer.commit(merge=False)
    return ix


def _schema():
    from monitor_search.index.schema import build_schema

    return build_schema()


def _merge_all(ix, articles: list[dict], limitmb: float, merge) -> None:
    """Commit ``articles`` in a new segment with every segment merged into it by
    ``merge(writer, reader)``."""

    def policy(writer, segments):
        for segment in segments:
            if segment.doc_count() > 0:
                merge(writer, SegmentReader(writer.storage, writer.schema, segment))
        return []

    writer = ix.writer(limitmb=limitmb, compound=False)
    for fields in articles:
        writer.add_document(**fields)
    writer.commit(mergetype=policy)


def _whoosh_merge(writer, reader) -> None:
    writer.add_reader(reader)
    reader.close()


CASES = {
    "segments alone": dict(own=0, deleted=[], limitmb=128),
    "with the batch's own articles": dict(own=25, deleted=[], limitmb=128),
    "with deleted articles": dict(own=10, deleted=[f"/a/{n}.txt" for n in (0, 3, 41, 42, 99)],
                                  limitmb=128),
    "a segment all deleted but one": dict(own=0, deleted=[f"/a/{n}.txt" for n in range(1, 40)],
                                          limitmb=128),
    "the batch spilling to runs": dict(own=40, deleted=["/a/7.txt"], limitmb=0.05),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_same_segment_as_whooshs_merge(tmp_path, case):
    articles = _articles(120 + case["own"])
    folders = {}
    for name, merge in (("streamed", add_segment), ("whoosh", _whoosh_merge)):
        with _writing(compact=True):
            folder = tmp_path / name
            ix = _segments(folder, articles[:120], per_segment=40, deleted=case["deleted"])
            _merge_all(ix, articles[120:], case["limitmb"], merge)
        assert len(ix._segments()) == 1
        folders[name] = folder
    assert _files(folders["streamed"]) == _files(folders["whoosh"])
    assert _plain_terms(folders["streamed"]) == _plain_terms(folders["whoosh"]) > 0
    assert _plain_position_terms(folders["streamed"]) == _plain_position_terms(folders["whoosh"])


def test_merged_postings_join_each_terms_sources_in_order():
    class Source:
        def __init__(self, terms):
            self._terms = terms

        def terms(self):
            return iter(self._terms)

    from array import array

    def postings(*docnums):
        return array("I", docnums), array("d", [1.0] * len(docnums)), [b"v"] * len(docnums)

    first = Source([(("body", b"gas"), postings(0, 2)), (("title", b"oil"), postings(1))])
    second = Source([(("body", b"baku"), postings(5)), (("body", b"gas"), postings(4, 6))])
    merged = list(MergedPostings([first, second]))
    assert [(field, term, docnum) for field, term, docnum, _, _ in merged] == [
        ("body", b"baku", 5),
        ("body", b"gas", 0),
        ("body", b"gas", 2),
        ("body", b"gas", 4),
        ("body", b"gas", 6),
        ("title", b"oil", 1),
    ]


def test_segment_terms_leave_out_terms_whose_articles_are_all_deleted(tmp_path):
    articles = _articles(40)
    with _writing(compact=True):
        ix = _segments(tmp_path / "ix", articles, per_segment=40, deleted=["/a/0.txt"])
        with ix.reader() as reader:
            segment = reader.segment()
            docmap = {n: n - 1 for n in range(1, 40)}  # as write_per_doc numbers them
            seen = {
                term: list(docnums)
                for term, (docnums, _, _) in SegmentTerms(reader, 0, docmap).terms()
            }
            assert ("path", b"/a/0.txt") not in seen and seen[("path", b"/a/1.txt")] == [0]
            assert segment.doc_count() == 39
