"""Relevance benchmark: msearch's ranking on Cranfield or CACM, beside Lucene and three more.

Unit tests say the ranking works; only judged queries say whether it is *good*. Cranfield
(aerodynamics abstracts, graded judgments) and CACM (computing titles and abstracts, half of
them a title alone; long questions) are small enough to run in seconds, so every change to
analysis or scoring can be measured on both. msearch is run end to end (its own indexer over
Monitor-format files, the same ``search`` function ``msearch query`` calls); Lucene 9's BM25
(Anserini 0.22.1, two parameter sets, with and without RM3), stock Whoosh, SQLite FTS5 and
tantivy run on the same documents and queries, so a change in msearch's figure can be told
apart from a change in how the collection is read.

    python benchmarks/relevance.py [COLLECTION_DIR] [--json] [--min-ndcg X]

A missing collection is a skip (exit 0), not a failure: the data set is not part of the
repository. So is a system that cannot run here (tantivy not installed; no Java, or no
Anserini jar: ``make anserini``). ``--min-ndcg`` makes the run fail (exit 1) when msearch
falls below a floor.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import math
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_COLLECTION = REPO.parent / "shared" / "datasets" / "cranfield"
NDCG_DEPTH = 10
DEPTH = 100
"""Ranks evaluated for MAP and recall; also how many hits each system is asked for."""
ANSERINI_JAR = Path(
    os.environ.get("ANSERINI_JAR", REPO / "benchmarks" / ".work" / "anserini-0.22.1-fatjar.jar")
)
"""Anserini 0.22.1 (Lucene 9), from the pyserini 0.22.1 wheel: ``make anserini``."""
WORKERS = min(4, os.cpu_count() or 1)
"""Processes that run msearch's queries: ``search`` is pure Python and highlights every hit,
so it is by far the slowest system here, and the CI machine has two cores."""

_MARKER = re.compile(r"^\.([IATBW])\b\s*(\S*)\s*$")
_ANY_MARKER = re.compile(r"^\.([A-Z])\b\s*(\S*)\s*$")
_WORD = re.compile(r"\w+")

Ranker = Callable[[list[str]], list[list[str]]]
"""Query texts in; for each, document ids out, best first."""


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    body: str


System = Callable[[list[Document], Path], contextlib.AbstractContextManager[Ranker]]
"""Given the documents and a scratch folder: a context that indexes them and yields a ranker."""


@dataclass(frozen=True)
class Collection:
    documents: list[Document]
    queries: dict[str, str]
    """Query number -> text; the number is the query's position in ``cran.qry``, which is
    what ``cranqrel`` uses (the ``.I`` numbers in ``cran.qry`` skip values)."""
    gains: dict[str, dict[str, int]]
    """Query number -> relevant document id -> graded gain (5 - relevance code)."""


@dataclass(frozen=True)
class Result:
    system: str
    ndcg: float | None
    map: float | None
    recall: float | None
    seconds: float | None
    skipped: str | None = None


# --- reading the collection -------------------------------------------------------------


def read_smart(path: Path, *, cranfield: bool = True) -> list[dict[str, str]]:
    """Records of a SMART file as ``{"I": id, "T": ..., "W": ...}``, whitespace collapsed.

    In Cranfield, once a record's ``.W`` starts, later marker lines are dropped rather than
    obeyed: three records (240, 576, 578) repeat ``.A``/``.B``/``.W`` inside their abstract,
    and obeying them would move abstract text into the author field or drop it. In CACM every
    marker is obeyed (its ``.B``, ``.A``, ``.N``, ``.X`` and ``.K`` follow the abstract).
    """
    pattern = _MARKER if cranfield else _ANY_MARKER
    records: list[dict[str, list[str]]] = []
    field = ""
    for line in path.read_text(encoding="ascii", errors="replace").splitlines():
        marker = pattern.match(line)
        if marker and marker[1] == "I":
            records.append({"I": [marker[2]]})
            field = ""
        elif marker and (field != "W" or not cranfield):
            field = marker[1]
        elif records and field and not marker:
            records[-1].setdefault(field, []).append(line)
    return [{key: " ".join(" ".join(lines).split()) for key, lines in r.items()} for r in records]


def read_judgments(path: Path) -> dict[str, dict[str, int]]:
    """Relevant documents per query with gain 5 - code (codes 1..4; -1 means not relevant)."""
    gains: dict[str, dict[str, int]] = {}
    for line in path.read_text(encoding="ascii").splitlines():
        if not line.strip():
            continue
        query, doc, code = line.split()
        if 1 <= int(code) <= 4:
            per_query = gains.setdefault(query, {})
            per_query[doc] = max(per_query.get(doc, 0), 5 - int(code))
    return gains


_CRANFIELD_DASH = re.compile(r"\s*-dash\b")
"""Cranfield spells a dash ``-dash`` (``methods -dash exact or approximate -dash are``), in
queries and documents alike: every system is given the dash a person would type, not the
word "dash" (which msearch's ``-word`` syntax would also read as "leave out")."""


def load_cranfield(folder: Path) -> Collection:
    """Documents with any text (two Cranfield records are empty and can never match), the
    queries numbered by position, and their judgments."""
    documents = [
        Document(
            id=r["I"],
            title=_CRANFIELD_DASH.sub(" - ", r.get("T", "")),
            body=_CRANFIELD_DASH.sub(" - ", r.get("W", "")),
        )
        for r in read_smart(folder / "cran.all.1400")
        if r.get("T") or r.get("W")
    ]
    queries = {
        str(position): _CRANFIELD_DASH.sub(" - ", r.get("W", ""))
        for position, r in enumerate(read_smart(folder / "cran.qry"), start=1)
    }
    return Collection(documents, queries, read_judgments(folder / "cranqrel"))


def load_cacm(folder: Path) -> Collection:
    """Title and abstract of each document (half of them a title alone), the 52 queries
    with judgments among 64 (ids without their zero padding), binary gain 1."""
    documents = [
        Document(id=r["I"], title=r.get("T", ""), body=r.get("W", ""))
        for r in read_smart(folder / "cacm.all", cranfield=False)
        if r.get("T") or r.get("W")
    ]
    queries = {r["I"]: r.get("W", "") for r in read_smart(folder / "query.text", cranfield=False)}
    gains: dict[str, dict[str, int]] = {}
    for line in (folder / "qrels.text").read_text(encoding="ascii").splitlines():
        if line.strip():
            query, doc = line.split()[:2]
            gains.setdefault(str(int(query)), {})[doc] = 1
    return Collection(documents, queries, gains)


def load_collection(folder: Path) -> tuple[str, Collection] | None:
    """The collection in ``folder`` by the files it has (Cranfield or CACM), or None."""
    if (folder / "cran.all.1400").is_file():
        return "Cranfield", load_cranfield(folder)
    if (folder / "cacm.all").is_file():
        return "CACM", load_cacm(folder)
    return None


# --- measures -----------------------------------------------------------------------------


def ndcg(ranking: list[str], gains: dict[str, int], depth: int = NDCG_DEPTH) -> float:
    """Graded nDCG with the log2(rank + 1) discount; the ideal ranking orders *all* judged
    relevant documents, not only those the system found."""
    ideal = sorted(gains.values(), reverse=True)
    return _dcg([gains.get(doc, 0) for doc in ranking[:depth]]) / _dcg(ideal[:depth])


def _dcg(gains: list[int]) -> float:
    return sum(gain / math.log2(rank + 1) for rank, gain in enumerate(gains, start=1))


def average_precision(ranking: list[str], relevant: set[str], depth: int = DEPTH) -> float:
    """Precision at each relevant hit in the top ``depth``, over *all* relevant documents, so
    a relevant document missed costs as much as one ranked last."""
    found = 0
    total = 0.0
    for rank, doc in enumerate(ranking[:depth], start=1):
        if doc in relevant:
            found += 1
            total += found / rank
    return total / len(relevant)


def recall(ranking: list[str], relevant: set[str], depth: int = DEPTH) -> float:
    return len(relevant.intersection(ranking[:depth])) / len(relevant)


def evaluate(
    name: str, rankings: dict[str, list[str]], collection: Collection, seconds: float
) -> Result:
    """Mean of each measure over the queries with at least one relevant judgment."""
    judged = [query for query in collection.queries if collection.gains.get(query)]
    per_query = [
        (
            ndcg(rankings[query], collection.gains[query]),
            average_precision(rankings[query], set(collection.gains[query])),
            recall(rankings[query], set(collection.gains[query])),
        )
        for query in judged
    ]
    means = [sum(column) / len(judged) for column in zip(*per_query, strict=True)]
    return Result(name, *means, seconds=seconds)


# --- the systems ----------------------------------------------------------------------------


@contextlib.contextmanager
def msearch_system(documents: list[Document], workdir: Path) -> Iterator[Ranker]:
    """msearch as its users get it: Monitor-format files (headline, blank line, body) indexed
    by ``update_index``, queried through ``search``; a hit's file name is its document id."""
    from monitor_search.index.indexer import update_index

    folder = workdir / "articles"
    folder.mkdir()
    for doc in documents:
        (folder / f"{doc.id}.txt").write_text(f"{doc.title}\n\n{doc.body}\n", encoding="utf-8")
    index_dir = workdir / "msearch-index"
    report = update_index([str(folder)], index_dir)
    if report.skipped:
        raise RuntimeError(f"msearch skipped {len(report.skipped)} files: {report.skipped[:3]}")

    def rank(texts: list[str]) -> list[list[str]]:
        with ProcessPoolExecutor(max_workers=WORKERS) as pool:
            return list(pool.map(functools.partial(_msearch_ids, index_dir), texts, chunksize=8))

    yield rank


def _msearch_ids(index_dir: Path, text: str) -> list[str]:
    """One query through ``msearch query``'s own function (a top-level function, so that a
    worker process can run it)."""
    from monitor_search.search.searcher import search

    return [Path(hit.path).stem for hit in search(index_dir, text, limit=DEPTH).hits]


@contextlib.contextmanager
def whoosh_system(documents: list[Document], workdir: Path) -> Iterator[Ranker]:
    """Whoosh out of the box: StemmingAnalyzer, BM25F defaults, words OR-ed by the parser.

    Query words are lower-cased and stripped of punctuation so the parser sees no syntax.
    """
    from whoosh import index, qparser
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    schema = Schema(
        id=ID(stored=True),
        title=TEXT(analyzer=StemmingAnalyzer()),
        body=TEXT(analyzer=StemmingAnalyzer()),
    )
    ix = index.create_in(str(workdir), schema)
    with ix.writer() as writer:
        for doc in documents:
            writer.add_document(id=doc.id, title=doc.title, body=doc.body)
    parser = qparser.MultifieldParser(["title", "body"], schema, group=qparser.OrGroup)
    with ix.searcher() as searcher:

        def rank_one(text: str) -> list[str]:
            query = parser.parse(" ".join(_words(text)))
            return [hit["id"] for hit in searcher.search(query, limit=DEPTH)]

        yield _each(rank_one)


@contextlib.contextmanager
def fts5_system(documents: list[Document], workdir: Path) -> Iterator[Ranker]:
    """SQLite FTS5 with the Porter tokenizer, ranked by ``bm25()``; the query is an OR of
    quoted words, so nothing in it is FTS5 syntax."""
    connection = sqlite3.connect(workdir / "fts5.sqlite")
    try:
        connection.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, "
            "tokenize='porter unicode61')"
        )
        connection.executemany(
            "INSERT INTO docs VALUES (?, ?, ?)", [(d.id, d.title, d.body) for d in documents]
        )
        connection.commit()

        def rank_one(text: str) -> list[str]:
            match = " OR ".join(f'"{word}"' for word in _words(text))
            rows = connection.execute(
                "SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?",
                (match, DEPTH),
            )
            return [row[0] for row in rows]

        yield _each(rank_one)
    finally:
        connection.close()


