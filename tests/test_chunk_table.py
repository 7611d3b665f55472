"""The chunk table a server reads from its cache: columns, each row made a `Chunk` when first read.

`ChunkTable` stands in for the list of chunks everywhere a loaded state's chunks go (the search,
BM25, the lineage graph), so it must answer as that list does; and what a server reads before its
first answer (the columns) must not make the rows.
"""

from __future__ import annotations

import numpy as np
import pytest

from reso.assistant.retrieval import RetrievalTables
from reso.index.chunks import CHUNK_FIELDS, ChunkTable, column_of
from reso.index.embedders import HashEmbedder
from reso.index.library import Library
from reso.index.store import ChromaStore
from reso.index.tables import TableCache, _read_chunks, _write_chunks, build_snapshot


@pytest.fixture(scope="module")
def chunks(tmp_path_factory, seed_path, fixtures_dir):
    library = Library(ChromaStore.open(tmp_path_factory.mktemp("chunk-table")), HashEmbedder())
    library.ingest([seed_path, fixtures_dir / "akn" / "S_RES_2699-2318982E.xml", fixtures_dir / "akn" / "A_HRC_RES_54_10A.xml"])
    return library.store.chunks()


def test_a_table_read_back_is_the_list_written_and_answers_as_a_list(chunks, tmp_path):
    _write_chunks(tmp_path / "chunks.json", chunks, [f"h{i}" for i in range(len(chunks))])
    table, hashes = _read_chunks(tmp_path / "chunks.json")
    assert isinstance(table, ChunkTable)
    assert hashes == [f"h{i}" for i in range(len(chunks))]
    assert len(table) == len(chunks) > 50
    assert table == chunks and chunks == list(table) and table != chunks[:-1]
    assert table[0] == chunks[0] and table[-1] == chunks[-1] and table[np.int64(7)] == chunks[7]
    assert table[3:9] == chunks[3:9] and table[::-5] == chunks[::-5]
    with pytest.raises(IndexError):
        table[len(chunks)]
    assert table[5] is table[5]  # made once, kept
    assert [c.id for c in table] == [c.id for c in chunks]
    for name in CHUNK_FIELDS:
        assert list(column_of(table, name)) == [getattr(c, name) for c in chunks] == list(column_of(chunks, name))


def test_reading_the_columns_makes_no_row(tmp_path, seed_path, fixtures_dir):
    """Opening a saved state (the search's tables, BM25) reads columns: the rows wait for a question."""
    store = ChromaStore.open(tmp_path / "index")
    Library(store, HashEmbedder()).ingest([seed_path, fixtures_dir / "akn" / "S_RES_2699-2318982E.xml"])
    cache = TableCache(tmp_path / "tables")
    built = build_snapshot(store, cache, store.fingerprint())
    loaded = build_snapshot(store, cache, store.fingerprint())
    assert cache.loads == 1 and isinstance(loaded.chunks, ChunkTable)
    tables, reference = RetrievalTables.of(loaded), RetrievalTables.of(built)
    assert sum(row is not None for row in loaded.chunks._made) == 0
    for name in ("doc_keys", "pids", "languages", "bodies", "dates", "paragraphs"):
        np.testing.assert_array_equal(getattr(tables, name), getattr(reference, name))
    assert tables.row_of == reference.row_of and tables.versions == reference.versions
    assert tables.chunks == built.chunks
