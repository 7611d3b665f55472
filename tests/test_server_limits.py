"""What protects the server whatever a client sends (ui/middleware/ and the limits in ui/http/).

Size limits from settings, the per-client rate limit, request ids and the access log, security
headers (the UI page's nonce-based CSP included), no traceback in a 500, the Chroma server
being down (503 instead of 500), a stalled LLM (504 with the configured seconds), and the doors
that were already shut (admin key, CORS) checked once more through the whole middleware stack.

The app is `create_app(..., with_ui=False)`: the same middleware, in the same order, as
`reso serve`, without paying for Gradio; one test builds the full app for the UI page's policy.
"""

from __future__ import annotations

import json
import logging
import re

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient
from openai_stub import OpenAIStub
from sse import parse_sse
from test_api import KEY, ORIGIN, SEED_QUESTION, build_services

from reso.assistant.core import Assistant
from reso.assistant.generators.llm import LLMGenerator
from reso.assistant.refusal import RefusalPolicy
from reso.index.store import ChromaStore, StoreUnavailable
from reso.prompts import phrase
from reso.ui.middleware.addresses import client_address, parse_networks
from reso.ui.middleware.headers import ui_csp
from reso.ui.middleware.ratelimit import Rate, TokenBuckets, client_key
from reso.ui.app import create_app
from reso.ui.services import Services

SEED = "A/HRC/RES/30/25"
UNREACHABLE = "The index server is unreachable; try again shortly."


@pytest.fixture(scope="module")
def services(tmp_path_factory, seed_path) -> Services:
    return build_services(tmp_path_factory.mktemp("limits-index"), [seed_path])


def client_for(services: Services, client=("203.0.113.7", 50000), **settings) -> TestClient:
    """The API and widget behind the middleware of `reso serve`; `settings` override the services'."""
    updated = services.settings.model_copy(update=settings)
    app = create_app(services=Services(updated, services.library, services.assistant), with_ui=False)
    return TestClient(app, client=client)


@pytest.fixture(scope="module")
def client(services) -> TestClient:
    return client_for(services, rate_limit="off")


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] and body["request_id"] == response.headers["x-request-id"]
    return body


# -- sizes ------------------------------------------------------------------------------------------


def test_question_and_history_limits_come_from_settings(services):
    client = client_for(services, rate_limit="off", max_question_chars=100, max_history_items=2, max_history_chars=50)
    body = error_of(client.post("/api/ask", json={"question": "é" * 101}), 422)
    assert body["error"] == "The question is 101 characters long; the limit is 100."
    assert client.post("/api/ask", json={"question": SEED_QUESTION}).status_code == 200

    turns = [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}, {"role": "user", "content": "c"}]
    body = error_of(client.post("/api/ask", json={"question": "a", "history": turns}), 422)
    assert "history holds 3 messages; the limit is 2" in body["error"]
    body = error_of(client.post("/api/ask/stream", json={"question": "a", "history": [{"role": "user", "content": "x" * 51}]}), 422)
    assert "history[0].content is 51 characters long; the limit is 50" in body["error"]


def test_default_limits(client):
    assert "limit is 2000" in error_of(client.post("/api/ask", json={"question": "a" * 2001}), 422)["error"]
    long_history = [{"role": "user", "content": "a"}] * 51
    assert "limit is 50" in error_of(client.post("/api/ask", json={"question": "a", "history": long_history}), 422)["error"]


def test_body_limit_comes_from_settings(services):
    client = client_for(services, rate_limit="off", max_body_bytes=2048)
    body = json.dumps({"question": "a", "history": [{"role": "user", "content": "x" * 3000}]})
    r = client.post("/api/ask", content=body, headers={"Content-Type": "application/json"})
    assert "2 KB" in error_of(r, 413)["error"]


def test_a_question_limit_above_the_assistants_own_is_refused():
    from pydantic import ValidationError

    from reso.settings import Settings

    with pytest.raises(ValidationError):
        Settings(max_question_chars=5000)