@contextlib.contextmanager
def tantivy_system(documents: list[Document], workdir: Path) -> Iterator[Ranker]:
    """tantivy's ``en_stem`` tokenizer on title and body; its query parser ORs the words."""
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", tokenizer_name="en_stem")
    builder.add_text_field("body", tokenizer_name="en_stem")
    ix = tantivy.Index(builder.build(), path=str(workdir))
    writer = ix.writer()
    for doc in documents:
        writer.add_document(tantivy.Document(id=doc.id, title=doc.title, body=doc.body))
    writer.commit()
    writer.wait_merging_threads()
    ix.reload()
    searcher = ix.searcher()

    def rank_one(text: str) -> list[str]:
        query = ix.parse_query(" ".join(_words(text)), ["title", "body"])
        hits = searcher.search(query, DEPTH).hits
        return [searcher.doc(address)["id"][0] for _score, address in hits]

    yield _each(rank_one)


class Unavailable(Exception):
    """A system that cannot run on this machine (a program or file it needs is missing)."""


def lucene_system(k1: float, b: float, rm3: bool) -> System:
    """Lucene 9's BM25 as Anserini runs it (its English analyzer: Porter stemmer, Lucene's
    stop words), on one ``contents`` field of title and body; with ``rm3``, Anserini's RM3
    feedback, which re-retrieves with the expanded query. Java and the jar are optional."""

    @contextlib.contextmanager
    def system(documents: list[Document], workdir: Path) -> Iterator[Ranker]:
        if shutil.which("java") is None:
            raise Unavailable("no java on PATH")
        if not ANSERINI_JAR.is_file():
            raise Unavailable(f"no {ANSERINI_JAR.name} (make anserini, or set ANSERINI_JAR)")
        source = workdir / "json"
        source.mkdir()
        with (source / "docs.jsonl").open("w", encoding="utf-8") as out:
            for doc in documents:
                out.write(json.dumps({"id": doc.id, "contents": f"{doc.title}\n{doc.body}"}))
                out.write("\n")
        index = workdir / "lucene-index"
        _anserini(
            "io.anserini.index.IndexCollection",
            *("-collection", "JsonCollection", "-input", source, "-index", index),
            *("-generator", "DefaultLuceneDocumentGenerator", "-threads", "2"),
            "-storePositions",
            "-storeDocvectors",
            "-storeRaw",
        )

        def rank(texts: list[str]) -> list[list[str]]:
            topics = workdir / "topics.tsv"
            topics.write_text(
                "".join(f"{n}\t{' '.join(_words(text))}\n" for n, text in enumerate(texts)),
                encoding="utf-8",
            )
            run = workdir / "run.trec"
            _anserini(
                "io.anserini.search.SearchCollection",
                *("-index", index, "-topics", topics, "-topicreader", "TsvString"),
                *("-output", run, "-hits", DEPTH, "-bm25", "-bm25.k1", k1, "-bm25.b", b),
                *(["-rm3"] if rm3 else []),
            )
            ranked: list[list[str]] = [[] for _ in texts]
            for line in run.read_text(encoding="utf-8").splitlines():
                query, _q0, doc, *_rest = line.split()
                ranked[int(query)].append(doc)
            return ranked

        yield rank

    return system


