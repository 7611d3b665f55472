"""The Gradio UI: rendering (escaping first, then highlighting and links), the handlers as plain
functions over a real seed index, the feedback store, and the mounted page with no external asset.

Real-browser behaviour (clicking citations, the deep link in a page) is covered by the browser
tests; here every handler is called the way Gradio calls it.
"""

from __future__ import annotations

import html
import json
import logging
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from reso.assistant.core import Assistant, InvalidQuestion
from reso.assistant.generators.extractive import ExtractiveGenerator
from reso.assistant.models import Filters
from reso.assistant.refusal import RefusalPolicy
from reso.assistant.retrieval import HybridRetriever
from reso.settings import Settings
from reso.evals.dataset import load as load_eval
from reso.index.embedders import HashEmbedder
from reso.errors import ResoError
from reso.index.library import Library
from reso.index.store import ChromaStore
from reso.assistant.question import Question
from reso.prompts import phrase
from reso.ui import gradio as ui
from reso.ui.feedback import FeedbackStore
from reso.ui.services import Services

SEED = "A/HRC/RES/30/25"
Q_FR = "Que demande le Conseil au Haut-Commissaire d'organiser ?"
Q_EN = "Which funds are States invited to increase their contributions to?"
Q_OUT = "Quelle est la position du Conseil sur la peine de mort ?"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'

STABLE_IDS = {
    "chat", "question", "ask-button", "sources-panel", "citation-picker", "paragraph-view",
    "whole-resolution", "whole-resolution-text", "filters", "filter-documents", "filter-bodies",
    "filter-languages", "filter-date-from", "filter-date-to", "filter-status", "feedback-comment",
    "feedback-up", "feedback-down", "feedback-status", "export-markdown", "export-feedback",
    "export-file", "export-markdown-text", "clear-button", "ui-language", "reso-assets",
    "example-1", "example-2", "example-3",
}  # fmt: skip


@pytest.fixture(scope="module")
def services(tmp_path_factory, seed_path) -> Services:
    data_dir = tmp_path_factory.mktemp("ui-index")
    library = Library(ChromaStore.open(data_dir), HashEmbedder())
    library.ingest([seed_path])
    retriever = HybridRetriever(library)
    assistant = Assistant(retriever, ExtractiveGenerator(), RefusalPolicy(index=retriever.lexical))
    return Services(Settings(data_dir=data_dir), library, assistant)


@pytest.fixture
def handlers(services, tmp_path) -> ui.Handlers:
    return ui.Handlers(services, FeedbackStore(tmp_path / "feedback.sqlite3"))


def run(handlers: ui.Handlers, question: str, turns=(), **filters) -> list[tuple]:
    args = {"documents": None, "bodies": None, "languages": None, "date_from": "", "date_to": "", "ui_lang": "en"} | filters
    return list(handlers.ask(question, list(turns), **args))


def source(**overrides) -> ui.Source:
    base = dict(
        document=SEED,
        paragraph="OP4",
        language="fr",
        text="Prie également le Haut-Commissaire d’organiser une réunion-débat",
        title="Promotion de la coopération internationale",
        body="HRC",
        date="2015-10-02",
    )
    return ui.Source(**(base | overrides))


# --- escaping and highlighting ---------------------------------------------------------------


def test_text_is_escaped_before_matching_words_are_highlighted():
    out = ui.render_text(f"{HOSTILE} Le Conseil prie d'organiser", ui.question_terms(Question.of(Q_FR)))
    assert "<script" not in out and "<img" not in out
    assert "&lt;script&gt;" in out and "&lt;img src=x onerror=alert(1)&gt;" in out
    assert "<mark>Conseil</mark>" in out and "<mark>organiser</mark>" in out
    assert "d&#x27;<mark>organiser</mark>" in out  # the apostrophe's entity is left whole


def test_highlighting_never_cuts_an_entity():
    out = ui.render_text('<b> & "x"', ui.question_terms(Question.of("lt gt amp quot x27")))
    assert "<mark>" not in out
    assert out == "&lt;b&gt; &amp; &quot;x&quot;"


def test_highlighting_folds_accents_and_case_and_skips_stop_words():
    terms = ui.question_terms(Question.of("Que demande le Conseil aux ETATS ?"))
    out = ui.render_text("Les États et le Conseil demandent", terms)
    assert "<mark>États</mark>" in out and "<mark>Conseil</mark>" in out
    assert "<mark>Les</mark>" not in out and "<mark>le</mark>" not in out
    assert "<mark>demandent</mark>" in out  # same stem as "demande"


