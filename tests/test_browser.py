"""The UI and the helpdesk widget in a real headless Chromium, against the real app.

Why a browser and not the ASGI test client: what can break here only exists in a browser —
JavaScript reading a stream, a cross-origin fetch passing CORS, a shadow root holding off a host
page's CSS, markup in an answer or a resolution staying text. The app is the one `reso serve`
builds (`ui.app.create_app`), served by uvicorn on loopback, over a small index: the seed
resolution plus a made-up resolution 31/98 whose paragraphs carry HTML/script payloads.

Chromium is the Debian package (`apt-get install chromium`), driven by the Playwright client
(`pip install playwright`; its own browser downloads are never used). It runs with networking
features off and a host resolver that resolves nothing, so a page can reach only loopback.
Without Chromium or Playwright these tests skip; under CI (`CI` set) they fail instead, so a
green CI run always means they ran.

Screenshots go to test-artifacts/ (gitignored); with RESO_UPDATE_SCREENSHOTS=1, one of the UI and
one of the widget are also copied to docs/screenshots/ for the README (so a test run never edits
tracked files).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "index" / "default_corpus" / "A_HRC_RES_30_25-fr.txt"
ARTIFACTS = ROOT / "test-artifacts"
DOC_SHOTS = ROOT / "docs" / "screenshots"
# read at import: the autouse fixture of conftest.py removes every RESO_* variable before each test
UPDATE_SHOTS = bool(os.environ.get("RESO_UPDATE_SCREENSHOTS"))

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # every host name fails to resolve: whatever a page asks for, only loopback IPs are reachable
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]

QUESTION_FR = "Que demande le Conseil au Haut-Commissaire d'organiser ?"
SEED_SYMBOL = "A/HRC/RES/30/25"
OP4_WORDS = "réunion-débat intersessions"  # in OP4 of the seed, nowhere else
OP3_WORDS = "continuer de fournir une assistance technique"  # OP3: OP4's neighbour

IMG = '<img src=x onerror="window.__xss=1">'
SCRIPT = "<script>window.__xss=1</script>"
XSS_SYMBOL = "A/HRC/RES/31/98"
XSS_QUESTION = f"Que demande la résolution 31/98 au Secrétariat de publier ? {IMG} {SCRIPT}"

# A resolution in the seed's layout (as a PDF extractor prints it) whose paragraphs quote markup.
XSS_RESOLUTION = f"""   31/98. Essai de sécurité des balises dans les textes

 

 Le Conseil des droits de l’homme,

 Rappelant que les textes officiels peuvent contenir des caractères spéciaux,

notamment des chevrons et des guillemets,

 1. Prie le Secrétariat de publier le fragment {IMG} tel

quel dans les balises de test;

 2. Décide que le fragment {SCRIPT} sera affiché comme du texte

brut dans les balises de test;

"""

# Host-page CSS that would wreck any widget whose styles are not isolated.
HOSTILE_CSS = """
* { color: red !important; font-size: 40px !important; font-family: "Comic Sans MS", cursive !important;
    line-height: 3 !important; letter-spacing: 4px !important; text-transform: uppercase !important; }
div { position: static !important; }
button { background: lime !important; border: 5px dashed blue !important; }
details, summary, .panel, .bubble, .sources, textarea { display: none !important; }
"""


# -- environment ---------------------------------------------------------------------------------


def _missing(reason: str) -> None:
    """Skip in a plain checkout; fail under CI, where a skipped browser test would hide a gap."""
    if os.environ.get("CI"):
        pytest.fail(f"CI needs the browser tests to run: {reason}")
    pytest.skip(reason)


def _chromium() -> str | None:
    for candidate in (shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def _shot(page, name: str, doc_name: str | None = None, folder: Path = DOC_SHOTS, **kwargs) -> Path:
    """A screenshot of `page` (or of one locator) in test-artifacts/, copied to `folder`/`doc_name`
    when RESO_UPDATE_SCREENSHOTS is set."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), **kwargs)
    if doc_name and UPDATE_SHOTS:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, folder / doc_name)
    return path


def _test_settings(tmp_path_factory, **extra):
    """Settings for a test server: a fresh index, the hash embedder, extractive answers; the
    developer's own RESO_* never change what is tested."""
    from reso.settings import Settings

    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith("RESO_"):
                mp.delenv(name)
        return Settings(data_dir=tmp_path_factory.mktemp("reso-data"), embedder="hash", generator="extractive",
                        retriever="hybrid", **extra)


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class _AppServer:
    """uvicorn in a thread, on a loopback socket bound before start so the port is known."""

    def __init__(self, app) -> None:
        import uvicorn

        self.sock = _free_socket()
        self.port = self.sock.getsockname()[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> _AppServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the app server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.sock.close()


class _Site(ThreadingHTTPServer):
    """A plain web server on its own port (= its own origin), standing for a site that embeds the widget."""

    daemon_threads = True

    def __init__(self, handler) -> None:
        super().__init__(("127.0.0.1", 0), handler)
        self.origin = f"http://127.0.0.1:{self.server_address[1]}"
        self.app_origin = ""
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self) -> _Site:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()


class _HostPage(BaseHTTPRequestHandler):
    """`/` a French page with hostile CSS embedding the widget from the app's origin."""

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:
        if urlsplit(self.path).path != "/":
            self.send_error(404)
            return
        page = f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Site hôte</title><style>{HOSTILE_CSS}</style></head>