def _anserini(main_class: str, *arguments: object) -> None:
    """One Anserini command; its log is shown only when it fails."""
    command = ["java", "-cp", str(ANSERINI_JAR), main_class, *map(str, arguments)]
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise RuntimeError(f"{main_class} failed:\n{finished.stdout[-2000:]}{finished.stderr}")


def _each(rank_one: Callable[[str], list[str]]) -> Ranker:
    return lambda texts: [rank_one(text) for text in texts]


def _words(text: str) -> list[str]:
    """The query as bare lower-case words: no operator, quote or bracket survives."""
    return _WORD.findall(text.lower())


MSEARCH = "msearch"
SYSTEMS: dict[str, System] = {
    MSEARCH: msearch_system,
    "Whoosh 2.7.4 StemmingAnalyzer": whoosh_system,
    "SQLite FTS5 porter": fts5_system,
    "tantivy en_stem": tantivy_system,
    "Lucene BM25 k1 0.9 b 0.4": lucene_system(0.9, 0.4, rm3=False),
    "Lucene BM25 k1 1.2 b 0.75": lucene_system(1.2, 0.75, rm3=False),
    "Lucene BM25+RM3 k1 0.9 b 0.4": lucene_system(0.9, 0.4, rm3=True),
    "Lucene BM25+RM3 k1 1.2 b 0.75": lucene_system(1.2, 0.75, rm3=True),
}


