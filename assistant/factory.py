"""Builds the core objects from settings, once, for every surface (CLI, API, UI)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Literal

from reso.settings import Settings
from reso.assistant.core import Assistant
from reso.assistant.generators import Generator
from reso.assistant.ranker import RankerModel
from reso.assistant.refusal import RefusalPolicy
from reso.assistant.retrieval import HybridRetriever
from reso.index.embedders import CachedQueryEmbedder, make_embedder
from reso.index.library import Library
from reso.index.lock import ingest_running
from reso.index.store import ChromaStore
from reso.index.tables import ChildBuild, tables_dir


def open_library(settings: Settings) -> Library:
    store = ChromaStore.open(
        settings.data_dir, settings.collection, host=settings.chroma_host, port=settings.chroma_port
    )
    return Library(
        store,
        lambda: CachedQueryEmbedder(make_embedder(settings.embedder, settings.model_cache)),
        settings.embed_batch_size,
        records_ttl=settings.refresh_interval,
    )


def ranker_of(setting: str) -> RankerModel | Literal["auto", "off"]:
    """RESO_RANKER: "auto", "off", or a model file (read now: a bad path fails at start, not per question)."""
    if setting in ("auto", "off"):
        return setting  # type: ignore[return-value]
    return RankerModel.load(Path(setting).expanduser())


def make_generator(settings: Settings) -> Generator:
    if settings.generator == "llm":
        from reso.assistant.generators.llm import LLMGenerator

        return LLMGenerator.from_settings(settings)
    from reso.assistant.generators.extractive import ExtractiveGenerator

    return ExtractiveGenerator()


def build_assistant(settings: Settings, library: Library | None = None, retriever_mode: str | None = None) -> Assistant:
    """The assistant over the library; ingests the default corpus into an empty index first."""
    library = library or open_library(settings)
    library.ensure_default_corpus(settings.default_corpus)
    # the search tables are cached beside the index they come from, keyed by its fingerprint
    shutil.rmtree(settings.data_dir / "lexical", ignore_errors=True)  # the cache's folder before it held vectors
    retriever = HybridRetriever(library, retriever_mode or settings.retriever, cache_dir=tables_dir(settings.data_dir),
                                ranker=ranker_of(settings.ranker),
                                child_build=ChildBuild(settings.tables_child_above) if settings.tables_child_above else None)
    refusal = RefusalPolicy(index=retriever.lexical)  # the BM25 index (`lexical`), not the bilingual `lexicon`
    data_dir = library.store.data_dir
    return Assistant(
        retriever,
        make_generator(settings),
        refusal,
        k=settings.top_k,
        answer_cache=settings.answer_cache,
        refresh_interval=settings.refresh_interval,
        documents=library.document_records,
        ingest_running=(lambda: ingest_running(data_dir)) if data_dir is not None else None,
    )
