"""The MCP server (CONTRACTS §6) driven by the official `mcp` Python SDK client.

In process first (the SDK's `Client` connected to the `MCPServer` object: every tool, its schema,
its results and its errors), then over both real transports: `reso mcp` as a subprocess on stdio,
and `/mcp` on a `reso serve` on loopback (streamable HTTP, behind RESO_API_KEY).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import anyio
import httpx
import pytest
from test_api import SC_2699, SEED, SEED_QUESTION, build_services

from reso.ui.mcp import build_server
from reso.ui.services import Services
from tests.conftest import run_async

ROOT = Path(__file__).resolve().parent.parent
TOOLS = {"search_paragraphs", "get_paragraph", "list_documents", "ask"}
API_KEY = "mcp-test-key"


@pytest.fixture(scope="module")
def services(tmp_path_factory, seed_path, fixtures_dir) -> Services:
    akn = [fixtures_dir / "akn" / name for name in SC_2699]
    return build_services(tmp_path_factory.mktemp("mcp-index"), [seed_path, *akn])


def run_with_client(target, check):
    """`check(client)` inside an `mcp.Client` connected to `target` (a server object, URL or stdio parameters)."""
    from mcp import Client

    async def main():
        async with Client(target) as client:
            return await check(client)

    return run_async(anyio.run, main)


async def exercise(client) -> dict:
    """List the tools and call each, well and badly; what came back, for the asserts."""
    out: dict = {"tools": {t.name: t for t in (await client.list_tools()).tools}}
    out["search"] = await client.call_tool("search_paragraphs", {"query": "Haut-Commissaire réunion-débat", "k": 3})
    out["search_filtered"] = await client.call_tool(
        "search_paragraphs", {"query": "Security Council sanctions", "bodies": ["SC"], "language": "en", "k": 5})
    out["paragraph"] = await client.call_tool("get_paragraph", {"document": SEED, "paragraph": "OP4", "window": 1})
    out["documents"] = await client.call_tool("list_documents", {"body": "SC"})
    out["ask"] = await client.call_tool("ask", {"question": SEED_QUESTION})
    out["bad"] = {
        "empty query": await client.call_tool("search_paragraphs", {"query": "  "}),
        "bad language": await client.call_tool("search_paragraphs", {"query": "droits", "language": "french"}),
        "bad date": await client.call_tool("search_paragraphs", {"query": "droits", "date_from": "2023-13-45"}),
        "unknown document": await client.call_tool("search_paragraphs", {"query": "droits", "documents": ["A/RES/1/1"]}),
        "k too large": await client.call_tool("search_paragraphs", {"query": "droits", "k": 500}),
        "no paragraph": await client.call_tool("get_paragraph", {"document": SEED, "paragraph": "OP99"}),
        "no document": await client.call_tool("get_paragraph", {"document": "A/RES/1/1", "paragraph": "OP1"}),
        "bad body": await client.call_tool("list_documents", {"body": "UNESCO"}),
        "missing question": await client.call_tool("ask", {}),
        "too long": await client.call_tool("ask", {"question": "droits " * 400}),
        "unknown tool": await client.call_tool("delete_everything", {}),
    }
    return out


def check_exercise(out: dict) -> None:
    tools = out["tools"]
    assert set(tools) == TOOLS
    assert set(tools["search_paragraphs"].input_schema["properties"]) == {
        "query", "language", "documents", "bodies", "date_from", "date_to", "votes", "sponsors", "k"}
    assert tools["search_paragraphs"].input_schema["required"] == ["query"]
    assert set(tools["get_paragraph"].input_schema["required"]) == {"document", "paragraph"}
    assert set(tools["list_documents"].input_schema["properties"]) == {"body", "language", "query"}
    assert tools["ask"].input_schema["required"] == ["question"]
    assert all(t.annotations.read_only_hint for t in tools.values()) and all(t.description for t in tools.values())

    search = out["search"]
    assert not search.is_error
    hits = search.structured_content["results"]
    assert (hits[0]["document"], hits[0]["paragraph"]) == (SEED, "OP4") and len(hits) <= 3
    assert all({"document", "paragraph", "language", "text"} <= set(h) and h["text"] for h in hits)
    filtered = out["search_filtered"].structured_content["results"]
    assert filtered and all(h["document"].startswith("S/RES/") and h["language"] == "en" for h in filtered)

    paragraph = out["paragraph"].structured_content
    assert paragraph["paragraph"]["paragraph"] == "OP4" and "Haut-Commissaire" in paragraph["paragraph"]["text"]
    assert [p["paragraph"] for p in paragraph["before"]] == ["OP3"] and [p["paragraph"] for p in paragraph["after"]] == ["OP5"]

    documents = out["documents"].structured_content["documents"]
    assert documents and all(d["body"] == "SC" for d in documents)

    answer = out["ask"].structured_content
    assert not answer["refused"] and f"[{SEED}, OP4]" in answer["answer"]
    assert [(c["document"], c["paragraph"], c["language"]) for c in answer["citations"]][0] == (SEED, "OP4", "fr")
    assert all(c["text"] for c in answer["citations"])

    expected = {
        "empty query": "query is empty", "bad language": "ISO 639-1", "bad date": "YYYY-MM-DD",
        "unknown document": "unknown document A/RES/1/1", "k too large": "less than or equal to 50",
        "no paragraph": "has no paragraph OP99", "no document": "unknown document A/RES/1/1",
        "bad body": "body", "missing question": "question", "too long": "the limit is 2000",
        "unknown tool": "delete_everything",
    }
    for name, result in out["bad"].items():
        text = " ".join(c.text for c in result.content)
        assert result.is_error, name
        assert expected[name] in text, (name, text)


def test_every_tool_in_process(services):
    import logging

    root = logging.getLogger()
    saved = root.handlers[:]
    root.handlers[:] = []  # as in `reso serve` (pytest's own handlers would make basicConfig a no-op)
    try:
        server = build_server(services)
        assert root.handlers == []  # the SDK's basicConfig does not reach the server's log
    finally:
        root.handlers[:] = saved
    check_exercise(run_with_client(server, exercise))


def test_behind_a_proxy_the_public_address_passes_the_dns_rebinding_check():
    from reso.settings import Settings
    from reso.ui.mcp import transport_security

    local = transport_security(Settings(host="127.0.0.1"))
    assert local.enable_dns_rebinding_protection and "reso.example.org" not in local.allowed_hosts
    proxied = transport_security(Settings(host="127.0.0.1", public_url="https://reso.example.org/",
                                          allowed_origins=["https://www.example.org"]))
    assert "reso.example.org" in proxied.allowed_hosts
    assert {"https://reso.example.org", "https://www.example.org"} <= set(proxied.allowed_origins)
    assert transport_security(Settings(host="0.0.0.0")) is None  # not loopback: no Host check, as the SDK


# -- the real transports ---------------------------------------------------------------------------


def reso_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESO_")}
    return env | {"RESO_DATA_DIR": str(data_dir), "RESO_EMBEDDER": "hash", "PYTHONPATH": str(ROOT)} | extra


@pytest.mark.server
def test_reso_mcp_over_stdio(tmp_path, seed_path, fixtures_dir):
    """`reso mcp` as an assistant starts it; its index: the seed and SC 2699, ingested by `reso ingest`."""
    from mcp import StdioServerParameters

    env = reso_env(tmp_path / "data")
    files = [str(seed_path), *(str(fixtures_dir / "akn" / name) for name in SC_2699)]
    subprocess.run([sys.executable, "-m", "reso", "ingest", *files], cwd=ROOT, env=env, check=True, capture_output=True)
    params = StdioServerParameters(command=sys.executable, args=["-m", "reso", "mcp"], env=env, cwd=str(ROOT))
    check_exercise(run_with_client(params, exercise))


@pytest.mark.server
def test_mcp_over_streamable_http_on_reso_serve(tmp_path, seed_path, fixtures_dir):
    from mcp.client.streamable_http import streamable_http_client
    from test_serve import serving

    import httpx2

    env = reso_env(tmp_path / "data", RESO_API_KEY=API_KEY)
    files = [str(seed_path), *(str(fixtures_dir / "akn" / name) for name in SC_2699)]
    subprocess.run([sys.executable, "-m", "reso", "ingest", *files], cwd=ROOT, env=env, check=True, capture_output=True)
    with serving(env, tmp_path / "serve.log") as base:

        async def with_key(check, key: str):
            from mcp import Client

            async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=60) as http:
                transport = streamable_http_client(base + "/mcp", http_client=http)
                async with Client(transport) as client:
                    return await check(client)

        check_exercise(run_async(anyio.run, with_key, exercise, API_KEY))
        denied = httpx.post(base + "/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                            headers={"Authorization": "Bearer wrong", "Accept": "application/json, text/event-stream"})
        assert denied.status_code == 401 and "RESO_API_KEY" in denied.json()["error"]
        assert "/api/ask" in httpx.get(base + "/openapi.json").json()["paths"]  # the rest of the server is there


@pytest.mark.server
def test_mcp_tool_calls_share_the_rate_limit_of_the_question_routes(tmp_path, seed_path):
    """Each MCP message is its own POST: the tools that do work take from the bucket /api/ask and /v1
    take from, and a client over the limit gets an `is_error` result saying when to try again (what
    the SDK's client shows best: an HTTP 429 reaches it as a bare "Server returned an error
    response"). Lookups and the protocol's own messages are not counted."""
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client
    from test_serve import serving

    import httpx2

    env = reso_env(tmp_path / "data", RESO_RATE_LIMIT="2/minute", RESO_RATE_LIMIT_BURST="3",
                   RESO_RATE_LIMIT_EXEMPT="[]")  # loopback is exempt by default
    subprocess.run([sys.executable, "-m", "reso", "ingest", str(seed_path)], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    with serving(env, tmp_path / "serve.log") as base:
        asked = [httpx.post(base + "/api/ask", json={"question": SEED_QUESTION}, timeout=60) for _ in range(2)]
        assert [r.status_code for r in asked] == [200, 200]  # two of the three tokens

        async def calls():
            async with httpx2.AsyncClient(timeout=60) as http:
                async with Client(streamable_http_client(base + "/mcp", http_client=http)) as client:
                    out = {"tools": await client.list_tools(), "ask": await client.call_tool("ask", {"question": SEED_QUESTION})}
                    out["searches"] = [await client.call_tool("search_paragraphs", {"query": "Haut-Commissaire", "k": 1})
                                       for _ in range(100)]
                    out["paragraph"] = await client.call_tool("get_paragraph", {"document": SEED, "paragraph": "OP4"})
                    out["documents"] = await client.call_tool("list_documents", {})
                    return out

        out = run_async(anyio.run, calls)
        assert {t.name for t in out["tools"].tools} == TOOLS
        assert not out["ask"].is_error and f"[{SEED}, OP4]" in out["ask"].structured_content["answer"]  # the third token
        refused = [r for r in out["searches"] if r.is_error]
        assert len(refused) >= 98  # 2/minute: at most one more token while the hundred calls run
        text = refused[0].content[0].text
        assert "Too many questions from your address (the limit is 2/minute, 3 at once). Try again in" in text
        assert not out["paragraph"].is_error and not out["documents"].is_error  # lookups are not counted

        # the same bucket: the HTTP question routes are refused too
        r = httpx.post(base + "/api/ask", json={"question": SEED_QUESTION}, timeout=60)
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        r = httpx.post(base + "/v1/chat/completions", timeout=60,
                       json={"model": "reso", "messages": [{"role": "user", "content": SEED_QUESTION}]})
        assert r.status_code == 429 and r.json()["error"]["code"] == "rate_limit_exceeded"
