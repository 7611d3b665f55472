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
from itertools import chain
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


def index_bm25(bm25, corpus: Sequence[Sequence[str]]) -> None:
    """`bm25.index(corpus)` (bm25s, its default "lucene" scoring) in numpy: the same matrix to the bit.

    bm25s converts every token to a Python int in lists of lists and counts each document's
    terms with a `Counter` (at 120k paragraphs: 6.6M tokens, ~10 s). Here each token becomes one
    int64 key, (term id, document) packed, in one array; one in-place sort counts each (term,
    document) pair and leaves the pairs in the matrix's column order.
    The arithmetic is bm25s's, in its types, so the scores are bitwise the same
    (`tests/test_lexical.py` checks it against bm25s's own build): each document's length term in
    float64 as Python computes it, the idf with `math.log` per distinct document frequency, the
    product rounded once to float32. The vocabulary ids are numbered in order of first use (bm25s
    numbers a set's order); ids never leave the index. An empty document must be given as a token.
    """
    if (bm25.method, bm25.idf_method, bm25.dtype, bm25.int_dtype) != ("lucene", "lucene", "float32", "int32"):
        raise ValueError("index_bm25 builds bm25s's default lucene scoring only")
    lengths = np.fromiter(map(len, corpus), dtype=np.int64, count=len(corpus))
    vocab: dict[str, int] = dict.fromkeys(chain.from_iterable(corpus), 0)  # words in order of first use
    for i, word in enumerate(vocab):
        vocab[word] = i
    # one int64 key a token, (term id, document) packed: sorted in place, equal keys are one term's
    # count in one document, in the matrix's order (by term, then document)
    keys = np.fromiter(map(vocab.__getitem__, chain.from_iterable(corpus)), dtype=np.int64, count=int(lengths.sum()))
    n_docs, n_vocab = len(corpus), len(vocab)
    keys <<= 32
    keys |= np.repeat(np.arange(n_docs, dtype=np.int32), lengths)
    keys.sort()
    starts = np.flatnonzero(_run_starts(keys))
    tf = np.empty_like(starts)
    tf[:-1] = starts[1:] - starts[:-1]
    tf[-1:] = len(keys) - starts[-1:]
    pairs = keys[starts]
    del keys, starts
    terms, rows = (pairs >> 32).astype(np.int32), (pairs & 0xFFFFFFFF).astype(np.int32)
    del pairs
    df = np.bincount(terms, minlength=n_vocab)
    # idf as bm25s computes it: math.log on Python floats, once per distinct document frequency
    values, at = np.unique(df, return_inverse=True)
    idf = np.array([math.log(1 + (n_docs - v + 0.5) / (v + 0.5)) for v in values.tolist()], dtype=np.float32)[at]
    k1, b = bm25.k1, bm25.b
    avg = np.array(lengths).mean()
    # per document, `k1 * ((1 - b) + b * l_d / l_avg)` in float64, as bm25s's scalar arithmetic gives it
    length_term = np.array([k1 * ((1 - b) + b * n / avg) for n in lengths.tolist()], dtype=np.float64)
    tf64 = tf.astype(np.float32).astype(np.float64)
    data = (idf[terms].astype(np.float64) * (tf64 / (length_term[rows] + tf64))).astype(np.float32)
    indptr = np.zeros(n_vocab + 1, dtype=np.int64)
    np.cumsum(df, out=indptr[1:])
    bm25.scores = {"data": data, "indices": rows, "indptr": indptr, "num_docs": n_docs}
    bm25.nonoccurrence_array = None
    if "" not in vocab and vocab:
        vocab[""] = n_vocab  # bm25s's empty token, added after the matrix as it adds it
    bm25.vocab_dict = vocab
    bm25.unique_token_ids_set = set(vocab.values())


def _run_starts(sorted_keys: np.ndarray) -> np.ndarray:
    """Where each run of equal keys starts in a sorted array: one bool a key, without a copy of the keys."""
    starts = np.empty(len(sorted_keys), dtype=bool)
    starts[:1] = True
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=starts[1:])
    return starts


def _postings(bm25) -> tuple[list[str], np.ndarray, np.ndarray]:
    """A matrix built by `index_bm25`: its words by column, and each posting's column and row."""
    indptr, indices = bm25.scores["indptr"], bm25.scores["indices"]
    words = [""] * (len(indptr) - 1)
    for word, j in bm25.vocab_dict.items():
        if j < len(words):  # bm25s's empty token has no column
            words[j] = word
    columns = np.repeat(np.arange(len(words), dtype=np.int64), np.diff(indptr))
    return words, columns, indices.astype(np.int64)


def paragraph_frequencies(paragraphs, documents, doc_of: np.ndarray) -> Counter[str]:
    """How many paragraphs hold each word, in their own text or in their document's symbol and title.

    Read off the two matrices: each paragraph's words, and its document's words counted once for
    each of the document's paragraphs, one sort to count a word once per paragraph. A set union
    and a `Counter` update per paragraph took ~1.5 s at 120k paragraphs.
    """
    n = len(doc_of)
    words, columns, rows = _postings(paragraphs)
    known = {w: j for j, w in enumerate(words)}
    doc_words, doc_columns, docs = _postings(documents)
    for w in doc_words:
        known.setdefault(w, len(known))
    words = list(known)
    doc_ids = np.fromiter((known[w] for w in doc_words), dtype=np.int64, count=len(doc_words))
    # each document posting, once for each paragraph of that document
    members = np.argsort(doc_of, kind="stable")
    sizes = np.bincount(doc_of, minlength=documents.scores["num_docs"])  # each document's paragraphs
    first = np.cumsum(sizes) - sizes
    repeats = sizes[docs]
    within = np.arange(int(repeats.sum()), dtype=np.int64) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    doc_rows = members[np.repeat(first[docs], repeats) + within]
    keys = np.concatenate([columns * n + rows, np.repeat(doc_ids[doc_columns], repeats) * n + doc_rows])
    keys.sort()
    counts = np.bincount(keys[_run_starts(keys)] // n, minlength=len(words))
    return Counter({w: c for w, c in zip(words, counts.tolist()) if c})


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
            index_bm25(self._docs_bm25, doc_corpus)
        self._vocabulary: list[str] | None = None
        self._doc_symbols: np.ndarray | None = None
        self.df: Counter[str] = Counter()
        if corpus:
            index_bm25(self._bm25, corpus)
            self.df = paragraph_frequencies(self._bm25, self._docs_bm25, self._doc_of)

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
        self._doc_symbols = None
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

    def documents_holding(self, tokens_: Iterable[str]) -> frozenset[str]:
        """The documents (symbols as written) with a paragraph holding one of these tokens."""
        if self._doc_symbols is None:  # a symbol per (document, language) code, read once
            symbols = np.empty(int(self._doc_of.max()) + 1 if len(self._doc_of) else 0, dtype=object)
            symbols[self._doc_of[::-1]] = [c.document for c in reversed(self.chunks)]
            self._doc_symbols = symbols
        rows = np.flatnonzero(self.holding(tokens_))
        return frozenset(self._doc_symbols[np.unique(self._doc_of[rows])].tolist())

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        if not self.chunks or not query_tokens:
            return np.zeros(len(self.chunks), dtype=np.float32)
        paragraphs = np.asarray(self._bm25.get_scores(query_tokens), dtype=np.float32)
        documents = np.asarray(self._docs_bm25.get_scores(query_tokens), dtype=np.float32)
        return paragraphs + self.document_weight * documents[self._doc_of]