# -- rate limit -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, per_second",
    [("30/minute", 0.5), ("30/min", 0.5), ("2/s", 2.0), ("3600/hour", 1.0), (" 10 / second ", 10.0)],
)
def test_rate_parses(text, per_second):
    assert Rate.parse(text, 5).per_second == pytest.approx(per_second)


@pytest.mark.parametrize("text", ["0", "off", "OFF", "none", "", "0/minute"])
def test_rate_off(text):
    assert Rate.parse(text, 5) is None


def test_a_malformed_rate_is_refused_with_the_settings_name():
    from pydantic import ValidationError

    from reso.settings import Settings

    with pytest.raises(ValidationError):
        Settings(rate_limit="30 per minute")
    with pytest.raises(ValueError, match="RESO_RATE_LIMIT"):
        Rate.parse("30/fortnight", 5)


def test_token_bucket_refills_at_the_rate():
    now = [0.0]
    buckets = TokenBuckets(Rate(0.5, 3, "30/minute"), clock=lambda: now[0])
    assert [buckets.take("a") for _ in range(3)] == [0, 0, 0]  # the burst
    assert buckets.take("a") == pytest.approx(2.0)  # one token every 2 s
    assert buckets.take("b") == 0  # another client, its own bucket
    now[0] = 2.0
    assert buckets.take("a") == 0
    assert buckets.take("a") > 0
    now[0] = 1000.0
    assert [buckets.take("a") for _ in range(3)] == [0, 0, 0]  # refilled, never beyond the burst
    assert buckets.take("a") > 0


def test_token_buckets_are_bounded():
    buckets = TokenBuckets(Rate(1.0, 1, "1/second"), max_clients=100)
    for i in range(5000):
        buckets.take(f"10.0.{i // 256}.{i % 256}")
    assert len(buckets) == 100


def test_ipv6_clients_share_their_64():
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert client_key("::ffff:192.0.2.1") == "192.0.2.1"
    assert client_key("198.51.100.4") == "198.51.100.4"


def test_rate_limit_answers_429_with_retry_after(services):
    client = client_for(services, rate_limit="2/minute", rate_limit_burst=2)
    for _ in range(2):
        assert client.post("/api/ask", json={"question": SEED_QUESTION}).status_code == 200
    r = client.post("/api/ask/stream", json={"question": SEED_QUESTION})
    body = error_of(r, 429)
    assert r.headers["retry-after"] == "30" and body["retry_after"] == 30
    assert "2/minute" in body["error"] and "30 s" in body["error"]
    # the other routes are not limited
    assert client.get("/api/health").status_code == 200
    assert client.get("/api/documents").status_code == 200
    assert client.get("/widget.js").status_code == 200
    # bad requests count too: a client cannot flood with them instead
    assert client.post("/api/ask", content=b"{").status_code == 429


def test_rate_limit_is_per_client_and_spares_loopback(services):
    one = client_for(services, client=("203.0.113.1", 1), rate_limit="1/hour", rate_limit_burst=1)
    app = one.app
    other = TestClient(app, client=("203.0.113.2", 1))
    local = TestClient(app, client=("127.0.0.1", 1))
    assert one.post("/api/ask", json={"question": SEED_QUESTION}).status_code == 200
    assert one.post("/api/ask", json={"question": SEED_QUESTION}).status_code == 429
    assert other.post("/api/ask", json={"question": SEED_QUESTION}).status_code == 200
    assert all(local.post("/api/ask", json={"question": SEED_QUESTION}).status_code == 200 for _ in range(3))

    strict = client_for(services, client=("127.0.0.1", 1), rate_limit="1/hour", rate_limit_burst=1, rate_limit_exempt=[])
    assert strict.post("/api/ask", json={"question": SEED_QUESTION}).status_code == 200
    assert strict.post("/api/ask", json={"question": SEED_QUESTION}).status_code == 429


def test_rate_limit_can_be_switched_off(services):
    client = client_for(services, rate_limit="0", rate_limit_burst=1)
    assert all(client.post("/api/ask", json={"question": "a"}).status_code == 200 for _ in range(5))


