"""The HTTP API (CONTRACTS §5): `install(app, services)` adds the `/api` routes and CORS.

Every route is thin: it validates what the client sent, calls the same `Assistant` and
`Library` the CLI uses, and turns the result into JSON. Two choices shape the module:

- Errors are handled by the routes' own class (`_api_route_class`), not by app-wide exception
  handlers, so the API's JSON error bodies (`{"error": "...", ...}`) never change how the Gradio
  app mounted next to it reports its own errors, and an unexpected exception in a route becomes
  a 500 with a request id instead of a traceback.
- The assistant is synchronous and CPU-bound, so the routes that call it are plain `def`s
  (FastAPI runs them in its threadpool) and the answer stream is a sync iterator that Starlette
  also drives from the threadpool: the event loop keeps serving other clients meanwhile.
"""

from __future__ import annotations

import asyncio
import hmac
import itertools
import json
import logging
import re
import tempfile
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, File, HTTPException, Query, Request, Security, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.routing import APIRoute
from fastapi.security import APIKeyHeader
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, StringConstraints, model_validator
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Message as AsgiMessage
from starlette.types import Receive

from reso.assistant.core import Assistant, Delta, Done, Event, InvalidQuestion, Sources
from reso.assistant.generators import GenerationError
from reso.assistant.models import Filters, Message
from reso.errors import ResoError
from reso.index.model import normalise_symbol
from reso.index.store import StoreUnavailable
from reso.ui.limits import new_request_id, request_id_of
from reso.ui.services import Services

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # admin uploads: a few resolutions as PDF/DOCX
MAX_UPLOAD_FILES = 50
ADMIN_HEADER = "X-Admin-Key"

# -- request and response models (they are the API's documentation at /openapi.json) ------------

