"""Mends for Whoosh 2.7.4, put in place by ``install``: a bug that changes answers and hot
spots that make indexing and queries slow. Each has a test (``tests/test_postings.py``) or a
measured figure (``benchmarks/RESULTS.md``).
"""

from __future__ import annotations

import os
import struct
from array import array
from collections.abc import Iterator
from itertools import accumulate

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3PerDocReader, W3TermsReader
from whoosh.collectors import FilterCollector
from whoosh.columns import (
    CompressedBytesColumn,
    EmptyColumnReader,
    MultiColumnReader,
    VarBytesColumn,
)
from whoosh.filedb import filetables
from whoosh.filedb.filetables import HashReader, OrderedHashReader
from whoosh.matching.binary import AndNotMatcher
from whoosh.reading import EmptyReader, MultiReader
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

LENGTH_OF_CODE = [byte_to_length(code) for code in range(256)]
"""Field length for each one-byte length code Whoosh stores."""


def _find_first(self: AndNotMatcher) -> None:
    """Skip excluded documents from the start. Whoosh's version only checks whether both
    postings start on the same document, so when the excluded word's postings start earlier
    the first match is kept even if it holds the excluded word (``pipeline NOT Russia``
    can return an article about a pipeline in Russia)."""
    if self.a.is_active() and self.b.is_active():
        self._find_next()


_stock_collector = Searcher.collector


def _collector(self: Searcher, *args, filter=None, mask=None, **kwargs):
    """Whoosh's collector, filtered whenever a filter is given: Whoosh's version filters
    only when the filter is true (``if filter``), so an empty set of allowed articles let
    every article through."""
    collector = _stock_collector(self, *args, **kwargs)
    if filter is not None or mask is not None:
        collector = FilterCollector(collector, filter, mask)
    return collector


def _prepare_filter(self: FilterCollector, top_searcher, q, context) -> None:
    """Turn the filter into document numbers, an empty set kept as "allow none".

    Whoosh's version turns an empty set into "no filter" (``if allow``), and its count of a
    filtered search (``len(results)``) skips its check for an empty set: ``oil* --year
    1850`` counted every article with a word starting ``oil``."""
    self.child.prepare(top_searcher, q, context)
    to_set = top_searcher._filter_to_comb
    self._allow = None if self.allow is None else to_set(self.allow)
    self._restrict = None if self.restrict is None else to_set(self.restrict)
    self.filtered_count = 0


def _filtered_ids(self: FilterCollector) -> Iterator[int]:
    """The child's matches that the filter lets through (an empty allowed set: none)."""
    allow, restrict = self._allow, self._restrict
    for docnum in self.child.all_ids():
        if allow is not None and docnum not in allow:
            continue
        if restrict is not None and docnum in restrict:
            continue
        yield docnum


def _multi_column_reader(
    self: MultiReader, fieldname: str, column=None, reverse: bool = False, translate: bool = True
):
    """One column over every segment, each document at its own number.

    Whoosh's version leaves out the segments that have no file for the column (no article
    of theirs has the field: a folder without ``Publication:`` lines), so the documents
    after them are read from the wrong segment, or past the end of the list. A segment's
    own reader gives the field's default value for a column it lacks; here every segment
    takes part, at its own offset.
    """
    parts = [
        reader.column_reader(fieldname, column=column, reverse=reverse, translate=translate)
        for reader in self.readers
    ]
    return MultiColumnReader(parts, list(self.doc_offsets))


def _empty_column_reader(
    self: EmptyReader, fieldname: str, column=None, reverse: bool = False, translate: bool = True
):
    """A column of no documents (Whoosh's empty index raises NotImplementedError)."""
    return EmptyColumnReader(None, 0)


def length_codes(perdoc: W3PerDocReader, fieldname: str) -> bytes | None:
    """A segment's one-byte length code of ``fieldname`` for each document (documents past
    the end have code 0), read in one piece the first time; None if the segment has none."""
    cache = perdoc.__dict__.setdefault("_msearch_length_codes", {})
    if fieldname not in cache:
        column = perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
        cache[fieldname] = (
            None if column is None else column._dbfile.get(column._basepos, column._count)
        )
    return cache[fieldname]


