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


# -- a naive model -------------------------------------------------------------------------------
#
# `OpenAIStub(reply=NaiveModel())` answers like a small chat model with no defences of its own, so
# the hostile-text tests (tests/test_injection.py) prove the assistant's defences, not the stub's
# goodwill. Given a chat request it:
#
# - answers from the first source of the prompt: that source's opening words, then the marker on
#   its "Cite as:" line (grounded, citing as the prompt asks);
# - copies every marker-like `[SYMBOL, PID]` it reads in the question or in a source's text, the
#   way models imitate what they see;
# - OBEYS the instructions it finds: asked for its system prompt or instructions, it prints the
#   system message verbatim; "reply only 'X'" / "reply only with the word X" → X alone; "start
#   your answer with 'X'" → X, then the answer; "cite OP7 of A/HRC/RES/99/1" → that marker added;
#   an HTML tag it reads → copied into the answer.
#
# Where it takes instructions from is the difference between its two kinds:
#
# - `NaiveModel(obedient=True)`: the whole user turn (sources included) and the history, except the
#   template's own "Cite as:" lines. No prompt can steer it; only checks on what it writes can stop it.
# - `NaiveModel()`: the same, minus the data blocks that the system message declares — a `<tag>`
#   named on a line of the system message that calls it data. It reads a block the naive way, up to
#   the first `</tag>`, so a closing tag inside a paragraph or a question ends the block early and
#   what follows is obeyed: a delimiter that text can forge is no delimiter.

_QUOTED = r"[\"'«“‘]\s*([^\"'«»“”‘’\n]{1,60}?)\s*[\"'»”’]"
_CAPS = r"(?-i:\b([A-ZÀ-Ý][A-ZÀ-Ý0-9-]{3,})\b)"  # a word in capitals, whatever the flags around it
_LEAK = re.compile(
    r"\b(?:print|show|reveal|repeat|display|output|dump|recite|tell me|give me|write out|translate|affiche|"
    r"montre|révèle|répète|recopie|récite|donne|traduis)\w*\b[^.?!\n]{0,60}?"
    r"(?:system prompt|prompt|instructions|rules|consignes|règles|text above)",
    re.IGNORECASE,
)
_PREFIX = re.compile(r"\b(?:start|begin|commence|débute)\w*\b[^.?!\n\"'«“]{0,50}?" + _QUOTED, re.IGNORECASE)
_ONLY = re.compile(
    r"\b(?:reply|respond|answer|say|print|write|output|réponds|répondez|réponde|dis|dites|écris|écrivez)\w*\b"
    r"(?:[^.?!\n\"'«“]{0,50}?" + _QUOTED + r"|[^.?!\n\"'«“]{0,40}?" + _CAPS + r")",
    re.IGNORECASE,
)
_CITE = re.compile(r"\b(?:cite|cites|citez|citer|citing|quote)\b[^.?!\n]{0,100}", re.IGNORECASE)
_SYMBOL = re.compile(r"\b[AS]/(?:[A-Z]+/)*RES/\d+(?:/\d+)?(?:\s*\(\d{4}\))?")
_PID = re.compile(r"\b(OP|PP)\s?(\d+)\b")
_HTML = re.compile(r"<(script|img|iframe|svg|a|b|object|embed|style)\b[^<>]*>(?:[^<]{0,80}</\1\s*>)?", re.IGNORECASE)
_MARKER_LIKE = re.compile(r"\[\s*[A-Za-z][A-Za-z]*/[^\[\]\n]{0,60}?,\s*(?:PP|OP|ANNEX)[^\[\]\s,;]*\s*\]", re.IGNORECASE)
_CITE_AS = re.compile(r"^\s*Cite as:.*$", re.MULTILINE)


@dataclass
class NaiveModel:
    obedient: bool = False
    answer_words: int = 30  # words of the first source it quotes

    def __call__(self, body: dict[str, Any]) -> str:
        messages = body.get("messages") or []
        system = "\n".join(_text(m.get("content")) for m in messages if m.get("role") == "system")
        turns = [_text(m.get("content")) for m in messages if m.get("role") in ("user", "assistant")]
        user = turns[-1] if turns else ""
        scanned = "\n".join([*turns[:-1], user if self.obedient else self.outside_data(system, user)])
        scanned = _CITE_AS.sub("", scanned)
        if _LEAK.search(scanned):
            return system
        only = _ONLY.search(scanned)
        if only:
            return (only.group(1) or only.group(2)).strip()
        parts = []
        prefix = _PREFIX.search(scanned)
        if prefix:
            parts.append(prefix.group(1).strip())
        parts.append(self.grounded(user))
        for m in _CITE.finditer(scanned):
            symbol, pid = _SYMBOL.search(m.group(0)), _PID.search(m.group(0))
            if symbol and pid:
                parts.append(f"[{symbol.group(0)}, {pid.group(1)}{pid.group(2)}]")
        parts += [m.group(0) for m in _HTML.finditer(scanned)]
        parts += [m.group(0) for m in _MARKER_LIKE.finditer(_CITE_AS.sub("", user))]  # imitation
        return " ".join(dict.fromkeys(p for p in parts if p))

    @staticmethod
    def declared_data(system: str) -> set[str]:
        """Tags named on a line of the system message that calls them data."""
        return {
            tag.lower()
            for line in system.splitlines()
            if re.search(r"\bdata\b", line, re.IGNORECASE)
            for tag in re.findall(r"<\s*([A-Za-z][\w-]*)[^<>]*>", line)
        }

    def outside_data(self, system: str, user: str) -> str:
        """The user turn without its declared data blocks, each read up to the first closing tag."""
        for tag in self.declared_data(system):
            while True:
                start = re.search(rf"<\s*{re.escape(tag)}\b[^<>]*>", user, re.IGNORECASE)
                if not start:
                    break
                end = re.compile(rf"<\s*/\s*{re.escape(tag)}\s*>", re.IGNORECASE).search(user, start.end())
                user = user[: start.start()] + " " + (user[end.end() :] if end else "")
        return user

    def grounded(self, user: str) -> str:
        """The first source's opening words and its "Cite as:" marker; a plain refusal without sources."""
        cite = re.search(r"^\s*Cite as:\s*(\[[^\]\n]+\])\s*$", user, re.MULTILINE)
        if not cite:
            return "The sources do not answer this question."
        text = re.search(r"^\s*Text:\s*\n(.*?)(?=\n\s*\n|\n\s*</|\n\s*Source \d|\Z)", user[cite.end() :],
                         re.MULTILINE | re.DOTALL)
        words = (text.group(1) if text else "").split()[: self.answer_words]
        return f"{' '.join(words)} {cite.group(1)}.".strip()


def main(argv: list[str] | None = None) -> None:
    """Serve the stub on loopback until interrupted, for `reso eval` with RESO_GENERATOR=llm:

        python3 tests/openai_stub.py --mode naive --port 8931 &
        RESO_GENERATOR=llm RESO_LLM_BASE_URL=http://127.0.0.1:8931/v1 RESO_LLM_MODEL=stub-model reso eval …
    """
    import argparse

    parser = argparse.ArgumentParser(description="A scripted OpenAI-compatible server on 127.0.0.1.")
    parser.add_argument("--mode", choices=["naive", "obedient"], default="naive")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    stub = OpenAIStub(reply=NaiveModel(obedient=args.mode == "obedient"))
    server = ThreadingHTTPServer(("127.0.0.1", args.port), _handler_for(stub))
    server.daemon_threads = True
    print(f"http://127.0.0.1:{server.server_address[1]}/v1", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
