"""The MCP server (CONTRACTS §6): `reso mcp` over stdio, `/mcp` on `reso serve` over streamable HTTP.

Assistants that speak the Model Context Protocol (Claude Desktop, IDEs, agent frameworks) get four
read-only tools over the same `Services` the HTTP API uses:

    search_paragraphs   ranked paragraphs for a query, with the /api/ask filters
    get_paragraph       one paragraph with its neighbours and its other language versions
    list_documents      the indexed documents, narrowed by body, language or words of the title
    ask                 the answer of /api/ask (same service function, same limits), with its citations

Every result names symbol, paragraph id and language and gives the verbatim text. Bad arguments
are tool errors that say what is wrong (`is_error` with the sentence), never an empty result. The
work is synchronous and CPU-bound, so each call runs in a worker thread, off the event loop that
also serves the web UI and the API.

On `/mcp` the tools that do work (`ask`, `search_paragraphs`) take from the rate-limit buckets of
/api/ask and /v1 (RESO_RATE_LIMIT, per client address). Each MCP message is its own POST, so the
limit is applied to the tool call, not to the request: listing tools or reading a paragraph is
never refused, and a client over the limit gets a tool error (`is_error`, /api/ask's sentence with
the seconds to wait), which the MCP specification reserves for what the model should see and can
act on, rather than an HTTP 429 that the SDK's client turns into a bare "Server returned an error
response". Over stdio (`reso mcp`) there is one local client and no limit.
"""

from __future__ import annotations

import contextlib
import hmac
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, TypeVar

import anyio
from mcp.server.mcpserver import Context  # resolved by name in the tools' signatures
from pydantic import Field, ValidationError

from reso.errors import ResoError, client_message
from reso.index.model import normalise_symbol
from reso.prompts import phrase
from reso.schema import (
    AskRequest,
    Body,
    FiltersIn,
    HistoryMessage,
    IsoDate,
    LanguageCode,
    ParagraphLookup,
    SponsorName,
    VoteKind,
    answer_json,
)
from reso.ui.middleware.ratelimit import RateLimiter
from reso.ui.services import Services

MCP_PATH = "/mcp"
INSTRUCTIONS = (
    "Search and quote UN resolutions (Human Rights Council, General Assembly, Security Council) paragraph "
    "by paragraph. Cite a paragraph as [SYMBOL, PID], e.g. [A/HRC/RES/30/25, OP4], and quote its text "
    "as a tool returned it."
)
T = TypeVar("T")


def _tool_error(message: str) -> Exception:
    from mcp.server.mcpserver.exceptions import ToolError

    return ToolError(message)


async def _in_thread(func: Callable[[], T]) -> T:
    """Run the work off the event loop; what a client could have avoided becomes a tool error."""
    from fastapi import HTTPException

    def guarded() -> T:
        try:
            return func()
        except HTTPException as exc:  # the API's own checks (sizes, unknown documents), reused
            raise _tool_error(str(exc.detail)) from exc
        except ValidationError as exc:
            reasons = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'argument'}: {e['msg']}" for e in exc.errors())
            raise _tool_error(reasons) from exc
        except ResoError as exc:  # the error table's sentence, as the API and the CLI tell it
            raise _tool_error(client_message(exc)) from exc

    return await anyio.to_thread.run_sync(guarded)


def _without_logging_side_effects(build: Callable[[], T]) -> T:
    """`MCPServer()` calls `logging.basicConfig` (a rich handler on the root logger): in `reso serve`
    that would reformat every warning of the server's own log. The root logger is left as it was."""
    import logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        return build()
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def _known(services: Services) -> dict[str, str]:
    return {normalise_symbol(d.document): d.document for d in services.library.documents()}


def _hit(r: Any) -> dict[str, Any]:
    c = r.chunk
    return {"document": c.document, "paragraph": c.paragraph, "language": c.language, "text": c.text,
            "title": c.title, "kind": c.kind, "date": c.date, "score": round(float(r.score), 4)}


def _client_address(ctx: Context) -> str | None:
    """The HTTP client of this tool call (as the middleware saw it, after RESO_TRUSTED_PROXIES);
    None over stdio or in process, where there is no request."""
    request = ctx.request_context.request
    client = getattr(request, "client", None)
    return client.host if client is not None else None


