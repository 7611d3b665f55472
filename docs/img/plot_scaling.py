"""Draws docs/img/scaling-latency-memory.png from the figures docs/scaling.md reports.

Each figure is one a `reso bench` / `python -m reso.evals.bench --tables N` JSON line gave (the table "The curve,
measured" and the 1M sections of docs/scaling.md say which run and on what machine); they are copied here
rather than re-read because the 10k and 100k runs' index folders no longer exist. Run:
`python docs/img/plot_scaling.py` (matplotlib).
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SIZES = [10_000, 100_000, 1_000_000]
# in process, no filter; 1M: over `chroma run`, six languages, quiet machine (2026-12-07)
ANSWER_P50 = [7.3, 21.2, 26.5]
ANSWER_P95 = [42.0, 40.8, 35.3]
API_P50_4 = [38, 154, 109]  # ms, 4 clients, distinct questions
BM25_P50 = [0.31, 1.1, 12.5]  # --tables
FULL_PRODUCT_P50 = [2.0, 54, 410]  # --tables
SERVE_RSS = [334, 951, 4119]  # MiB, reso serve peak after the load (1M: Chroma's HNSW in the server, not here)
TABLES_RSS = [10.9 + 44.7, 120 + 172, 1215 + 1453]  # chunk table + BM25, --tables
VECTORS = [14.6, 146, 1465]


def main() -> None:
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.4))
    fig.suptitle("reso, synthetic corpora, hash-384 embedder, 2 cores (10k/100k loaded and niced; 1M quiet, over chroma run)",
                 fontsize=10)
    left.plot(SIZES, ANSWER_P50, "o-", label="answer p50, in process (measured)")
    left.plot(SIZES, ANSWER_P95, "o--", label="answer p95, in process (measured)")
    left.plot(SIZES, API_P50_4, "s-", label="API p50, 4 clients, distinct (measured)")
    left.plot(SIZES, BM25_P50, "^-", label="BM25 scores over every row, p50 (--tables)")
    left.plot(SIZES, FULL_PRODUCT_P50, "v-", label="full dense product + top 20, p50 (--tables)")
    left.set(xscale="log", yscale="log", xlabel="paragraphs", ylabel="ms", title="latency against size")
    right.plot(SIZES, SERVE_RSS, "s-", label="reso serve peak RSS after load (measured)")
    right.plot(SIZES, TABLES_RSS, "^-", label="chunk table + BM25, resident (--tables)")
    right.plot(SIZES, VECTORS, "v-", label="vectors float32 x 384 (mmap, shared)")
    for series in (TABLES_RSS, VECTORS, SERVE_RSS):
        right.plot([SIZES[-1], 4_000_000], [series[-1], series[-1] * 4], ":", color="grey")
    right.plot([], [], ":", color="grey", label="linear to 4M (estimated)")
    right.set(xscale="log", yscale="log", xlabel="paragraphs", ylabel="MiB", title="memory of one serving process")
    for ax in (left, right):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7.5)
    fig.tight_layout()
    fig.savefig(Path(__file__).with_name("scaling-latency-memory.png"), dpi=100)


if __name__ == "__main__":
    main()
