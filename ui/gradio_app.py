"""The web UI: chat with streamed, cited answers on the left, the cited paragraphs on the right.

Everything a user sees of a resolution passes through `escape()` before anything is added to it
(highlighting, links): documents and questions are untrusted text and must render as text. The
answer logic stays in `Assistant`; this module only renders its events and keeps the
conversation in per-session state (`Turn`), so what is shown, what is sent back as history and
what is exported are the same record.

Citations are clickable everywhere: each carries `data-reso-open` plus its document, paragraph
and language, and `ui/static/reso.js` (the `js_on_load` of a hidden component) turns a click
into that component's `open_citation` event. In answers they are also real links to the deep
link `?document=…&paragraph=…&language=…`, which `demo.load` opens, so a new tab, or a page
where the script did not run, still reaches the paragraph. A `gr.Radio` of the latest answer's
citations gives a third, script-free path.

Assets are local: the CSS is injected by that same hidden component and `theme()` names system
fonts only (Gradio's default theme is also served from its own files). `create_app` mounts
`build()` without a theme argument, so Gradio's default theme applies there; pass `theme()` to
`gr.mount_gradio_app` to get the system fonts.
"""

from __future__ import annotations

import hmac
import html
import logging
import re
import shutil
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gradio as gr

from reso.assistant.citations import MARKER
from reso.assistant.core import Delta, Done, InvalidQuestion
from reso.assistant.models import Answer, Citation, Filters, Message
from reso.index.analysis import STOPWORDS, fold, query_tokens, words
from reso.index.chunks import Chunk
from reso.errors import ResoError
from reso.index.library import ParagraphView
from reso.index.store import StoreUnavailable
from reso.index.model import normalise_pid, normalise_symbol
from reso.prompts import phrase
from reso.ui.feedback import FeedbackStore
from reso.ui.services import Services

log = logging.getLogger(__name__)

STORE_UNAVAILABLE = {  # shown when the Chroma server (RESO_CHROMA_HOST) cannot be reached
    "en": "The index server cannot be reached just now. Please try again in a few seconds.",
    "fr": "Le serveur de l’index est injoignable pour l’instant. Réessayez dans quelques secondes.",
}

STATIC = Path(__file__).resolve().parent / "static"
UI_LANGUAGES: tuple[tuple[str, str], ...] = (("English", "en"), ("Français", "fr"))
BODIES = ("HRC", "GA", "SC")
EXAMPLES = (
    "Que demande le Conseil au Haut-Commissaire d'organiser ?",
    "Which funds are States invited to increase their contributions to?",
    "What does OP 5 of resolution 30/25 say?",
)
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur"})
NEIGHBOURS = 2


# --- the conversation record -----------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """A cited (or possibly related) paragraph with what the panel shows about its document."""

    document: str
    paragraph: str
    language: str
    text: str
    title: str
    body: str = ""
    date: str = ""

    @property
    def query(self) -> str:
        return deep_link_query(self.document, self.paragraph, self.language)


@dataclass(frozen=True)
class Turn:
    """One question and what became of it; `error` turns are shown but never sent as history."""

    question: str
    answer: str = ""
    language: str = "en"
    refused: bool = False
    sources: tuple[Source, ...] = ()
    related: tuple[Source, ...] = ()
    error: str = ""
    pending: bool = False

    @property
    def answered(self) -> bool:
        return not self.pending and not self.error


def sources_of(citations: Iterable[Citation], answer: Answer) -> tuple[Source, ...]:
    """Citations carry no body or date; the retrieved chunks of the same answer do."""
    meta = {normalise_symbol(r.chunk.document): (r.chunk.body, r.chunk.date) for r in answer.retrieved}
    out = []
    for c in citations:
        body, when = meta.get(normalise_symbol(c.document), ("", ""))
        out.append(Source(c.document, c.paragraph, c.language, c.text, c.title, body, when))
    return tuple(out)


def turn_from_answer(question: str, answer: Answer) -> Turn:
    return Turn(
        question=question,
        answer=answer.answer,
        language=answer.language,
        refused=answer.refused,
        sources=sources_of(answer.citations, answer),
        related=sources_of(answer.related, answer),
    )


def history_of(turns: Sequence[Turn]) -> list[Message]:
    """The exchanges the assistant should see: answered turns only, in their raw text."""
    out: list[Message] = []
    for t in turns:
        if t.answered:
            out += [Message("user", t.question), Message("assistant", t.answer)]
    return out


def last_answered(turns: Sequence[Turn]) -> Turn | None:
    return next((t for t in reversed(turns) if t.answered), None)


# --- escaping and highlighting ---------------------------------------------------------------


def escape(text: str) -> str:
    return html.escape(text or "", quote=True)


