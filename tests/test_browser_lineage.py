"""The lineage panel and the comparison view in a real headless Chromium, against the real app.

The app is `create_app` over three real UNFICYP renewals of the Security Council (S/RES/2561
(2021), 2618 (2022), 2646 (2022), English, French and Arabic: tests/test_ui_lineage.py's files),
served by uvicorn on loopback; Chromium and Playwright as in tests/test_browser.py, whose helpers
this file reuses (the same arguments, the same skip-unless-CI rule). Its session-wide `browser`
cannot be shared (a fixture imported into a second module is a second instance, and Playwright's
sync API allows one per thread), so this file drives its own Chromium from one worker thread:
`in_browser(fn)` runs `fn(page)` there and re-raises what it raised. Screenshots go to test-artifacts/;
with RESO_UPDATE_SCREENSHOTS=1 they are also copied to docs/img/ (compare-view.png,
lineage-panel.png) for the README.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.test_browser import CHROMIUM_ARGS, _AppServer, _chromium, _missing, _test_settings
from tests.test_browser import _shot as browser_shot
from tests.test_ui_lineage import A, B, OLDER, renewal_files

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
DOC_IMG = ROOT / "docs" / "img"
QUESTION = "What does the Security Council decide about the mandate of UNFICYP until 31 January 2023?"


def _shot(target, name: str, doc_name: str | None = None, **kwargs) -> Path:
    return browser_shot(target, name, doc_name, folder=DOC_IMG, **kwargs)


@pytest.fixture(scope="module")
def renewals_server(tmp_path_factory) -> Iterator[_AppServer]:
    settings = _test_settings(tmp_path_factory)
    from reso.assistant.factory import open_library
    from reso.ui.app import create_app

    # ingested where they lie: a resolution's title comes from the corpus's data_extract beside it
    open_library(settings).ingest(renewal_files())

    with _AppServer(create_app(settings)) as server:
        yield server


@pytest.fixture(scope="module")
def in_browser() -> Iterator[Callable[[Callable[[Any], Any]], Any]]:
    """`run(fn)`: `fn(page)` in a fresh 1440×1000 English page, on this module's Chromium thread."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the Playwright client is not installed (pip install playwright; no browser download needed)")
    executable = _chromium()
    if not executable:
        _missing("Chromium is not installed (apt-get install -y chromium)")
    worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")

    def start():
        playwright = sync_playwright().start()
        return playwright, playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)

    playwright, browser = worker.submit(start).result()

    def on_page(fn: Callable[[Any], Any]) -> Any:
        ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="en-GB")
        ctx.set_default_timeout(30_000)
        page = ctx.new_page()
        page.errors = []
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        try:
            return fn(page)
        finally:
            ctx.close()

    yield lambda fn: worker.submit(on_page, fn).result()
    worker.submit(lambda: (browser.close(), playwright.stop())).result()
    worker.shutdown()


def _open_accordion(page, elem_id: str) -> None:
    page.locator(f"#{elem_id} > button").first.click()


def _compare(page, a: str, b: str) -> None:
    page.locator("#compare-a textarea, #compare-a input").first.fill(a)
    page.locator("#compare-b textarea, #compare-b input").first.fill(b)
    page.locator("#compare-button").click()


def test_the_comparison_of_two_renewals_highlights_what_changed(renewals_server, in_browser):
    in_browser(lambda page: _comparison_of_two_renewals(renewals_server, page))


