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


# -- issue 15: a new file answered within 10 s of its ingest, whichever process ingested it ------------

HAITI = ("Haiti Multinational Security Support mission", "S/RES/2699 (2023)")
AFGHANISTAN = ("Afghanistan territory used to shelter and train terrorists", "S/RES/2716 (2023)")
ANSWERED_WITHIN_S = 10.0


def seconds_until_cited(base: str, question_and_symbol: tuple[str, str], since: float, limit: float = 30.0) -> float:
    """Ask every 0.25 s until an answer cites the document; the seconds from `since` (a monotonic time)."""
    question, symbol = question_and_symbol
    while time.monotonic() - since < limit:
        r = httpx.post(f"{base}/api/ask", json={"question": question}, timeout=60.0)
        assert r.status_code == 200, r.text
        if symbol in {c["document"] for c in r.json()["citations"]}:
            return time.monotonic() - since
        time.sleep(0.25)
    pytest.fail(f"{base} did not cite {symbol} within {limit:.0f} s of its ingest")


def reloads(log: Path, wait: float = 5.0) -> int:
    """The reloads the server logged, waiting up to `wait` s for a first one: the log is another
    process's, written through its own buffers."""
    until = time.monotonic() + wait
    while True:
        count = log.read_text(errors="replace").count("index reloaded")
        if count or time.monotonic() >= until:
            return count
        time.sleep(0.1)


def test_with_the_default_refresh_interval_a_file_is_answered_within_10_s(tmp_path, capsys, record_property):
    """RESO_REFRESH_INTERVAL left at its default (5 s): `reso ingest` from the command line, and the
    running server answers from the new file within 10 s of the ingest finishing, its reload logged."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESO_")}
    env |= {"RESO_DATA_DIR": str(tmp_path / "data"), "RESO_EMBEDDER": "hash"}
    log = tmp_path / "serve.log"
    with serving(env, log) as base:
        new_file = ROOT / "tests" / "fixtures" / "akn" / "S_RES_2699-2318982E.xml"
        subprocess.run([sys.executable, "-m", "reso", "ingest", str(new_file)], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        answered = seconds_until_cited(base, HAITI, time.monotonic())
        assert reloads(log) >= 1
    with capsys.disabled():
        print(f"\n[reso serve] default refresh interval: ingest finished → new file answered in {answered:.1f} s")
    record_property("ingest_to_answer_s", round(answered, 2))
    assert answered <= ANSWERED_WITHIN_S


@pytest.mark.slow
def test_two_servers_over_one_chroma_server_answer_what_either_ingested(tmp_path, capsys, record_property):
    """Issue 15, past one process: two `reso serve`, each with its own cache folder, over one
    `chroma run`. A file uploaded to one (admin ingest) and a file ingested by `reso ingest` from the
    command line are both answered by both servers within 10 s, and each server logs its reloads."""
    from test_load_faults import ChromaServer

    chroma = ChromaServer(tmp_path / "chroma")
    chroma.start()
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("RESO_")}
    base_env |= {"RESO_EMBEDDER": "hash", "RESO_CHROMA_HOST": HOST, "RESO_CHROMA_PORT": str(chroma.port),
                 "RESO_ADMIN_KEY": "two-servers", "RESO_RATE_LIMIT": "off"}
    figures: dict[str, float] = {}
    try:
        a_log, b_log = tmp_path / "a.log", tmp_path / "b.log"
        with serving(base_env | {"RESO_DATA_DIR": str(tmp_path / "a")}, a_log) as a, \
                serving(base_env | {"RESO_DATA_DIR": str(tmp_path / "b")}, b_log) as b:  # after a: one seeds the index
            assert httpx.get(f"{b}/api/health").json()["documents"] == 1  # the seed a ingested

            upload = ROOT / "tests" / "fixtures" / "akn" / "S_RES_2699-2318982E.xml"
            r = httpx.post(f"{a}/api/admin/ingest", headers={"X-Admin-Key": "two-servers"}, timeout=120.0,
                           files=[("files", (upload.name, upload.read_bytes(), "application/xml"))])
            assert r.status_code == 200, r.text
            done = time.monotonic()
            figures["uploaded_to_a_answered_by_a_s"] = seconds_until_cited(a, HAITI, done)
            figures["uploaded_to_a_answered_by_b_s"] = seconds_until_cited(b, HAITI, done)

            cli_env = base_env | {"RESO_DATA_DIR": str(tmp_path / "cli")}
            new_file = ROOT / "tests" / "fixtures" / "akn" / "S_RES_2716-2325346E.xml"
            subprocess.run([sys.executable, "-m", "reso", "ingest", str(new_file)], cwd=ROOT, env=cli_env, check=True,
                           capture_output=True)
            done = time.monotonic()
            figures["cli_ingest_answered_by_a_s"] = seconds_until_cited(a, AFGHANISTAN, done)
            figures["cli_ingest_answered_by_b_s"] = seconds_until_cited(b, AFGHANISTAN, done)
            assert reloads(a_log) >= 2 and reloads(b_log) >= 2  # a: its own upload and the CLI's; b: both
    finally:
        chroma.stop()
    with capsys.disabled():
        print("\n[two reso serve over chroma run] " + ", ".join(f"{k} {v:.1f}" for k, v in figures.items()))
    for name, seconds in figures.items():
        record_property(name, round(seconds, 2))
        assert seconds <= ANSWERED_WITHIN_S, (name, seconds)
