"""The lineage panel and the comparison view of the web UI (issue 17), on real renewals.

A small real index: three successive UNFICYP mandate renewals of the Security Council
(S/RES/2561 (2021), 2618 (2022), 2646 (2022)), in English, French and Arabic, with the hash
embedder. 2646 (2022) recalls 2618 (2022) in its OP5, so 2618 has a citer; 2646 adds a paragraph
(the attack on an UNFICYP vehicle) and changes the mandate's end date. The rendering functions are
fed the `Related` and `Comparison` objects `services.assistant.lineage` returns; the expected
rows, labels and counts are read from those objects, never written here.
"""

from __future__ import annotations

import html
import re
import urllib.parse
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest

from reso.assistant.core import Assistant
from reso.assistant.generators.extractive import ExtractiveGenerator
from reso.assistant.lineage.compare import compare_chunks
from reso.assistant.refusal import RefusalPolicy
from reso.assistant.retrieval import HybridRetriever
from reso.index.embedders import HashEmbedder
from reso.index.library import Library
from reso.index.store import ChromaStore
from reso.prompts import phrase
from reso.settings import Settings
from reso.ui.feedback import FeedbackStore
from reso.ui.gradio import Handlers
from reso.ui.gradio.lineage import (
    CHANGES,
    CompareLink,
    LineageHandlers,
    cited_documents,
    compare_link_query,
    parse_compare_link,
    predecessor,
    render_comparison,
    render_related,
    summary_counts,
)
from reso.ui.services import Services
from tests.conftest import SHARED, require_shared

A, B, OLDER = "S/RES/2618 (2022)", "S/RES/2646 (2022)", "S/RES/2561 (2021)"
LANGS = ("ar", "zh", "en", "fr", "ru", "es")


def renewal_files() -> list[Path]:
    """UNFICYP's renewals of 2021 and 2022 in English, French and Arabic (corpus-large)."""
    sc = SHARED / "corpus-large" / "unxml-sc"
    require_shared(sc)
    files = sorted((sc / "2021").glob("*/SC_2561_2021-[EFA].xml"))
    for lang in ("English", "French", "Arabic"):
        files += sorted((sc / "2022" / lang).glob("S_RES_2618 (2022)-*.xml"))
        files += sorted((sc / "2022" / lang).glob("S_RES_2646 (2022)-*.xml"))
    assert len(files) == 9, files
    return files


@pytest.fixture(scope="module")
def services(tmp_path_factory) -> Services:
    data_dir = tmp_path_factory.mktemp("ui-lineage")
    library = Library(ChromaStore.open(data_dir), HashEmbedder())
    library.ingest(renewal_files())
    retriever = HybridRetriever(library)
    assistant = Assistant(retriever, ExtractiveGenerator(), RefusalPolicy(index=retriever.lexical),
                          documents=library.document_records)  # as the factory builds it
    return Services(Settings(data_dir=data_dir), library, assistant)


@pytest.fixture(scope="module")
def lh(services) -> LineageHandlers:
    return LineageHandlers(services)


@pytest.fixture(scope="module")
def comparison(services):
    c = services.assistant.lineage.compare(A, B, "en")
    assert c is not None and c.language == "en"
    return c