<body>
<h1>Site d'un ministère</h1>
<p id="host-text">Texte de la page hôte, qui garde son propre style.</p>
<p class="launcher" id="host-launcher">Un élément de la page nommé comme le bouton du widget.</p>
<script src="{self.server.app_origin}/widget.js" data-title="Aide" defer></script>
</body></html>"""
        body = page.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture reports it
    expect = None


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the Playwright client is not installed (pip install playwright; no browser download needed)")
    executable = _chromium()
    if not executable:
        _missing("Chromium is not installed (apt-get install -y chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    shutil.copyfile(SEED, folder / SEED.name)
    (folder / "A_HRC_RES_31_98-fr.txt").write_text(XSS_RESOLUTION, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def host_site() -> Iterator[_Site]:
    with _Site(_HostPage) as site:
        yield site


@pytest.fixture(scope="session")
def foreign_site() -> Iterator[_Site]:
    """A site that embeds the widget without being in allowed_origins."""
    with _Site(_HostPage) as site:
        yield site


@pytest.fixture(scope="session")
def app_server(tmp_path_factory, corpus, host_site, foreign_site) -> Iterator[_AppServer]:
    settings = _test_settings(tmp_path_factory, default_corpus=corpus, allowed_origins=[host_site.origin])
    from reso.ui.app import create_app

    app = create_app(settings)
    with _AppServer(app) as server:
        host_site.app_origin = foreign_site.app_origin = server.origin
        yield server


@pytest.fixture
def context(browser):
    """A fresh browser profile per test, recording every URL a page asks for."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    ctx.requested = []
    ctx.on("request", lambda r: ctx.requested.append(r.url))
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    page.close()


def _no_xss(page) -> None:
    """The payloads stayed text: nothing ran, and no element was made from them anywhere."""
    page.wait_for_timeout(500)  # an <img onerror> fires only after the failed load
    assert page.evaluate("() => window.__xss") is None
    injected = page.evaluate(
        """() => {
            let n = 0;
            const walk = (root) => {
                n += root.querySelectorAll('img[src="x"], img[onerror]').length;
                for (const s of root.querySelectorAll('script')) if ((s.textContent || '').includes('__xss')) n++;
                for (const el of root.querySelectorAll('*')) if (el.shadowRoot) walk(el.shadowRoot);
            };
            walk(document);
            return n;
        }"""
    )
    assert injected == 0


# -- (a) the full UI at "/" ----------------------------------------------------------------------
# Element ids agreed with ui/gradio/layout.py: the sources panel is #sources-panel, a citation is an
# element with class `reso-citation` and data-document / data-paragraph, the paragraph shown in
# context is #paragraph-view. The question box is the Textbox with elem_id "question" (Enter asks).


def _question_box(page):
    box = page.locator("#question textarea, #question input").first
    box.wait_for(state="visible", timeout=60_000)  # Gradio renders the page from JavaScript
    return box


def _ask_ui(page, question: str) -> None:
    box = _question_box(page)
    box.click()
    box.fill(question)
    box.press("Enter")


def _citation(page, document: str, paragraph: str):
    return page.locator(f'.reso-citation[data-document="{document}"][data-paragraph="{paragraph}"]')


def test_ui_answers_in_french_and_opens_the_cited_paragraph(app_server, page):
    page.goto(app_server.origin + "/")
    _ask_ui(page, QUESTION_FR)

    citation = _citation(page, SEED_SYMBOL, "OP4")
    citation.first.wait_for(state="visible", timeout=60_000)
    sources = page.locator("#sources-panel")
    # the panel is re-rendered when the stream ends: wait for it rather than sample it
    sources.get_by_text(OP4_WORDS).first.wait_for(state="visible", timeout=30_000)
    assert "OP4" in sources.inner_text()
    _shot(page, "ui-answer")

    citation.first.click()
    view = page.locator("#paragraph-view")
    view.get_by_text(OP4_WORDS).first.wait_for(state="visible")
    # in context: the neighbouring paragraph is shown with it
    assert OP3_WORDS in view.inner_text()
    _shot(page, "ui-paragraph", "ui.png", full_page=True)
    # the UI works offline: nothing was asked of any other server
    assert [u for u in page.context.requested if not u.startswith(app_server.origin + "/")] == []


def test_ui_opens_a_paragraph_from_a_widget_link(app_server, page):
    """The widget's "open in the full text" link lands on the paragraph."""
    url = f"{app_server.origin}/?document={quote(SEED_SYMBOL, safe='')}&paragraph=OP4&language=fr"
    page.goto(url)
    view = page.locator("#paragraph-view")
    view.get_by_text(OP4_WORDS).first.wait_for(state="visible", timeout=60_000)
    _shot(page, "ui-deep-link")


def test_ui_shows_markup_as_text(app_server, page):
    page.goto(app_server.origin + "/")
    _ask_ui(page, XSS_QUESTION)
    _citation(page, XSS_SYMBOL, "OP1").first.wait_for(state="visible", timeout=60_000)
    # the question as typed, and the resolution's paragraph as printed (in the answer or sources)
    page.get_by_text(IMG).first.wait_for(state="visible")
    page.get_by_text(SCRIPT).first.wait_for(state="visible")
    # and the paragraph in its document, with its neighbour quoting the <script>
    _citation(page, XSS_SYMBOL, "OP1").first.click()
    view = page.locator("#paragraph-view")
    expect(view).to_contain_text(IMG)
    expect(view).to_contain_text(SCRIPT)
    _no_xss(page)
    _shot(page, "ui-xss", full_page=True)


# -- (b) the widget on another site --------------------------------------------------------------


