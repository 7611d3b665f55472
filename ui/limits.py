"""What the server does to every request before and after the routes: plain ASGI middleware.

- `RequestContextMiddleware` (outermost): the client's address (X-Forwarded-For / -Proto believed
  only from `trusted_proxies`), a request id (a sane incoming `X-Request-ID`, else a new one)
  returned in the `X-Request-ID` header and kept in `scope["state"]["request_id"]` for error
  bodies, one access-log line per request on the `reso.http` logger, and a JSON 500 without a
  traceback for anything a route or another middleware let escape.
- `SecurityHeadersMiddleware`: `X-Content-Type-Options`, `Referrer-Policy` and a
  `Content-Security-Policy` on every response (see `ui_csp`), `frame-ancestors` limited to the
  server itself and the allowed origins.
- `RateLimitMiddleware` (innermost, inside CORS so a 429 still carries the CORS headers a
  widget on another site needs to read it): a token bucket per client address on the question
  routes; 429 with `Retry-After` and a JSON body.

All three are pure ASGI (no `BaseHTTPMiddleware`): streamed answers pass through unbuffered,
and the only response they read is the Gradio page's HTML, to give its inline scripts a nonce.
They run on the event loop, one request at a time, so the rate limiter's table needs no lock.

`install_rate_limit` must be called before `ui.api.install` adds CORS, `install` after it:
Starlette wraps the middleware added last around the others.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import logging
import math
import re
import secrets
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reso.settings import Settings

access_log = logging.getLogger("reso.http")
log = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
RATE_LIMITED_PATHS = frozenset({"/api/ask", "/api/ask/stream"})
MAX_TRACKED_CLIENTS = 10_000  # buckets kept; the least recently seen client is forgotten first
_PER = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600}
_HTML_LIMIT = 4 * 1024 * 1024  # the Gradio page is ~100 KB; anything larger passes through as is


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


# -- addresses ------------------------------------------------------------------------------------

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str], setting: str) -> tuple[Network, ...]:
    """'10.0.0.0/8', '127.0.0.1', '::1' → networks; a typo stops the server with the setting's name."""
    out = []
    for value in values:
        try:
            out.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{setting}: {value!r} is not an IP address or network (e.g. 10.0.0.0/8)") from None
    return tuple(out)


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None
    mapped = getattr(ip, "ipv4_mapped", None)
    return mapped or ip


def _within(ip: Any, networks: Sequence[Network]) -> bool:
    return ip is not None and any(ip.version == n.version and ip in n for n in networks)


def client_address(scope: Scope, trusted: Sequence[Network]) -> str:
    """The connecting address, or — when it is a trusted proxy — the first untrusted address of
    X-Forwarded-For read from the right (the left part is whatever the client chose to send)."""
    peer = (scope.get("client") or ("", 0))[0] or ""
    if not trusted or not _within(_ip(peer), trusted):
        return peer
    forwarded = [
        v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"x-forwarded-for"
    ]
    hops = [h.strip() for h in ",".join(forwarded).split(",") if h.strip()]
    for hop in reversed(hops):
        ip = _ip(hop)
        if ip is None:
            return peer  # a malformed chain: believe nothing in it
        if not _within(ip, trusted):
            return str(ip)
    return str(_ip(hops[0])) if hops else peer


def _forwarded_proto(scope: Scope) -> str | None:
    for k, v in scope.get("headers", ()):
        if k == b"x-forwarded-proto":
            proto = v.decode("latin-1").split(",")[0].strip().lower()
            if proto in ("http", "https", "ws", "wss"):
                return proto
    return None


# -- request id, access log, last-resort 500 ------------------------------------------------------


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
            if (proto := _forwarded_proto(scope)) is not None:
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
            for message in json_response_messages(500, {"error": "internal error", "request_id": request_id}):
                await send_with_id(message)
        finally:
            access_log.info(
                "%s %s %s %.1f ms id=%s client=%s",
                scope.get("method", "-"), scope.get("path", "-"), status or "-",
                (time.perf_counter() - started) * 1000, request_id, client or "-",
                extra={"request_id": request_id, "client": client, "status": status, "path": scope.get("path")},
            )


