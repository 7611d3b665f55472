"""The document records are read through a copy on disk named after the store's generation
(`Library._read_records`): a server's start no longer reads them from Chroma before its first answer.
The copy must never stand for another state of the index, and a damaged one must not matter."""

from __future__ import annotations

import pytest

from reso.index.embedders import HashEmbedder
from reso.index.library import Library
from reso.index.store import ChromaStore


def _copies(data_dir):
    return sorted((data_dir / Library._RECORDS).glob("*.json"))


@pytest.fixture
def indexed(tmp_path, seed_path):
    data_dir = tmp_path / "index"
    library = Library(ChromaStore.open(data_dir), HashEmbedder())
    library.ingest([seed_path])
    return data_dir, library


def test_an_ingest_leaves_a_copy_that_the_next_reader_loads_instead_of_the_store(indexed, monkeypatch):
    data_dir, library = indexed
    assert len(_copies(data_dir)) == 1
    expected = library.store.document_records()
    store = ChromaStore.open(data_dir)

    def no_store_read():
        raise AssertionError("read from the store although its copy is current")

    monkeypatch.setattr(store, "document_records", no_store_read)
    assert Library(store, HashEmbedder()).document_records() == expected


def test_a_write_moves_the_generation_on_and_the_copy_with_it(indexed, fixtures_dir):
    data_dir, library = indexed
    before = _copies(data_dir)
    library.ingest([fixtures_dir / "akn" / "S_RES_2699-2318982E.xml"])
    after = _copies(data_dir)
    assert len(after) == 1 and after != before  # the last state's copy replaced
    fresh = Library(ChromaStore.open(data_dir), HashEmbedder())
    assert sorted(r.document for r in fresh.document_records()) == ["A/HRC/RES/30/25", "S/RES/2699 (2023)"]


def test_a_damaged_copy_is_passed_over_and_written_again(indexed, caplog):
    data_dir, library = indexed
    (copy,) = _copies(data_dir)
    copy.write_text("[{not json", encoding="utf-8")
    records = Library(ChromaStore.open(data_dir), HashEmbedder()).document_records()
    assert [r.document for r in records] == ["A/HRC/RES/30/25"]
    assert "ignoring the records' copy" in caplog.text
    assert _copies(data_dir) == [copy] and copy.read_text(encoding="utf-8").startswith("[{")


def test_no_copy_is_written_while_a_write_is_pending(indexed):
    data_dir, library = indexed
    for copy in _copies(data_dir):
        copy.unlink()
    store = library.store
    store._stamp_generation(pending=True)  # a writer between its two stamps (or killed there)
    assert store.fingerprint() is None
    assert [r.document for r in Library(store, HashEmbedder()).document_records()] == ["A/HRC/RES/30/25"]
    assert _copies(data_dir) == []