def _widget(page, css: str):
    return page.locator(f"[data-reso-widget] {css}")


def _open_widget(page):
    launcher = _widget(page, "button.launcher")
    launcher.wait_for(state="visible")
    launcher.click()
    _widget(page, "[role=dialog]").wait_for(state="visible")
    return launcher


def _ask_widget(page, question: str) -> None:
    box = _widget(page, "textarea")
    box.fill(question)
    box.press("Enter")


def _bot_answers(page):
    return _widget(page, ".msg.bot")


def test_widget_answers_on_another_origin_and_keeps_its_style(app_server, host_site, page):
    asks = []
    page.on("request", lambda r: asks.append(r) if r.url.endswith("/api/ask/stream") else None)
    page.goto(host_site.origin + "/")

    launcher = _widget(page, "button.launcher")
    launcher.wait_for(state="visible")
    # French page (lang="fr"), so French strings; data-title is the panel title
    assert launcher.get_attribute("aria-label") == "Poser une question sur les résolutions de l'ONU"
    assert launcher.get_attribute("aria-expanded") == "false"

    # keyboard: Tab reaches the button (the page has no other focusable element), with a visible
    # focus ring; Enter opens the panel with the question box focused
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('[data-reso-widget]').shadowRoot.activeElement.className") == "launcher"
    assert launcher.evaluate("(el) => getComputedStyle(el).outlineStyle") == "solid"
    page.keyboard.press("Enter")
    dialog = _widget(page, "[role=dialog]")
    dialog.wait_for(state="visible")
    assert launcher.get_attribute("aria-expanded") == "true"
    assert _widget(page, "h2").inner_text() == "Aide"
    assert page.evaluate("() => document.querySelector('[data-reso-widget]').shadowRoot.activeElement.tagName") == "TEXTAREA"
    assert _widget(page, "label[for=reso-question]").inner_text() == "Votre question"
    assert _widget(page, "[aria-live=polite]").count() == 1

    page.keyboard.type(QUESTION_FR)
    page.keyboard.press("Enter")
    answer = _bot_answers(page).last
    answer.locator("details summary", has_text=f"{SEED_SYMBOL} OP4").wait_for(state="visible", timeout=60_000)
    assert OP4_WORDS in answer.locator(".bubble").inner_text()
    assert answer.locator(".sources h3").inner_text() == "Sources"

    # the marker in the answer is a button that opens its excerpt
    cite = answer.locator(f'button.cite[data-document="{SEED_SYMBOL}"][data-paragraph="OP4"]')
    details = answer.locator(f'details[data-document="{SEED_SYMBOL}"][data-paragraph="OP4"]')
    assert details.get_attribute("open") is None
    cite.click()
    assert details.get_attribute("open") is not None
    assert details.locator(".excerpt").get_by_text(OP4_WORDS).is_visible()

    # the link to the paragraph in the full UI, in a new tab that cannot reach back
    link = details.locator("a")
    href = link.get_attribute("href")
    assert href == f"{app_server.origin}/?document=A%2FHRC%2FRES%2F30%2F25&paragraph=OP4&language=fr"
    assert link.get_attribute("target") == "_blank"
    assert "noopener" in link.get_attribute("rel").split()

    # the host page's CSS did not get in ...
    style = "(el) => { const s = getComputedStyle(el); return [s.color, s.fontSize, s.textTransform]; }"
    assert launcher.evaluate(style) == ["rgb(255, 255, 255)", "15px", "none"]
    assert answer.locator(".bubble").evaluate(style) == ["rgb(27, 31, 36)", "15px", "none"]
    assert details.locator(".excerpt").is_visible()  # the page hides every <details> and .bubble of its own
    # ... and the widget's did not get out
    host_launcher = page.locator("#host-launcher")
    assert host_launcher.evaluate("(el) => getComputedStyle(el).position") == "static"
    assert host_launcher.evaluate("(el) => getComputedStyle(el).backgroundColor") == "rgba(0, 0, 0, 0)"
    assert page.locator("#host-text").evaluate(style) == ["rgb(255, 0, 0)", "40px", "uppercase"]
    _shot(page, "widget-answer")

    # a follow-up sends the conversation so far
    _ask_widget(page, "Et à quelle session doit-il soumettre le compte rendu ?")
    page.wait_for_function(
        "() => document.querySelector('[data-reso-widget]').shadowRoot.querySelectorAll('.msg.bot').length === 2"
    )
    _bot_answers(page).last.locator(".bubble").wait_for(state="visible")
    first, second = (json.loads(r.post_data) for r in asks)
    assert first == {"question": QUESTION_FR, "history": []}
    assert [m["role"] for m in second["history"]] == ["user", "assistant"]
    assert second["history"][0]["content"] == QUESTION_FR
    assert OP4_WORDS in second["history"][1]["content"]

    # Escape closes and gives focus back to the button
    _widget(page, "textarea").focus()
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert launcher.get_attribute("aria-expanded") == "false"
    assert page.evaluate("() => document.querySelector('[data-reso-widget]').shadowRoot.activeElement.className") == "launcher"

    # it loaded nothing from anywhere but the two origins, and threw nothing
    assert all(u.startswith((host_site.origin + "/", app_server.origin + "/")) for u in page.context.requested)
    assert page.errors == []