@dataclass(frozen=True)
class Terms:
    """What of a question is worth highlighting: its content words, folded, and their stems."""

    words: frozenset[str] = frozenset()
    stems: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.words)

    def matches(self, token: str) -> bool:
        folded = fold(token)
        if folded in self.words:
            return True
        return bool(self.stems) and not self.stems.isdisjoint(_stems(folded))


_ALL_STOPWORDS = frozenset().union(*STOPWORDS.values())


def question_terms(question: str) -> Terms:
    ws = frozenset(w for w in words(question or "") if w not in _ALL_STOPWORDS and len(w) > 2)
    stems = frozenset(s for w in ws for s in _stems(w) if len(s) > 2)
    return Terms(ws, stems)


@lru_cache(maxsize=20000)
def _stems(folded_word: str) -> tuple[str, ...]:
    return tuple(query_tokens(folded_word))


# An entity produced by escape() is skipped whole, so highlighting never cuts one in two.
_TOKEN = re.compile(r"&#?\w+;|[^\W_]+(?:/[^\W_]+)*")


def highlight(escaped: str, terms: Terms) -> str:
    """Wraps matching words of already-escaped text in <mark>."""
    if not terms:
        return escaped

    def mark(m: re.Match) -> str:
        token = m.group(0)
        if token.startswith("&") or not terms.matches(token):
            return token
        return f"<mark>{token}</mark>"

    return _TOKEN.sub(mark, escaped)


def render_text(text: str, terms: Terms = Terms()) -> str:
    return highlight(escape(text), terms)


# --- citations as links ----------------------------------------------------------------------


def deep_link_query(document: str, paragraph: str, language: str = "") -> str:
    params = {"document": document, "paragraph": paragraph}
    if language:
        params["language"] = language
    return urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


def _open_attrs(document: str, paragraph: str, language: str) -> str:
    return (
        f'data-reso-open="1" data-document="{escape(document)}" data-paragraph="{escape(paragraph)}"'
        f' data-language="{escape(language)}"'
    )


def marker_text(document: str, paragraph: str) -> str:
    """The marker as shown, with entity brackets so Markdown never reads it as link syntax."""
    return f"&#91;{escape(document)}, {escape(paragraph)}&#93;"


def citation_link(document: str, paragraph: str, language: str = "") -> str:
    href = escape("?" + deep_link_query(document, paragraph, language))
    return f'<a class="reso-citation" href="{href}" {_open_attrs(document, paragraph, language)}>{marker_text(document, paragraph)}</a>'


def citation_button(document: str, paragraph: str, language: str, css_class: str = "reso-citation", label: str = "") -> str:
    title = f' title="{escape(label)}"' if label else ""
    return (
        f'<button type="button" class="{css_class}" {_open_attrs(document, paragraph, language)}{title}>'
        f"{marker_text(document, paragraph)}</button>"
    )


def render_answer(text: str, languages: Mapping[tuple[str, str], str] | None = None) -> str:
    """Answer text for the chat: escaped, each `[SYMBOL, PID]` marker turned into a citation link."""
    languages = languages or {}
    out, pos = [], 0
    for m in MARKER.finditer(text or ""):
        doc, pid = m.group(1).strip(), m.group(2).strip()
        out.append(escape(text[pos : m.start()]))
        out.append(citation_link(doc, pid, languages.get((normalise_symbol(doc), normalise_pid(pid)), "")))
        pos = m.end()
    out.append(escape((text or "")[pos:]))
    return "".join(out)


def _languages_of(turn: Turn) -> dict[tuple[str, str], str]:
    return {(normalise_symbol(s.document), normalise_pid(s.paragraph)): s.language for s in (*turn.sources, *turn.related)}


# --- the chat --------------------------------------------------------------------------------


def assistant_message(turn: Turn, ui_lang: str) -> str:
    if turn.error:
        return f'<span class="reso-error">⚠️ {escape(turn.error)}</span>'
    if turn.pending and not turn.answer:
        return f'<span class="reso-hint">{escape(phrase("ui_working", ui_lang))}</span>'
    text = render_answer(turn.answer, _languages_of(turn))
    if turn.refused and turn.related:
        text += f'\n\n<span class="reso-hint">{escape(phrase("ui_related_hint", ui_lang))}</span>'
    return text


def chat_messages(turns: Sequence[Turn], ui_lang: str) -> list[dict[str, str]]:
    """Chatbot value in Gradio 6's messages format."""
    out: list[dict[str, str]] = []
    for t in turns:
        out.append({"role": "user", "content": escape(t.question)})
        out.append({"role": "assistant", "content": assistant_message(t, ui_lang)})
    return out


# --- the sources panel -----------------------------------------------------------------------


def _lang_name(code: str, ui_lang: str) -> str:
    try:
        return phrase(f"lang_{code}", ui_lang)
    except KeyError:
        return code


