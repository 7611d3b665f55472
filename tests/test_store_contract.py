"""One suite for the vector-store seam, run against embedded Chroma and a real `chroma run`."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from datetime import date

import numpy as np
import pytest

from reso.index.chunks import chunks_of
from reso.index.embedders import HashEmbedder
from reso.errors import IndexMismatch
from reso.index.ingest import Ingestor, IngestReport
from reso.index.model import Paragraph, Resolution, Vote
from reso.index.store import ChromaStore


def _resolution(symbol="A/HRC/RES/99/1", language="en", ops=("Requests the Secretary-General to report",)) -> Resolution:
    paragraphs = [
        Paragraph("PP1", "preambular", "Guided by the Charter of the United Nations,"),
        Paragraph("PP2", "preambular", "Recalling its resolution 5/1 of 18 June 2007,"),
    ]
    for i, text in enumerate(ops, 1):
        paragraphs.append(Paragraph(f"OP{i}", "operative", text, number=str(i)))
    paragraphs[-1].children = [
        Paragraph(f"OP{len(ops)}(a)", "subparagraph", "on water;", number="(a)"),
        Paragraph(f"OP{len(ops)}(b)", "subparagraph", "on sanitation.", number="(b)"),
    ]
    return Resolution(
        symbol=symbol, body="HRC", language=language, title="Water and sanitation",
        session="99", number="99/1", adopted=date(2030, 1, 2), vote=Vote("without_vote"), paragraphs=paragraphs,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    exe = shutil.which("chroma")
    if exe is None:
        pytest.fail("the `chroma` CLI (from the chromadb package) is not on PATH")
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("chroma run did not start within 30 s")
    yield port
    proc.terminate()
    proc.wait(timeout=10)


_counter = iter(range(10_000))


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.server)])
def store(request, tmp_path) -> ChromaStore:
    if request.param == "embedded":
        return ChromaStore.open(tmp_path / "data")
    port = request.getfixturevalue("chroma_server")
    # one collection per test on the shared server keeps the tests independent
    return ChromaStore.open(tmp_path, collection=f"test-{next(_counter)}", host="127.0.0.1", port=port)


def test_chunks_one_per_paragraph_with_subparagraphs_inside():
    chunks = chunks_of(_resolution())
    assert [c.paragraph for c in chunks] == ["PP1", "PP2", "OP1"]
    assert "(a) on water;" in chunks[-1].text and "(b) on sanitation." in chunks[-1].text
    assert chunks[-1].id == "A/HRC/RES/99/1#OP1@en"


def test_ingest_query_and_reingest_is_a_no_op(store):
    emb = HashEmbedder()
    ing = Ingestor(store, emb)
    report = IngestReport()
    ing.ingest_resolution(_resolution(), report)
    assert (report.added, report.unchanged, store.count()) == (3, 0, 3)

    hits = store.query(emb.embed_query("Secretary-General report water"), k=2)
    assert hits[0].chunk.paragraph == "OP1" and hits[0].chunk.document == "A/HRC/RES/99/1"
    assert 0.0 < hits[0].score <= 1.0

    again = IngestReport()
    ing.ingest_resolution(_resolution(), again)
    assert (again.added, again.updated, again.removed, again.unchanged, again.embedded) == (0, 0, 0, 3, 0)
    assert store.count() == 3


def test_changed_document_replaces_its_chunks_and_leaves_none_stale(store):
    ing = Ingestor(store, HashEmbedder())
    ing.ingest_resolution(_resolution(ops=("One.", "Two.", "Three.")), IngestReport())
    ing.ingest_resolution(_resolution(language="fr"), IngestReport())  # another language version
    assert store.count() == 5 + 3

    report = IngestReport()
    ing.ingest_resolution(_resolution(ops=("One.", "Two, amended.")), report)
    assert (report.updated, report.removed, report.unchanged) == (1, 1, 3)
    en = store.chunks({"language": "en"})
    assert [c.paragraph for c in en] == ["PP1", "PP2", "OP1", "OP2"]
    assert "amended" in en[-1].text
    assert len(store.chunks({"language": "fr"})) == 3  # the other language version untouched


def test_filters_by_metadata(store):
    ing = Ingestor(store, HashEmbedder())
    ing.ingest_resolution(_resolution(), IngestReport())
    ing.ingest_resolution(_resolution(symbol="A/HRC/RES/99/2"), IngestReport())
    emb = HashEmbedder()
    hits = store.query(emb.embed_query("water"), k=10, where={"document_key": "A/HRC/RES/99/2"})
    assert hits and {h.chunk.document for h in hits} == {"A/HRC/RES/99/2"}
    assert [r.document for r in store.document_records()] == ["A/HRC/RES/99/1", "A/HRC/RES/99/2"]


def test_nearest_gives_the_ids_and_scores_query_gives(store):
    """`nearest` is `query` without the texts (the retriever reads them from its tables)."""
    ing = Ingestor(store, HashEmbedder())
    ing.ingest_resolution(_resolution(), IngestReport())
    ing.ingest_resolution(_resolution(symbol="A/HRC/RES/99/2"), IngestReport())
    vec = HashEmbedder().embed_query("Secretary-General report water")
    for where in (None, {"document_key": "A/HRC/RES/99/2"}):
        full = store.query(vec, k=4, where=where)
        assert len(full) == (4 if where is None else 3)  # a document holds three chunks
        assert store.nearest(vec, k=4, where=where) == [(h.chunk.id, h.score) for h in full]


def test_model_record_refuses_another_embedder(store):
    Ingestor(store, HashEmbedder(256)).ingest_resolution(_resolution(), IngestReport())
    with pytest.raises(IndexMismatch, match="RESO_EMBEDDER=hash-256"):
        Ingestor(store, HashEmbedder(128))
    store.reset()
    Ingestor(store, HashEmbedder(128))  # a rebuild may switch models
    assert store.count() == 0


def test_upsert_vectors_shape_checked(store):
    chunks = chunks_of(_resolution())
    store.check_model("hash-4", 4)
    store.upsert(chunks, np.eye(3, 4, dtype=np.float32), "hash-4")
    assert store.count() == 3


def test_vectors_come_back_in_the_asked_order_across_pages_and_a_missing_one_is_named(store, monkeypatch):
    """The table build reads every vector through `vectors`, page by page into one float32 array:
    the rows must follow the ids asked, whichever order the store returns a page in."""
    import reso.index.store as store_module

    monkeypatch.setattr(store_module, "_VECTOR_PAGE", 2)  # three chunks: two pages, the second short
    chunks = chunks_of(_resolution())
    vectors = np.arange(12, dtype=np.float32).reshape(3, 4) + 1.0
    store.check_model("hash-4", 4)
    store.upsert(chunks, vectors, "hash-4")
    ids = [chunks[2].id, chunks[0].id, chunks[1].id]
    got = store.vectors(ids)
    assert got.dtype == np.float32 and got.shape == (3, 4)
    np.testing.assert_allclose(got, vectors[[2, 0, 1]])
    with pytest.raises(LookupError, match="1 of 4"):
        store.vectors(ids + ["A/HRC/RES/99/1#OP9@en"])
