"""Question → ranked paragraphs: exact look-up first, then hybrid lexical + dense search.

Why hybrid: on this corpus BM25 over accent-folded, stemmed text (with the resolution's number
and title in each chunk) is the stronger single retriever, while a multilingual dense model is
what finds a French paragraph for an English question. Scores are min-max normalised within
the candidates and mixed with weights, because rank fusion with a weak dense model was measured
to hurt. Each paragraph is returned once, whatever the number of its language versions, shown in
the question's language when the document has it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from assistant.answer_types import asked, gives
from assistant.models import Filters, Retrieved
from assistant.query import QueryAnalysis, analyse
from index.analysis import fold, query_tokens, tokens
from index.chunks import Chunk
from index.lexical import LexicalIndex, symbol_numbers
from index.lexicon import Lexicon, bundled
from index.library import Library
from index.model import normalise_pid, normalise_symbol

Mode = Literal["hybrid", "bm25", "dense"]
_NAMES = re.compile(r"\b[A-Z][a-zà-ÿ]{3,}\b")


class Retriever(Protocol):
    def retrieve(
        self,
        question: str,
        k: int = 10,
        filters: Filters | None = None,
        analysis: QueryAnalysis | None = None,
        context: str = "",
    ) -> list[Retrieved]: ...


@dataclass(frozen=True)
class HybridWeights:
    lexical: float = 0.7
    dense: float = 0.3
    dense_candidates: int = 100
    translated: float = 0.5  # weight of the other language's words (bilingual lexicon expansion)
    answer_type: float = 0.1  # bonus for a paragraph holding the kind of answer asked (a date, a number…)
    prior_candidates: int = 200  # rows the answer-type and operative-part priors are applied to
    context: float = 0.5  # weight of the earlier question an elliptical follow-up leans on
    preambular: float = 0.85  # factor on preambular paragraphs' scores (<1 prefers the operative part)


def chroma_where(filters: Filters, named_docs: Sequence[str] = ()) -> dict | None:
    clauses: list[dict] = []
    docs = [normalise_symbol(d) for d in filters.documents] or list(named_docs)
    if filters.documents and named_docs:
        docs = [d for d in docs if d in set(named_docs)] or docs
    if docs:
        clauses.append({"document_key": {"$in": docs}})
    if filters.bodies:
        clauses.append({"body": {"$in": list(filters.bodies)}})
    if filters.languages:
        clauses.append({"language": {"$in": list(filters.languages)}})
    if filters.date_from:
        clauses.append({"date_int": {"$gte": int(filters.date_from.replace("-", ""))}})
    if filters.date_to:
        clauses.append({"date_int": {"$lte": int(filters.date_to.replace("-", ""))}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _minmax(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    if not mask.any():
        return np.zeros_like(x)
    lo, hi = float(x[mask].min()), float(x[mask].max())
    if hi - lo < 1e-9:
        return np.where(mask & (x > 0), 1.0, 0.0).astype(np.float32)
    return np.clip((x - lo) / (hi - lo), 0.0, 1.0) * mask


class HybridRetriever:
    """Holds the chunk table and the lexical index in memory; dense search goes to the store."""

    def __init__(
        self, library: Library, mode: Mode = "hybrid", weights: HybridWeights | None = None, lexicon: Lexicon | None = None
    ):
        self.library = library
        self.lexicon = lexicon if lexicon is not None else bundled()
        self.mode = mode
        self.weights = weights or HybridWeights()
        self.refresh()

    def refresh(self) -> None:
        """Re-read the chunks after an ingest."""
        self.chunks: list[Chunk] = self.library.store.chunks()
        self.row_of: dict[str, int] = {c.id: i for i, c in enumerate(self.chunks)}
        self.doc_keys = np.array([normalise_symbol(c.document) for c in self.chunks])
        self.languages = np.array([c.language for c in self.chunks])
        self.bodies = np.array([c.body for c in self.chunks])
        self.dates = np.array([int(c.date.replace("-", "")) if c.date else 0 for c in self.chunks])
        self.versions: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
        self.docs_by_number: dict[str, set[str]] = defaultdict(set)
        for i, c in enumerate(self.chunks):
            key = normalise_symbol(c.document)
            self.versions[(key, normalise_pid(c.paragraph))][c.language] = i
            for n in symbol_numbers(c.document):
                self.docs_by_number[n].add(key)
        self.lexical = LexicalIndex(self.chunks) if self.mode != "dense" else None
        self._lacks_cache: dict[str, np.ndarray] = {}

    # -- helpers ---------------------------------------------------------------------------
    def named_documents(self, analysis: QueryAnalysis) -> list[str]:
        docs: list[str] = []
        for n in analysis.numbers:
            docs.extend(sorted(self.docs_by_number.get(n, ())))
        return list(dict.fromkeys(docs))

    def _mask(self, filters: Filters, named: Sequence[str]) -> np.ndarray:
        mask = np.ones(len(self.chunks), dtype=bool)
        docs = {normalise_symbol(d) for d in filters.documents}
        if named:
            docs = (docs & set(named)) or docs or set(named)
        if docs:
            mask &= np.isin(self.doc_keys, list(docs))
        if filters.bodies:
            mask &= np.isin(self.bodies, list(filters.bodies))
        if filters.languages:
            mask &= np.isin(self.languages, list(filters.languages))
        if filters.date_from:
            mask &= self.dates >= int(filters.date_from.replace("-", ""))
        if filters.date_to:
            mask &= self.dates <= int(filters.date_to.replace("-", ""))
        return mask

    def _make(self, key: tuple[str, str], language: str, score: float, match="search", lex=0.0, dense=0.0) -> Retrieved:
        rows = self.versions[key]
        versions = {lang: self.chunks[i] for lang, i in rows.items()}
        shown = versions.get(language) or versions.get("en") or next(iter(versions.values()))
        return Retrieved(shown, score, versions, match, lex, dense)

    def exact(self, analysis: QueryAnalysis, docs: Sequence[str]) -> list[Retrieved]:
        ref = analysis.paragraph
        if ref is None or not docs:
            return []
        out = []
        for doc in docs:
            number = ref.number
            if number == -1:  # "the last operative/preambular paragraph"
                present = [int(p[2:]) for (d, p) in self.versions if d == doc and p.startswith(ref.kind) and p[2:].isdigit()]
                if not present:
                    continue
                number = max(present)
            key = (doc, f"{ref.kind}{number}")
            if key in self.versions:
                out.append(self._make(key, analysis.language, 1e6, "exact"))
        return out

    def lexical_scores(self, question: str, language: str) -> np.ndarray:
        """BM25 of the question's words, plus their translations at a lower weight."""
        other = "en" if language == "fr" else "fr"
        own = query_tokens(question, (language, other))
        scores = self.lexical.scores(own)
        derived = [t for w in _NAMES.findall(question) if len(w) >= 5 for t in self.lexical.with_prefix(fold(w))]
        derived = [t for t in dict.fromkeys(derived) if t not in own]
        if derived:  # a name the texts only use in a derived form: Russia → Russian Federation
            scores = scores + self.weights.translated * self.lexical.scores(derived)
        if self.weights.translated and self.lexicon is not None:
            translated = self.lexicon.translate(tokens(question, language), language, other)
            extra = [t for t in translated if t not in own]
            if extra:
                scores = scores + self.weights.translated * self.lexical.scores(extra) * self._lacks(language)
        return scores

    def _lacks(self, language: str) -> np.ndarray:
        """Chunks of documents with no version in `language`: where translated words are needed.

        Where the document has the question's language, its own words already match, and
        translated words measured only as noise (corpus MRR 0.81 → 0.76).
        """
        if language not in self._lacks_cache:
            have = {d for d, lang in zip(self.doc_keys, self.languages) if lang == language}
            self._lacks_cache[language] = np.array([d not in have for d in self.doc_keys], dtype=np.float32)
        return self._lacks_cache[language]

    def _priors(self, question: str, combined: np.ndarray, cand: np.ndarray) -> np.ndarray:
        """Preferences that do not come from word matching: answer type, operative part.

        Applied to the best `prior_candidates` rows only: a question with common words has
        thousands of candidates, and checking each text for a date would dominate the latency.
        """
        kinds = asked(question) if self.weights.answer_type else []
        if not kinds and self.weights.preambular == 1.0:
            return combined
        out = combined.astype(np.float32, copy=True)
        rows = np.flatnonzero(cand)
        if len(rows) > self.weights.prior_candidates:
            rows = rows[np.argsort(-combined[rows])[: self.weights.prior_candidates]]
        for row in rows:
            c = self.chunks[row]
            if kinds and any(gives(k, c.text) for k in kinds):
                out[row] += self.weights.answer_type
            if c.kind == "preambular":
                out[row] *= self.weights.preambular
        return out

    # -- the search --------------------------------------------------------------------------
    def retrieve(
        self,
        question: str,
        k: int = 10,
        filters: Filters | None = None,
        analysis: QueryAnalysis | None = None,
        context: str = "",
    ) -> list[Retrieved]:
        """Ranked paragraphs for `question`; `context` (an earlier question) counts at a lower weight."""
        filters = filters or Filters()
        analysis = analysis or analyse(question)
        if not self.chunks:
            return []
        named = self.named_documents(analysis)
        mask = self._mask(filters, named)
        if not mask.any():
            return []
        docs_in_scope = sorted(set(self.doc_keys[mask]))
        exact_docs = named or (docs_in_scope if len(docs_in_scope) == 1 else [])
        exact = self.exact(analysis, exact_docs)

        lex = np.zeros(len(self.chunks), dtype=np.float32)
        if self.mode in ("hybrid", "bm25") and self.lexical is not None:
            lex = self.lexical_scores(question, analysis.language)
            if context:  # the context ranks among paragraphs that match the new words, never alone
                lex = lex + self.weights.context * self.lexical_scores(context, analysis.language) * (lex > 0)
            lex = lex * mask
        dense = np.zeros(len(self.chunks), dtype=np.float32)
        dense_mask = np.zeros(len(self.chunks), dtype=bool)
        if self.mode in ("hybrid", "dense"):
            vec = self.library.embedder.embed_query(f"{question} {context}".strip())
            n = self.weights.dense_candidates if self.mode == "hybrid" else max(k * 6, 60)
            for hit in self.library.store.query(vec, k=n, where=chroma_where(filters, named)):
                row = self.row_of.get(hit.chunk.id)
                if row is not None and mask[row]:
                    dense[row] = hit.score
                    dense_mask[row] = True

        if self.mode == "bm25":
            combined, cand = lex, mask & (lex > 0)
        elif self.mode == "dense":
            combined, cand = dense, dense_mask
        else:
            cand = mask & ((lex > 0) | dense_mask)
            floor = float(dense[dense_mask].min()) if dense_mask.any() else 0.0
            dense_filled = np.where(dense_mask, dense, floor)
            combined = self.weights.lexical * _minmax(lex, cand) + self.weights.dense * _minmax(dense_filled, cand)

        combined = self._priors(question, combined, cand)
        best: dict[tuple[str, str], tuple[float, int]] = {}
        for row in np.flatnonzero(cand):
            c = self.chunks[row]
            key = (self.doc_keys[row], normalise_pid(c.paragraph))
            s = float(combined[row])
            if key not in best or s > best[key][0]:
                best[key] = (s, row)
        ranked = sorted(best.items(), key=lambda kv: -kv[1][0])
        out = list(exact)
        seen = {r.key for r in out}
        for key, (s, row) in ranked:
            if len(out) >= k:
                break
            if key in seen:
                continue
            seen.add(key)
            out.append(self._make(key, analysis.language, s, "search", float(lex[row]), float(dense[row])))
        return out[:k]
