"""The lineage panel (beside the sources) and the comparison view (under the conversation): their
components and events. `layout.build` places them; the handlers are `lineage.LineageHandlers`.

The panel is an accordion, closed at first: nothing lineage-related runs while it is closed, so an
answer's latency does not change. Opening it (or pressing its button, or choosing a document in
it) builds the chosen document's panel, showing a placeholder while the reference graph is built
the first time. While it is open, opening a citation shows that citation's document. The panel's
document picker offers the documents the latest answer cites; any symbol can be typed too.

The comparison is a full-width accordion: two symbols (typed, or filled from the panel: the
document and its predecessor in its series), a language, "changes only". A timeline's "compare
with the previous one" button fills and runs it (reso.js: the assets component's
`open_comparison` event). The page's address can name a comparison (`?compare=A&with=B&language=en
[&changes=1]`, `lineage.parse_compare_link`): the page's load fills it, compares and opens the
accordion (`link_outputs`); every comparison shows that address under its summary.

In the panel's "cites" list an indexed target opens its own panel (reso.js: `open_lineage`).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import gradio as gr

from reso.ui.gradio.lineage import LineageHandlers, language_choices, render_comparison, render_related

if TYPE_CHECKING:
    from reso.ui.gradio.layout import Labels

HTML_PANEL: dict[str, Any] = {"js_on_load": None, "apply_default_css": False}


def lineage_side(page: SimpleNamespace, labels: Labels) -> None:
    """Beside the sources: the document picker, its button and the panel."""
    with labels.make(gr.Accordion, {"label": "ui_lineage"}, open=False, elem_id="lineage") as page.lineage_accordion:
        with gr.Row(equal_height=True):
            page.lineage_doc = labels.make(
                gr.Dropdown,
                {"label": "ui_lineage_document"},
                choices=[],
                value=None,
                allow_custom_value=True,
                filterable=True,
                scale=3,
                elem_id="lineage-document",
            )
            page.lineage_show = labels.make(gr.Button, {"value": "ui_lineage_show"}, size="sm", scale=1, elem_id="lineage-show")
        page.lineage_panel = gr.HTML(render_related(None, "en"), elem_id="lineage-panel", max_height=600, **HTML_PANEL)
    page.lineage_open = gr.State(False)


def comparison(page: SimpleNamespace, labels: Labels) -> None:
    """Full width: two resolutions side by side."""
    with labels.make(gr.Accordion, {"label": "ui_compare"}, open=False, elem_id="compare") as page.compare_accordion:
        with gr.Row(equal_height=True):
            page.compare_a = labels.make(
                gr.Textbox, {"label": "ui_compare_a"}, placeholder="S/RES/2618 (2022)", max_lines=1, elem_id="compare-a"
            )
            page.compare_b = labels.make(
                gr.Textbox, {"label": "ui_compare_b"}, placeholder="S/RES/2646 (2022)", max_lines=1, elem_id="compare-b"
            )
            page.compare_language = labels.make(
                gr.Dropdown, {"label": "ui_compare_language", "choices": language_choices}, value="", elem_id="compare-language"
            )
        with gr.Row():
            page.compare_changes_only = labels.make(
                gr.Checkbox, {"label": "ui_compare_changes_only"}, value=False, elem_id="compare-changes-only"
            )
            page.compare_button = labels.make(gr.Button, {"value": "ui_compare_button"}, variant="primary", elem_id="compare-button")
        page.compare_view = gr.HTML(render_comparison(None, "en"), elem_id="compare-view", **HTML_PANEL)


def link_outputs(page: SimpleNamespace) -> list[Any]:
    """What a comparison's address sets at load (`LineageHandlers.from_link`'s order)."""
    return [page.compare_a, page.compare_b, page.compare_language, page.compare_changes_only, page.compare_view,
            page.compare_accordion]


def wire(page: SimpleNamespace, lh: LineageHandlers, answer_events: list[Any], view_events: list[Any]) -> None:
    """The events of both. `answer_events`: the asking and clearing events (their `.then` refreshes
    the document picker); `view_events`: the citation-opening ones (the panel follows them)."""
    private: dict[str, Any] = {"api_visibility": "private"}
    lineage = {"concurrency_limit": 2, "concurrency_id": "lineage", **private}
    for event in answer_events:
        event.then(lh.document_choices, [page.turns, page.lineage_doc], page.lineage_doc, **private)

    panel_outputs = [page.lineage_panel, page.compare_a, page.compare_b]
    show_inputs = [page.lineage_doc, page.ui_lang]
    page.lineage_show.click(lh.show, show_inputs, panel_outputs, **lineage)
    page.lineage_doc.input(lh.show, show_inputs, panel_outputs, **lineage)
    page.lineage_accordion.expand(lambda: True, None, page.lineage_open, **private).then(
        lh.show, show_inputs, panel_outputs, **lineage
    )
    page.lineage_accordion.collapse(lambda: False, None, page.lineage_open, **private)
    page.assets.open_lineage(lh.on_lineage_event, [page.ui_lang], [page.lineage_doc, *panel_outputs], **lineage)
    for event in view_events:
        event.then(
            lh.on_opened, [page.opened, page.lineage_open, page.ui_lang], [page.lineage_doc, *panel_outputs], **lineage
        )

    compare_inputs = [page.compare_a, page.compare_b, page.compare_language, page.compare_changes_only, page.ui_lang]
    page.compare_button.click(lh.compare, compare_inputs, page.compare_view, **lineage)
    for box in (page.compare_a, page.compare_b):
        box.submit(lh.compare, compare_inputs, page.compare_view, **lineage)
    page.compare_changes_only.input(lh.compare, compare_inputs, page.compare_view, **lineage)
    page.compare_language.input(lh.compare, compare_inputs, page.compare_view, **lineage)
    page.assets.open_comparison(
        lh.on_compare_event,
        [page.compare_language, page.compare_changes_only, page.ui_lang],
        [page.compare_a, page.compare_b, page.compare_view],
        **lineage,
    ).then(lambda: gr.update(open=True), None, page.compare_accordion, **private)

    def relabel(document: str | None, is_open: bool, a: str, b: str, language: str, changes_only: bool, ui_lang: str):
        """A language switch re-renders what the panels show (the graph is built already if shown)."""
        panel = lh.related(document, ui_lang)[0] if is_open else render_related(None, ui_lang)
        return panel, lh.compare(a, b, language, changes_only, ui_lang)

    page.ui_lang.change(
        relabel,
        [page.lineage_doc, page.lineage_open, page.compare_a, page.compare_b, page.compare_language,
         page.compare_changes_only, page.ui_lang],
        [page.lineage_panel, page.compare_view],
        **lineage,
    )
