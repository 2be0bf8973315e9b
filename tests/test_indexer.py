"""Incremental indexing against a real on-disk index: new, changed, unchanged, removed."""

from __future__ import annotations

import os

import pytest

from monitor_search.errors import NotAnIndex
from monitor_search.index import indexer
from monitor_search.index.indexer import update_index
from monitor_search.search.catalog import index_stats
from monitor_search.search.searcher import search

from .conftest import write_article


def titles(index_dir, text):
    return [hit.title for hit in search(index_dir, text, limit=50).hits]


def test_first_run_indexes_everything(corpus, tmp_path):
    report = update_index([str(corpus)], tmp_path / "ix")
    assert (report.new, report.updated, report.unchanged, report.removed) == (4, 0, 0, 0)
    assert report.skipped == []
    assert index_stats(tmp_path / "ix").articles == 4


def test_second_run_reads_nothing_new(corpus, tmp_path):
    update_index([str(corpus)], tmp_path / "ix")
    report = update_index([str(corpus)], tmp_path / "ix")
    assert (report.new, report.updated, report.unchanged, report.removed) == (0, 0, 4, 0)


def test_changed_file_is_replaced(corpus, tmp_path):
    index_dir = tmp_path / "ix"
    update_index([str(corpus)], index_dir)
    path = write_article(corpus, "gas.txt", "GAZPROM CUTS SUPPLY TO UKRAINE", "Kyiv protests.")
    os.utime(path, ns=(1, 1))  # a different modification time, as any edit gives
    report = update_index([str(corpus)], index_dir)
    assert (report.new, report.updated, report.unchanged) == (0, 1, 3)
    assert titles(index_dir, "Gazprom") == ["GAZPROM CUTS SUPPLY TO UKRAINE"]
    assert titles(index_dir, "Turkmenistan") == []
    assert index_stats(index_dir).articles == 4


def test_touched_but_identical_file_counts_unchanged(corpus, tmp_path):
    update_index([str(corpus)], tmp_path / "ix")
    os.utime(corpus / "gas.txt", ns=(10**18, 10**18))
    report = update_index([str(corpus)], tmp_path / "ix")
    assert (report.updated, report.unchanged) == (0, 4)
    assert index_stats(tmp_path / "ix").articles == 4


def test_deleted_file_is_removed_but_other_folders_stay(corpus, tmp_path):
    index_dir = tmp_path / "ix"
    other = tmp_path / "other"
    write_article(other, "tajik.txt", "TAJIK PEACE TALKS RESUME", "Talks in Tehran.")
    update_index([str(corpus)], index_dir)
    update_index([str(other)], index_dir)
    (corpus / "chechnya.txt").unlink()
    report = update_index([str(corpus)], index_dir)
    assert report.removed == 1
    assert titles(index_dir, "Chechnya") == []
    assert titles(index_dir, "Tajik") == ["TAJIK PEACE TALKS RESUME"]
    assert index_stats(index_dir).articles == 4


def test_rebuild_starts_from_empty(corpus, tmp_path):
    index_dir = tmp_path / "ix"
    other = tmp_path / "other"
    write_article(other, "tajik.txt", "TAJIK PEACE TALKS RESUME", "Talks in Tehran.")
    update_index([str(corpus), str(other)], index_dir)
    report = update_index([str(other)], index_dir, rebuild=True)
    assert report.new == 1
    assert index_stats(index_dir).articles == 1


def test_nested_folders_and_only_txt_files(corpus, tmp_path):
    (corpus / "notes.md").write_text("Chechnya notes", encoding="utf-8")
    (corpus / "UPPER.TXT").write_text("CHECHNYA AGAIN\n\nGrozny.", encoding="utf-8")
    report = update_index([str(corpus)], tmp_path / "ix")
    assert report.new == 5  # four .txt files, one .TXT, not the .md
    assert "A NEW DÉTENTE WITH GEORGIA?" in titles(tmp_path / "ix", "detente")


def test_bad_file_is_skipped_with_reason_and_rest_indexed(corpus, tmp_path):
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02 data")
    report = update_index([str(corpus)], tmp_path / "ix")
    assert report.new == 4
    reasons = dict(report.skipped)
    assert "no text" in reasons[str(corpus / "empty.txt")]
    assert "binary" in reasons[str(corpus / "binary.txt")]


def test_refuses_a_folder_that_is_not_an_index(corpus, tmp_path):
    documents = tmp_path / "Documents"
    documents.mkdir()
    (documents / "thesis.docx").write_bytes(b"precious")
    with pytest.raises(NotAnIndex):
        update_index([str(corpus)], documents, rebuild=True)
    assert (documents / "thesis.docx").read_bytes() == b"precious"
    assert sorted(p.name for p in documents.iterdir()) == ["thesis.docx"]