def _meta_line(title: str, body: str, when: str, language: str, ui_lang: str) -> str:
    parts = [f'<span class="reso-title">{escape(title)}</span>'] if title else []
    if body:
        try:
            parts.append(f'<span class="reso-body">{escape(phrase(f"ui_body_{body}", ui_lang))}</span>')
        except KeyError:
            parts.append(f'<span class="reso-body">{escape(body)}</span>')
    if when:
        parts.append(f'<span class="reso-date">{escape(phrase("ui_adopted", ui_lang, date=when))}</span>')
    if language:
        parts.append(f'<span class="reso-language">{escape(_lang_name(language, ui_lang))}</span>')
    return " · ".join(parts)


def _text_attrs(language: str) -> str:
    direction = "rtl" if language in RTL_LANGUAGES else "auto"
    return f'lang="{escape(language)}" dir="{direction}"'


def render_source(source: Source, terms: Terms, ui_lang: str, related: bool = False) -> str:
    css = "reso-related-item" if related else "reso-source"
    button = citation_button(
        source.document,
        source.paragraph,
        source.language,
        "reso-related-open" if related else "reso-citation",
        phrase("ui_open", ui_lang),
    )
    tag = f'<span class="reso-tag">{escape(phrase("ui_related_tag", ui_lang))}</span>' if related else ""
    return (
        f'<li class="{css}" data-document="{escape(source.document)}" data-paragraph="{escape(source.paragraph)}">'
        f'<div class="reso-source-head">{button}{tag}</div>'
        f'<p class="reso-meta"><span class="reso-symbol">{escape(source.document)}</span>'
        f' · <span class="reso-pid">{escape(source.paragraph)}</span> · {_meta_line(source.title, source.body, source.date, source.language, ui_lang)}</p>'
        f'<blockquote class="reso-text" {_text_attrs(source.language)}>{render_text(source.text, terms)}</blockquote>'
        "</li>"
    )


def render_sources(turn: Turn | None, ui_lang: str) -> str:
    """The right-hand panel for the latest answer: its sources, or its possibly related paragraphs."""
    if turn is None:
        return _panel(f'<p class="reso-hint">{escape(phrase("ui_sources_empty", ui_lang))}</p>')
    if turn.pending:
        return _panel(f'<p class="reso-hint">{escape(phrase("ui_working", ui_lang))}</p>')
    if turn.error:
        return _panel(f'<p class="reso-hint">{escape(phrase("ui_sources_empty", ui_lang))}</p>')
    terms = question_terms(turn.question)
    if turn.refused:
        body = f'<p class="reso-notice">{escape(phrase("ui_refused_note", ui_lang))}</p>'
        if turn.related:
            items = "".join(render_source(s, terms, ui_lang, related=True) for s in turn.related)
            body += (
                f'<section class="reso-related"><h4>{escape(phrase("refusal_related", ui_lang))}</h4>'
                f'<ol class="reso-related-list">{items}</ol></section>'
            )
        return _panel(body, "reso-refused")
    if not turn.sources:
        return _panel(f'<p class="reso-hint">{escape(phrase("ui_sources_none", ui_lang))}</p>')
    items = "".join(render_source(s, terms, ui_lang) for s in turn.sources)
    return _panel(f'<ol class="reso-source-list">{items}</ol>')


def _panel(inner: str, extra_class: str = "") -> str:
    classes = " ".join(c for c in ("reso-panel", "reso-sources", extra_class) if c)
    return f'<div class="{classes}">{inner}</div>'


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def picker_choices(turn: Turn | None, ui_lang: str) -> list[tuple[str, str]]:
    """Choices of the script-free citation picker: label shown, deep-link query as the value."""
    if turn is None or not turn.answered:
        return []
    out = [(f"[{s.document}, {s.paragraph}] {_shorten(s.title, 60)}".strip(), s.query) for s in turn.sources]
    tag = phrase("ui_related_tag", ui_lang)
    out += [(f"[{s.document}, {s.paragraph}] ({tag})", s.query) for s in turn.related]
    return out


# --- the paragraph in its document -----------------------------------------------------------


def _paragraph_block(chunk: Chunk, css: str, terms: Terms = Terms(), current: bool = False) -> str:
    """One paragraph with its id; any paragraph but the current one opens itself when its id is clicked."""
    pid = escape(chunk.paragraph)
    if current:
        label, aria = f'<span class="reso-pid">{pid}</span>', ' aria-current="true"'
    else:
        attrs = _open_attrs(chunk.document, chunk.paragraph, chunk.language)
        label, aria = f'<button type="button" class="reso-neighbour-open" {attrs}><span class="reso-pid">{pid}</span></button>', ""
    classes = f"reso-paragraph {css}".strip()
    return (
        f'<div{aria} class="{classes}" data-paragraph="{pid}" {_text_attrs(chunk.language)}>'
        f"{label}{render_text(chunk.text, terms)}</div>"
    )


