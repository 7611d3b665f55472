"""Opening the table cache fast (issue 15) reads back exactly what was written."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

from reso.assistant.retrieval import HybridRetriever
from reso.index import tables
from reso.index.embedders import HashEmbedder
from reso.index.library import Library
from reso.index.store import ChromaStore


def test_chunks_loaded_from_the_cache_are_the_chunks_built_from_the_store(tmp_path: Path, seed_path: Path):
    library = Library(ChromaStore.open(tmp_path / "index"), HashEmbedder())
    library.ingest([seed_path])
    built = HybridRetriever(library, cache_dir=tmp_path / "tables")
    loaded = HybridRetriever(library, cache_dir=tmp_path / "tables")
    assert loaded.cache.loads == 1 and len(loaded.chunks) == len(built.chunks) == 20
    for a, b in zip(built.chunks, loaded.chunks):
        assert a == b and hash(a) == hash(b) and dataclasses.asdict(a) == dataclasses.asdict(b)
        assert type(b) is type(a) and vars(b) == vars(a)  # every field, in the dataclass's own order
    # frozen like any chunk
    try:
        loaded.chunks[0].text = "changed"  # type: ignore[misc]
    except dataclasses.FrozenInstanceError:
        pass
    else:
        raise AssertionError("a loaded chunk could be changed")


def test_the_checksum_read_in_blocks_is_sha256_of_the_file(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(tables, "_HASH_BLOCK", 1000)  # many blocks, and a last partial one
    for size in (0, 1, 999, 1000, 1001, 12_345):
        f = tmp_path / f"f{size}"
        f.write_bytes(bytes(range(256)) * (size // 256) + bytes(size % 256))
        assert tables._sha256(f) == hashlib.sha256(f.read_bytes()).hexdigest()
