"""The OpenAI-compatible chat (CONTRACTS §6): `GET /v1/models`, `POST /v1/chat/completions`.

People already have chat front-ends and SDKs that speak OpenAI's protocol; this door lets them in
without losing the citations. The answer is `/api/ask`'s, produced by the same service function
(`ask._events`: size limits, unknown-document check, `Assistant.stream`), never a second pipeline:
the messages become the question (the last, a user's) and the history (the user and assistant
messages before it). System and developer messages are accepted and not obeyed: the assistant's
instructions are not a client's to replace.

Each marker in the content becomes an annotation `url_citation` (its start and end index in the
content, the paragraph's deep link in the UI, "SYMBOL, PID"), and the message carries a `reso`
object with the citations as `/api/ask` sends them and `refused`. Errors take OpenAI's shape,
statuses and types from the one error table (`reso.errors`); `RESO_API_KEY`, when set, is required
as a bearer token. The rate limit and the size limits are those of `/api/ask`.
"""

from __future__ import annotations

import hmac
import itertools
import json
import logging
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, StreamingResponse

from reso.assistant.citations import MARKER, key
from reso.assistant.core import Delta, Done, Event
from reso.assistant.models import Answer
from reso.errors import client_message, log_error, openai_status_and_type, rule_for
from reso.prompts import phrase
from reso.schema import (
    Annotation,
    AskRequest,
    ChatChoice,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    ChatMessageOut,
    ChunkChoice,
    ChunkDelta,
    CitationOut,
    HistoryMessage,
    ModelList,
    ModelOut,
    OpenAIError,
    OpenAIErrorDetail,
    ResoExtension,
    UrlCitation,
    Usage,
    paragraph_url,
)
from reso.settings import Settings
from reso.ui.http import ask
from reso.ui.http.routing import api_route_class, error_parts, request_id
from reso.ui.http.stream import in_one_thread
from reso.ui.services import Services

PREFIX = "/v1"
CHAT_PATH = PREFIX + "/chat/completions"  # rate-limited like /api/ask (ui/middleware/ratelimit.py)
_CREATED = int(time.time())  # the models' "created": when this server started
log = logging.getLogger("reso.ui.http")

# -- errors in OpenAI's shape --------------------------------------------------------------------


def openai_error_body(status: int, message: str, code: str | None = None) -> tuple[int, dict]:
    status, kind = openai_status_and_type(status)
    body = OpenAIError(error=OpenAIErrorDetail(message=message, type=kind, code=code))
    return status, body.model_dump()


def openai_error_response(exc: Exception, request: Request) -> JSONResponse:
    """The error the API would send (same table, same sentence), in OpenAI's shape."""
    status, body, headers = error_parts(exc, request)
    code = getattr(exc, "openai_code", None)
    status, payload = openai_error_body(status, body.error, code)
    return JSONResponse(payload, status_code=status, headers=headers)


class _OpenAIHTTPException(HTTPException):
    """An HTTPException with OpenAI's `error.code` (e.g. "model_not_found", "invalid_api_key")."""

    def __init__(self, status: int, message: str, code: str, headers: dict[str, str] | None = None):
        super().__init__(status, message, headers=headers)
        self.openai_code = code


def key_guard(settings: Settings):
    """`Authorization: Bearer <RESO_API_KEY>` when the setting is set; nothing to check otherwise."""
    secret = settings.api_key

    def guard(request: Request) -> None:
        if not secret:
            return
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), secret.encode()):
            raise _OpenAIHTTPException(401, phrase("api_key_required", "en"), "invalid_api_key",
                                       headers={"WWW-Authenticate": "Bearer"})

    return guard


# -- the service: messages → the /api/ask request → the answer events ------------------------------


def model_ids(settings: Settings) -> list[str]:
    """One model per answer mode this server runs: its generator's ("reso-extractive", "reso-llm")."""
    return [f"reso-{settings.generator}"]


def _check_model(body: ChatCompletionRequest, settings: Settings) -> None:
    known = model_ids(settings)
    if body.model not in (*known, "reso"):  # "reso": whatever this server answers with
        raise _OpenAIHTTPException(404, phrase("openai_unknown_model", "en", model=body.model[:100],
                                                models=", ".join(known)), "model_not_found")


def ask_request(body: ChatCompletionRequest) -> AskRequest:
    """The last message is the question, the user and assistant messages before it the history."""
    if not body.messages:
        raise HTTPException(400, phrase("openai_no_messages", "en"))
    if body.n not in (None, 1):
        raise HTTPException(400, phrase("openai_n_unsupported", "en", n=str(body.n)))
    last = body.messages[-1]
    if last.role != "user":
        raise HTTPException(400, phrase("openai_last_not_user", "en", role=last.role))
    history = [HistoryMessage(role=m.role, content=m.text()) for m in body.messages[:-1]
               if m.role in ("user", "assistant") and m.text()]  # type: ignore[arg-type]
    return AskRequest(question=last.text(), history=history, filters=body.filters)


