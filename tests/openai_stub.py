"""A scripted OpenAI-compatible chat server on 127.0.0.1, for tests of the real client path.

A mocked client would test the mock. This is a real HTTP server, so a test exercises what users
run — langchain-openai, the openai SDK, httpx, SSE parsing, retries and timeouts — without any
network beyond loopback. It speaks just enough of the API: POST /v1/chat/completions (plain JSON,
or SSE `chat.completion.chunk`s ending with `data: [DONE]` when `stream` is set) and
GET /v1/models. Every request body is recorded so a test can check what the client sent.

    with OpenAIStub(reply="Le Conseil prie … [A/HRC/RES/30/25, OP4]") as stub:
        settings = Settings(generator="llm", llm_base_url=stub.base_url, llm_model=stub.model)

A stuck model comes in two kinds: `delay` holds the whole response back (a server busy before it
answers), `stall_after=N` sends the headers and N stream chunks, then goes silent with the
connection left open (a server that hangs mid-answer; N=0: headers only).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = str | Callable[[dict[str, Any]], str]


def _pieces(text: str) -> list[str]:
    """Word-sized deltas, spaces kept, the way a model streams tokens."""
    return re.findall(r"\s*\S+|\s+$", text) or [""]


@dataclass
class OpenAIStub:
    reply: Reply = "OK"
    model: str = "stub-model"
    delay: float = 0.0  # seconds before answering: longer than the client's timeout = a stuck server
    status: int = 200  # anything else: an OpenAI-style error body with this status
    stall_after: int | None = None  # chunks sent before going silent, connection open; None: no stall
    error_message: str = "scripted failure"
    requests: list[dict[str, Any]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)
    _closing: threading.Event = field(default_factory=threading.Event, repr=False)

    # -- life cycle ------------------------------------------------------------------------------
    def start(self) -> OpenAIStub:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="openai-stub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing.set()  # releases handlers waiting out a delay
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> OpenAIStub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the stub first"
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # -- what was sent ---------------------------------------------------------------------------
    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        return [r["body"] for r in self.requests if r["path"].endswith("/chat/completions")]

    def messages(self, role: str, index: int = -1) -> list[str]:
        """The contents of one role's messages in a chat request (the last one by default)."""
        return [_text(m.get("content")) for m in self.chat_requests[index]["messages"] if m.get("role") == role]

    # -- what is answered ------------------------------------------------------------------------
    def answer_for(self, body: dict[str, Any]) -> str:
        return self.reply(body) if callable(self.reply) else self.reply

    def wait(self) -> bool:
        """Wait out the delay; False when the stub is closing and nothing should be sent."""
        return not (self.delay and self._closing.wait(self.delay))


def _text(content: Any) -> str:
    """Message content as text, whether sent as a string or as content parts."""
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content or ""


def _usage(completion_tokens: int) -> dict[str, int]:
    return {"prompt_tokens": 10, "completion_tokens": completion_tokens, "total_tokens": 10 + completion_tokens}


def _completion(stub: OpenAIStub, text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": stub.model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": _usage(len(_pieces(text))),
    }


def _chunks(stub: OpenAIStub, text: str, usage: bool) -> list[dict[str, Any]]:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": "chatcmpl-stub",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": stub.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    out = [chunk({"role": "assistant", "content": ""})]
    out += [chunk({"content": piece}) for piece in _pieces(text)]
    out.append(chunk({}, "stop"))
    if usage:
        out.append({**chunk({}), "choices": [], "usage": _usage(len(_pieces(text)))})
    return out


def _handler_for(stub: OpenAIStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

        def _send_json(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/models"):
                model = {"id": stub.model, "object": "model", "owned_by": "stub"}
                self._send_json(200, {"object": "list", "data": [model]})
            else:
                self._send_json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except json.JSONDecodeError:
                self._send_json(400, {"error": {"message": "body is not JSON", "type": "invalid_request_error"}})
                return
            headers = {k.lower(): v for k, v in self.headers.items()}  # HTTP names are case-blind
            stub.requests.append({"path": self.path, "headers": headers, "body": body})
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._send_json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                return
            if not stub.wait():
                return
            try:
                self._answer(body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (its timeout)
                pass

        def _answer(self, body: dict[str, Any]) -> None:
            if stub.status != 200:
                error = {"message": stub.error_message, "type": "invalid_request_error", "code": None}
                self._send_json(stub.status, {"error": error})
                return
            text = stub.answer_for(body)
            if not body.get("stream"):
                if stub.stall_after is not None:  # headers promise a body that never comes
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    self.wfile.flush()
                    stub._closing.wait()
                    return
                self._send_json(200, _completion(stub, text))
                return
            usage = bool((body.get("stream_options") or {}).get("include_usage"))
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()  # HTTP/1.0: the body ends when the connection closes
            self.wfile.flush()
            for i, event in enumerate(_chunks(stub, text, usage)):
                if stub.stall_after is not None and i >= stub.stall_after:
                    stub._closing.wait()  # silent, the connection open, until the stub stops
                    return
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

    return Handler
