"""The embeddable helpdesk widget: `GET /widget.js` and a host page to try it, `GET /widget-demo`.

The script is served from the package (ui/static/widget.js, shipped as package data) rather
than a CDN, so an embedding site talks to exactly one server, the one that answers.
When `public_url` is set, it is written into the script at install time: behind a proxy the
address a browser fetched the script from is not always where citation links should point.
The script is built once per app, so it gets a strong ETag and a short public cache lifetime —
short because a deploy must reach embedding sites within minutes, not days.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from reso.ui.services import Services

STATIC = Path(__file__).resolve().parent / "static"
WIDGET_JS = STATIC / "widget.js"
PLACEHOLDER = '/*RESO_PUBLIC_URL*/ ""'
CACHE_CONTROL = "public, max-age=300"


def _public_base(public_url: str | None) -> str:
    """The configured base URL with a trailing slash, or "" when unset or not http(s)."""
    if not public_url:
        return ""
    parts = urlsplit(public_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return public_url.strip().rstrip("/") + "/"


def render_script(public_url: str | None) -> bytes:
    source = WIDGET_JS.read_text(encoding="utf-8")
    if PLACEHOLDER not in source:  # the hook is part of the file's contract with this module
        raise RuntimeError(f"{WIDGET_JS} lost its {PLACEHOLDER} placeholder")
    # json.dumps gives a valid JS string literal; "<" escaped so the text is inert in any context
    literal = json.dumps(_public_base(public_url)).replace("<", "\\u003c")
    return source.replace(PLACEHOLDER, literal, 1).encode("utf-8")


_DEMO = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>reso widget demo</title>
<style>
  body {{ font: 17px/1.5 Georgia, serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #222; }}
  code, pre {{ font: 14px/1.4 ui-monospace, monospace; }}
  pre {{ background: #f3f3f3; padding: .75rem; overflow-x: auto; white-space: pre-wrap; }}
  nav a {{ margin-right: 1rem; }}
</style>
</head>
<body>
<h1>{heading}</h1>
<p>{intro}</p>
<pre><code>{snippet}</code></pre>
<p>{options}</p>
<nav><a href="?lang=en">English</a> <a href="?lang=fr">Français</a>
<a href="?lang={lang}&amp;position=left">{left}</a></nav>
<script src="{src}" data-title="{title}" data-language="{lang}" data-position="{position}" defer></script>
</body>
</html>
"""

_DEMO_TEXT = {
    "en": {
        "heading": "An ordinary web page with the reso widget",
        "intro": "The button in the corner is the widget. Any site can add it with one line:",
        "options": "Options: data-title (panel title), data-language (en, fr; default: the page's language), "
        "data-position (right or left).",
        "title": "Help with UN resolutions",
        "left": "Button on the left",
    },
    "fr": {
        "heading": "Une page web ordinaire avec le widget reso",
        "intro": "Le bouton dans le coin est le widget. N'importe quel site peut l'ajouter avec une ligne :",
        "options": "Options : data-title (titre du panneau), data-language (en, fr ; par défaut la langue de la "
        "page), data-position (right ou left).",
        "title": "Aide sur les résolutions de l'ONU",
        "left": "Bouton à gauche",
    },
}


def _demo_style_hash() -> str:
    """The CSP source of the demo page's own <style> block: the page needs no 'unsafe-inline', and
    neither does the widget (its styles are a constructable sheet in its shadow root)."""
    page = _DEMO.format(lang="en", position="right", src="", snippet="", **_DEMO_TEXT["en"])
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    assert style is not None
    return "'sha256-" + base64.b64encode(hashlib.sha256(style.group(1).encode("utf-8")).digest()).decode() + "'"


DEMO_STYLE = _demo_style_hash()


def install(app, services: Services) -> None:
    public_base = _public_base(services.settings.public_url)
    body = render_script(services.settings.public_url)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    js_headers = {
        "Cache-Control": CACHE_CONTROL,
        "ETag": etag,
        "X-Content-Type-Options": "nosniff",
        # pages that isolate themselves (COEP) may still load the script from this origin
        "Cross-Origin-Resource-Policy": "cross-origin",
    }

    def widget_js(request: Request) -> Response:
        if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
            return Response(status_code=304, headers=js_headers)
        return Response(body, media_type="application/javascript; charset=utf-8", headers=js_headers)

    def widget_demo(request: Request, lang: str = "en", position: str = "right") -> HTMLResponse:
        lang = lang if lang in _DEMO_TEXT else "en"  # echoed into the page: only known values
        position = "left" if position == "left" else "right"
        text = _DEMO_TEXT[lang]
        base = public_base or str(request.base_url)
        snippet = f'<script src="{base}widget.js" data-title="{text["title"]}" defer></script>'
        page = _DEMO.format(
            lang=lang,
            position=position,
            src=html.escape(base + "widget.js"),
            snippet=html.escape(snippet),
            **{k: html.escape(v) for k, v in text.items()},
        )
        connect = "'self'" + (f" {_origin(public_base)}" if public_base else "")
        # a strict policy, as a careful host site would have: proves the widget needs no inline
        # script, no eval and no inline style
        csp = (
            f"default-src 'none'; script-src 'self'; style-src 'self' {DEMO_STYLE}; "
            f"connect-src {connect}; img-src 'self' data:; base-uri 'none'; form-action 'none'"
        )
        if public_base:
            csp = csp.replace("script-src 'self'", f"script-src 'self' {_origin(public_base)}")
        return HTMLResponse(page, headers={"Content-Security-Policy": csp, "Cache-Control": "no-cache"})

    app.add_api_route("/widget.js", widget_js, methods=["GET", "HEAD"], include_in_schema=False)
    app.add_api_route("/widget-demo", widget_demo, methods=["GET", "HEAD"], include_in_schema=False)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
