"""The HTTP API (CONTRACTS §5) over a small real index, without Gradio: a bare FastAPI app.

The index is real (Chroma, the seed and one Security Council resolution in English and French);
the embedder is the hash fake. What is checked is what a client relies on: answers cite the
paragraph, the stream adds up to the same answer, every bad input gets a 4xx with a sentence
saying what is wrong, CORS follows the allow-list, and only the admin key can change the index.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from reso.assistant.core import Assistant, Delta
from reso.assistant.generators import GenerationError
from reso.assistant.generators.extractive import ExtractiveGenerator
from reso.assistant.refusal import RefusalPolicy
from reso.assistant.retrieval import HybridRetriever
from reso.settings import Settings
from reso.index.embedders import HashEmbedder
from reso.index.library import Library
from reso.index.store import ChromaStore
from sse import parse_sse
from reso.ui import http as api
from reso.ui.http.admin import MAX_UPLOAD_BYTES, safe_filename
from reso.ui.services import Services
from tests.conftest import run_async

SEED = "A/HRC/RES/30/25"
SEED_QUESTION = "Que demande le Conseil au Haut-Commissaire d'organiser ?"
ORIGIN = "http://127.0.0.1:9999"
KEY = "s3cret"
SC_2699 = ["S_RES_2699-2318982E.xml", "S_RES_2699-2318982F.xml"]


def build_services(data_dir: Path, files: list[Path], admin_key: str | None = KEY, embedder=None) -> Services:
    library = Library(ChromaStore.open(data_dir), embedder or HashEmbedder())
    library.ingest(files)
    retriever = HybridRetriever(library)
    assistant = Assistant(retriever, ExtractiveGenerator(), RefusalPolicy(index=retriever.lexical))
    settings = Settings(data_dir=data_dir, embedder="hash", allowed_origins=[ORIGIN], admin_key=admin_key)
    return Services(settings, library, assistant)


def client_for(services: Services) -> TestClient:
    app = FastAPI()
    api.install(app, services)
    return TestClient(app)


@pytest.fixture(scope="module")
def services(tmp_path_factory, seed_path, fixtures_dir) -> Services:
    akn = [fixtures_dir / "akn" / name for name in SC_2699]
    return build_services(tmp_path_factory.mktemp("api-index"), [seed_path, *akn])


@pytest.fixture(scope="module")
def client(services) -> TestClient:
    return client_for(services)


@pytest.fixture
def fresh(tmp_path, seed_path) -> Services:
    """An index of its own, for the tests that change it."""
    return build_services(tmp_path / "index", [seed_path])


def assert_error(response, status: int, *words: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["error"], str) and body["error"]
    for word in words:
        assert word.lower() in body["error"].lower(), body["error"]
    return body


# -- answers ------------------------------------------------------------------------------------


def test_french_question_cites_op4(client):
    r = client.post("/api/ask", json={"question": SEED_QUESTION})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) >= {"answer", "language", "refused", "citations", "related", "timings_ms"}
    assert body["language"] == "fr" and body["refused"] is False
    assert [(c["document"], c["paragraph"]) for c in body["citations"]] == [(SEED, "OP4")]
    # CONTRACTS §5's fields, and the cited document's adoption (issue 17, item 5: empty when unknown)
    assert set(body["citations"][0]) == {"document", "paragraph", "language", "text", "title", "vote", "sponsors"}
    assert f"[{SEED}, OP4]" in body["answer"]
    assert body["timings_ms"]["total"] > 0


def test_every_marker_in_the_answer_is_a_citation(client):
    body = client.post("/api/ask", json={"question": "Que dit le paragraphe 3 de la résolution 30/25 ?"}).json()
    markers = set(re.findall(r"\[([^\[\],]+), ([^\[\]]+)\]", body["answer"]))
    assert markers and markers <= {(c["document"], c["paragraph"]) for c in body["citations"]}


def test_history_filters_and_language_are_accepted(client):
    r = client.post(
        "/api/ask",
        json={
            "question": "Et le paragraphe suivant ?",
            "history": [
                {"role": "user", "content": "Que dit le paragraphe 3 de la résolution 30/25 ?"},
                {"role": "assistant", "content": "Le Conseil prie le Haut-Commissaire … [A/HRC/RES/30/25, OP3]"},
            ],
            "filters": {"documents": ["a/hrc/res/30/25"], "bodies": ["hrc"], "languages": ["fr"],
                        "date_from": "2015-01-01", "date_to": "2015-12-31"},
            "language": "fr",
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert not body["refused"]
    assert {c["document"] for c in body["citations"]} == {SEED}


def test_nulls_mean_defaults(client):
    r = client.post("/api/ask", json={"question": SEED_QUESTION, "history": None, "filters": None, "language": None})
    assert r.status_code == 200, r.text


def test_filters_that_exclude_everything_give_a_refusal_not_an_error(client):
    r = client.post("/api/ask", json={"question": SEED_QUESTION, "filters": {"bodies": ["GA"]}})
    assert r.status_code == 200, r.text
    assert r.json()["refused"] is True and r.json()["citations"] == []


def test_stream_adds_up_to_the_answer(client):
    r = client.post("/api/ask/stream", json={"question": SEED_QUESTION})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(r.text)
    kinds = [e for e, _ in events]
    assert kinds.count("delta") > 1
    assert kinds[-2:] == ["citations", "done"] and "error" not in kinds
    assert set(kinds[:-2]) == {"delta"}
    done = events[-1][1]
    assert "".join(d["text"] for e, d in events if e == "delta") == done["answer"]
    assert events[-2][1] == done["citations"]
    assert [(c["document"], c["paragraph"]) for c in done["citations"]] == [(SEED, "OP4")]
    assert done == {**client.post("/api/ask", json={"question": SEED_QUESTION}).json(), "timings_ms": done["timings_ms"]}


def test_stream_of_a_refusal_still_ends_with_citations_and_done(client):
    r = client.post("/api/ask/stream", json={"question": "Quelle est la capitale de la Mongolie ?"})
    events = parse_sse(r.text)
    assert [e for e, _ in events][-2:] == ["citations", "done"]
    assert events[-1][1]["refused"] is True and events[-2][1] == []
    assert "".join(d["text"] for e, d in events if e == "delta") == events[-1][1]["answer"]


def test_stream_rejects_a_bad_question_before_streaming(client):
    assert_error(client.post("/api/ask/stream", json={"question": "   "}), 422, "empty")
    assert_error(client.post("/api/ask/stream", json={"question": "a", "filters": {"bodies": ["UN"]}}), 422, "bodies")


# -- documents, paragraphs, health ---------------------------------------------------------------


def test_documents_have_the_cli_json_shape(client):
    r = client.get("/api/documents")
    assert r.status_code == 200
    docs = {d["document"]: d for d in r.json()}
    assert set(docs) == {SEED, "S/RES/2699 (2023)"}
    seed = docs[SEED]
    assert set(seed) == {"document", "languages", "paragraphs", "title", "body", "date"}
    assert seed["languages"] == ["fr"] and seed["paragraphs"]["fr"] > 10
    assert seed["body"] == "HRC" and seed["date"] == "2015-10-02"
    assert sorted(docs["S/RES/2699 (2023)"]["languages"]) == ["en", "fr"]


def test_paragraph_with_neighbours(client):
    r = client.get("/api/paragraph", params={"document": SEED, "paragraph": "OP4", "language": "fr"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["paragraph"]["paragraph"] == "OP4" and body["paragraph"]["text"].startswith("Prie également")
    assert [p["paragraph"] for p in body["before"]] == ["OP3"]
    assert [p["paragraph"] for p in body["after"]] == ["OP5"]
    assert body["document"]["document"] == SEED and body["document"]["body"] == "HRC"
    assert "source" not in body["document"]  # the server's file paths are not the client's business
    assert body["languages"] == ["fr"] and body["versions"] == {}


def test_paragraph_window_and_symbol_spelling(client):
    r = client.get("/api/paragraph", params={"document": "a/hrc/res/30/25", "paragraph": "op4", "window": 2})
    assert r.status_code == 200, r.text
    assert [p["paragraph"] for p in r.json()["before"]] == ["OP2", "OP3"]


def test_paragraph_language_versions(client):
    params = {"document": "S/RES/2699(2023)", "paragraph": "OP1", "language": "fr"}
    body = client.get("/api/paragraph", params=params).json()
    assert body["paragraph"]["language"] == "fr" and body["paragraph"]["document"] == "S/RES/2699 (2023)"
    assert body["languages"] == ["en", "fr"]
    assert list(body["versions"]) == ["en"] and body["versions"]["en"]["paragraph"] == "OP1"
    assert body["versions"]["en"]["text"] != body["paragraph"]["text"]
    assert body["document"]["language"] == "fr" and body["document"]["body"] == "SC"


def test_paragraph_errors(client):
    assert_error(client.get("/api/paragraph", params={"document": "A/HRC/RES/30/99", "paragraph": "OP1"}), 404,
                 "unknown document A/HRC/RES/30/99")
    assert_error(client.get("/api/paragraph", params={"document": SEED, "paragraph": "OP99"}), 404, "OP99")
    assert_error(client.get("/api/paragraph", params={"document": SEED}), 422, "paragraph")
    assert_error(client.get("/api/paragraph", params={"document": SEED, "paragraph": "OP1", "language": "french"}),
                 422, "ISO 639-1")
    assert_error(client.get("/api/paragraph", params={"document": SEED, "paragraph": "OP1", "window": 99}), 422, "window")


def test_health(client, services):
    r = client.get("/api/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["documents"] == 2
    assert body["paragraphs"] == services.library.store.count() > 20
    assert body["embedder"] == "hash-256"


def test_openapi_lists_the_paths_and_models(client):
    spec = client.get("/openapi.json").json()
    assert {"/api/ask", "/api/ask/stream", "/api/documents", "/api/paragraph", "/api/health",
            "/api/admin/ingest"} <= set(spec["paths"])
    assert {"AskRequest", "AskResponse", "FiltersIn", "ParagraphLookup", "Health", "ErrorBody"} <= set(
        spec["components"]["schemas"]
    )


# -- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, words",
    [
        ({"question": ""}, ["empty"]),
        ({"question": "   \n "}, ["empty"]),
        ({"question": "é" * 2001}, ["2001", "2000"]),
        ({}, ["question", "required"]),
        ({"question": 42}, ["question", "string"]),
        ({"question": ["a"]}, ["question"]),
        ({"question": "a", "history": "nope"}, ["history"]),
        ({"question": "a", "history": [{"role": "system", "content": "x"}]}, ["history[0].role"]),
        ({"question": "a", "history": [{"role": "user"}]}, ["history[0].content"]),
        ({"question": "a", "filters": {"bodies": ["UNESCO"]}}, ["filters.bodies[0]", "HRC"]),
        ({"question": "a", "filters": {"bodies": "HRC"}}, ["filters.bodies"]),
        ({"question": "a", "filters": {"languages": ["english"]}}, ["filters.languages[0]", "ISO 639-1"]),
        ({"question": "a", "filters": {"languages": ["f1"]}}, ["ISO 639-1"]),
        ({"question": "a", "filters": {"date_from": "2023-13-45"}}, ["filters.date_from", "YYYY-MM-DD"]),
        ({"question": "a", "filters": {"date_to": "12/10/2023"}}, ["filters.date_to", "YYYY-MM-DD"]),
        ({"question": "a", "filters": {"date_from": 20230101}}, ["filters.date_from"]),
        ({"question": "a", "filters": {"date_from": "2024-01-01", "date_to": "2023-01-01"}}, ["after"]),
        ({"question": "a", "language": "français"}, ["language", "ISO 639-1"]),
        ({"question": "a", "filters": {"documents": ["A/RES/99/999"]}}, ["unknown document A/RES/99/999"]),
        ({"question": "a", "filters": {"documents": [SEED, "S/RES/1"]}}, ["unknown document S/RES/1"]),
    ],
)
def test_bad_input_gets_422_saying_what_is_wrong(client, body, words):
    assert_error(client.post("/api/ask", json=body), 422, *words)


def test_validation_errors_carry_details_without_echoing_input(client):
    body = assert_error(client.post("/api/ask", json={"question": 1, "filters": {"bodies": ["X"]}}), 422)
    assert body["error"].startswith("Invalid request:")
    assert [d["loc"] for d in body["details"]] == [["body", "question"], ["body", "filters", "bodies", 0]]
    assert all("input" not in d for d in body["details"])


@pytest.mark.parametrize("raw", [b'{"question": ', b"not json", b'{"question": "a",}', b"\xff\xfe"])
def test_invalid_json(client, raw):
    r = client.post("/api/ask", content=raw, headers={"Content-Type": "application/json"})
    assert_error(r, 422, "JSON")


def test_body_that_is_not_an_object(client):
    assert_error(client.post("/api/ask", json=["question"]), 422, "request body")
    assert_error(client.post("/api/ask", json="question"), 422, "request body")
    assert_error(client.post("/api/ask"), 422, "request body")


def test_oversized_body_gets_413(client):
    big = json.dumps({"question": "a" * 100_000})
    assert_error(client.post("/api/ask", content=big, headers={"Content-Type": "application/json"}), 413, "64 KB")


def test_oversized_body_without_content_length_gets_413(client):
    def chunks() -> Iterator[bytes]:
        yield b'{"question": "'
        for _ in range(20):
            yield b"a" * 8192
        yield b'"}'

    r = client.post("/api/ask", content=chunks(), headers={"Content-Type": "application/json"})
    assert "content-length" not in {k.lower() for k in r.request.headers}
    assert_error(r, 413, "64 KB")


def test_unexpected_error_is_a_500_with_a_request_id_and_no_traceback(services, caplog):
    class Broken:
        retriever = services.assistant.retriever

        def stream(self, *args, **kwargs):
            raise RuntimeError("secret internals")

    client = client_for(Services(services.settings, services.library, Broken()))
    with caplog.at_level(logging.ERROR, logger="reso.ui.http"):
        r = client.post("/api/ask", json={"question": "a"})
    body = assert_error(r, 500, "internal error")
    assert body["request_id"] and "secret" not in r.text and "Traceback" not in r.text
    assert body["request_id"] in caplog.text and "secret internals" in caplog.text


def test_domain_errors_say_what_happened(services):
    class Unreachable:
        retriever = services.assistant.retriever

        def stream(self, *args, **kwargs):
            raise GenerationError("The LLM server at http://127.0.0.1:1 is unreachable.")

    client = client_for(Services(services.settings, services.library, Unreachable()))
    assert_error(client.post("/api/ask", json={"question": "a"}), 502, "unreachable")
    assert_error(client.post("/api/ask/stream", json={"question": "a"}), 502, "unreachable")


def test_error_after_the_stream_started_is_an_error_event(services, caplog):
    class Flaky:
        retriever = services.assistant.retriever

        def stream(self, *args, **kwargs):
            yield Delta("Dans la résolution")
            raise RuntimeError("lost the model")

    client = client_for(Services(services.settings, services.library, Flaky()))
    with caplog.at_level(logging.ERROR, logger="reso.ui.http"):
        events = parse_sse(client.post("/api/ask/stream", json={"question": "a"}).text)
    assert events[0] == ("delta", {"text": "Dans la résolution"})
    kind, data = events[-1]
    assert kind == "error" and data["error"] == "internal error" and data["request_id"] in caplog.text
    assert "lost the model" not in json.dumps(events)


# -- CORS ---------------------------------------------------------------------------------------


def preflight(client: TestClient, origin: str):
    return client.options(
        "/api/ask",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "Content-Type"},
    )


def test_cors_preflight_from_the_allowed_origin(client):
    r = preflight(client, ORIGIN)
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == ORIGIN
    assert "POST" in r.headers["access-control-allow-methods"]


def test_cors_refuses_other_origins(client):
    r = preflight(client, "https://evil.example")
    assert "access-control-allow-origin" not in r.headers
    r = client.get("/api/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_cors_simple_request_from_the_allowed_origin(client):
    r = client.get("/api/health", headers={"Origin": ORIGIN})
    assert r.headers["access-control-allow-origin"] == ORIGIN


def test_cors_with_an_empty_allow_list_allows_no_origin(services):
    settings = services.settings.model_copy(update={"allowed_origins": []})
    client = client_for(Services(settings, services.library, services.assistant))
    assert "access-control-allow-origin" not in preflight(client, ORIGIN).headers


# -- admin ingest -------------------------------------------------------------------------------


def new_resolution(seed_path: Path) -> bytes:
    """The seed as another resolution, 31/99, with a paragraph of its own."""
    text = seed_path.read_text(encoding="utf-8")
    assert "30/25." in text
    text = text.replace("30/25.", "31/99.", 1)
    text = text.replace("Décide de rester saisi de la question.",
                        "Décide de créer à Kerguelen un observatoire des bibliothèques lunaires ;\n\n 6. Décide de rester saisi de la question.")
    return text.encode("utf-8")


def upload(client: TestClient, files: list[tuple[str, bytes]], key: str | bytes | None = KEY):
    headers = {"X-Admin-Key": key} if key is not None else {}
    return client.post("/api/admin/ingest", files=[("files", (name, data, "text/plain")) for name, data in files],
                       headers=headers)


def test_admin_ingest_needs_the_key(fresh, seed_path):
    client = client_for(fresh)
    files = [("A_HRC_RES_31_99-fr.txt", new_resolution(seed_path))]
    assert_error(upload(client, files, key=None), 403, "X-Admin-Key")
    assert_error(upload(client, files, key="wrong"), 403, "X-Admin-Key")
    assert_error(upload(client, files, key="s3cret "), 403)
    assert_error(upload(client, files, key="s3crét".encode("latin-1")), 403)  # non-ASCII must not crash
    assert [d["document"] for d in client.get("/api/documents").json()] == [SEED]


def test_admin_is_refused_before_the_body_is_read(fresh):
    client = client_for(fresh)
    big = [("big.txt", b"x" * (MAX_UPLOAD_BYTES + 1))]
    assert_error(upload(client, big, key=None), 403)
    assert_error(upload(client, big), 413)


def test_admin_ingest_adds_a_searchable_document(fresh, seed_path):
    client = client_for(fresh)
    r = upload(client, [("A_HRC_RES_31_99-fr.txt", new_resolution(seed_path))])
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["files"] == 1 and report["documents"] == 1 and report["added"] == report["paragraphs"] > 0
    assert report["skipped"] == []

    assert {d["document"] for d in client.get("/api/documents").json()} == {SEED, "A/HRC/RES/31/99"}
    body = client.post("/api/ask", json={"question": "Que dit le paragraphe 4 de la résolution 31/99 ?"}).json()
    assert [(c["document"], c["paragraph"]) for c in body["citations"]] == [("A/HRC/RES/31/99", "OP4")]
    body = client.post("/api/ask", json={"question": "Que décide le Conseil au sujet de Kerguelen ?"}).json()
    assert not body["refused"], body
    assert ("A/HRC/RES/31/99", "OP5") in [(c["document"], c["paragraph"]) for c in body["citations"]]
    assert client.get("/api/health").json()["documents"] == 2

    again = upload(client, [("A_HRC_RES_31_99-fr.txt", new_resolution(seed_path))]).json()
    assert again["added"] == 0 and again["unchanged"] == report["paragraphs"]


def test_admin_ingest_reports_unreadable_files_by_their_names(fresh, seed_path):
    client = client_for(fresh)
    r = upload(client, [("../../etc/evil name.exe", b"MZ"), ("empty.txt", b""),
                        ("..\\..\\A_HRC_RES_31_99-fr.txt", new_resolution(seed_path))])
    assert r.status_code == 200, r.text
    report = r.json()
    assert sorted(s["path"] for s in report["skipped"]) == ["empty.txt", "evil_name.exe"]
    assert all("/" not in s["path"] and s["reason"] for s in report["skipped"])
    assert "A/HRC/RES/31/99" in {d["document"] for d in client.get("/api/documents").json()}


def test_admin_ingest_needs_files(fresh):
    client = client_for(fresh)
    assert_error(client.post("/api/admin/ingest", headers={"X-Admin-Key": KEY}), 422, "files")


def test_admin_endpoint_is_off_without_a_configured_key(tmp_path, seed_path):
    client = client_for(build_services(tmp_path / "index", [seed_path], admin_key=None))
    files = [("A_HRC_RES_31_99-fr.txt", new_resolution(seed_path))]
    assert_error(upload(client, files, key=None), 404, "RESO_ADMIN_KEY")
    assert_error(upload(client, files, key=""), 404, "RESO_ADMIN_KEY")
    assert_error(upload(client, files, key="anything"), 404, "RESO_ADMIN_KEY")
    assert [d["document"] for d in client.get("/api/documents").json()] == [SEED]


@pytest.mark.parametrize(
    "name, expected",
    [
        ("A_HRC_RES_30_25-fr.txt", "A_HRC_RES_30_25-fr.txt"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\résolution 1.PDF", "r_solution_1.pdf"),
        ("...", "upload"),
        ("", "upload"),
        (None, "upload"),
        (".hidden.docx", "hidden.docx"),
    ],
)
def test_safe_filename(name, expected):
    assert safe_filename(name, "upload") == expected


def test_a_stream_is_produced_in_one_thread_and_its_waiting_items_sent_together():
    import asyncio

    from reso.ui.http.stream import in_one_thread

    threads: set[int] = set()

    def items():
        for i in range(500):
            threads.add(threading.get_ident())
            yield f"{i},"

    async def collect() -> list[str]:
        return [chunk async for chunk in in_one_thread(items())]

    chunks = run_async(asyncio.run, collect())
    assert "".join(chunks) == "".join(f"{i}," for i in range(500))  # nothing lost, in order
    assert len(threads) == 1 and threading.get_ident() not in threads
    assert len(chunks) < 500  # coalesced, not one write per item