def test_markers_become_citation_links_carrying_the_deep_link():
    out = ui.render_answer(f"Le Conseil <b>prie</b> [{SEED}, OP4] et [S/RES/2699 (2023), OP3(a)].", {("A/HRC/RES/30/25", "OP4"): "fr"})
    assert "<b>" not in out and "&lt;b&gt;prie&lt;/b&gt;" in out
    assert (
        '<a class="reso-citation" href="?document=A%2FHRC%2FRES%2F30%2F25&amp;paragraph=OP4&amp;language=fr"'
        ' data-reso-open="1" data-document="A/HRC/RES/30/25" data-paragraph="OP4" data-language="fr">'
        "&#91;A/HRC/RES/30/25, OP4&#93;</a>"
    ) in out
    assert 'href="?document=S%2FRES%2F2699%20%282023%29&amp;paragraph=OP3%28a%29"' in out


def test_hostile_text_around_markers_stays_text():
    out = ui.render_answer(f"{HOSTILE} [{SEED}, OP4]")
    assert "<script" not in out and "<img" not in out
    assert out.count("<a ") == 1


# --- the sources panel and the paragraph view ------------------------------------------------


def test_sources_panel_shows_each_cited_paragraph_with_its_document():
    turn = ui.Turn(Q_FR, f"… [{SEED}, OP4]", "fr", sources=(source(),), terms=ui.question_terms(Question.of(Q_FR)))
    out = ui.render_sources(turn, "en")
    assert 'class="reso-citation"' in out and f'data-document="{SEED}"' in out and 'data-paragraph="OP4"' in out
    for shown in (SEED, "OP4", "Promotion de la coopération internationale", "Human Rights Council", "2015-10-02", "French"):
        assert shown in out
    assert "<mark>Haut</mark>-<mark>Commissaire</mark>" in out


def test_sources_panel_escapes_hostile_documents():
    turn = ui.Turn(HOSTILE, "x", sources=(source(text=HOSTILE, title=HOSTILE, document='A/RES/1" onclick="x'),))
    out = ui.render_sources(turn, "en")
    assert "<script" not in out and "<img" not in out and '" onclick="' not in out


def test_a_refusal_shows_related_paragraphs_labelled_as_not_sources():
    turn = ui.Turn(Q_OUT, phrase("refusal", "fr"), "fr", refused=True, related=(source(paragraph="PP15"),))
    out = ui.render_sources(turn, "fr")
    assert phrase("ui_refused_note", "fr") in out
    assert escape_apos(phrase("refusal_related", "fr")) in out
    assert 'class="reso-related-item"' in out and "reso-related-open" in out
    assert 'class="reso-source"' not in out and 'class="reso-citation"' not in out
    assert phrase("ui_related_tag", "fr") in out


def escape_apos(text: str) -> str:
    return text.replace("'", "&#x27;")


def test_empty_state_hints():
    assert phrase("ui_sources_empty", "en") in ui.render_sources(None, "en")
    assert phrase("ui_paragraph_empty", "fr") in ui.render_paragraph_view(None, "fr")
    assert ui.picker_choices(None, "en") == []


def test_paragraph_view_has_neighbours_versions_and_whole_resolution(services, handlers):
    view, whole, opened = handlers.open_paragraph(ui.Opened(SEED, "OP4", "fr"), [], "en")
    assert opened == ui.Opened(SEED, "OP4", "fr")
    assert 'class="reso-paragraph reso-focus" data-paragraph="OP4"' in view
    for neighbour in ("OP2", "OP3", "OP5"):  # window=2: two before, one after the last but one
        assert f'class="reso-paragraph reso-neighbour" data-paragraph="{neighbour}"' in view
    assert 'class="reso-version" data-language="fr"' in view and "French (fr)" in view
    assert whole.count('class="reso-paragraph') == 20
    assert re.search(r'<div aria-current="true" class="reso-paragraph reso-current" data-paragraph="OP4"', whole)


def test_a_missing_paragraph_says_so(handlers):
    view, whole, _ = handlers.open_paragraph(ui.Opened(SEED, "OP99"), [], "en")
    assert "OP99" in view and "not in the index" in view


