"""Ranking variants on Cranfield and CACM: msearch's ``search`` with its choices changed.

    python benchmarks/variants.py '{"FEEDBACK_WEIGHT": 1.0}' '{"tiers": false}' ...

Each argument is one variant, a JSON object of changes to the shipped defaults (``{}`` is
msearch as shipped); each prints nDCG@10, MAP@100 and Recall@100 on both collections, read
as ``relevance.py`` reads them. The changes:

* ``TITLE_BOOST``, ``FEEDBACK_WEIGHT``, ``FEEDBACK_ARTICLES``, ``FEEDBACK_WORDS``,
  ``FEEDBACK_DEPTH``: the constants of ``index.schema`` and ``search.scoring``;
* ``"k1"``, ``"b"``: BM25's parameters (``search.scoring.K1`` and ``B``);
* ``"idf": "whoosh"``: Whoosh's ``log(N / (df + 1)) + 1`` instead of Lucene's formula;
* ``"headline": "apart"``: the body field without the headline (headline and body scored
  apart, as before schema 10);
* ``"tiers": false``: no all-words tier (every hit ranked by score alone);
* ``"feedback": false``: no feedback re-ranking.

Indexes are built once per collection and index-time variant under ``benchmarks/.work``.
"""

from __future__ import annotations

import functools
import json
import math
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import relevance

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "benchmarks" / ".work" / "variants"
COLLECTIONS = {"Cranfield": "cranfield", "CACM": "cacm"}
INDEX_TIME = ("TITLE_BOOST", "headline")
"""Changes that need an index of their own."""


def apply_at_index_time(variant: dict) -> None:
    """Patch what ``update_index`` writes (in this process)."""
    from monitor_search.index import schema

    if "TITLE_BOOST" in variant:
        schema.TITLE_BOOST = variant["TITLE_BOOST"]
    if variant.get("headline") == "apart":
        shipped = schema.document_fields

        def apart(article, **kwargs):
            fields = shipped(article, **kwargs)
            fields["body"] = fields["body_terms"] = article.body
            return fields

        schema.document_fields = apart
        sys.modules["monitor_search.index.indexer"].document_fields = apart


def apply_at_query_time(variant: dict) -> None:
    """Patch how ``search`` ranks (in a worker process)."""
    from monitor_search.index import schema
    from monitor_search.search import scoring, searcher
    from monitor_search.search.query import Ranking

    if "TITLE_BOOST" in variant:  # the schema an index is opened with is built anew
        schema.TITLE_BOOST = variant["TITLE_BOOST"]

    for name in ("FEEDBACK_WEIGHT", "FEEDBACK_ARTICLES", "FEEDBACK_WORDS", "FEEDBACK_DEPTH"):
        if name in variant:
            setattr(scoring, name, variant[name])
            if hasattr(searcher, name):
                setattr(searcher, name, variant[name])
    if {"k1", "b", "idf"} & variant.keys():
        searcher.WEIGHTING = _weighting(variant)
    if variant.get("tiers") is False:
        tiered = searcher._tiered_from_postings
        searcher._tiered_from_postings = lambda s, ranking, limit, f: tiered(
            s, Ranking(ranking.any_words, None), limit, f
        )
    if variant.get("feedback") is False:
        searcher.reranked = lambda s, query, first, rest: (first, rest)


def _weighting(variant: dict):
    from monitor_search.engine.postings import doc_frequency
    from monitor_search.index.schema import QUERY_FIELDS
    from monitor_search.search.scoring import K1, B, OneIdfBM25F

    class Weighting(OneIdfBM25F):
        def idf(self, searcher, fieldname, text):
            if variant.get("idf") != "whoosh" or fieldname not in QUERY_FIELDS:
                return super().idf(searcher, fieldname, text)
            parent = searcher.get_parent()
            df = max(doc_frequency(parent, field, text) for field in QUERY_FIELDS)
            return math.log(parent.doc_count_all() / (df + 1)) + 1

    return Weighting(B=variant.get("b", B), K1=variant.get("k1", K1))


def index_for(name: str, collection: relevance.Collection, variant: dict) -> Path:
    changes = {key: variant[key] for key in INDEX_TIME if key in variant}
    folder = WORK / (name + "".join(f"-{k}={v}" for k, v in sorted(changes.items())))
    index_dir = folder / "index"
    if not (folder / "complete").exists():
        from monitor_search.index.indexer import update_index

        articles = folder / "articles"
        articles.mkdir(parents=True, exist_ok=True)
        for doc in collection.documents:
            text = f"{doc.title}\n\n{doc.body}\n"
            (articles / f"{doc.id}.txt").write_text(text, encoding="utf-8")
        with ProcessPoolExecutor(1, initializer=apply_at_index_time, initargs=(changes,)) as pool:
            pool.submit(update_index, [str(articles)], index_dir).result()
        (folder / "complete").touch()
    return index_dir


def _ranked(index_dir: Path, text: str) -> list[str]:
    from monitor_search.search.searcher import search

    return [Path(hit.path).stem for hit in search(index_dir, text, limit=relevance.DEPTH).hits]


def measure(name: str, collection: relevance.Collection, variant: dict) -> relevance.Result:
    index_dir = index_for(name, collection, variant)
    texts = list(collection.queries.values())
    with ProcessPoolExecutor(
        relevance.WORKERS, initializer=apply_at_query_time, initargs=(variant,)
    ) as pool:
        ranked = list(pool.map(functools.partial(_ranked, index_dir), texts, chunksize=8))
    return relevance.evaluate(
        name, dict(zip(collection.queries, ranked, strict=True)), collection, 0
    )


def main(argv: list[str]) -> int:
    shared = REPO.parent / "shared" / "datasets"
    loaded = {
        name: relevance.load_collection(shared / folder) for name, folder in COLLECTIONS.items()
    }
    if None in loaded.values():
        print(f"skipped: Cranfield and CACM are not both in {shared}")
        return 0
    for argument in argv or ["{}"]:
        variant = json.loads(argument)
        figures = []
        for name, (_, collection) in loaded.items():
            r = measure(name, collection, variant)
            figures.append(f"{name} {r.ndcg:.4f} {r.map:.4f} {r.recall:.3f}")
        print(f"{json.dumps(variant)}: " + " | ".join(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
