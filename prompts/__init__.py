"""Prompt and message text, kept as files so that wording changes never touch code."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def text(name: str) -> str:
    """The prompt file `prompts/<name>` as text."""
    return (HERE / name).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def messages() -> dict[str, dict[str, str]]:
    """User-facing phrases per language (`messages.toml`), English as the fallback."""
    return tomllib.loads(text("messages.toml"))


def phrase(key: str, language: str, /, **values: str) -> str:
    table = messages()
    template = table.get(language, {}).get(key) or table["en"][key]
    return template.format(**values)
