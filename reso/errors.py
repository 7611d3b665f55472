"""The project's errors, and the one table that says what each becomes at the edges.

`ResoError` is every layer's base class: an error raised on purpose says what to do about it.
The core and the index raise domain errors and never think about HTTP; the surfaces (the API,
the answer stream, the Gradio handlers, the CLI) look the exception up in `ERRORS` through
`rule_for` and read from it the HTTP status, the `Retry-After`, whether it goes to the log, and
the key of the sentence a reader of the web UI sees (`prompts/messages.toml`, in their language).

Clients of the API and users of the CLI get the exception's own sentence (it names the setting
or the command that fixes it); an error nobody raised on purpose (a bug) gets no detail at all,
only the `client_key` sentence ("internal error") and the request id, its traceback going to the
log. The table holds classes of other layers, so it is built on first use: this module is imported
by all of them and imports none.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal


class ResoError(Exception):
    """Base class: every error the project raises on purpose says what to do about it."""


class UnreadableFile(ResoError):
    """A file that cannot become a resolution: corrupt, encrypted, empty, not a resolution.

    The reason is meant for the user ("encrypted PDF", "XML but not Akoma Ntoso"), the path is
    kept so that a summary of a folder ingest can name every file it skipped.
    """

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class UnsupportedFormat(UnreadableFile):
    """No reader is registered for the file's suffix."""


class IndexMismatch(ResoError):
    """The index was built with another embedding model than the one configured."""


@dataclass(frozen=True)
class ErrorRule:
    status: int  # HTTP status of the API's response
    message_key: str  # the web UI's sentence (prompts/messages.toml); `{reason}` is the exception's text
    retry_after: int | None = None  # seconds, as the Retry-After header: the condition passes by itself
    log: Literal["", "warning", "exception"] = ""  # "exception" logs the traceback
    client_key: str | None = None  # the API's and the CLI's sentence; None: the exception's own text

    @property
    def headers(self) -> dict[str, str] | None:
        return {"Retry-After": str(self.retry_after)} if self.retry_after is not None else None


UNEXPECTED = ErrorRule(500, "ui_error_unexpected", log="exception", client_key="error_internal")


@lru_cache(maxsize=1)
def error_table() -> dict[type[BaseException], ErrorRule]:
    """Exception class → rule. The most specific class of an exception wins (see `rule_for`)."""
    from reso.assistant.core import InvalidQuestion
    from reso.assistant.generators import GenerationError
    from reso.assistant.generators.llm import GenerationTimeout
    from reso.assistant.models import InvalidFilter
    from reso.index.lock import IngestBusy
    from reso.index.store import StoreUnavailable

    return {
        InvalidQuestion: ErrorRule(422, "ui_error_question"),
        InvalidFilter: ErrorRule(422, "ui_error_filter"),  # a filter value no document can have
        # a Chroma server down or restarting: it passes, so a client is told when to try again
        StoreUnavailable: ErrorRule(503, "ui_error_store_unavailable", retry_after=5, log="warning"),
        GenerationTimeout: ErrorRule(504, "ui_error_backend", log="warning"),  # the model was too slow
        GenerationError: ErrorRule(502, "ui_error_backend", log="warning"),  # the model failed otherwise
        IngestBusy: ErrorRule(503, "ui_error_backend"),
        UnreadableFile: ErrorRule(503, "ui_error_backend", log="exception"),
        IndexMismatch: ErrorRule(503, "ui_error_backend", log="exception"),
        ResoError: ErrorRule(503, "ui_error_backend", log="exception"),
    }


# OpenAI's error types by HTTP status (CONTRACTS §6). The status stays the table's, except that a
# request the table answers 422 is a 400 there: OpenAI answers every bad request 400, and its SDKs
# raise `BadRequestError` for it (a 422 would be an `UnprocessableEntityError` nobody catches).
OPENAI_STATUS = {422: 400}
OPENAI_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    413: "invalid_request_error",
    429: "rate_limit_error",
}


def openai_status_and_type(status: int) -> tuple[int, str]:
    """The status and `error.type` of OpenAI's error shape for an error the table answers `status`."""
    status = OPENAI_STATUS.get(status, status)
    return status, OPENAI_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")


def rule_for(exc: BaseException) -> ErrorRule:
    table = error_table()
    for cls in type(exc).__mro__:
        if cls in table:
            return table[cls]
    return UNEXPECTED


def user_message(exc: BaseException, language: str) -> str:
    """What a reader of the web UI is told, in the interface language; never a traceback."""
    from reso.prompts import phrase

    return phrase(rule_for(exc).message_key, language, reason=str(exc))


def client_message(exc: BaseException) -> str:
    """What an API client or a CLI user is told: the exception's own sentence, or for a bug, none."""
    from reso.prompts import phrase

    rule = rule_for(exc)
    return phrase(rule.client_key, "en") if rule.client_key else str(exc)


def log_error(logger: logging.Logger, exc: BaseException, where: str) -> None:
    """Log `exc` as its rule says: a condition that passes as a one-line warning, a bug with its
    traceback (call it inside the `except` block). `where` says what was being done, with the
    request id when there is one."""
    rule = rule_for(exc)
    if rule.log == "exception":
        logger.exception("%s %s", "internal error" if rule is UNEXPECTED else type(exc).__name__, where)
    elif rule.log == "warning":
        logger.warning("%s (%s) %s", type(exc).__name__, exc.__cause__ or exc, where)
