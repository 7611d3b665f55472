"""BM25 over paragraph chunks (bm25s), plus a document-level BM25 over symbols and titles.

The resolution's number ("30/25", "2699") and title let "résolution 30/25" or "the resolution
on Haiti" find paragraphs whose own words never say so (named questions 0.65 → 0.93 hit@5
when the title was prefixed to each chunk). But prefixed to each chunk, the title's words
favour the shortest paragraphs of the document ("Decides to remain seized of the matter"), so
the two are scored apart: paragraph words by a paragraph index, document words by a document
index whose score every paragraph of that document shares.

Building both indexes tokenises every paragraph (seconds at 10k chunks), so `index.tables`
keeps them on disk beside the Chroma index with each paragraph's tokens: a process opening an
unchanged index loads them, and a changed one tokenises only the paragraphs it did not hold.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reso.index.analysis import tokens
from reso.index.chunks import Chunk
from reso.index.model import normalise_symbol



def symbol_numbers(symbol: str) -> list[str]:
    """The forms a reader uses to name a resolution: "30/25" for A/HRC/RES/30/25, "2699" for S/RES/2699 (2023)."""
    out = []
    m = re.search(r"(\d+/\d+)\s*$", symbol.strip())
    if m:
        out.append(m.group(1))
    m = re.search(r"S/RES/(\d+)", symbol)
    if m:
        out.append(m.group(1))
    return out


@dataclass(frozen=True)
class DocumentRows:
    """The documents of a list of chunks: each one's rows (by normalised symbol, in chunk order),
    its spelling (the first chunk's), and the documents each resolution number names ("30/25",
    "2699"). One pass, each symbol normalised once: the questions about documents, the lineage
    questions and the lineage service all look documents up this way."""

    rows: dict[str, list[int]]
    names: dict[str, str]
    by_number: dict[str, list[str]]

    @classmethod
    def of(cls, chunks: Sequence[Chunk]) -> DocumentRows:
        rows: dict[str, list[int]] = {}
        names: dict[str, str] = {}
        by_number: dict[str, list[str]] = {}
        key_of: dict[str, str] = {}
        for i, c in enumerate(chunks):
            k = key_of.get(c.document)
            if k is None:
                k = key_of[c.document] = normalise_symbol(c.document)
                if k not in rows:
                    names[k] = c.document
                    for n in symbol_numbers(c.document):
                        by_number.setdefault(n, []).append(k)
            rows.setdefault(k, []).append(i)
        return cls(rows, names, by_number)


def paragraph_tokens_of(chunk: Chunk) -> list[str]:
    """What the paragraph index holds of a chunk: its own words, in its own language."""
    return tokens(chunk.text, chunk.language)


def document_text(chunk: Chunk) -> str:
    return " ".join([chunk.document, *symbol_numbers(chunk.document), chunk.title])


class LexicalIndex:
    """An in-memory BM25 index; rows are aligned with `self.chunks`."""

    def __init__(
        self,
        chunks: Sequence[Chunk],
        document_weight: float = 0.5,
        paragraph_tokens: Sequence[list[str]] | None = None,
    ):
        """`paragraph_tokens` (aligned with `chunks`, as `paragraph_tokens_of` gives them) spares the
        tokenising, the bulk of the build, when the caller kept them from an earlier state."""
        import bm25s

        self.chunks = list(chunks)
        self.document_weight = document_weight
        self._bm25 = bm25s.BM25()
        if paragraph_tokens is None:
            paragraph_tokens = [paragraph_tokens_of(c) for c in self.chunks]
        if len(paragraph_tokens) != len(self.chunks):
            raise ValueError("one token list per chunk is needed")
        # the token lists as given, not copies (bm25s only reads them): a copy of every list was
        # ~100 MB more at 120k paragraphs, at the peak of a reload
        corpus = [t if t else ["\u2205"] for t in paragraph_tokens]
        doc_rows: dict[tuple[str, str], int] = {}
        doc_corpus: list[list[str]] = []
        self._doc_of = np.zeros(len(self.chunks), dtype=np.int64)
        for i, c in enumerate(self.chunks):
            k = (c.document, c.language)
            if k not in doc_rows:
                doc_rows[k] = len(doc_corpus)
                doc_corpus.append(tokens(document_text(c), c.language) or ["\u2205"])
            self._doc_of[i] = doc_rows[k]
        self._docs_bm25 = bm25s.BM25()
        if doc_corpus:
            self._docs_bm25.index(doc_corpus, show_progress=False)
        self.df: Counter[str] = Counter()
        self._vocabulary: list[str] | None = None
        for i, t in enumerate(corpus):
            self.df.update(frozenset(t) | frozenset(doc_corpus[self._doc_of[i]]))
        if corpus:
            self._bm25.index(corpus, show_progress=False)

    # -- persistence -------------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        """Write the two BM25 indexes and the word counts; the chunks are the caller's to keep."""
        self._bm25.save(str(directory / "paragraphs"), show_progress=False)
        self._docs_bm25.save(str(directory / "documents"), show_progress=False)
        np.save(directory / "doc_of.npy", self._doc_of, allow_pickle=False)
        (directory / "df.json").write_text(json.dumps(self.df, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, chunks: Sequence[Chunk], document_weight: float = 0.5) -> LexicalIndex:
        """The index `save` wrote for these chunks; raises when a file is missing or does not fit them."""
        import bm25s

        self = cls.__new__(cls)
        self.chunks = list(chunks)
        self.document_weight = document_weight
        self._bm25 = bm25s.BM25.load(str(directory / "paragraphs"), show_progress=False)
        self._docs_bm25 = bm25s.BM25.load(str(directory / "documents"), show_progress=False)
        self._doc_of = np.load(directory / "doc_of.npy", allow_pickle=False)
        self.df = Counter(json.loads((directory / "df.json").read_text(encoding="utf-8")))
        self._vocabulary = None
        if self._bm25.scores["num_docs"] != len(self.chunks) or len(self._doc_of) != len(self.chunks):
            raise ValueError("the saved lexical index does not match its chunk table")
        return self

    def __len__(self) -> int:
        return len(self.chunks)

    def idf(self, token: str) -> float:
        """Rarity of a token in the index; unseen tokens count as the rarest."""
        n = len(self.chunks)
        return math.log((n + 1) / (self.df.get(token, 0) + 0.5))

    def with_prefix(self, prefix: str, limit: int = 5) -> list[str]:
        """Indexed tokens starting with `prefix`: "russia" → "russian", when only the adjective is used."""
        if self._vocabulary is None:
            self._vocabulary = sorted(self.df)
        i = bisect.bisect_left(self._vocabulary, prefix)
        out = []
        while i < len(self._vocabulary) and self._vocabulary[i].startswith(prefix) and len(out) < limit:
            out.append(self._vocabulary[i])
            i += 1
        return out

    def knows(self, stems: set[str], prefix: str = "") -> bool:
        """Whether any paragraph has one of these stems, or a word starting with `prefix`."""
        if any(s in self.df for s in stems):
            return True
        if len(prefix) >= 4:
            if self._vocabulary is None:
                self._vocabulary = sorted(self.df)
            i = bisect.bisect_left(self._vocabulary, prefix)
            return i < len(self._vocabulary) and self._vocabulary[i].startswith(prefix)
        return False

    def holding(self, tokens_: Iterable[str]) -> np.ndarray:
        """Which paragraphs hold one of these tokens in their own text (their document's title
        aside): a boolean row per chunk, read from the index's postings, not by ranking."""
        out = np.zeros(len(self.chunks), dtype=bool)
        vocab = self._bm25.vocab_dict
        indices, indptr = self._bm25.scores["indices"], self._bm25.scores["indptr"]
        for t in tokens_:
            j = vocab.get(t)
            if j is not None:
                out[indices[indptr[j] : indptr[j + 1]]] = True
        return out

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        if not self.chunks or not query_tokens:
            return np.zeros(len(self.chunks), dtype=np.float32)
        paragraphs = np.asarray(self._bm25.get_scores(query_tokens), dtype=np.float32)
        documents = np.asarray(self._docs_bm25.get_scores(query_tokens), dtype=np.float32)
        return paragraphs + self.document_weight * documents[self._doc_of]