def _doc_field_length(self: W3PerDocReader, docnum: int, fieldname: str, default=0):
    """Whoosh's answer, from ``length_codes``. Whoosh reads the length file anew (a seek and
    a read) for every posting it writes, a large share of all indexing time."""
    if docnum > self._doccount:
        raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
    codes = length_codes(self, fieldname)
    if codes is None:
        return default
    code = codes[docnum] if docnum < len(codes) else 0
    return LENGTH_OF_CODE[code] if code else None  # None for 0, as Whoosh returns


def _read_offsets_and_lengths(self: VarBytesColumn.Reader) -> None:
    """Whoosh's, with the offsets of a column that did not store them (under 32,768
    documents) added up in C, and only when asked for (``_Offsets``): Whoosh's Python loop
    over every document of the segment runs whenever a segment's stored fields or a column
    are first read, in every segment a query opens."""
    dbfile, doccount = self._dbfile, self._doccount
    lastbyte = self._basepos + self._length - 1
    lens_code = chr(dbfile.get_byte(lastbyte))
    offsets = None
    if lens_code == "X":
        self.had_stored_offsets = True
        lens_code = chr(dbfile.get_byte(lastbyte - 2))
        offsets_code = chr(dbfile.get_byte(lastbyte - 1))
        offsetstart = (lastbyte - 2) - doccount * struct.calcsize(offsets_code)
        offsets = dbfile.get_array(offsetstart, offsets_code, doccount)
        lastbyte = offsetstart
    lenstart = lastbyte - struct.calcsize(lens_code) * doccount
    lengths = dbfile.get_array(lenstart, lens_code, doccount)
    self._offsets = _Offsets(lengths) if offsets is None else offsets
    self._lengths = lengths


class _Offsets:
    """Where each value of a column starts, from the lengths before it. The first few are
    added up one by one (a query reads a document or two per segment); from the ninth on,
    all of them at once."""

    _ONE_BY_ONE = 8

    def __init__(self, lengths: array):
        self._lengths = lengths
        self._asked = 0
        self._all: array | None = None

    def __getitem__(self, docnum: int) -> int:
        if self._all is not None:
            return self._all[docnum]
        self._asked += 1
        if self._asked <= self._ONE_BY_ONE:
            return sum(self._lengths[:docnum])
        self._all = array("L", accumulate(self._lengths, initial=0))
        return self._all[docnum]


WHOOSH_RANGES_FOR_KEY = HashReader.ranges_for_key
WHOOSH_KEYS_FROM = OrderedHashReader.keys_from
WHOOSH_DOC_FREQUENCY = W3TermsReader.doc_frequency
WHOOSH_HASH_READER_INIT = HashReader.__init__
"""Whoosh's own methods that ``install`` replaces, for the mends that call or check them."""


def _ranges_for_key(self: HashReader, key: bytes):
    """Whoosh's look-up of a key in a terms file, with one ``pread`` per item read.

    Whoosh reads each hash slot, key length and key with a seek and a buffered read through
    two layers of Python methods (and the buffered file refills 8 KB for each), for each
    term in every segment, and a query with feedback looks up many terms. (Not a memory
    map: each query would map the files anew, and page faults are dear in a virtual
    machine.)
    """
    dbfile = self.dbfile
    if not getattr(dbfile, "is_real", False):
        yield from WHOOSH_RANGES_FOR_KEY(self, key)
        return
    if not isinstance(key, bytes):
        raise TypeError(f"Key {key!r} should be bytes")
    descriptor, lengths = dbfile.fileno(), filetables._lengths
    for itempos in _probe(self, descriptor, self.hashfn(key)):
        item = os.pread(descriptor, lengths.size + len(key), itempos)
        keylen, datalen = lengths.unpack_from(item)
        if keylen == len(key) and item[lengths.size :] == key:
            yield itempos + lengths.size + keylen, datalen