def _text(fragment: str) -> str:
    """What a reader sees of an HTML fragment (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr class="reso-change [^"]*"[^>]*>.*?</tr>', page, flags=re.S)


# -- the lineage panel ---------------------------------------------------------------------------


def test_the_panel_shows_the_series_in_order_with_the_document_marked(services, lh):
    related = services.assistant.lineage.related(A)
    assert related is not None and len(related.series) >= 2
    page, default_a, default_b = lh.related(A, "en")
    entries = re.findall(r'<li class="reso-series-entry[^"]*" data-document="([^"]+)"', page)
    assert [html.unescape(e) for e in entries] == [e.document for e in related.series]
    current = re.findall(r'<li [^>]*data-document="([^"]+)" aria-current="true"', page)
    assert [html.unescape(c) for c in current] == [A]
    # the comparison's defaults: the document's predecessor in its series, then the document
    assert default_a == predecessor(related) == OLDER
    assert default_b == A
    for e in related.series:
        assert e.date in page
    # each later entry offers its comparison with the one before it
    pairs = [tuple(html.unescape(x) for x in m) for m in re.findall(r'data-reso-compare="1" data-a="([^"]+)" data-b="([^"]+)"', page)]
    docs = [e.document for e in related.series]
    assert pairs == list(zip(docs, docs[1:]))


def test_cited_by_lists_each_citing_paragraph_once_clickable_in_the_interface_language(services, lh):
    related = services.assistant.lineage.related(A)
    citers = {(m.source, m.paragraph) for m in related.cited_by}
    assert (B, "OP5") in citers  # 2646 (2022) OP5 "Recalls its resolution 2618 (2022)"
    assert len(related.cited_by) > len(citers)  # the graph lists the English and French mentions
    for ui_lang, expected in (("fr", "fr"), ("en", "en"), ("zh", None)):
        page = lh.related(A, ui_lang)[0]
        section = page.split('class="reso-lineage-cited-by"', 1)[1].split("</section>", 1)[0]
        buttons = re.findall(r'<button type="button" class="reso-citation" data-reso-open="1" data-document="([^"]+)" data-paragraph="([^"]+)" data-language="([^"]+)"', section)
        assert sorted((html.unescape(d), p) for d, p, _ in buttons) == sorted(citers)
        if expected:  # the paragraph's version in the interface language when it has one
            assert {lang for *_, lang in buttons} == {expected}
        assert phrase("ui_lineage_cited_by", ui_lang) in page


def test_cites_mark_the_documents_the_index_does_not_hold(services, lh):
    related = services.assistant.lineage.related(B)
    page = lh.related(B, "es")[0]
    section = page.split('class="reso-lineage-cites"', 1)[1]
    items = re.findall(r'data-target="([^"]+)" data-indexed="(true|false)"', section)
    assert {html.unescape(t) for t, _ in items} == {m.target for m in related.cites}
    assert (A, "true") in items  # OP5 recalls 2618 (2022), which is indexed
    outside = [t for t, indexed in items if indexed == "false"]
    assert outside and section.count(phrase("ui_lineage_not_indexed", "es")) == len(outside)


def test_an_unknown_or_empty_document_says_so_in_the_interface_language(lh):
    page, a, b = lh.related("S/RES/9999 (2031)", "ru")
    assert phrase("ui_lineage_missing", "ru", document="S/RES/9999 (2031)") in html.unescape(page)
    assert (a, b) == (None, None)
    assert phrase("ui_lineage_empty", "ar") in html.unescape(lh.related("", "ar")[0])


def test_showing_streams_a_placeholder_first_then_fills_the_comparison_defaults(lh):
    steps = list(lh.show(A, "en"))
    assert len(steps) == 2
    assert phrase("ui_lineage_building", "en") in html.unescape(steps[0][0])
    panel, a, b = steps[1]
    assert 'aria-current="true"' in panel and (a, b) == (OLDER, A)


def test_an_answer_does_not_build_the_reference_graph_and_offers_its_cited_documents(services, tmp_path):
    """Asking stays as fast as before: the graph is built only when the panel asks."""
    retriever = services.assistant.retriever
    fresh = Assistant(retriever, ExtractiveGenerator(), RefusalPolicy(index=retriever.lexical), documents=services.library.document_records)
    s = Services(services.settings, services.library, fresh)
    h = Handlers(s, FeedbackStore(tmp_path / "f.db"))
    *_, last = h.ask("What does the Council decide about the mandate of UNFICYP until 31 January 2023?", [])
    turns = last[1]
    assert turns[-1].sources, turns[-1]
    assert fresh.lineage._graph is None  # noqa: SLF001 - what "not built" means
    lh2 = LineageHandlers(s)
    update = lh2.document_choices(turns, None)
    docs = cited_documents(turns)
    assert update["choices"] == docs and update["value"] == docs[0]
    assert docs == list(dict.fromkeys(src.document for src in turns[-1].sources))
    # opening a citation while the panel is closed only selects its document
    opened = type("Opened", (), {"document": B, "paragraph": "OP5", "language": "en"})()
    (doc, panel, a, b), = list(lh2.on_opened(opened, False, "en"))
    assert doc == gr.update(value=B) and panel == gr.update() and a == gr.update()
    assert fresh.lineage._graph is None  # noqa: SLF001
    # open, it shows that document's panel
    *_, (doc, panel, a, b) = list(lh2.on_opened(opened, True, "en"))
    assert f'data-document="{html.escape(B)}"' in panel
    before = predecessor(s.assistant.lineage.related(B))
    assert (a, b) == ((before, B) if before else (gr.update(), gr.update()))


# -- the comparison -----------------------------------------------------------------------------


def test_every_aligned_pair_is_a_row_labelled_in_words(comparison):
    page = render_comparison(comparison, "en")
    rows = _rows(page)
    assert len(rows) == len(comparison.pairs)
    for row, pair in zip(rows, comparison.pairs):
        assert f'data-change="{pair.change}"' in row
        label = re.search(r'<th scope="row" class="reso-change-label">(.*?)</th>', row).group(1)
        assert phrase(f"ui_change_{pair.change}", "en") in _text(label)  # a word, not only a colour
        assert (pair.a is None) == ("reso-compare-a reso-compare-none" in row)
        assert (pair.b is None) == ("reso-compare-b reso-compare-none" in row)
    assert {"added", "changed", "same"} <= {p.change for p in comparison.pairs}


def _squeeze(texts: list[str]) -> list[str]:
    return ["".join(t.split()) for t in texts]


def test_word_changes_are_deleted_on_a_and_inserted_on_b_in_the_printed_text(comparison):
    page = render_comparison(comparison, "en")
    for row, pair in zip(_rows(page), comparison.pairs):
        left = row.split('class="reso-compare-a', 1)[1].split("</td>", 1)[0]
        right = row.split('class="reso-compare-b', 1)[1].split("</td>", 1)[0]
        deleted = [html.unescape(t) for t in re.findall(r"<del>(.*?)</del>", left, flags=re.S)]
        inserted = [html.unescape(t) for t in re.findall(r"<ins>(.*?)</ins>", right, flags=re.S)]
        if pair.change == "same":
            assert not deleted and not inserted
        else:
            assert _squeeze(deleted) == _squeeze([t for op, t in pair.diff if op == "delete"])
            assert _squeeze(inserted) == _squeeze([t for op, t in pair.diff if op == "insert"])
            assert "<ins>" not in left and "<del>" not in right
        # each side reads as the resolution prints it ("Secretary-General", not "Secretary - General")
        for cell, pid, text in ((left, pair.a, pair.a_text), (right, pair.b, pair.b_text)):
            if pid is not None:
                shown = re.search(r'<span class="reso-compare-text">(.*)</span>', cell, flags=re.S).group(1)
                assert _text(shown) == text, (pid, pair.change)
    end_date = next(p for p in comparison.pairs if "extend its mandate" in p.b_text)
    assert end_date.change == "changed" and ("insert", "January 2023") in end_date.diff
    assert "Secretary-General" in page and "Secretary - General" not in page


def test_the_summary_counts_each_kind_of_change_and_the_filter_keeps_only_changes(comparison):
    counts = summary_counts(comparison)
    assert sum(counts.values()) == len(comparison.pairs) and counts["added"] >= 1
    full = render_comparison(comparison, "fr")
    summary = _text(re.search(r'<p class="reso-compare-summary"[^>]*>(.*?)</p>', full).group(1))
    assert summary == phrase("ui_compare_summary", "fr", a=A, b=B, language=phrase("lang_en", "fr"), **{k: str(v) for k, v in counts.items()})
    only = render_comparison(comparison, "fr", changes_only=True)
    kept = re.findall(r'data-change="(\w+)"', only)
    assert kept == [p.change for p in comparison.pairs if p.change != "same"]
    assert len(kept) == len(comparison.pairs) - counts["same"]


def test_the_handler_compares_typed_symbols_and_explains_what_it_cannot(lh, comparison):
    page = lh.compare(A, B, "en", False, "en")
    assert page == render_comparison(comparison, "en")
    assert phrase("ui_lineage_missing", "zh", document="S/RES/9999 (2031)") in html.unescape(lh.compare(A, "S/RES/9999 (2031)", "", False, "zh"))
    assert phrase("ui_compare_need_two", "es") in html.unescape(lh.compare(A, "", "", False, "es"))
    assert phrase("ui_compare_empty", "en") in html.unescape(lh.compare("", "", "", False, "en"))


def test_arabic_texts_are_compared_right_to_left(lh, services):
    c = services.assistant.lineage.compare(A, B, "ar")
    assert c is not None and c.language == "ar"
    page = lh.compare(A, B, "ar", True, "ar")
    assert '<table class="reso-compare-table" dir="rtl">' in page
    cells = re.findall(r'<td class="reso-compare-[ab]" lang="(\w+)" dir="(\w+)">', page)
    assert cells and set(cells) == {("ar", "rtl")}
    assert re.search(r"[\u0600-\u06FF]", _text(page))
    for change in {p.change for p in c.pairs if p.change != "same"}:
        assert phrase(f"ui_change_{change}", "ar") in page


def test_labels_follow_the_interface_language(comparison):
    for lang in LANGS:
        page = render_comparison(comparison, lang)
        for change in CHANGES:
            if comparison.of(change):
                assert phrase(f"ui_change_{change}", lang) in page
        assert phrase("ui_compare_change", lang) in page
    assert re.search(r"[\u4E00-\u9FFF]", _text(render_comparison(comparison, "zh")).split("\n")[0])


def test_resolution_texts_stay_text(services):
    """A paragraph carrying markup (documents are untrusted) is shown as text on both sides."""
    library = services.library
    a_chunks = library.document_chunks(A, "en")
    b_chunks = library.document_chunks(B, "en")
    payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    b_chunks = [replace(c, text=c.text + " " + payload) if c.paragraph == "OP1" else c for c in b_chunks]
    c = compare_chunks(A, a_chunks, B, b_chunks, "en")
    changed = next(p for p in c.pairs if p.b == "OP1")
    assert changed.change != "same"
    page = render_comparison(c, "en")
    assert "<img" not in page and "<script" not in page and "&lt;" in page
    row = next(r for r, p in zip(_rows(page), c.pairs) if p is changed)
    inserted = [html.unescape(t) for t in re.findall(r"<ins>(.*?)</ins>", row, flags=re.S)]
    assert _squeeze(inserted) == _squeeze([t for op, t in changed.diff if op == "insert"])
    assert any("img" in t and "script" in t for t in inserted)


def test_the_page_holds_the_panel_and_the_comparison(services):
    from reso.ui.gradio import build

    demo = build(services)
    ids = {getattr(block, "elem_id", None) for block in demo.blocks.values()}
    assert {"lineage", "lineage-document", "lineage-show", "lineage-panel", "compare", "compare-a", "compare-b",
            "compare-language", "compare-changes-only", "compare-button", "compare-view"} <= ids


def test_changes_only_and_a_language_switch_reuse_the_comparison_of_the_same_index_state(services):
    """Aligning two long renewals takes seconds on the large index; toggling the filter must not redo it."""

    class Counting:
        def __init__(self, inner):
            self.inner, self.calls = inner, 0

        def resolve(self, document):
            return self.inner.resolve(document)

        def related(self, document):
            return self.inner.related(document)

        def compare(self, a, b, language=None):
            self.calls += 1
            return self.inner.compare(a, b, language)

    counting = Counting(services.assistant.lineage)
    assistant = SimpleNamespace(lineage=counting)  # what the handlers read of the assistant
    lh = LineageHandlers(Services(services.settings, services.library, assistant))
    full = lh.compare(A, B, "en", False, "en")
    only = lh.compare(A, B, "en", True, "en")
    french = lh.compare(A, B, "en", True, "fr")
    assert counting.calls == 1
    assert full.count('data-change="same"') > 0 and only.count('data-change="same"') == 0
    assert phrase("ui_compare_change", "fr") in french
    lh.compare(A, B, "fr", False, "en")  # another language version is another comparison
    assert counting.calls == 2
    assistant.lineage = fresh = Counting(services.assistant.lineage)  # a refreshed index: a new lineage
    lh.compare(A, B, "en", False, "en")
    assert fresh.calls == 1


# -- a comparison opened by its address; "cites" targets that open their panel ----------------------

BRIEF_URL = "/?compare=S%2FRES%2F2618%20(2022)&with=S%2FRES%2F2646%20(2022)&language=en&changes=1"


def _params(url: str) -> dict[str, str]:
    """The query parameters as the server hands them to the page's load (decoded)."""
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


