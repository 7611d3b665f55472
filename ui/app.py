"""`create_app(settings)`: one ASGI app serving the HTTP API, the Gradio UI and the widget.

    /api/...      the HTTP API (CONTRACTS §5), described at /openapi.json   (ui/api.py)
    /widget.js    the embeddable helpdesk widget, plain JavaScript           (ui/static/widget.js)
    /             the Gradio UI                                             (ui/gradio_app.py)

The API routes are registered before Gradio is mounted at "/", so they take precedence.
"""

from __future__ import annotations

import os

from assistant.settings import Settings
from ui.services import Services


def create_app(settings: Settings | None = None, services: Services | None = None):
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    from fastapi import FastAPI

    settings = settings or (services.settings if services else Settings())
    services = services or Services.build(settings)
    app = FastAPI(title="reso", summary="Answers about UN resolutions that cite the exact paragraph.", version="0.1.0")
    app.state.services = services

    from ui import api, widget

    api.install(app, services)
    widget.install(app, services)

    import gradio as gr

    from ui import gradio_app

    # the theme is passed here: in Gradio 6 mount_gradio_app replaces the Blocks' own theme
    return gr.mount_gradio_app(app, gradio_app.build(services), path="/", theme=gradio_app.theme())
