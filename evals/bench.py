"""`reso bench`: the performance figures, measured on fresh indexes in temporary folders.

Issue 5: the figures that decide whether reso holds at 10k and 100k paragraphs — ingest rate,
index size, retrieval and answer latency with and without filters, the server's peak memory and
start-up time, and API throughput under concurrent clients — measured on synthetic corpora
(`evals/synthetic.py`), since no real corpus is that big. The first version's figures on real
files (`run`, `--corpus PATH`) stay as a section of the same report. The user's own index is
never touched, and every load loop is bounded in count and in time.
"""

from __future__ import annotations

import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from assistant.models import Filters
from assistant.settings import Settings
from index.embedders import make_embedder
from index.errors import ResoError
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
        embedder = make_embedder(settings.embedder, settings.model_cache)
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


# -- issue 5: synthetic corpora at scale ----------------------------------------------------------

DEFAULT_SIZES = (10_000, 100_000)
QUICK_SIZES = (2_000,)
CONCURRENCY = (1, 4, 16)
SERVE_START_TIMEOUT_S = 900.0  # a 100k index with a real model takes minutes to open
FILTER_LABELS = {"none": "no filter", "body_sc": "body SC", "documents_5pct": "5% of documents"}


@dataclass(frozen=True)
class BenchPlan:
    """How much to measure: the quick plan must finish in well under a minute with `hash`."""

    sizes: tuple[int, ...] = DEFAULT_SIZES
    embedder: str = "minilm"
    questions: int = 50
    seed: int = 5
    requests_per_client: int = 20
    load_seconds: float = 30.0  # per concurrency level, after which clients stop sending
    serve: bool = True

    @classmethod
    def make(cls, settings: Settings, quick: bool, sizes: tuple[int, ...] | None, embedder: str | None) -> BenchPlan:
        if quick:
            return cls(sizes or QUICK_SIZES, embedder or settings.embedder, 20, requests_per_client=5, load_seconds=5.0)
        return cls(sizes or DEFAULT_SIZES, embedder or settings.embedder)


def run_all(settings: Settings, plan: BenchPlan, corpus: Path | None = None, log=None) -> dict:
    """Every figure of issue 5, one entry per size, plus the real-corpus section when asked."""
    say = log or (lambda _msg: None)
    report: dict = {
        "embedder": plan.embedder,
        "seed": plan.seed,
        "questions": plan.questions,
        "concurrency": list(CONCURRENCY),
        "cpu_count": os.cpu_count(),
        "sizes": {},
    }
    for size in plan.sizes:
        say(f"bench: synthetic corpus of {size} paragraphs")
        report["sizes"][str(size)] = run_size(settings, plan, size, say)
    if corpus is not None:
        say(f"bench: real files under {corpus}")
        report["corpus"] = run(settings.model_copy(update={"embedder": plan.embedder}), corpus)
    return report


def run_size(settings: Settings, plan: BenchPlan, size: int, say) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"reso-bench-{size}-") as tmp:
        data_dir = Path(tmp)
        local = settings.model_copy(
            update={"data_dir": data_dir, "embedder": plan.embedder, "generator": "extractive", "chroma_host": None}
        )
        figures = ingest_synthetic(local, size, plan.seed)
        figures["index_bytes"] = dir_size(data_dir)
        say(f"bench: {size}: ingested at {figures['ingest_paragraphs_per_s']} paragraphs/s; timing answers")
        figures.update(answer_latency(local, plan))
        if plan.serve:
            say(f"bench: {size}: serving the index")
            figures["serve"] = serve_figures(local, plan, sample_questions(local, plan))
        return figures


def ingest_synthetic(settings: Settings, size: int, seed: int) -> dict:
    """Generation is timed apart, so paragraphs/s is the index's rate, not the generator's."""
    from evals import synthetic
    from index.ingest import Ingestor, IngestReport

    t0 = time.perf_counter()
    resolutions = list(synthetic.generate(size, seed))
    generate_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    embedder = make_embedder(settings.embedder, settings.model_cache)
    load_s = time.perf_counter() - t0
    store = ChromaStore.open(settings.data_dir, settings.collection)
    ingestor = Ingestor(store, embedder, settings.embed_batch_size)
    report = IngestReport()
    t0 = time.perf_counter()
    for resolution in resolutions:
        ingestor.ingest_resolution(resolution, report)
    ingest_s = time.perf_counter() - t0
    return {
        "paragraphs": report.paragraphs,
        "documents": len(report.documents),
        "language_versions": report.versions,
        "generate_s": round(generate_s, 2),
        "model_load_s": round(load_s, 2),
        "ingest_s": round(ingest_s, 2),
        "ingest_paragraphs_per_s": round(report.paragraphs / ingest_s, 1) if ingest_s else 0.0,
    }