def test_a_comparison_address_is_read_back_as_it_is_written():
    assert parse_compare_link(_params(BRIEF_URL)) == CompareLink(A, B, "en", True)
    assert parse_compare_link(_params("/?with=S%2FRES%2F2646+(2022)&compare=2618%20(2022)")) == CompareLink("2618 (2022)", B, "", False)
    # the language is a resolution's language version (as in ?document=…&language=…); others are dropped
    assert parse_compare_link({"compare": A, "with": B, "language": "de", "changes": "0"}) == CompareLink(A, B, "", False)
    assert parse_compare_link({"compare": A, "with": B, "language": "AR", "changes": "true"}) == CompareLink(A, B, "ar", True)
    assert parse_compare_link({"compare": " ", "document": A, "paragraph": "OP5"}) is None  # a paragraph's deep link
    assert parse_compare_link({"compare": A}) == CompareLink(A, "", "", False)  # the view then asks for B
    for link in (CompareLink(A, B, "en", True), CompareLink(OLDER, A, "", False), CompareLink("A/RES/60/251", "60/251 & co", "fr", False)):
        query = compare_link_query(link.a, link.b, link.language, link.changes_only)
        assert " " not in query and "+" not in query
        assert parse_compare_link(_params("/?" + query)) == link
    assert "?" + compare_link_query(A, B, "en", True) == BRIEF_URL[1:]


