"""A chat front-end in a real headless Chromium, on another origin, calling /v1 with the API key.

What only a browser decides: whether the preflight of a cross-origin `fetch` carrying
`Authorization: Bearer …` passes, and whether the page may read the answer, its errors and the
headers it needs (Retry-After, X-Request-ID). The app is the one `reso serve` builds, without
Gradio, served by uvicorn on loopback (the helpers and the Chromium of tests/test_browser.py).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest
from test_api import SEED_QUESTION, build_services
from test_browser import _AppServer, _Site, browser  # noqa: F401  (browser: the session's Chromium)

from reso.assistant.citations import MARKER

pytestmark = pytest.mark.browser

API_KEY = "sk-reso-browser"


class _BlankPage(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        body = b"<!doctype html><html><head><meta charset='utf-8'><title>chat</title></head><body></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def sites() -> Iterator[tuple[_Site, _Site]]:
    with _Site(_BlankPage) as allowed, _Site(_BlankPage) as foreign:
        yield allowed, foreign


@pytest.fixture(scope="module")
def api(tmp_path_factory, seed_path, sites) -> Iterator[str]:
    from reso.ui.app import create_app

    services = build_services(tmp_path_factory.mktemp("browser-v1"), [seed_path])
    settings = services.settings.model_copy(update={
        "api_key": API_KEY, "allowed_origins": [sites[0].origin],
        "rate_limit": "1/hour", "rate_limit_burst": 3, "rate_limit_exempt": []})
    app = create_app(services=dataclasses.replace(services, settings=settings), with_ui=False)
    with _AppServer(app) as server:
        yield server.origin


FETCH = """async ([url, key, body]) => {
    try {
        const r = await fetch(url, {method: "POST", body: JSON.stringify(body),
                                    headers: {"Authorization": "Bearer " + key, "Content-Type": "application/json"}});
        return {status: r.status, body: await r.text(), retryAfter: r.headers.get("Retry-After"),
                requestId: r.headers.get("X-Request-ID")};
    } catch (e) {
        return {failed: String(e)};
    }
}"""


def test_a_page_of_an_allowed_origin_chats_with_the_key_and_reads_errors(api, sites, browser):  # noqa: F811
    allowed, foreign = sites
    page = browser.new_page()
    try:
        page.goto(allowed.origin + "/")
        url = api + "/v1/chat/completions"
        chat = {"model": "reso", "messages": [{"role": "user", "content": SEED_QUESTION}]}

        ok = page.evaluate(FETCH, [url, API_KEY, chat])
        assert ok.get("status") == 200, ok
        message = json.loads(ok["body"])["choices"][0]["message"]
        markers = [m.group(0) for m in MARKER.finditer(message["content"])]
        assert markers and [a["url_citation"]["title"] for a in message["annotations"]] == [m[1:-1] for m in markers]
        assert ok["requestId"]  # exposed to the page

        streamed = page.evaluate(FETCH, [url, API_KEY, {**chat, "stream": True}])
        assert streamed.get("status") == 200 and streamed["body"].rstrip().endswith("data: [DONE]")

        denied = page.evaluate(FETCH, [url, "sk-wrong", chat])  # the third and last token
        assert denied.get("status") == 401 and json.loads(denied["body"])["error"]["code"] == "invalid_api_key"
        limited = page.evaluate(FETCH, [url, API_KEY, chat])
        assert limited.get("status") == 429 and int(limited["retryAfter"]) >= 1

        page.goto(foreign.origin + "/")  # not in RESO_ALLOWED_ORIGINS: the browser refuses to let it read
        refused = page.evaluate(FETCH, [url, API_KEY, chat])
        assert "failed" in refused and "Failed to fetch" in refused["failed"]
    finally:
        page.close()