def test_a_429_carries_cors_headers_so_the_widget_can_read_it(services):
    client = client_for(services, rate_limit="1/hour", rate_limit_burst=1)
    headers = {"Origin": ORIGIN}
    client.post("/api/ask/stream", json={"question": SEED_QUESTION}, headers=headers)
    r = client.post("/api/ask/stream", json={"question": SEED_QUESTION}, headers=headers)
    assert r.status_code == 429 and r.headers["access-control-allow-origin"] == ORIGIN
    # a preflight spends no token
    preflight = client.options("/api/ask", headers={**headers, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 200


# -- client address behind proxies ------------------------------------------------------------------


def _scope(peer: str, forwarded: str | None = None) -> dict:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    return {"type": "http", "client": (peer, 1), "headers": headers}


def test_x_forwarded_for_is_believed_only_from_trusted_proxies():
    trusted = parse_networks(["10.0.0.0/8", "127.0.0.1"], "RESO_TRUSTED_PROXIES")
    assert client_address(_scope("198.51.100.9", "1.2.3.4"), trusted) == "198.51.100.9"
    assert client_address(_scope("198.51.100.9", "1.2.3.4"), ()) == "198.51.100.9"
    assert client_address(_scope("10.1.1.1", "1.2.3.4"), trusted) == "1.2.3.4"
    # a client's own X-Forwarded-For is on the left: the proxy appended the real address on the right
    assert client_address(_scope("10.1.1.1", "6.6.6.6, 1.2.3.4"), trusted) == "1.2.3.4"
    assert client_address(_scope("127.0.0.1", "1.2.3.4, 10.9.9.9"), trusted) == "1.2.3.4"
    assert client_address(_scope("10.1.1.1", "1.2.3.4, not-an-ip"), trusted) == "10.1.1.1"
    assert client_address(_scope("10.1.1.1"), trusted) == "10.1.1.1"
    with pytest.raises(ValueError, match="RESO_TRUSTED_PROXIES"):
        parse_networks(["10.0.0.300"], "RESO_TRUSTED_PROXIES")


def test_trusted_proxy_clients_get_their_own_buckets_and_log_lines(services, caplog):
    proxy = client_for(services, client=("10.0.0.2", 1), rate_limit="1/hour", rate_limit_burst=1,
                       trusted_proxies=["10.0.0.0/8"], rate_limit_exempt=[])
    ask = {"json": {"question": SEED_QUESTION}}
    with caplog.at_level(logging.INFO, logger="reso.http"):
        assert proxy.post("/api/ask", headers={"X-Forwarded-For": "198.51.100.1"}, **ask).status_code == 200
        assert proxy.post("/api/ask", headers={"X-Forwarded-For": "198.51.100.2"}, **ask).status_code == 200
        assert proxy.post("/api/ask", headers={"X-Forwarded-For": "198.51.100.1"}, **ask).status_code == 429
    assert "client=198.51.100.2" in caplog.text

    direct = client_for(services, client=("203.0.113.5", 1), rate_limit="1/hour", rate_limit_burst=1)
    assert direct.post("/api/ask", headers={"X-Forwarded-For": "198.51.100.1"}, **ask).status_code == 200
    assert direct.post("/api/ask", headers={"X-Forwarded-For": "198.51.100.3"}, **ask).status_code == 429


# -- request ids and the access log -----------------------------------------------------------------


def test_every_response_has_a_request_id(client):
    ids = {client.get(path).headers["x-request-id"] for path in ("/api/health", "/widget.js", "/nope", "/openapi.json")}
    assert len(ids) == 4 and all(re.fullmatch(r"[0-9a-f]{16}", i) for i in ids)


@pytest.mark.parametrize(
    "given, kept",
    [("abc-123_x.y:z", True), ("a" * 64, True), ("a" * 65, False), ("a b", False), ("<script>", False), ("-x", False)],
)
def test_a_sane_incoming_request_id_is_kept(client, given, kept):
    r = client.get("/api/health", headers={"X-Request-ID": given})
    assert (r.headers["x-request-id"] == given) is kept


def test_error_bodies_carry_the_request_id(client):
    error_of(client.post("/api/ask", json={"question": 1}), 422)
    error_of(client.post("/api/ask", content=b"{"), 422)
    error_of(client.get("/api/paragraph", params={"document": "A/RES/1/1", "paragraph": "OP1"}), 404)
    r = client.post("/api/ask", json={}, headers={"X-Request-ID": "support-ticket-42"})
    assert error_of(r, 422)["request_id"] == "support-ticket-42"


def test_one_access_log_line_per_request(client, caplog):
    with caplog.at_level(logging.INFO, logger="reso.http"):
        r = client.post("/api/ask", json={"question": SEED_QUESTION}, headers={"X-Request-ID": "rid-1"})
        client.post("/api/ask/stream", json={"question": SEED_QUESTION}, headers={"X-Request-ID": "rid-2"})
    lines = [rec.getMessage() for rec in caplog.records if rec.name == "reso.http"]
    assert len(lines) == 2 and r.status_code == 200
    assert re.fullmatch(r"POST /api/ask 200 \d+\.\d ms id=rid-1 client=203\.0\.113\.7", lines[0])
    assert lines[1].startswith("POST /api/ask/stream 200 ") and "id=rid-2" in lines[1]


def test_an_exception_anywhere_is_a_json_500_without_traceback(services, caplog):
    app = client_for(services, rate_limit="off").app

    @app.get("/boom")  # outside the API's own error handling: the middleware is the last resort
    def boom():
        raise RuntimeError("secret internals")

    class Broken:
        retriever = services.assistant.retriever

        def stream(self, *args, **kwargs):
            raise RuntimeError("secret internals")

    client = TestClient(app)
    broken = client_for(Services(services.settings, services.library, Broken()), rate_limit="off")
    with caplog.at_level(logging.ERROR):
        for r in (client.get("/boom"), broken.post("/api/ask", json={"question": "a"})):
            body = error_of(r, 500)
            assert body["error"] == "internal error"
            assert "secret" not in r.text and "Traceback" not in r.text
            assert body["request_id"] in caplog.text
    assert "secret internals" in caplog.text  # the log has what the client must not see


# -- security headers -------------------------------------------------------------------------------


def test_security_headers_on_every_response(client):
    for r in (client.get("/api/health"), client.post("/api/ask", json={}), client.get("/widget.js"), client.get("/nope")):
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "same-origin"
    api = client.get("/api/health").headers["content-security-policy"]
    assert api == "default-src 'none'; frame-ancestors 'none'"


def test_the_widget_demo_keeps_its_own_strict_policy(client):
    csp = client.get("/widget-demo").headers["content-security-policy"]
    assert "script-src 'self';" in csp and "unsafe" not in csp  # no inline script, eval or inline style


def test_the_widget_needs_no_eval_and_writes_no_markup():
    from reso.ui.widget import WIDGET_JS

    source = re.sub(r"/\*.*?\*/|//[^\n]*", "", WIDGET_JS.read_text(encoding="utf-8"), flags=re.S)
    for forbidden in ("eval(", "new Function", "Function(", "innerHTML", "outerHTML", "insertAdjacentHTML",
                      "document.write", "setTimeout(\"", "setInterval(\"", ".setAttribute(\"style\""):
        assert forbidden not in source, forbidden


def test_frame_ancestors_follow_the_allowed_origins(services):
    page_csp = ui_csp("n", ["https://www.example.org", "javascript:alert(1)", "https://x.org; script-src *"])
    assert page_csp.endswith("frame-ancestors 'self' https://www.example.org")  # only well-formed origins
    framed = client_for(services, rate_limit="off", allowed_origins=["https://www.example.org"])
    assert "x-frame-options" not in framed.get("/api/health").headers  # it cannot name several origins
    alone = client_for(services, rate_limit="off", allowed_origins=[])
    assert alone.get("/api/health").headers["x-frame-options"] == "SAMEORIGIN"


def test_the_ui_page_gets_a_nonce_for_its_own_scripts_only(tmp_path, seed_path):
    """The real Gradio page: every inline script carries this response's nonce, nothing else does."""
    from reso.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", embedder="hash", default_corpus=seed_path,
                        allowed_origins=["https://www.example.org"])
    client = TestClient(create_app(settings))
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert "script-src 'self' 'nonce-" in csp and "'unsafe-inline'" not in csp.split("style-src")[0]
    assert "frame-ancestors 'self' https://www.example.org" in csp and "object-src 'none'" in csp
    scripts = re.findall(r"<script\b[^>]*>", r.text, flags=re.I)
    assert scripts and all(f'nonce="{nonce}"' in s for s in scripts)
    assert int(r.headers["content-length"]) == len(r.content)
    again = client.get("/").headers["content-security-policy"]
    assert re.search(r"'nonce-([^']+)'", again).group(1) != nonce  # one per response
    # other HTML served by the app (API explorer, errors) gets no trusted nonce
    assert "nonce" not in client.get("/docs").headers["content-security-policy"]


# -- doors already shut: admin key and CORS, through the whole stack --------------------------------


def test_admin_ingest_stays_shut_without_the_key(services):
    client = client_for(services, rate_limit="off")
    files = [("files", ("a.txt", b"x", "text/plain"))]
    error_of(client.post("/api/admin/ingest", files=files), 403)
    error_of(client.post("/api/admin/ingest", files=files, headers={"X-Admin-Key": KEY + "x"}), 403)
    off = client_for(services, rate_limit="off", admin_key=None)
    error_of(off.post("/api/admin/ingest", files=files, headers={"X-Admin-Key": KEY}), 404)


def test_no_browser_on_another_site_may_send_the_admin_key(client):
    r = client.options("/api/admin/ingest", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "X-Admin-Key"})
    assert r.status_code == 400 and "x-admin-key" not in r.headers.get("access-control-allow-headers", "").lower()


