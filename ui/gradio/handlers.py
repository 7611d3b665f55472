"""The page's event handlers: plain methods over the shared services, so tests call them directly.

Errors become the sentence the error table (`reso.errors`) names for the interface language;
a bug reaches the log, never the page.
"""

from __future__ import annotations

import hmac
import logging
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import gradio as gr

from reso.assistant.core import Delta, Done
from reso.errors import log_error, user_message
from reso.prompts import phrase
from reso.schema import clean_text
from reso.ui.feedback import FeedbackStore
from reso.ui.gradio.export import _write_temp, conversation_markdown, md_escape
from reso.ui.gradio.examples import COUNT as EXAMPLE_COUNT
from reso.ui.gradio.examples import example_questions
from reso.ui.gradio.filters import FilterError, parse_filters
from reso.ui.gradio.highlight import Terms
from reso.ui.gradio.record import Turn, history_of, last_answered, turn_from_answer
from reso.ui.gradio.render import (
    _lang_name,
    _shorten,
    chat_messages,
    picker_choices,
    render_document,
    render_paragraph_view,
    render_sources,
)
from reso.ui.services import Services

log = logging.getLogger(__name__)
# the six official languages, each named in itself, in the UN's order (Arabic, Chinese, English, French, Russian, Spanish)
UI_LANGUAGES: tuple[tuple[str, str], ...] = (
    ("العربية", "ar"), ("中文", "zh"), ("English", "en"), ("Français", "fr"), ("Русский", "ru"), ("Español", "es"),
)  # fmt: skip
RTL_UI = frozenset({"ar"})  # interface languages written right to left: the page is mirrored
NEIGHBOURS = 2


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
    _example_cache: dict[str, tuple[int, list[str]]] = field(default_factory=dict, init=False, repr=False)

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
        votes: Sequence[str] | None = None,
        sponsors: Sequence[str] | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """Streams (chat, turns, sources panel, citation picker, question box) as the answer grows."""
        turns = list(turns or [])
        question = clean_text(question or "").strip()  # the door: the same normalisation as the API's
        if not question:
            yield self._outputs(turns, ui_lang, question_box=gr.update())
            return
        try:
            filters = parse_filters(documents, bodies, languages, date_from, date_to, ui_lang, votes, sponsors)
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
        except Exception as exc:  # a bug must not reach the user as a stack trace; it goes to the log
            log_error(log, exc, "while answering")
            turn = Turn(question, error=user_message(exc, ui_lang))
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
        terms = latest.terms if latest else Terms()
        library = self.services.library
        try:
            view = library.paragraph(opened.document, opened.paragraph, opened.language or None, window=NEIGHBOURS)
            chunks = library.document_chunks(view.chunk.document, view.chunk.language) if view is not None else []
        except Exception as exc:  # the index failed, which is not "this paragraph does not exist"
            log_error(log, exc, "while opening a paragraph")
            notice = render_paragraph_view(None, ui_lang, error=user_message(exc, ui_lang))
            return notice, render_document([], "", ui_lang), opened
        if view is None:
            missing = render_paragraph_view(None, ui_lang, missing=(opened.document, opened.paragraph))
            return missing, render_document([], "", ui_lang), opened
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
        """Interface language from the browser, fresh filter choices, the deep link if any, and
        example questions from what is indexed now (one update per example button)."""
        params = dict(getattr(request, "query_params", {}) or {})
        headers = getattr(request, "headers", {}) or {}
        ui_lang = ui_language_for(headers.get("accept-language"), params.get("ui"))
        link = parse_deep_link(params)
        view, whole, opened = self.open_paragraph(Opened(*link) if link else None, [], ui_lang)
        return (
            ui_lang,
            *self._choice_updates(ui_lang),
            view,
            whole,
            opened,
            *self.example_updates(ui_lang),
        )

    # example questions

    def example_updates(self, ui_lang: str) -> list[dict[str, Any]]:
        """One update per example button: a question about an indexed document, in `ui_lang`;
        buttons without a question are hidden. A failing index leaves them hidden, not the page broken."""
        try:
            questions = self._examples(ui_lang)
        except Exception as exc:
            log_error(log, exc, "while choosing example questions")
            questions = []
        return [
            gr.update(value=questions[i], visible=True) if i < len(questions) else gr.update(visible=False)
            for i in range(EXAMPLE_COUNT)
        ]

    def _examples(self, ui_lang: str) -> list[str]:
        """The examples, chosen again only when the index changed: every page load asks for them,
        and choosing reads a few documents' paragraphs."""
        records = self.services.library.document_records()
        fingerprint = hash(tuple((r.document, r.language, r.content_sha) for r in records))
        cached = self._example_cache.get(ui_lang)
        if cached is not None and cached[0] == fingerprint:
            return cached[1]
        questions = example_questions(self.services.library, ui_lang, EXAMPLE_COUNT)
        self._example_cache[ui_lang] = (fingerprint, questions)
        return questions

    # filters

    def _documents(self) -> list | None:
        """The indexed documents, or None when the index cannot be read now (a Chroma server
        restarting): the page is built and loaded all the same, its filters filled at the next load."""
        try:
            return self.services.library.documents()
        except Exception as exc:
            log_error(log, exc, "while listing the documents for the filters")
            return None

    def document_choices(self) -> list[tuple[str, str]]:
        out = []
        for d in self._documents() or []:
            title = _shorten(d.title, 70)
            out.append((f"{d.document} — {title}" if title else d.document, d.document))
        return out

    def language_choices(self, ui_lang: str) -> list[tuple[str, str]]:
        codes = sorted({lang for d in self._documents() or [] for lang in d.languages})
        return [(f"{_lang_name(c, ui_lang)} ({c})", c) for c in codes]

    def _choice_updates(self, ui_lang: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """Fresh document and language choices at page load; unchanged when the index cannot be read."""
        if self._documents() is None:
            return gr.update(), gr.update()
        return gr.update(choices=self.document_choices()), gr.update(choices=self.language_choices(ui_lang))

    def sponsor_choices(self) -> list[str] | None:
        """The sponsors the indexed documents' records name (the current index state's, read once per
        state); None when the index cannot be read now, as for the documents."""
        try:
            return self.services.assistant.adoption.sponsor_names()
        except Exception as exc:
            log_error(log, exc, "while listing the sponsors for the filters")
            return None

    def sponsor_update(self) -> dict[str, Any]:
        """Fresh sponsor choices at page load; unchanged when the index cannot be read."""
        choices = self.sponsor_choices()
        return gr.update() if choices is None else gr.update(choices=choices)

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
            [s.model_dump(include={"document", "paragraph", "language"}) for s in turn.sources],
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

    def export_docx(self, turns: list[Turn] | None, ui_lang: str) -> tuple[Any, str]:
        """(file, status): the conversation as Word, each citation a footnote quoting its paragraph."""
        from reso.ui.export_docx import ExportTurn, conversation_docx

        done = [t for t in turns or [] if t.answered]
        if not done:
            return None, phrase("ui_export_empty", ui_lang)
        data = conversation_docx([ExportTurn(t.question, t.answer, t.sources, t.refused) for t in done], ui_lang)
        return _write_temp("conversation.docx", data), ""

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