def _comparison_of_two_renewals(renewals_server, page) -> None:
    page.goto(renewals_server.origin + "/?ui=en")
    page.locator("#question textarea").first.wait_for(state="visible", timeout=60_000)
    _open_accordion(page, "compare")
    _compare(page, A, B)
    table = page.locator("#compare-view table.reso-compare-table")
    table.wait_for(state="visible", timeout=60_000)
    summary = page.locator("#compare-view .reso-compare-summary").inner_text()
    assert summary.startswith(f"{A} → {B} (English):"), summary

    added = table.locator("tr.reso-change-added")
    changed = table.locator("tr.reso-change-changed")
    assert added.count() >= 1 and changed.count() >= 1
    # the paragraph 2646 (2022) added: B's side only, labelled in words, its text inserted
    vehicle = added.filter(has_text="attack on an UNFICYP vehicle")
    assert vehicle.count() == 1
    assert vehicle.locator("th").inner_text().strip().endswith("added")
    assert vehicle.locator("td.reso-compare-a.reso-compare-none").count() == 1
    # the mandate's new end date: struck out on A's side, inserted on B's
    mandate = changed.filter(has_text="decides to extend its mandate")
    assert mandate.locator("td.reso-compare-a del").count() >= 1
    assert "January 2023" in mandate.locator("td.reso-compare-b ins").all_inner_texts()
    # the marks are visible: struck through, underlined, and coloured rows
    assert mandate.locator("del").first.evaluate("(el) => getComputedStyle(el).textDecorationLine") == "line-through"
    assert mandate.locator("ins").first.evaluate("(el) => getComputedStyle(el).textDecorationLine") == "underline"
    colours = {row.evaluate("(el) => getComputedStyle(el).backgroundColor") for row in (vehicle, mandate.first)}
    assert len(colours) == 2 and "rgba(0, 0, 0, 0)" not in colours

    same_before = table.locator("tr.reso-change-same").count()
    assert same_before >= 1
    rows_before = table.locator("tr.reso-change").count()
    page.locator("#compare-changes-only input[type=checkbox]").check()
    page.wait_for_function("() => document.querySelectorAll('#compare-view tr.reso-change-same').length === 0")
    assert table.locator("tr.reso-change").count() == rows_before - same_before
    assert page.locator("#compare-view tr.reso-change-added").count() == added.count()
    # the view's top (its boxes, the summary, the first changed rows) as the reader first sees it
    page.evaluate("() => document.getElementById('compare').scrollIntoView({block: 'start'})")
    _shot(page, "compare-view", "compare-view.png")
    assert page.errors == []


def test_the_lineage_panel_beside_the_sources_opens_the_comparison_with_the_predecessor(renewals_server, in_browser):
    in_browser(lambda page: _lineage_panel(renewals_server, page))


def _lineage_panel(renewals_server, page) -> None:
    page.goto(renewals_server.origin + "/?ui=en")
    box = page.locator("#question textarea").first
    box.wait_for(state="visible", timeout=60_000)
    box.fill(QUESTION)
    box.press("Enter")
    page.locator("#sources-panel .reso-source").first.wait_for(state="visible", timeout=60_000)
    cited = page.locator("#sources-panel .reso-source").evaluate_all("(els) => els.map((e) => e.dataset.document)")
    assert A in cited or B in cited, cited

    # nothing lineage-related ran with the answer: the panel still shows its hint
    assert page.locator("#lineage-panel .reso-series-entry").count() == 0
    _open_accordion(page, "lineage")
    panel = page.locator("#lineage-panel")
    panel.locator(".reso-timeline, .reso-notice, .reso-hint").first.wait_for(state="visible", timeout=60_000)
    # the panel's document is the answer's first cited one; pick 2618 (2022), which has a citer
    picker = page.locator("#lineage-document input").first
    picker.fill(A)
    picker.press("Enter")
    page.locator("#lineage-show").click()
    # the accordion's own first panel (the answer's first cited document) may still be on its way:
    # wait for the one asked for
    current = panel.locator(f'.reso-series-entry[aria-current="true"][data-document="{A}"]')
    current.wait_for(state="visible", timeout=60_000)
    # the picker's Enter and the Show button each render the panel: checks that retry ride over the second
    citer = panel.locator(f'.reso-cited-by .reso-citation[data-document="{B}"][data-paragraph="OP5"]')
    expect(citer).to_have_count(1, timeout=60_000)
    expect(panel.locator(f'.reso-series-entry[data-document="{OLDER}"]')).to_have_count(1, timeout=60_000)
    entries = panel.locator(".reso-series-entry").evaluate_all("(els) => els.map((e) => e.dataset.document)")
    assert entries.index(OLDER) < entries.index(A)
    panel.scroll_into_view_if_needed()
    _shot(page.locator("#side-column"), "lineage-panel", "lineage-panel.png")
    # the comparison's defaults: the predecessor and the document
    _open_accordion(page, "compare")
    assert page.locator("#compare-a textarea, #compare-a input").first.input_value() == OLDER
    assert page.locator("#compare-b textarea, #compare-b input").first.input_value() == A

    # "compare with the previous one" fills and runs the comparison
    panel.locator(f'.reso-series-entry[data-document="{A}"] .reso-compare-open').click()
    page.locator("#compare-view table.reso-compare-table").wait_for(state="visible", timeout=60_000)
    assert page.locator("#compare-view .reso-compare").get_attribute("data-a") == OLDER
    assert page.locator("#compare-view .reso-compare").get_attribute("data-b") == A

    # a cited-by entry opens the citing paragraph like a source does, and the open panel follows it
    citer.click()
    page.locator("#paragraph-view").get_by_text("Recalls its resolution 2618").first.wait_for(state="visible")
    panel.locator(f'.reso-lineage[data-document="{B}"]').wait_for(state="attached", timeout=60_000)
    assert page.errors == []