def test_missing_path_is_reported(corpus, tmp_path):
    report = update_index([str(corpus), str(tmp_path / "nope")], tmp_path / "ix")
    assert report.missing == [str(tmp_path / "nope")]
    assert report.new == 4


def test_small_changes_never_rewrite_large_segments(tmp_path, monkeypatch):
    """Adding or changing a few files writes a small segment and merges only the small ones
    (Whoosh's own policy could rewrite most of the index for one file)."""
    monkeypatch.setattr(indexer, "BATCH_DOCUMENTS", 30)
    monkeypatch.setattr(indexer, "SMALL_SEGMENT", 20)
    folder, index_dir = tmp_path / "articles", tmp_path / "ix"
    for number in range(90):
        write_article(folder, f"{number:03d}.txt", f"ARTICLE {number}", f"Pipeline news {number}.")
    update_index([str(folder)], index_dir)

    def segment_files():
        return {path.name: path.stat().st_mtime_ns for path in index_dir.glob("*.pst")}

    large = segment_files()
    assert len(large) == 3
    for round_ in range(3):
        write_article(folder, "000.txt", "ARTICLE 0", f"Pipeline news, revised {round_}.")
        assert update_index([str(folder)], index_dir).updated == 1
        now = segment_files()
        assert large.items() <= now.items()  # the large segments untouched
        assert len(now) == 4  # plus one small segment, the earlier small one merged into it
    assert search(index_dir, "pipeline").total == 90
    assert search(index_dir, "revised").total == 1


@pytest.mark.parametrize(
    ("articles", "merged"),
    [
        ([], []),
        ([5_000] * 9, []),  # nine middling ones: kept
        ([5_000] * 10, list(range(10))),  # ten: merged
        ([50_000, 5_000, 1_999, 5_000], [2]),  # small ones always
        ([1_500, 30_000] + [5_000] * 9, [0]),  # merged, the small ones are still small
        ([1_500, 1_000, 30_000] + [5_000] * 9, [0, 1, *range(3, 12)]),  # ... now 9 + 1
        ([20_000] * 30, []),  # large ones never
        ([19_999] * 10 + [20_000] * 5, list(range(10))),
    ],
)
def test_merge_plan_merges_ten_middling_segments(articles, merged):
    assert indexer.merge_plan(articles) == merged


def test_middling_segments_are_merged_when_they_pile_up(tmp_path, monkeypatch):
    """Batches make middling segments; the fourth batch's merges the three before it
    (MERGE_FACTOR 3), and every article stays searchable once."""
    monkeypatch.setattr(indexer, "BATCH_DOCUMENTS", 30)
    monkeypatch.setattr(indexer, "SMALL_SEGMENT", 20)
    monkeypatch.setattr(indexer, "MERGE_FACTOR", 3)
    monkeypatch.setattr(indexer, "LARGE_SEGMENT", 1_000)
    folder, index_dir = tmp_path / "articles", tmp_path / "ix"
    for number in range(120):
        write_article(folder, f"{number:03d}.txt", f"ARTICLE {number}", f"Pipeline news {number}.")
    phases: list[str] = []
    update_index([str(folder)], index_dir, on_phase=phases.append)
    assert len(list(index_dir.glob("*.pst"))) == 1  # 30 + 30 + 30 merged into the fourth 30
    assert "merging" in phases
    assert search(index_dir, "pipeline").total == 120
    assert search(index_dir, '"pipeline news"').total == 120  # positions merged too


def test_runs_report_their_phases_in_order(corpus, tmp_path):
    seen: list[str] = []
    update_index([str(corpus)], tmp_path / "index", on_phase=seen.append)
    assert seen[:3] == ["reading", "analysing", "writing"] and "merging" not in seen
    (corpus / "late.txt").write_text("LATE NEWS\n\nA late story about Baku.\n", encoding="utf-8")
    again: list[str] = []
    update_index([str(corpus)], tmp_path / "index", on_phase=again.append)
    assert again == ["reading", "analysing", "writing", "merging", "writing"]
    assert set(seen + again) <= set(indexer.PHASES)


def test_each_real_file_is_indexed_once(tmp_path):
    """A hard link, a symbolic link and a file named again beside its folder are one file."""
    folder = tmp_path / "articles"
    write_article(folder, "a.txt", "PIPELINE ONE", "Pipeline news.")
    write_article(folder, "b.txt", "PIPELINE TWO", "Pipeline news again.")
    os.link(folder / "a.txt", folder / "hard.txt")
    (folder / "soft.txt").symlink_to(folder / "b.txt")
    report = update_index([str(folder), str(folder / "a.txt")], tmp_path / "ix")
    assert report.new == 2 and report.skipped == []
    assert search(tmp_path / "ix", "pipeline").total == 2