def test_cors_only_for_the_allow_list(client):
    assert client.get("/api/health", headers={"Origin": ORIGIN}).headers["access-control-allow-origin"] == ORIGIN
    assert "access-control-allow-origin" not in client.get("/api/health", headers={"Origin": "https://evil.example"}).headers


# -- the Chroma server down: 503, never 500 ---------------------------------------------------------


def _refused(*args, **kwargs):
    raise httpx.ConnectError("[Errno 111] Connection refused")


class _GoneCollection:
    """A Chroma collection whose server went away: every call and property is refused."""

    @property
    def metadata(self):
        _refused()

    def __getattr__(self, name):
        return _refused


class _GoneClient:
    def get_or_create_collection(self, *args, **kwargs):
        return _GoneCollection()

    def __getattr__(self, name):
        return _refused


@pytest.mark.parametrize("method, args", [
    ("count", ()), ("query", (np.ones(4), 3)), ("chunks", ()), ("document_records", ()), ("fingerprint", ()),
    ("hashes", ("A/RES/1/1", "en")), ("delete", (["x"],)), ("model_record", ()),
])
def test_store_connection_errors_become_store_unavailable(method, args):
    store = ChromaStore(_GoneClient())
    with pytest.raises(StoreUnavailable, match="unreachable") as err:
        getattr(store, method)(*args)
    assert isinstance(err.value.__cause__, httpx.ConnectError)


