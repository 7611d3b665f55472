"""The HTTP API (CONTRACTS §5), one module per feature: `install(app, services)` adds CORS and the
`/api` routes.

    ask.py       POST /api/ask, POST /api/ask/stream        (the answer, whole or streamed)
    library.py   GET /api/documents, /api/paragraph, /api/health
    related.py   GET /api/related                            (cites, cited by, series: CONTRACTS §7)
    compare.py   GET /api/compare                            (two documents aligned, CONTRACTS §7)
    admin.py     POST /api/admin/ingest                      (behind RESO_ADMIN_KEY)
    routing.py   the route class every route shares: guard, body limit, the one error handler
    stream.py    the SSE bridge from the assistant's events

Every route is thin: it validates what the client sent (the models of `reso.schema`), calls the
same `Assistant` and `Library` the CLI uses, and answers with a model of `reso.schema`. Any other
path under `/api/` gets a JSON 404, and a known path with the wrong method a JSON 405, instead of
falling through to the Gradio app mounted at "/".
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Match

from reso.prompts import phrase
from reso.ui.http import admin, ask, compare, library, related
from reso.ui.http.routing import api_route_class, error_json, request_id
from reso.ui.services import Services

PREFIX = "/api"
# What a page of an allowed origin may send: a JSON body, and the RESO_API_KEY bearer of /v1 and /mcp
# (a chat front-end in the browser). Never the admin key: X-Admin-Key stays same-origin.
# OpenAI's SDKs (the JavaScript one with `dangerouslyAllowBrowser`) add their own headers to every
# request: a preflight that does not allow each of them fails the whole call in the browser.
OPENAI_SDK_HEADERS = [
    "X-Stainless-Lang", "X-Stainless-Package-Version", "X-Stainless-OS", "X-Stainless-Arch",
    "X-Stainless-Runtime", "X-Stainless-Runtime-Version", "X-Stainless-Retry-Count", "X-Stainless-Timeout",
    "X-Stainless-Read-Timeout", "X-Stainless-Async", "OpenAI-Organization", "OpenAI-Project", "Idempotency-Key",
]
CORS_REQUEST_HEADERS = ["Content-Type", "Authorization", *OPENAI_SDK_HEADERS]
# What it may read besides the simple headers: when to retry a 429, and the id to quote in a report
# (the OpenAI SDKs read both).
CORS_EXPOSED_HEADERS = ["Retry-After", "X-Request-ID"]


def install(app: FastAPI, services: Services) -> None:
    """Add CORS and the `/api` routes to `app`; the routes close over `services`."""
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(services.settings.allowed_origins),  # the allow-list as configured, never "*"
        allow_methods=["GET", "POST"],
        allow_headers=CORS_REQUEST_HEADERS,
        expose_headers=CORS_EXPOSED_HEADERS,
    )
    public = APIRouter(prefix=PREFIX, tags=["api"], route_class=api_route_class(services.settings.max_body_bytes))
    ask.routes(public, services)
    library.routes(public, services)
    related.routes(public, services)
    compare.routes(public, services)
    private = APIRouter(
        prefix=PREFIX, tags=["admin"], route_class=api_route_class(admin.MAX_UPLOAD_BYTES, admin.admin_guard(services))
    )
    admin.routes(private, services)
    app.include_router(public)
    app.include_router(private)
    _install_fallback(app, [*public.routes, *private.routes])


def _install_fallback(app: FastAPI, routes: Sequence[BaseRoute]) -> None:
    """The rest of `/api/...`: 405 with `Allow` for a known path, else 404, both in the error shape."""

    async def fallback(request: Request, path: str):
        allowed = sorted(
            {m for r in routes if isinstance(r, APIRoute) and r.matches(request.scope)[0] == Match.PARTIAL
             for m in r.methods or ()}
        )
        rid = request_id(request)
        if allowed:
            message = phrase("api_wrong_method", "en", method=request.method, path=request.url.path,
                             allowed=", ".join(allowed))
            return error_json(405, message, headers={"Allow": ", ".join(allowed)}, request_id=rid)
        return error_json(404, phrase("api_no_route", "en", path=request.url.path), request_id=rid)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    app.add_api_route(PREFIX + "/{path:path}", fallback, methods=methods, include_in_schema=False)
