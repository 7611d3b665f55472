"""`reso serve --workers N` against a real `chroma run`: the deployment the README describes.

Several worker processes share one index through the Chroma server; an admin ingest answered by
one worker reaches the questions of every worker (each notices the store's new fingerprint within
RESO_REFRESH_INTERVAL), and the web UI is left to a one-worker server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from test_load_faults import HOST, ChromaServer
from test_serve import free_port, wait_for_health

from reso.evals.bench import stop_process

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent
KEY = "workers-test-key"
SEED_QUESTION = "Que demande le Conseil au Haut-Commissaire d'organiser ?"
HAITI_QUESTION = "Multinational Security Support mission in Haiti"
HAITI = "S/RES/2699 (2023)"


def _env(tmp_path: Path, chroma: ChromaServer, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESO_")}
    return env | {"RESO_DATA_DIR": str(tmp_path / "data"), "RESO_EMBEDDER": "hash", "RESO_CHROMA_HOST": HOST,
                  "RESO_CHROMA_PORT": str(chroma.port), "RESO_RATE_LIMIT": "off", "PYTHONUNBUFFERED": "1", **extra}


def test_several_workers_share_one_chroma_server_and_see_each_others_ingests(tmp_path, fixtures_dir):
    chroma = ChromaServer(tmp_path / "chroma")
    chroma.start()
    port = free_port()
    base = f"http://{HOST}:{port}"
    env = _env(tmp_path, chroma, RESO_ADMIN_KEY=KEY, RESO_REFRESH_INTERVAL="0.5", RESO_ANSWER_CACHE="0")
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "reso", "serve", "--port", str(port), "--workers", "2"],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for_health(base, proc, log)
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: httpx.post(f"{base}/api/ask", json={"question": SEED_QUESTION},
                                                         timeout=60), range(24)))
        assert {r.status_code for r in answers} == {200}
        assert {c["paragraph"] for r in answers for c in r.json()["citations"]} == {"OP4"}
        assert httpx.get(f"{base}/", timeout=10).status_code == 404  # no UI in a multi-worker server

        upload = fixtures_dir / "akn" / "S_RES_2699-2318982E.xml"
        r = httpx.post(f"{base}/api/admin/ingest", headers={"X-Admin-Key": KEY}, timeout=120,
                       files=[("files", (upload.name, upload.read_bytes(), "application/xml"))])
        assert r.status_code == 200, r.text
        # whichever worker took the upload, every worker must answer from the new index: ask until
        # twelve answers in a row (spread over both processes) cite the new resolution
        in_a_row, asked = 0, 0
        while in_a_row < 12 and asked < 400:
            asked += 1
            got = httpx.post(f"{base}/api/ask", json={"question": HAITI_QUESTION}, timeout=60).json()
            in_a_row = in_a_row + 1 if HAITI in {c["document"] for c in got["citations"]} else 0
        assert in_a_row == 12, f"after {asked} questions the workers still disagree"
    finally:
        stop_process(proc)
        chroma.stop()
    text = log.read_text(errors="replace")
    assert text.count("Started server process") == 2, text[-3000:]
    assert "Traceback" not in text, text[-4000:]
    # each worker starts as a one-worker server does: it answers, then warms up its languages and
    # the reference graph in the background (before, a worker paid those on its users' questions)
    assert text.count("reso: the API answers") == 2 and text.count("reso: warmed up,") == 2, text[-3000:]


def test_several_workers_without_a_chroma_server_is_a_clear_error(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESO_")} | {"RESO_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "reso", "serve", "--workers", "2"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "Chroma server" in done.stderr and "RESO_CHROMA_HOST" in done.stderr


def test_parallel_ingest_processes_fill_one_chroma_server_with_disjoint_shares(tmp_path):
    """`reso bench --ingest-workers 2` (issue 15, past one process): two ingest processes, each with
    its own data folder and lock, write their shares of one synthetic corpus into one `chroma run`;
    together they write every paragraph once, and the server then answers over what they wrote."""
    from click.testing import CliRunner

    from reso.evals import synthetic
    from reso.ui.cli import cli

    result = CliRunner().invoke(cli, ["bench", "--quick", "--sizes", "1500", "--embedder", "hash", "--json",
                                      "--ingest-workers", "2", "--keep", str(tmp_path)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["store"] == "chroma run" and report["ingest_workers"] == 2
    size = report["sizes"]["1500"]
    shares = size["ingest_processes"]
    documents = {r.symbol for r in synthetic.generate(1500, seed=5)}
    assert len(shares) == 2 and all(s["paragraphs"] > 0 for s in shares)
    assert sum(s["paragraphs"] for s in shares) == size["paragraphs"] == 1500
    assert sum(s["documents"] for s in shares) == size["documents"] == len(documents)  # no document twice
    assert "ingesting with 2 processes" in result.stderr
    kept = tmp_path / "hash-1500-seed5-server"
    assert (kept / "ingest-1").is_dir() and (kept / "ingest-2").is_dir()  # a data folder (and lock) each
    chroma = ChromaServer(kept / "chroma-server")  # the server's folder holds every paragraph, once
    chroma.start()
    try:
        from reso.index.store import ChromaStore

        store = ChromaStore.open(tmp_path / "reader", host=HOST, port=chroma.port)
        chunks = store.chunks()
        assert len(chunks) == 1500 and len({c.id for c in chunks}) == 1500
        assert {c.document for c in chunks} == documents
    finally:
        chroma.stop()
    served = size["serve"]
    assert served["first_answer_s"] > 0 and all(level["errors"] == 0 for level in served["api"].values())
    assert size["refused_unfiltered"] < 20  # the in-process answers found what the shares wrote
