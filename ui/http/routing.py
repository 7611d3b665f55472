"""What every `/api` route shares: its guard, the body limit, and the one exception handler.

Errors are handled by the routes' own class (`api_route_class`), not by app-wide exception
handlers, so the API's JSON error bodies (`{"error": "...", ...}`) never change how the Gradio app
mounted next to it reports its own errors. What status and sentence an exception gets is not
decided here but read from the error table (`reso.errors.rule_for`); this module only adds the
framework's own errors (validation, HTTPException) and the request id.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Message as AsgiMessage
from starlette.types import Receive

from reso.errors import client_message, log_error, rule_for
from reso.prompts import phrase
from reso.schema import ErrorBody
from reso.ui.middleware.context import new_request_id, request_id_of

log = logging.getLogger("reso.ui.http")  # one logger for the whole API layer


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The error responses of a route, for /openapi.json."""
    return {code: {"model": ErrorBody} for code in codes}


def error_json(status: int, message: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body = ErrorBody(error=message, **{k: v for k, v in extra.items() if k in ErrorBody.model_fields})
    return JSONResponse(body.json_body(), status_code=status, headers=headers)


def request_id(request: Request | None = None) -> str:
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
        return phrase("api_body_not_json", "en", reason=str(reason), position=str(error["loc"][-1]))
    where = _where(error.get("loc", ()))
    msg = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    msg = f"{msg[:1].lower()}{msg[1:]}"
    if not where:
        if error.get("type") == "missing":
            return phrase("api_body_missing", "en")
        return phrase("api_body_wrong", "en", reason=msg)
    return phrase("api_field_wrong", "en", where=where, reason=msg)


def validation_error_body(exc: RequestValidationError) -> dict[str, Any]:
    """One human sentence first, then the machine-readable list (without echoing the input back)."""
    errors_ = list(exc.errors())
    sentences = list(dict.fromkeys(_sentence(e) for e in errors_)) or [phrase("api_request_invalid", "en")]
    details = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")} for e in errors_]
    return {"error": phrase("api_invalid_request", "en", reasons="; ".join(sentences)), "details": details}


def error_parts(exc: Exception, request: Request) -> tuple[int, ErrorBody, dict[str, str] | None]:
    """What anything a route raised becomes: status, body and headers (logged as the table says).

    Shared by the API's error shape (`error_response`) and OpenAI's (ui/http/openai.py), so both
    read one table and give the same sentence.
    """
    rid = request_id(request)
    if isinstance(exc, RequestValidationError):
        return 422, ErrorBody.model_validate(validation_error_body(exc) | {"request_id": rid}), None
    if isinstance(exc, StarletteHTTPException):
        return exc.status_code, ErrorBody(error=str(exc.detail), request_id=rid), exc.headers
    rule = rule_for(exc)
    log_error(log, exc, f"{rid} on {request.method} {request.url.path}")
    return rule.status, ErrorBody(error=client_message(exc), request_id=rid), rule.headers


def error_response(exc: Exception, request: Request) -> JSONResponse:
    """Map anything a route raised to the status and JSON body a client can act on.

    Every error body carries the request's id (also in the X-Request-ID header), so a user's
    report can be matched with the server's log line.
    """
    status, body, headers = error_parts(exc, request)
    return JSONResponse(body.json_body(), status_code=status, headers=headers)


def too_large(limit: int) -> HTTPException:
    return HTTPException(413, phrase("api_body_too_large", "en", kb=str(limit // 1024)))


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
                raise too_large(limit)
        return message

    return counted


def _check_declared_length(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)


Guard = Callable[[Request], None]


ErrorHandler = Callable[[Exception, Request], Response]


def api_route_class(max_body: int, guard: Guard | None = None, on_error: ErrorHandler = error_response) -> type[APIRoute]:
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
                    return on_error(exc, request)

            return handle

    return ApiRoute
