"""Votes and sponsors (issue 17, item 5): as filters, and beside each cited resolution.

A small real index of ../shared/corpus with the hash embedder: Security Council resolutions of 2023
adopted unanimously (2672, 2681, 2688, 2689) and by recorded votes (2695 in English and French,
2699), Human Rights Council resolutions adopted without a vote (54/10, 54/12) and by a recorded vote
(54/27), and a General Assembly one by a recorded vote (78/186). What a filter must keep is computed
from the index's own records (each document's vote, its sponsors as printed), never written here.
"""

from __future__ import annotations

import html
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from reso.assistant.adoption import sponsor_forms, sponsor_key, vote_kind
from reso.assistant.core import Assistant
from reso.assistant.generators.extractive import ExtractiveGenerator
from reso.assistant.models import VOTE_KINDS, Filters, InvalidFilter
from reso.assistant.refusal import RefusalPolicy
from reso.assistant.retrieval import HybridRetriever
from reso.errors import rule_for
from reso.index.embedders import HashEmbedder
from reso.index.library import Library
from reso.index.model import normalise_symbol
from reso.index.store import ChromaStore
from reso.prompts import phrase
from reso.settings import Settings
from reso.ui import http as api
from reso.ui.feedback import FeedbackStore
from reso.ui.gradio.filters import FilterError, parse_filters, vote_choices
from reso.ui.gradio.handlers import Handlers
from reso.ui.gradio.render import sponsors_label, vote_label
from reso.ui.services import Services
from sse import parse_sse

SC = ["2699", "2688", "2689", "2672", "2681"]
HRC = ["10", "27", "12"]


@pytest.fixture(scope="module")
def corpus_files(shared_corpus) -> list[Path]:
    sc, hrc, ga = (shared_corpus / p for p in ("unxml-sc/2023", "unxml-hrc/54session", "unxml-ga/78session"))
    files = list(sc.glob("*/S_RES_2695-*[EF].xml"))
    files += [f for n in SC for f in sc.glob(f"English/S_RES_{n}[-_]*E.xml")]
    files += [f for n in HRC for f in hrc.glob(f"English/A_HRC_RES_54_{n}E.xml")]
    files += list(ga.glob("English/A_RES_78_186-*E.xml"))
    assert len(files) == 11, files
    return files


@pytest.fixture(scope="module")
def services(tmp_path_factory, corpus_files) -> Services:
    data_dir = tmp_path_factory.mktemp("votes-index")
    library = Library(ChromaStore.open(data_dir), HashEmbedder())
    library.ingest(corpus_files)
    retriever = HybridRetriever(library)
    assistant = Assistant(retriever, ExtractiveGenerator(), RefusalPolicy(index=retriever.lexical))
    return Services(Settings(data_dir=data_dir, embedder="hash"), library, assistant)


@pytest.fixture(scope="module")
def client(services) -> TestClient:
    app = FastAPI()
    api.install(app, services)
    return TestClient(app)


@pytest.fixture
def handlers(services, tmp_path) -> Handlers:
    return Handlers(services, FeedbackStore(tmp_path / "feedback.sqlite3"))


# -- what the records say, read here without the code under test --------------------------------------
def records_by_document(services) -> dict[str, list]:
    out: dict[str, list] = {}
    for r in services.library.document_records():
        out.setdefault(normalise_symbol(r.document), []).append(r)
    return out


def with_vote(services, kinds) -> set[str]:
    """Documents any of whose versions' records have a vote of `kinds` ("recorded (13-0-2)" is recorded)."""
    return {d for d, rs in records_by_document(services).items() if any(r.vote.split(" (")[0] in kinds for r in rs)}


def sponsored_by(services, printed: set[str]) -> set[str]:
    """Documents any of whose versions' records print one of these sponsor names."""
    return {d for d, rs in records_by_document(services).items()
            if any(set(r.meta.get("sponsors") or ()) & printed for r in rs)}


def first_operative(services, document: str) -> str:
    chunks = services.library.document_chunks(document, "en")
    return next(c.text for c in chunks if c.kind == "operative")


def symbol_of(services, key: str) -> str:
    return next(d.document for d in services.library.documents() if normalise_symbol(d.document) == key)