def _open_library(settings: Settings) -> Library:
    return Library(ChromaStore.open(settings.data_dir, settings.collection), make_embedder(settings.embedder, settings.model_cache),
                   settings.embed_batch_size)


def make_questions(chunks: list, n: int, seed: int) -> list[tuple[str, str]]:
    """(question, language): four content words of a random paragraph, as a user half-remembers it."""
    rng = random.Random(seed)
    out = []
    for chunk in rng.sample(chunks, min(n, len(chunks))):
        words = [w.strip(",;:.") for w in chunk.text.split()[1:] if len(w.strip(",;:.")) >= 5]
        picked = rng.sample(words, min(4, len(words))) if words else chunk.text.split()[:4]
        out.append((" ".join(picked), chunk.language))
    return out


def sample_questions(settings: Settings, plan: BenchPlan) -> list[str]:
    chunks = ChromaStore.open(settings.data_dir, settings.collection).chunks()
    return [q for q, _ in make_questions(chunks, plan.questions, plan.seed)]


def make_filters(chunks: list, seed: int) -> dict[str, Filters]:
    """No filter, a metadata filter (body SC), and a document filter keeping ~5% of the documents."""
    docs = sorted({c.document for c in chunks})
    k = max(1, round(len(docs) * 0.05))
    return {
        "none": Filters(),
        "body_sc": Filters(bodies=("SC",)),
        "documents_5pct": Filters(documents=tuple(random.Random(seed).sample(docs, k))),
    }


def answer_latency(settings: Settings, plan: BenchPlan) -> dict:
    """Retrieval alone and the whole extractive answer, in process, per filter."""
    from assistant.factory import build_assistant

    t0 = time.perf_counter()
    assistant = build_assistant(settings, _open_library(settings))
    build_s = time.perf_counter() - t0
    chunks = assistant.retriever.chunks
    questions = make_questions(chunks, plan.questions, plan.seed)
    latency: dict[str, dict] = {}
    refused = 0
    for name, filters in make_filters(chunks, plan.seed).items():
        retrieval_ms, answer_ms = [], []
        for question, _language in questions:
            t0 = time.perf_counter()
            assistant.retriever.retrieve(question, k=settings.top_k, filters=filters)
            t1 = time.perf_counter()
            answer = assistant.answer(question, filters=filters)
            t2 = time.perf_counter()
            retrieval_ms.append((t1 - t0) * 1000)
            answer_ms.append((t2 - t1) * 1000)
            refused += answer.refused and name == "none"
        latency[name] = {**_p50_p95("retrieval", retrieval_ms), **_p50_p95("answer", answer_ms)}
    return {"assistant_build_s": round(build_s, 2), "latency_ms": latency,
            "refused_unfiltered": refused}


def _p50_p95(prefix: str, values: list[float]) -> dict[str, float]:
    return {f"{prefix}_p50": round(percentile(values, 50), 2), f"{prefix}_p95": round(percentile(values, 95), 2)}


# -- the server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the resident high-water mark the kernel kept for the process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def serve_figures(settings: Settings, plan: BenchPlan, questions: list[str]) -> dict:
    """Start `reso serve` on the index, time its first answer, load it, read its peak memory."""
    import httpx

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESO_")}
    env.update(RESO_DATA_DIR=str(settings.data_dir), RESO_EMBEDDER=settings.embedder, RESO_GENERATOR="extractive",
               RESO_COLLECTION=settings.collection, RESO_RETRIEVER=settings.retriever, RESO_TOP_K=str(settings.top_k))
    log_path = settings.data_dir / "serve.log"
    with open(log_path, "wb") as log:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "ui.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                                env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            with httpx.Client(base_url=url, timeout=SERVE_START_TIMEOUT_S) as client:
                health_s = _wait_healthy(client, proc, t0, log_path)
                first_s = _first_answer(client, questions[0], t0)
                for q in questions[1:6]:
                    client.post("/api/ask", json={"question": q})
            warm_mb = peak_rss_mb(proc.pid)
            api = {str(c): load(url, questions, c, plan.requests_per_client, plan.load_seconds) for c in CONCURRENCY}
            return {"health_s": round(health_s, 2), "first_answer_s": round(first_s, 2),
                    "peak_rss_mb_warm": warm_mb, "peak_rss_mb": peak_rss_mb(proc.pid), "api": api}
        finally:
            stop_process(proc)