def _keys_from(self: OrderedHashReader, key: bytes) -> Iterator[bytes]:
    """Whoosh's ``keys_from`` (every key from ``key`` on, in order: term lists, prefix and
    wildcard expansion, did you mean), read in chunks that grow from 4 KB to 256 KB.

    Whoosh reads each key's lengths and then the key with two small reads through the
    buffered file; a prefix common in a large archive has thousands of terms per segment.
    A caller that stops early (most do, at the end of a prefix) has read little ahead."""
    position = self.closest_key_pos(key)
    if position is None:
        return
    dbfile, end, size, chunk_size = self.dbfile, self.endofdata, _KEY_LENGTHS.size, 1 << 12
    while position < end:
        chunk = dbfile.get(position, min(chunk_size, end - position))
        chunk_size = min(chunk_size * 2, 1 << 18)
        at = 0
        while at + size <= len(chunk):
            key_length, value_length = _KEY_LENGTHS.unpack_from(chunk, at)
            if at + size + key_length > len(chunk):
                break
            yield chunk[at + size : at + size + key_length]
            at += size + key_length + value_length
        if at == 0:  # an item longer than the chunk: Whoosh's own reading
            key_length, value_length = _KEY_LENGTHS.unpack(dbfile.get(position, size))
            yield dbfile.get(position + size, key_length)
            at = size + key_length + value_length
        position += at


_KEY_LENGTHS = filetables._lengths
"""Before each item of a Whoosh hash table: its key's length, then its value's."""


def keys_with_prefix(table: OrderedHashReader, prefix: bytes) -> list[bytes]:
    """Every key of ``table`` that starts with ``prefix``, in order: the items from the
    first such key to the first key past them (two binary searches) read in one piece."""
    first = table.closest_key_pos(prefix)
    if first is None:
        return []
    following = _following(prefix)
    last = None if following is None else table.closest_key_pos(following)
    data = table.dbfile.get(first, (table.endofdata if last is None else last) - first)
    keys, at, size, lengths = [], 0, _KEY_LENGTHS.size, _KEY_LENGTHS.unpack_from
    while at < len(data):
        key_length, value_length = lengths(data, at)
        at += size
        keys.append(data[at : at + key_length])
        at += key_length + value_length
    return keys


def _following(prefix: bytes) -> bytes | None:
    """The smallest key greater than every key that starts with ``prefix`` (None: none is)."""
    kept = prefix.rstrip(b"\xff")
    return kept[:-1] + bytes([kept[-1] + 1]) if kept else None


def _probe(table: HashReader, descriptor: int, keyhash: int) -> Iterator[int]:
    """Where the entries whose hash slot holds ``keyhash`` start, slot after slot as Whoosh
    probes them (one ``pread`` each), up to the first empty slot."""
    tablestart, numslots = table.tables[keyhash & 255]
    pointer = filetables._pointer
    tableend = tablestart + numslots * pointer.size
    slotpos = tablestart + ((keyhash >> 8) % numslots if numslots else 0) * pointer.size
    for _ in range(numslots):
        slothash, itempos = pointer.unpack(os.pread(descriptor, pointer.size, slotpos))
        if not itempos:
            return
        if slothash == keyhash:
            yield itempos
        slotpos += pointer.size
        if slotpos == tableend:
            slotpos = tablestart


def doc_frequencies(readers, fieldname: str, tbytes: bytes) -> Iterator[int]:
    """How many documents of each segment reader have the term (0 where none has it):
    ``SegmentReader.doc_frequency``, with the key hashed once for all segments and each
    look-up read with two ``pread`` calls (the hash slot; then the key and the count, which
    follow each other). Feedback counts dozens of words in every segment of an archive."""
    hashes: dict[bytes, int] = {}
    for reader in readers:
        terms = getattr(reader, "_terms", None)
        if terms is None:
            yield reader.doc_frequency(fieldname, tbytes)
        else:
            yield _terms_count(terms, fieldname, tbytes, hashes)


