"""The evaluation's outputs: the §4 JSON, per-item records, a Markdown summary and a chart.

`report.json` is exactly what `reso eval --json` prints, so a CI job and a person read the same
figures. `items.jsonl` keeps every question's ranking and citations, which is what one needs to
see *why* a figure moved; `evals.metrics.report` can re-score it without re-asking.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reso.evals import metrics
from reso.evals.metrics import ItemRecord
from reso.evals.run import RetrieverRun

DIGITS = 4
CHART_METRICS: list[tuple[str, str, str]] = [
    ("hit@5", "retrieval", "hit@5"),
    ("MRR", "retrieval", "mrr"),
    ("cit. precision", "citations", "precision"),
    ("cit. recall", "citations", "recall"),
    ("refusal acc.", "refusal", "accuracy"),
]
COLUMNS: list[tuple[str, str, str]] = [
    ("n", "", "n"),
    ("answerable", "", "answerable"),
    ("hit@1", "retrieval", "hit@1"),
    ("hit@5", "retrieval", "hit@5"),
    ("hit@10", "retrieval", "hit@10"),
    ("MRR", "retrieval", "mrr"),
    ("precision", "citations", "precision"),
    ("recall", "citations", "recall"),
    ("invented", "citations", "invented"),
    ("refusal acc.", "refusal", "accuracy"),
    ("false ref.", "refusal", "false_refusals"),
    ("missed ref.", "refusal", "missed_refusals"),
    ("in lang.", "language", "answered_in_language"),
    ("keeps type", "answers", "keeps_asked_type"),
    ("errors", "", "errors"),
    ("p50 ms", "latency_ms", "p50"),
    ("p95 ms", "latency_ms", "p95"),
]


def rounded(value: Any) -> Any:
    """Four decimals: enough to see a one-item change on a few hundred questions, short to read."""
    if isinstance(value, float):
        return round(value, DIGITS)
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


def with_meta(run: RetrieverRun) -> dict:
    return rounded(run.report | {"run": run.meta})


def headline(runs: Sequence[RetrieverRun]) -> dict:
    """The first retriever's report; the others, when compared, under `retrievers`."""
    out = with_meta(runs[0])
    if len(runs) > 1:
        out["retrievers"] = {run.retriever: with_meta(run) for run in runs[1:]}
    return out


def item_row(retriever: str, r: ItemRecord) -> dict:
    findings = metrics.attack_findings(r) if r.item.attack else []
    hostile = (
        {
            "attack": r.item.attack,
            "forbidden": r.item.forbidden,
            "cited_texts": r.cited_texts,  # what the quotation exemption compares with
            "resisted": not findings,
            "findings": findings,
        }
        if r.item.attack
        else {}
    )
    return rounded(
        {
            "retriever": retriever,
            "id": r.item.id,
            "question": r.item.question,
            "language": r.item.language,
            "kind": r.item.kind,
            "answerable": r.item.answerable,
            "documents": r.item.documents,
            "gold": r.item.gold,
            "gold_rank": metrics.gold_rank(r.item, r.retrieved),
            "refused": r.refused,
            "retrieved": [list(p) for p in r.retrieved],
            "cited": [list(p) for p in r.cited],
            "invented": [list(p) for p in r.invented],
            "latency_ms": r.latency_ms,
            "answer_language": r.answer_language,
            "cited_languages": r.cited_languages,
            "answer": r.answer,
            "timings_ms": r.timings_ms,
            "error": r.error,
        }
        | ({"history": r.conversation} if r.conversation else {})
        | hostile
    )


# -- Markdown --------------------------------------------------------------------------------------


def cell(block: dict, section: str, key: str) -> str:
    value = (block.get(section) or {}).get(key) if section else block.get(key)
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.1f}" if section == "latency_ms" else f"{value:.3f}"
    return str(value)


