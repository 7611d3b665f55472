"""The table cache: written on the first open, loaded on the next, built on the last state after an ingest.

Each test asks one thing of a real Chroma index (the seed, hash embedder): that a start on an
unchanged index reads no chunk from the store, that an ingest tokenises and fetches only what
it wrote, that a damaged cache is rebuilt without an error, and that results are the same
either way — including the dense search over the vectors in memory against Chroma's own.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from reso.assistant.models import Filters
from reso.assistant.retrieval import HybridRetriever, HybridWeights
from reso.index.embedders import HashEmbedder
from reso.index.lexical import LexicalIndex
from reso.index.tables import TableCache
from reso.index.library import Library
from reso.index.store import ChromaStore

QUESTIONS = [
    "Que demande le Conseil au Haut-Commissaire d'organiser ?",
    "Which funds are States invited to increase their contributions to?",
    "droit au développement",
    "paragraphe 4 de la résolution 30/25",
]


@pytest.fixture
def library(tmp_path: Path, seed_path: Path) -> Library:
    library = Library(ChromaStore.open(tmp_path / "index"), HashEmbedder())
    library.ingest([seed_path])
    return library


def open_retriever(library: Library, cache_dir: Path | None) -> HybridRetriever:
    return HybridRetriever(library, cache_dir=cache_dir)


def ranked(retriever: HybridRetriever, question: str, filters: Filters | None = None) -> list[tuple]:
    return [(r.chunk.id, r.chunk.text, round(r.score, 6), r.match) for r in retriever.retrieve(question, filters=filters)]


def cache_folders(cache_dir: Path) -> list[Path]:
    return [p for p in cache_dir.iterdir() if p.is_dir() and not p.name.startswith(".")]


def test_the_first_open_writes_the_cache_and_the_second_loads_it_without_reading_chunks(library, tmp_path, monkeypatch):
    cache_dir = tmp_path / "lexical"
    first = open_retriever(library, cache_dir)
    assert first.cache.loads == 0 and len(cache_folders(cache_dir)) == 1

    def no_reading(*args, **kwargs):
        raise AssertionError("the chunks were read from the store although the cache is current")

    monkeypatch.setattr(library.store, "chunks", no_reading)
    monkeypatch.setattr(library.store, "hashed_chunks", no_reading)
    monkeypatch.setattr(library.store, "vectors", no_reading)
    monkeypatch.setattr(LexicalIndex, "__init__", no_reading)
    second = open_retriever(library, cache_dir)
    assert second.cache.loads == 1
    assert len(second.chunks) == len(first.chunks) == library.store.count()
    assert isinstance(second.tables.vectors, np.memmap)  # mapped, not read into memory


def test_results_are_identical_with_and_without_the_cache(library, tmp_path):
    built = open_retriever(library, None)
    open_retriever(library, tmp_path / "lexical")  # writes
    loaded = open_retriever(library, tmp_path / "lexical")
    assert loaded.cache.loads == 1
    assert [c.id for c in loaded.chunks] == [c.id for c in built.chunks]
    assert loaded.lexical.df == built.lexical.df
    for q in QUESTIONS:
        assert ranked(loaded, q) == ranked(built, q)
    fr = Filters(languages=["fr"])
    assert ranked(loaded, QUESTIONS[0], fr) == ranked(built, QUESTIONS[0], fr)


def test_an_ingest_changes_the_fingerprint_and_the_next_open_rebuilds(library, tmp_path, fixtures_dir):
    cache_dir = tmp_path / "lexical"
    before = library.store.fingerprint()
    assert library.store.fingerprint() == before  # stable while nothing is written
    open_retriever(library, cache_dir)

    library.ingest([fixtures_dir / "text" / "A_HRC_RES_54_10-en.txt"])
    assert library.store.fingerprint() != before
    after = open_retriever(library, cache_dir)
    assert after.cache.loads == 0  # rebuilt, not loaded
    assert any(c.document == "A/HRC/RES/54/10" for c in after.chunks)
    assert len(cache_folders(cache_dir)) == 1  # the old state's folder is gone
    assert open_retriever(library, cache_dir).cache.loads == 1


def test_a_reingest_of_an_unchanged_file_keeps_the_cache(library, tmp_path, seed_path):
    cache_dir = tmp_path / "lexical"
    open_retriever(library, cache_dir)
    library.ingest([seed_path])  # nothing written: the chunks are the same
    assert open_retriever(library, cache_dir).cache.loads == 1


@pytest.mark.parametrize("damage", ["truncate", "flip", "delete", "garbage_manifest"])
def test_a_damaged_cache_is_rebuilt_without_error(library, tmp_path, damage):
    cache_dir = tmp_path / "lexical"
    reference = ranked(open_retriever(library, None), QUESTIONS[0])
    open_retriever(library, cache_dir)
    folder = cache_folders(cache_dir)[0]
    victim = folder / "lexical" / "paragraphs" / "data.csc.index.npy"
    if damage == "truncate":
        victim.write_bytes(victim.read_bytes()[:20])
    elif damage == "flip":
        data = bytearray(victim.read_bytes())
        data[-1] ^= 0xFF
        victim.write_bytes(bytes(data))
    elif damage == "delete":
        (folder / "chunks.json").unlink()
    else:
        (folder / "manifest.json").write_text("{not json")

    rebuilt = open_retriever(library, cache_dir)
    assert rebuilt.cache.loads == 0
    assert ranked(rebuilt, QUESTIONS[0]) == reference
    assert open_retriever(library, cache_dir).cache.loads == 1  # and the rebuilt cache is sound


def test_a_partial_write_left_behind_is_never_read(library, tmp_path):
    cache_dir = tmp_path / "lexical"
    open_retriever(library, cache_dir)
    folder = cache_folders(cache_dir)[0]
    partial = cache_dir / ".tmp-interrupted"
    folder.rename(partial)
    (partial / "manifest.json").unlink()  # as if the writer died before its last file
    assert open_retriever(library, cache_dir).cache.loads == 0


def test_an_unwritable_cache_folder_only_costs_the_rebuild(library, tmp_path):
    blocker = tmp_path / "lexical"
    blocker.write_text("a file where the folder should be")
    retriever = open_retriever(library, blocker)
    assert ranked(retriever, QUESTIONS[0]) == ranked(open_retriever(library, None), QUESTIONS[0])


def test_the_cache_key_follows_the_fingerprint(tmp_path):
    cache = TableCache(tmp_path)
    assert cache.key("a:1") == cache.key("a:1") != cache.key("b:1")


def test_a_search_during_a_refresh_sees_one_whole_state(library, fixtures_dir):
    """The tables are swapped by one assignment: a search holds the old ones or the new ones."""
    retriever = open_retriever(library, None)
    old = retriever.tables
    library.ingest([fixtures_dir / "text" / "A_HRC_RES_54_10-en.txt"])
    errors: list[BaseException] = []

    def search() -> None:
        try:
            for _ in range(20):
                for r in retriever.retrieve("droit au développement"):
                    assert r.chunk.id in {c.id for c in retriever.tables.chunks} | {c.id for c in old.chunks}
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=search)
    thread.start()
    retriever.refresh()
    thread.join()
    assert not errors
    assert retriever.tables is not old and len(retriever.chunks) > len(old.chunks)
    assert old.chunks is not retriever.chunks and len(old.row_of) == len(old.chunks)  # the old state untouched


def scores_of(retriever: HybridRetriever, question: str) -> np.ndarray:
    return retriever.lexical_scores(retriever.tables, question, "fr")


def test_an_ingest_tokenises_and_fetches_only_the_chunks_it_wrote(library, tmp_path, fixtures_dir):
    cache_dir = tmp_path / "lexical"
    before = open_retriever(library, cache_dir)
    assert before.cache.last_build.tokenised == len(before.chunks)  # the first build has no base

    report = library.ingest([fixtures_dir / "text" / "A_HRC_RES_54_10-en.txt"])
    assert report.embedded > 0
    reads: list = []
    read_chunks = library.store.hashed_chunks
    library.store.hashed_chunks = lambda where=None: reads.append(where) or read_chunks(where)
    before.refresh()
    del library.store.hashed_chunks
    # the records tell which version is new: its chunks alone are read from the store
    assert reads == [{"$and": [{"document_key": "A/HRC/RES/54/10"}, {"language": "en"}]}]
    stats = before.cache.last_build
    assert not stats.loaded and stats.chunks == len(before.chunks)
    assert stats.tokenised == stats.vectors_fetched == report.embedded  # the new document's chunks only

    fresh = open_retriever(library, None)  # built from every chunk, no cache
    assert [c.id for c in before.chunks] == [c.id for c in fresh.chunks]
    assert before.lexical.df == fresh.lexical.df
    np.testing.assert_allclose(before.tables.vectors, fresh.tables.vectors, atol=1e-6)
    for q in QUESTIONS + ["right to development report of the Secretary-General"]:
        np.testing.assert_allclose(scores_of(before, q), scores_of(fresh, q), rtol=1e-5)
        assert ranked(before, q) == ranked(fresh, q)


def test_a_base_state_pruned_by_another_process_meanwhile_is_tokenised_afresh(library, tmp_path, fixtures_dir,
                                                                               monkeypatch):
    """Another process's newer state may prune the folder a new server builds on between finding it and
    reading its tokens (seen under CI, a question during an ingest): the build tokenises instead."""
    import reso.index.tables as index_tables

    cache_dir = tmp_path / "lexical"
    open_retriever(library, cache_dir)  # the saved state the next process builds on
    library.ingest([fixtures_dir / "text" / "A_HRC_RES_54_10-en.txt"])

    def pruned(path):
        raise FileNotFoundError(path)

    monkeypatch.setattr(index_tables, "_token_rows", pruned)
    after = open_retriever(library, cache_dir)  # a new process: no live state, the saved one is its base
    assert after.cache.last_build.tokenised == len(after.chunks)
    fresh = open_retriever(library, None)
    assert ranked(after, QUESTIONS[0]) == ranked(fresh, QUESTIONS[0])


def test_a_reload_builds_on_the_state_it_answers_from_not_a_copy_read_back_from_disk(library, tmp_path, fixtures_dir,
                                                                                    monkeypatch):
    """A server's refresh after an ingest takes the unchanged chunks, tokens and vectors from its live
    state: no second chunk table is read beside it, the new state shares the unchanged chunks with
    the old one, and the result is what a server started afresh on that index searches."""
    import reso.index.tables as index_tables

    cache_dir = tmp_path / "lexical"
    live = open_retriever(library, cache_dir)
    old_chunks = {c.id: c for c in live.chunks}
    library.ingest([fixtures_dir / "text" / "A_HRC_RES_54_10-en.txt"])

    def no_disk_base(*args):
        raise AssertionError("the base state was read back from disk")

    with monkeypatch.context() as patched:
        patched.setattr(index_tables, "_read_chunks", no_disk_base)
        patched.setattr(index_tables, "_token_rows", no_disk_base)
        live.refresh()
    stats = live.cache.last_build
    assert not stats.loaded and 0 < stats.tokenised < len(live.chunks)
    assert stats.vectors_fetched == stats.tokenised  # only the new file's paragraphs were read from the store
    shared = [c for c in live.chunks if old_chunks.get(c.id) is c]
    assert len(shared) == len(live.chunks) - stats.tokenised
    assert live.tables.snapshot.folder is not None and live.tables.snapshot.folder.is_dir()
    fresh = open_retriever(library, None)
    assert [c.id for c in live.chunks] == [c.id for c in fresh.chunks]
    np.testing.assert_allclose(live.tables.vectors, fresh.tables.vectors, atol=1e-6)
    for i, chunk in enumerate(live.chunks):
        assert live.tables.tokens.row(i, chunk) == fresh.tables.tokens.row(i, chunk)
    for q in QUESTIONS + ["right to development report of the Secretary-General"]:
        np.testing.assert_allclose(scores_of(live, q), scores_of(fresh, q), rtol=1e-5)
        assert ranked(live, q) == ranked(fresh, q)


def test_a_changed_paragraph_is_tokenised_again_and_a_new_tokeniser_starts_afresh(library, tmp_path, seed_path, monkeypatch):
    cache_dir = tmp_path / "lexical"
    retriever = open_retriever(library, cache_dir)
    edited = tmp_path / "A_HRC_RES_30_25-fr.txt"
    text = seed_path.read_text(encoding="utf-8")
    assert "Haut-Commissariat" in text
    edited.write_text(text.replace("Haut-Commissariat", "Haut Commissariat des Nations Unies", 1), encoding="utf-8")
    report = library.ingest([edited])
    assert report.updated == 1 and report.embedded == 1
    retriever.refresh()
    assert retriever.cache.last_build.tokenised == retriever.cache.last_build.vectors_fetched == 1

    import reso.index.tables as index_tables

    library.ingest([seed_path])  # back to the original text: another state
    monkeypatch.setattr(index_tables, "_code_version", lambda: "another tokeniser")
    retriever.refresh()
    assert retriever.cache.last_build.tokenised == len(retriever.chunks)  # tokens are never carried across versions
    assert retriever.cache.last_build.vectors_fetched == 1  # vectors do not depend on the code


@pytest.mark.parametrize("filters", [None, Filters(languages=["fr"]), Filters(documents=["A/HRC/RES/30/25"])])
def test_the_exact_dense_search_in_memory_finds_what_chroma_finds(library, filters):
    exact = HybridRetriever(library, mode="dense")
    chroma = HybridRetriever(library, mode="dense", weights=HybridWeights(exact_rows=0, exact_filtered_rows=0))  # never in memory
    assert exact.tables.vectors is not None
    for q in QUESTIONS:
        a = [(r.chunk.id, r.dense) for r in exact.retrieve(q, k=20, filters=filters)]
        b = [(r.chunk.id, r.dense) for r in chroma.retrieve(q, k=20, filters=filters)]
        assert [i for i, _ in a] == [i for i, _ in b]
        np.testing.assert_allclose([s for _, s in a], [s for _, s in b], atol=1e-5)


def test_a_broad_filter_widens_the_unfiltered_search_before_asking_chroma_to_filter(library, fixtures_dir, monkeypatch):
    """Chroma's filtered search took ~330 ms at 120k chunks where an unfiltered one takes 1–15 ms: a
    filter keeping a large share of the index masks the unfiltered neighbours, widening the search
    (×8, ×32) when they are mostly outside it, and finds what the filtered search finds."""
    library.ingest([fixtures_dir / "text" / "A_HRC_RES_54_10-en.txt"])  # French questions, an English filter
    widened = HybridRetriever(library, weights=HybridWeights(post_filter_share=0.0))
    filtered = HybridRetriever(library, weights=HybridWeights(post_filter_share=1.01))
    store, calls = library.store, []
    nearest = store.nearest
    monkeypatch.setattr(store, "nearest", lambda vec, k, where=None: calls.append((k, where)) or nearest(vec, k, where))
    t = widened.tables
    english = Filters(languages=["en"])
    mask, where, n, widenings = widened._mask(t, english, []), {"language": "en"}, 4, 0
    for q in QUESTIONS:
        vec = library.embedder.embed_query(q)
        calls.clear()
        a = [i for i, _ in widened._dense_hits(t, vec, n, mask, where)]
        assert calls and all(w is None for _, w in calls)
        assert [k for k, _ in calls] == sorted(k for k, _ in calls)  # each try wider than the last
        widenings += len(calls) - 1
        b = [i for i, _ in filtered._dense_hits(t, vec, n, mask, where)]
        assert calls[-1][1] == where  # the other asked Chroma to filter
        assert len(a) >= n // 2 and a[: n // 2] == b[: n // 2]
    assert widenings  # the French questions' neighbours are French: the search had to widen


def test_an_ingest_by_another_process_is_searched_even_when_its_vectors_cannot_be_read_here(library, tmp_path, fixtures_dir):
    """Embedded Chroma lists another process's new chunks but cannot hand out their vectors in this
    one (its vector segment is loaded once): the refresh must still publish them, searching dense
    through the store meanwhile, and must not save such tables for the next start."""
    import subprocess
    import sys

    cache_dir = tmp_path / "lexical"
    retriever = open_retriever(library, cache_dir)
    script = (
        "import sys; from pathlib import Path; from index.library import Library; from index.store import ChromaStore;"
        "from index.embedders import HashEmbedder;"
        "print(Library(ChromaStore.open(Path(sys.argv[1])), HashEmbedder()).ingest([Path(sys.argv[2])]).embedded)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(library.store.data_dir), str(fixtures_dir / "text" / "A_HRC_RES_54_10-en.txt")],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent.parent,
    )
    assert int(done.stdout.split()[-1]) > 0
    assert retriever.changed()
    retriever.refresh()
    assert any(c.document == "A/HRC/RES/54/10" for c in retriever.chunks)
    found = retriever.retrieve("right to development report of the Secretary-General", k=5)
    assert any(r.chunk.document == "A/HRC/RES/54/10" for r in found)
    if retriever.tables.vectors is None:  # the embedded case: nothing saved under the new state
        assert retriever.cache.last_build.vectors_fetched == -1
        assert TableCache(cache_dir).load(library.store.fingerprint()) is None
    else:  # a Chroma that does hand them out: a complete state, saved
        assert TableCache(cache_dir).load(library.store.fingerprint()) is not None


def test_an_index_from_before_generations_gets_one_on_its_first_fingerprint(library):
    """Else every change check of such an index scans all chunk metadata (seconds at 100k)."""
    store = library.store
    meta = dict(store._chunks.metadata or {})
    meta.pop("generation", None)
    store._chunks.modify(metadata={**meta, "generation": ""})  # as an index written before generations
    assert store._generation() == ""
    first = store.fingerprint()
    assert store._generation() and not first.startswith("digest-")
    assert store.fingerprint() == first  # stable from then on, one metadata read each


def test_an_ingest_leaves_the_tables_of_its_state_for_the_server_to_load(library, fixtures_dir, seed_path, monkeypatch):
    """`reso ingest` builds them under its lock, so `reso serve` (or a running server's refresh) loads them."""
    from reso.index.tables import tables_dir

    steps: list[str] = []
    library.ingest([fixtures_dir / "text" / "A_HRC_RES_54_10-en.txt"], on_step=steps.append)
    assert steps == ["updating the search tables…"]
    monkeypatch.setattr(library.store, "hashed_chunks", lambda *a, **k: pytest.fail("chunks read: the tables were not left"))
    server = open_retriever(library, tables_dir(library.store.data_dir))
    assert server.cache.loads == 1 and any(c.document == "A/HRC/RES/54/10" for c in server.chunks)
    steps.clear()
    library.ingest([seed_path], on_step=steps.append)  # nothing changed: nothing to update
    assert steps == []


@pytest.mark.parametrize("runs", ["documents", "scattered", "one row", "none"])
def test_the_product_over_a_filters_rows_equals_the_gathered_one(runs):
    """`scoped_product` reads runs of rows in place and gathers scattered ones: either way the
    similarities are those of `vectors[scope] @ q`, in `scope`'s order."""
    from reso.assistant.retrieval import scoped_product

    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((5_000, 16)).astype(np.float32)
    q = rng.standard_normal(16).astype(np.float32)
    if runs == "documents":  # a few documents' adjacent rows, runs of 10 to 200
        scope = np.concatenate([np.arange(a, a + rng.integers(10, 200)) for a in range(0, 4_700, 600)])
    elif runs == "scattered":
        scope = np.sort(rng.choice(5_000, 300, replace=False))
    elif runs == "one row":
        scope = np.array([4_999])
    else:
        scope = np.array([], dtype=np.int64)
    got = scoped_product(vectors, scope, q)
    assert got.shape == (len(scope),)
    np.testing.assert_allclose(got, vectors[scope] @ q, rtol=1e-5, atol=1e-5)


def test_a_narrow_filter_above_the_exact_rows_is_searched_in_memory_not_by_chromas_filtered_search(library, monkeypatch):
    """At 1M rows a filter to 5 % of the documents (50k rows) went to Chroma's filtered HNSW
    search, 374 ms a question against 3 ms for the product over those rows (measured): a filter
    too narrow for the widened search is searched in memory up to `exact_filtered_rows`."""
    store, calls = library.store, []
    nearest = store.nearest
    monkeypatch.setattr(store, "nearest", lambda vec, k, where=None: calls.append(where) or nearest(vec, k, where))
    one_document = Filters(documents=["A/HRC/RES/30/25"])
    # the seed index holds a few documents: one of them is "narrow" only below a share of 1.01
    in_memory = HybridRetriever(library, mode="dense", weights=HybridWeights(exact_rows=0, post_filter_share=1.01))
    by_chroma = HybridRetriever(library, mode="dense",
                                weights=HybridWeights(exact_rows=0, exact_filtered_rows=0, post_filter_share=1.01))
    for q in QUESTIONS:
        calls.clear()
        a = [r.chunk.id for r in in_memory.retrieve(q, k=10, filters=one_document)]
        assert calls == []
        b = [r.chunk.id for r in by_chroma.retrieve(q, k=10, filters=one_document)]
        assert calls and calls[-1] is not None  # Chroma's `where`
        assert a == b


def test_a_state_built_here_searches_the_vectors_it_saved_mapped_not_a_private_copy(library, tmp_path, fixtures_dir):
    """A server that built its tables (at start, or on the reload after an ingest) held the built
    array as its own memory (1.5 GB at 1M rows) where one that loaded them maps the saved file:
    once saved, the built state maps it too, with the same values."""
    from reso.index.tables import unit_rows

    cache_dir = tmp_path / "lexical"
    retriever = open_retriever(library, cache_dir)
    for step in ("cold", "after an ingest"):
        assert not retriever.cache.last_build.loaded, step
        vectors = retriever.tables.vectors
        assert isinstance(vectors, np.memmap), step
        (saved,) = [folder / "vectors.npy" for folder in cache_folders(cache_dir)]
        assert Path(vectors.filename).resolve() == saved.resolve(), step
        built = unit_rows(library.store.vectors([c.id for c in retriever.chunks]))
        np.testing.assert_allclose(vectors, built, atol=1e-6)
        library.ingest([fixtures_dir / "text" / "A_HRC_RES_54_10-en.txt"])
        retriever.refresh()
    assert len(retriever.tables.vectors) == len(retriever.chunks)


def test_a_large_index_s_reload_is_built_by_a_child_process_and_searches_as_if_built_here(library, tmp_path,
                                                                                          fixtures_dir, monkeypatch):
    """Above `ChildBuild.above` paragraphs, the tables a reload lacks (its writer left none here: another
    machine on the same Chroma server) are built and saved by a child interpreter, and the server
    only loads them: its memory never holds the build beside the state it answers from. Checked
    with the build forbidden in this process; a start still builds here."""
    from reso.index.tables import ChildBuild

    def no_build(*args, **kwargs):
        raise AssertionError("the tables were built in this process")

    server = HybridRetriever(library, cache_dir=tmp_path / "server-tables", child_build=ChildBuild(above=1))
    assert server.cache.loads == 0 and server.cache.last_build.tokenised == len(server.chunks)  # built here
    library.ingest([fixtures_dir / "text" / "A_HRC_RES_54_10-en.txt"])  # leaves its tables in its own folder only
    assert server.changed()
    with monkeypatch.context() as patched:
        patched.setattr(LexicalIndex, "__init__", no_build)
        server.refresh()
    assert server.cache.loads == 1 and server.cache.last_build.loaded
    assert any(c.document == "A/HRC/RES/54/10" for c in server.chunks)
    built_here = open_retriever(library, None)
    assert [c.id for c in server.chunks] == [c.id for c in built_here.chunks]
    np.testing.assert_allclose(server.tables.vectors, built_here.tables.vectors, atol=1e-6)
    for q in QUESTIONS + ["right to development report of the Secretary-General"]:
        np.testing.assert_allclose(scores_of(server, q), scores_of(built_here, q), rtol=1e-5)
        assert ranked(server, q) == ranked(built_here, q)


def test_a_child_process_that_fails_leaves_the_build_to_this_process(library, tmp_path, fixtures_dir, caplog):
    """The child is an optimisation: when it cannot build (here its store address leads nowhere), the
    tables are built here, as without it, and the log says why."""
    import dataclasses

    from reso.index.tables import ChildBuild

    server = HybridRetriever(library, cache_dir=tmp_path / "server-tables", child_build=ChildBuild(above=1))
    library.ingest([fixtures_dir / "text" / "A_HRC_RES_54_10-en.txt"])
    library.store.location = dataclasses.replace(library.store.location, host="127.0.0.1", port=9)
    with caplog.at_level("WARNING", logger="reso.index.tables"):
        server.refresh()
    assert "the child process building the search tables failed" in caplog.text
    assert "Chroma server at 127.0.0.1:9" in caplog.text  # the child's own reason, its last line
    assert server.cache.loads == 0 and not server.cache.last_build.loaded
    built_here = open_retriever(library, None)
    for q in QUESTIONS:
        assert ranked(server, q) == ranked(built_here, q)


def test_a_small_index_or_a_store_no_other_process_can_open_is_reloaded_here(library, tmp_path, fixtures_dir,
                                                                              monkeypatch):
    """No child below the size where its start costs more than the build saves, nor for a store
    handed a client (an in-memory one) that another process could not reopen."""
    import subprocess

    from reso.index.tables import ChildBuild

    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail("a child process was started"))
    small = HybridRetriever(library, cache_dir=tmp_path / "a", child_build=ChildBuild(above=10**6))
    unreachable = HybridRetriever(library, cache_dir=tmp_path / "b", child_build=ChildBuild(above=1))
    library.ingest([fixtures_dir / "text" / "A_HRC_RES_54_10-en.txt"])
    small.refresh()
    monkeypatch.setattr(library.store, "location", None)
    unreachable.refresh()
    for retriever in (small, unreachable):
        assert retriever.cache.loads == 0 and len(retriever.chunks) == library.store.count()


