"""Puts evaluation questions to an assistant and keeps what it did, item by item.

Everything that needs the index or a model happens here; the figures are computed afterwards
by `evals.metrics` from the records alone, so a saved run can be re-scored without re-asking.

The eval runs on whatever index `RESO_DATA_DIR` holds: the seed questions expect an index of the
seed alone (the embedded default that `build_assistant` ingests into an empty index), the corpus
questions an index of the whole corpus. The runner does not build the index itself: scoring a
user's index as it is, is the point.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from reso.assistant.models import Answer, Message
from reso.evals import metrics
from reso.evals.dataset import EvalItem, load
from reso.evals.metrics import ItemRecord, Pair

Progress = Callable[[Iterable[Any], str], Iterable[Any]]
WARM_UP_QUESTION = "warm-up"


class Answering(Protocol):
    def answer(self, question: str, history=(), filters=None, language=None) -> Answer: ...


@dataclass
class RetrieverRun:
    """One retriever's pass over the questions: its records, their report, and what it ran on."""

    retriever: str
    records: list[ItemRecord]
    report: dict
    meta: dict = field(default_factory=dict)


def no_progress(items: Iterable[Any], desc: str) -> Iterable[Any]:
    return items


def index_keys(assistant: Any) -> set[Pair]:
    """The (document, paragraph) keys the index holds, read from the retriever's own table.

    Checked independently of the retrieved list on purpose: a citation the core let through
    must still name a paragraph that exists.
    """
    versions = getattr(getattr(assistant, "retriever", None), "versions", None)
    if versions is None:
        raise ValueError("the assistant exposes no paragraph table; pass `known` to `evaluate`")
    return set(versions)


def record(item: EvalItem, answer: Answer, latency_ms: float, known: set[Pair], history: Sequence[Message] = ()) -> ItemRecord:
    cited = [(c.document, c.paragraph) for c in answer.citations]
    return ItemRecord(
        item=item,
        retrieved=[(r.chunk.document, r.chunk.paragraph) for r in answer.retrieved],
        cited=cited,
        refused=answer.refused,
        latency_ms=latency_ms,
        invented=[(d, p) for d, p in cited if not metrics.paragraph_exists(known, d, p)],
        answer=answer.answer,
        answer_language=answer.language,
        timings_ms=dict(answer.timings_ms),
        cited_texts=[c.text for c in answer.citations],
        cited_languages=[c.language for c in answer.citations],
        conversation=[{"question": q.content, "answer": a.content} for q, a in zip(history[::2], history[1::2])],
    )


def converse(assistant: Answering, questions: Sequence[str]) -> list[Message]:
    """The conversation an item's `history` makes (CONTRACTS §3): each earlier question asked in
    turn with the conversation so far, the assistant's own answers kept as they came (with their
    citation markers, as a surface sends them back), so a follow-up leans on what was really said."""
    history: list[Message] = []
    for question in questions:
        answer = assistant.answer(question, history)
        history += [Message("user", question), Message("assistant", answer.answer)]
    return history


def ask(assistant: Answering, item: EvalItem, known: set[Pair]) -> ItemRecord:
    """The question alone, without its language: detecting it is part of what is scored.

    An item with a `history` is the last question of a conversation: the earlier ones are asked
    first (not timed, not scored) and the final question gets the conversation as its history.

    An exception fails this item, not the run: one crashing question must not hide the figures
    of the other few hundred, and the report names it (`errors`, exit code 1 in the CLI).
    """
    t0 = time.perf_counter()
    try:
        history = converse(assistant, item.history)
        t0 = time.perf_counter()
        answer = assistant.answer(item.question, history) if history else assistant.answer(item.question)
    except Exception as exc:  # noqa: BLE001 - recorded and reported, never swallowed
        elapsed = (time.perf_counter() - t0) * 1000
        return ItemRecord(item, [], [], False, elapsed, error=f"{type(exc).__name__}: {exc}")
    return record(item, answer, (time.perf_counter() - t0) * 1000, known, history)


def warm_up(assistant: Answering) -> None:
    """Load models before the clock runs: a model load is not any one question's latency.

    Its answer does not matter, nor does its failure: a real fault shows on the items themselves.
    """
    try:
        assistant.answer(WARM_UP_QUESTION)
    except Exception:  # noqa: BLE001
        pass


def evaluate(
    assistant: Answering,
    items: Sequence[EvalItem],
    known: set[Pair] | None = None,
    progress: Progress = no_progress,
    desc: str = "eval",
) -> list[ItemRecord]:
    known = index_keys(assistant) if known is None else known
    warm_up(assistant)
    return [ask(assistant, item, known) for item in progress(items, desc)]


def load_all(paths: Sequence[Path]) -> list[EvalItem]:
    return [item for path in paths for item in load(path)]


def run_retrievers(
    settings: Any,
    datasets: Sequence[Path],
    retrievers: Sequence[str] = (),
    ingest: Sequence[Path] = (),
    progress: Progress = no_progress,
) -> list[RetrieverRun]:
    """Every retriever over the same index and questions, the first one being the headline."""
    from reso.assistant.factory import build_assistant, open_library

    items = load_all(datasets)
    if ingest:
        open_library(settings).ingest(list(ingest), progress=lambda files: progress(files, "ingest"))
    runs = []
    for name in retrievers or (settings.retriever,):
        # a library of its own: a query-vector cache shared across retrievers would flatter the later ones
        assistant = build_assistant(settings, open_library(settings), retriever_mode=name)
        records = evaluate(assistant, items, progress=progress, desc=f"eval {name}")
        meta = run_meta(settings, assistant, name, datasets)
        runs.append(RetrieverRun(name, records, metrics.report(records), meta))
    return runs


def run_meta(settings: Any, assistant: Any, retriever: str, datasets: Sequence[Path]) -> dict:
    """What a reader needs to know to compare two reports: the index and the configuration."""
    keys = index_keys(assistant)
    # the recipe that built the index and embeds the questions: `minilm` resolves to the index's own
    library = getattr(assistant.retriever, "library", None)
    return {
        "retriever": retriever,
        "embedder": library.embedder.name if library is not None else settings.embedder,
        "generator": settings.generator,
        "top_k": settings.top_k,
        "datasets": [str(p) for p in datasets],
        "data_dir": str(settings.data_dir),
        "index": {"documents": len({d for d, _ in keys}), "paragraphs": len(keys)},
    }
