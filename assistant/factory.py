"""Builds the core objects from settings, once, for every surface (CLI, API, UI)."""

from __future__ import annotations

from assistant.settings import Settings
from index.embedders import CachedQueryEmbedder, make_embedder
from index.library import Library
from index.store import ChromaStore


def open_library(settings: Settings) -> Library:
    store = ChromaStore.open(
        settings.data_dir, settings.collection, host=settings.chroma_host, port=settings.chroma_port
    )
    return Library(store, lambda: CachedQueryEmbedder(make_embedder(settings.embedder)), settings.embed_batch_size)
