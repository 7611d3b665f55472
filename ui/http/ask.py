"""`POST /api/ask` and `POST /api/ask/stream`: the same answer, whole or as Server-Sent Events.

Both routes run `Assistant.stream`, the one streaming entry point; the blocking route keeps its
final event. The routes are plain `def`s: FastAPI runs them in its threadpool, since the
assistant is synchronous and CPU-bound.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse

from reso.assistant.core import Assistant, Done, Event, checked_question
from reso.assistant.models import Filters, Message
from reso.index.model import normalise_symbol
from reso.prompts import phrase
from reso.schema import AskRequest, AskResponse, FiltersIn, answer_json
from reso.ui.http.routing import errors, request_id
from reso.ui.http.stream import answer_events, in_one_thread
from reso.ui.services import Services


def known_documents(services: Services) -> dict[str, str]:
    """Normalised symbol → symbol as printed, of every indexed document."""
    return {normalise_symbol(d.document): d.document for d in services.library.documents()}


def _filters(body: AskRequest, services: Services) -> Filters:
    """Unknown documents are an error, not an empty search: a typo must not look like a refusal."""
    filters = (body.filters or FiltersIn()).to_filters()
    if filters.documents:
        known = known_documents(services)
        unknown = [d for d in filters.documents if normalise_symbol(d) not in known]
        if unknown:
            raise HTTPException(422, phrase("api_unknown_document", "en", documents=", ".join(unknown)))
    return filters


def _history(body: AskRequest) -> list[Message]:
    return [Message(m.role, m.content) for m in body.history or ()]


def _check_sizes(body: AskRequest, services: Services) -> None:
    """The configured limits (RESO_MAX_*): checked before any work, each with its own sentence."""
    settings = services.settings
    checked_question(body.question, settings.max_question_chars)
    history = body.history or []
    if len(history) > settings.max_history_items:
        raise HTTPException(
            422, phrase("api_history_too_long", "en", count=str(len(history)), limit=str(settings.max_history_items))
        )
    for i, message in enumerate(history):
        if len(message.content) > settings.max_history_chars:
            raise HTTPException(422, phrase("api_history_item_too_long", "en", index=str(i),
                                            length=str(len(message.content)), limit=str(settings.max_history_chars)))


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


def routes(router: APIRouter, services: Services) -> None:
    @router.post("/ask", response_model=AskResponse, responses=errors(413, 422, 500, 502, 503), summary="Ask a question")
    def ask(body: AskRequest) -> dict:
        """The answer with the paragraphs it cites (CONTRACTS §5)."""
        for event in _events(body, services):
            if isinstance(event, Done):
                return answer_json(event.answer)
        raise RuntimeError(phrase("api_stream_ended", "en"))

    @router.post(
        "/ask/stream",
        response_class=StreamingResponse,
        responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}, "description": _SSE_DOC}}
        | errors(413, 422, 500, 502, 503),
        summary="Ask a question, answer streamed",
    )
    def ask_stream(body: AskRequest, request: Request) -> StreamingResponse:
        """The same answer as `/api/ask`, as Server-Sent Events."""
        events = _events(body, services)
        # the first step validates the question and retrieves: its errors get a proper status code
        first = next(events, None)
        stream = itertools.chain([first] if first is not None else [], events)
        return StreamingResponse(
            in_one_thread(answer_events(stream, request_id(request))),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