def test_opening_the_page_at_a_comparison_s_address_fills_and_shows_it(lh, comparison):
    a, b, language, changes, view, accordion = lh.from_link(_params(BRIEF_URL), "fr")
    assert (a, b, language, changes) == (A, B, "en", True)
    assert accordion == gr.update(open=True)
    assert view == render_comparison(comparison, "fr", changes_only=True)
    assert 'data-change="same"' not in view and len(_rows(view)) == len(comparison.pairs) - summary_counts(comparison)["same"]
    # no comparison in the address: nothing changes
    assert lh.from_link({"document": A, "paragraph": "OP5"}, "en") == (gr.update(),) * 6


def test_a_comparison_s_address_with_unknown_symbols_names_them_in_the_interface_language(lh):
    *_, view, accordion = lh.from_link({"compare": "S/RES/9999 (2031)", "with": B}, "ru")
    assert accordion == gr.update(open=True)
    assert _text(view).strip() == phrase("ui_lineage_missing", "ru", document="S/RES/9999 (2031)")
    *_, view, _ = lh.from_link({"compare": "S/RES/9999 (2031)", "with": "S/RES/9998 (2031)"}, "zh")
    for unknown in ("S/RES/9999 (2031)", "S/RES/9998 (2031)"):
        assert phrase("ui_lineage_missing", "zh", document=unknown) in _text(view)
    assert "reso-compare-table" not in view
    *_, view, _ = lh.from_link({"compare": A}, "es")
    assert phrase("ui_compare_need_two", "es") in _text(view)