def test_an_index_failure_is_not_reported_as_a_missing_paragraph(services, tmp_path, caplog):
    """A Chroma outage used to show "paragraph OP4 is not in the index": the paragraph is there."""
    from reso.index.store import StoreUnavailable

    class Down:
        def paragraph(self, *args, **kwargs):
            raise StoreUnavailable("Chroma at 127.0.0.1:8000 is unreachable")

    h = ui.Handlers(Services(services.settings, Down(), services.assistant), FeedbackStore(tmp_path / "f.db"))
    with caplog.at_level(logging.WARNING):
        view, whole, opened = h.open_paragraph(ui.Opened(SEED, "OP4", "fr"), [], "fr")
    assert html.escape(phrase("ui_error_store_unavailable", "fr")) in view
    assert "not in the index" not in view and "n’est pas dans l’index" not in view
    assert opened == ui.Opened(SEED, "OP4", "fr") and "Traceback" not in view
    assert "StoreUnavailable" in caplog.text and "Traceback" not in caplog.text  # a warning, it will pass


def test_the_page_is_built_and_loaded_while_the_index_cannot_be_read(services, tmp_path, caplog):
    """`reso serve` builds the UI after the API answers; a Chroma restart at that moment stopped the
    build (the filters read the document list) and with it the UI. Now the filters start empty and
    a page load keeps what they show until the index answers again."""
    from reso.index.store import StoreUnavailable

    class Down:
        def __getattr__(self, name):
            return getattr(services.library, name)

        def documents(self):
            raise StoreUnavailable("Chroma at 127.0.0.1:8000 is unreachable")

    down = Services(services.settings, Down(), services.assistant)
    with caplog.at_level(logging.WARNING):
        ui.build(down)
        h = ui.Handlers(down, FeedbackStore(tmp_path / "f.db"))
        assert h.document_choices() == [] and h.language_choices("en") == []
        updates = h.on_load(SimpleNamespace(query_params={}, headers={}))
    assert updates[1] == gr.update() and updates[2] == gr.update()  # the choices are left as they were
    assert "StoreUnavailable" in caplog.text and "Traceback" not in caplog.text
    up = ui.Handlers(services, FeedbackStore(tmp_path / "g.db")).on_load(SimpleNamespace(query_params={}, headers={}))
    assert SEED in {value for _, value in up[1]["choices"]}


def test_a_bug_in_the_paragraph_view_is_logged_with_its_traceback(services, tmp_path, caplog):
    class Broken:
        def paragraph(self, *args, **kwargs):
            raise RuntimeError("secret internals")

    h = ui.Handlers(Services(services.settings, Broken(), services.assistant), FeedbackStore(tmp_path / "f.db"))
    with caplog.at_level(logging.ERROR):
        view, _, _ = h.open_paragraph(ui.Opened(SEED, "OP4"), [], "en")
    assert html.escape(phrase("ui_error_unexpected", "en")) in view and "secret" not in view
    assert "secret internals" in caplog.text and "Traceback" in caplog.text


def test_api_paths_are_never_answered_by_the_gradio_app(services, tmp_path, monkeypatch):
    """Unknown /api paths and wrong methods get the API's JSON error, not Gradio's {"detail": ...}."""
    from reso.ui.app import create_app

    monkeypatch.setenv("RESO_DATA_DIR", str(tmp_path))
    with TestClient(create_app(services=services)) as client:
        wrong = client.get("/api/ask")
        assert wrong.status_code == 405 and wrong.headers["allow"] == "POST"
        assert wrong.json()["error"] == "GET is not allowed on /api/ask; use POST."
        assert wrong.json()["request_id"] == wrong.headers["x-request-id"]
        for path in ("/api/nope", "/api/", "/api/documents/x"):
            missing = client.get(path)
            assert missing.status_code == 404 and set(missing.json()) == {"error", "request_id"}, path
        assert client.post("/api/health").status_code == 405
        assert client.get("/api/health").status_code == 200 and client.get("/").status_code == 200


# --- filters, language, deep link ------------------------------------------------------------


def test_filters_are_parsed_into_the_assistant_filters():
    f = ui.parse_filters([SEED], ["HRC"], ["fr"], " 2015-01-01 ", "2015-12-31")
    assert f == Filters((SEED,), ("HRC",), ("fr",), "2015-01-01", "2015-12-31")
    assert ui.parse_filters(None, None, None, "", None).is_empty()
    assert ui.parse_filters(SEED, [], [], "", "").documents == (SEED,)


@pytest.mark.parametrize("bad", ["2015-13-01", "2015-02-30", "01/02/2015", "yesterday", "2015-1-1"])
def test_a_bad_date_gets_a_friendly_message(bad):
    with pytest.raises(ui.FilterError, match="YYYY-MM-DD"):
        ui.parse_filters((), (), (), bad, "")
    with pytest.raises(ui.FilterError, match="AAAA-MM-JJ"):
        ui.parse_filters((), (), (), "", bad, "fr")