def test_widget_shows_markup_as_text(app_server, host_site, page):
    page.goto(host_site.origin + "/")
    _open_widget(page)
    _ask_widget(page, XSS_QUESTION)
    answer = _bot_answers(page).last
    answer.locator("details summary", has_text=f"{XSS_SYMBOL} OP1").wait_for(state="visible", timeout=60_000)

    question = _widget(page, ".msg.user .bubble").last
    assert question.inner_text() == XSS_QUESTION
    assert IMG in answer.locator(".bubble").inner_text()  # the answer quotes the paragraph
    answer.locator(f'button.cite[data-paragraph="OP1"]').click()
    assert IMG in answer.locator('details[data-paragraph="OP1"] .excerpt').inner_text()
    _no_xss(page)
    _shot(page, "widget-xss")
    assert page.errors == []


def test_widget_phone_width_is_full_width(app_server, host_site, browser):
    ctx = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    try:
        page = ctx.new_page()
        page.goto(host_site.origin + "/")
        _open_widget(page)
        box = _widget(page, "[role=dialog]").bounding_box()
        assert box["x"] == 0 and box["width"] == 375
        _ask_widget(page, QUESTION_FR)
        _bot_answers(page).last.locator("details").first.wait_for(state="visible", timeout=60_000)
        _shot(page, "widget-phone")
        _widget(page, "button.close").click()
        _widget(page, "[role=dialog]").wait_for(state="hidden")
    finally:
        ctx.close()


def test_widget_on_an_origin_not_allowed_shows_a_friendly_error(app_server, foreign_site, page):
    page.goto(foreign_site.origin + "/")
    _open_widget(page)
    _ask_widget(page, QUESTION_FR)
    alert = _widget(page, "[role=alert]")
    alert.wait_for(state="visible")
    assert alert.inner_text().startswith("Impossible de joindre l'assistant")
    assert page.errors == []


def test_widget_demo_page_works_under_a_strict_csp(app_server, page):
    """The server's own demo page forbids inline script: the widget needs none."""
    page.goto(app_server.origin + "/widget-demo?lang=en")
    launcher = _open_widget(page)
    assert launcher.get_attribute("aria-label") == "Ask about UN resolutions"
    assert _widget(page, "button.send").inner_text() == "Send"
    _ask_widget(page, "What does the Council ask the High Commissioner to organise?")
    answer = _bot_answers(page).last
    answer.locator("details").first.wait_for(state="visible", timeout=60_000)
    _shot(page, "widget-demo", "widget.png")
    answer.locator("button.cite").first.click()
    expect(answer.locator("details .excerpt").first).to_be_in_viewport()
    page.wait_for_timeout(1000)  # the end of the smooth scroll, for the picture
    _shot(page, "widget-demo-excerpt")
    assert page.errors == []


def test_widget_js_is_served_cacheable_and_configured(app_server):
    """No browser needed: what embedding sites and their caches see of /widget.js and /widget-demo."""
    from urllib.error import HTTPError
    from urllib.request import Request, urlopen

    from reso.ui.widget import render_script

    with urlopen(app_server.origin + "/widget.js") as r:
        assert r.headers["Content-Type"] == "application/javascript; charset=utf-8"
        assert r.headers["Cache-Control"] == "public, max-age=300"
        etag, script = r.headers["ETag"], r.read().decode("utf-8")
    assert "attachShadow" in script and 'var CONFIGURED_BASE = "";' in script
    with pytest.raises(HTTPError) as revalidated:
        urlopen(Request(app_server.origin + "/widget.js", headers={"If-None-Match": etag}))
    assert revalidated.value.code == 304

    with urlopen(app_server.origin + "/widget-demo?lang=fr&position=left") as r:
        assert "script-src 'self'" in r.headers["Content-Security-Policy"]
        demo = r.read().decode("utf-8")
    assert f'<script src="{app_server.origin}/widget.js"' in demo and 'data-position="left"' in demo
    with urlopen(app_server.origin + '/widget-demo?lang="><script>x</script>') as r:
        assert "<script>x" not in r.read().decode("utf-8")  # unknown values are never echoed

    # RESO_PUBLIC_URL goes into the script as a JS string; anything but http(s) is ignored
    assert 'var CONFIGURED_BASE = "https://example.org/reso/";' in render_script("https://example.org/reso").decode()
    assert 'var CONFIGURED_BASE = "";' in render_script("javascript:alert(1)").decode()
    assert "\\u003c/script" in render_script("https://example.org/</script>").decode()


# -- the widget against a deliberately awkward server --------------------------------------------