def test_a_deep_link_in_arabic_opens_its_document_s_panel_and_an_arabic_comparison_right_to_left(renewals_server, in_browser):
    in_browser(lambda page: _deep_link_in_arabic(renewals_server, page))


def _deep_link_in_arabic(renewals_server, page) -> None:
    from reso.prompts import phrase

    page.goto(f"{renewals_server.origin}/?ui=ar&document={quote(A, safe='')}&paragraph=OP5&language=ar")
    page.locator("#paragraph-view .reso-focus").first.wait_for(state="visible", timeout=60_000)
    assert page.evaluate("() => document.documentElement.dir") == "rtl"
    _open_accordion(page, "lineage")
    panel = page.locator("#lineage-panel")
    current = panel.locator('.reso-series-entry[aria-current="true"]')
    current.wait_for(state="visible", timeout=60_000)  # the deep link's document, with no answer asked
    assert current.get_attribute("data-document") == A
    assert phrase("ui_lineage_cited_by", "ar") in panel.inner_text()

    _open_accordion(page, "compare")
    language = page.locator("#compare-language input").first
    language.click()
    page.get_by_role("option", name=f"{phrase('lang_ar', 'ar')} (ar)").click()
    panel.locator(f'.reso-series-entry[data-document="{A}"] .reso-compare-open').click()
    table = page.locator("#compare-view table.reso-compare-table")
    table.wait_for(state="visible", timeout=60_000)
    assert page.locator("#compare-view .reso-compare").get_attribute("data-language") == "ar"
    assert table.evaluate("(el) => getComputedStyle(el).direction") == "rtl"
    cell = table.locator("td.reso-compare-b:not(.reso-compare-none)").first
    assert cell.evaluate("(el) => getComputedStyle(el).direction") == "rtl"
    labels = table.locator("th.reso-change-label").all_inner_texts()
    words = {phrase(f"ui_change_{c}", "ar") for c in ("same", "changed", "added", "removed", "moved")}
    assert labels and all(any(w in label for w in words) for label in labels)
    assert table.locator("del, ins").count() >= 1
    assert page.errors == []


COMPARISON_URL = "/?compare=S%2FRES%2F2618%20(2022)&with=S%2FRES%2F2646%20(2022)&language=en&changes=1"


def test_a_comparison_s_address_opens_it_filled_with_its_link_under_the_summary(renewals_server, in_browser):
    in_browser(lambda page: _comparison_address(renewals_server, page))