def build_server(services: Services, limiter: RateLimiter | None = None):
    """An `MCPServer` whose tools close over `services`; with a `limiter`, `ask` and
    `search_paragraphs` called over HTTP take a token from it first."""
    from mcp.server.mcpserver import MCPServer
    from mcp.types import ToolAnnotations

    server = _without_logging_side_effects(
        lambda: MCPServer("reso", instructions=INSTRUCTIONS, version="0.1.0", log_level="WARNING"))
    read_only = ToolAnnotations(readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False)
    settings = services.settings

    def within_rate(ctx: Context) -> None:
        """On the event loop, like the middleware, so the shared buckets need no lock."""
        address = _client_address(ctx) if limiter is not None else None
        if address is not None and (retry := limiter.retry_after(address)):
            raise _tool_error(limiter.message(retry))

    @server.tool(annotations=read_only)
    async def search_paragraphs(
        ctx: Context,  # given by the SDK, not part of the tool's schema
        query: Annotated[str, Field(description="What to look for, in any of the six UN languages.")],
        language: Annotated[LanguageCode | None, Field(description="Only paragraphs in this language.")] = None,
        documents: Annotated[list[str] | None, Field(description="Only these documents (symbols).")] = None,
        bodies: Annotated[list[Body] | None, Field(description="Only resolutions of these bodies: HRC, GA, SC.")] = None,
        date_from: Annotated[IsoDate | None, Field(description="Adopted on or after (YYYY-MM-DD).")] = None,
        date_to: Annotated[IsoDate | None, Field(description="Adopted on or before (YYYY-MM-DD).")] = None,
        votes: Annotated[list[VoteKind] | None, Field(
            description="Only resolutions adopted so: unanimous, recorded (a recorded vote), without_vote.")] = None,
        sponsors: Annotated[list[SponsorName] | None, Field(
            description="Only resolutions sponsored by any of these, named in English as the texts print them "
                        "(case and accents ignored).")] = None,
        k: Annotated[int, Field(ge=1, le=50, description="How many paragraphs (1–50).")] = 10,
    ) -> dict[str, Any]:
        """Paragraphs of the indexed resolutions that match a query, best first, each with its symbol,
        paragraph id, language and verbatim text."""
        within_rate(ctx)

        def run() -> dict[str, Any]:
            text = AskRequest(question=query).question.strip()  # the API's door: control characters out
            if not text:
                raise _tool_error(phrase("mcp_empty", "en", name="query"))
            if len(text) > settings.max_question_chars:
                raise _tool_error(phrase("question_too_long", "en", length=str(len(text)),
                                         limit=str(settings.max_question_chars)))
            filters_in = FiltersIn(documents=documents or [], bodies=bodies or [],
                                   languages=[language] if language else [], date_from=date_from, date_to=date_to,
                                   votes=votes or [], sponsors=sponsors or [])
            known = _known(services)
            unknown = [d for d in filters_in.documents if normalise_symbol(d) not in known]
            if unknown:
                raise _tool_error(phrase("mcp_unknown_document", "en", document=", ".join(unknown)))
            # votes and sponsors become the documents they keep; none kept: nothing is in scope
            filters = services.assistant.scoped(filters_in.to_filters())
            found = services.assistant.retriever.retrieve(text, k=k, filters=filters) if filters is not None else []
            return {"query": text, "results": [_hit(r) for r in found]}

        return await _in_thread(run)

    @server.tool(annotations=read_only)
    async def get_paragraph(
        document: Annotated[str, Field(description="The symbol, e.g. A/HRC/RES/30/25.")],
        paragraph: Annotated[str, Field(description="The paragraph id: PP3, OP4, OP3(a), ANNEX1.OP2.")],
        language: Annotated[LanguageCode | None, Field(description="Preferred language version.")] = None,
        window: Annotated[int, Field(ge=0, le=10, description="Neighbouring paragraphs on each side.")] = 1,
    ) -> dict[str, Any]:
        """One paragraph, verbatim, with the paragraphs around it, its document's metadata and its
        other language versions."""

        def run() -> dict[str, Any]:
            known = _known(services)
            symbol = known.get(normalise_symbol(document.strip()))
            if symbol is None:
                raise _tool_error(phrase("mcp_unknown_document", "en", document=document[:100]))
            pid = paragraph.strip()
            view = services.library.paragraph(symbol, pid, language, window=window) if pid else None
            if view is None:
                raise _tool_error(phrase("mcp_no_paragraph", "en", document=symbol, paragraph=paragraph[:60]))
            return ParagraphLookup.of(view).model_dump()

        return await _in_thread(run)

    @server.tool(annotations=read_only)
    async def list_documents(
        body: Annotated[Body | None, Field(description="Only resolutions of this body: HRC, GA or SC.")] = None,
        language: Annotated[LanguageCode | None, Field(description="Only documents indexed in this language.")] = None,
        query: Annotated[str | None, Field(description="Only documents whose symbol or title holds these words.")] = None,
    ) -> dict[str, Any]:
        """The indexed resolutions: symbol, title, body, date, and paragraphs per language."""

        def run() -> dict[str, Any]:
            words = (query or "").lower().split()
            docs = [
                d.model_dump() for d in services.library.documents()
                if (body is None or d.body.upper() == body)
                and (language is None or language in d.languages)
                and all(w in f"{d.document} {d.title}".lower() for w in words)
            ]
            return {"documents": docs}

        return await _in_thread(run)

    @server.tool(annotations=read_only)
    async def ask(
        ctx: Context,
        question: Annotated[str, Field(description="The question, in any of the six UN languages.")],
        history: Annotated[
            list[HistoryMessage] | None,
            Field(description="Earlier turns, oldest first ({role: user|assistant, content}), for follow-ups."),
        ] = None,
    ) -> dict[str, Any]:
        """Answer a question from the indexed resolutions, citing paragraphs as [SYMBOL, PID]: the answer
        of POST /api/ask, with `citations` (symbol, paragraph id, language, verbatim text) and `refused`."""
        within_rate(ctx)
        from reso.assistant.core import Done
        from reso.ui.http import ask as ask_service

        def run() -> dict[str, Any]:
            request = AskRequest(question=question, history=history)
            for event in ask_service._events(request, services):  # the sizes checked, then Assistant.stream
                if isinstance(event, Done):
                    out = answer_json(event.answer)
                    return {k: out[k] for k in ("answer", "language", "refused", "citations", "related")}
            raise RuntimeError(phrase("api_stream_ended", "en"))

        return await _in_thread(run)

    return server