class _StubApi(BaseHTTPRequestHandler):
    """Serves widget.js and a page, and answers like the API but awkwardly, to test the client.

    - an answer streamed a few bytes at a time, CRLF line ends, comments, a multi-byte character
      cut in two, an unknown event and a `data:` split over two lines;
    - HTTP 429 with the API's JSON error body;
    - a stream that ends with `event: error`.
    """

    protocol_version = "HTTP/1.0"

    def log_message(self, *args) -> None:
        pass

    def _send(self, status: int, ctype: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        from reso.ui.widget import render_script

        path = urlsplit(self.path).path
        if path == "/widget.js":
            self._send(200, "application/javascript; charset=utf-8", render_script(None))
        elif path == "/":
            lang = parse_qs(urlsplit(self.path).query).get("lang", ["en"])[0]
            page = f'<!doctype html><html lang="{lang}"><body><script src="/widget.js" defer></script></body></html>'
            self._send(200, "text/html; charset=utf-8", page.encode())
        else:
            self.send_error(404)

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        question = body["question"]
        if "busy" in question:
            self._send(429, "application/json", json.dumps({"error": "5 questions per minute at most"}).encode())
            return
        if "boom" in question:
            stream = 'event: delta\r\ndata: {"text": "Début"}\r\n\r\nevent: error\r\ndata: {"error": "generator down"}\r\n\r\n'
        else:
            citation = {"document": "A/RES/1/1", "paragraph": "OP1", "language": "fr",
                        "text": "Décide que l’été durera <b>toujours</b>.", "title": "Été"}
            answer = "L’été durera toujours — «\u00a0décidé\u00a0» 🌞 [A/RES/1/1, OP1]"
            done = {"answer": answer, "language": "fr", "refused": False, "citations": [citation]}
            stream = (
                ": keep-alive\r\n\r\n"
                "event: delta\r\ndata: " + json.dumps({"text": answer[:9]}, ensure_ascii=False) + "\r\n\r\n"
                "event: unknown\r\ndata: {}\r\n\r\n"
                "event: delta\r\ndata: " + json.dumps({"text": answer[9:]}, ensure_ascii=False) + "\r\n\r\n"
                "event: citations\r\ndata: [\r\ndata: " + json.dumps(citation, ensure_ascii=False) + "]\r\n\r\n"
                "event: done\r\ndata: " + json.dumps(done, ensure_ascii=False) + "\r\n\r\n"
            )
        raw = stream.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        self.wfile.flush()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        i, step = 0, 1
        while i < len(raw):  # pieces of 1 to 7 bytes: cuts lines, CRLF pairs and UTF-8 sequences
            self.wfile.write(raw[i : i + step])
            self.wfile.flush()
            i += step
            step = step % 7 + 1
            time.sleep(0.001)


@pytest.fixture(scope="session")
def stub_site() -> Iterator[_Site]:
    with _Site(_StubApi) as site:
        yield site


def test_widget_reads_a_stream_cut_anywhere(stub_site, page):
    page.goto(stub_site.origin + "/?lang=fr")
    _open_widget(page)
    _ask_widget(page, "Combien de temps durera l’été ?")
    answer = _bot_answers(page).last
    answer.locator("details summary", has_text="A/RES/1/1 OP1").wait_for(state="visible")
    assert answer.locator(".bubble").inner_text() == "L’été durera toujours — «\u00a0décidé\u00a0» 🌞 [A/RES/1/1, OP1]"
    assert answer.locator(".excerpt").text_content() == "Décide que l’été durera <b>toujours</b>."
    assert answer.locator("b").count() == 0
    assert page.errors == []


def test_widget_explains_http_and_stream_errors(stub_site, page):
    page.goto(stub_site.origin + "/?lang=en")
    _open_widget(page)
    _ask_widget(page, "busy?")
    alert = _widget(page, "[role=alert]").last
    alert.wait_for(state="visible")
    assert alert.inner_text() == (
        "Too many questions at once. Please wait a moment and try again. (5 questions per minute at most)"
    )
    assert _widget(page, "button.send").is_enabled()  # ready for the next question

    _ask_widget(page, "boom?")
    page.wait_for_function(
        "() => document.querySelector('[data-reso-widget]').shadowRoot.querySelectorAll('[role=alert]').length === 2"
    )
    assert "generator down" in _widget(page, "[role=alert]").last.inner_text()
    _shot(page, "widget-errors")
    assert page.errors == []


# -- (c) six languages: Arabic right to left, Chinese, and a phone's width -------------------------
# A second server over resolution A/HRC/RES/54/10 in Arabic, Chinese and English (the AKN files of
# UNxml: the Arabic and English ones are test fixtures, the Chinese one is in shared/corpus), the
# seed in French, and a made-up resolution 31/99 whose OP2 runs to 2,000 words in 20 sub-paragraphs.

SHARED = Path(os.environ.get("RESO_SHARED_DIR", ROOT.parent / "shared"))
AKN = ROOT / "tests" / "fixtures" / "akn"
CHINESE_54_10 = SHARED / "corpus" / "unxml-hrc" / "54session" / "Chinese" / "A_HRC_RES_54_10C.xml"
DOC_IMG = ROOT / "docs" / "img"
MULTI_SYMBOL = "A/HRC/RES/54/10"
LONG_SYMBOL = "A/HRC/RES/31/99"
PHONE = {"width": 390, "height": 844}


def _long_resolution() -> str:
    words = "the Office shall continue to assist States in building national capacities for monitoring".split()
    subs = [
        f" ({letter}) " + " ".join(words[(i + j) % len(words)] for j in range(100)) + ";"
        for i, letter in enumerate("abcdefghijklmnopqrst")
    ]
    return (
        "   31/99. Long paragraphs in the paragraph view\n\n \n\n The Human Rights Council,\n\n"
        " Recalling that some paragraphs of resolutions run to many pages,\n\n"
        " 1. Requests the Secretary-General to publish a summary of the national monitoring systems;\n\n"
        " 2. Decides that the national monitoring systems shall be reviewed as follows:\n\n"
        + "\n\n".join(subs)
        + "\n\n 3. Invites States to share their experience of national monitoring systems with the Office;\n"
    )


@pytest.fixture(scope="session")
def multilingual_server(tmp_path_factory) -> Iterator[_AppServer]:
    if not CHINESE_54_10.is_file():
        _missing(f"the Chinese version of {MULTI_SYMBOL} is not at {CHINESE_54_10} (set RESO_SHARED_DIR)")
    from reso.settings import Settings

    folder = tmp_path_factory.mktemp("corpus-six")
    for source in (SEED, AKN / "A_HRC_RES_54_10A.xml", AKN / "A_HRC_RES_54_10E.xml", CHINESE_54_10):
        shutil.copyfile(source, folder / source.name)
    (folder / "A_HRC_RES_31_99-en.txt").write_text(_long_resolution(), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith("RESO_"):
                mp.delenv(name)
        settings = Settings(
            data_dir=tmp_path_factory.mktemp("reso-data-six"),
            embedder="hash",
            generator="extractive",
            retriever="hybrid",
            default_corpus=folder,
        )
    from reso.ui.app import create_app

    with _AppServer(create_app(settings)) as server:
        yield server


def _doc_shot(page, name: str, **kwargs) -> Path:
    """A screenshot in test-artifacts/, copied to docs/img/ for the README with RESO_UPDATE_SCREENSHOTS=1."""
    path = _shot(page, name, **kwargs)
    if UPDATE_SHOTS:
        DOC_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOC_IMG / f"{name}.png")
    return path


def _box(page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not rendered"
    return box


def _no_horizontal_overflow(page) -> None:
    width = page.evaluate("() => window.innerWidth")
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll} px wide in a {width}-px window"
    wide = page.evaluate(
        """(w) => [...document.querySelectorAll('body *')].filter((el) => {
            const r = el.getBoundingClientRect();
            return r.width > 0 && r.right > w + 1 && getComputedStyle(el).position !== 'fixed';
        }).map((el) => el.id || el.className || el.tagName).slice(0, 5)""",
        width,
    )
    assert wide == [], f"elements past the right edge: {wide}"


def _labels_in(page, lang: str) -> None:
    from reso.prompts import phrase

    expect(page.locator("#ask-button")).to_have_text(phrase("ui_ask", lang))
    expect(page.locator("#sources-title")).to_contain_text(phrase("ui_sources", lang))
    expect(page.locator("#reso-title h2")).to_have_text(phrase("ui_title", lang))
    expect(page.locator("#question")).to_contain_text(phrase("ui_question_label", lang))


def _ask_first_example(page, lang: str) -> str:
    """Clicks the first example question (built from the index in `lang`); returns its text."""
    example = page.locator("#example-1")
    expect(example).to_be_visible(timeout=60_000)
    question = example.inner_text().strip()
    example.click()
    return question


def _answered_with_citation(page, document: str) -> None:
    page.locator(f'#chat .reso-citation').first.wait_for(state="visible", timeout=60_000)
    page.locator(f'#sources-panel .reso-citation[data-document="{document}"]').first.wait_for(state="visible", timeout=30_000)


def _paragraph_view_capped(page) -> None:
    """Each paragraph of the view scrolls inside its box: a neighbour of at most 12em, the cited one 30em."""
    boxes = page.locator("#paragraph-view .reso-paragraph")
    assert boxes.count() >= 2
    for height, font, focus in boxes.evaluate_all(
        "(els) => els.map((el) => [el.getBoundingClientRect().height, parseFloat(getComputedStyle(el).fontSize),"
        " el.classList.contains('reso-focus')])"
    ):
        assert height <= (30 if focus else 12) * font + 20, (height, font, focus)  # plus padding and border


def test_ui_in_arabic_is_mirrored_and_answers_with_citations(multilingual_server, browser):
    from reso.prompts import phrase

    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ar")
    ctx.requested = []
    ctx.on("request", lambda r: ctx.requested.append(r.url))
    try:
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(multilingual_server.origin + "/?ui=ar")
        expect(page.locator("html")).to_have_attribute("dir", "rtl", timeout=60_000)
        expect(page.locator("html")).to_have_attribute("lang", "ar")
        expect(page).to_have_title("مساعد قرارات الأمم المتحدة")
        _labels_in(page, "ar")
        # mirrored: the conversation is on the right, the sources on its left, the title at the right edge
        chat, side = _box(page, "#chat-column"), _box(page, "#side-column")
        assert chat["x"] > side["x"] + side["width"] - 1
        title = _box(page, "#reso-title h2")
        assert title["x"] + title["width"] > 1280 * 0.6

        question = _ask_first_example(page, "ar")
        assert MULTI_SYMBOL in question and "الفقرة" in question  # about the Arabic version of 54/10, in Arabic
        _answered_with_citation(page, MULTI_SYMBOL)
        answer = page.locator("#chat .reso-citation").first
        # the answer is the Arabic version's paragraph, with the Arabic frame ("في القرار …")
        assert "في القرار" in page.locator("#chat").inner_text()
        # the citation stays a left-to-right island: brackets and comma where they belong
        assert answer.evaluate("(el) => [getComputedStyle(el).direction, getComputedStyle(el).unicodeBidi]") == ["ltr", "isolate"]
        assert answer.inner_text().startswith(f"[{MULTI_SYMBOL}, OP")
        # the script-free citation picker too: right to left, its marker an LTR isolate before the title
        option = page.locator("#citation-picker label span").first
        assert option.evaluate("(el) => getComputedStyle(el).direction") == "rtl"
        assert option.inner_text().startswith(f"\u2066[{MULTI_SYMBOL}, OP")
        source = page.locator('#sources-panel blockquote[lang="ar"]').first
        assert source.get_attribute("dir") == "rtl"
        assert phrase("ui_adopted", "ar", date="2023-10-11") in page.locator("#sources-panel").inner_text()

        page.locator(f'#sources-panel .reso-citation[data-document="{MULTI_SYMBOL}"]').first.click()
        page.locator("#paragraph-view .reso-focus").wait_for(state="visible")
        _paragraph_view_capped(page)
        # the other language versions are there, each in its own direction
        expect(page.locator('#paragraph-view .reso-version[data-language="zh"]')).to_be_visible()
        assert page.locator('#paragraph-view .reso-version[data-language="en"] p').get_attribute("dir") == "auto"
        _doc_shot(page, "ui-ar", full_page=True)

        page.set_viewport_size(PHONE)
        page.wait_for_timeout(300)
        _no_horizontal_overflow(page)
        _doc_shot(page, "ui-ar-390")
        assert errors == []
        assert [u for u in ctx.requested if not u.startswith(multilingual_server.origin + "/")] == []
    finally:
        ctx.close()


def test_ui_in_chinese_at_phone_width(multilingual_server, browser):
    ctx = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    ctx.requested = []
    ctx.on("request", lambda r: ctx.requested.append(r.url))
    try:
        page = ctx.new_page()
        page.goto(multilingual_server.origin + "/")  # the browser's language chooses Chinese
        expect(page.locator("html")).to_have_attribute("lang", "zh", timeout=60_000)
        assert page.locator("html").get_attribute("dir") == "ltr"
        _labels_in(page, "zh")
        question = _ask_first_example(page, "zh")
        assert MULTI_SYMBOL in question and "决议" in question
        _answered_with_citation(page, MULTI_SYMBOL)
        assert "在决议" in page.locator("#chat").inner_text()
        assert page.locator('#sources-panel blockquote[lang="zh"]').count() >= 1
        # the Chinese text is set in a Chinese font (installed, not downloaded)
        family = page.locator('#sources-panel blockquote[lang="zh"]').first.evaluate("(el) => getComputedStyle(el).fontFamily")
        assert family.startswith('"Noto Sans CJK SC"')
        _no_horizontal_overflow(page)
        # the sources come right after the conversation, before feedback and export
        chat, sources, feedback = _box(page, "#chat"), _box(page, "#sources-panel"), _box(page, "#feedback")
        assert chat["y"] < sources["y"] < feedback["y"]
        _doc_shot(page, "ui-zh-390", full_page=True)
        assert [u for u in ctx.requested if not u.startswith(multilingual_server.origin + "/")] == []
    finally:
        ctx.close()


def test_ui_in_english_at_phone_width_keeps_words_whole_and_caps_long_paragraphs(multilingual_server, browser):
    ctx = browser.new_context(viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True)
    try:
        page = ctx.new_page()
        page.goto(multilingual_server.origin + "/?ui=en")
        _labels_in(page, "en")
        # the title wraps between words only, and the intro uses the page's width, the picker under it
        broken = page.locator("#reso-title h2").evaluate(
            """(h) => {
                const text = h.firstChild;
                const out = [];
                let i = 0;
                for (const word of h.textContent.split(' ')) {
                    const r = document.createRange();
                    r.setStart(text, i); r.setEnd(text, i + word.length);
                    if (r.getClientRects().length > 1) out.push(word);
                    i += word.length + 1;
                }
                return out;
            }"""
        )
        assert broken == []
        intro, picker = _box(page, "#reso-title"), _box(page, "#ui-language")
        assert intro["width"] > PHONE["width"] * 0.8
        assert picker["y"] >= intro["y"] + intro["height"] - 1
        # the examples are about what is indexed in English: the most recent English version first
        question = _ask_first_example(page, "en")
        assert question.startswith("What does paragraph") and MULTI_SYMBOL in question
        _answered_with_citation(page, MULTI_SYMBOL)

        # a 2,000-word neighbour: its box is capped and scrolls, its sub-paragraphs keep their lines
        _ask_ui(page, f"What does paragraph 1 of resolution {LONG_SYMBOL} say?")
        cite = page.locator(f'#sources-panel .reso-citation[data-document="{LONG_SYMBOL}"][data-paragraph="OP1"]')
        cite.wait_for(state="visible", timeout=60_000)
        cite.click()
        long = page.locator('#paragraph-view .reso-paragraph[data-paragraph="OP2"]')
        long.wait_for(state="visible")
        _paragraph_view_capped(page)
        sizes = long.evaluate("(el) => [el.clientHeight, el.scrollHeight]")
        assert sizes[1] > 3 * sizes[0]  # the rest is a scroll away, not a 3,500-px block
        lines = long.inner_text().split("\n")
        assert any(line.strip().startswith("(b) ") for line in lines) and any(line.strip().startswith("(t) ") for line in lines)
        _no_horizontal_overflow(page)
        page.locator("#paragraph-view").scroll_into_view_if_needed()
        _doc_shot(page, "ui-en-390", full_page=True)
    finally:
        ctx.close()


def test_widget_in_arabic_is_right_to_left(multilingual_server, page):
    page.goto(multilingual_server.origin + "/widget-demo?lang=ar")
    launcher = _open_widget(page)
    assert launcher.get_attribute("aria-label") == "اسأل عن قرارات الأمم المتحدة"
    assert _widget(page, "button.send").inner_text() == "إرسال"
    assert _widget(page, ".root").evaluate("(el) => getComputedStyle(el).direction") == "rtl"
    # mirrored: in the bottom-left corner of the window, the close button at the panel's left end
    panel = _widget(page, "[role=dialog]").bounding_box()
    assert panel["x"] < 1280 / 2
    close, heading = _widget(page, "button.close").bounding_box(), _widget(page, "h2").bounding_box()
    assert close["x"] < heading["x"]
    _ask_widget(page, f"ما الذي تنص عليه الفقرة 5 من القرار {MULTI_SYMBOL}؟")
    answer = _bot_answers(page).last
    answer.locator("details summary", has_text=f"{MULTI_SYMBOL} OP5").wait_for(state="visible", timeout=60_000)
    bubble = answer.locator(".bubble")
    assert bubble.inner_text().startswith("في القرار")
    assert bubble.evaluate("(el) => getComputedStyle(el).direction") == "rtl"
    cite = answer.locator("button.cite").first
    assert cite.evaluate("(el) => [getComputedStyle(el).direction, getComputedStyle(el).unicodeBidi]") == ["ltr", "isolate"]
    assert answer.locator(".sources h3").inner_text() == "المصادر"
    cite.click()
    assert answer.locator('details[data-paragraph="OP5"] .excerpt').get_attribute("lang") == "ar"
    _doc_shot(page, "widget-ar")
    assert page.errors == []


def test_widget_follows_a_chinese_page(stub_site, multilingual_server, page):
    """No data-language on the tag: the page's <html lang> decides, and Chinese is one of the six."""
    page.goto(stub_site.origin + "/?lang=zh-CN")
    launcher = _open_widget(page)
    assert launcher.get_attribute("aria-label") == "就联合国决议提问"
    assert _widget(page, "label[for=reso-question]").inner_text() == "您的问题"
    assert _widget(page, ".root").evaluate("(el) => getComputedStyle(el).direction") == "ltr"
    assert _widget(page, "[role=dialog]").bounding_box()["x"] > 1280 / 2
    page.goto(multilingual_server.origin + "/widget-demo?lang=zh")
    _open_widget(page)
    _ask_widget(page, f"{MULTI_SYMBOL} 号决议第 5 段说了什么？")
    answer = _bot_answers(page).last
    answer.locator("details summary", has_text=f"{MULTI_SYMBOL} OP5").wait_for(state="visible", timeout=60_000)
    assert answer.locator(".bubble").inner_text().startswith("在决议")
    assert answer.locator(".sources h3").inner_text() == "来源"
    assert page.errors == []


# -- a chat front-end on another origin calling /v1 with the API key --------------------------------
# What only a browser decides: whether the preflight of a cross-origin `fetch` carrying
# `Authorization: Bearer …` passes, and whether the page may read the answer, its errors and the
# headers it needs (Retry-After, X-Request-ID). The app without Gradio, on uvicorn.

V1_API_KEY = "sk-reso-browser"


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
def v1_sites() -> Iterator[tuple[_Site, _Site]]:
    with _Site(_BlankPage) as allowed, _Site(_BlankPage) as foreign:
        yield allowed, foreign


@pytest.fixture(scope="module")
def v1_api(tmp_path_factory, seed_path, v1_sites) -> Iterator[str]:
    from test_api import build_services

    from reso.ui.app import create_app

    services = build_services(tmp_path_factory.mktemp("browser-v1"), [seed_path])
    settings = services.settings.model_copy(update={
        "api_key": V1_API_KEY, "allowed_origins": [v1_sites[0].origin],
        "rate_limit": "1/hour", "rate_limit_burst": 3, "rate_limit_exempt": []})
    app = create_app(services=dataclasses.replace(services, settings=settings), with_ui=False)
    with _AppServer(app) as server:
        yield server.origin


V1_FETCH = """async ([url, key, body]) => {
    try {
        const r = await fetch(url, {method: "POST", body: JSON.stringify(body),
                                    headers: {"Authorization": "Bearer " + key, "Content-Type": "application/json"}});
        return {status: r.status, body: await r.text(), retryAfter: r.headers.get("Retry-After"),
                requestId: r.headers.get("X-Request-ID")};
    } catch (e) {
        return {failed: String(e)};
    }
}"""


def test_a_page_of_an_allowed_origin_chats_with_the_key_and_reads_errors(v1_api, v1_sites, browser):
    from reso.assistant.citations import MARKER

    allowed, foreign = v1_sites
    page = browser.new_page()
    try:
        page.goto(allowed.origin + "/")
        url = v1_api + "/v1/chat/completions"
        chat = {"model": "reso", "messages": [{"role": "user", "content": QUESTION_FR}]}

        ok = page.evaluate(V1_FETCH, [url, V1_API_KEY, chat])
        assert ok.get("status") == 200, ok
        message = json.loads(ok["body"])["choices"][0]["message"]
        markers = [m.group(0) for m in MARKER.finditer(message["content"])]
        assert markers and [a["url_citation"]["title"] for a in message["annotations"]] == [m[1:-1] for m in markers]
        assert ok["requestId"]  # exposed to the page

        streamed = page.evaluate(V1_FETCH, [url, V1_API_KEY, {**chat, "stream": True}])
        assert streamed.get("status") == 200 and streamed["body"].rstrip().endswith("data: [DONE]")

        denied = page.evaluate(V1_FETCH, [url, "sk-wrong", chat])  # the third and last token
        assert denied.get("status") == 401 and json.loads(denied["body"])["error"]["code"] == "invalid_api_key"
        limited = page.evaluate(V1_FETCH, [url, V1_API_KEY, chat])
        assert limited.get("status") == 429 and int(limited["retryAfter"]) >= 1

        page.goto(foreign.origin + "/")  # not in RESO_ALLOWED_ORIGINS: the browser refuses to let it read
        refused = page.evaluate(V1_FETCH, [url, V1_API_KEY, chat])
        assert "failed" in refused and "Failed to fetch" in refused["failed"]
    finally:
        page.close()