def test_every_comparison_shows_its_own_address_under_the_summary(comparison):
    for changes_only, lang in ((False, "en"), (True, "ar")):
        page = render_comparison(comparison, lang, changes_only)
        after_summary = page.split('class="reso-compare-summary"', 1)[1].split("<table", 1)[0]
        link = re.search(r'<a class="reso-compare-link" href="([^"]+)">(.*?)</a>', after_summary)
        assert link and _text(link.group(2)) == phrase("ui_compare_link", lang)
        href = html.unescape(link.group(1))
        assert parse_compare_link(_params(href)) == CompareLink(comparison.a, comparison.b, comparison.language, changes_only)
        copy = re.search(r'data-reso-copy="1" data-href="([^"]+)" data-copied="([^"]+)">(.*?)</button>', after_summary)
        assert copy and html.unescape(copy.group(1)) == href and _text(copy.group(3)) == phrase("ui_compare_copy", lang)


def test_the_page_s_load_reads_a_comparison_s_address(services, comparison):
    from reso.ui.gradio import build

    demo = build(services)
    load = next(f for f in demo.fns.values() if getattr(f.fn, "__name__", "") == "on_load")
    ids = [getattr(block, "elem_id", None) for block in load.outputs]
    request = SimpleNamespace(query_params=_params(BRIEF_URL + "&ui=fr"), headers={})
    out = load.fn(request)
    assert len(out) == len(ids)
    values = dict(zip(ids, out))
    assert values["ui-language"] == "fr"
    assert (values["compare-a"], values["compare-b"], values["compare-language"], values["compare-changes-only"]) == (A, B, "en", True)
    assert values["compare-view"] == render_comparison(comparison, "fr", changes_only=True)
    assert values["compare"] == gr.update(open=True)
    plain = dict(zip(ids, load.fn(SimpleNamespace(query_params={}, headers={}))))
    assert plain["compare-view"] == gr.update() and plain["compare"] == gr.update()