BodyCode = Literal["HRC", "GA", "SC"]


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _iso_date(value: str) -> str:
    """Dates are compared as YYYYMMDD integers downstream, so only real ISO dates may pass."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date written YYYY-MM-DD (e.g. 2023-10-12)") from None
    return value


def _iso_language(value: str) -> str:
    if not re.fullmatch(r"[a-z]{2}", value):
        raise ValueError(f"{value!r} is not an ISO 639-1 language code (two letters, e.g. en, fr)")
    return value


LanguageCode = Annotated[
    str,
    BeforeValidator(_lower),
    AfterValidator(_iso_language),
    Field(description="ISO 639-1 code, e.g. en, fr, es, ar, zh, ru", examples=["fr"]),
]
Body = Annotated[BodyCode, BeforeValidator(_upper), Field(description="HRC, GA or SC")]
IsoDate = Annotated[str, AfterValidator(_iso_date), Field(description="YYYY-MM-DD", examples=["2015-10-01"])]
Symbol = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class HistoryMessage(BaseModel):
    role: Literal["user", "assistant"]
    content: str = Field(description="At most RESO_MAX_HISTORY_CHARS characters (default 10,000).")


class FiltersIn(BaseModel):
    """Narrow the search; every list empty (the default) means no restriction."""

    documents: list[Symbol] = Field(default_factory=list, max_length=100, examples=[["A/HRC/RES/30/25"]])
    bodies: list[Body] = Field(default_factory=list, examples=[["HRC"]])
    languages: list[LanguageCode] = Field(default_factory=list, examples=[["fr"]])
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None

    @model_validator(mode="after")
    def _ordered(self) -> FiltersIn:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"date_from ({self.date_from}) is after date_to ({self.date_to})")
        return self

    def to_filters(self) -> Filters:
        return Filters(
            documents=tuple(self.documents),
            bodies=tuple(dict.fromkeys(self.bodies)),
            languages=tuple(dict.fromkeys(self.languages)),
            date_from=self.date_from,
            date_to=self.date_to,
        )


class AskRequest(BaseModel):
    question: str = Field(
        description="The question, at most RESO_MAX_QUESTION_CHARS characters (default 2000).",
        examples=["Que demande le Conseil au Haut-Commissaire d'organiser ?"],
    )
    history: list[HistoryMessage] | None = Field(
        default=None,
        description="Earlier turns, oldest first, for follow-up questions; at most RESO_MAX_HISTORY_ITEMS "
        "(default 50).",
    )
    filters: FiltersIn | None = None
    language: LanguageCode | None = Field(default=None, description="Answer language; default: the question's.")


class CitationOut(BaseModel):
    document: str
    paragraph: str
    language: str
    text: str
    title: str


class AskResponse(BaseModel):
    answer: str = Field(description="The answer; each marker [SYMBOL, PID] names an entry of `citations`.")
    language: str
    refused: bool = Field(description="True when the indexed resolutions do not answer the question.")
    citations: list[CitationOut]
    related: list[CitationOut] = Field(description="Possibly related paragraphs of a refusal; never sources.")
    removed_citations: list[str] = Field(description="Markers the generator wrote that were not retrieved.")
    timings_ms: dict[str, float]


class DocumentOut(BaseModel):
    """One entry of `reso documents --json` (CONTRACTS §2)."""

    document: str
    languages: list[str]
    paragraphs: dict[str, int]
    title: str
    body: str
    date: str


class ParagraphOut(BaseModel):
    document: str
    paragraph: str
    language: str
    kind: str
    text: str
    title: str


class DocumentMeta(BaseModel):
    """The document's metadata in the language shown (the server's file path is not exposed)."""

    document: str
    language: str
    title: str
    body: str
    date: str
    session: str
    paragraphs: int
    vote: str
    meta: dict[str, Any]


class ParagraphLookup(BaseModel):
    paragraph: ParagraphOut
    document: DocumentMeta | None
    before: list[ParagraphOut] = Field(description="The preceding paragraphs, nearest last.")
    after: list[ParagraphOut] = Field(description="The following paragraphs, nearest first.")
    languages: list[str] = Field(description="Every language this paragraph is indexed in.")
    versions: dict[str, ParagraphOut] = Field(description="The same paragraph in the other languages.")


class Health(BaseModel):
    status: Literal["ok"]
    documents: int
    paragraphs: int = Field(description="Indexed chunks: paragraphs × language versions.")
    embedder: str
    generator: str


class SkippedOut(BaseModel):
    path: str
    reason: str


class IngestReportOut(BaseModel):
    files: int
    documents: int
    language_versions: int
    paragraphs: int
    added: int
    updated: int
    removed: int
    unchanged: int
    embedded: int
    skipped: list[SkippedOut]


class ErrorBody(BaseModel):
    error: str = Field(description="What is wrong, in a sentence.")
    details: list[dict[str, Any]] | None = None
    request_id: str | None = None


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorBody} for code in codes}


# -- error handling ------------------------------------------------------------------------------


def _error(status: int, message: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body = {"error": message, **{k: v for k, v in extra.items() if v is not None}}
    return JSONResponse(body, status_code=status, headers=headers)


def _request_id(request: Request | None = None) -> str:
    """The id the request context middleware gave this request; a new one without it."""
    return (request_id_of(request.scope) if request is not None else None) or new_request_id()


def _where(loc: Sequence[Any]) -> str:
    """("body", "filters", "bodies", 0) → "filters.bodies[0]": the field as the client wrote it."""
    kind, *rest = loc if loc else ("body",)
    path = ""
    for part in rest:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    if kind in ("query", "header", "path") and path:
        return f"{kind} parameter {path!r}"
    return path


def _sentence(error: dict[str, Any]) -> str:
    if error.get("type") == "json_invalid":
        reason = (error.get("ctx") or {}).get("error", "decode error")
        return f"the request body is not valid JSON ({reason} at character {error['loc'][-1]})"
    where = _where(error.get("loc", ()))
    msg = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    if not where:
        if error.get("type") == "missing":
            return 'the request body is missing: send a JSON object such as {"question": "..."}'
        return f"the request body is wrong: {msg[:1].lower()}{msg[1:]}"
    return f"{where}: {msg[:1].lower()}{msg[1:]}"


def validation_error_body(exc: RequestValidationError) -> dict[str, Any]:
    """One human sentence first, then the machine-readable list (without echoing the input back)."""
    errors = list(exc.errors())
    sentences = list(dict.fromkeys(_sentence(e) for e in errors)) or ["the request is invalid"]
    details = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in errors]
    return {"error": "Invalid request: " + "; ".join(sentences) + ".", "details": details}


def error_response(exc: Exception, request: Request) -> JSONResponse:
    """Map anything a route raised to the status and JSON body a client can act on.

    Every error body carries the request's id (also in the X-Request-ID header), so a user's
    report can be matched with the server's log line.
    """
    request_id = _request_id(request)
    if isinstance(exc, RequestValidationError):
        return JSONResponse(validation_error_body(exc) | {"request_id": request_id}, status_code=422)
    if isinstance(exc, StarletteHTTPException):
        return _error(exc.status_code, str(exc.detail), headers=exc.headers, request_id=request_id)
    if isinstance(exc, InvalidQuestion):
        return _error(422, str(exc), request_id=request_id)
    if isinstance(exc, StoreUnavailable):
        log.warning("index server unreachable (%s) on %s %s [%s]", exc.__cause__ or exc, request.method,
                    request.url.path, request_id)
        return _error(503, str(exc), headers={"Retry-After": "5"}, request_id=request_id)
    if isinstance(exc, GenerationError):
        # 504 when the model was too slow, 502 when it failed otherwise
        return _error(getattr(exc, "http_status", 502), str(exc), request_id=request_id)
    if isinstance(exc, ResoError):
        return _error(503, str(exc), request_id=request_id)
    log.exception("internal error %s on %s %s", request_id, request.method, request.url.path)
    return _error(500, "internal error", request_id=request_id)


def _counting_receive(receive: Receive, limit: int) -> Receive:
    """Enforce the body limit while the body arrives, for clients that send no Content-Length."""
    seen = 0

    async def counted() -> AsgiMessage:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                # an HTTPException is re-raised as-is by FastAPI's body parsing (anything else becomes a 400)
                raise HTTPException(413, _too_large(limit))
        return message

    return counted


def _too_large(limit: int) -> str:
    return f"The request body is larger than the limit of {limit // 1024} KB."


def _check_declared_length(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, _too_large(limit))


Guard = Callable[[Request], None]


def _api_route_class(max_body: int, guard: Guard | None = None) -> type[APIRoute]:
    """Routes that check access, then the body size, then turn every exception into JSON.

    The guard runs before the body is read, so a client without the admin key cannot make the
    server parse a 50 MB upload only to be refused.
    """

    class ApiRoute(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
            handler = super().get_route_handler()

            async def handle(request: Request) -> Response:
                try:
                    if guard is not None:
                        guard(request)
                    _check_declared_length(request, max_body)
                    return await handler(Request(request.scope, _counting_receive(request.receive, max_body)))
                except Exception as exc:
                    return error_response(exc, request)

            return handle

    return ApiRoute


# -- the answer stream ---------------------------------------------------------------------------


def sse(event: str, data: Any) -> str:
    """One Server-Sent Event; JSON keeps the data on one line whatever the text holds."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def answer_events(events: Iterable[Event], request_id: str | None = None) -> Iterator[str]:
    """Assistant events → SSE: `delta`s, then `citations`, then `done`; a failure ends with `error`."""
    request_id = request_id or new_request_id()
    try:
        for event in events:
            if isinstance(event, Delta):  # the core already trims deltas to add up to the answer
                yield sse("delta", {"text": event.text})
            elif isinstance(event, Sources):
                yield sse("citations", [c.to_dict() for c in event.citations])
            elif isinstance(event, Done):
                yield sse("done", event.answer.to_dict())
    except ResoError as exc:
        yield sse("error", {"error": str(exc), "request_id": request_id})
    except Exception:
        log.exception("internal error %s while streaming an answer", request_id)
        yield sse("error", {"error": "internal error", "request_id": request_id})


