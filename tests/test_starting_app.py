"""`reso serve` listens before its assistant is loaded (issue 15): what a client sees meanwhile.

The app is driven as uvicorn drives it (lifespan, then requests) on the seed index with the hash
embedder. The build is held at a gate, so "while loading" is a state the test controls rather
than a race it hopes to win.
"""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

import pytest
from conftest import run_async

from reso.errors import ResoError
from reso.settings import Settings
from reso.ui import app as app_module
from reso.ui.app import StartingApp

MCP_INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                  "params": {"protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
QUESTION = "Que demande le Conseil au Haut-Commissaire d'organiser ?"


async def call(app, method: str, path: str, body: dict | None = None,
               headers: list[tuple[bytes, bytes]] = ()) -> tuple[int, dict[str, str], bytes]:
    raw = json.dumps(body).encode() if body is not None else b""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "path": path,
             "raw_path": path.encode(), "root_path": "", "scheme": "http", "query_string": b"",
             "headers": [(b"host", b"127.0.0.1:8321"), (b"content-type", b"application/json"),
                         (b"content-length", str(len(raw)).encode()), *headers],
             "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8321), "state": {}}
    sent = False

    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}
        await asyncio.Event().wait()  # the client stays connected

    status, headers, chunks = 0, {}, []

    async def send(message):
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = {k.decode().lower(): v.decode() for k, v in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, headers, b"".join(chunks)


class Lifespan:
    """The server's side of the lifespan protocol."""

    def __init__(self, app):
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.sent: list[str] = []
        self.task = asyncio.ensure_future(app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
                                              self.inbox.get, self._send))

    async def _send(self, message):
        self.sent.append(message["type"])

    async def start(self):
        await self.inbox.put({"type": "lifespan.startup"})
        while "lifespan.startup.complete" not in self.sent:
            await asyncio.sleep(0.01)

    async def stop(self):
        await self.inbox.put({"type": "lifespan.shutdown"})
        await asyncio.wait_for(self.task, 30)
        assert self.sent[-1] == "lifespan.shutdown.complete"


@pytest.fixture
def gated(monkeypatch):
    """`create_app` waits for `gate` before building: the test decides when loading ends."""
    gate = threading.Event()
    real = app_module.create_app

    def create_app(*args, **kwargs):
        assert gate.wait(60), "the test never opened the gate"
        return real(*args, **kwargs)

    monkeypatch.setattr(app_module, "create_app", create_app)
    return gate


async def _until(predicate, seconds: float = 60.0):
    for _ in range(int(seconds * 20)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


def test_health_says_loading_and_a_question_waits_until_the_assistant_answers(gated, tmp_path, monkeypatch):
    settings = Settings(data_dir=tmp_path / "data", embedder="hash")
    ui_gate = threading.Event()

    def mount_ui(app, services):  # the UI, held at its own gate (and left out: Gradio takes seconds)
        assert ui_gate.wait(60)

    monkeypatch.setattr(app_module, "mount_ui", mount_ui)
    starting = StartingApp(settings, with_ui=True)

    async def scenario():
        lifespan = Lifespan(starting)
        await lifespan.start()  # at once: the build has not even begun
        status, headers, body = await call(starting, "GET", "/api/health")
        assert status == 503 and json.loads(body)["status"] == "loading" and headers["retry-after"] == "1"
        asked = asyncio.ensure_future(call(starting, "POST", "/api/ask", {"question": QUESTION}))
        await asyncio.sleep(0.3)
        assert not asked.done()  # waiting, not refused
        gated.set()
        status, _, body = await asyncio.wait_for(asked, 120)
        answer = json.loads(body)
        assert status == 200 and not answer["refused"] and answer["citations"][0]["document"] == "A/HRC/RES/30/25"
        status, _, body = await call(starting, "GET", "/api/health")
        assert status == 200 and json.loads(body)["status"] == "ok" and json.loads(body)["documents"] >= 1
        # MCP and the UI come after the API answers: a request for MCP sent while the UI is built waits
        # until its session manager runs (its route is added before: answering then was a 500)
        initialize = asyncio.ensure_future(call(starting, "POST", "/mcp", MCP_INITIALIZE,
                                                [(b"accept", b"application/json, text/event-stream")]))
        await asyncio.sleep(0.3)
        assert not initialize.done()
        ui_gate.set()
        status, _, body = await asyncio.wait_for(initialize, 60)
        assert status == 200 and json.loads(body)["result"]["serverInfo"]["name"] == "reso"
        status, _, _ = await call(starting, "GET", "/api/nothing-here")
        assert status == 404  # the API's own catch-all, as in create_app
        await lifespan.stop()
        return answer

    served = run_async(asyncio.run, scenario())
    assert starting.error is None
    # the same answer as an app built the usual way
    direct = app_module.create_app(settings, with_ui=False)

    async def ask_direct():
        lifespan = Lifespan(direct)
        await lifespan.start()
        result = await call(direct, "POST", "/api/ask", {"question": QUESTION})
        await lifespan.stop()
        return result

    status, _, body = run_async(asyncio.run, ask_direct())
    again = json.loads(body)
    assert status == 200
    for key in ("answer", "citations", "refused", "language"):
        assert again[key] == served[key]


def test_a_start_that_fails_says_why_and_stops_the_server(monkeypatch, tmp_path):
    def broken(*args, **kwargs):
        raise ResoError("the index cannot be read")

    monkeypatch.setattr(app_module, "create_app", broken)
    stopped = threading.Event()
    starting = StartingApp(Settings(data_dir=tmp_path / "data", embedder="hash"), with_ui=False,
                           on_failure=stopped.set)

    async def scenario():
        lifespan = Lifespan(starting)
        await lifespan.start()
        await _until(stopped.is_set)
        result = await call(starting, "POST", "/api/ask", {"question": QUESTION})
        await lifespan.stop()
        return result

    status, _, body = run_async(asyncio.run, scenario())
    assert status == 503 and json.loads(body) == {"status": "failed",
                                                   "error": "reso could not start: the index cannot be read"}
    assert isinstance(starting.error, ResoError)


def test_the_bench_measures_an_index_as_it_is(tmp_path: Path, seed_path: Path):
    """`python -m reso.evals.bench --index`: the in-process figures on RESO_DATA_DIR's index, no ingest."""
    from reso.evals.bench import BenchPlan, index_figures
    from reso.index.embedders import HashEmbedder
    from reso.index.library import Library
    from reso.index.store import ChromaStore

    settings = Settings(data_dir=tmp_path / "data", embedder="hash")
    Library(ChromaStore.open(settings.data_dir, settings.collection), HashEmbedder()).ingest([seed_path])
    before = ChromaStore.open(settings.data_dir, settings.collection).fingerprint()
    figures = index_figures(settings, BenchPlan(questions=5, serve=False))
    assert set(figures["latency_ms"]) == {"none", "body_sc", "documents_5pct"}
    assert 0 < figures["latency_ms"]["none"]["answer_p50"] <= figures["latency_ms"]["none"]["answer_p95"]
    assert ChromaStore.open(settings.data_dir, settings.collection).fingerprint() == before  # nothing ingested
