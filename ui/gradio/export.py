"""The conversation as Markdown, and the files the UI offers to download."""

from __future__ import annotations

import html
import re
import shutil
import tempfile
import time
import urllib.parse
from collections.abc import Sequence
from pathlib import Path

from reso.prompts import phrase
from reso.ui.gradio.record import Source, Turn

_MD_SPECIAL = re.compile(r"([\\`*_\[\]])")


def md_escape(text: str) -> str:
    """Inert Markdown: HTML escaped as entities, and link/emphasis/code syntax backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text or "", quote=False))


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in md_escape(text).splitlines() or [""])


def _md_link_target(url: str) -> str | None:
    """A link destination that stays one: http(s) only, and nothing that could close `<…>` or the link."""
    if not url.lower().startswith(("http://", "https://")):
        return None
    return urllib.parse.quote(url, safe=":/?#@!$&'*+,;=%~")


def _md_citation(s: Source, base_url: str | None) -> str:
    label = md_escape(f"[{s.document}, {s.paragraph}]")
    target = _md_link_target(base_url.rstrip("/") + "/?" + s.query) if base_url else None
    if target:
        label = f"[{label}](<{target}>)"
    title = f" — {md_escape(s.title)}" if s.title else ""
    return f"- {label}{title} ({md_escape(s.language)})\n\n" + "\n".join("  " + line for line in _quote(s.text).splitlines())


def conversation_markdown(turns: Sequence[Turn], ui_lang: str, base_url: str | None = None) -> str:
    """The conversation with its citations, safe to paste anywhere Markdown is rendered."""
    parts = [f"# {md_escape(phrase('ui_export_title', ui_lang))}"]
    for n, t in enumerate(turns, 1):
        parts.append(f"## {md_escape(phrase('ui_export_question', ui_lang, n=str(n)))}")
        parts.append(_quote(t.question))
        if t.error:
            parts.append(f"*{md_escape(t.error)}*")
            continue
        parts.append(md_escape(t.answer))
        if t.refused:
            parts.append(f"*{md_escape(phrase('ui_export_declined', ui_lang))}*")
        if t.sources:
            parts.append(f"### {md_escape(phrase('ui_export_citations', ui_lang))}")
            parts.extend(_md_citation(s, base_url) for s in t.sources)
    return "\n\n".join(parts) + "\n"


EXPORT_TTL_S = 3600  # an export is fetched right after it is made; an hour is generous


def _write_temp(name: str, text: str | bytes, ttl_s: float = EXPORT_TTL_S) -> str:
    """Gradio serves files from the system temp folder; one folder per export keeps names simple.

    Folders older than `ttl_s` are removed at each new export: a public server must not grow its
    temp folder by one file per click, forever.
    """
    root = Path(tempfile.gettempdir())
    cutoff = time.time() - ttl_s
    for old in root.glob("reso-export-*"):
        try:
            if old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass  # removed meanwhile by another export
    path = Path(tempfile.mkdtemp(prefix="reso-export-")) / name
    if isinstance(text, bytes):
        path.write_bytes(text)  # a Word file
    else:
        path.write_text(text, encoding="utf-8")
    return str(path)
