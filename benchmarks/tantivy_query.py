"""Search a tantivy index built by ``baselines.py tantivy``: what a user who picked tantivy-py
would run from the shell instead of msearch (the yardstick ``kinds.py`` times end to end).

    python benchmarks/tantivy_query.py INDEX_DIR QUERY [--year Y] [--newest] [--per-year]

Prints one JSON object: the number of matching documents and the ten best (path, title and
score; by year, newest first, with ``--newest``), or with ``--per-year`` the matches counted
per year. QUERY is in tantivy's query language over title and body, words joined by AND
(``+word`` and ``-word`` work, ``"a phrase"`` too); ``*`` matches every document.
"""

from __future__ import annotations

import argparse
import json
import sys

import tantivy

FIELDS = ["title", "body"]
LIMIT = 10


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", metavar="INDEX_DIR")
    parser.add_argument("query", metavar="QUERY")
    parser.add_argument("--year", type=int, help="only documents of this year")
    parser.add_argument("--newest", action="store_true", help="order by year, newest first")
    parser.add_argument("--per-year", action="store_true", help="count the matches per year")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    ix = tantivy.Index.open(args.index)
    text = args.query if args.year is None else f"({args.query}) AND year:{args.year}"
    query = ix.parse_query(text, FIELDS, conjunction_by_default=True)
    searcher = ix.searcher()
    if args.per_year:
        buckets = {"years": {"terms": {"field": "year", "size": 1000}}}
        counts = searcher.aggregate(query, buckets)["years"]["buckets"]
        report = {"per_year": {str(b["key"]): b["doc_count"] for b in counts}}
        print(json.dumps(report, indent=2))
        return 0 if counts else 1
    order = {"order_by_field": "year"} if args.newest else {}
    result = searcher.search(query, LIMIT, count=True, **order)
    hits = []
    for key, address in result.hits:
        document = searcher.doc(address)
        hits.append({"key": key, "path": document["path"][0], "title": document["title"][0]})
    print(json.dumps({"count": result.count, "hits": hits}, indent=2))
    return 0 if hits else 1


if __name__ == "__main__":
    sys.exit(main())