# -- security headers -------------------------------------------------------------------------------


def frame_ancestors(allowed_origins: Iterable[str]) -> str:
    origins = [o for o in allowed_origins if re.fullmatch(r"https?://[^\s;,']+", o)]
    return " ".join(["'self'", *origins])


def ui_csp(nonce: str, allowed_origins: Iterable[str]) -> str:
    """The policy of the Gradio UI's pages, as tight as Gradio 6 allows.

    - scripts: this origin, plus the page's own inline scripts by nonce (Gradio writes its config
      into inline <script>s); no inline event handlers, so markup injected into the page cannot run.
      'unsafe-eval' remains because Gradio's HTML component runs `js_on_load` (our ui/static/reso.js,
      the citation clicks) through `Function(...)`.
    - styles: 'unsafe-inline', because Svelte writes style attributes and Gradio injects <style>s.
    - everything else from this origin only (data:/blob: for images, fonts and media Gradio makes in
      the page); no plugins, no <base> or form posts elsewhere, framed only by the allowed origins.
    """
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}' 'unsafe-eval'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "media-src 'self' data: blob:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors(allowed_origins)}",
        ]
    )


def api_csp() -> str:
    """Responses that are data, not pages: nothing may load or run in them, nobody frames them."""
    return "default-src 'none'; frame-ancestors 'none'"


