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


def plural_form(language: str, count: int) -> str:
    """The form a count takes in `language` ("one", "two", "few", or "" for the others): Russian
    says "1 резолюция", "3 резолюции", "5 резолюций"; Arabic has a dual; Chinese none."""
    if language == "zh":
        return ""
    if language == "ru":
        if count % 10 == 1 and count % 100 != 11:
            return "one"
        return "few" if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14) else ""
    if count == 1:
        return "one"
    return "two" if language == "ar" and count == 2 else ""


def counted(key: str, language: str, count: int, /, **values: str) -> str:
    """`phrase` for a sentence about `count` things: the language's `<key>_<form>` when it has one
    ("recalled or cited by 1 indexed resolution", not "resolutions"), else `<key>`."""
    table = messages()
    for lang in (language, "en"):  # English when the language lacks the sentence, as `phrase`
        own, form = table.get(lang, {}), plural_form(lang, count)
        template = (form and own.get(f"{key}_{form}")) or own.get(key)
        if template:
            return template.format(count=str(count), **values)
    raise KeyError(key)