def test_every_public_store_method_is_guarded():
    import inspect

    public = [n for n, m in vars(ChromaStore).items() if inspect.isfunction(m) and not n.startswith("_")]
    assert public and [n for n in public if not hasattr(getattr(ChromaStore, n), "__wrapped__")] == []


def test_index_server_down_is_a_503_on_every_route_that_reads_it(services, monkeypatch):
    client = client_for(services, rate_limit="off")
    store = services.library.store

    def gone(*args, **kwargs):
        raise StoreUnavailable(UNREACHABLE)

    with monkeypatch.context() as mp:
        for name in ("query", "count", "chunks", "document_records", "model_record", "fingerprint"):
            mp.setattr(store, name, gone)
        # a question is searched in the tables the server holds in memory: it is still answered
        answered = client.post("/api/ask", json={"question": SEED_QUESTION})
        assert answered.status_code == 200 and [c["paragraph"] for c in answered.json()["citations"]] == ["OP4"]
        streamed = client.post("/api/ask/stream", json={"question": SEED_QUESTION})
        assert streamed.status_code == 200 and "event: done" in streamed.text and "OP4" in streamed.text
        # what must read the store (the document list behind a document filter, listings, a paragraph) cannot be
        requests = [
            client.post("/api/ask", json={"question": SEED_QUESTION, "filters": {"documents": [SEED]}}),
            client.get("/api/documents"),
            client.get("/api/paragraph", params={"document": SEED, "paragraph": "OP4"}),
            client.get("/api/health"),
        ]
        for r in requests:
            assert error_of(r, 503)["error"] == UNREACHABLE
            assert r.headers["retry-after"] == "5"
    assert client.post("/api/ask", json={"question": SEED_QUESTION}).status_code == 200  # back at once


