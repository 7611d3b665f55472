"""`reso bench`: the performance figures, measured on a fresh index in a temporary folder.

First version (issue 2): ingest paragraphs/s, a no-op re-ingest, index size on disk, and
dense query latency over the ingested corpus. The user's own index is never touched.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from assistant.settings import Settings
from index.embedders import make_embedder
from index.library import DEFAULT_CORPUS, Library
from index.store import ChromaStore


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    idx = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[idx]


def default_bench_corpus() -> Path:
    shared = Path.cwd().parent / "shared" / "corpus"
    return shared if shared.is_dir() else DEFAULT_CORPUS


def run(settings: Settings, corpus: Path, queries: int = 50, progress=None) -> dict:
    with tempfile.TemporaryDirectory(prefix="reso-bench-") as tmp:
        t0 = time.perf_counter()
        embedder = make_embedder(settings.embedder)
        load_s = time.perf_counter() - t0
        library = Library(ChromaStore.open(Path(tmp)), embedder, settings.embed_batch_size)

        t0 = time.perf_counter()
        report = library.ingest([corpus], progress=progress)
        ingest_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        again = library.ingest([corpus])
        reingest_s = time.perf_counter() - t0

        chunks = library.store.chunks()
        rng = random.Random(13)
        sample = rng.sample(chunks, min(queries, len(chunks)))
        questions = [" ".join(c.text.split()[:12]) for c in sample]
        embed_ms, query_ms = [], []
        for q in questions:
            t0 = time.perf_counter()
            vec = embedder.embed_query(q)
            t1 = time.perf_counter()
            library.store.query(vec, k=20)
            t2 = time.perf_counter()
            embed_ms.append((t1 - t0) * 1000)
            query_ms.append((t2 - t0) * 1000)

        return {
            "embedder": embedder.name,
            "corpus": str(corpus),
            "cpu_count": os.cpu_count(),
            "model_load_s": round(load_s, 2),
            "files": report.files,
            "documents": len(report.documents),
            "paragraphs": report.paragraphs,
            "ingest_s": round(ingest_s, 2),
            "ingest_paragraphs_per_s": round(report.paragraphs / ingest_s, 1) if ingest_s else 0.0,
            "reingest_s": round(reingest_s, 2),
            "reingest_embedded": again.embedded,
            "index_bytes": dir_size(Path(tmp)),
            "query_embed_ms_p50": round(statistics.median(embed_ms), 2) if embed_ms else 0.0,
            "dense_query_ms_p50": round(percentile(query_ms, 50), 2),
            "dense_query_ms_p95": round(percentile(query_ms, 95), 2),
            "skipped": len(report.skipped),
        }


LABELS = {
    "embedder": "embedder",
    "corpus": "corpus",
    "files": "files read",
    "documents": "documents",
    "paragraphs": "paragraphs (chunks)",
    "model_load_s": "model load (s)",
    "ingest_s": "ingest (s)",
    "ingest_paragraphs_per_s": "ingest paragraphs/s",
    "reingest_s": "unchanged re-ingest (s)",
    "reingest_embedded": "re-ingest embedded",
    "index_bytes": "index size (bytes)",
    "query_embed_ms_p50": "query embedding p50 (ms)",
    "dense_query_ms_p50": "dense retrieval p50 (ms)",
    "dense_query_ms_p95": "dense retrieval p95 (ms)",
}
