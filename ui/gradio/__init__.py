"""The web UI: chat with streamed, cited answers on the left, the cited paragraphs on the right.

    layout.py     the page: components, labels per interface language, event wiring; `build`, `theme`
    handlers.py   the event handlers (asking, opening a paragraph, feedback, export, page load)
    render.py     the HTML of the chat, the sources panel, the paragraph view, the whole resolution
    highlight.py  escaping and the question's words highlighted
    record.py     the conversation record (`Turn`, `Source`) kept per browser session
    filters.py    the filter widgets as the assistant's `Filters`
    examples.py   example questions made from the indexed documents of the interface language
    export.py     the conversation as Markdown, the files offered for download
    lineage.py    a cited resolution's timeline, cites and cited-by; two resolutions side by side (HTML, handlers)
    lineage_layout.py  their accordions and events (the panel beside the sources, the comparison under the chat)

The answer logic stays in `Assistant`; this package only renders its events. A `gr.Radio` of the
latest answer's citations gives a script-free path to each cited paragraph. The names below are
the package's public surface (what `create_app` and the tests use).
"""

from __future__ import annotations

from reso.ui.gradio.export import EXPORT_TTL_S, conversation_markdown, md_escape
from reso.ui.gradio.filters import FilterError, body_choices, parse_date, parse_filters
from reso.ui.gradio.examples import example_questions
from reso.ui.gradio.handlers import NEIGHBOURS, RTL_UI, UI_LANGUAGES, Handlers, Opened, parse_deep_link, ui_language_for
from reso.ui.gradio.highlight import Terms, escape, highlight, question_terms, render_text
from reso.ui.gradio.layout import DIRECTION_JS, FONTS, STATIC, Labels, _asset, build, theme
from reso.ui.gradio.record import Source, Turn, deep_link_query, history_of, last_answered, sources_of, turn_from_answer
from reso.ui.gradio.render import (
    chat_messages,
    citation_button,
    citation_link,
    picker_choices,
    render_answer,
    render_document,
    render_paragraph_view,
    render_source,
    render_sources,
)

__all__ = [
    "DIRECTION_JS", "EXPORT_TTL_S", "FONTS", "NEIGHBOURS", "RTL_UI", "STATIC", "UI_LANGUAGES", "FilterError", "Handlers", "Labels",
    "Opened", "Source", "Terms", "Turn", "_asset", "body_choices", "build", "chat_messages", "citation_button",
    "citation_link", "conversation_markdown", "deep_link_query", "escape", "example_questions", "highlight", "history_of",
    "last_answered", "md_escape", "parse_date", "parse_deep_link", "parse_filters", "picker_choices",
    "question_terms", "render_answer", "render_document", "render_paragraph_view", "render_source",
    "render_sources", "render_text", "sources_of", "theme", "turn_from_answer", "ui_language_for",
]