def test_dates_in_the_wrong_order_are_refused():
    with pytest.raises(ui.FilterError, match="2016-01-01"):
        ui.parse_filters((), (), (), "2016-01-01", "2015-01-01")


def test_check_dates_handler(handlers):
    assert handlers.check_dates("2015-01-01", "", "en") == ""
    assert "YYYY-MM-DD" in handlers.check_dates("2015/01/01", "", "en")


@pytest.mark.parametrize(
    "header, requested, expected",
    [("fr-FR,fr;q=0.9,en;q=0.8", None, "fr"), ("de-DE,en;q=0.5", None, "en"), ("en;q=0.2,fr;q=0.8", None, "fr"),
     (None, None, "en"), ("en-GB", "fr", "fr"), ("fr", "xx", "fr"), ("ar-EG,ar;q=0.9", None, "ar"),
     ("zh-CN,zh;q=0.9", None, "zh"), ("de,ru;q=0.7,en;q=0.3", None, "ru"), ("en", "es", "es"), ("en", "AR", "ar")],
)  # fmt: skip
def test_interface_language(header, requested, expected):
    assert ui.ui_language_for(header, requested) == expected


def test_deep_link_parsing():
    assert ui.parse_deep_link({"document": SEED, "paragraph": "OP4", "language": "fr"}) == (SEED, "OP4", "fr")
    assert ui.parse_deep_link({"document": SEED}) is None
    assert ui.deep_link_query(SEED, "OP4", "fr") == "document=A%2FHRC%2FRES%2F30%2F25&paragraph=OP4&language=fr"


def test_page_load_opens_the_deep_link_in_the_browser_language(handlers):
    request = SimpleNamespace(
        query_params={"document": SEED, "paragraph": "OP3", "language": "fr"}, headers={"accept-language": "fr-CH, fr;q=0.9"}
    )
    lang, docs, langs, view, whole, opened, *examples = handlers.on_load(request)
    assert lang == "fr" and opened == ui.Opened(SEED, "OP3", "fr")
    assert [e["value"] for e in examples] == ui.example_questions(handlers.services.library, "fr")
    assert all(e["visible"] for e in examples) and SEED in examples[0]["value"]
    assert 'reso-focus" data-paragraph="OP3"' in view and "aria-current" in whole
    [(label, value)] = docs["choices"]
    assert value == SEED and label.startswith(f"{SEED} — Promotion de la coopération") and label.endswith("…")
    assert langs["choices"] == [("français (fr)", "fr")]
    plain = handlers.on_load(SimpleNamespace(query_params={}, headers={}))
    assert plain[0] == "en" and plain[5] is None and phrase("ui_paragraph_empty", "en") in plain[3]


# --- asking ----------------------------------------------------------------------------------


def test_ask_streams_the_answer_and_ends_citing_op4(handlers):
    steps = run(handlers, Q_FR)
    assert len(steps) > 3  # pending, several deltas, final
    chat, turns, sources, picker, box = steps[-1]
    assert box == ""
    assert chat[0] == {"role": "user", "content": "Que demande le Conseil au Haut-Commissaire d&#x27;organiser ?"}
    assert chat[-1]["role"] == "assistant"
    assert "le Haut-Commissaire d’organiser" in chat[-1]["content"]
    assert 'data-paragraph="OP4" data-language="fr"' in chat[-1]["content"]
    assert [(s.document, s.paragraph) for s in turns[-1].sources] == [(SEED, "OP4")]
    assert 'data-paragraph="OP4"' in sources and "<mark>" in sources
    assert picker["choices"][0][1] == "document=A%2FHRC%2FRES%2F30%2F25&paragraph=OP4&language=fr" and picker["visible"]
    partial = [s[1][-1].answer for s in steps[1:-1]]  # the text grows delta by delta
    assert partial[0] == "Dans" and all(b.startswith(a) and len(b) > len(a) for a, b in zip(partial, partial[1:]))
    assert steps[0][1][-1].pending and phrase("ui_working", "en") in steps[0][2]


def test_ask_in_english_on_a_french_text(handlers):
    *_, (chat, turns, sources, _, _) = run(handlers, Q_EN)
    assert [s.paragraph for s in turns[-1].sources] == ["OP2"] and turns[-1].language == "en"
    assert "(text available in French only)" in chat[-1]["content"]


