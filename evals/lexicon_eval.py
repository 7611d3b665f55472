"""Does the crosslingual lexicon find the English paragraph for a short question in another language?

Fit on half, report on the other: documents are split by a hash of their symbol; the lexicon is
learned on one half's aligned paragraphs and measured on the other half's. For each held-out pair
(a paragraph in language L, the same paragraph in English) the first ~12 words of the L paragraph
are the query (questions are short; Chinese: its first 20 characters), analysed as the retriever
analyses a question in L (its stems for L and the languages L is searched with, `search_also`),
plus the lexicon's L → English translations at the retriever's weight for translated words
(`Weights.translated`). BM25 ranks all held-out English paragraphs; reported per language: how
often the English paragraph ranks first and in the top 5 (ties count against it), with 95 %
bootstrap intervals over the queries, for each lexicon compared:

- `none`: no expansion (the question's own words: names, numbers, shared stems);
- `file:<path>`: a lexicon file as shipped (e.g. the old en-fr one: learned on the whole of
  `corpus/`, so it has seen part of the held-out half: its figures are flattered);
- `dice`: Dice learned on the fitting half, as shipped (`index.lexicon.learn`);
- `dice+mutual`: the same with the mutual-best filter (`learn(mutual=0.5)`), a soft one-to-one
  constraint in the spirit of competitive linking.

    python -m reso.evals.lexicon_eval [CORPUS...] [--queries N] [--compare FILE] [--json]

Defaults: `../shared/corpus ../shared/corpus-large`, 1,000 queries a language (seeded sample).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from reso.index.lexicon import LANGUAGES, Lexicon, learn_all, paragraphs, token_sets

QUERY_WORDS = 12
QUERY_HAN_CHARS = 20  # Chinese writes no spaces: ~12 words
TRANSLATED_WEIGHT = 0.5  # the retriever's weight of translated words (assistant.retrieval.Weights.translated)


def half(document: str) -> int:
    """0 (fit) or 1 (held out), by a hash of the document's symbol: stable across runs and machines."""
    return hashlib.sha256(document.encode("utf-8")).digest()[0] & 1


def query_words(text: str, language: str) -> list[str]:
    """The first words of a paragraph, as a short question would hold them."""
    from reso.index.analysis import words

    if language == "zh":
        kept, n = [], 0
        for ch in text:
            if not ch.isspace():
                n += 1
            if n > QUERY_HAN_CHARS:
                break
            kept.append(ch)
        return words("".join(kept))
    return words(text)[:QUERY_WORDS]


def bootstrap(hits: Sequence[bool], rounds: int = 1000, seed: int = 0) -> tuple[float, float, float]:
    """Share of hits and its 95 % percentile bootstrap interval."""
    a = np.asarray(hits, dtype=np.float64)
    if not len(a):
        return 0.0, 0.0, 0.0
    rng = np.random.default_rng(seed)
    means = a[rng.integers(0, len(a), size=(rounds, len(a)))].mean(axis=1)
    lo, hi = np.percentile(means, [2.5, 97.5])
    return float(a.mean()), float(lo), float(hi)


def rank_of(scores: np.ndarray, row: int) -> int:
    """1-based rank of `row`; every other row scoring as well counts as ahead (no luck from ties)."""
    return int((scores >= scores[row]).sum())