def run_system(name: str, collection: Collection) -> Result:
    """Index, run every query, score; a system whose library is not installed is skipped."""
    build = SYSTEMS[name]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="msearch-relevance-") as workdir:
        try:
            context = build(collection.documents, Path(workdir))
            with context as rank:
                ranked = rank(list(collection.queries.values()))
            rankings = dict(zip(collection.queries, ranked, strict=True))
        except ImportError as error:
            if name == MSEARCH:
                raise
            return Result(name, None, None, None, None, skipped=f"not installed ({error.name})")
        except Unavailable as error:
            return Result(name, None, None, None, None, skipped=str(error))
    return evaluate(name, rankings, collection, time.perf_counter() - started)


# --- output ---------------------------------------------------------------------------------


def table(results: list[Result]) -> str:
    """Aligned plain text: readable in a terminal and in a CI log alike."""
    width = max(len(result.system) for result in results)
    lines = [f"{'system':<{width}}  nDCG@10  MAP@100  Recall@100  seconds"]
    for r in results:
        if r.skipped is not None:
            lines.append(f"{r.system:<{width}}  skipped: {r.skipped}")
        else:
            lines.append(
                f"{r.system:<{width}}  {r.ndcg:7.3f}  {r.map:7.3f}  {r.recall:10.3f}"
                f"  {r.seconds:7.1f}"
            )
    return "\n".join(lines)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "collection",
        nargs="?",
        type=Path,
        default=DEFAULT_COLLECTION,
        help="folder with Cranfield (cran.all.1400, cran.qry, cranqrel) or CACM (cacm.all, "
        "query.text, qrels.text) (default: %(default)s)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--min-ndcg",
        type=float,
        metavar="X",
        help="exit 1 if msearch's nDCG@10 is below X",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    started = time.perf_counter()
    loaded = load_collection(args.collection)
    if loaded is None:
        reason = f"no Cranfield or CACM collection at {args.collection}"
        print(json.dumps({"skipped": reason}) if args.json else f"skipped: {reason}")
        return 0
    name, collection = loaded
    results = [run_system(name, collection) for name in SYSTEMS]
    summary = {
        "collection": str(args.collection),
        "name": name,
        "documents": len(collection.documents),
        "queries": sum(1 for query in collection.queries if collection.gains.get(query)),
        "seconds": round(time.perf_counter() - started, 1),
        "msearch_processes": WORKERS,
    }
    if args.json:
        print(json.dumps({**summary, "results": [asdict(r) for r in results]}, indent=2))
    else:
        print(
            f"{name}: {summary['documents']} documents, {summary['queries']} judged queries, "
            f"{summary['seconds']} s in all (msearch's queries on {WORKERS} processes)"
        )
        print(table(results))
    return _check_floor(results, args.min_ndcg)


def _check_floor(results: list[Result], floor: float | None) -> int:
    """Exit status for the CI guard: 1 when msearch's nDCG@10 is under ``floor``."""
    ours = next(r for r in results if r.system == MSEARCH)
    if floor is not None and ours.ndcg < floor:
        print(
            f"FAIL: msearch nDCG@10 is {ours.ndcg:.3f}, below the required {floor:.3f}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