def test_a_follow_up_sends_the_conversation_as_history(handlers):
    *_, (_, turns, _, _, _) = run(handlers, Q_FR)
    *_, (chat, turns, _, _, _) = run(handlers, "Et le paragraphe suivant ?", turns)
    assert len(chat) == 4 and [s.paragraph for s in turns[-1].sources] == ["OP5"]


def test_an_out_of_scope_question_is_declined_with_related_paragraphs(handlers):
    *_, (chat, turns, sources, picker, _) = run(handlers, Q_OUT)
    assert turns[-1].refused and not turns[-1].sources and turns[-1].related
    assert "reso-related-item" in sources and 'class="reso-citation"' not in sources
    assert phrase("ui_related_hint", "en") in chat[-1]["content"]
    assert all(phrase("ui_related_tag", "en") in label for label, _ in picker["choices"])


def test_an_empty_question_changes_nothing(handlers):
    [(chat, turns, sources, picker, box)] = run(handlers, "   ")
    assert chat == [] and turns == [] and box == gr.update()


def test_a_bad_date_is_answered_in_the_chat_without_asking(services, tmp_path):
    h = ui.Handlers(Services(services.settings, services.library, Exploding(AssertionError("must not be called"))), FeedbackStore(tmp_path / "f.db"))
    [(chat, turns, *_)] = run(h, Q_FR, date_from="2015-31-12")
    assert "YYYY-MM-DD" in chat[-1]["content"] and turns[-1].error
    assert ui.history_of(turns) == []


class Exploding:
    def __init__(self, exc: Exception):
        self.exc = exc

    def stream(self, *args, **kwargs):
        raise self.exc
        yield  # pragma: no cover


@pytest.mark.parametrize(
    "exc, key",
    [(InvalidQuestion("The question is too long."), "ui_error_question"), (ResoError("LLM server unreachable"), "ui_error_backend"),
     (RuntimeError("boom"), "ui_error_unexpected")],
)  # fmt: skip
def test_assistant_errors_become_friendly_messages(services, tmp_path, exc, key):
    h = ui.Handlers(Services(services.settings, services.library, Exploding(exc)), FeedbackStore(tmp_path / "f.db"))
    *_, (chat, turns, sources, _, _) = run(h, Q_FR)
    message = chat[-1]["content"]
    assert phrase(key, "en", reason=str(exc)).split(":")[0] in message
    assert "Traceback" not in message and "boom" not in message and "unreachable" not in message
    assert turns[-1].error and ui.history_of(turns) == []
    assert phrase("ui_sources_empty", "en") in sources


def test_a_too_long_question_is_explained(handlers):
    *_, (chat, turns, _, _, _) = run(handlers, "x" * 2500)
    assert "limit is 2000" in chat[-1]["content"] and turns[-1].error


def test_clicking_a_citation_opens_it(handlers):
    *_, (_, turns, _, _, _) = run(handlers, Q_FR)
    event = gr.EventData(None, {"document": SEED, "paragraph": "OP4", "language": "fr"})
    view, whole, opened = handlers.on_citation_event(turns, "en", event)
    assert 'reso-focus" data-paragraph="OP4"' in view and "<mark>organiser</mark>" in view
    assert opened == ui.Opened(SEED, "OP4", "fr")
    view, _, _ = handlers.on_pick("document=A%2FHRC%2FRES%2F30%2F25&paragraph=OP2&language=fr", turns, "fr")
    assert 'reso-focus" data-paragraph="OP2"' in view and "français (fr)" in view
    view, _, opened = handlers.on_citation_event(turns, "en", gr.EventData(None, {"document": ""}))
    assert opened is None and phrase("ui_paragraph_empty", "en") in view


# --- feedback and export ---------------------------------------------------------------------