_END = object()


async def in_one_thread(items: Iterator[str]) -> AsyncIterator[str]:
    """Run a blocking iterator in one worker thread and hand its items to the event loop as they come.

    Starlette would iterate it with one thread-pool round trip per item, and an extractive answer
    streams a delta per word: under load, streamed answers were ~10x slower than blocking ones.
    Here one thread produces; whatever has arrived by the time the client can take more is sent
    in one write. Items still arrive the moment they exist (a slow LLM's first words are not
    held back), and a client that goes away stops the producer at its next item.
    """
    import anyio

    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[object] = asyncio.Queue()
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    break
                loop.call_soon_threadsafe(queue.put_nowait, item)
        finally:
            close = getattr(items, "close", None)
            if callable(close):
                close()
            loop.call_soon_threadsafe(queue.put_nowait, _END)

    producer = asyncio.ensure_future(anyio.to_thread.run_sync(produce))
    try:
        while True:
            item = await queue.get()
            batch: list[str] = []
            while item is not _END:
                batch.append(item)  # type: ignore[arg-type]
                if queue.empty():
                    break
                item = queue.get_nowait()
            if batch:
                yield "".join(batch)
            if item is _END:
                break
    finally:
        stop.set()  # not awaited: a client gone mid-answer must not wait for the producer's next item
        producer.add_done_callback(lambda done: done.cancelled() or done.exception())


