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
<html lang="{lang}" dir="{dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>reso widget demo</title>
<style>
  body {{ font: 17px/1.5 Georgia, serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #222; }}
  code, pre {{ font: 14px/1.4 ui-monospace, monospace; }}
  pre {{ background: #f3f3f3; padding: .75rem; overflow-x: auto; white-space: pre-wrap; }}
  nav a {{ margin-inline-end: 1rem; }}
</style>
</head>
<body>
<h1>{heading}</h1>
<p>{intro}</p>
<pre dir="ltr"><code>{snippet}</code></pre>
<p>{options}</p>
<nav><a href="?lang=ar" lang="ar">العربية</a> <a href="?lang=zh" lang="zh">中文</a> <a href="?lang=en">English</a>
<a href="?lang=fr">Français</a> <a href="?lang=ru" lang="ru">Русский</a> <a href="?lang=es" lang="es">Español</a>
<a href="?lang={lang}&amp;position={other}">{other_side}</a></nav>
<script src="{src}" data-title="{title}" data-language="{lang}" data-position="{position}" defer></script>
</body>
</html>
"""

_DEMO_TEXT = {
    "en": {
        "heading": "An ordinary web page with the reso widget",
        "intro": "The button in the corner is the widget. Any site can add it with one line:",
        "options": "Options: data-title (panel title), data-language (ar, zh, en, fr, ru, es; default: the page's "
        "language), data-position (right or left; default: right, left in Arabic).",
        "title": "Help with UN resolutions",
        "left": "Button on the left",
        "right": "Button on the right",
    },
    "fr": {
        "heading": "Une page web ordinaire avec le widget reso",
        "intro": "Le bouton dans le coin est le widget. N'importe quel site peut l'ajouter avec une ligne :",
        "options": "Options : data-title (titre du panneau), data-language (ar, zh, en, fr, ru, es ; par défaut la "
        "langue de la page), data-position (right ou left ; par défaut right, left en arabe).",
        "title": "Aide sur les résolutions de l'ONU",
        "left": "Bouton à gauche",
        "right": "Bouton à droite",
    },
    "es": {
        "heading": "Una página web corriente con el widget reso",
        "intro": "El botón de la esquina es el widget. Cualquier sitio puede añadirlo con una línea:",
        "options": "Opciones: data-title (título del panel), data-language (ar, zh, en, fr, ru, es; por defecto, el "
        "idioma de la página), data-position (right o left; por defecto right, left en árabe).",
        "title": "Ayuda sobre las resoluciones de las Naciones Unidas",
        "left": "Botón a la izquierda",
        "right": "Botón a la derecha",
    },
    "ar": {
        "heading": "صفحة ويب عادية مع أداة reso",
        "intro": "الزر الموجود في الزاوية هو الأداة. يمكن لأي موقع إضافتها بسطر واحد:",
        "options": "الخيارات: data-title (عنوان اللوحة)، data-language (ar، zh، en، fr، ru، es؛ افتراضيا لغة "
        "الصفحة)، data-position (right أو left؛ افتراضيا left بالعربية).",
        "title": "مساعدة بشأن قرارات الأمم المتحدة",
        "left": "الزر على اليسار",
        "right": "الزر على اليمين",
    },
    "zh": {
        "heading": "嵌有 reso 小组件的普通网页",
        "intro": "角落里的按钮就是小组件。任何网站都可以用一行代码添加它：",
        "options": "选项：data-title（面板标题）、data-language（ar、zh、en、fr、ru、es；默认为网页的语言）、"
        "data-position（right 或 left；默认为 right，阿拉伯文为 left）。",
        "title": "联合国决议帮助",
        "left": "按钮在左侧",
        "right": "按钮在右侧",
    },
    "ru": {
        "heading": "Обычная веб-страница с виджетом reso",
        "intro": "Кнопка в углу — это виджет. Любой сайт может добавить его одной строкой:",
        "options": "Параметры: data-title (заголовок панели), data-language (ar, zh, en, fr, ru, es; по умолчанию — "
        "язык страницы), data-position (right или left; по умолчанию right, в арабском — left).",
        "title": "Помощь по резолюциям ООН",
        "left": "Кнопка слева",
        "right": "Кнопка справа",
    },
}
RTL = frozenset({"ar"})


def _demo_style_hash() -> str:
    """The CSP source of the demo page's own <style> block: the page needs no 'unsafe-inline', and
    neither does the widget (its styles are a constructable sheet in its shadow root)."""
    page = _DEMO.format(lang="en", dir="ltr", position="right", other="left", other_side="", src="", snippet="", **_DEMO_TEXT["en"])
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

    def widget_demo(request: Request, lang: str = "en", position: str = "") -> HTMLResponse:
        lang = lang if lang in _DEMO_TEXT else "en"  # echoed into the page: only known values
        default = "left" if lang in RTL else "right"  # the widget's own default: the page shows it
        position = position if position in ("left", "right") else default
        other = "right" if position == "left" else "left"
        text = _DEMO_TEXT[lang]
        base = public_base or str(request.base_url)
        snippet = f'<script src="{base}widget.js" data-title="{text["title"]}" defer></script>'
        page = _DEMO.format(
            lang=lang,
            dir="rtl" if lang in RTL else "ltr",
            position=position,
            other=other,
            other_side=html.escape(text[other]),
            src=html.escape(base + "widget.js"),
            snippet=html.escape(snippet),
            **{k: html.escape(v) for k, v in text.items() if k not in ("left", "right")},
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