def test_feedback_store_round_trip_and_eval_export(tmp_path):
    store = FeedbackStore.in_dir(tmp_path / "data")
    assert store.path == tmp_path / "data" / "feedback.sqlite3"
    up = store.add(Q_FR, f"… [{SEED}, OP4]", [{"document": SEED, "paragraph": "OP4", "language": "fr"}, {"document": SEED, "paragraph": "OP3(a)", "language": "fr"}], 1, " good ", language="fr")
    refused = store.add(Q_OUT, "Les résolutions indexées ne répondent pas.", [], 1, language="fr")
    down = store.add(Q_EN, "…", [{"document": SEED, "paragraph": "OP1"}], -1, "wrong paragraph", language="en")
    rows = store.rows()
    assert [r.id for r in rows] == [up, refused, down]
    assert rows[0].comment == "good" and rows[0].citations[1]["paragraph"] == "OP3(a)" and not rows[0].refused
    assert rows[1].refused and rows[2].rating == -1

    lines = [json.loads(line) for line in store.export_eval_lines()]
    assert lines == [
        {"id": f"feedback-{up}", "question": Q_FR, "language": "fr", "documents": [SEED], "gold": ["OP4", "OP3(a)"], "answerable": True, "kind": "feedback"},
        {"id": f"feedback-{refused}", "question": Q_OUT, "language": "fr", "documents": [], "gold": [], "answerable": False, "kind": "unanswerable"},
    ]
    negative = json.loads(store.export_eval_lines(include_negative=True)[-1])
    assert negative["kind"] == "feedback-negative" and negative["gold"] == [] and negative["comment"] == "wrong paragraph"

    dataset = tmp_path / "feedback.jsonl"
    dataset.write_text("\n".join(store.export_eval_lines()) + "\n", encoding="utf-8")
    items = load_eval(dataset)
    assert [(i.answerable, i.gold) for i in items] == [(True, ["OP4", "OP3(a)"]), (False, [])]

    with pytest.raises(ValueError):
        store.add("q", "a", [], 0)


def test_rating_the_latest_answer_and_exporting_feedback(handlers):
    assert handlers.rate(1, [], "x", "en") == (phrase("ui_feedback_nothing", "en"), "x")
    *_, (_, turns, _, _, _) = run(handlers, Q_FR)
    assert handlers.rate(1, turns, "exact", "fr") == (phrase("ui_feedback_saved", "fr"), "")
    [row] = handlers.feedback.rows()
    assert (row.question, row.rating, row.comment, row.language) == (Q_FR, 1, "exact", "fr")
    path, status = handlers.export_feedback(None, "en")
    path = Path(path)
    assert path.suffix == ".jsonl" and status == phrase("ui_feedback_exported", "en", n="1")
    [line] = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["gold"] == ["OP4"]


def test_with_an_admin_key_only_its_holder_exports_feedback(services, tmp_path):
    settings = services.settings.model_copy(update={"admin_key": "s3cret"})
    h = ui.Handlers(Services(settings, services.library, services.assistant), FeedbackStore(tmp_path / "f.db"))
    assert h.export_feedback("", "en") == (None, phrase("ui_admin_required", "en"))
    assert h.export_feedback("wrong", "en")[0] is None
    assert Path(h.export_feedback("s3cret", "en")[0]).read_text(encoding="utf-8") == ""


def test_markdown_export_is_inert_and_keeps_citations(handlers):
    turns = [
        ui.Turn(HOSTILE + " *bold* [x](javascript:alert(1))", f"Answer <b>x</b> [{SEED}, OP4]", "en", sources=(source(text=HOSTILE),)),
        ui.Turn(Q_OUT, "Declined.", "en", refused=True),
        ui.Turn("bad date", error="“x” is not a date"),
    ]
    md = ui.conversation_markdown(turns, "en", base_url="http://reso.example/")
    assert "<" not in md.replace("(<http://reso.example/?", "").replace(">)", "")
    assert "&lt;script&gt;" in md and "&lt;b&gt;x&lt;/b&gt;" in md
    assert r"\*bold\* \[x\](javascript:alert(1))" in md  # no link, no emphasis
    assert r"- [\[A/HRC/RES/30/25, OP4\]](<http://reso.example/?document=A%2FHRC%2FRES%2F30%2F25&paragraph=OP4&language=fr>)" in md
    assert "## Question 2" in md and phrase("ui_export_declined", "en") in md and "is not a date" in md
    path, text = handlers.export_markdown(turns, "en", None)
    assert Path(path).read_text(encoding="utf-8") == text and "\\[A/HRC/RES/30/25, OP4\\]" in text
    assert handlers.export_markdown([], "en", None) == (None, phrase("ui_export_empty", "en"))


def test_word_export_has_a_footnote_per_citation_in_the_interface_language(handlers):
    import zipfile

    from docx import Document

    turns = [
        ui.Turn(HOSTILE, f"Le Conseil prie le Haut-Commissaire [{SEED}, OP4].", "fr", sources=(source(text="Prie également le Haut-Commissaire"),)),
        ui.Turn(Q_OUT, "Declined.", "fr", refused=True),
        ui.Turn("bad date", error="“x” is not a date"),  # not exported: no answer
    ]
    path, status = handlers.export_docx(turns, "fr")
    assert status == "" and path.endswith(".docx")
    text = "\n".join(p.text for p in Document(path).paragraphs)
    assert phrase("ui_export_title", "fr") in text and phrase("ui_export_question", "fr", n="2") in text
    assert "is not a date" not in text
    with zipfile.ZipFile(path) as z:
        notes = z.read("word/footnotes.xml").decode("utf-8")
    assert f"{SEED}, OP4" in notes and "Prie également le Haut-Commissaire" in notes
    assert handlers.export_docx([], "fr") == (None, phrase("ui_export_empty", "fr"))