# -- routes --------------------------------------------------------------------------------------


def _known_documents(services: Services) -> dict[str, str]:
    return {normalise_symbol(d.document): d.document for d in services.library.documents()}


def _filters(body: AskRequest, services: Services) -> Filters:
    """Unknown documents are an error, not an empty search: a typo must not look like a refusal."""
    filters = (body.filters or FiltersIn()).to_filters()
    if filters.documents:
        known = _known_documents(services)
        unknown = [d for d in filters.documents if normalise_symbol(d) not in known]
        if unknown:
            raise HTTPException(422, f"unknown document {', '.join(unknown)}: GET /api/documents lists the indexed ones")
    return filters


def _history(body: AskRequest) -> list[Message]:
    return [Message(m.role, m.content) for m in body.history or ()]


def _check_sizes(body: AskRequest, services: Services) -> None:
    """The configured limits (RESO_MAX_*): checked before any work, each with its own sentence."""
    settings = services.settings
    length = len(body.question.strip())
    if length > settings.max_question_chars:
        raise HTTPException(
            422, f"The question is {length} characters long; the limit is {settings.max_question_chars}."
        )
    history = body.history or []
    if len(history) > settings.max_history_items:
        raise HTTPException(
            422, f"history holds {len(history)} messages; the limit is {settings.max_history_items} "
            "(send only the latest turns)."
        )
    for i, message in enumerate(history):
        if len(message.content) > settings.max_history_chars:
            raise HTTPException(
                422, f"history[{i}].content is {len(message.content)} characters long; the limit is "
                f"{settings.max_history_chars}."
            )


def _events(body: AskRequest, services: Services) -> Iterator[Event]:
    _check_sizes(body, services)
    assistant: Assistant = services.assistant
    return assistant.stream(body.question, _history(body), _filters(body, services), body.language)


_SSE_DOC = (
    "Server-Sent Events: `event: delta` with `{\"text\": ...}` (their concatenation is the answer), then "
    "`event: citations` with the list of citations, then `event: done` with the whole answer object "
    "(as `POST /api/ask` returns it). A failure after the stream has started arrives as `event: error` "
    "with `{\"error\": ...}`; one before it (a bad question) is an ordinary JSON error response."
)