def _comparison_address(renewals_server, page) -> None:
    from reso.prompts import phrase
    from reso.ui.gradio.lineage import CompareLink, parse_compare_link
    from urllib.parse import parse_qsl, urlsplit

    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=renewals_server.origin)
    page.goto(renewals_server.origin + COMPARISON_URL + "&ui=en")
    table = page.locator("#compare-view table.reso-compare-table")
    table.wait_for(state="visible", timeout=60_000)  # the accordion opened by itself, nothing typed
    assert page.locator("#compare-a textarea, #compare-a input").first.input_value() == A
    assert page.locator("#compare-b textarea, #compare-b input").first.input_value() == B
    assert page.locator("#compare-changes-only input[type=checkbox]").is_checked()
    view = page.locator("#compare-view .reso-compare")
    assert (view.get_attribute("data-a"), view.get_attribute("data-b"), view.get_attribute("data-language")) == (A, B, "en")
    assert page.locator("#compare-view .reso-compare-summary").inner_text().startswith(f"{A} → {B} (English):")
    # changes only: no unchanged row; the added paragraph and the new end date are there
    assert table.locator("tr.reso-change-same").count() == 0 and table.locator("tr.reso-change").count() >= 2
    assert table.locator("tr.reso-change-added").filter(has_text="attack on an UNFICYP vehicle").count() == 1
    mandate = table.locator("tr.reso-change-changed").filter(has_text="decides to extend its mandate")
    assert "January 2023" in mandate.locator("td.reso-compare-b ins").all_inner_texts()

    # the link under the summary names this very view; "copy" puts its whole address on the clipboard
    link = page.locator("#compare-view .reso-compare-permalink a.reso-compare-link")
    assert link.inner_text() == phrase("ui_compare_link", "en")
    href = link.evaluate("(el) => el.href")
    assert parse_compare_link(dict(parse_qsl(urlsplit(href).query))) == CompareLink(A, B, "en", True)
    copy = page.locator("#compare-view button.reso-copy-link")
    copy.click()
    page.wait_for_function("() => document.querySelector('#compare-view button.reso-copy-link').dataset.copiedUrl")
    assert copy.get_attribute("data-copied-url") == href
    assert copy.inner_text() == phrase("ui_compare_copied", "en")
    assert page.evaluate("() => navigator.clipboard.readText()") == href
    assert page.errors == []

    # an address naming a resolution the index lacks says which, in the interface language
    page.goto(f"{renewals_server.origin}/?ui=fr&compare={quote('S/RES/9999 (2031)', safe='')}&with={quote(B, safe='')}")
    notice = page.locator("#compare-view .reso-notice")
    notice.wait_for(state="visible", timeout=60_000)
    assert notice.inner_text() == phrase("ui_lineage_missing", "fr", document="S/RES/9999 (2031)")
    assert page.locator("#compare-view table").count() == 0
    assert page.errors == []


def test_a_cites_target_opens_its_panel_and_a_resolution_only_cited_shows_its_citers(renewals_server, in_browser):
    in_browser(lambda page: _cites_target(renewals_server, page))


def _cites_target(renewals_server, page) -> None:
    from reso.prompts import phrase

    page.goto(f"{renewals_server.origin}/?ui=en&document={quote(B, safe='')}&paragraph=OP5&language=en")
    page.locator("#paragraph-view .reso-focus").first.wait_for(state="visible", timeout=60_000)
    _open_accordion(page, "lineage")
    panel = page.locator("#lineage-panel")
    panel.locator(f'.reso-lineage[data-document="{B}"] .reso-cites').wait_for(state="visible", timeout=60_000)
    # indexed targets are buttons, the others plain text marked "not indexed"
    opening = panel.locator(".reso-cites .reso-lineage-open")
    assert A in opening.evaluate_all("(els) => els.map((e) => e.dataset.document)")
    outside = panel.locator('.reso-cites .reso-mention[data-indexed="false"]')
    assert outside.count() >= 1 and outside.locator("button.reso-lineage-open").count() == 0
    assert phrase("ui_lineage_not_indexed", "en") in outside.first.text_content()  # the tag is shown in capitals
    only_cited = outside.first.get_attribute("data-target")

    opening.filter(has_text=A).first.click()
    current = panel.locator(f'.reso-lineage[data-document="{A}"] .reso-series-entry[aria-current="true"]')
    current.wait_for(state="visible", timeout=60_000)
    assert current.get_attribute("data-document") == A
    assert page.locator("#lineage-document input").first.input_value() == A
    expect(panel.locator(f'.reso-cited-by .reso-citation[data-document="{B}"][data-paragraph="OP5"]')).to_have_count(1, timeout=60_000)

    # a resolution the index lacks but its texts cite: who cites it, noted "not in the index"
    picker = page.locator("#lineage-document input").first
    picker.fill(only_cited)
    picker.press("Enter")
    page.locator("#lineage-show").click()
    note = panel.locator(".reso-not-in-index")
    note.wait_for(state="visible", timeout=60_000)
    assert note.inner_text() == phrase("ui_lineage_not_in_index", "en", document=only_cited)
    expect(panel.locator(".reso-cited-by .reso-citation").first).to_be_visible(timeout=60_000)
    expect(panel.locator(".reso-series-entry")).to_have_count(0, timeout=60_000)
    assert page.errors == []
