"""msearch's posting blocks load as the same tuples as Whoosh's own, and read the same."""

from __future__ import annotations

import io
import zlib
from pickle import load, loads

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3LeafMatcher, W3PostingsWriter, W3TermInfo
from whoosh.filedb.structfile import StructFile
from whoosh.formats import Frequency, Positions
from whoosh.system import pack_uint

from monitor_search.engine import blocks
from monitor_search.engine.blocks import WHOOSH_WRITE_BLOCK, write_block

_POSITIONS = Positions()


def _postings(draw) -> list[tuple[int, float, bytes, int]]:
    """Sorted document numbers with weights, values and field lengths."""
    docnums = sorted(draw(st.sets(st.integers(0, 2**31), min_size=1, max_size=300)))
    weights = draw(
        st.one_of(
            st.just([1.0] * len(docnums)),
            st.sampled_from([0.5, 2.0, 3.5]).map(lambda w: [w] * len(docnums)),
            st.lists(st.sampled_from([0.5, 1.0, 2.0, 7.0]), min_size=len(docnums),
                     max_size=len(docnums)),
        )
    )  # fmt: skip
    values = [
        _POSITIONS.encode(sorted(draw(st.sets(st.integers(0, 5000), min_size=1, max_size=5))))
        for _ in docnums
    ]
    lengths = draw(st.lists(st.integers(1, 10**6), min_size=len(docnums), max_size=len(docnums)))
    return list(zip(docnums, weights, values, lengths, strict=True))


postings_of_a_term = st.composite(_postings)()


def _write(postings, write, format_=_POSITIONS, compression=3) -> tuple[bytes, W3TermInfo]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(W3PostingsWriter, "_write_block", write)
        handle = StructFile(io.BytesIO())
        writer = W3PostingsWriter(handle, blocklimit=128, compression=compression)
        writer.start_postings(format_, W3TermInfo())
        for docnum, weight, value, length in postings:
            writer.add_posting(docnum, weight, value, length)
        info = writer.finish_postings()
        handle.flush()
        return handle.file.getvalue(), info


def _blocks(data: bytes) -> list[tuple]:
    """Each block's length sign, statistics and data tuple, as Whoosh's reader loads them."""
    assert data[:4] == WHOOSH3_HEADER_MAGIC
    found, offset = [], 4
    while offset < len(data):
        length = int.from_bytes(data[offset : offset + 4], "big", signed=True)
        body = io.BytesIO(data[offset + 4 : offset + 4 + abs(length)])
        info = load(body)  # a pickle ends at its STOP opcode: the data follows
        packed = body.read()
        found.append((length < 0, info, loads(zlib.decompress(packed) if info[3] else packed)))
        offset += 4 + abs(length)
    return found


@settings(max_examples=60, deadline=None)
@given(postings_of_a_term, st.sampled_from([0, 3]))
def test_blocks_load_as_whooshs(postings, compression):
    ours, our_info = _write(postings, write_block, compression=compression)
    theirs, their_info = _write(postings, WHOOSH_WRITE_BLOCK, compression=compression)
    assert _blocks(ours) == _blocks(theirs)
    assert _statistics(our_info) == _statistics(their_info)


def _statistics(info: W3TermInfo) -> tuple:
    """What a term's info says of its postings (not where they are, nor their size)."""
    return (info.doc_frequency(), info.weight(), info.max_weight(), info.min_length(),
            info.max_length(), info.min_id(), info.max_id())  # fmt: skip


@settings(max_examples=30, deadline=None)
@given(postings_of_a_term)
def test_whooshs_reader_reads_the_same_postings(postings):
    ours, _ = _write(postings, write_block)
    handle = StructFile(io.BytesIO(ours))
    matcher = W3LeafMatcher(handle, 0, len(ours), _POSITIONS)
    read = []
    while matcher.is_active():
        read.append((matcher.id(), matcher.weight(), matcher.value()))
        matcher.next()
    expected = [(docnum, pytest.approx(weight), value) for docnum, weight, value, _ in postings]
    assert read == expected


def test_frequencies_and_a_single_posting():
    postings = [(7, 2.0, pack_uint(2), 40)]  # how engine.fields writes a frequency
    ours, _ = _write(postings, write_block, format_=Frequency())
    theirs, _ = _write(postings, WHOOSH_WRITE_BLOCK, format_=Frequency())
    assert _blocks(ours) == _blocks(theirs)


def test_the_data_is_smaller_than_whooshs():
    postings = [(n * 3, 1.0 + n % 3, _POSITIONS.encode([n % 50, 60 + n]), 90) for n in range(500)]
    ours, _ = _write(postings, write_block, compression=0)
    theirs, _ = _write(postings, WHOOSH_WRITE_BLOCK, compression=0)
    assert len(ours) < 0.8 * len(theirs)


def test_install_puts_it_in_place(monkeypatch):
    monkeypatch.setattr(W3PostingsWriter, "_write_block", WHOOSH_WRITE_BLOCK)
    blocks.install()
    assert W3PostingsWriter._write_block is write_block
