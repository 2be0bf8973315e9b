"""The compact posting pool writes exactly the index Whoosh's own pool writes, plus each
term's plain postings (``plainpostings``) just before its Whoosh postings."""

from __future__ import annotations

import contextlib
import random

import pytest
from whoosh import writing
from whoosh.codec import base
from whoosh.codec.whoosh3 import W3FieldWriter
from whoosh.filedb.filestore import FileStorage, RamStorage
from whoosh.formats import Positions

from monitor_search.engine import fields as field_types
from monitor_search.engine import plainpositions, plainpostings
from monitor_search.engine.pool import (
    WHOOSH_ADD_DOCUMENT,
    CompactPool,
    _add_document,
    _add_postings,
    _RunTerms,
    install,
)
from monitor_search.index.schema import build_schema, document_fields
from monitor_search.ingest.article import parse_article

from .conftest import monitor_text

WHOOSH_POOL = CompactPool.__bases__[0]
"""Whoosh's own pool (``writing.PostingPool`` is replaced once the indexer is imported)."""
WORDS = [
    "gas",
    "pipeline",
    "Russia",
    "Kyiv",
    "Kiev",
    "treaty",
    "security",
    "Aliyev",
    "Baku",
    "oil",
    "the",
    "of",
    "said",
]


def _articles(count: int) -> list[dict]:
    rng = random.Random(3)
    fields = []
    for number in range(count):
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 80))) + "."
        text = monitor_text(f"ARTICLE {number} {rng.choice(WORDS).upper()}", body.capitalize())
        fields.append(
            document_fields(
                parse_article(text), path=f"/a/{number}.txt", doc_id=f"{number:012x}",
                signature=b"s",
            )
        )  # fmt: skip
    return fields


class _Forgetful(dict):
    """A memo that remembers nothing."""

    def __setitem__(self, key, value) -> None:
        pass


@contextlib.contextmanager
def _writing(*, compact: bool):
    """Segment writers with msearch's pool and block writer, or with Whoosh's own. Whoosh's
    own fields encode each value anew, and when it is handed one bytes object twice its
    block writer pickles the second as a reference to the first (msearch's pool copies
    values, so never does): for Whoosh's pool, ``engine.fields`` does not share the values of
    single positions."""
    with pytest.MonkeyPatch.context() as patch:
        if not compact:
            patch.setattr(field_types, "_ONE_POSITION", _Forgetful())
        patch.setattr(writing, "PostingPool", CompactPool if compact else WHOOSH_POOL)
        add_postings = _add_postings if compact else base.FieldWriter.add_postings
        patch.setattr(W3FieldWriter, "add_postings", add_postings)
        add_document = _add_document if compact else WHOOSH_ADD_DOCUMENT
        patch.setattr(writing.SegmentWriter, "add_document", add_document)
        yield


def _index(folder, articles: list[dict], limitmb: float, *, compact: bool):
    with _writing(compact=compact):
        folder.mkdir()
        ix = FileStorage(str(folder)).create_index(build_schema())
        writer = ix.writer(limitmb=limitmb, compound=False)
        for fields in articles:
            writer.add_document(**fields)
        writer.commit()
    return ix


def _files(folder) -> dict[str, bytes]:
    """Segment files by what they hold (their names carry a random segment id); the
    postings file without the plain postings, and the terms file (which holds the offsets
    they shift) as what Whoosh reads from it."""
    files = {
        path.name.split(".", 1)[1]: path.read_bytes()
        for path in folder.iterdir()
        if path.name.startswith("MAIN_") and "." in path.name
    }
    files["pst"], files["trm"] = _whoosh_view(folder, files["pst"])
    return files


def _whoosh_view(folder, postfile: bytes) -> tuple[bytes, list]:
    """(the postings file less each term's plain postings, every term's statistics and
    postings as Whoosh reads them). Checks on the way that the plain postings hold the
    same document numbers and weights as Whoosh's blocks, and the plain positions the same
    positions."""
    ix = FileStorage(str(folder)).open_index()
    cuts, terms = [], []
    with ix.reader() as reader:  # one segment
        for fieldname, tbytes in reader.all_terms():
            info = reader._terms.term_info(fieldname, tbytes)
            matcher = reader.postings(fieldname, tbytes)
            postings = []
            while matcher.is_active():
                postings.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            stats = (info.doc_frequency(), info.weight(), info.min_length(), info.max_length())
            terms.append((fieldname, tbytes, stats, info.is_inlined(), postings))
            plain = plainpostings.read(reader._terms._postfile, info)
            if plain is not None:
                ids, weights = plain
                assert list(zip(ids, weights, strict=True)) == [p[:2] for p in postings]
                start = plainpostings.start_of(reader._terms._postfile, info)
                positions = plainpositions.read(reader._terms._postfile, info)
                if positions is not None:
                    keys = list(plainpositions.keys(ids, *positions))
                    expected = plainpositions.keys_of(
                        (docnum, reader.schema[fieldname].format.decode_positions(value))
                        for docnum, _, value in postings
                    )
                    assert keys == expected
                    tail = plainpositions.TAIL
                    _, packed, _ = tail.unpack(postfile[start - tail.size : start])
                    start -= tail.size + packed
                cuts.append((start, info._offset))
    kept, start = [], 0
    for begin, end in sorted(cuts):
        kept.append(postfile[start:begin])
        start = end
    return b"".join(kept) + postfile[start:], terms


def _plain_terms(folder) -> int:
    ix = FileStorage(str(folder)).open_index()
    with ix.reader() as reader:
        infos = [reader._terms.term_info(*term) for term in reader.all_terms()]
        return sum(plainpostings.read(reader._terms._postfile, info) is not None for info in infos)