def annotations(content: str, citations: Sequence[CitationOut], base: str) -> list[Annotation]:
    """One `url_citation` per marker in `content`: `content[start_index:end_index]` is the marker."""
    by_key = {key(c.document, c.paragraph): c for c in citations}
    out = []
    for m in MARKER.finditer(content):
        c = by_key.get(key(m.group(1).strip(), m.group(2).strip()))
        if c is None:  # cannot happen: the core keeps only markers of its citations
            continue
        out.append(Annotation(url_citation=UrlCitation(
            start_index=m.start(), end_index=m.end(), title=f"{c.document}, {c.paragraph}",
            url=paragraph_url(base, c.document, c.paragraph, c.language),
        )))
    return out


def _reso(answer: Answer) -> ResoExtension:
    return ResoExtension(refused=answer.refused, citations=[CitationOut.of(c) for c in answer.citations],
                         language=answer.language)


def completion(answer: Answer, question: str, model: str, base: str) -> ChatCompletion:
    citations = [CitationOut.of(c) for c in answer.citations]
    message = ChatMessageOut(content=answer.answer, annotations=annotations(answer.answer, citations, base),
                             reso=_reso(answer))
    return ChatCompletion(id=_completion_id(), created=int(time.time()), model=model,
                          choices=[ChatChoice(message=message)], usage=Usage.of(question, answer.answer))


def chunks(events: Iterable[Event], model: str, base: str, rid: str) -> Iterator[str]:
    """`chat.completion.chunk`s: the role, the text deltas, then one chunk with the annotations,
    the `reso` object and `finish_reason`, then `data: [DONE]`. A failure once the stream has
    started (the status is sent) arrives as OpenAI's error object, which the SDKs raise."""
    cid, created = _completion_id(), int(time.time())

    def chunk(delta: ChunkDelta, finish: str | None = None) -> str:
        choice = ChunkChoice(delta=delta, finish_reason=finish)  # type: ignore[arg-type]
        return ChatCompletionChunk(id=cid, created=created, model=model, choices=[choice]).sse()

    yield chunk(ChunkDelta(role="assistant", content=""))
    try:
        for event in events:
            if isinstance(event, Delta):
                yield chunk(ChunkDelta(content=event.text))
            elif isinstance(event, Done):
                answer = event.answer
                citations = [CitationOut.of(c) for c in answer.citations]
                yield chunk(ChunkDelta(annotations=annotations(answer.answer, citations, base), reso=_reso(answer)),
                            "stop")
    except Exception as exc:
        log_error(log, exc, f"{rid} while streaming a chat completion")
        _, body = openai_error_body(rule_for(exc).status, client_message(exc))
        yield f"data: {json.dumps(body, ensure_ascii=False)}\n\n"
    yield "data: [DONE]\n\n"


def _completion_id() -> str:
    return "chatcmpl-" + uuid.uuid4().hex


def public_base(request: Request, settings: Settings) -> str:
    """Where the UI is: RESO_PUBLIC_URL, else the address this request came to."""
    return (settings.public_url or str(request.base_url)).rstrip("/")


# -- the routes ----------------------------------------------------------------------------------


def routes(router: APIRouter, services: Services) -> None:
    settings = services.settings

    @router.get("/models", response_model=ModelList, summary="OpenAI: list models")
    def models() -> ModelList:
        """One model per answer mode of this server (its generator); `reso` names it too."""
        return ModelList(data=[ModelOut(id=m, created=_CREATED) for m in model_ids(settings)])

    @router.post(
        "/chat/completions",
        response_model=ChatCompletion,
        responses={code: {"model": OpenAIError} for code in (400, 401, 404, 413, 429, 500, 502, 503, 504)},
        summary="OpenAI: chat completion, with the citations as annotations",
    )
    def chat(body: ChatCompletionRequest, request: Request):
        """The answer of `/api/ask` as an OpenAI chat completion (or, with `stream`, its chunks)."""
        _check_model(body, settings)
        asked = ask_request(body)
        events = ask._events(asked, services)  # the sizes and filters checked, then Assistant.stream
        base = public_base(request, settings)
        if not body.stream:
            for event in events:
                if isinstance(event, Done):
                    return completion(event.answer, asked.question, body.model, base).model_dump(mode="json")
            raise RuntimeError(phrase("api_stream_ended", "en"))
        first = next(events, None)  # the question checked and the paragraphs retrieved: errors get a status
        stream = itertools.chain([first] if first is not None else [], events)
        return StreamingResponse(
            in_one_thread(chunks(stream, body.model, base, request_id(request))),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )


def install(app: FastAPI, services: Services) -> None:
    """Add `/v1` to `app`: the routes, and OpenAI-shaped 404/405 for any other path under it."""
    route_class = api_route_class(services.settings.max_body_bytes, key_guard(services.settings), openai_error_response)
    router = APIRouter(prefix=PREFIX, tags=["openai"], route_class=route_class)
    routes(router, services)
    app.include_router(router)

    async def fallback(request: Request, path: str):
        status, payload = openai_error_body(404, phrase("api_no_route", "en", path=request.url.path), "not_found")
        return JSONResponse(payload, status_code=status)

    app.add_api_route(PREFIX + "/{path:path}", fallback, methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                      include_in_schema=False)
