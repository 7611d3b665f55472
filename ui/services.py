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
        assistant = build_assistant(settings, library)  # ingests the default corpus into an empty index
        return cls(settings, library, assistant)