def render_paragraph_view(view: ParagraphView | None, ui_lang: str, terms: Terms = Terms(), missing: tuple[str, str] | None = None) -> str:
    """The cited paragraph between its neighbours, then every language version side by side."""
    if view is None:
        if missing:
            text = phrase("ui_paragraph_missing", ui_lang, document=missing[0], paragraph=missing[1])
            return _view(f'<p class="reso-notice">{escape(text)}</p>')
        return _view(f'<p class="reso-hint">{escape(phrase("ui_paragraph_empty", ui_lang))}</p>')
    c, rec = view.chunk, view.record
    head = (
        f'<h3 class="reso-view-title">{escape(c.document)} · {escape(c.paragraph)}</h3>'
        f'<p class="reso-meta">{_meta_line(rec.title if rec else c.title, c.body, c.date, c.language, ui_lang)}</p>'
    )
    context = "".join(_paragraph_block(n, "reso-neighbour", terms) for n in view.before)
    context += _paragraph_block(c, "reso-focus", terms, current=True)
    context += "".join(_paragraph_block(n, "reso-neighbour", terms) for n in view.after)
    order = [c.language, *sorted(lang for lang in view.versions if lang != c.language)]
    versions = "".join(
        f'<section class="reso-version" data-language="{escape(lang)}"><h5>{escape(_lang_name(lang, ui_lang))} ({escape(lang)})</h5>'
        f'<p {_text_attrs(lang)}>{render_text(view.versions[lang].text, terms)}</p></section>'
        for lang in order
        if lang in view.versions
    )
    return _view(
        head
        + f'<div class="reso-context">{context}</div>'
        + f'<h4>{escape(phrase("ui_versions", ui_lang))}</h4><div class="reso-versions">{versions}</div>',
        c.document,
        c.paragraph,
    )


def _view(inner: str, document: str = "", paragraph: str = "") -> str:
    attrs = f' data-document="{escape(document)}" data-paragraph="{escape(paragraph)}"' if document else ""
    return f'<div class="reso-panel reso-view"{attrs}>{inner}</div>'


def render_document(chunks: Sequence[Chunk], current: str, ui_lang: str, terms: Terms = Terms()) -> str:
    """Every paragraph of one language version, the opened one marked, each one clickable."""
    if not chunks:
        return _view(f'<p class="reso-hint">{escape(phrase("ui_whole_empty", ui_lang))}</p>')
    want = normalise_pid(current).split("(", 1)[0]
    blocks = (
        _paragraph_block(ch, "reso-current", terms, current=True)
        if normalise_pid(ch.paragraph) == want
        else _paragraph_block(ch, "")
        for ch in chunks
    )
    return f'<div class="reso-panel reso-document">{"".join(blocks)}</div>'


# --- filters ---------------------------------------------------------------------------------


