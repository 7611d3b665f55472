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
from pathlib import Path

import numpy as np

from index.errors import ResoError

EXPORT_VERSION = 1  # bump when the export or quantisation recipe changes: cached files are rebuilt


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
    base = AutoModel.from_pretrained(str(model_dir)).eval()

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
    """A mean-pooled sentence-transformers model run by ONNX Runtime, vectors L2-normalised."""

    def __init__(self, model_dir: Path, name: str, cache_dir: Path, quantize: bool = False, threads: int | None = None,
                 batch_size: int = 8):
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ResoError("The ONNX backend needs: pip install onnxruntime tokenizers") from exc
        _check_mean_pooling(model_dir)
        self.name = name
        self.batch_size = batch_size
        path = Path(cache_dir) / f"{name}-v{EXPORT_VERSION}.onnx"
        if not path.is_file():
            export_onnx(model_dir, path, quantize)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(os.cpu_count() or 1, 4)
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # idle threads sleep instead of spinning: the server's own threads and Chroma share these cores
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=_max_seq_length(model_dir))
        self._tokenizer.no_padding()
        self._lock = threading.Lock()  # a Tokenizer is not safe to share across threads mid-call
        self.dim = int(json.loads((model_dir / "config.json").read_text())["hidden_size"])

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            encodings = self._tokenizer.encode_batch(list(texts))
        # longest first, in small batches, so that each pads to similar lengths: attention costs the
        # square of the longest paragraph of its batch (on the corpus, 8 per batch embeds 1.7x faster than 32)
        order = sorted(range(len(encodings)), key=lambda i: -len(encodings[i].ids))
        out = np.zeros((len(encodings), 0), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            rows = order[start:start + self.batch_size]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[r, :n] = encodings[i].ids
                mask[r, :n] = 1
            hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask,
                                              "token_type_ids": np.zeros_like(ids)})[0]
            pooled = (hidden * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            if out.shape[1] == 0:
                out = np.zeros((len(encodings), pooled.shape[1]), dtype=np.float32)
            out[rows] = pooled
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._embed(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self._embed([text])[0]