# --- the page --------------------------------------------------------------------------------

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|@import|url\(\s*["']?(?:https?:)?//""", re.I)
FONT_CDNS = ("fonts.googleapis.com", "fonts.gstatic.com", "cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com")


def test_build_has_stable_element_ids_and_no_analytics(services, tmp_path):
    demo = ui.build(services, FeedbackStore(tmp_path / "f.db"))
    assert isinstance(demo, gr.Blocks) and demo.analytics_enabled is False
    ids = {getattr(b, "elem_id", None) for b in demo.blocks.values()}
    assert STABLE_IDS <= ids
    assert any("reso-example" in (getattr(b, "elem_classes", None) or []) for b in demo.blocks.values())
    assert "'open_citation'" in ui._asset("reso.js")


@pytest.mark.parametrize("with_theme", [False, True])
def test_mounted_page_renders_with_no_external_asset(services, tmp_path, monkeypatch, with_theme):
    monkeypatch.setenv("RESO_DATA_DIR", str(tmp_path))
    app = FastAPI()
    extra = {"theme": ui.theme()} if with_theme else {}
    app = gr.mount_gradio_app(app, ui.build(services, FeedbackStore(tmp_path / "f.db")), path="/", **extra)
    with TestClient(app) as client:
        page = client.get("/")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "sources-panel" in page.text and "paragraph-view" in page.text
        theme_css = client.get("/theme.css")
        assert theme_css.status_code == 200
        for text in (page.text, theme_css.text):
            assert not any(cdn in text for cdn in FONT_CDNS)
            assert not EXTERNAL.search(text), EXTERNAL.search(text)
        if with_theme:
            assert "system-ui" in theme_css.text


def test_exports_older_than_their_lifetime_are_removed_at_the_next_export():
    import os
    import time

    from reso.ui.gradio.export import EXPORT_TTL_S, _write_temp

    old = Path(_write_temp("conversation.md", "old"))
    stale = time.time() - EXPORT_TTL_S - 60
    os.utime(old.parent, (stale, stale))
    new = Path(_write_temp("conversation.md", "new"))
    assert new.read_text() == "new"
    assert not old.parent.exists()
    shutil.rmtree(new.parent)


# --- six interface languages -----------------------------------------------------------------

LANGS = ("ar", "zh", "en", "fr", "ru", "es")


def _fields(template: str) -> list[str]:
    import string

    return sorted(name for _, name, _, _ in string.Formatter().parse(template) if name)


def test_every_ui_phrase_exists_in_the_six_languages_with_the_same_placeholders():
    from reso.prompts import messages

    table = messages()
    keys = [k for k in table["en"] if k.startswith("ui_")] + ["language_not_understood"]
    assert len(keys) > 60
    assert [code for _, code in ui.UI_LANGUAGES] == list(LANGS)
    for lang in LANGS:
        missing = [k for k in keys if k not in table[lang]]
        assert missing == [], (lang, missing)
        wrong = [k for k in keys if _fields(table[lang][k]) != _fields(table["en"][k])]
        assert wrong == [], (lang, wrong)
        if lang != "en":  # translated, not copied (only the chat's title may be the same word)
            same = [k for k in keys if table[lang][k] == table["en"][k] and k not in ("ui_chat_label", "ui_export_citations", "ui_export_question", "ui_filter_documents", "ui_sources")]
            assert same == [], (lang, same)


def test_arabic_and_chinese_phrases_are_in_their_scripts():
    from reso.prompts import messages

    table = messages()
    arabic, han = re.compile(r"[\u0600-\u06FF]"), re.compile(r"[\u4E00-\u9FFF]")
    for key in ("ui_title", "ui_ask", "ui_sources", "ui_example_paragraph", "language_not_understood"):
        assert arabic.search(table["ar"][key]), key
        assert han.search(table["zh"][key]), key


@pytest.fixture(scope="module")
def six_services(tmp_path_factory, seed_path, fixtures_dir) -> Services:
    """The seed (French, 2015) and A/HRC/RES/54/10 (Arabic and English, 2023)."""
    data_dir = tmp_path_factory.mktemp("ui-six")
    library = Library(ChromaStore.open(data_dir), HashEmbedder())
    akn = fixtures_dir / "akn"
    library.ingest([seed_path, akn / "A_HRC_RES_54_10A.xml", akn / "A_HRC_RES_54_10E.xml"])
    retriever = HybridRetriever(library)
    assistant = Assistant(retriever, ExtractiveGenerator(), RefusalPolicy(index=retriever.lexical))
    return Services(Settings(data_dir=data_dir), library, assistant)


@pytest.mark.parametrize("lang, document", [("ar", "A/HRC/RES/54/10"), ("en", "A/HRC/RES/54/10"), ("fr", SEED)])
def test_example_questions_come_from_the_index_in_the_interface_language(six_services, lang, document):
    """Each example is about a document indexed in the page's language (a paragraph of it, its subject,
    the subject alone), and the assistant answers it from that document, in that language, with citations."""
    questions = ui.example_questions(six_services.library, lang)
    assert len(questions) == 3 and len(set(questions)) == 3
    assert questions[0] == phrase("ui_example_paragraph", lang, n="2", document=document)
    assert document in questions[1] and document not in questions[2]  # the subject alone: a search
    title = six_services.library.document_chunks(document, lang)[0].title[:20]
    assert title in questions[1] and title in questions[2]
    for question in questions:
        answer = six_services.assistant.answer(question, [], None)
        assert not answer.refused, question
        assert answer.language == lang, question
        assert answer.citations and all(c.document == document and c.language == lang for c in answer.citations), question
    assert any(c.paragraph == "OP2" for c in six_services.assistant.answer(questions[0], [], None).citations)


def test_example_questions_without_a_document_in_the_language_ask_about_what_there_is(services):
    """Only the French seed is indexed: the Chinese page asks, in Chinese, about the seed."""
    questions = ui.example_questions(services.library, "zh")
    assert len(questions) == 3 and SEED in questions[0] and SEED in questions[1]
    assert questions[0] == phrase("ui_example_paragraph", "zh", n="2", document=SEED)
    # a title longer than the limit is cut at a word, and marked
    assert any("…" in q for q in questions)


def test_example_buttons_are_hidden_for_an_empty_index(tmp_path):
    library = Library(ChromaStore.open(tmp_path / "empty"), HashEmbedder())
    h = ui.Handlers(Services(Settings(data_dir=tmp_path), library, None), FeedbackStore(tmp_path / "f.db"))
    assert ui.example_questions(library, "en") == []
    assert [u["visible"] for u in h.example_updates("en")] == [False, False, False]


def test_the_citation_picker_keeps_markers_left_to_right():
    turn = ui.Turn(Q_FR, f"… [{SEED}, OP4]", "fr", sources=(source(),))
    [(label, _)] = ui.picker_choices(turn, "ar")
    assert label.startswith(f"\u2066[{SEED}, OP4]\u2069 ")


def test_the_page_direction_script_mirrors_only_arabic():
    assert ui.RTL_UI == {"ar"}
    assert '["ar"].includes(lang)' in ui.DIRECTION_JS and "'dir'" in ui.DIRECTION_JS
    assert phrase("ui_title", "zh") in ui.DIRECTION_JS  # the tab's title follows the language too
    css = ui._asset("reso.css")
    assert "margin-left" not in css and "border-left" not in css and "padding-left" not in css  # logical properties only
    assert "unicode-bidi: isolate" in css and '"Noto Sans CJK SC"' in css and '"Noto Naskh Arabic"' in css


def test_examples_follow_the_index_as_documents_are_added(seed_path, fixtures_dir, tmp_path):
    library = Library(ChromaStore.open(tmp_path / "grow"), HashEmbedder())
    library.ingest([seed_path])
    h = ui.Handlers(Services(Settings(data_dir=tmp_path), library, None), FeedbackStore(tmp_path / "f.db"))
    before = [u["value"] for u in h.example_updates("fr")]
    assert before[0] == phrase("ui_example_paragraph", "fr", n="2", document=SEED)
    assert h.example_updates("fr") == h.example_updates("fr")  # unchanged index: the same (cached) examples
    library.ingest([fixtures_dir / "akn" / "S_RES_2699-2318982F.xml"])  # French, adopted in 2023
    after = [u["value"] for u in h.example_updates("fr")]
    assert after != before and "S/RES/2699 (2023)" in after[0]
    assert any(SEED in q for q in after)  # the second kind comes from the next most recent document
