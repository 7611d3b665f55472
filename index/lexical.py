"""BM25 over paragraph chunks (bm25s), plus a document-level BM25 over symbols and titles.

The resolution's number ("30/25", "2699") and title let "résolution 30/25" or "the resolution
on Haiti" find paragraphs whose own words never say so (named questions 0.65 → 0.93 hit@5
when the title was prefixed to each chunk). But prefixed to each chunk, the title's words
favour the shortest paragraphs of the document ("Decides to remain seized of the matter"), so
the two are scored apart: paragraph words by a paragraph index, document words by a document
index whose score every paragraph of that document shares.

Building both indexes tokenises every paragraph (seconds at 10k chunks), so `LexicalCache`
keeps them on disk beside the Chroma index, keyed by the store's content fingerprint: a process
opening an unchanged index loads them instead of re-reading and re-tokenising every chunk.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import json
import logging
import math
import os
import re
import shutil
import uuid
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.analysis import tokens
from index.chunks import Chunk

log = logging.getLogger(__name__)


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


def document_text(chunk: Chunk) -> str:
    return " ".join([chunk.document, *symbol_numbers(chunk.document), chunk.title])


class LexicalIndex:
    """An in-memory BM25 index; rows are aligned with `self.chunks`."""

    def __init__(self, chunks: Sequence[Chunk], document_weight: float = 0.5):
        import bm25s

        self.chunks = list(chunks)
        self.document_weight = document_weight
        self._bm25 = bm25s.BM25()
        corpus = [tokens(c.text, c.language) or ["\u2205"] for c in self.chunks]
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

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        if not self.chunks or not query_tokens:
            return np.zeros(len(self.chunks), dtype=np.float32)
        paragraphs = np.asarray(self._bm25.get_scores(query_tokens), dtype=np.float32)
        documents = np.asarray(self._docs_bm25.get_scores(query_tokens), dtype=np.float32)
        return paragraphs + self.document_weight * documents[self._doc_of]


# -- the on-disk cache ---------------------------------------------------------------------------

CACHE_FORMAT = 1
_MANIFEST = "manifest.json"
_CHUNK_FIELDS = [f.name for f in dataclasses.fields(Chunk)]


def _code_version() -> str:
    """What the saved tables depend on besides the store: tokeniser, chunk fields, this file, bm25s.

    Part of the cache key, so that an upgrade which tokenises differently never reads old tables.
    """
    import bm25s

    from index import analysis, ordinals

    h = hashlib.sha256(f"{CACHE_FORMAT}|{bm25s.__version__}|{','.join(_CHUNK_FIELDS)}".encode())
    for source in (analysis.__file__, ordinals.__file__, __file__):
        h.update(Path(source).read_bytes())
    return h.hexdigest()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != _MANIFEST)


def _write_chunks(path: Path, chunks: Sequence[Chunk]) -> None:
    rows = [[getattr(c, f) for f in _CHUNK_FIELDS] for c in chunks]
    path.write_text(json.dumps({"fields": _CHUNK_FIELDS, "rows": rows}, ensure_ascii=False), encoding="utf-8")


def _read_chunks(path: Path) -> list[Chunk]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if data["fields"] != _CHUNK_FIELDS:
        raise ValueError("the saved chunks have other fields")
    return [Chunk(*row) for row in data["rows"]]


def _write_manifest(folder: Path, key: str) -> None:
    """Written last, with a checksum per file: a cache whose bytes changed is detected, not trusted."""
    files = {str(p.relative_to(folder)): _sha256(p) for p in _files(folder)}
    (folder / _MANIFEST).write_text(json.dumps({"key": key, "files": files}), encoding="utf-8")


def _verify(folder: Path, key: str) -> None:
    manifest = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
    if manifest["key"] != key:
        raise ValueError("the manifest names another key")
    present = {str(p.relative_to(folder)) for p in _files(folder)}
    if present != set(manifest["files"]):
        raise ValueError("files are missing or unexpected")
    for name, digest in manifest["files"].items():
        if _sha256(folder / name) != digest:
            raise ValueError(f"{name} does not match its checksum")


class LexicalCache:
    """The lexical index (with its chunk table) of one state of the store, on disk under `directory/<key>/`.

    The key hashes the store's fingerprint with the code version, so any write to the store or
    any change of tokeniser leads to another folder and a rebuild. A folder is written under a
    temporary name and renamed whole, so readers (other processes included) see a complete cache
    or none; one that fails its checks is ignored and rebuilt, since it is only ever a copy.
    """

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.loads = 0  # how many opens were served from disk: lets tests and logs tell a hit from a rebuild

    def key(self, fingerprint: str) -> str:
        return hashlib.sha256(f"{fingerprint}|{_code_version()}".encode()).hexdigest()[:32]

    def load(self, fingerprint: str, document_weight: float = 0.5) -> LexicalIndex | None:
        """The saved index for this fingerprint, or None when absent, partial or corrupt."""
        key = self.key(fingerprint)
        folder = self.directory / key
        if not (folder / _MANIFEST).is_file():
            return None
        try:
            _verify(folder, key)
            index = LexicalIndex.load(folder, _read_chunks(folder / "chunks.json"), document_weight)
        except Exception as exc:  # any damage means "absent": the store can always rebuild it
            log.warning("ignoring the lexical cache in %s (%s); it will be rebuilt", folder, exc)
            return None
        self.loads += 1
        return index

    def save(self, fingerprint: str, index: LexicalIndex) -> None:
        """Write atomically; a failure (read-only or full disk) is logged, never raised: the cache is optional."""
        if not index.chunks:
            return  # nothing worth caching, and bm25s cannot save an empty index
        key = self.key(fingerprint)
        tmp = self.directory / f".tmp-{uuid.uuid4().hex}"
        try:
            tmp.mkdir(parents=True)
            _write_chunks(tmp / "chunks.json", index.chunks)
            index.save(tmp)
            _write_manifest(tmp, key)
            self._replace(tmp, self.directory / key)
            self._prune(keep=key)
        except Exception as exc:
            log.warning("could not write the lexical cache in %s (%s)", self.directory, exc)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    @staticmethod
    def _replace(tmp: Path, target: Path) -> None:
        if target.exists():  # a damaged cache under the same key; or another process's, as good as ours
            shutil.rmtree(target, ignore_errors=True)
        try:
            os.rename(tmp, target)
        except OSError:
            if not (target / _MANIFEST).is_file():
                raise

    def _prune(self, keep: str) -> None:
        """Older states' folders: the store has moved on, so they can never be read again."""
        for folder in self.directory.iterdir():
            if folder.is_dir() and folder.name != keep and not folder.name.startswith("."):
                shutil.rmtree(folder, ignore_errors=True)