# -- the filters keep exactly the documents whose records match --------------------------------------
@pytest.mark.parametrize("kinds", [("unanimous",), ("recorded",), ("without_vote",), ("recorded", "without_vote")])
def test_a_vote_filter_keeps_exactly_the_documents_adopted_so(services, kinds):
    expected = with_vote(services, kinds)
    assert expected and expected != set(records_by_document(services))  # the filter has work to do
    kept = services.assistant.scoped(Filters(votes=kinds))
    assert {normalise_symbol(d) for d in kept.documents} == expected
    assert kept.votes == () and kept.sponsors == ()  # resolved: the search sees a documents filter only


@pytest.mark.parametrize(
    "typed, printed",
    [
        ("France", {"France"}),
        ("FRANCE", {"France"}),
        ("cote d'ivoire", {"Côte d’Ivoire", "Côte d'Ivoire"}),  # accents, case and the apostrophe's kind
        ("Côte d’Ivoire", {"Côte d’Ivoire", "Côte d'Ivoire"}),
        ("Bolivia", {"Bolivia (Plurinational State of)"}),  # the short form before the parenthesis
        ("plurinational state of bolivia", {"Bolivia (Plurinational State of)"}),  # and the long form
        ("United States", {"United States of America"}),
        ("Zambia", {"Zambia (on behalf of the States Members of the United Nations that are members of the Group of "
                    "African States)"}),
    ],
)
def test_a_sponsor_filter_matches_the_name_as_a_user_types_it(services, typed, printed):
    expected = sponsored_by(services, printed)
    assert expected and expected != set(records_by_document(services))
    kept = services.assistant.scoped(Filters(sponsors=(typed,)))
    assert {normalise_symbol(d) for d in kept.documents} == expected


def test_filters_combine_with_each_other_and_with_the_documents_filter(services):
    recorded, france = with_vote(services, ("recorded",)), sponsored_by(services, {"France"})
    both = recorded & france
    assert both and both != recorded and both != france
    kept = services.assistant.scoped(Filters(votes=("recorded",), sponsors=("france",)))
    assert {normalise_symbol(d) for d in kept.documents} == both
    # several sponsors: any of them
    us = sponsored_by(services, {"United States of America"})
    either = services.assistant.scoped(Filters(sponsors=("France", "United States")))
    assert {normalise_symbol(d) for d in either.documents} == france | us
    # with a documents filter: the documents of both
    one = sorted(both)[0]
    assert services.assistant.scoped(Filters(documents=(symbol_of(services, one),), votes=("recorded",))).documents == (
        symbol_of(services, one),)
    outside = sorted(with_vote(services, ("unanimous",)))[0]
    assert services.assistant.scoped(Filters(documents=(symbol_of(services, outside),), votes=("recorded",))) is None
    assert services.assistant.scoped(Filters(sponsors=("Narnia",))) is None
    plain = Filters(bodies=("SC",))
    assert services.assistant.scoped(plain) is plain  # nothing to resolve


def test_sponsor_forms_do_not_reach_other_countries():
    """"Guinea" is not Guinea-Bissau, "Niger" not Nigeria, "Republic" no country, "Congo" not the DRC."""
    assert sponsor_key("Guinea") not in sponsor_forms("Guinea-Bissau")
    assert sponsor_key("Niger") not in sponsor_forms("Nigeria")
    assert sponsor_key("Republic") not in sponsor_forms("Republic of Moldova")
    assert sponsor_key("Congo") not in sponsor_forms("Democratic Republic of the Congo")
    assert sponsor_key("Netherlands") in sponsor_forms("Netherlands (Kingdom of the)")
    assert sponsor_key("Kingdom of the Netherlands") in sponsor_forms("Netherlands (Kingdom of the)")
    assert sponsor_key("United Kingdom") in sponsor_forms("United Kingdom of Great Britain and Northern Ireland")


@pytest.mark.parametrize("kinds", [("recorded",), ("unanimous",), ("without_vote",)])
def test_through_the_api_the_filter_keeps_exactly_the_matching_documents(services, client, kinds):
    """Each document's first operative paragraph, asked for in its own words: cited when the filter keeps
    the document, never cited nor listed as related when it does not."""
    expected = with_vote(services, kinds)
    for key in records_by_document(services):
        document = symbol_of(services, key)
        body = {"question": first_operative(services, document)[:300], "filters": {"votes": list(kinds)}}
        answer = client.post("/api/ask", json=body).json()
        named = {normalise_symbol(c["document"]) for c in answer["citations"] + answer["related"]}
        if key in expected:
            assert key in {normalise_symbol(c["document"]) for c in answer["citations"]}, (document, answer["answer"])
        assert named <= expected, (document, kinds, named)