def _plain_position_terms(folder) -> int:
    ix = FileStorage(str(folder)).open_index()
    with ix.reader() as reader:
        infos = [reader._terms.term_info(*term) for term in reader.all_terms()]
        return sum(plainpositions.read(reader._terms._postfile, info) is not None for info in infos)


@pytest.mark.parametrize("limitmb", [128, 0.05], ids=["in memory", "spilling to runs"])
def test_same_index_as_whooshs_pool_byte_for_byte(tmp_path, limitmb):
    articles = _articles(300)
    runs = []  # run files read back
    with pytest.MonkeyPatch.context() as patch:
        terms = _RunTerms.terms
        patch.setattr(_RunTerms, "terms", lambda self: runs.append(1) or terms(self))
        compact = _index(tmp_path / "compact", articles, limitmb, compact=True)
    assert len(runs) > 1 if limitmb < 1 else not runs, "the small limit spills, the large not"
    _index(tmp_path / "plain", articles, limitmb, compact=False)
    written = _files(tmp_path / "compact")
    assert {"pst", "trm", "_body_len.col"} <= written.keys()
    assert written == _files(tmp_path / "plain")
    with compact.reader() as reader:
        assert len(list(reader.iter_postings())) > 5000
        scored = [
            term
            for term in reader.all_terms()
            if reader.schema[term[0]].scorable
            and reader.doc_frequency(*term) >= plainpostings.MIN_POSTINGS
        ]
        schema = reader.schema
    # held in memory or spilled to runs, every long enough term of a scored field gets
    # plain postings (and in a positional field, plain positions)
    assert 0 < len(scored) < 1000
    assert _plain_terms(tmp_path / "compact") == len(scored)
    assert _plain_terms(tmp_path / "plain") == 0
    positional = [term for term in scored if type(schema[term[0]].format) is Positions]
    assert {"title", "body"} <= {fieldname for fieldname, _ in positional}
    assert _plain_position_terms(tmp_path / "compact") == len(positional)


def test_postings_out_of_order_or_without_values_come_out_sorted():
    pool = CompactPool(RamStorage(), None)
    items = [("body", b"gas", 5, 1.0, b"p"), ("body", b"gas", 2, 2.0, None),
             ("body", b"baku", 9, 1.0, b"xy"), ("title", b"gas", 1, 2.0, b"")]  # fmt: skip
    for item in items:
        pool.add(item)
    expected = [(f, t, d, w, v or b"") for f, t, d, w, v in sorted(items, key=lambda i: i[:3])]
    assert list(pool.items()) == expected


def test_postings_out_of_order_across_runs_come_out_sorted(tmp_path):
    pool = CompactPool(FileStorage(str(tmp_path)), None)
    pool.add(("body", b"gas", 5, 1.0, b"p"))
    pool.add(("body", b"oil", 1, 1.0, b""))
    pool.save()
    pool.add(("body", b"gas", 2, 2.0, b"q"))
    pool.add(("body", b"gas", 7, 3.0, b""))
    assert len(pool.runs) == 1
    assert list(pool.items()) == [
        ("body", b"gas", 2, 2.0, b"q"),
        ("body", b"gas", 5, 1.0, b"p"),
        ("body", b"gas", 7, 3.0, b""),
        ("body", b"oil", 1, 1.0, b""),
    ]


def test_merging_segments_gives_whooshs_index(tmp_path):
    """Merging (postings read back from segments, without values for some fields) goes
    through the pool too."""
    articles = _articles(120)
    for name, compact in (("compact", True), ("plain", False)):
        ix = _index(tmp_path / name, articles[:60], 128, compact=compact)
        with _writing(compact=compact):
            writer = ix.writer(compound=False)
            for fields in articles[60:]:
                writer.add_document(**fields)
            writer.commit(optimize=True)
    assert _files(tmp_path / "compact") == _files(tmp_path / "plain")


def test_install_makes_segment_writers_use_it(monkeypatch):
    monkeypatch.setattr(writing, "PostingPool", WHOOSH_POOL)
    monkeypatch.setattr(W3FieldWriter, "add_postings", base.FieldWriter.add_postings)
    monkeypatch.setattr(writing.SegmentWriter, "add_document", WHOOSH_ADD_DOCUMENT)
    install()
    writer = RamStorage().create_index(build_schema()).writer()
    assert isinstance(writer.pool, CompactPool)
    assert W3FieldWriter.add_postings is _add_postings
    assert writing.SegmentWriter.add_document is _add_document
    writer.cancel()


def test_a_field_without_postings_leaves_no_run():
    """A field that yields no postings (an article without names) is not held: spilling
    then writes no empty run file."""
    pool = CompactPool(RamStorage(), None, limitmb=1)
    pool.add_field("names", 0, [], 1.0, True)
    pool.save()
    assert pool.runs == [] and "names" not in pool.fieldnames
    pool.add_field("body", 1, [(b"gas", 1, 1.0, b"")], 1.0, True)
    pool.save()
    assert len(pool.runs) == 1


def test_a_pool_that_spilled_once_and_holds_nothing_writes_its_run(tmp_path):
    """Spilled exactly once, on the last field of the batch: the run is all there is."""
    pool = CompactPool(FileStorage(str(tmp_path)), None)
    pool.add(("body", b"gas", 1, 1.0, b"p"))
    pool.save()
    held = pool.items()
    assert list(held) == [("body", b"gas", 1, 1.0, b"p")]
    assert [term for term, _ in pool.items().terms()] == []  # the run is read once
