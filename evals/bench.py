"""`reso bench`: the performance figures, measured on fresh indexes in temporary folders.

Issue 5: the figures that decide whether reso holds at 10k and 100k paragraphs — ingest rate,
index size, retrieval and answer latency with and without filters, the server's peak memory and
start-up time, and API throughput under concurrent clients — measured on synthetic corpora
(`evals/synthetic.py`), since no real corpus is that big. The first version's figures on real
files (`run`, `--corpus PATH`) stay as a section of the same report. The user's own index is
never touched, and every load loop is bounded in count and in time.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from reso.assistant.models import Filters
from reso.settings import Settings
from reso.index.embedders import make_embedder
from reso.errors import ResoError
from reso.index.library import DEFAULT_CORPUS, Library
from reso.index.store import ChromaStore


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


def run(settings: Settings, corpus: Path, queries: int = 50, progress=None, plan: BenchPlan | None = None,
        say=None) -> dict:
    """The first version's figures on real files; with a `plan`, the server's figures on them too."""
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

        served = {}
        if plan is not None:
            (say or (lambda _m: None))("bench: serving the real-corpus index")
            local = settings.model_copy(update={"data_dir": Path(tmp), "generator": "extractive", "chroma_host": None})
            served = {"serve": serve_figures(local, plan, *load_questions(chunks, plan))}
        return served | {
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
QUICK_SIZES = (1_000,)  # 2,000 took 40 s with MiniLM on a quiet machine, 72 s on a busy one: ingest is 2/3 of it
QUICK_BUDGET_S = 60.0  # issue 15: `reso bench --quick` stays under a minute on the 2-core machine
CONCURRENCY = (1, 4, 16)
SERVE_START_TIMEOUT_S = 3600.0  # a 100k index with a real model takes minutes to open, 1M over HTTP longer
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
    workers: int = 1  # above 1: `reso serve --workers N` over a `chroma run` server holding the index
    server: bool = False  # the index lives on a `chroma run` server from the start: ingest and serving over HTTP
    ingest_workers: int = 1  # with `server`: this many ingest processes, each writing its share of the documents
    repeated_questions: int = 20  # the set the "repeated" load cycles through (a helpdesk's frequent questions)
    keep: Path | None = None  # keep each size's index here and reuse it next time (its ingest figures with it)

    @classmethod
    def make(cls, settings: Settings, quick: bool, sizes: tuple[int, ...] | None, embedder: str | None,
             workers: int = 1, keep: Path | None = None, server: bool = False,
             ingest_workers: int = 1) -> BenchPlan:
        where = {"workers": workers, "keep": keep, "server": server or ingest_workers > 1,
                 "ingest_workers": ingest_workers}
        if quick:
            return cls(QUICK_SIZES if sizes is None else sizes, embedder or settings.embedder, 20, requests_per_client=5,
                       load_seconds=5.0, repeated_questions=10, **where)
        return cls(DEFAULT_SIZES if sizes is None else sizes, embedder or settings.embedder, **where)


def run_all(settings: Settings, plan: BenchPlan, corpus: Path | None = None, log=None) -> dict:
    """Every figure of issue 5, one entry per size, plus the real-corpus section when asked, and how
    long the whole run took (`elapsed_s`: the quick plan's budget is QUICK_BUDGET_S)."""
    started = time.perf_counter()
    say = log or (lambda _msg: None)
    report: dict = {
        "embedder": plan.embedder,
        "seed": plan.seed,
        "questions": plan.questions,
        "concurrency": list(CONCURRENCY),
        "cpu_count": os.cpu_count(),
        "store": "chroma run" if plan.server else "embedded",
        "ingest_workers": plan.ingest_workers if plan.server else 1,
        "sizes": {},
    }
    for size in plan.sizes:
        say(f"bench: synthetic corpus of {size} paragraphs")
        report["sizes"][str(size)] = run_size(settings, plan, size, say)
    if corpus is not None:
        say(f"bench: real files under {corpus}")
        report["corpus"] = run(settings.model_copy(update={"embedder": plan.embedder}), corpus,
                               plan=plan if plan.serve else None, say=say)
    report["elapsed_s"] = round(time.perf_counter() - started, 1)
    return report


def run_size(settings: Settings, plan: BenchPlan, size: int, say) -> dict:
    with contextlib.ExitStack() as stack:
        if plan.keep is None:
            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"reso-bench-{size}-")))
        else:  # named by everything the index depends on, so a kept one is only reused for the same corpus
            where = "-server" if plan.server else ""
            data_dir = plan.keep / f"{plan.embedder}-{size}-seed{plan.seed}{where}"
        local = settings.model_copy(
            update={"data_dir": data_dir, "embedder": plan.embedder, "generator": "extractive", "chroma_host": None}
        )
        done = data_dir / "bench-ingest.json"  # written last: an index whose ingest was cut short is rebuilt
        fresh = not done.is_file()
        if fresh:
            shutil.rmtree(data_dir, ignore_errors=True)
        server = None
        if plan.server:  # the store of record is a Chroma server over a folder beside the index's own files
            server = stack.enter_context(chroma_server(data_dir / "chroma-server"))
            local = local.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": server.port})
        if not fresh:
            figures = json.loads(done.read_text(encoding="utf-8"))
            say(f"bench: {size}: reusing the index kept in {data_dir} (ingest figures from when it was built)")
        else:
            if plan.server:
                figures = ingest_parallel(local, size, plan, say)
                figures["chroma_server_peak_rss_mb_ingest"] = peak_rss_mb(server.pid)
            else:
                figures = ingest_synthetic(local, size, plan.seed, say)
            figures["index_bytes"] = dir_size(data_dir)
            if plan.keep is not None:
                done.write_text(json.dumps(figures), encoding="utf-8")
        say(f"bench: {size}: ingested at {figures['ingest_paragraphs_per_s']} paragraphs/s; timing answers")
        figures.update(answer_latency(local, plan))
        if plan.serve:
            say(f"bench: {size}: serving the index")
            chunks = _store(local).chunks()
            figures["serve"] = serve_figures(local, plan, *load_questions(chunks, plan))
        if server is not None:
            figures["chroma_server_peak_rss_mb"] = peak_rss_mb(server.pid)
        return figures