def test_the_ui_says_the_index_server_is_unreachable(services, tmp_path, caplog):
    from reso.ui import gradio as ui
    from reso.ui.feedback import FeedbackStore

    class Down:
        retriever = services.assistant.retriever

        def stream(self, *args, **kwargs):
            raise StoreUnavailable(UNREACHABLE)

    handlers = ui.Handlers(Services(services.settings, services.library, Down()), FeedbackStore(tmp_path / "f.db"))
    with caplog.at_level(logging.WARNING):
        *_, last = handlers.ask("Que demande le Conseil ?", [], ui_lang="fr")
    turns = last[1]
    assert turns[-1].error == phrase("ui_error_store_unavailable", "fr")
    assert "Traceback" not in caplog.text


# -- the LLM too slow: 504 with the configured seconds ---------------------------------------------


def _llm_client(services, stub: OpenAIStub, timeout: float) -> TestClient:
    settings = services.settings.model_copy(update={
        "generator": "llm", "llm_base_url": stub.base_url, "llm_model": stub.model, "llm_timeout": timeout,
        "rate_limit": "off"})
    retriever = services.assistant.retriever
    assistant = Assistant(retriever, LLMGenerator.from_settings(settings), RefusalPolicy(index=retriever.lexical))
    return TestClient(create_app(services=Services(settings, services.library, assistant), with_ui=False))


@pytest.mark.parametrize("stall", [{"delay": 30}, {"stall_after": 0}])
def test_a_silent_llm_is_a_504_within_the_timeout(services, stall):
    with OpenAIStub(reply=f"Le Conseil prie … [{SEED}, OP4]", **stall) as stub:
        client = _llm_client(services, stub, 0.5)
        for path in ("/api/ask", "/api/ask/stream"):
            r = client.post(path, json={"question": SEED_QUESTION})
            body = error_of(r, 504)
            assert body["error"].startswith("The language model did not answer within 0.5 s")
            assert "RESO_LLM_TIMEOUT" in body["error"]
        assert len(stub.chat_requests) == 2  # one call per question: a timeout is not retried


def test_an_llm_stalling_mid_stream_ends_the_stream_with_an_error_event(services):
    # a sampling generator's first sentence is held back until it is complete (it may decline the
    # question: `core.FirstSentence`), so the stream has begun only once one sentence has come
    with OpenAIStub(reply=f"Oui. Le Conseil prie le Haut-Commissaire d'organiser [{SEED}, OP4]", stall_after=6) as stub:
        client = _llm_client(services, stub, 0.5)
        r = client.post("/api/ask/stream", json={"question": SEED_QUESTION}, headers={"X-Request-ID": "slow-1"})
        assert r.status_code == 200, r.text
        events = parse_sse(r.text)
        assert events[0][0] == "delta"
        kind, data = events[-1]
        assert kind == "error" and data["error"].startswith("The language model did not answer within 0.5 s")
        assert data["request_id"] == "slow-1"
        blocking = client.post("/api/ask", json={"question": SEED_QUESTION})
        assert error_of(blocking, 504)["error"].startswith("The language model did not answer within 0.5 s")


def test_the_server_log_carries_no_library_debug_lines(services, caplog):
    """bm25s sets its logger to DEBUG at import: any root handler printed "Building index from tokens"."""
    create_app(services=services, with_ui=False)
    with caplog.at_level(logging.DEBUG):
        services.assistant.refresh()  # rebuilds the lexical index, as an admin ingest does
        services.library.ingest([])
    assert not [r for r in caplog.records if r.name.startswith("bm25s")], caplog.text
