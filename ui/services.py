"""What every surface of the server shares, built once per process from settings.

The app factory builds one `Services` and hands it to the API router, the Gradio app and the
widget routes; nothing reaches for a global. Tests build their own with a small index.
"""

from __future__ import annotations

from dataclasses import dataclass

from reso.assistant.core import Assistant
from reso.settings import Settings
from reso.index.library import Library


@dataclass
class Services:
    settings: Settings
    library: Library
    assistant: Assistant

    @classmethod
    def build(cls, settings: Settings) -> Services:
        from reso.assistant.factory import build_assistant, open_library

        library = open_library(settings)
        preload_embedder(library)
        assistant = build_assistant(settings, library)  # ingests the default corpus into an empty index
        return cls(settings, library, assistant)


def preload_embedder(library: Library) -> None:
    """Load the query embedder (the ONNX model: ~1 s) in a thread while the search tables load,
    and run it once (its first run allocates): the first question would otherwise pay for both.

    Model loading runs mostly outside the GIL, so on two cores it overlaps the tables' reading.
    The recipe holds a lock: the first question, or the default corpus's ingest, waits for this
    load instead of starting a second one. A failure is left for that first use to raise, where
    it says what to fix.
    """
    import threading

    def load() -> None:
        try:
            # deterministic: a later question of this one word gets the same vector
            library.embedder.embed_query("resolution")
        except Exception:  # noqa: BLE001 - reported by the first question, with its message
            pass

    threading.Thread(target=load, name="reso-embedder", daemon=True).start()