def test_an_indexed_cites_target_opens_its_own_panel(services, lh):
    related = services.assistant.lineage.related(B)
    page = lh.related(B, "fr")[0]
    section = page.split('class="reso-lineage-cites"', 1)[1]
    opening = [html.unescape(d) for d in re.findall(r'<button type="button" class="reso-symbol reso-lineage-open" data-reso-lineage="1" data-document="([^"]+)"', section)]
    indexed = {m.target for m in related.cites if m.indexed}
    assert A in indexed and set(opening) == indexed
    outside = {m.target for m in related.cites if not m.indexed}
    assert outside and not outside & set(opening)
    assert all(f'data-document="{html.escape(t)}"' not in section for t in outside)  # plain text, nothing to open
    assert phrase("ui_lineage_open", "fr") in html.unescape(section)
    # the click (reso.js: `open_lineage`) shows that document's panel, its predecessor as A
    *_, (doc, panel, a, b) = list(lh.on_lineage_event("fr", gr.EventData(None, {"document": A})))
    assert doc == gr.update(value=A)
    assert panel == lh.related(A, "fr")[0] and (a, b) == (OLDER, A)
    assert list(lh.on_lineage_event("fr", gr.EventData(None, {"document": ""}))) == [(gr.update(),) * 4]


def test_a_resolution_only_cited_shows_who_cites_it_noted_not_in_the_index(services, lh):
    lineage = services.assistant.lineage
    outside = sorted({m.target for m in lineage.related(B).cites if not m.indexed and m.target.startswith("S/RES/")})
    assert outside
    target = outside[0]
    assert lineage.resolve(target) is None
    related = lineage.related(target)
    assert related is not None and related.cited_by and not related.series
    for ui_lang in ("en", "fr", "ar"):
        page, a, b = lh.related(target, ui_lang)
        assert (a, b) == (None, None)  # nothing of it to compare
        assert phrase("ui_lineage_not_in_index", ui_lang, document=related.document) in _text(page)
        assert phrase("ui_lineage_missing", ui_lang, document=target) not in _text(page)
        buttons = re.findall(r'class="reso-citation" data-reso-open="1" data-document="([^"]+)" data-paragraph="([^"]+)"', page)
        assert sorted({(html.unescape(d), p) for d, p in buttons}) == sorted({(m.source, m.paragraph) for m in related.cited_by})
        assert len(buttons) == len(set(buttons))
        assert "reso-lineage-series" not in page and "reso-lineage-cites" not in page
    # a symbol nothing cites is still unknown
    assert phrase("ui_lineage_missing", "en", document="S/RES/9999 (2031)") in _text(lh.related("S/RES/9999 (2031)", "en")[0])
