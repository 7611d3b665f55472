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
import time

from reso.settings import Settings
from reso.ui.services import Services


def create_app(settings: Settings | None = None, services: Services | None = None, *, with_ui: bool = True,
               with_mcp: bool = True):
    """The whole server; `with_ui=False` leaves Gradio out (tests of the API and its middleware),
    `with_mcp=False` the MCP server (StartingApp installs both once the API answers)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from fastapi import FastAPI

    settings = settings or (services.settings if services else Settings())
    quiet_libraries()  # before the build: it may ingest the default corpus and build the lexical index
    services = services or Services.build(settings)
    settings = services.settings  # one source for the API's limits and the middleware's
    app = FastAPI(title="reso", summary="Answers about UN resolutions that cite the exact paragraph.", version="0.1.0")
    app.state.services = services

    from reso.ui import http, middleware, widget
    from reso.ui.http import export, openai

    middleware.install_rate_limit(app, settings)  # first added = innermost: inside the CORS of http.install
    export.install(app, services)  # before http.install, whose catch-all answers the rest of /api/...
    http.install(app, services)
    openai.install(app, services)
    if with_mcp:  # imported here: the MCP SDK's import is ~0.8 s of a start that does not need it yet
        from reso.ui import mcp

        mcp.install(app, services)
    widget.install(app, services)
    watch_index(app, services)
    middleware.install(app, settings)  # last added = outermost: ids, access log and headers on every response
    if not with_ui:
        return app

    mount_ui(app, services)
    return app


def mount_ui(app, services: Services):
    """Mount the Gradio UI at "/", after the API routes, which keep precedence."""
    import gradio as gr

    from reso.ui import gradio as ui

    # the theme is passed here: in Gradio 6 mount_gradio_app replaces the Blocks' own theme
    return gr.mount_gradio_app(app, ui.build(services), path="/", theme=ui.theme())


def install_running(app, install):
    """`install(app)` on an app whose lifespan already runs (StartingApp's second part).

    Installers add their startup to `app.router.lifespan_context` (the MCP session manager,
    Gradio's queue), which a running app will not enter again: what `install` adds is taken out
    and returned as an ASGI app of its own, whose lifespan the caller runs; `app`'s is left as it
    was. The routes are `app`'s, appended after the ones it has.
    """
    import contextlib

    from starlette.routing import Router

    @contextlib.asynccontextmanager
    async def nothing(_app):
        yield None

    previous, app.router.lifespan_context = app.router.lifespan_context, nothing
    try:
        install(app)
        added = app.router.lifespan_context
    finally:
        app.router.lifespan_context = previous
    return Router(lifespan=lambda _app: added(app))


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

    API, widget and MCP only: Gradio keeps each browser session in its process's memory, so a UI
    spread over workers would lose sessions between requests; it runs in a one-worker
    `reso serve` instead. Settings come from the RESO_* environment, like every process.

    Started like a one-worker server (`StartingApp`): listening at once with `/api/health`
    "loading", then the API, then the warm-ups in the background (each language's first
    question, the reference graph), logged "warmed up". A worker built by `create_app` alone
    paid those on its users' first questions: 4.8 s of CPU for the first lineage question at
    120k paragraphs, holding the interpreter for every question beside it. A worker that
    cannot start stops itself (SIGTERM), as one whose app factory raised did.
    """
    import os
    import signal

    return StartingApp(Settings(), with_ui=False, on_failure=lambda: os.kill(os.getpid(), signal.SIGTERM))


WARM = "warmed up"  # logged once the background warm-ups are done: what `reso.evals.bench` waits for


class StartingApp:
    """`reso serve`'s app: listening at once, answering as soon as the assistant is loaded (issue 15).

    Building everything before listening made a user wait for Gradio (~5 s of imports and layout) and
    the MCP server before the first answer, which needs neither. Here the listener starts first and
    a thread builds the app in the order a user needs it: the assistant and the API (`create_app`
    with `with_ui=False`, the same app the tests and the workers use), then the Gradio UI, mounted on
    that same app exactly as `create_app` mounts it. Meanwhile:

    - `GET /api/health` answers 503 `{"status": "loading"}` with `Retry-After`, until the API is
      ready: a load balancer or supervisor sends no traffic to a server that cannot answer yet;
    - any other request waits for what answers it (an API route for the API, anything else for the
      UI), so a question sent during start-up is answered when the assistant is ready, not refused;
    - a build that fails (a bad setting, an unreadable index) is logged, answered 503 with its
      message, and stops the server (`on_failure`), whose caller re-raises `error`.

    The lifespans (the index watcher, the MCP session manager, Gradio's queue) run when their part
    is built and stop in reverse order at shutdown.
    """

    def __init__(self, settings: Settings, *, with_ui: bool = True, on_failure=None):
        self.settings = settings
        self.with_ui = with_ui
        self.on_failure = on_failure or (lambda: None)
        self.app = None  # the FastAPI app, once the API is serving
        self.error: BaseException | None = None
        self._api_ready = None  # asyncio.Events of the server's loop, made at lifespan startup
        self._ui_ready = None
        self._loop = None
        self._lifespans: list = []  # (shutdown trigger, task) of each inner lifespan, in start order
        self._state: dict = {}
        self._api_routes: tuple = ()
        self._created = time.monotonic()

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            return await self._lifespan(receive, send)
        if self._ui_ready is not None and self._ui_ready.is_set() and self.error is None:
            return await self.app(self._with_state(scope), receive, send)
        if self._api_ready is None:  # not started by a server (a test calling it bare): nothing to wait on
            raise RuntimeError("StartingApp needs its lifespan run first")
        if not self._api_ready.is_set():
            if scope["type"] == "http" and scope["path"].rstrip("/") == "/api/health":
                return await self._loading(send)
            await self._api_ready.wait()
        if self.error is None and not self._ui_ready.is_set() and not self._answers(scope):
            await self._ui_ready.wait()
        if self.error is not None:
            return await self._loading(send, failed=True)
        return await self.app(self._with_state(scope), receive, send)

    def _answers(self, scope) -> bool:
        """Whether a route the API had when it started answering takes this request. Not the routes
        now: MCP's and Gradio's are added before their lifespans run, and answer only after."""
        from starlette.routing import Match

        return any(route.matches(scope)[0] != Match.NONE for route in self._api_routes)

    def _with_state(self, scope):
        return {**scope, "state": {**scope.get("state", {}), **self._state}} if self._state else scope

    async def _loading(self, send, failed: bool = False) -> None:
        import json

        if failed:
            body = {"status": "failed", "error": f"reso could not start: {self.error}"}
        else:
            body = {"status": "loading", "error": "reso is loading its index; retry in a moment"}
        raw = json.dumps(body).encode()
        await send({"type": "http.response.start", "status": 503,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode()),
                                (b"retry-after", b"1"), (b"cache-control", b"no-store")]})
        await send({"type": "http.response.body", "body": raw})

    async def _lifespan(self, receive, send) -> None:
        import asyncio
        import threading

        message = await receive()  # lifespan.startup
        self._loop = asyncio.get_running_loop()
        self._api_ready, self._ui_ready = asyncio.Event(), asyncio.Event()
        threading.Thread(target=self._build, name="reso-start", daemon=True).start()
        await send({"type": "lifespan.startup.complete"})
        message = await receive()  # lifespan.shutdown
        assert message["type"] == "lifespan.shutdown"
        for trigger, task in reversed(self._lifespans):
            trigger()
            await task
        await send({"type": "lifespan.shutdown.complete"})

    def _build(self) -> None:
        """In a thread: the API, then the UI; each part's lifespan started in the server's loop."""
        import asyncio
        import logging

        def on_loop(coroutine):
            return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

        log = logging.getLogger("reso.http")
        try:
            app = create_app(self.settings, with_ui=False, with_mcp=False)
            services: Services = app.state.services
            warm_up = getattr(services.assistant, "warm_up", None)  # a test's fake assistant has none
            if warm_up is not None:
                warm_up()
            services.library.documents()  # what /api/health and the document filters read first
            on_loop(self._start_lifespan(app))
            self._api_routes = tuple(app.router.routes)
            self.app = app
            self._loop.call_soon_threadsafe(self._api_ready.set)
            log.info("reso: the API answers, %.1f s after start", time.monotonic() - self._created)
        except BaseException as exc:  # reported to every waiting request and to the caller, then the server stops
            log.error("reso could not start", exc_info=exc)
            self.error = exc
            self._loop.call_soon_threadsafe(self._api_ready.set)
            self._loop.call_soon_threadsafe(self._ui_ready.set)
            self.on_failure()
            return
        try:
            on_loop(self._start_lifespan(install_running(app, lambda a: self._install_rest(a, services))))
            log.info("reso: %s ready, %.1f s after start", "MCP and the web UI" if self.with_ui else "MCP",
                     time.monotonic() - self._created)
        except Exception as exc:  # the API answers already: a UI or MCP that cannot be built does not stop it
            log.error("reso: MCP or the web UI could not be built; the API keeps answering", exc_info=exc)
        except BaseException as exc:  # reported to every waiting request and to the caller, then the server stops
            log.error("reso could not start", exc_info=exc)
            self.error = exc
            self._loop.call_soon_threadsafe(self._api_ready.set)
            self.on_failure()
        finally:
            self._loop.call_soon_threadsafe(self._ui_ready.set)
        warm_languages = getattr(services.assistant, "warm_up_languages", None)
        if warm_languages is not None and self.error is None:
            try:  # every language's first question as fast as the next ones, once all else answers
                t0 = time.monotonic()
                warmed = warm_languages()
                log.info("reso: %s warmed up in %.1f s", ", ".join(warmed) or "no language", time.monotonic() - t0)
            except Exception as exc:  # a warm-up is an optimisation: the next question does the same work
                log.warning("reso: the languages' warm-up failed (%s)", exc)
        warm_lineage = getattr(services.assistant, "warm_up_lineage", None)
        if warm_lineage is not None and self.error is None:
            try:
                t0 = time.monotonic()
                if warm_lineage():
                    log.info("reso: the reference graph built in %.1f s", time.monotonic() - t0)
            except Exception as exc:
                log.warning("reso: the reference graph's warm-up failed (%s)", exc)
        log.info("reso: %s, %.1f s after start", WARM, time.monotonic() - self._created)

    def _install_rest(self, app, services: Services) -> None:
        from reso.ui import mcp

        mcp.install(app, services)
        if self.with_ui:
            mount_ui(app, services)

    async def _start_lifespan(self, app) -> None:
        """Run `app`'s lifespan as a server would, until our own shutdown."""
        import asyncio

        inbox: asyncio.Queue = asyncio.Queue()
        started = asyncio.get_running_loop().create_future()

        async def receive():
            return await inbox.get()

        async def send(message):
            kind = message["type"]
            if kind == "lifespan.startup.complete" and not started.done():
                started.set_result(None)
            elif kind == "lifespan.startup.failed" and not started.done():
                started.set_exception(RuntimeError(message.get("message") or "lifespan startup failed"))

        await inbox.put({"type": "lifespan.startup"})
        task = asyncio.ensure_future(app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": self._state},
                                         receive, send))
        task.add_done_callback(lambda t: started.done() or started.set_exception(
            t.exception() or RuntimeError("the lifespan ended before its startup")))
        await started
        self._lifespans.append((lambda: inbox.put_nowait({"type": "lifespan.shutdown"}), task))