def _wait_healthy(client, proc: subprocess.Popen, t0: float, log_path: Path) -> float:
    import httpx

    while time.perf_counter() - t0 < SERVE_START_TIMEOUT_S:
        if proc.poll() is not None:
            raise ResoError(f"reso serve exited ({proc.returncode}): {log_path.read_text()[-2000:]}")
        try:
            if client.get("/api/health").status_code == 200:
                return time.perf_counter() - t0
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise ResoError(f"reso serve was not healthy within {SERVE_START_TIMEOUT_S:.0f} s")


def _first_answer(client, question: str, t0: float) -> float:
    """Seconds from the server's start to its first answer: what a restarted server costs users."""
    response = client.post("/api/ask", json={"question": question})
    if response.status_code != 200:
        raise ResoError(f"reso serve answered {response.status_code}: {response.text[:500]}")
    return time.perf_counter() - t0


def stop_process(proc: subprocess.Popen) -> None:
    """Terminate, then kill after 15 s: a benchmark or test never leaves a server behind."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)


def load(url: str, questions: list[str], clients: int, per_client: int, seconds: float) -> dict:
    """`clients` threads, each sending at most `per_client` questions and none after `seconds`."""
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.perf_counter() + seconds

    def client_loop(offset: int) -> None:
        import httpx

        with httpx.Client(base_url=url, timeout=120.0) as client:
            for i in range(per_client):
                if time.perf_counter() > deadline:
                    return
                question = questions[(offset * per_client + i) % len(questions)]
                t0 = time.perf_counter()
                try:
                    response = client.post("/api/ask", json={"question": question})
                    ok = response.status_code == 200
                except Exception as exc:  # counted, not raised: a load test reports its failures
                    ok, response = False, exc
                if ok:
                    latencies.append((time.perf_counter() - t0) * 1000)
                else:
                    errors.append(str(getattr(response, "status_code", response)))

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client_loop, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 180)
    wall = time.perf_counter() - t0
    return {
        "requests": len(latencies) + len(errors),
        "errors": len(errors),
        "answers_per_s": round(len(latencies) / wall, 2) if wall else 0.0,
        **_p50_p95("latency_ms", latencies),
    }


# -- the report -----------------------------------------------------------------------------------


def rows(figures: dict) -> list[tuple[str, object]]:
    """One size's figures as (label, value), in reading order."""
    out: list[tuple[str, object]] = [
        ("paragraphs (chunks)", figures["paragraphs"]),
        ("documents", figures["documents"]),
        ("ingest (s)", figures["ingest_s"]),
        ("ingest paragraphs/s", figures["ingest_paragraphs_per_s"]),
        ("index size (MB)", round(figures["index_bytes"] / 1e6, 1)),
        ("assistant build (s)", figures["assistant_build_s"]),
        ("questions refused (no filter)", figures["refused_unfiltered"]),
    ]
    for name, lat in figures["latency_ms"].items():
        for key, value in lat.items():
            what, p = key.split("_")
            out.append((f"{what} {p} ms ({FILTER_LABELS[name]})", value))
    serve = figures.get("serve")
    if serve:
        out += [
            ("serve: healthy after (s)", serve["health_s"]),
            ("serve: first answer after (s)", serve["first_answer_s"]),
            ("serve: peak RSS warm (MB)", serve["peak_rss_mb_warm"]),
            ("serve: peak RSS after load (MB)", serve["peak_rss_mb"]),
        ]
        for c, api in serve["api"].items():
            out += [
                (f"API {c} client(s): answers/s", api["answers_per_s"]),
                (f"API {c} client(s): p50 / p95 ms", f"{api['latency_ms_p50']} / {api['latency_ms_p95']}"),
                (f"API {c} client(s): requests / errors", f"{api['requests']} / {api['errors']}"),
            ]
    return out


def table(report: dict) -> str:
    """One row per figure, one column per size; the real-corpus section below."""
    sizes = list(report["sizes"])
    columns = [rows(report["sizes"][s]) for s in sizes]
    lines = [f"embedder {report['embedder']}, seed {report['seed']}, {report['questions']} questions, "
             f"{report['cpu_count']} CPUs"]
    if sizes:
        width = max(len(label) for label, _ in columns[0]) + 2
        lines.append("synthetic paragraphs".ljust(width) + "".join(f"{s:>20}" for s in sizes))
        for i, (label, _) in enumerate(columns[0]):
            lines.append(label.ljust(width) + "".join(f"{str(col[i][1]):>20}" for col in columns))
    if "corpus" in report:
        lines += ["", "real files (first version)"]
        lines += [f"{label:<28} {report['corpus'][key]}" for key, label in LABELS.items()]
    return "\n".join(lines)
