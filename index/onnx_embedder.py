"""Sentence-transformers models run by ONNX Runtime, exported once on this machine.

Why: torch is the slowest part of starting the server (importing it and sentence-transformers
takes seconds) and, with int8 weights, of ingesting. `optimum` would do the export but pins
transformers and huggingface-hub below what sentence-transformers 6 and Gradio 6 need, so the
export here uses `torch.onnx` directly, once, into a cache folder; afterwards only onnxruntime
and `tokenizers` are imported. The fp32 export gives the same vectors as the torch model (cosine
1.0000 on the corpus), so it records the same model name and opens the same index; the int8
export (per-channel weights of the linear layers only, activations quantised on the fly) gives
slightly different vectors (mean cosine 0.993 to fp32), so it records its own name.

Only models whose sentence-transformers pipeline is Transformer → mean pooling (→ Normalize)
are accepted: that is what `embed` reproduces in numpy.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import threading
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from reso.errors import ResoError

# bump when the export or quantisation recipe changes: cached files are rebuilt. v2: traced with the
# eager attention instead of torch's SDPA (same vectors, ~15% less CPU time in int8)
EXPORT_VERSION = 2


def _check_mean_pooling(model_dir: Path) -> None:
    pooling = model_dir / "1_Pooling" / "config.json"
    if not pooling.is_file():
        raise ResoError(f"{model_dir} has no 1_Pooling/config.json: the ONNX backend needs a sentence-transformers folder")
    config = json.loads(pooling.read_text())
    if not config.get("pooling_mode_mean_tokens") or any(
        config.get(k) for k in ("pooling_mode_cls_token", "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens")
    ):
        raise ResoError(f"{model_dir}: the ONNX backend reproduces mean pooling only; use the torch backend (st:<path>)")


def _max_seq_length(model_dir: Path) -> int:
    config = model_dir / "sentence_bert_config.json"
    if config.is_file():
        return int(json.loads(config.read_text()).get("max_seq_length", 256))
    return 256


def export_onnx(model_dir: Path, target: Path, quantize: bool) -> None:
    """Export the transformer of a sentence-transformers folder to ONNX (and quantise it).

    Written to a temporary name and renamed, so a crash or a concurrent export never leaves a
    half-written model behind.
    """
    import torch
    from transformers import AutoModel

    print(f"reso: exporting {model_dir.name} to ONNX{' (int8)' if quantize else ''} once, into {target.parent}",
          file=sys.stderr)
    # eager attention traces to a plain graph; SDPA traces with extra shape arithmetic and NaN guards
    # (IsNaN/Where per layer) that cost ~15% of the int8 model's time. Same weights, same vectors.
    base = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class _LastHiddenState(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):  # noqa: ANN001 - traced
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        fp32 = Path(tmp) / "model.onnx"
        sample = torch.ones(2, 16, dtype=torch.long)
        axes = {0: "batch", 1: "tokens"}
        # the tracer warns about branches on shapes; with the attention mask always given they are constant
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _LastHiddenState(base), (sample, sample, torch.zeros_like(sample)), str(fp32),
                input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["last_hidden_state"],
                dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                              "last_hidden_state": axes},
                opset_version=17, dynamo=False,
            )
        result = fp32
        if quantize:
            import onnx
            from onnxruntime.quantization import QuantType, quantize_dynamic

            graph = onnx.load(str(fp32)).graph
            weights = {init.name for init in graph.initializer}
            # only the linear layers (a MatMul with a weight): quantising attention scores costs accuracy
            linear = [n.name for n in graph.node if n.op_type == "MatMul" and any(i in weights for i in n.input)]
            result = Path(tmp) / "model-int8.onnx"
            root = logging.getLogger()
            level = root.level
            root.setLevel(logging.ERROR)  # onnxruntime logs generic "run pre-processing" advice at WARNING
            try:
                quantize_dynamic(str(fp32), str(result), weight_type=QuantType.QInt8, per_channel=True,
                                 nodes_to_quantize=linear)
            finally:
                root.setLevel(level)
        os.replace(result, target)


class OnnxSentenceEmbedder:
    """A mean-pooled sentence-transformers model run by ONNX Runtime, vectors L2-normalised.

    Batches run side by side on `threads` worker threads, each on one core (intra-op 1), rather
    than each batch split over all cores: ORT releases the GIL, and on 2 cores this embeds ~1.4x
    more paragraphs per second than intra-op 2, whose per-operator hand-offs cost most on small
    batches and when another process holds a core. Longest first: the long paragraphs start
    early and the short ones fill the threads' tails.

    `batch_size` 1 gives each paragraph a vector that depends on its own text only. int8 needs
    that: its activations are quantised with one scale per batch, so a paragraph batched with
    others gets a slightly different vector (cosine ~0.994) depending on its neighbours. With one
    thread per core, batching saves little anyway: no padding, and ~7% more time on the corpus.
    """

    def __init__(self, model_dir: Path, name: str, cache_dir: Path, quantize: bool = False, threads: int | None = None,
                 batch_size: int = 8, export_name: str | None = None):
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ResoError("The ONNX backend needs: pip install onnxruntime tokenizers") from exc
        _check_mean_pooling(model_dir)
        self.name = name
        self.batch_size = batch_size
        self.threads = max(1, threads or min(os.cpu_count() or 1, 4))
        # recipes that differ only in how they run (batching) share one exported file
        path = Path(cache_dir) / f"{export_name or name}-v{EXPORT_VERSION}.onnx"
        if not path.is_file():
            export_onnx(model_dir, path, quantize)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # parallel across batches instead (class docstring)
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # idle threads sleep instead of spinning: the server's own threads and Chroma share these cores
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=_max_seq_length(model_dir))
        self._tokenizer.no_padding()
        self._lock = threading.Lock()  # a Tokenizer is not safe to share across threads mid-call
        self._pool: ThreadPoolExecutor | None = None
        self.dim = int(json.loads((model_dir / "config.json").read_text())["hidden_size"])

    def _run(self, encodings: list, rows: list[int], out: np.ndarray) -> None:
        width = max(len(encodings[i].ids) for i in rows)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for r, i in enumerate(rows):
            n = len(encodings[i].ids)
            ids[r, :n] = encodings[i].ids
            mask[r, :n] = 1
        hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask,
                                          "token_type_ids": np.zeros_like(ids)})[0]
        out[rows] = (hidden * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            encodings = self._tokenizer.encode_batch(list(texts))
        # longest first, in small batches of similar lengths: attention costs the square of the
        # longest paragraph of its batch
        order = sorted(range(len(encodings)), key=lambda i: -len(encodings[i].ids))
        batches = [order[start:start + self.batch_size] for start in range(0, len(order), self.batch_size)]
        out = np.zeros((len(encodings), self.dim), dtype=np.float32)
        if len(batches) == 1 or self.threads == 1:
            for rows in batches:
                self._run(encodings, rows, out)
        else:
            with self._lock:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix=f"embed-{self.name}")
            for _ in self._pool.map(lambda rows: self._run(encodings, rows, out), batches):
                pass
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._embed(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self._embed([text])[0]
