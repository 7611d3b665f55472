"""HTML → `Resolution`: block elements → lines → `text.parse_text`.

Each block element (p, div, li, h1…, td …) becomes one paragraph-sized block and `<br>` a line
break inside it; whitespace from the source's own formatting is collapsed, and script, style and
other non-content elements are dropped with their text. Blocks are separated by blank lines and
parsed with `paragraph_breaks="blank_lines"`, as DOCX paragraphs are.
"""

from __future__ import annotations

import re
from pathlib import Path

from reso.errors import UnreadableFile
from reso.index.readers import file_bytes
from reso.index.model import Resolution
from reso.index.readers.text import decode_text, parse_text

BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "html", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
})
DROPPED = frozenset({"script", "style", "noscript", "template", "head", "title", "meta", "link", "svg", "iframe",
                     "object", "button", "select", "textarea"})
_BLOCK, _BR = "\x1e", "\x1f"


def read(path: Path) -> Resolution:
    path = Path(path)
    data = file_bytes(path)
    return parse_html(decode_text(data, str(path)), source=str(path))


def parse_html(markup: str, source: str = "") -> Resolution:
    return parse_text(html_to_text(markup, source), source=source, paragraph_breaks="blank_lines")


def html_to_text(markup: str, source: str = "") -> str:
    import lxml.etree
    import lxml.html

    markup = re.sub(r"^\s*<\?xml[^>]*\?>", "", markup)  # lxml refuses str input with an encoding declaration
    try:
        root = lxml.html.document_fromstring(markup)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise UnreadableFile(source or "<html>", f"not readable as HTML: {exc}") from exc
    pieces: list[str] = []
    _walk(root, pieces)
    blocks = []
    for block in "".join(pieces).split(_BLOCK):
        lines = [" ".join(line.split()) for line in block.split(_BR)]
        text = "\n".join(line for line in lines if line)
        if text:
            blocks.append(text)
    return "\n\n".join(blocks)


def _walk(node, out: list[str]) -> None:
    tag = node.tag.lower() if isinstance(node.tag, str) else None  # comments and PIs have no str tag
    if tag is not None and tag not in DROPPED:
        block = tag in BLOCKS
        if block:
            out.append(_BLOCK)
        if tag == "br":
            out.append(_BR)
        out.append(node.text or "")
        for child in node:
            _walk(child, out)
        if block:
            out.append(_BLOCK)
    out.append(node.tail or "")
