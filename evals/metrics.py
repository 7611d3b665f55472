"""CONTRACTS §4 figures, computed from per-item records alone.

Pure functions, no index and no model: the runner (`evals/run.py`) does everything that needs
the assistant and leaves here only what it observed, so every definition below can be unit-tested
on hand-made records and re-computed from a saved `items.jsonl`.

Where §4 leaves room, the choices are:

- Ratios pool counts over items (micro-average): a question citing four paragraphs weighs four
  times in precision, as "cited paragraphs that are gold / all paragraphs cited" reads.
- A ratio with nothing to count (precision when every answerable item was declined, retrieval on
  a slice without answerable items) is `None` (JSON null), never a misleading 0.
- Retrieval: a retrieved paragraph matches when it is gold (`evals.dataset.is_gold`: itself or its
  parent named, in any listed document, any language version) or when it is the parent of a gold
  sub-paragraph, because an operative paragraph is indexed together with its sub-paragraphs.
- Citations are held to the exact id: citing `OP3(a)` counts for gold `OP3`, citing `OP3` does not
  count for gold `OP3(a)`.
- Recall counts each distinct gold id of an item once; it is recalled when any listed document's
  paragraph of that id (or a sub-paragraph of it) is cited. With one listed document (every item so
  far) that is "distinct gold (document, paragraph) pairs"; with several, an id found in either
  document satisfies the item, matching `gold_keys` (every listed document × every gold id).
- `invented` counts distinct (document, paragraph) citations per item that the index does not
  hold, over every item, answerable or not; a sub-paragraph exists when its parent does.
- Latency percentiles interpolate linearly between the closest ranks.
- A question that raised an exception (`errors`) retrieved nothing, cited nothing and neither
  declined nor answered: it is a miss for retrieval and recall and wrong for refusal accuracy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from evals.dataset import EvalItem, is_gold
from index.model import normalise_pid, normalise_symbol

Pair = tuple[str, str]
HIT_KS = (1, 5, 10)
MRR_DEPTH = 10
UNLABELLED = "unlabelled"


@dataclass
class ItemRecord:
    """What one question produced, reduced to what the metrics need (plus what a reader debugs with)."""

    item: EvalItem
    retrieved: list[Pair]  # (document, paragraph) in rank order, one entry per paragraph
    cited: list[Pair]
    refused: bool
    latency_ms: float
    invented: list[Pair] = field(default_factory=list)  # cited pairs the index does not hold
    answer: str = ""
    answer_language: str = ""
    timings_ms: dict[str, float] = field(default_factory=dict)
    error: str = ""  # the exception the question raised; the item then counts as failed everywhere


# -- matching ------------------------------------------------------------------------------------


def parents(paragraph: str) -> list[str]:
    """OP3(a)(ii) → [OP3(a)(ii), OP3(a), OP3]: the ids a sub-paragraph answers to."""
    pid = normalise_pid(paragraph)
    out = [pid]
    while "(" in pid:
        pid = pid[: pid.rfind("(")]
        out.append(pid)
    return out


def paragraph_exists(known: set[Pair], document: str, paragraph: str) -> bool:
    """`known` holds normalised (document, top-level paragraph) keys, as the index stores chunks."""
    doc = normalise_symbol(document)
    return any((doc, pid) in known for pid in parents(paragraph))


def retrieval_match(item: EvalItem, document: str, paragraph: str) -> bool:
    """Gold itself, or the chunk that carries a gold sub-paragraph."""
    if is_gold(item, document, paragraph):
        return True
    doc, pid = normalise_symbol(document), normalise_pid(paragraph)
    return any(d == doc and parents(g)[-1] == pid for d, g in item.gold_keys)


def gold_rank(item: EvalItem, ranked: Sequence[Pair], k: int = MRR_DEPTH) -> int | None:
    """1-based rank of the first matching paragraph within the top k."""
    for rank, (doc, pid) in enumerate(ranked[:k], 1):
        if retrieval_match(item, doc, pid):
            return rank
    return None


def distinct(pairs: Iterable[Pair]) -> list[Pair]:
    """Citations compared as ids: case, spacing and repeats do not make a second citation."""
    return list(dict.fromkeys((normalise_symbol(d), normalise_pid(p)) for d, p in pairs))


def gold_ids(item: EvalItem) -> set[str]:
    return {normalise_pid(g) for g in item.gold}


def recalled_ids(item: EvalItem, cited: Sequence[Pair]) -> set[str]:
    """Gold ids cited in any listed document, directly or through a sub-paragraph."""
    docs = {normalise_symbol(d) for d in item.documents}
    wanted = gold_ids(item)
    return {pid for doc, p in distinct(cited) if doc in docs for pid in parents(p) if pid in wanted}


# -- blocks of the report ----------------------------------------------------------------------


def ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def percentile(values: Sequence[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def retrieval(records: Sequence[ItemRecord]) -> dict[str, float | None]:
    ranks = [gold_rank(r.item, r.retrieved) for r in records if r.item.answerable]
    out: dict[str, float | None] = {
        f"hit@{k}": ratio(sum(1 for x in ranks if x is not None and x <= k), len(ranks)) for k in HIT_KS
    }
    out["mrr"] = ratio(sum(1 / x for x in ranks if x is not None), len(ranks))
    return out


def citations(records: Sequence[ItemRecord]) -> dict[str, float | int | None]:
    answerable = [r for r in records if r.item.answerable]
    cited = [(r.item, distinct(r.cited)) for r in answerable if not r.refused]
    n_cited = sum(len(c) for _, c in cited)
    n_gold_cited = sum(1 for item, c in cited for d, p in c if is_gold(item, d, p))
    n_gold = sum(len(gold_ids(r.item)) for r in answerable)
    n_recalled = sum(len(recalled_ids(r.item, r.cited)) for r in answerable if not r.refused)
    return {
        "precision": ratio(n_gold_cited, n_cited),
        "recall": ratio(n_recalled, n_gold),
        "invented": sum(len(distinct(r.invented)) for r in records),
        "cited": n_cited,
        "gold_cited": n_gold_cited,
        "gold": n_gold,
        "gold_recalled": n_recalled,
    }


def refusal(records: Sequence[ItemRecord]) -> dict[str, float | int | None]:
    """An item that raised neither declined nor answered: wrong for accuracy, in neither count."""
    ok = [r for r in records if not r.error]
    right = sum(1 for r in ok if r.refused == (not r.item.answerable))
    return {
        "accuracy": ratio(right, len(records)),
        "false_refusals": sum(1 for r in ok if r.item.answerable and r.refused),
        "missed_refusals": sum(1 for r in ok if not r.item.answerable and not r.refused),
    }


def latency(records: Sequence[ItemRecord]) -> dict[str, float | None]:
    values = [r.latency_ms for r in records]
    return {"p50": percentile(values, 50), "p95": percentile(values, 95), "max": max(values, default=None)}


def summary(records: Sequence[ItemRecord]) -> dict:
    """The §4 keys for one slice of the items."""
    n_answerable = sum(1 for r in records if r.item.answerable)
    return {
        "n": len(records),
        "answerable": n_answerable,
        "unanswerable": len(records) - n_answerable,
        "errors": sum(1 for r in records if r.error),
        "retrieval": retrieval(records),
        "citations": citations(records),
        "refusal": refusal(records),
        "latency_ms": latency(records),
    }


def split(records: Sequence[ItemRecord], by: Callable[[ItemRecord], str]) -> dict[str, dict]:
    groups: dict[str, list[ItemRecord]] = {}
    for r in records:
        groups.setdefault(by(r), []).append(r)
    return {name: summary(group) for name, group in sorted(groups.items())}


def report(records: Sequence[ItemRecord]) -> dict:
    """The whole §4 report: the overall summary, then the same keys by language and by kind."""
    return summary(records) | {
        "by_language": split(records, lambda r: r.item.language or UNLABELLED),
        "by_kind": split(records, lambda r: r.item.kind or UNLABELLED),
    }