INGEST_PROGRESS_S = 60.0  # a 1M-paragraph ingest runs for hours on 2 cores: a line a minute shows it moves


def ingest_synthetic(settings: Settings, size: int, seed: int, say=None, share: tuple[int, int] = (0, 1)) -> dict:
    """Generation is timed apart, so paragraphs/s is the index's rate, not the generator's.

    With `say`, a progress line (paragraphs so far, rate, elapsed) at most every INGEST_PROGRESS_S
    seconds: on stderr, so the one-line --json report stays alone on stdout. `share` (i, n): only
    the documents whose ordinal is i modulo n, every language version of a document in the same
    share (what one of n parallel ingest processes writes, `ingest_parallel`)."""
    from reso.evals import synthetic
    from reso.index.ingest import Ingestor, IngestReport

    index, of = share
    label = f"bench: {size}" + (f" [{index + 1}/{of}]" if of > 1 else "")
    t0 = time.perf_counter()
    resolutions, ordinal, last = [], -1, None
    for resolution in synthetic.generate(size, seed):
        if resolution.symbol != last:
            ordinal, last = ordinal + 1, resolution.symbol
        if ordinal % of == index:
            resolutions.append(resolution)
    generate_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    embedder = make_embedder(settings.embedder, settings.model_cache)
    load_s = time.perf_counter() - t0
    store = _store(settings)
    ingestor = Ingestor(store, embedder, settings.embed_batch_size)
    report = IngestReport()
    started = time.time()
    t0 = next_note = time.perf_counter()
    for resolution in resolutions:
        ingestor.ingest_resolution(resolution, report)
        now = time.perf_counter()
        if say is not None and now >= next_note + INGEST_PROGRESS_S:
            next_note = now
            say(f"{label}: ingested {report.paragraphs} paragraphs in {now - t0:.0f} s "
                f"({report.paragraphs / (now - t0):.0f}/s)")
    ingest_s = time.perf_counter() - t0
    return {
        "paragraphs": report.paragraphs,
        "documents": len(report.documents),
        "language_versions": report.versions,
        "generate_s": round(generate_s, 2),
        "model_load_s": round(load_s, 2),
        "ingest_s": round(ingest_s, 2),
        "ingest_paragraphs_per_s": round(report.paragraphs / ingest_s, 1) if ingest_s else 0.0,
        "ingest_started": started,
        "ingest_finished": time.time(),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def ingest_parallel(settings: Settings, size: int, plan: BenchPlan, say) -> dict:
    """`plan.ingest_workers` processes, each ingesting its share of the documents into the Chroma
    server of `settings`, as several `reso ingest` runs on other machines would (issue 15, past one
    process). Each has its own data folder, hence its own ingest lock: only the server orders their
    writes. The rate is all paragraphs over the window from the first process's first write to the
    last one's end; each process's own figures are kept beside it."""
    store = _store(settings)  # the collections and the model record exist before the processes race to them
    embedder = make_embedder(settings.embedder, settings.model_cache)
    store.check_model(embedder.name, embedder.dim)
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESO_")}
    env.update(RESO_EMBEDDER=settings.embedder, RESO_COLLECTION=settings.collection,
               RESO_CHROMA_HOST=str(settings.chroma_host), RESO_CHROMA_PORT=str(settings.chroma_port),
               RESO_MODEL_CACHE=str(settings.model_cache), RESO_EMBED_BATCH_SIZE=str(settings.embed_batch_size))
    n = plan.ingest_workers
    say(f"bench: {size}: ingesting with {n} processes into the Chroma server on port {settings.chroma_port}")
    t0 = time.perf_counter()
    procs = []
    with contextlib.ExitStack() as stack:
        for i in range(n):
            folder = settings.data_dir / f"ingest-{i + 1}"
            folder.mkdir(parents=True, exist_ok=True)
            command = [sys.executable, "-m", "reso.evals.bench", "--ingest-share", f"{i + 1}/{n}",
                       "--size", str(size), "--seed", str(plan.seed)]
            proc = subprocess.Popen(command, env={**env, "RESO_DATA_DIR": str(folder)}, stdout=subprocess.PIPE)
            stack.callback(stop_process, proc)
            procs.append(proc)
        shares = []
        for i, proc in enumerate(procs):
            out, _ = proc.communicate()
            if proc.returncode != 0:
                raise ResoError(f"ingest process {i + 1}/{n} failed (exit {proc.returncode}); its log is above")
            shares.append(json.loads(out.decode("utf-8").strip().splitlines()[-1]))
    wall_s = time.perf_counter() - t0
    window = max(s["ingest_finished"] for s in shares) - min(s["ingest_started"] for s in shares)
    paragraphs = sum(s["paragraphs"] for s in shares)
    return {
        "paragraphs": paragraphs,
        "documents": sum(s["documents"] for s in shares),
        "language_versions": sum(s["language_versions"] for s in shares),
        "generate_s": max(s["generate_s"] for s in shares),
        "model_load_s": max(s["model_load_s"] for s in shares),
        "ingest_s": round(window, 2),
        "ingest_wall_s": round(wall_s, 2),
        "ingest_paragraphs_per_s": round(paragraphs / window, 1) if window else 0.0,
        "ingest_processes": [{k: v for k, v in s.items() if k not in ("ingest_started", "ingest_finished")}
                             for s in shares],
    }


def _store(settings: Settings) -> ChromaStore:
    """The benchmark's store: embedded in its data folder, or the Chroma server `settings` names."""
    return ChromaStore.open(settings.data_dir, settings.collection, host=settings.chroma_host,
                            port=settings.chroma_port)


def _open_library(settings: Settings) -> Library:
    return Library(_store(settings), make_embedder(settings.embedder, settings.model_cache),
                   settings.embed_batch_size)


def make_questions(chunks: list, n: int, seed: int) -> list[tuple[str, str]]:
    """(question, language): four content words of a random paragraph, as a user half-remembers it."""
    rng = random.Random(seed)
    out = []
    # more questions than paragraphs (a small corpus): paragraphs are reused, with other words
    picks = rng.sample(chunks, n) if n <= len(chunks) else rng.choices(chunks, k=n)
    for chunk in picks:
        if chunk.language in ("zh", "ja"):  # no spaces between words: a run of characters from the middle
            start = rng.randrange(max(1, len(chunk.text) - 12))
            out.append((chunk.text[start:start + 12], chunk.language))
            continue
        words = [w.strip(",;:.،") for w in chunk.text.split()[1:] if len(w.strip(",;:.،")) >= 5]
        picked = rng.sample(words, min(4, len(words))) if words else chunk.text.split()[:4]
        out.append((" ".join(picked), chunk.language))
    return out


def load_questions(chunks: list, plan: BenchPlan) -> tuple[list[str], list[str]]:
    """(distinct, repeated): enough distinct questions that no request of the load repeats one (so
    no cache answers it), and the short set of frequent questions a helpdesk sees again and again."""
    needed = 1 + sum(CONCURRENCY) * plan.requests_per_client + plan.repeated_questions
    distinct = [q for q, _ in make_questions(chunks, needed, plan.seed)]
    return distinct[: -plan.repeated_questions], distinct[-plan.repeated_questions:]


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
    from reso.assistant.factory import build_assistant

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


def serve_figures(settings: Settings, plan: BenchPlan, questions: list[str], repeated: list[str]) -> dict:
    """Start `reso serve` on the index, time its first answer, load it, read its peak memory.

    The load runs twice per concurrency level: with questions that never repeat (what the answer
    path costs) and cycling through a short set (what a helpdesk's frequent questions cost, served
    by the answer cache). With `plan.workers` > 1 the index is served by `chroma run` and the API
    by that many `reso serve` workers, as in the README's deployment.
    """
    import httpx

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESO_")}
    env.update(RESO_DATA_DIR=str(settings.data_dir), RESO_EMBEDDER=settings.embedder, RESO_GENERATOR="extractive",
               RESO_COLLECTION=settings.collection, RESO_RETRIEVER=settings.retriever, RESO_TOP_K=str(settings.top_k),
               RESO_MODEL_CACHE=str(settings.model_cache), RESO_RATE_LIMIT="off")
    command = [sys.executable, "-m", "reso", "serve", "--host", "127.0.0.1", "--port", str(port)]
    log_path = settings.data_dir / "serve.log"
    with contextlib.ExitStack() as stack:
        if settings.chroma_host:  # the index is on a server already (`plan.server`)
            env.update(RESO_CHROMA_HOST=settings.chroma_host, RESO_CHROMA_PORT=str(settings.chroma_port))
        elif plan.workers > 1:  # a copy of the embedded index, served by `chroma run`
            copy = settings.data_dir / "chroma-server"
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(settings.data_dir / "chroma", copy)
            server = stack.enter_context(chroma_server(copy))
            env.update(RESO_CHROMA_HOST="127.0.0.1", RESO_CHROMA_PORT=str(server.port))
        if plan.workers > 1:
            command += ["--workers", str(plan.workers)]
        log = stack.enter_context(open(log_path, "wb"))
        t0 = time.perf_counter()
        proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        stack.callback(stop_process, proc)
        with httpx.Client(base_url=url, timeout=SERVE_START_TIMEOUT_S) as client:
            health_s = _wait_healthy(client, proc, t0, log_path)
            first_s = _first_answer(client, questions[0], t0)
            # one worker builds its web UI after it answers: the load below measures a server that
            # is done starting (`ready_s`), as before the API answered first
            ready_s = _wait_page(client, t0, log_path) if plan.workers == 1 else first_s
            # and its warm-ups (the languages, the reference graph), which run after the page: the load
            # measures the server as it answers once started, not beside its start-up work
            warm_s = _wait_warm(proc, t0, log_path, workers=plan.workers)
        warm_mb = peak_rss_mb(proc.pid)
        api, api_repeated = {}, {}
        start = 1
        for c in CONCURRENCY:
            # each level its own questions, as many as it may send: none is answered twice
            level = questions[start:start + c * plan.requests_per_client]
            start += c * plan.requests_per_client
            api[str(c)] = load(url, level, c, plan.requests_per_client, plan.load_seconds)
            api_repeated[str(c)] = load(url, repeated, c, plan.requests_per_client, plan.load_seconds)
        return {"workers": plan.workers, "health_s": round(health_s, 2), "first_answer_s": round(first_s, 2),
                "ready_s": round(ready_s, 2), "warm_s": round(warm_s, 2),
                "peak_rss_mb_warm": warm_mb, "peak_rss_mb": peak_rss_mb(proc.pid), **rss_parts_mb(proc.pid), "api": api,
                "api_repeated": api_repeated}


@dataclass(frozen=True)
class ChromaServer:
    port: int
    pid: int


@contextlib.contextmanager
def chroma_server(path: Path):
    """`chroma run` over `path` (created if new; the embedded index's on-disk format), on loopback."""
    port = free_port()
    exe = shutil.which("chroma")
    if exe is None:
        raise ResoError("the `chroma` command (from the chromadb package) is not on PATH")
    path.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen([exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise ResoError("chroma run did not start within 60 s") from None
                time.sleep(0.1)
        yield ChromaServer(port, proc.pid)
    finally:
        stop_process(proc)


def _status_mb(pid: int, fields: tuple[str, ...]) -> dict[str, float]:
    """These `/proc/<pid>/status` fields (kB), summed over the process and its workers, in MiB."""
    total = dict.fromkeys(fields, 0.0)
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                name = line.split(":", 1)[0]
                if name in total:
                    total[name] += int(line.split()[1]) / 1024
        except OSError:
            continue
    return {k: round(v, 1) for k, v in total.items()}


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the resident high-water mark the kernel kept, in MiB; with worker processes, their sum."""
    return _status_mb(pid, ("VmHWM",))["VmHWM"]


def rss_parts_mb(pid: int) -> dict[str, float]:
    """Resident memory now, private (`RssAnon`: Python objects, BM25) and file-backed (`RssFile`:
    the memory-mapped vectors and libraries, pages the OS shares between processes mapping the
    same file), in MiB, summed over the process and its workers: what another instance would add."""
    parts = _status_mb(pid, ("RssAnon", "RssFile"))
    return {"rss_anon_mb": parts["RssAnon"], "rss_file_mb": parts["RssFile"]}


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return out


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


def _wait_page(client, t0: float, log_path: Path) -> float:
    """Seconds from the server's start until its web UI's page answers (it waits while the UI is built)."""
    response = client.get("/")
    if response.status_code != 200:
        raise ResoError(f"reso serve's page answered {response.status_code}: {log_path.read_text()[-2000:]}")
    return time.perf_counter() - t0


def _wait_warm(proc: subprocess.Popen, t0: float, log_path: Path, timeout: float = 120.0, workers: int = 1) -> float:
    """Seconds from the server's start until it (each of its `workers`) logs that its warm-ups are done (`ui.app.WARM`)."""
    from reso.ui.app import WARM

    deadline = time.perf_counter() + timeout
    while log_path.read_text(encoding="utf-8", errors="replace").count(f"reso: {WARM},") < workers:
        if proc.poll() is not None or time.perf_counter() > deadline:
            raise ResoError(f"reso serve did not finish warming up: {log_path.read_text()[-2000:]}")
        time.sleep(0.05)
    return time.perf_counter() - t0


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
    if "chroma_server_peak_rss_mb" in figures:  # the index on `chroma run` (--server)
        out += [("ingest processes", len(figures.get("ingest_processes", [])) or 1),
                ("chroma run peak RSS (MB)", figures["chroma_server_peak_rss_mb"])]
    for name, lat in figures["latency_ms"].items():
        for key, value in lat.items():
            what, p = key.split("_")
            out.append((f"{what} {p} ms ({FILTER_LABELS[name]})", value))
    return out + serve_rows(figures.get("serve"))


def serve_rows(serve: dict | None) -> list[tuple[str, object]]:
    if not serve:
        return []
    out: list[tuple[str, object]] = [
        ("serve: workers", serve.get("workers", 1)),
        ("serve: healthy after (s)", serve["health_s"]),
        ("serve: first answer after (s)", serve["first_answer_s"]),
        ("serve: web UI ready after (s)", serve.get("ready_s", serve["first_answer_s"])),
        ("serve: warmed up after (s)", serve.get("warm_s", serve.get("ready_s", serve["first_answer_s"]))),
        ("serve: peak RSS warm (MB)", serve["peak_rss_mb_warm"]),
        ("serve: peak RSS after load (MB)", serve["peak_rss_mb"]),
        ("serve: private / file-backed RSS after load (MB)",
         f"{serve.get('rss_anon_mb', '-')} / {serve.get('rss_file_mb', '-')}"),
    ]
    for key, what in (("api", "distinct"), ("api_repeated", "repeated")):
        for c, api in serve.get(key, {}).items():
            out += [
                (f"API {c} client(s), {what}: answers/s", api["answers_per_s"]),
                (f"API {c} client(s), {what}: p50 / p95 ms", f"{api['latency_ms_p50']} / {api['latency_ms_p95']}"),
                (f"API {c} client(s), {what}: requests / errors", f"{api['requests']} / {api['errors']}"),
            ]
    return out


def table(report: dict) -> str:
    """One row per figure, one column per size; the real-corpus section below."""
    sizes = list(report["sizes"])
    columns = [rows(report["sizes"][s]) for s in sizes]
    lines = [f"embedder {report['embedder']}, seed {report['seed']}, {report['questions']} questions, "
             f"{report['cpu_count']} CPUs, {report['elapsed_s']} s in all"]
    if sizes:
        width = max(len(label) for label, _ in columns[0]) + 2
        lines.append("synthetic paragraphs".ljust(width) + "".join(f"{s:>20}" for s in sizes))
        for i, (label, _) in enumerate(columns[0]):
            lines.append(label.ljust(width) + "".join(f"{str(col[i][1]):>20}" for col in columns))
    if "corpus" in report:
        lines += ["", "real files"]
        lines += [f"{label:<44} {report['corpus'][key]}" for key, label in LABELS.items()]
        lines += [f"{label:<44} {value}" for label, value in serve_rows(report["corpus"].get("serve"))]
    return "\n".join(lines)


# -- issue 15: what one server holds in memory, at sizes a full bench cannot reach here -----------


def _rss_mb() -> float:
    """This process's resident memory now (VmRSS), in MiB, once garbage is collected and the freed
    heap handed back (`malloc_trim`): what a step holds, not the temporaries it freed, whose pages
    glibc may or may not have returned yet (a reading that then fell between steps)."""
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def table_figures(size: int, seed: int = 5, questions: int = 50, dim: int = 384) -> dict:
    """The per-instance part of serving `size` paragraphs, measured without a store or a server.

    A 1M-paragraph `reso bench` spends hours in its ingest on the 2-core machine (the store's
    writes); what grows in every `reso serve` process is the chunk table, the BM25 index and the
    vectors, and what grows in every answer is BM25's scores over every row and, when the dense
    search is exact, one product over every vector. Those are built here from the same seeded
    synthetic corpus, with reso's own tokeniser and BM25 (`LexicalIndex`) and random unit vectors
    of the default model's dimension, and timed: resident memory after each step, and per
    question the BM25 scores and the full product with its top 20.
    """
    import numpy as np

    from reso.evals import synthetic
    from reso.index.analysis import tokens
    from reso.index.chunks import chunks_of
    from reso.index.lexical import LexicalIndex

    out: dict = {"paragraphs": 0, "dim": dim, "rss_mb_start": _rss_mb()}
    t0 = time.perf_counter()
    chunks = [c for r in synthetic.generate(size, seed) for c in chunks_of(r)]
    out.update(paragraphs=len(chunks), chunks_s=round(time.perf_counter() - t0, 1), rss_mb_chunks=_rss_mb())
    t0 = time.perf_counter()
    lexical = LexicalIndex(chunks)
    out.update(bm25_build_s=round(time.perf_counter() - t0, 1), rss_mb_bm25=_rss_mb())
    rng = np.random.default_rng(seed)
    vectors = np.empty((len(chunks), dim), dtype=np.float32)
    for start in range(0, len(chunks), 100_000):  # in slices: no float64 copy of the whole matrix
        block = rng.standard_normal((min(100_000, len(chunks) - start), dim), dtype=np.float32)
        vectors[start:start + len(block)] = block / np.linalg.norm(block, axis=1, keepdims=True)
        del block  # the last slice would otherwise stay resident and be counted as the vectors'
    out.update(vectors_mb=round(vectors.nbytes / 2**20, 1), rss_mb_vectors=_rss_mb())
    bm25_ms, dense_ms = [], []
    for question, language in make_questions(chunks, questions, seed):
        t0 = time.perf_counter()
        scores = lexical.scores(tokens(question, language))
        np.argpartition(-scores, 20)[:20]
        t1 = time.perf_counter()
        q = rng.standard_normal(dim, dtype=np.float32)
        sims = np.einsum("ij,j->i", vectors, q / np.linalg.norm(q))  # as the retriever's exact path
        np.argpartition(-sims, 20)[:20]
        t2 = time.perf_counter()
        bm25_ms.append((t1 - t0) * 1000)
        dense_ms.append((t2 - t1) * 1000)
    out.update(**_p50_p95("bm25_scores_ms", bm25_ms), **_p50_p95("dense_full_product_ms", dense_ms),
               rss_mb_peak=peak_rss_mb(os.getpid()))
    return out


def index_figures(settings: Settings, plan: BenchPlan) -> dict:
    """The serving figures on an index that exists (RESO_DATA_DIR, e.g. the real corpus's), no ingest.

    Issue 15's targets are stated on the index of both corpus folders (~120k paragraphs, six
    languages, the e5 model), which takes hours to build here: this measures it as it is, with the
    same in-process latency and `reso serve` load as a synthetic size. The server writes its log
    beside the index (`serve.log`); nothing else is written, except with `plan.workers` > 1: a copy
    of the Chroma folder beside it (`chroma-server`) for the `chroma run` the workers share.
    """
    local = settings.model_copy(update={"generator": "extractive", "chroma_host": None})
    figures: dict = {"data_dir": str(local.data_dir), "embedder": local.embedder}
    if plan.questions:
        figures.update(answer_latency(local, plan))
    if plan.serve:
        chunks = ChromaStore.open(local.data_dir, local.collection).chunks()
        figures["paragraphs"] = len(chunks)
        figures["serve"] = serve_figures(local, plan, *load_questions(chunks, plan))
    return figures


if __name__ == "__main__":  # python -m reso.evals.bench --tables 1000000 [--seed 5]: one JSON line
    import argparse

    parser = argparse.ArgumentParser(description="The in-memory tables of one server, at a given size; or the "
                                                 "serving figures of the index in RESO_DATA_DIR.")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--tables", type=int, help="synthetic paragraphs")
    what.add_argument("--ingest-share", metavar="I/N",
                      help="one of N parallel ingest processes (`reso bench --ingest-workers N`): ingest the I-th "
                           "share of --size synthetic paragraphs into RESO_CHROMA_HOST; its figures on stdout")
    what.add_argument("--index", action="store_true",
                      help="serve RESO_DATA_DIR's index as it is (no ingest): in-process latency, then "
                           "`reso serve`'s start, first answer, load and peak memory")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--size", type=int, help="with --ingest-share: the whole corpus's paragraphs")
    parser.add_argument("--questions", type=int, default=50, help="in-process questions per filter (0: none)")
    parser.add_argument("--no-serve", action="store_true", help="with --index: the in-process figures only")
    parser.add_argument("--workers", type=int, default=1,
                        help="with --index: serve by this many `reso serve` workers over a `chroma run` copy of the index")
    args = parser.parse_args()
    if args.ingest_share:
        i, n = (int(x) for x in args.ingest_share.split("/"))
        settings = Settings()
        if not settings.chroma_host or not args.size or not 1 <= i <= n:
            parser.error("--ingest-share I/N needs --size and RESO_CHROMA_HOST, with 1 <= I <= N")
        figures = ingest_synthetic(settings, args.size, args.seed, say=lambda m: print(m, file=sys.stderr, flush=True),
                                   share=(i - 1, n))
        print(json.dumps(figures, separators=(",", ":")))
    elif args.index:
        bench_plan = BenchPlan(questions=args.questions, seed=args.seed, serve=not args.no_serve, workers=args.workers)
        print(json.dumps(index_figures(Settings(), bench_plan), separators=(",", ":")))
    else:
        print(json.dumps(table_figures(args.tables, args.seed), separators=(",", ":")))
