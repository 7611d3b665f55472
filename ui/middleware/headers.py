"""Security headers on every response: `X-Content-Type-Options`, `Referrer-Policy` and a
`Content-Security-Policy` (see `ui_csp`), `frame-ancestors` limited to the server itself and the
allowed origins.

Pure ASGI: the only response it reads is the Gradio page's HTML, to give its inline scripts a nonce.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Iterable, Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_HTML_LIMIT = 4 * 1024 * 1024  # the Gradio page is ~100 KB; anything larger passes through as is


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
