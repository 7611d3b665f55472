"""Whether the retrieved paragraphs answer the question, and which of them to cite.

One similarity score barely separates answerable from unanswerable questions here (measured:
the best single threshold on the top-1 score is close to always answering). What does: whether
the question's rare words — weighted by how rare they are in the index — are found in the best
paragraphs (in any of their language versions), backed by the dense similarity for questions
whose words cannot match because the text is in another language. Thresholds are calibrated on
the development sets (`python -m evals.calibrate`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.models import Retrieved
from assistant.query import QueryAnalysis
from index.analysis import STOPWORDS, _stemmer, tokens, words

# words that say what kind of text is asked about, not what it says: they match everywhere
GENERIC = frozenset(
    """resolution resolutions council conseil assembly assemblee general generale paragraph paragraphe text texte
    un onu united nations unies nations human rights droits homme security securite""".split()
)


@dataclass
class Decision:
    answerable: bool
    sources: list[Retrieved] = field(default_factory=list)
    related: list[Retrieved] = field(default_factory=list)
    coverage: float = 0.0
    dense: float = 0.0
    reason: str = ""


@dataclass
class RefusalPolicy:
    min_coverage: float = 0.5  # share of the question's rare-word weight found in the best paragraphs
    min_dense_alone: float = 0.45  # dense similarity that answers even without matching words
    top_for_coverage: int = 3
    source_ratio: float = 0.85  # a further paragraph is cited when its score is this close to the best
    max_sources: int = 3
    lexicon: object | None = None  # the retriever's LexicalIndex, for word rarity (set by the factory)

    def coverage(self, question: str, analysis: QueryAnalysis, retrieved: list[Retrieved]) -> float:
        stop = frozenset().union(*STOPWORDS.values())
        qwords = [w for w in dict.fromkeys(words(question)) if w not in stop and w not in GENERIC and len(w) > 1]
        if not qwords:
            return 1.0
        present: set[str] = set()
        for r in retrieved[: self.top_for_coverage]:
            for c in r.versions.values() or [r.chunk]:
                present |= set(tokens(f"{c.document} {c.title} {c.text}", c.language))
        total = covered = 0.0
        for w in qwords:
            stems = {w}
            for lang in ("en", "fr"):
                st = _stemmer(lang)
                if st:
                    stems.add(st.stemWord(w))
            weight = max((self.lexicon.idf(s) for s in stems), default=1.0) if self.lexicon is not None else 1.0
            total += weight
            if stems & present:
                covered += weight
        return covered / total if total else 1.0

    def decide(self, question: str, analysis: QueryAnalysis, retrieved: list[Retrieved]) -> Decision:
        if not retrieved:
            return Decision(False, reason="nothing retrieved")
        top = retrieved[0]
        if top.match == "exact":
            return Decision(True, [top], coverage=1.0, reason="exact paragraph reference")
        cov = self.coverage(question, analysis, retrieved)
        dense = max(r.dense for r in retrieved[:3])
        answerable = cov >= self.min_coverage or dense >= self.min_dense_alone
        if not answerable:
            return Decision(False, related=retrieved[:3], coverage=cov, dense=dense, reason="question's words not found")
        sources = [top]
        for r in retrieved[1:]:
            if len(sources) >= self.max_sources:
                break
            if r.score >= self.source_ratio * top.score and r.chunk.document == top.chunk.document:
                sources.append(r)
        return Decision(True, sources, coverage=cov, dense=dense, reason="words and similarity agree")
