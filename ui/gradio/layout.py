"""The page: its components, their labels in the interface language, and the wiring of events.

Assets are local: the CSS is injected by a hidden component and `theme()` names system fonts only
(Gradio's default theme is also served from its own files). `create_app` passes `theme()` to
`gr.mount_gradio_app`, which in Gradio 6 replaces the Blocks' own theme.

Order on the page: the header (title, intro, language picker, which wraps under the intro on a
phone), then the conversation with the sources beside it (under it on a phone), then feedback
and export, which concern the conversation as a whole. In Arabic the page is mirrored: a script
sets `dir="rtl"` and `lang` on <html> whenever the interface language changes, so the flex rows
reverse (conversation on the right, sources on the left) and the CSS's logical properties follow.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gradio as gr

from reso.prompts import phrase
from reso.ui.feedback import FeedbackStore
from reso.ui.gradio.export import EXPORT_TTL_S
from reso.ui.gradio.filters import body_choices, vote_choices
from reso.ui.gradio.examples import COUNT as EXAMPLE_COUNT
from reso.ui.gradio import lineage_layout
from reso.ui.gradio.handlers import RTL_UI, UI_LANGUAGES, Handlers, Opened
from reso.ui.gradio.lineage import LineageHandlers
from reso.ui.gradio.record import Turn
from reso.ui.gradio.render import render_document, render_paragraph_view, render_sources
from reso.ui.services import Services

STATIC = Path(__file__).resolve().parent.parent / "static"
# Installed fonts only, by name (Debian's fonts-noto-core and fonts-noto-cjk, which CI installs, and
# their usual counterparts on macOS and Windows): the page must render with no network, so no font
# file is fetched. The browser falls back per character, so Arabic and Chinese text in an English
# page still finds its script; reso.css adds a :lang() preference so Chinese gets Chinese glyph forms.
FONTS = [
    "system-ui", "Noto Sans", "Noto Naskh Arabic", "Noto Sans Arabic", "Noto Sans CJK SC", "PingFang SC",
    "Microsoft YaHei", "Geeza Pro", "Segoe UI", "Tahoma", "sans-serif",
]  # fmt: skip

# Sets the page's direction, language and title from the interface language (a client-side event:
# the browser must know before it lays the page out, and Python cannot reach <html>).
def _direction_js() -> str:
    titles = json.dumps({code: phrase("ui_title", code) for _, code in UI_LANGUAGES}, ensure_ascii=False)
    return f"""(lang) => {{
  const rtl = {json.dumps(sorted(RTL_UI))}.includes(lang);
  document.documentElement.setAttribute('dir', rtl ? 'rtl' : 'ltr');
  document.documentElement.setAttribute('lang', lang || 'en');
  document.body.classList.toggle('reso-rtl', rtl);
  const titles = {titles};
  if (titles[lang]) document.title = titles[lang];
  return lang;
}}"""


DIRECTION_JS = _direction_js()


def theme() -> gr.themes.Theme:
    """System fonts only: the page must render with no network."""
    return gr.themes.Default(font=FONTS, font_mono=["ui-monospace", "monospace"])


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


def _rtl(lang: str) -> bool:
    return lang in RTL_UI


def _ask_area(page: SimpleNamespace, labels: Labels) -> None:
    page.chatbot = labels.make(
        gr.Chatbot,
        {"label": "ui_chat_label", "placeholder": "ui_chat_placeholder", "rtl": _rtl},
        elem_id="chat",
        height=520,
        buttons=["copy", "copy_all"],
        feedback_options=None,  # the explicit thumbs below take a comment too
        sanitize_html=True,
    )
    with gr.Row(elem_id="ask-row"):
        page.question = labels.make(
            gr.Textbox,
            {"label": "ui_question_label", "placeholder": "ui_question_placeholder", "rtl": _rtl},
            lines=1,
            max_lines=4,
            autofocus=True,
            scale=5,
            elem_id="question",
        )
        page.ask_button = labels.make(gr.Button, {"value": "ui_ask"}, variant="primary", scale=1, min_width=100, elem_id="ask-button")
    with gr.Row(elem_id="examples"):
        labels.make(gr.Markdown, {"value": "ui_examples"}, elem_id="examples-label")
        # questions about what is indexed, set at page load and on a language switch (handlers.example_updates)
        page.examples = [
            gr.Button("", size="sm", visible=False, elem_classes=["reso-example"], elem_id=f"example-{i}")
            for i in range(1, EXAMPLE_COUNT + 1)
        ]
    page.clear = labels.make(gr.Button, {"value": "ui_clear"}, variant="secondary", size="sm", elem_id="clear-button")


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
        with gr.Row():
            page.votes = labels.make(
                gr.CheckboxGroup, {"label": "ui_filter_votes", "choices": vote_choices}, elem_id="filter-votes"
            )
            # the records' sponsor names; a name typed that is not among them is matched as typed
            page.sponsors = labels.make(
                gr.Dropdown, {"label": "ui_filter_sponsors", "info": "ui_filter_sponsors_info"},
                choices=h.sponsor_choices() or [], multiselect=True, allow_custom_value=True, elem_id="filter-sponsors",
            )
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
            page.export_docx = labels.make(gr.Button, {"value": "ui_export_docx"}, elem_id="export-docx")
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
    page.picker = labels.make(gr.Radio, {"label": "ui_citation_picker", "rtl": _rtl}, choices=[], value=None, visible=False, elem_id="citation-picker")
    labels.make(gr.Markdown, {"value": _heading("ui_paragraph_view")}, elem_id="paragraph-view-title")
    page.paragraph_view = gr.HTML(render_paragraph_view(None, "en"), elem_id="paragraph-view", **html_panel)
    with labels.make(gr.Accordion, {"label": "ui_whole_resolution"}, open=False, elem_id="whole-resolution"):
        page.whole = gr.HTML(render_document([], "", "en"), elem_id="whole-resolution-text", max_height=600, **html_panel)


def _wire(page: SimpleNamespace, labels: Labels, h: Handlers, lh: LineageHandlers, demo: gr.Blocks) -> None:
    """Every event of the page; all private, because the project's HTTP API (/api/...) is the public one."""
    private: dict[str, Any] = {"api_visibility": "private"}
    asking = {"concurrency_limit": 4, "concurrency_id": "ask", **private}
    filters = [page.documents, page.bodies, page.languages, page.date_from, page.date_to, page.ui_lang, page.votes,
               page.sponsors]
    ask_outputs = [page.chatbot, page.turns, page.sources, page.picker, page.question]
    page.answer_events = [  # their `.then` refreshes the lineage panel's document picker
        page.question.submit(h.ask, [page.question, page.turns, *filters], ask_outputs, **asking),
        page.ask_button.click(h.ask, [page.question, page.turns, *filters], ask_outputs, **asking),
        *(  # a button's value is its label: the example question itself
            button.click(h.ask, [button, page.turns, *filters], ask_outputs, **asking) for button in page.examples
        ),
        page.clear.click(h.clear, [page.ui_lang], [*ask_outputs, page.feedback_status], **private),
    ]

    view_outputs = [page.paragraph_view, page.whole, page.opened]
    page.view_events = [  # the lineage panel follows the opened citation's document
        page.assets.open_citation(h.on_citation_event, [page.turns, page.ui_lang], view_outputs, **private),
        page.picker.input(h.on_pick, [page.picker, page.turns, page.ui_lang], view_outputs, **private),
    ]

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
    page.export_docx.click(h.export_docx, [page.turns, page.ui_lang], [page.export_file, page.export_status], **private)
    page.export_fb.click(h.export_feedback, [page.admin_key, page.ui_lang], [page.export_file, page.export_status], **private)

    def relabel(lang: str, turns: list[Turn], opened: Opened | None) -> list[Any]:
        view, whole, _ = h.open_paragraph(opened, turns, lang)
        sources = render_sources(turns[-1] if turns else None, lang)
        return [*labels.updates(lang), sources, view, whole, *h.example_updates(lang)]

    page.ui_lang.change(None, [page.ui_lang], None, js=DIRECTION_JS, **private)
    page.ui_lang.change(
        relabel,
        [page.ui_lang, page.turns, page.opened],
        [*labels.components, page.sources, page.paragraph_view, page.whole, *page.examples],
        **private,
    )
    def on_load(request: gr.Request) -> tuple[Any, ...]:
        """The page's start, and a comparison's address (`?compare=…&with=…`) filled and compared in
        the same event, so a language switch it causes re-renders the comparison, not an empty view."""
        start = h.on_load(request)
        return (*start, *lh.from_link(dict(getattr(request, "query_params", {}) or {}), start[0]))

    loaded = demo.load(
        on_load,
        None,
        [page.ui_lang, page.documents, page.languages, *view_outputs, *page.examples, *lineage_layout.link_outputs(page)],
        **private,
    )
    page.view_events.append(loaded)  # a deep link's paragraph is an opened one: the lineage panel follows it too
    demo.load(h.sponsor_update, None, [page.sponsors], **private)  # the sponsors of the index as it is now


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
        with gr.Row(elem_id="reso-header"):  # reso.css lets the picker wrap under the intro on a phone
            labels.make(gr.Markdown, {"value": _header, "rtl": _rtl}, elem_id="reso-title")
            page.ui_lang = labels.make(
                gr.Radio, {"label": "ui_language"}, choices=UI_LANGUAGES, value="en", elem_id="ui-language", scale=0, min_width=260
            )
        with gr.Row(equal_height=False, elem_id="reso-main"):
            with gr.Column(scale=3, elem_id="chat-column"):
                _ask_area(page, labels)
                _filters(page, labels, h)
            with gr.Column(scale=2, elem_id="side-column"):
                _side(page, labels)
                lineage_layout.lineage_side(page, labels)
        lineage_layout.comparison(page, labels)  # full width: two texts side by side
        with gr.Row(equal_height=False, elem_id="reso-after"):  # about the whole conversation: after it and its sources
            with gr.Column(elem_id="feedback-column"):
                _feedback(page, labels)
            with gr.Column(elem_id="export-column"):
                _export(page, labels, admin=bool(services.settings.admin_key))
        lh = LineageHandlers(services)
        _wire(page, labels, h, lh, demo)
        lineage_layout.wire(page, lh, page.answer_events, page.view_events)
    return demo
