"""README, "Use reso from other tools": every snippet of the section, run as a reader would run it.

The section's Python blocks run as scripts against a `reso serve` started here on loopback
(`RESO_URL` is its address), each in its own process; its two MCP client configurations (JSON) are
read as a client reads them and connected to with the `mcp` SDK (the stdio one starts `reso mcp`).
A snippet that stops working fails here, not in a reader's terminal.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import anyio
import pytest
from test_serve import serving

from tests.conftest import run_async

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent
SEED = "A/HRC/RES/30/25"


def section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("\n## Use reso from other tools\n")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", section(), flags=re.S | re.M)


def test_the_section_has_the_snippets_the_issue_asks_for():
    python = blocks("python")
    assert len(python) == 4 and len(blocks("json")) == 2
    assert any("from openai import OpenAI" in b and "stream=True" in b for b in python)
    assert any("ChatOpenAI" in b for b in python) and any("retriever_of" in b for b in python)
    assert any("from mcp import Client" in b for b in python)
    assert "reso mcp" in section() and "RESO_API_KEY" in section()


def reso_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESO_")}
    return env | {"RESO_DATA_DIR": str(data_dir), "RESO_EMBEDDER": "hash", "PYTHONPATH": str(ROOT),
                  "PYTHONUNBUFFERED": "1"} | extra


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("readme-serve")
    with serving(reso_env(tmp / "data"), tmp / "serve.log") as base:
        yield base


@pytest.mark.parametrize("index", range(4))
def test_each_python_snippet_runs(index, server, tmp_path):
    snippet = blocks("python")[index]
    script = tmp_path / "snippet.py"
    script.write_text(snippet, encoding="utf-8")
    # the in-process snippet (LangChain retriever) opens RESO_DATA_DIR: its own, never the server's
    env = reso_env(tmp_path / "data", RESO_URL=server)
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, f"{snippet}\n--- stderr:\n{done.stderr[-3000:]}"
    assert SEED in done.stdout and "OP4" in done.stdout, done.stdout  # each one shows the cited paragraph
    assert "Traceback" not in done.stderr


def _reso_command(command: str, args: list[str]) -> tuple[str, list[str]]:
    """`reso` as the configuration names it: the installed script, else this interpreter's `-m reso`."""
    if command == "reso":
        script = shutil.which("reso") or str(Path(sys.executable).with_name("reso"))
        if Path(script).exists():
            return script, args
        return sys.executable, ["-m", "reso", *args]
    return command, args


@pytest.mark.parametrize("transport", ["stdio", "http"])
def test_each_mcp_configuration_connects(transport, server, tmp_path):
    from mcp import Client, StdioServerParameters

    configs = [json.loads(b)["mcpServers"]["reso"] for b in blocks("json")]
    config = next(c for c in configs if ("url" in c) == (transport == "http"))
    if transport == "http":
        assert config["type"] == "http"
        target = config["url"].replace("http://127.0.0.1:8321", server)  # the README's default address → ours
    else:
        command, args = _reso_command(config["command"], config["args"])
        target = StdioServerParameters(command=command, args=args, env=reso_env(tmp_path / "data"), cwd=str(ROOT))

    async def main():
        async with Client(target) as client:
            names = {t.name for t in (await client.list_tools()).tools}
            found = await client.call_tool("get_paragraph", {"document": SEED, "paragraph": "OP4"})
            return names, found

    names, found = run_async(anyio.run, main)
    assert names == {"search_paragraphs", "get_paragraph", "list_documents", "ask"}
    assert not found.is_error and found.structured_content["paragraph"]["paragraph"] == "OP4"
