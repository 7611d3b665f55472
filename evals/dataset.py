"""Evaluation question sets (CONTRACTS §3): one JSON object a line.

Beyond §3, an item may carry `attack` (the kind of hostile text it holds: "instruction", "leak",
"citation-forgery", "html") and `forbidden` (strings that must not appear in the answer); the
report then gets an `injection` section (`evals.metrics.injection`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from reso.index.model import normalise_pid, normalise_symbol


@dataclass(frozen=True)
class EvalItem:
    id: str
    question: str
    language: str
    documents: list[str] = field(default_factory=list)
    gold: list[str] = field(default_factory=list)
    answerable: bool = True
    kind: str = ""
    # hostile-text items (evals/datasets/injection.jsonl): what the question or document tries, and
    # strings that appear in the answer only when the attempt worked (a canary word it asks to print)
    attack: str = ""
    forbidden: list[str] = field(default_factory=list)
    # CONTRACTS §3: the user's earlier questions of the same conversation, asked first, in order
    history: list[str] = field(default_factory=list)
    # questions on two texts (evals/datasets/lineage-dev.jsonl): each document's own gold paragraphs,
    # so that an answer can be held to cite a gold paragraph on each side (`evals.metrics.sides`)
    sides: dict[str, list[str]] = field(default_factory=dict)

    @property
    def gold_keys(self) -> set[tuple[str, str]]:
        """(document, paragraph) pairs that count as gold, every listed document × every gold id."""
        return {(normalise_symbol(d), normalise_pid(g)) for d in self.documents for g in self.gold}


def load(path: Path) -> list[EvalItem]:
    items = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            items.append(
                EvalItem(
                    id=str(raw["id"]),
                    question=raw["question"],
                    language=raw.get("language", ""),
                    documents=list(raw.get("documents") or []),
                    gold=list(raw.get("gold") or []),
                    answerable=bool(raw.get("answerable", True)),
                    kind=raw.get("kind") or ("unanswerable" if not raw.get("answerable", True) else ""),
                    attack=str(raw.get("attack") or ""),
                    forbidden=[str(f) for f in raw.get("forbidden") or []],
                    history=[str(h) for h in raw.get("history") or []],
                    sides={str(d): [str(g) for g in gs] for d, gs in (raw.get("sides") or {}).items()},
                )
            )
        except (ValueError, KeyError) as exc:
            raise ValueError(f"{path}:{n}: not an evaluation item ({exc})") from exc
    return items


def is_gold(item: EvalItem, document: str, paragraph: str) -> bool:
    """A retrieved or cited paragraph is gold when it, or its parent, is named by the item.

    CONTRACTS §1: a sub-paragraph matches its parent wherever a gold label names the parent.
    """
    doc = normalise_symbol(document)
    pid = normalise_pid(paragraph)
    keys = item.gold_keys
    while True:
        if (doc, pid) in keys:
            return True
        if "(" not in pid:
            return False
        pid = pid[: pid.rfind("(")]


def first_gold_rank(item: EvalItem, ranked: list[tuple[str, str]], k: int = 10) -> int | None:
    """1-based rank of the first gold paragraph among the top k (document, paragraph) pairs."""
    for rank, (doc, pid) in enumerate(ranked[:k], 1):
        if is_gold(item, doc, pid):
            return rank
    return None
