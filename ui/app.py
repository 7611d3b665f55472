"""`create_app(settings)`: one ASGI app serving the HTTP API, the Gradio UI and the widget.

    /api/...      the HTTP API (CONTRACTS §5), described at /openapi.json   (ui/http/)
                  with POST /api/export/docx, a conversation as Word         (ui/http/export.py)
    /v1/...       the OpenAI-compatible chat (CONTRACTS §6)                  (ui/http/openai.py)
    /mcp          the MCP server over streamable HTTP (CONTRACTS §6)        (ui/mcp.py)
    /widget.js    the embeddable helpdesk widget, plain JavaScript           (ui/static/widget.js)
    /             the Gradio UI                                             (ui/gradio/)

The API routes are registered before Gradio is mounted at "/", so they take precedence (and any
other `/api/...` path gets the API's JSON 404/405, not Gradio's page). Around everything,
`ui/middleware/`: request ids and the access log, security headers, and the rate limit on the
question routes (inside CORS, so a 429 reaches a widget on another site).
"""

from __future__ import annotations

import os

from reso.settings import Settings
from reso.ui.services import Services


def create_app(settings: Settings | None = None, services: Services | None = None, *, with_ui: bool = True):
    """The whole server; `with_ui=False` leaves Gradio out (tests of the API and its middleware)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from fastapi import FastAPI

    settings = settings or (services.settings if services else Settings())
    quiet_libraries()  # before the build: it may ingest the default corpus and build the lexical index
    services = services or Services.build(settings)
    settings = services.settings  # one source for the API's limits and the middleware's
    app = FastAPI(title="reso", summary="Answers about UN resolutions that cite the exact paragraph.", version="0.1.0")
    app.state.services = services

    from reso.ui import http, mcp, middleware, widget
    from reso.ui.http import export, openai

    middleware.install_rate_limit(app, settings)  # first added = innermost: inside the CORS of http.install
    export.install(app, services)  # before http.install, whose catch-all answers the rest of /api/...
    http.install(app, services)
    openai.install(app, services)
    mcp.install(app, services)
    widget.install(app, services)
    watch_index(app, services)
    middleware.install(app, settings)  # last added = outermost: ids, access log and headers on every response
    if not with_ui:
        return app

    import gradio as gr

    from reso.ui import gradio as ui

    # the theme is passed here: in Gradio 6 mount_gradio_app replaces the Blocks' own theme
    return gr.mount_gradio_app(app, ui.build(services), path="/", theme=ui.theme())


def watch_index(app, services: Services) -> None:
    """While the app runs, reload the index whenever another process changes it, questions or not
    (`Assistant.watch`, every RESO_REFRESH_INTERVAL seconds; each reload is logged)."""
    import contextlib
    import threading

    previous = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(a):
        stop = threading.Event()
        watch = getattr(services.assistant, "watch", None)  # a test's fake assistant has no index to watch
        if watch is not None:
            watch(stop)
        try:
            async with previous(a) as state:
                yield state
        finally:
            stop.set()

    app.router.lifespan_context = lifespan


QUIET_LOGGERS = ("bm25s",)  # set themselves to DEBUG when imported ("Building index from tokens")


def quiet_libraries() -> None:
    """The server log carries the access log and our warnings, not libraries' debug lines.

    bm25s sets its logger to DEBUG at import, so any handler on the root logger (a deployer's
    `basicConfig`, a log shipper) printed a line per index build; it is imported here first, so
    its own setting cannot come after ours.
    """
    import logging

    for name in QUIET_LOGGERS:
        try:
            __import__(name)
        except ImportError:
            continue
        logging.getLogger(name).setLevel(logging.WARNING)


def worker_app():
    """The app of one worker of `reso serve --workers N` (uvicorn imports it by name in each process).

    API and widget only: Gradio keeps each browser session in its process's memory, so a UI
    spread over workers would lose sessions between requests; it runs in a one-worker
    `reso serve` instead. Settings come from the RESO_* environment, like every process.
    """
    return create_app(Settings(), with_ui=False)
