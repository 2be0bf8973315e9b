"""Index a corpus folder the way a newcomer would without msearch: the yardsticks for speed.

    python benchmarks/baselines.py whoosh CORPUS INDEX_DIR
    python benchmarks/baselines.py fts5 CORPUS DATABASE
    python benchmarks/baselines.py tantivy CORPUS INDEX_DIR

Each build runs as its own process (``speed.py`` starts it), so its wall time includes
interpreter start-up and imports exactly as ``msearch index`` does, and its peak RSS is its own.

* ``whoosh``: stock Whoosh 2.7.4 with ``StemmingAnalyzer``, title and body stored, one
  ``ix.writer()`` with default settings, one ``add_document`` per file, one commit.
* ``fts5``: SQLite FTS5 (``porter unicode61``) over title and body, laid out the way
  ``sqlite-utils enable-fts`` lays it out (table ``articles`` + external-content
  ``articles_fts``), so ``sqlite-utils search DB articles QUERY`` runs against it; plus a
  ``year`` column (indexed), taken from the folder's name as for tantivy below.
* ``tantivy``: tantivy-py with its ``en_stem`` tokenizer on title and body (positions
  kept, so phrases work), the path stored, and the year as a fast integer field taken from
  the name of the file's folder when it is a year (``corpus.py`` lays files out as
  ``publication/YEAR/name.txt``); one writer with default settings. ``tantivy_query.py``
  searches it.

Files are split naively: the headline is everything before the first blank line, the body
everything after (publication line and footer included). That is what a quick script does, and
it is less work than msearch's parsing, which only flatters the baselines.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

TABLE = "articles"
"""Table name for the FTS5 baseline (``sqlite-utils search DB articles QUERY``)."""


def article_files(corpus: Path) -> Iterator[str]:
    """Every ``*.txt`` under ``corpus``, in a stable order."""
    for folder, subfolders, files in os.walk(corpus):
        subfolders.sort()
        for name in sorted(files):
            if name.endswith(".txt"):
                yield os.path.join(folder, name)


def read_articles(corpus: Path) -> Iterator[tuple[str, str, str]]:
    """(path, title, body) of each file, split at the first blank line."""
    for path in article_files(corpus):
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            text = handle.read()
        title, _, body = text.partition("\n\n")
        yield path, title.strip(), body.strip()


def folder_year(path: str) -> int:
    """The year a file's folder is named after, or 0."""
    folder = os.path.basename(os.path.dirname(path))
    return int(folder) if folder.isdigit() and len(folder) == 4 else 0


def build_whoosh(corpus: Path, index_dir: Path) -> int:
    """Stock Whoosh, default writer settings; the number of documents written."""
    from whoosh import index
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    schema = Schema(
        path=ID(stored=True, unique=True),
        title=TEXT(analyzer=StemmingAnalyzer(), stored=True),
        body=TEXT(analyzer=StemmingAnalyzer(), stored=True),
    )
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(index_dir), schema)
    writer = ix.writer()
    count = 0
    for path, title, body in read_articles(corpus):
        writer.add_document(path=path, title=title, body=body)
        count += 1
    writer.commit()
    return count


def build_fts5(corpus: Path, database: Path) -> int:
    """SQLite FTS5 with the Porter stemmer over unicode61; the number of rows written."""
    connection = sqlite3.connect(database)
    try:
        connection.execute(
            f"CREATE TABLE [{TABLE}] (path TEXT, title TEXT, body TEXT, year INTEGER)"
        )
        connection.execute(
            f"CREATE VIRTUAL TABLE [{TABLE}_fts] USING FTS5 (title, body, "
            f"content=[{TABLE}], tokenize='porter unicode61')"
        )
        with connection:
            connection.executemany(
                f"INSERT INTO [{TABLE}] (path, title, body, year) VALUES (?, ?, ?, ?)",
                ((*article, folder_year(article[0])) for article in read_articles(corpus)),
            )
            connection.execute(f"CREATE INDEX [{TABLE}_year] ON [{TABLE}] (year)")
            connection.execute(
                f"INSERT INTO [{TABLE}_fts] (rowid, title, body) "
                f"SELECT rowid, title, body FROM [{TABLE}]"
            )
        return connection.execute(f"SELECT count(*) FROM [{TABLE}]").fetchone()[0]
    finally:
        connection.close()


def build_tantivy(corpus: Path, index_dir: Path) -> int:
    """tantivy-py, default writer settings; the number of documents written."""
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("path", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("body", tokenizer_name="en_stem")
    builder.add_integer_field("year", stored=True, indexed=True, fast=True)
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = tantivy.Index(builder.build(), path=str(index_dir), reuse=False)
    writer = ix.writer()
    count = 0
    for path, title, body in read_articles(corpus):
        writer.add_document(
            tantivy.Document(path=path, title=title, body=body, year=folder_year(path))
        )
        count += 1
    writer.commit()
    writer.wait_merging_threads()
    return count


BUILDERS = {"whoosh": build_whoosh, "fts5": build_fts5, "tantivy": build_tantivy}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3 or args[0] not in BUILDERS:
        print("\n".join(__doc__.strip().splitlines()[2:5]), file=sys.stderr)
        return 2
    kind, corpus, target = args
    count = BUILDERS[kind](Path(corpus), Path(target))
    print(f"{kind}: {count} documents", file=sys.stderr)
    return 0 if count else 1


if __name__ == "__main__":
    sys.exit(main())
