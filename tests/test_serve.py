"""`reso serve` as a user runs it: a real process, real HTTP, the API, the UI page and the widget.

Run with RESO_EMBEDDER=hash on an empty data folder, so it also covers the first start: the
bundled seed is ingested before the server answers. The time from process start to the first
answered question is printed (it is a figure to watch, not a pass/fail criterion).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sse import parse_sse

from reso.evals.bench import stop_process

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
START_TIMEOUT = 240.0  # the first start ingests the seed and imports Gradio
QUESTION = "Que demande le Conseil au Haut-Commissaire d'organiser ?"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_for_health(base: str, proc: subprocess.Popen, log: Path) -> dict:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"reso serve exited with {proc.returncode}:\n{log.read_text(errors='replace')[-4000:]}")
        try:
            r = httpx.get(f"{base}/api/health", timeout=2.0)
            if r.status_code == 200:
                return r.json()
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    pytest.fail(f"reso serve did not answer /api/health within {START_TIMEOUT:.0f}s:\n{log.read_text(errors='replace')[-4000:]}")


@contextlib.contextmanager
def serving(env: dict[str, str], log: Path):
    """`reso serve` on a free loopback port with `env`, its output in `log`: yields its base URL once
    /api/health answers, stops it after, and fails on any traceback in its log."""
    port = free_port()
    base = f"http://{HOST}:{port}"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "reso", "serve", "--port", str(port)], cwd=ROOT,
                                env=env | {"RESO_HOST": HOST, "PYTHONUNBUFFERED": "1"}, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_health(base, proc, log)
        yield base
    finally:
        stop_process(proc)
    assert "Traceback" not in log.read_text(errors="replace")


def test_reso_serve_end_to_end(tmp_path, capsys, record_property):
    port = free_port()
    base = f"http://{HOST}:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESO_")}
    env |= {"RESO_DATA_DIR": str(tmp_path / "data"), "RESO_EMBEDDER": "hash", "RESO_HOST": HOST,
            "PYTHONUNBUFFERED": "1"}
    log = tmp_path / "serve.log"
    started = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "reso", "serve", "--port", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        health = wait_for_health(base, proc, log)
        assert health["status"] == "ok" and health["documents"] >= 1 and health["embedder"].startswith("hash")

        r = httpx.post(f"{base}/api/ask", json={"question": QUESTION}, timeout=60.0)
        first_answer = time.monotonic() - started
        assert r.status_code == 200, r.text
        answer = r.json()
        assert ("A/HRC/RES/30/25", "OP4") in [(c["document"], c["paragraph"]) for c in answer["citations"]]

        with capsys.disabled():
            print(f"\n[reso serve] process start → first answered request: {first_answer:.1f} s")
        record_property("serve_to_first_answer_s", round(first_answer, 2))

        r = httpx.post(f"{base}/api/ask/stream", json={"question": QUESTION}, timeout=60.0)
        events = parse_sse(r.text)
        assert [e for e, _ in events][-2:] == ["citations", "done"]
        assert "".join(d["text"] for e, d in events if e == "delta") == events[-1][1]["answer"]

        r = httpx.post(f"{base}/api/ask", content=b"{", headers={"Content-Type": "application/json"}, timeout=10.0)
        assert r.status_code == 422 and "JSON" in r.json()["error"]

        page = httpx.get(f"{base}/", timeout=30.0, follow_redirects=True)
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]

        assert "/api/ask" in httpx.get(f"{base}/openapi.json", timeout=10.0).json()["paths"]

        if (ROOT / "ui" / "static" / "widget.js").exists():
            widget = httpx.get(f"{base}/widget.js", timeout=10.0)
            assert widget.status_code == 200 and "javascript" in widget.headers["content-type"]
    finally:
        stop_process(proc)
    assert "Traceback" not in log.read_text(errors="replace")


def test_a_file_ingested_by_another_process_is_answered_soon_and_logged(tmp_path, capsys, record_property):
    """`reso ingest` from the command line while `reso serve` runs: the server reloads by itself
    (no question needed to notice), says so in its log, and the next question finds the file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESO_")}
    env |= {"RESO_DATA_DIR": str(tmp_path / "data"), "RESO_EMBEDDER": "hash", "RESO_REFRESH_INTERVAL": "1"}
    log = tmp_path / "serve.log"
    with serving(env, log) as base:
        new_file = ROOT / "tests" / "fixtures" / "akn" / "S_RES_2699-2318982E.xml"
        subprocess.run([sys.executable, "-m", "reso", "ingest", str(new_file)], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        ingested = time.monotonic()
        while time.monotonic() - ingested < 30 and "index reloaded" not in log.read_text(errors="replace"):
            time.sleep(0.2)
        reloaded = time.monotonic() - ingested
        assert "index reloaded" in log.read_text(errors="replace")
        r = httpx.post(f"{base}/api/ask", json={"question": "Haiti Multinational Security Support mission"}, timeout=60.0)
        assert "S/RES/2699 (2023)" in {c["document"] for c in r.json()["citations"]}
        with capsys.disabled():
            print(f"\n[reso serve] ingest by another process → reload logged: {reloaded:.1f} s")
        record_property("ingest_to_reload_s", round(reloaded, 2))