class FilterError(ValueError):
    """A filter value the user must correct; the message is ready to show."""


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(value: str | None, ui_lang: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        if not _DATE.match(value):
            raise ValueError
        date.fromisoformat(value)
    except ValueError:
        raise FilterError(phrase("ui_date_invalid", ui_lang, value=value)) from None
    return value


def parse_filters(
    documents: Sequence[str] | str | None,
    bodies: Sequence[str] | None,
    languages: Sequence[str] | None,
    date_from: str | None,
    date_to: str | None,
    ui_lang: str = "en",
) -> Filters:
    """The UI's filter widgets as the assistant's `Filters`; raises FilterError with a friendly message."""
    if isinstance(documents, str):
        documents = [documents]
    start, end = parse_date(date_from, ui_lang), parse_date(date_to, ui_lang)
    if start and end and start > end:
        raise FilterError(phrase("ui_date_order", ui_lang, date_from=start, date_to=end))
    return Filters(
        documents=tuple(d for d in documents or () if d),
        bodies=tuple(b for b in bodies or () if b),
        languages=tuple(lang for lang in languages or () if lang),
        date_from=start,
        date_to=end,
    )


def body_choices(ui_lang: str) -> list[tuple[str, str]]:
    return [(f"{phrase(f'ui_body_{b}', ui_lang)} ({b})", b) for b in BODIES]


# --- export ----------------------------------------------------------------------------------

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


def _write_temp(name: str, text: str, ttl_s: float = EXPORT_TTL_S) -> str:
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
    path.write_text(text, encoding="utf-8")
    return str(path)


# --- page load: deep link and interface language ---------------------------------------------


def parse_deep_link(params: Mapping[str, str]) -> tuple[str, str, str] | None:
    document = (params.get("document") or "").strip()
    paragraph = (params.get("paragraph") or "").strip()
    if not document or not paragraph:
        return None
    return document, paragraph, (params.get("language") or "").strip()


def ui_language_for(accept_language: str | None, requested: str | None = None) -> str:
    """`?ui=fr` first, else the browser's first supported preference, else English."""
    supported = {code for _, code in UI_LANGUAGES}
    if requested and requested.lower() in supported:
        return requested.lower()
    prefs = []
    for part in (accept_language or "").split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        prefs.append((weight, tag.split("-")[0].lower()))
    for _, code in sorted(prefs, key=lambda p: -p[0]):
        if code in supported:
            return code
    return "en"


# --- handlers --------------------------------------------------------------------------------


@dataclass
class Opened:
    """The paragraph the view shows, kept so a change of interface language can re-render it."""

    document: str
    paragraph: str
    language: str = ""


@dataclass
class Handlers:
    """Event handlers over the shared services; plain methods so tests call them directly."""

    services: Services
    feedback: FeedbackStore

    # asking

    def ask(
        self,
        question: str,
        turns: list[Turn] | None,
        documents: Sequence[str] | None = None,
        bodies: Sequence[str] | None = None,
        languages: Sequence[str] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        ui_lang: str = "en",
    ) -> Iterator[tuple[Any, ...]]:
        """Streams (chat, turns, sources panel, citation picker, question box) as the answer grows."""
        turns = list(turns or [])
        question = (question or "").strip()
        if not question:
            yield self._outputs(turns, ui_lang, question_box=gr.update())
            return
        try:
            filters = parse_filters(documents, bodies, languages, date_from, date_to, ui_lang)
        except FilterError as exc:
            yield self._outputs([*turns, Turn(question, error=str(exc))], ui_lang)
            return
        history = history_of(turns)
        turn = Turn(question, pending=True)
        yield self._outputs([*turns, turn], ui_lang)
        try:
            for event in self.services.assistant.stream(question, history, filters):
                if isinstance(event, Delta):
                    turn = replace(turn, answer=turn.answer + event.text)
                    yield self._outputs([*turns, turn], ui_lang)
                elif isinstance(event, Done):
                    turn = turn_from_answer(question, event.answer)
        except InvalidQuestion as exc:
            turn = Turn(question, error=phrase("ui_error_question", ui_lang, reason=str(exc)))
        except StoreUnavailable as exc:  # a Chroma server down or restarting: no traceback, it will pass
            log.warning("the index server is unreachable: %s", exc.__cause__ or exc)
            turn = Turn(question, error=STORE_UNAVAILABLE.get(ui_lang, STORE_UNAVAILABLE["en"]))
        except ResoError:
            log.exception("the assistant failed on a question")
            turn = Turn(question, error=phrase("ui_error_backend", ui_lang))
        except Exception:  # a bug must not reach the user as a stack trace; it goes to the log
            log.exception("unexpected error while answering")
            turn = Turn(question, error=phrase("ui_error_unexpected", ui_lang))
        if turn.pending:  # the stream ended without its final event
            turn = Turn(question, error=phrase("ui_error_unexpected", ui_lang))
        yield self._outputs([*turns, turn], ui_lang)

    def _outputs(self, turns: list[Turn], ui_lang: str, question_box: Any = "") -> tuple[Any, ...]:
        latest = turns[-1] if turns else None
        choices = picker_choices(latest, ui_lang)
        picker = gr.update(choices=choices, value=None, visible=bool(choices))
        return chat_messages(turns, ui_lang), turns, render_sources(latest, ui_lang), picker, question_box

    def clear(self, ui_lang: str) -> tuple[Any, ...]:
        return (*self._outputs([], ui_lang), "")

    # opening a paragraph

    def open_paragraph(self, opened: Opened | None, turns: Sequence[Turn] | None, ui_lang: str) -> tuple[str, str, Opened | None]:
        """(paragraph view, whole resolution, state); the latest question's words are highlighted."""
        if opened is None:
            return render_paragraph_view(None, ui_lang), render_document([], "", ui_lang), None
        latest = last_answered(turns or [])
        terms = question_terms(latest.question) if latest else Terms()
        library = self.services.library
        try:
            view = library.paragraph(opened.document, opened.paragraph, opened.language or None, window=NEIGHBOURS)
        except Exception:
            log.exception("paragraph look-up failed")
            view = None
        if view is None:
            missing = render_paragraph_view(None, ui_lang, missing=(opened.document, opened.paragraph))
            return missing, render_document([], "", ui_lang), opened
        chunks = library.document_chunks(view.chunk.document, view.chunk.language)
        return render_paragraph_view(view, ui_lang, terms), render_document(chunks, view.chunk.paragraph, ui_lang, terms), opened

    def on_citation_event(self, turns: list[Turn], ui_lang: str, evt: gr.EventData) -> tuple[str, str, Opened | None]:
        data = getattr(evt, "_data", None) or {}
        link = parse_deep_link({k: str(v) for k, v in data.items()}) if isinstance(data, dict) else None
        return self.open_paragraph(Opened(*link) if link else None, turns, ui_lang)

    def on_pick(self, picked: str | None, turns: list[Turn], ui_lang: str) -> tuple[str, str, Opened | None]:
        params = dict(urllib.parse.parse_qsl(picked or ""))
        link = parse_deep_link(params)
        return self.open_paragraph(Opened(*link) if link else None, turns, ui_lang)

    def on_load(self, request: gr.Request) -> tuple[Any, ...]:
        """Interface language from the browser, fresh filter choices, and the deep link if any."""
        params = dict(getattr(request, "query_params", {}) or {})
        headers = getattr(request, "headers", {}) or {}
        ui_lang = ui_language_for(headers.get("accept-language"), params.get("ui"))
        link = parse_deep_link(params)
        view, whole, opened = self.open_paragraph(Opened(*link) if link else None, [], ui_lang)
        return (
            ui_lang,
            gr.update(choices=self.document_choices()),
            gr.update(choices=self.language_choices(ui_lang)),
            view,
            whole,
            opened,
        )

    # filters

    def document_choices(self) -> list[tuple[str, str]]:
        out = []
        for d in self.services.library.documents():
            title = _shorten(d.title, 70)
            out.append((f"{d.document} — {title}" if title else d.document, d.document))
        return out

    def language_choices(self, ui_lang: str) -> list[tuple[str, str]]:
        codes = sorted({lang for d in self.services.library.documents() for lang in d.languages})
        return [(f"{_lang_name(c, ui_lang)} ({c})", c) for c in codes]

    def check_dates(self, date_from: str, date_to: str, ui_lang: str) -> str:
        try:
            parse_filters((), (), (), date_from, date_to, ui_lang)
        except FilterError as exc:
            return f"⚠️ {md_escape(str(exc))}"
        return ""

    # feedback and export

    def rate(self, rating: int, turns: list[Turn] | None, comment: str, ui_lang: str) -> tuple[str, str]:
        """Stores a judgement of the latest answer; returns (status, emptied comment box)."""
        turn = last_answered(turns or [])
        if turn is None:
            return phrase("ui_feedback_nothing", ui_lang), comment
        self.feedback.add(
            turn.question,
            turn.answer,
            [{"document": s.document, "paragraph": s.paragraph, "language": s.language} for s in turn.sources],
            rating,
            comment or "",
            language=turn.language,
            refused=turn.refused,
        )
        return phrase("ui_feedback_saved", ui_lang), ""

    def export_markdown(self, turns: list[Turn] | None, ui_lang: str, request: gr.Request | None = None) -> tuple[Any, str]:
        if not turns:
            return None, phrase("ui_export_empty", ui_lang)
        text = conversation_markdown(turns, ui_lang, self._base_url(request))
        return _write_temp("conversation.md", text), text

    def export_feedback(self, admin_key: str | None, ui_lang: str) -> tuple[str | None, str]:
        """(file, status). Feedback holds other users' questions: with RESO_ADMIN_KEY set, only its holder exports."""
        expected = self.services.settings.admin_key
        if expected and not hmac.compare_digest((admin_key or "").encode(), expected.encode()):
            return None, phrase("ui_admin_required", ui_lang)
        lines = self.feedback.export_eval_lines()
        path = _write_temp("feedback-eval.jsonl", "".join(line + "\n" for line in lines))
        return path, phrase("ui_feedback_exported", ui_lang, n=str(len(lines)))

    def _base_url(self, request: gr.Request | None) -> str | None:
        if self.services.settings.public_url:
            return self.services.settings.public_url
        base = getattr(request, "base_url", None) if request is not None else None
        return str(base) if base else None


# --- the page --------------------------------------------------------------------------------


def theme() -> gr.themes.Theme:
    """System fonts only: the page must render with no network."""
    return gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"])


def _asset(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def _header(ui_lang: str) -> str:
    return f"## {phrase('ui_title', ui_lang)}\n{phrase('ui_intro', ui_lang)}"


def _heading(key: str) -> Callable[[str], str]:
    return lambda lang: f"### {phrase(key, lang)}"


class Labels:
    """Which phrase goes in which attribute of which component, so a language switch relabels the page."""

    def __init__(self) -> None:
        self.entries: list[tuple[gr.components.Component, Callable[[str], dict[str, Any]]]] = []

    def make(self, factory: Callable[..., Any], keys: Mapping[str, str | Callable[[str], Any]], **kwargs: Any) -> Any:
        """`factory(**kwargs)` with each attribute in `keys` set in English: a phrase key, or a function of the language."""

        def attrs(lang: str) -> dict[str, Any]:
            return {attr: key(lang) if callable(key) else phrase(key, lang) for attr, key in keys.items()}

        component = factory(**attrs("en"), **kwargs)
        self.entries.append((component, attrs))
        return component

    @property
    def components(self) -> list[gr.components.Component]:
        return [component for component, _ in self.entries]

    def updates(self, lang: str) -> list[dict[str, Any]]:
        return [gr.update(**attrs(lang)) for _, attrs in self.entries]


def _ask_area(page: SimpleNamespace, labels: Labels) -> None:
    page.chatbot = labels.make(
        gr.Chatbot,
        {"label": "ui_chat_label", "placeholder": "ui_chat_placeholder"},
        elem_id="chat",
        height=520,
        buttons=["copy", "copy_all"],
        feedback_options=None,  # the explicit thumbs below take a comment too
        sanitize_html=True,
    )
    with gr.Row(elem_id="ask-row"):
        page.question = labels.make(
            gr.Textbox,
            {"label": "ui_question_label", "placeholder": "ui_question_placeholder"},
            lines=1,
            max_lines=4,
            autofocus=True,
            scale=5,
            elem_id="question",
        )
        page.ask_button = labels.make(gr.Button, {"value": "ui_ask"}, variant="primary", scale=1, min_width=100, elem_id="ask-button")
    with gr.Row(elem_id="examples"):
        labels.make(gr.Markdown, {"value": "ui_examples"}, elem_id="examples-label")
        page.examples = [
            gr.Button(q, size="sm", elem_classes=["reso-example"], elem_id=f"example-{i}") for i, q in enumerate(EXAMPLES, 1)
        ]


def _filters(page: SimpleNamespace, labels: Labels, h: Handlers) -> None:
    with labels.make(gr.Accordion, {"label": "ui_filters"}, open=False, elem_id="filters"):
        page.documents = labels.make(
            gr.Dropdown, {"label": "ui_filter_documents"}, choices=h.document_choices(), multiselect=True, elem_id="filter-documents"
        )
        with gr.Row():
            page.bodies = labels.make(
                gr.CheckboxGroup, {"label": "ui_filter_bodies", "choices": body_choices}, elem_id="filter-bodies"
            )
            page.languages = labels.make(
                gr.CheckboxGroup, {"label": "ui_filter_languages", "choices": h.language_choices}, elem_id="filter-languages"
            )
        with gr.Row():
            page.date_from = labels.make(
                gr.Textbox, {"label": "ui_date_from"}, placeholder="2015-01-01", max_lines=1, elem_id="filter-date-from"
            )
            page.date_to = labels.make(gr.Textbox, {"label": "ui_date_to"}, placeholder="2024-12-31", max_lines=1, elem_id="filter-date-to")
        page.filter_status = gr.Markdown("", elem_id="filter-status")


def _feedback(page: SimpleNamespace, labels: Labels) -> None:
    with gr.Group(elem_id="feedback"):
        labels.make(gr.Markdown, {"value": "ui_feedback"}, elem_id="feedback-label", padding=True)
        page.comment = labels.make(gr.Textbox, {"label": "ui_feedback_comment"}, max_lines=3, elem_id="feedback-comment")
        with gr.Row():
            page.thumbs_up = labels.make(gr.Button, {"value": "ui_thumbs_up"}, elem_id="feedback-up")
            page.thumbs_down = labels.make(gr.Button, {"value": "ui_thumbs_down"}, elem_id="feedback-down")
        page.feedback_status = gr.Markdown("", elem_id="feedback-status")


def _export(page: SimpleNamespace, labels: Labels, admin: bool) -> None:
    with labels.make(gr.Accordion, {"label": "ui_export"}, open=False, elem_id="export"):
        with gr.Row():
            page.export_md = labels.make(gr.Button, {"value": "ui_export_markdown"}, elem_id="export-markdown")
            page.export_fb = labels.make(gr.Button, {"value": "ui_export_feedback"}, elem_id="export-feedback")
        page.admin_key = labels.make(gr.Textbox, {"label": "ui_admin_key"}, type="password", visible=admin, elem_id="admin-key")
        page.export_status = gr.Markdown("", elem_id="export-status")
        page.export_file = labels.make(gr.File, {"label": "ui_export_file"}, interactive=False, elem_id="export-file")
        page.export_text = labels.make(
            gr.Textbox,
            {"label": "ui_export_text"},
            lines=6,
            max_lines=20,
            interactive=False,
            buttons=["copy"],
            elem_id="export-markdown-text",
        )


def _side(page: SimpleNamespace, labels: Labels) -> None:
    html_panel = {"js_on_load": None, "apply_default_css": False}  # our CSS, no click events of their own
    labels.make(gr.Markdown, {"value": _heading("ui_sources")}, elem_id="sources-title")
    page.sources = gr.HTML(render_sources(None, "en"), elem_id="sources-panel", max_height=600, **html_panel)
    page.picker = labels.make(gr.Radio, {"label": "ui_citation_picker"}, choices=[], value=None, visible=False, elem_id="citation-picker")
    labels.make(gr.Markdown, {"value": _heading("ui_paragraph_view")}, elem_id="paragraph-view-title")
    page.paragraph_view = gr.HTML(render_paragraph_view(None, "en"), elem_id="paragraph-view", **html_panel)
    with labels.make(gr.Accordion, {"label": "ui_whole_resolution"}, open=False, elem_id="whole-resolution"):
        page.whole = gr.HTML(render_document([], "", "en"), elem_id="whole-resolution-text", max_height=600, **html_panel)


def _wire(page: SimpleNamespace, labels: Labels, h: Handlers, demo: gr.Blocks) -> None:
    """Every event of the page; all private, because the project's HTTP API (/api/...) is the public one."""
    private: dict[str, Any] = {"api_visibility": "private"}
    asking = {"concurrency_limit": 4, "concurrency_id": "ask", **private}
    filters = [page.documents, page.bodies, page.languages, page.date_from, page.date_to, page.ui_lang]
    ask_outputs = [page.chatbot, page.turns, page.sources, page.picker, page.question]
    page.question.submit(h.ask, [page.question, page.turns, *filters], ask_outputs, **asking)
    page.ask_button.click(h.ask, [page.question, page.turns, *filters], ask_outputs, **asking)
    for button in page.examples:  # a button's value is its label: the example question itself
        button.click(h.ask, [button, page.turns, *filters], ask_outputs, **asking)
    page.clear.click(h.clear, [page.ui_lang], [*ask_outputs, page.feedback_status], **private)

    view_outputs = [page.paragraph_view, page.whole, page.opened]
    page.assets.open_citation(h.on_citation_event, [page.turns, page.ui_lang], view_outputs, **private)
    page.picker.input(h.on_pick, [page.picker, page.turns, page.ui_lang], view_outputs, **private)

    for box in (page.date_from, page.date_to):
        box.blur(h.check_dates, [page.date_from, page.date_to, page.ui_lang], page.filter_status, **private)
        box.submit(h.check_dates, [page.date_from, page.date_to, page.ui_lang], page.filter_status, **private)

    def rate_up(turns: list[Turn], comment: str, lang: str) -> tuple[str, str]:
        return h.rate(1, turns, comment, lang)

    def rate_down(turns: list[Turn], comment: str, lang: str) -> tuple[str, str]:
        return h.rate(-1, turns, comment, lang)

    rating = ([page.turns, page.comment, page.ui_lang], [page.feedback_status, page.comment])
    page.thumbs_up.click(rate_up, *rating, **private)
    page.thumbs_down.click(rate_down, *rating, **private)
    page.export_md.click(h.export_markdown, [page.turns, page.ui_lang], [page.export_file, page.export_text], **private)
    page.export_fb.click(h.export_feedback, [page.admin_key, page.ui_lang], [page.export_file, page.export_status], **private)

    def relabel(lang: str, turns: list[Turn], opened: Opened | None) -> list[Any]:
        view, whole, _ = h.open_paragraph(opened, turns, lang)
        return [*labels.updates(lang), render_sources(turns[-1] if turns else None, lang), view, whole]

    page.ui_lang.change(
        relabel,
        [page.ui_lang, page.turns, page.opened],
        [*labels.components, page.sources, page.paragraph_view, page.whole],
        **private,
    )
    demo.load(h.on_load, None, [page.ui_lang, page.documents, page.languages, *view_outputs], **private)


def build(services: Services, feedback: FeedbackStore | None = None) -> gr.Blocks:
    """The Gradio app over `services`; every handler closes over them, nothing is global."""
    h = Handlers(services, feedback or FeedbackStore.in_dir(services.settings.data_dir))
    labels = Labels()
    page = SimpleNamespace()
    # delete_cache: Gradio's own copies of exported files go after an hour too
    with gr.Blocks(title=phrase("ui_title", "en"), analytics_enabled=False, fill_width=True,
                   delete_cache=(EXPORT_TTL_S, EXPORT_TTL_S)) as demo:
        page.assets = gr.HTML(
            f"<style>{_asset('reso.css')}</style>",
            js_on_load=_asset("reso.js"),
            elem_id="reso-assets",
            container=False,
            padding=False,
            apply_default_css=False,
        )
        page.turns, page.opened = gr.State([]), gr.State(None)
        with gr.Row(elem_id="reso-header"):
            labels.make(gr.Markdown, {"value": _header}, elem_id="reso-title")
            page.ui_lang = labels.make(
                gr.Radio, {"label": "ui_language"}, choices=UI_LANGUAGES, value="en", elem_id="ui-language", scale=0, min_width=220
            )
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, elem_id="chat-column"):
                _ask_area(page, labels)
                _filters(page, labels, h)
                _feedback(page, labels)
                _export(page, labels, admin=bool(services.settings.admin_key))
                page.clear = labels.make(gr.Button, {"value": "ui_clear"}, variant="secondary", elem_id="clear-button")
            with gr.Column(scale=2, elem_id="side-column"):
                _side(page, labels)
        _wire(page, labels, h, demo)
    return demo