def _terms_count(terms: W3TermsReader, fieldname: str, tbytes: bytes, hashes: dict) -> int:
    """The term's document count in one terms file, 0 if missing; ``hashes`` remembers each
    key's hash for the next segment."""
    table = terms._tindex
    if not getattr(table.dbfile, "is_real", False):
        try:
            return WHOOSH_DOC_FREQUENCY(terms, fieldname, tbytes)
        except KeyError:  # Whoosh's look-up of a missing term
            return 0
    key = terms._keycoder(fieldname, tbytes)
    if key not in hashes:
        hashes[key] = table.hashfn(key)
    return _count_in(table, table.dbfile.fileno(), key, hashes[key])


def _count_in(table: HashReader, descriptor: int, key: bytes, keyhash: int) -> int:
    """The document count stored with ``key`` in a terms file, 0 if it has no such key."""
    lengths = filetables._lengths
    wanted = lengths.size + len(key) + _DOC_FREQUENCY_AT + _UINT.size
    for itempos in _probe(table, descriptor, keyhash):
        item = os.pread(descriptor, wanted, itempos)
        keylen, _ = lengths.unpack_from(item)
        if keylen == len(key) and item[lengths.size : lengths.size + keylen] == key:
            return _UINT.unpack_from(item, lengths.size + keylen + _DOC_FREQUENCY_AT)[0]
    return 0


def _hash_reader_init(self: HashReader, dbfile, length=None, magic=b"HSH3", startoffset=0):
    """Whoosh's, with the directory of 256 hash tables read in one piece: Whoosh reads it
    entry by entry, most of what opening an archive costs, every time it is opened."""
    self.dbfile = dbfile
    self.startoffset = startoffset
    self.is_closed = False
    if length is None:
        dbfile.seek(0, os.SEEK_END)
        length = dbfile.tell() - startoffset
    dbfile.seek(startoffset)
    filemagic = dbfile.read(4)
    if filemagic != magic:
        raise filetables.FileFormatError(f"Unknown file header {filemagic!r}")
    self.hashtype = dbfile.read_byte()
    self.hashfn = filetables._hash_functions[self.hashtype]
    dbfile.read_int()  # two ints kept for future use
    dbfile.read_int()
    self.startofdata = dbfile.tell()
    exptr = startoffset + length - filetables._INT_SIZE
    expos = exptr - dbfile.get_int(exptr)
    dbfile.seek(expos)
    self._read_extras()
    entry = filetables._dir_entry
    dbfile.seek(expos - filetables._directory_size)
    self.tables = list(entry.iter_unpack(dbfile.read(256 * entry.size)))
    self.endofdata = self.tables[0][0]


def _doc_frequency(self: W3TermsReader, fieldname: str, tbytes: bytes) -> int:
    """Whoosh's, with the key and its count read in one ``pread`` (0 for a missing term,
    which Whoosh's caller, ``SegmentReader.doc_frequency``, makes of its KeyError)."""
    return _terms_count(self, fieldname, tbytes, {})


_DOC_FREQUENCY_AT = 1 + struct.calcsize("!f")
"""Where a term's document count sits in its terms-file entry (``W3TermInfo.read_doc_freq``:
after a flags byte and the total weight)."""
_UINT = struct.Struct("!I")


def install() -> None:
    """Put every mend in place, in this process and the writing processes it forks."""
    AndNotMatcher._find_first = _find_first
    Searcher.collector = _collector
    FilterCollector.prepare = _prepare_filter
    FilterCollector.all_ids = _filtered_ids
    MultiReader.column_reader = _multi_column_reader
    CompressedBytesColumn._default = b""  # a segment without the column reads as empty values
    EmptyReader.column_reader = _empty_column_reader
    W3TermsReader.doc_frequency = _doc_frequency
    HashReader.__init__ = _hash_reader_init
    HashReader.ranges_for_key = _ranges_for_key
    OrderedHashReader.keys_from = _keys_from
    W3PerDocReader.doc_field_length = _doc_field_length
    VarBytesColumn.Reader._read_offsets_and_lengths = _read_offsets_and_lengths