def test_the_documents_means_are_saved_with_the_tables_and_are_the_means_of_their_rows(library, tmp_path, fixtures_dir):
    """The texts a question's language lacks are searched in the documents whose mean vector is
    nearest: the means are made where the vectors are built, saved beside them, and are exactly
    each document's rows averaged (every language version), so the pool's search reads 3 MB
    once instead of averaging 57 MB of rows at each language's first question."""
    library.ingest([fixtures_dir / "akn" / "S_RES_2699-2318982E.xml", fixtures_dir / "akn" / "S_RES_2699-2318982F.xml"])
    cache_dir = tmp_path / "tables"
    built = open_retriever(library, cache_dir).tables
    loaded = open_retriever(library, cache_dir)
    assert loaded.cache.loads == 1
    means = loaded.tables.snapshot.means
    assert means is not None and means.names == sorted(set(loaded.tables.doc_keys.tolist())) == built.snapshot.means.names
    vectors = np.asarray(loaded.tables.vectors)
    for i, name in enumerate(means.names):
        mean = vectors[loaded.tables.doc_keys == name].sum(axis=0)
        assert np.allclose(means.means[i], mean / np.linalg.norm(mean), atol=1e-6)
    assert len(means.names) == 2  # the seed, and S/RES/2699 in two languages: one document


def test_a_pool_s_documents_means_come_from_the_saved_ones_and_equal_those_averaged_here(library, tmp_path, fixtures_dir):
    library.ingest([fixtures_dir / "akn" / "S_RES_2699-2318982E.xml"])
    retriever = open_retriever(library, tmp_path / "tables")
    t = retriever.tables
    rows = np.flatnonzero(retriever._lacks(t, "fr"))  # S/RES/2699 has no French version here
    assert set(t.doc_keys[rows].tolist()) == {"S/RES/2699(2023)"}
    doc_of, saved = retriever._document_means(t, "lacks:fr", rows)
    t.pools.clear()
    object.__setattr__(t.snapshot, "means", None)  # tables saved before the means existed
    doc_of_here, here = retriever._document_means(t, "lacks:fr", rows)
    assert np.array_equal(doc_of, doc_of_here) and np.allclose(saved, here, atol=1e-6)