def _ask_routes(router: APIRouter, services: Services) -> None:
    @router.post("/ask", response_model=AskResponse, responses=_errors(413, 422, 500, 502, 503), summary="Ask a question")
    def ask(body: AskRequest) -> dict:
        """The answer with the paragraphs it cites (CONTRACTS §5)."""
        for event in _events(body, services):
            if isinstance(event, Done):
                return event.answer.to_dict()
        raise RuntimeError("the answer stream ended without a final event")

    @router.post(
        "/ask/stream",
        response_class=StreamingResponse,
        responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}, "description": _SSE_DOC}}
        | _errors(413, 422, 500, 502, 503),
        summary="Ask a question, answer streamed",
    )
    def ask_stream(body: AskRequest, request: Request) -> StreamingResponse:
        """The same answer as `/api/ask`, as Server-Sent Events."""
        events = _events(body, services)
        # the first step validates the question and retrieves: its errors get a proper status code
        first = next(events, None)
        stream = itertools.chain([first] if first is not None else [], events)
        return StreamingResponse(
            in_one_thread(answer_events(stream, _request_id(request))),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )


def _paragraph_out(chunk: Any) -> ParagraphOut:
    return ParagraphOut(
        document=chunk.document, paragraph=chunk.paragraph, language=chunk.language,
        kind=chunk.kind, text=chunk.text, title=chunk.title,
    )


def _document_meta(record: Any) -> DocumentMeta | None:
    if record is None:
        return None
    return DocumentMeta(
        document=record.document, language=record.language, title=record.title, body=record.body,
        date=record.date, session=record.session, paragraphs=record.paragraphs, vote=record.vote,
        meta=record.meta,
    )


def _library_routes(router: APIRouter, services: Services) -> None:
    library = services.library

    @router.get("/documents", response_model=list[DocumentOut], responses=_errors(500, 503), summary="List documents")
    def documents() -> list[dict]:
        """The indexed documents, as `reso documents --json` prints them (CONTRACTS §2)."""
        return [d.to_dict() for d in library.documents()]

    @router.get("/paragraph", response_model=ParagraphLookup, responses=_errors(404, 422, 500, 503), summary="Look up a paragraph")
    def paragraph(
        document: Annotated[Symbol, Query(description="Symbol as printed, e.g. A/HRC/RES/30/25", examples=["A/HRC/RES/30/25"])],
        paragraph: Annotated[str, Query(min_length=1, max_length=60, description="PP3, OP4, OP3(a), ANNEX1.OP2", examples=["OP4"])],
        language: Annotated[LanguageCode | None, Query(description="Preferred language version")] = None,
        window: Annotated[int, Query(ge=0, le=10, description="Neighbours on each side")] = 1,
    ) -> ParagraphLookup:
        """A paragraph with its document's metadata, its neighbours and its other language versions.

        Query parameters rather than a path, because symbols contain `/`.
        """
        known = _known_documents(services)
        if normalise_symbol(document) not in known:
            raise HTTPException(404, f"unknown document {document}: GET /api/documents lists the indexed ones")
        view = library.paragraph(document, paragraph, language, window=window)
        if view is None:
            raise HTTPException(404, f"{known[normalise_symbol(document)]} has no paragraph {paragraph}")
        return ParagraphLookup(
            paragraph=_paragraph_out(view.chunk),
            document=_document_meta(view.record),
            before=[_paragraph_out(c) for c in view.before],
            after=[_paragraph_out(c) for c in view.after],
            languages=sorted(view.versions),
            versions={lang: _paragraph_out(c) for lang, c in sorted(view.versions.items()) if lang != view.chunk.language},
        )

    @router.get("/health", response_model=Health, responses=_errors(500, 503), summary="Health")
    def health() -> Health:
        """Cheap enough for a load balancer: reads counts and the model record, never loads a model."""
        record = library.store.model_record() or {}
        return Health(
            status="ok",
            documents=len(library.documents()),
            paragraphs=library.store.count(),
            embedder=str(record.get("embedder") or services.settings.embedder),
            generator=services.settings.generator,
        )