def evaluate(
    versions: dict[tuple[str, str], dict[str, str]],
    lexicons: dict[str, Lexicon | None],
    languages_: Sequence[str] = tuple(c for c in LANGUAGES if c != "en"),
    queries: int = 1000,
    seed: int = 0,
) -> dict[str, dict[str, dict[str, object]]]:
    """{language: {lexicon name: {top1, top5 (share, low, high), queries}}} on the held-out half of `versions`."""
    import bm25s

    from reso.index.analysis import query_tokens_of_words, search_languages, tokens, tokens_of_words

    held = {k: v for k, v in versions.items() if half(k[0]) == 1}
    english = sorted(k for k, v in held.items() if "en" in v)
    if not english:
        raise ValueError("no English paragraph in the held-out half: nothing to rank")
    row = {k: i for i, k in enumerate(english)}
    index = bm25s.BM25()
    index.index([tokens(held[k]["en"], "en") or ["\u2205"] for k in english], show_progress=False)
    out: dict[str, dict[str, dict[str, object]]] = {}
    for lang in languages_:
        keys = [k for k in english if lang in held[k]]
        random.Random(f"{seed}-{lang}").shuffle(keys)
        keys = keys[:queries]
        ranks: dict[str, list[int]] = {name: [] for name in lexicons}
        for k in keys:
            ws = query_words(held[k][lang], lang)
            own = query_tokens_of_words(ws, search_languages(lang))  # what Question.stems holds
            base = np.asarray(index.get_scores(own), dtype=np.float32) if own else np.zeros(len(english), np.float32)
            mine = tokens_of_words(ws, lang)  # Question.own_tokens: what the retriever translates
            for name, lex in lexicons.items():
                scores = base
                if lex is not None:
                    extra = [w for w in lex.translate(mine, lang, "en") if w not in own]
                    if extra:
                        scores = base + TRANSLATED_WEIGHT * np.asarray(index.get_scores(extra), dtype=np.float32)
                ranks[name].append(rank_of(scores, row[k]))
        out[lang] = {
            name: {
                "queries": len(r),
                "top1": bootstrap([x == 1 for x in r]),
                "top5": bootstrap([x <= 5 for x in r]),
            }
            for name, r in ranks.items()
        }
    out["_pool"] = {"english paragraphs held out": {"n": len(english)}}  # type: ignore[dict-item]
    return out


def render(result: dict, seconds: float, counts: dict[str, int]) -> str:
    lines = [
        f"Held-out English paragraphs (the ranking pool): {result['_pool']['english paragraphs held out']['n']}",
        f"Aligned pairs in the fitting half, per language pair: {json.dumps(counts)}",
        "",
        "| language | lexicon | queries | first | top 5 |",
        "| --- | --- | --- | --- | --- |",
    ]
    for lang, by in result.items():
        if lang.startswith("_"):
            continue
        for name, r in by.items():
            t1, t5 = r["top1"], r["top5"]
            lines.append(
                f"| {lang} | {name} | {r['queries']} | {t1[0]:.3f} [{t1[1]:.3f}, {t1[2]:.3f}] | {t5[0]:.3f} [{t5[1]:.3f}, {t5[2]:.3f}] |"
            )
    lines.append(f"\n{seconds:.0f} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import os

    p = argparse.ArgumentParser(prog="python -m reso.evals.lexicon_eval", description=__doc__.split("\n\n")[0])
    p.add_argument("corpus", nargs="*", default=["../shared/corpus", "../shared/corpus-large"])
    p.add_argument("--queries", type=int, default=1000, help="held-out queries a language (seeded sample)")
    p.add_argument("--compare", action="append", default=[], help="a lexicon file to compare as shipped (repeatable)")
    p.add_argument("--languages", default=",".join(c for c in LANGUAGES if c != "en"))
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    started = time.perf_counter()
    versions = paragraphs([Path(c) for c in args.corpus], workers=min(2, os.cpu_count() or 1))
    fit = {k: v for k, v in versions.items() if half(k[0]) == 0}
    sets = token_sets(fit)
    langs = tuple(args.languages.split(","))
    pair_langs = sorted({"en", *langs})
    dice, counts = learn_all(sets, pair_langs)
    mutual, _ = learn_all(sets, pair_langs, mutual=0.5)
    lexicons: dict[str, Lexicon | None] = {"none": None}
    for f in args.compare:
        lexicons[f"file:{Path(f).name}"] = Lexicon.read(Path(f))
    lexicons["dice"] = dice
    lexicons["dice+mutual"] = mutual
    result = evaluate(versions, lexicons, langs, queries=args.queries)
    seconds = time.perf_counter() - started
    if args.json:
        print(json.dumps({"result": result, "fit_pairs": counts, "seconds": round(seconds, 1)}, ensure_ascii=False, indent=1))
    else:
        print(render(result, seconds, counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