def table(rows: dict[str, dict], first: str) -> list[str]:
    head = [first, *(label for label, _, _ in COLUMNS)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, block in rows.items():
        lines.append("| " + " | ".join([name, *(cell(block, s, k) for _, s, k in COLUMNS)]) + " |")
    return lines


def interval_table(rows: dict[str, dict], first: str) -> list[str]:
    """The 95 % bootstrap intervals (`ci95`) of each slice, as "low–high"."""
    names = list(metrics._CI_FIGURES)
    lines = ["| " + " | ".join([first, *names]) + " |", "|" + "---|" * (len(names) + 1)]
    for name, block in rows.items():
        ci = block.get("ci95") or {}
        cells = [f"{v[0]:.2f}–{v[1]:.2f}" if v else "–" for v in (ci.get(k) for k in names)]
        lines.append("| " + " | ".join([name, *cells]) + " |")
    return lines


def misses(run: RetrieverRun) -> list[str]:
    """Item ids behind the figures that are not perfect: where to look first."""
    groups = {
        "gold not in top 5": [
            r.item.id for r in run.records
            if r.item.answerable and (metrics.gold_rank(r.item, r.retrieved) or 99) > 5
        ],
        "false refusals": [r.item.id for r in run.records if r.item.answerable and r.refused],
        "missed refusals": [r.item.id for r in run.records if not r.item.answerable and not r.refused],
        "answered without a gold citation": [
            r.item.id for r in run.records
            if r.item.answerable and not r.refused and not metrics.recalled_ids(r.item, r.cited)
        ],
        "invented citations": [r.item.id for r in run.records if r.invented],
        "errors": [f"{r.item.id} ({r.error})" for r in run.records if r.error],
    }
    return [f"- {label}: {', '.join(ids)}" for label, ids in groups.items() if ids]


def rate(block: dict) -> str:
    value = block.get("rate")
    return f"{block['resisted']} / {block['n']} ({value:.3f})" if value is not None else "–"


def injection_section(inj: dict) -> list[str]:
    """Hostile-text items: share resisted per attack kind, failures per check, and each failure."""
    rows = {"all": inj, **inj["by_attack"]}
    answered = inj["answered"]
    lines = [
        "### Hostile text (items with an `attack`)",
        "",
        "| attack | resisted |",
        "|---|---|",
        *(f"| {name} | {rate(block)} |" for name, block in rows.items()),
        "",
        "Failed items per check: " + ", ".join(f"{k} {v}" for k, v in inj["by_check"].items()) + ".  ",
        f"Answerable attack items answered with a gold citation: {answered['cited_gold']} / {answered['answerable']}.",
        "",
    ]
    if inj["failures"]:
        lines += ["Not resisted:", ""]
        lines += [f"- {f['id']} ({f['attack']}): {'; '.join(f['reasons'])}" for f in inj["failures"]]
        lines.append("")
    return lines


def retriever_section(run: RetrieverRun) -> list[str]:
    rep, todo = run.report, misses(run)
    return [
        f"## Retriever `{run.retriever}`",
        "",
        *table({"all": rep}, "slice"),
        "",
        "### By language",
        "",
        *table(rep["by_language"], "language"),
        "",
        "### By kind",
        "",
        *table(rep["by_kind"], "kind"),
        "",
        "### 95 % intervals (bootstrap over the questions)",
        "",
        *interval_table({"all": rep} | rep["by_language"], "slice"),
        "",
        *(injection_section(rep["injection"]) if "injection" in rep else []),
        *(["### Items to look at", "", *todo, ""] if todo else []),
    ]


def markdown(runs: Sequence[RetrieverRun]) -> str:
    meta = runs[0].meta
    lines = [
        "# Evaluation report",
        "",
        f"Datasets: {', '.join(meta.get('datasets', [])) or '–'}  ",
        f"Index: {meta.get('index', {}).get('documents', '–')} documents, "
        f"{meta.get('index', {}).get('paragraphs', '–')} paragraphs "
        f"(embedder `{meta.get('embedder', '–')}`, generator `{meta.get('generator', '–')}`)",
        "",
    ]
    if len(runs) > 1:
        lines += ["## Retrievers compared", "", *table({r.retriever: r.report for r in runs}, "retriever"), ""]
    for run in runs:
        lines += retriever_section(run)
    lines.append("Ratios pool counts over items; – marks a ratio with nothing to count. Definitions: `evals/metrics.py`.")
    return "\n".join(lines) + "\n"


def errors(runs: Sequence[RetrieverRun]) -> list[str]:
    """`retriever id: exception` for every question that raised, so the CLI can fail loudly."""
    return [f"{run.retriever} {r.item.id}: {r.error}" for run in runs for r in run.records if r.error]


def summary_text(runs: Sequence[RetrieverRun]) -> str:
    """What `reso eval` prints without `--json`: the comparison, or the one retriever's table."""
    lines = table({r.retriever: r.report for r in runs}, "retriever")
    for r in runs:
        if "injection" in r.report:
            inj = r.report["injection"]
            kinds = ", ".join(f"{k} {rate(b)}" for k, b in inj["by_attack"].items())
            lines.append(f"\n{r.retriever}: hostile text resisted {rate(inj)}: {kinds}")
    return "\n".join(lines) + "\n"


# -- chart -----------------------------------------------------------------------------------------


def metric_values(block: dict) -> list[float]:
    return [float((block.get(section) or {}).get(key) or 0.0) for _, section, key in CHART_METRICS]


def bars(ax: Any, groups: dict[str, dict], title: str) -> None:
    labels = [label for label, _, _ in CHART_METRICS]
    width = 0.8 / max(len(groups), 1)
    for i, (name, block) in enumerate(groups.items()):
        xs = [x + (i - (len(groups) - 1) / 2) * width for x in range(len(labels))]
        ax.bar(xs, metric_values(block), width, label=name)
    ax.set_xticks(range(len(labels)), labels, rotation=20)
    ax.set_ylim(0, 1.05)
    ax.set_title(title)
    ax.legend(fontsize="small")
    ax.grid(axis="y", alpha=0.3)


def chart(runs: Sequence[RetrieverRun], path: Path) -> Path | None:
    """Bars per retriever and per kind; skipped (None) where matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.5))
    bars(left, {r.retriever: r.report for r in runs}, "by retriever")
    bars(right, runs[0].report["by_kind"], f"by kind ({runs[0].retriever})")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write(runs: Sequence[RetrieverRun], out: Path) -> list[Path]:
    """report.json, items.jsonl, report.md and report.png in `out`; the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "report.json", out / "items.jsonl", out / "report.md"]
    written[0].write_text(json.dumps(headline(runs), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    rows = (json.dumps(item_row(run.retriever, r), ensure_ascii=False) for run in runs for r in run.records)
    written[1].write_text("".join(row + "\n" for row in rows), encoding="utf-8")
    written[2].write_text(markdown(runs), encoding="utf-8")
    png = chart(runs, out / "report.png")
    return written + ([png] if png else [])