# -- admin ---------------------------------------------------------------------------------------


def _admin_guard(services: Services) -> Guard:
    def guard(request: Request) -> None:
        expected = services.settings.admin_key
        if not expected:
            raise HTTPException(404, "The admin endpoints are off: set RESO_ADMIN_KEY on the server to enable them.")
        given = request.headers.get(ADMIN_HEADER) or ""
        # bytes, because compare_digest refuses non-ASCII str and a header may hold anything
        if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8")):
            raise HTTPException(403, f"A valid {ADMIN_HEADER} header is required.")

    return guard


def safe_filename(name: str | None, fallback: str) -> str:
    """The upload's base name with only portable characters, its suffix kept for the readers.

    The base name matters: the text reader infers a symbol from names like A_HRC_RES_30_25-fr.txt.
    """
    base = PurePosixPath((name or "").replace("\\", "/")).name
    stem, dot, suffix = base.rpartition(".") if "." in base.lstrip(".") else (base, "", "")
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_")[:100] or fallback
    suffix = re.sub(r"[^A-Za-z0-9]+", "", suffix)[:10].lower()
    return f"{stem}.{suffix}" if dot and suffix else stem


def _save_uploads(files: Sequence[UploadFile], folder: Path) -> dict[str, str]:
    """Each upload in its own sub-folder, so equal names cannot overwrite each other.

    Returns saved path → name as uploaded, to report skipped files by the client's names.
    """
    saved: dict[str, str] = {}
    for i, upload in enumerate(files):
        target = folder / str(i) / safe_filename(upload.filename, f"upload-{i}")
        target.parent.mkdir()
        with target.open("wb") as out:
            while chunk := upload.file.read(1 << 20):
                out.write(chunk)
        saved[str(target)] = target.name
    return saved


def _admin_routes(router: APIRouter, services: Services) -> None:
    ingest_lock = threading.Lock()  # one ingest at a time: two refreshes must not interleave
    key_header = APIKeyHeader(name=ADMIN_HEADER, auto_error=False, description="RESO_ADMIN_KEY")

    @router.post(
        "/admin/ingest",
        response_model=IngestReportOut,
        responses=_errors(403, 404, 413, 422, 500, 503),
        summary="Ingest uploaded resolutions (admin)",
        dependencies=[Security(key_header)],
    )
    def ingest(
        files: Annotated[list[UploadFile], File(description=".xml (AKN4UN), .pdf, .docx, .txt or .html files")],
    ) -> dict:
        """Read uploaded resolutions into the index and make them searchable at once.

        Needs the `X-Admin-Key` header (RESO_ADMIN_KEY); off when no key is configured.
        """
        if len(files) > MAX_UPLOAD_FILES:
            raise HTTPException(422, f"{len(files)} files uploaded; the limit is {MAX_UPLOAD_FILES} per request.")
        with tempfile.TemporaryDirectory(prefix="reso-upload-") as tmp:
            names = _save_uploads(files, Path(tmp))
            with ingest_lock:
                report = services.library.ingest([Path(p) for p in names])
                services.assistant.refresh()
        out = report.to_dict()
        out["skipped"] = [{"path": names.get(s["path"], Path(s["path"]).name), "reason": s["reason"]} for s in out["skipped"]]
        return out


# -- installation --------------------------------------------------------------------------------


def install(app: FastAPI, services: Services) -> None:
    """Add CORS and the `/api` routes to `app`; the routes close over `services`."""
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(services.settings.allowed_origins),  # the allow-list as configured, never "*"
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
    )
    public = APIRouter(prefix="/api", tags=["api"], route_class=_api_route_class(services.settings.max_body_bytes))
    _ask_routes(public, services)
    _library_routes(public, services)
    admin = APIRouter(
        prefix="/api", tags=["admin"], route_class=_api_route_class(MAX_UPLOAD_BYTES, _admin_guard(services))
    )
    _admin_routes(admin, services)
    app.include_router(public)
    app.include_router(admin)