_SCRIPT_TAG = re.compile(rb"<script(?=[\s>])", re.IGNORECASE)
_DOCS_PATHS = ("/docs", "/redoc")  # FastAPI's API explorer loads Swagger UI / ReDoc from a CDN


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, allowed_origins: Sequence[str] = (), ui_pages: Iterable[str] = ("/",)):
        self.app = app
        self.allowed = tuple(allowed_origins)
        self.ui_pages = frozenset(ui_pages)
        self.ancestors = frame_ancestors(self.allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        # only the UI's own page gets its inline scripts trusted, never other HTML served here
        page_with_scripts = path in self.ui_pages and scope.get("method") == "GET"
        held: Message | None = None  # the start of the UI page, until its body is read
        body = bytearray()

        async def secure(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                names = {k.lower() for k, _ in headers}
                extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]
                headers += [(k, v) for k, v in extra if k not in names]
                if not self.allowed and b"x-frame-options" not in names:
                    headers.append((b"x-frame-options", b"SAMEORIGIN"))  # older browsers; CSP says it too
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                message = {**message, "headers": headers}
                if b"content-security-policy" in names:
                    pass  # a route that chose its own policy (the widget demo page) keeps it
                elif path.startswith(_DOCS_PATHS):
                    headers.append((b"content-security-policy", f"frame-ancestors {self.ancestors}".encode()))
                elif content_type.startswith(b"text/html") and page_with_scripts and message["status"] == 200:
                    held = message  # the policy needs a nonce written into the page's scripts
                    return
                elif content_type.startswith(b"text/html"):
                    headers.append((b"content-security-policy", ui_csp(secrets.token_urlsafe(16), self.allowed).encode()))
                else:
                    headers.append((b"content-security-policy", api_csp().encode()))
                await send(message)
                return
            if held is not None and message["type"] == "http.response.body":
                body.extend(message.get("body", b""))
                if message.get("more_body") and len(body) <= _HTML_LIMIT:
                    return
                await self._send_page(held, bytes(body), bool(message.get("more_body")), send)
                held = None
                return
            await send(message)

        await self.app(scope, receive, secure)

    async def _send_page(self, start: Message, page: bytes, more: bool, send: Send) -> None:
        nonce = base64.b64encode(secrets.token_bytes(16)).decode()
        if not more:
            page = _SCRIPT_TAG.sub(b'<script nonce="' + nonce.encode() + b'"', page)
        headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
        if not more:
            headers.append((b"content-length", str(len(page)).encode()))
        headers.append((b"content-security-policy", ui_csp(nonce, self.allowed).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": page, "more_body": more})


# -- rate limit ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    per_second: float
    burst: int
    text: str  # as configured, for the error message

    @classmethod
    def parse(cls, value: str, burst: int) -> Rate | None:
        """'30/minute' → 0.5 token/s; '0', 'off', 'none' or '' → None (no limit)."""
        text = (value or "").strip().lower()
        if text in ("", "0", "off", "none"):
            return None
        match = re.fullmatch(r"(\d+)\s*/\s*([a-z]+)", text)
        if not match or match.group(2) not in _PER:
            raise ValueError(f"RESO_RATE_LIMIT: {value!r} is not like '30/minute' (or 'off')")
        count = int(match.group(1))
        if count == 0:
            return None
        return cls(count / _PER[match.group(2)], max(1, burst), f"{count}/{match.group(2)}")


class TokenBuckets:
    """One bucket per client key, holding at most `burst` tokens, refilled at the rate.

    Bounded: past `max_clients` keys the least recently seen is dropped (a forgotten client starts
    with a full bucket again, which is what an idle one would have anyway).
    """

    def __init__(self, rate: Rate, max_clients: int = MAX_TRACKED_CLIENTS, clock=time.monotonic):
        self.rate = rate
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key → (tokens, at)

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, key: str) -> float:
        """0 when a token was taken; else the seconds until one will be there."""
        now = self.clock()
        tokens, at = self._buckets.pop(key, (float(self.rate.burst), now))
        tokens = min(float(self.rate.burst), tokens + (now - at) * self.rate.per_second)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate.per_second
        self._buckets[key] = (tokens, now)  # re-inserted last: the most recently seen
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return wait


def client_key(address: str) -> str:
    """IPv6 clients are keyed by their /64: one host usually holds a whole /64 to rotate through."""
    ip = _ip(address)
    if ip is not None and ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip) if ip is not None else address


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, rate: Rate, exempt: Sequence[Network] = (), paths: Iterable[str] = RATE_LIMITED_PATHS,
                 max_clients: int = MAX_TRACKED_CLIENTS):
        self.app = app
        self.rate = rate
        self.buckets = TokenBuckets(rate, max_clients)
        self.exempt = tuple(exempt)
        self.paths = frozenset(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or scope.get("path") not in self.paths:
            await self.app(scope, receive, send)
            return
        address = (scope.get("client") or ("", 0))[0] or ""
        if not _within(_ip(address), self.exempt):
            wait = self.buckets.take(client_key(address))
            if wait > 0:
                retry = max(1, math.ceil(wait))
                body = {
                    "error": f"Too many questions from your address (the limit is {self.rate.text}, "
                    f"{self.rate.burst} at once). Try again in {retry} s.",
                    "retry_after": retry,
                }
                if (request_id := request_id_of(scope)) is not None:
                    body["request_id"] = request_id
                for message in json_response_messages(429, body, [(b"retry-after", str(retry).encode())]):
                    await send(message)
                return
        await self.app(scope, receive, send)


# -- installation -----------------------------------------------------------------------------------


def install_rate_limit(app, settings: Settings) -> None:
    """Before `ui.api.install`: the limiter then sits inside CORS."""
    rate = Rate.parse(settings.rate_limit, settings.rate_limit_burst)
    if rate is not None:
        exempt = parse_networks(settings.rate_limit_exempt, "RESO_RATE_LIMIT_EXEMPT")
        app.add_middleware(RateLimitMiddleware, rate=rate, exempt=exempt)


def install(app, settings: Settings) -> None:
    """After every other middleware: request ids, the access log and security headers wrap them all."""
    app.add_middleware(SecurityHeadersMiddleware, allowed_origins=list(settings.allowed_origins))
    trusted = parse_networks(settings.trusted_proxies, "RESO_TRUSTED_PROXIES")
    app.add_middleware(RequestContextMiddleware, trusted_proxies=trusted)
