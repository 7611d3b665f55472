"""The outermost middleware: who asks, under which request id, and one access-log line per request.

- the client's address (X-Forwarded-For / -Proto believed only from `trusted_proxies`);
- a request id (a sane incoming `X-Request-ID`, else a new one) returned in the `X-Request-ID`
  header and kept in `scope["state"]["request_id"]` for error bodies;
- one access-log line per request on the `reso.http` logger;
- a JSON 500 without a traceback for anything a route or another middleware let escape.

Pure ASGI (no `BaseHTTPMiddleware`): streamed answers pass through unbuffered.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Sequence
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reso.errors import UNEXPECTED
from reso.prompts import phrase
from reso.ui.middleware.addresses import Network, client_address, forwarded_proto

access_log = logging.getLogger("reso.http")
log = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


def request_id_of(scope: Scope) -> str | None:
    """The id `RequestContextMiddleware` gave this request (None when it is not installed)."""
    state = scope.get("state")
    return state.get("request_id") if isinstance(state, dict) else None


def json_response_messages(status: int, body: dict[str, Any], headers: Sequence[tuple[bytes, bytes]] = ()) -> list[Message]:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()), *headers]
    return [
        {"type": "http.response.start", "status": status, "headers": raw},
        {"type": "http.response.body", "body": data},
    ]



class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, trusted_proxies: Sequence[Network] = ()):
        self.app = app
        self.trusted = tuple(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        peer = (scope.get("client") or ("", 0))[0]
        client = client_address(scope, self.trusted)
        if client != peer:
            scope["client"] = (client, (scope.get("client") or ("", 0))[1])
            if (proto := forwarded_proto(scope)) is not None:
                scope["scheme"] = "https" if proto in ("https", "wss") else "http"
        incoming = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"x-request-id"), "")
        request_id = incoming if _SANE_REQUEST_ID.fullmatch(incoming) else new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != b"x-request-id"]
                headers.append((b"x-request-id", request_id.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("internal error %s on %s %s", request_id, scope.get("method"), scope.get("path"))
            if status:  # the response has started: nothing clean can be sent any more
                raise
            for message in json_response_messages(UNEXPECTED.status, {"error": phrase(UNEXPECTED.client_key or "", "en"), "request_id": request_id}):
                await send_with_id(message)
        finally:
            access_log.info(
                "%s %s %s %.1f ms id=%s client=%s",
                scope.get("method", "-"), scope.get("path", "-"), status or "-",
                (time.perf_counter() - started) * 1000, request_id, client or "-",
                extra={"request_id": request_id, "client": client, "status": status, "path": scope.get("path")},
            )