def test_through_the_handlers_the_filters_keep_exactly_the_matching_documents(services, handlers):
    expected = sponsored_by(services, {"France"}) & with_vote(services, ("unanimous",))
    assert expected
    for key in records_by_document(services):
        document = symbol_of(services, key)
        steps = list(handlers.ask(first_operative(services, document)[:300], [], votes=["unanimous"], sponsors=["france"]))
        turn = steps[-1][1][-1]
        named = {normalise_symbol(s.document) for s in (*turn.sources, *turn.related)}
        if key in expected:
            assert key in {normalise_symbol(s.document) for s in turn.sources}
        assert named <= expected


@pytest.mark.parametrize("language, question", [("fr", "Que décide le Conseil de sécurité ?"),
                                                ("en", "What does the Security Council decide?"),
                                                ("ru", "Что решает Совет Безопасности?")])
def test_a_sponsor_matching_nothing_gets_the_ordinary_refusal_in_the_users_language(client, handlers, language, question):
    answer = client.post("/api/ask", json={"question": question, "filters": {"sponsors": ["Narnia"]}}).json()
    assert answer["refused"] and answer["citations"] == [] and answer["related"] == []
    assert answer["language"] == language and answer["answer"] == phrase("refusal", language)
    turn = list(handlers.ask(question, [], sponsors=["Narnia"]))[-1][1][-1]
    assert turn.refused and turn.answer == phrase("refusal", language)


# -- beside each cited resolution -----------------------------------------------------------------
def english_record(services, document: str):
    return next(r for r in records_by_document(services)[normalise_symbol(document)] if r.language == "en")


def test_api_citations_carry_the_cited_documents_vote_and_sponsors(services, client):
    for key in ("S/RES/2695(2023)", "A/HRC/RES/54/10", "S/RES/2681(2023)"):
        document = symbol_of(services, key)
        record = english_record(services, document)
        answer = client.post("/api/ask", json={"question": first_operative(services, document)[:300]}).json()
        cited = [c for c in answer["citations"] if normalise_symbol(c["document"]) == key]
        assert cited, answer
        assert {c["vote"] for c in cited} == {record.vote} and record.vote
        assert all(c["sponsors"] == record.meta["sponsors"] for c in cited)
    # the stream's citations event is the same wire shape
    r = client.post("/api/ask/stream", json={"question": first_operative(services, "S/RES/2695 (2023)")})
    [cited] = [data for event, data in parse_sse(r.text) if event == "citations"]
    assert {c["vote"] for c in cited} == {"recorded (13-0-2)"} and all(c["sponsors"] == ["France"] for c in cited)


def test_the_sources_panel_shows_the_vote_and_the_sponsors(services, handlers):
    document = "S/RES/2695 (2023)"
    record = english_record(services, document)
    assert record.vote == "recorded (13-0-2)" and record.meta["sponsors"] == ["France"]  # as the file prints it
    for ui_lang, vote, sponsors in [("en", "recorded vote \u206613–0–2\u2069", "Sponsors: France"),
                                    ("fr", "vote enregistré \u206613–0–2\u2069", "Auteurs : France")]:
        chat, turns, panel, *_ = list(handlers.ask(first_operative(services, document), [], ui_lang=ui_lang))[-1]
        assert html.escape(vote) in panel and html.escape(sponsors) in panel, panel
    # a long list is shortened: the first three and "and N others", the whole list on hover
    many = english_record(services, "S/RES/2681 (2023)").meta["sponsors"]
    assert len(many) > 10
    panel = list(handlers.ask(first_operative(services, "S/RES/2681 (2023)"), []))[-1][2]
    shown = f"Sponsors: {', '.join(many[:3])} and {len(many) - 3} others"
    assert html.escape(shown) in panel and html.escape(many[-1]) in panel  # the last only in the title
    assert phrase("ui_vote_unanimous", "en") in panel
    # without a vote, in Arabic
    panel = list(handlers.ask(first_operative(services, "A/HRC/RES/54/10"), [], ui_lang="ar"))[-1][2]
    assert phrase("ui_vote_without_vote", "ar") in panel


