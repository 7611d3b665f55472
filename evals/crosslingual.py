"""Crosslingual retrieval made from the corpus itself: find the English paragraph from the start of its translation.

    python -m reso.evals.crosslingual --embedder e5-int8 [--paragraphs 3000] [--queries 400]

The UN publishes each resolution in six languages with the same paragraph ids, so a paragraph and
its translation are an aligned pair with no labelling. The index holds the English version of
held-out documents (about `--paragraphs` paragraphs, what the index embeds: title + paragraph);
each query is the first 12 words (Chinese: the first 24 characters) of the same paragraph in
ar/es/fr/ru/zh, and in English as a control; the answer is the English paragraph with the same
document and id. Dense only, exact cosine over all the indexed paragraphs (no vector store), so
the figures are the embedder's alone. hit@1, hit@5 and MRR per language, each with a 95 % bootstrap
interval over queries (2,000 resamples).

Held out: documents are split by a hash of their symbol into a `fit` half (for whoever tunes on
this set: fusion weights, thresholds) and a `held-out` half; only the held-out half is reported.
A paragraph whose English text occurs in two indexed documents ("Decides to remain seized of the
matter") has no single right answer and is not asked. Documents and files come from
corpus-large's `expected.json` (symbol and language of each file), so only the chosen files are read.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reso.index.chunks import chunks_of
from reso.index.embedders import Embedder, make_embedder
from reso.index.model import normalise_symbol
from reso.index.readers import read

LANGUAGES = ("ar", "es", "fr", "ru", "zh", "en")
_ISO3 = {"ara": "ar", "eng": "en", "spa": "es", "fra": "fr", "rus": "ru", "zho": "zh"}


def half(symbol: str) -> str:
    """'fit' or 'held-out', fixed by the symbol alone: the same split for every model and every run."""
    return "fit" if hashlib.sha256(normalise_symbol(symbol).encode()).digest()[0] % 2 == 0 else "held-out"


def query_of(text: str, language: str) -> str:
    """The first 12 words of a paragraph (24 characters in Chinese, written without spaces)."""
    if language == "zh":
        return "".join(text.split())[:24]
    return " ".join(text.split()[:12])


@dataclass
class Pair:
    language: str
    query: str
    target: int  # row of the English paragraph in the index


def documents(corpus: Path) -> dict[str, dict[str, Path]]:
    """symbol → language → file, from corpus-large's expected.json (files without a symbol are left out)."""
    expected = json.loads((corpus / "expected.json").read_text())
    out: dict[str, dict[str, Path]] = defaultdict(dict)
    for name, info in expected.items():
        language = _ISO3.get(info.get("language", ""), info.get("language"))  # "en", "fr" and "spa", "zho"
        symbol = info.get("key") or info.get("symbol")
        if symbol and language in LANGUAGES:
            out[normalise_symbol(symbol)].setdefault(language, corpus / name)
    return out


def build_set(corpus: Path, paragraphs: int, queries: int, split: str = "held-out",
              seed: int = 11) -> tuple[list[str], list[Pair]]:
    """The English paragraphs to index and the queries, for documents of one half with an English version."""
    docs = {s: files for s, files in documents(corpus).items() if "en" in files and len(files) > 1 and half(s) == split}
    order = sorted(docs, key=lambda s: hashlib.sha256(f"{seed}:{s}".encode()).hexdigest())
    index: list[str] = []
    plain: list[str] = []
    where: dict[tuple[str, str], int] = {}
    versions: list[tuple[str, dict[str, Path]]] = []
    for symbol in order:
        if len(index) >= paragraphs:
            break
        for chunk in chunks_of(read(docs[symbol]["en"])):
            where[(symbol, chunk.paragraph)] = len(index)
            index.append(chunk.embedding_text)
            plain.append(" ".join(chunk.text.split()))
        versions.append((symbol, docs[symbol]))
    repeated = {text for text, n in _counts(plain).items() if n > 1}
    pairs: dict[str, list[Pair]] = defaultdict(list)
    for symbol, files in versions:
        for language, path in files.items():
            for chunk in chunks_of(read(path)):
                row = where.get((symbol, chunk.paragraph))
                query = query_of(chunk.text, language)
                if row is None or plain[row] in repeated or len(query) < 8:
                    continue
                pairs[language].append(Pair(language, query, row))
    rng = random.Random(seed)
    chosen = []
    for language in LANGUAGES:
        found = pairs.get(language, [])
        chosen.extend(rng.sample(found, min(queries, len(found))))
    return index, chosen


def _counts(texts: list[str]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for t in texts:
        counts[t] += 1
    return counts


def _interval(values: np.ndarray, rng: np.random.Generator, resamples: int = 2000) -> tuple[float, float]:
    if len(values) == 0:
        return 0.0, 0.0
    means = values[rng.integers(0, len(values), (resamples, len(values)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def evaluate(embedder: Embedder, index: list[str], pairs: list[Pair], batch: int = 64) -> dict[str, dict]:
    """hit@1, hit@5, MRR per query language with 95 % bootstrap intervals; embedding speed alongside."""
    t = time.perf_counter()
    matrix = np.concatenate([embedder.embed_documents(index[s:s + batch]) for s in range(0, len(index), batch)])
    index_s = time.perf_counter() - t
    ranks: dict[str, list[int]] = defaultdict(list)
    t = time.perf_counter()
    for pair in pairs:
        scores = matrix @ embedder.embed_query(pair.query)
        ranks[pair.language].append(int((scores > scores[pair.target]).sum()) + 1)
    query_s = time.perf_counter() - t
    rng = np.random.default_rng(0)
    out: dict[str, dict] = {}
    for language in [lang for lang in LANGUAGES if lang in ranks]:
        r = np.asarray(ranks[language])
        metrics = {"hit@1": (r == 1).astype(float), "hit@5": (r <= 5).astype(float), "mrr": 1.0 / r}
        out[language] = {"n": len(r), **{name: (float(v.mean()), *_interval(v, rng)) for name, v in metrics.items()}}
    out["_speed"] = {"indexed": len(index), "paragraphs_per_s": len(index) / index_s,
                     "query_ms": 1000 * query_s / max(len(pairs), 1)}
    return out


def table(name: str, result: dict[str, dict]) -> str:
    lines = [f"{name}: {result['_speed']['indexed']} English paragraphs indexed "
             f"({result['_speed']['paragraphs_per_s']:.1f}/s), {result['_speed']['query_ms']:.1f} ms/query",
             "| query language | n | hit@1 [95 % CI] | hit@5 [95 % CI] | MRR [95 % CI] |", "|---|---|---|---|---|"]
    for language, r in result.items():
        if language.startswith("_"):
            continue
        cells = " | ".join(f"{m:.3f} [{lo:.3f}, {hi:.3f}]" for m, lo, hi in (r["hit@1"], r["hit@5"], r["mrr"]))
        lines.append(f"| {language} | {r['n']} | {cells} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--embedder", nargs="+", default=["e5-int8"])
    ap.add_argument("--corpus-large", type=Path, default=Path("../shared/corpus-large"))
    ap.add_argument("--paragraphs", type=int, default=3000, help="English paragraphs in the index (about)")
    ap.add_argument("--queries", type=int, default=400, help="queries per language (seeded sample)")
    ap.add_argument("--split", choices=["held-out", "fit"], default="held-out")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args()
    index, pairs = build_set(args.corpus_large, args.paragraphs, args.queries, args.split)
    results = {}
    for spec in args.embedder:
        results[spec] = evaluate(make_embedder(spec), index, pairs)
        print(table(spec, results[spec]), flush=True)
        print()
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