# -- on `reso serve`: /mcp over streamable HTTP --------------------------------------------------


def install(app, services: Services) -> None:
    """Mount `/mcp` on `app` (stateless streamable HTTP, so any worker can answer any request) and run
    its session manager in the app's lifespan. `RESO_API_KEY`, when set, is required as a bearer token.
    The tools share the rate limiter `reso.ui.middleware.install_rate_limit` left on `app.state`."""
    from starlette.routing import Route

    server = build_server(services, getattr(app.state, "rate_limiter", None))
    settings = services.settings
    server.streamable_http_app(streamable_http_path=MCP_PATH, stateless_http=True, json_response=True,
                               host=settings.host, transport_security=transport_security(settings))
    manager = server.session_manager
    from mcp.server.streamable_http_manager import StreamableHTTPASGIApp

    endpoint = _with_key(StreamableHTTPASGIApp(manager), settings.api_key)
    app.router.routes.append(Route(MCP_PATH, endpoint=endpoint, methods=["GET", "POST", "DELETE"]))
    previous = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(a) -> AsyncIterator[Any]:
        async with previous(a) as state, manager.run():
            yield state

    app.router.lifespan_context = lifespan


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def transport_security(settings):
    """The SDK's DNS-rebinding protection (Host and Origin checked) when listening on loopback, as it
    does by default, plus the public address: behind a reverse proxy on the same host (README,
    Deployment) requests arrive with the public Host, RESO_PUBLIC_URL's, and browsers with the
    origins of RESO_ALLOWED_ORIGINS. None (no check) when listening on other addresses, as the SDK."""
    from urllib.parse import urlsplit

    from mcp.server.transport_security import TransportSecuritySettings

    if settings.host not in LOOPBACK_HOSTS:
        return None
    hosts = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
    origins = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*", *settings.allowed_origins]
    public = urlsplit(settings.public_url or "")
    if public.scheme in ("http", "https") and public.netloc:
        hosts.append(public.netloc)
        origins.append(f"{public.scheme}://{public.netloc}")
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins)


def _with_key(asgi, secret: str | None):
    """The ASGI app behind `Authorization: Bearer <secret>` (nothing to check when unset)."""
    return _BearerKey(asgi, secret) if secret else asgi


class _BearerKey:
    """An ASGI app, not a function: Starlette's `Route` would call a function with a request."""

    def __init__(self, asgi, secret: str):
        self.asgi = asgi
        self.secret = secret.encode()

    async def __call__(self, scope, receive, send) -> None:
        from starlette.responses import JSONResponse

        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), self.secret):
            response = JSONResponse({"error": phrase("api_key_required", "en")}, status_code=401,
                                    headers={"WWW-Authenticate": "Bearer"})
            await response(scope, receive, send)
            return
        await self.asgi(scope, receive, send)