def test_vote_and_sponsor_labels_in_the_six_languages():
    for lang in ("en", "fr", "es", "ar", "zh", "ru"):
        labels = {vote_label(v, lang) for v in ("unanimous", "recorded (14-0-1)", "recorded", "without_vote")}
        assert len(labels) == 4 and "" not in labels
        assert {label for label, _ in vote_choices(lang)} and [v for _, v in vote_choices(lang)] == list(VOTE_KINDS)
        if lang != "en":
            assert vote_label("unanimous", lang) != vote_label("unanimous", "en")
            assert phrase("ui_filter_sponsors", lang) != phrase("ui_filter_sponsors", "en")
    assert vote_label("unknown", "en") == vote_label("", "en") == ""
    assert sponsors_label(["A", "B", "C", "D"], "en") == "Sponsors: A, B, C, D"  # never "and 1 others"
    assert sponsors_label(["A", "B", "C", "D", "E"], "en") == "Sponsors: A, B, C and 2 others"
    assert vote_kind("recorded (13-0-2)") == "recorded" and vote_kind("unknown") == ""


# -- bad input ----------------------------------------------------------------------------------------
def test_an_unknown_vote_kind_is_a_422_saying_which_kinds_there_are(client):
    r = client.post("/api/ask", json={"question": "What does the Council decide?", "filters": {"votes": ["majority"]}})
    assert r.status_code == 422
    body = r.json()
    assert "filters.votes[0]" in body["error"] and "'unanimous'" in body["error"] and "'without_vote'" in body["error"]
    # spellings of a known kind are that kind
    ok = client.post("/api/ask", json={"question": "What does the Council decide?", "filters": {"votes": ["Without vote"]}})
    assert ok.status_code == 200
    # the same rule in the core, for every other caller: the error table's 422
    with pytest.raises(InvalidFilter, match="unanimous, recorded, without_vote") as raised:
        Filters(votes=("majority",))
    assert rule_for(raised.value).status == 422
    with pytest.raises(FilterError):
        parse_filters((), (), (), "", "", "fr", votes=["majority"])


def test_the_gradio_filters_offer_the_indexed_sponsors(services, handlers):
    choices = handlers.sponsor_choices()
    printed = {s for rs in records_by_document(services).values() for r in rs for s in r.meta.get("sponsors") or ()}
    assert set(choices) <= printed and "France" in choices and "Bolivia (Plurinational State of)" in choices
    assert len(choices) == len({sponsor_key(c) for c in choices})  # one printing per name
    assert handlers.sponsor_update()["choices"] == choices
    f = parse_filters(None, None, None, "", "", "en", ["recorded", "recorded"], [" France ", ""])
    assert f.votes == ("recorded",) and f.sponsors == ("France",)


def test_the_page_has_the_vote_and_sponsor_filters(services):
    from reso.ui.gradio.layout import build

    demo = build(services)
    ids = {getattr(block, "elem_id", None) for block in demo.blocks.values()}
    assert {"filter-votes", "filter-sponsors"} <= ids
    loads = [f for f in demo.fns.values() if getattr(f.fn, "__name__", "") == "sponsor_update"]
    assert loads, "the sponsor choices are refreshed at page load"


def test_mcp_search_takes_the_vote_and_sponsor_filters(services):
    """MCP's `search_paragraphs` takes the /api/ask filters, these two included (its `ask` takes none)."""
    import json

    import anyio
    from mcp import Client

    from reso.ui.mcp import build_server
    from tests.conftest import run_async

    async def main():
        async with Client(build_server(services)) as client:
            call = client.call_tool
            return (await call("search_paragraphs", {"query": "Council decides", "votes": ["recorded"], "k": 20}),
                    await call("search_paragraphs", {"query": "Council decides", "sponsors": ["Narnia"]}),
                    await call("search_paragraphs", {"query": "Council decides", "votes": ["majority"]}))

    recorded, nothing, bad = run_async(anyio.run, main)
    found = {normalise_symbol(r["document"]) for r in json.loads(recorded.content[0].text)["results"]}
    assert found and found <= with_vote(services, ("recorded",))
    assert json.loads(nothing.content[0].text)["results"] == []
    assert bad.is_error and "without_vote" in " ".join(c.text for c in bad.content)


def test_reso_ask_takes_the_vote_and_sponsor_filters(monkeypatch):
    """On the bundled seed (adopted without a vote, no sponsors printed)."""
    from click.testing import CliRunner

    from reso.ui.cli import cli

    monkeypatch.setenv("RESO_EMBEDDER", "hash")
    question = "Que demande le Conseil au Haut-Commissaire d'organiser ?"
    runner = CliRunner()
    kept = runner.invoke(cli, ["ask", "--json", "--vote", "without_vote", question])
    assert kept.exit_code == 0, kept.output
    assert [(c["paragraph"], c["vote"]) for c in json_of(kept.output)["citations"]] == [("OP4", "without_vote")]
    for option in (["--vote", "recorded", "--vote", "unanimous"], ["--sponsor", "France"]):
        declined = runner.invoke(cli, ["ask", "--json", *option, question])
        assert declined.exit_code == 0 and json_of(declined.output)["answer"] == phrase("refusal", "fr"), option
    bad = runner.invoke(cli, ["ask", "--vote", "majority", question])
    assert bad.exit_code == 2 and "without_vote" in bad.output


def json_of(text: str) -> dict:
    import json

    return json.loads(text)


def test_an_answer_stands_when_the_records_cannot_be_read(services, caplog):
    """A Chroma server restarting while the records are read: the citations go without the vote and
    sponsors (logged), and the next answer reads them; a vote filter cannot be applied then (503)."""
    import logging

    from reso.index.store import StoreUnavailable

    calls = {"n": 0}

    def records():
        calls["n"] += 1
        if calls["n"] == 1:
            raise StoreUnavailable("Chroma at 127.0.0.1:8000 is unreachable")
        return services.library.document_records()

    retriever = services.assistant.retriever
    assistant = Assistant(retriever, ExtractiveGenerator(), RefusalPolicy(index=retriever.lexical), documents=records)
    question = first_operative(services, "S/RES/2695 (2023)")
    with caplog.at_level(logging.WARNING):
        first = assistant.answer(question)
    assert first.citations and all(c.vote == "" and c.sponsors == () for c in first.citations)
    assert "could not be read" in caplog.text
    second = assistant.answer(question)
    assert {c.vote for c in second.citations} == {"recorded (13-0-2)"}
    calls["n"] = 0
    broken = Assistant(retriever, ExtractiveGenerator(), RefusalPolicy(index=retriever.lexical), documents=records)
    with pytest.raises(StoreUnavailable) as raised:
        broken.answer(question, filters=Filters(votes=("recorded",)))
    assert rule_for(raised.value).status == 503


@pytest.mark.browser
def test_in_the_browser_the_filters_narrow_the_answer_and_the_panel_shows_the_vote(services):
    """The page in Chromium: the Adoption checkboxes and a sponsor typed into the dropdown (a name of
    its list, or one it lacks) reach the answer, and the sources panel shows the vote and sponsors."""
    from test_browser import CHROMIUM_ARGS, _AppServer, _chromium, _missing, _question_box

    from reso.ui.app import create_app

    executable = _chromium()
    if not executable:
        _missing("Chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    question = first_operative(services, "S/RES/2695 (2023)")

    def in_chromium(origin: str) -> None:
        # on a thread of its own: tests/test_browser.py's session-wide Chromium holds Playwright's sync
        # API on the main thread, and the API allows one per thread (as in tests/test_browser_lineage.py)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB")
            page.set_default_timeout(30_000)
            def ask_with_sponsor(name: str, choose, vote: bool = False) -> None:
                """A fresh page, the filters opened, `name` typed into the sponsors and `choose`n, the question asked."""
                page.goto(origin + "/")
                box = _question_box(page)
                page.locator("#filters").get_by_text(phrase("ui_filters", "en")).first.click()
                sponsors = page.locator("#filter-sponsors input").first
                sponsors.click()
                sponsors.fill(name)
                choose(sponsors)
                if vote:
                    page.locator("#filter-votes").get_by_text(phrase("ui_filter_vote_recorded", "en")).click()
                box.click()
                box.fill(question)
                box.press("Enter")

            # a sponsor typed as the user writes it, chosen from the dropdown's list
            ask_with_sponsor("France", lambda _: page.get_by_role("option", name="France", exact=True).first.click(), vote=True)
            panel = page.locator("#sources-panel")
            panel.locator(".reso-vote").first.wait_for(state="visible", timeout=60_000)
            text = panel.inner_text()
            assert "S/RES/2695 (2023)" in text and "recorded vote" in text and "13–0–2" in text and "Sponsors: France" in text
            # a name the dropdown does not list, typed as it is: no indexed resolution has it, the answer declines
            ask_with_sponsor("Narnia", lambda sponsors: sponsors.press("Enter"))
            page.locator("#sources-panel .reso-notice").wait_for(state="visible", timeout=60_000)
            assert "S/RES/2695" not in page.locator("#sources-panel").inner_text()
            assert phrase("refusal", "en") in page.locator("#chat").inner_text()
            browser.close()

    with _AppServer(create_app(services=services, with_mcp=False)) as server:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium") as worker:
            worker.submit(in_chromium, server.origin).result()
