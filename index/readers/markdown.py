"""Markdown (`.md`) → `Resolution`: the kind of file PDF-to-text tools make of a UN resolution.

A Markdown extraction is the PDF's text with light markup: YAML front matter (optional), `#`
headings, `**bold**`/`*italic*`, `[links](…)`, footnote references `[^1]` and definitions
`[^1]: A/54/298.` at the end, a `---` rule before them. This module takes the markup away and
hands the text to `text.parse_text`, so the paragraphs follow exactly the rules of every other
format:

* front matter: `symbol` is used when the text prints none (its printed symbol wins), `title`
  when the text has no numbered title line, `date` when it prints no adoption date; the other keys
  are ignored. Only flat `key: value` lines are read (no YAML library, no code run).
* footnote definitions become the text reader's footnote block (a rule, then `1 A/54/298.`), and
  `[^1]` references become markers glued to their word, as a PDF prints them.
* headings lose their `#`, emphasis its stars and underscores, links keep their words; a line that
  is only a horizontal rule (`---`, `***`) goes.

Running page headers an extractor left in the text (the symbol beside the title, a job number
and page, `A/RES/80/12 2/5`) are removed by the text reader's furniture rules, also when they sit in
the middle of a paragraph.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from reso.errors import UnreadableFile
from reso.index.model import Resolution
from reso.index.readers import file_bytes
from reso.index.readers.text import decode_text, parse_text

_FRONT = re.compile(r"\A\ufeff?---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")
_FOOTNOTE_DEF = re.compile(r"^\[\^(\d{1,3})\]:\s*(.*)$")
_FOOTNOTE_REF = re.compile(r"\s?\[\^(\d{1,3})\]")
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")


def read(path: Path) -> Resolution:
    path = Path(path)
    return parse_markdown(decode_text(file_bytes(path), str(path)), source=str(path))


def front_matter(text: str) -> tuple[dict[str, str], str]:
    """(flat `key: value` pairs of the YAML front matter, the rest of the text)."""
    m = _FRONT.match(text)
    if not m:
        return {}, text
    fields: dict[str, str] = {}
    for line in m.group(1).splitlines():
        if km := _KEY.match(line):
            fields[km.group(1).lower()] = km.group(2).strip().strip("\"'")
    return fields, text[m.end():]


def to_text(markdown: str) -> str:
    """The text a PDF extractor would have printed: markup removed, footnotes as a footnote block."""
    notes: list[str] = []
    lines: list[str] = []
    for line in markdown.splitlines():
        if m := _FOOTNOTE_DEF.match(line.strip()):
            notes.append(f"{m.group(1)} {m.group(2)}")
            continue
        if _RULE.match(line):
            lines.append("")
            continue
        line = _HEADING.sub("", line)
        line = _LINK.sub(r"\1", line)
        line = _EMPHASIS.sub(r"\2", line)
        line = _FOOTNOTE_REF.sub(r"\1", line)
        lines.append(line.replace("\\", ""))
    text = "\n".join(lines).rstrip()
    if notes:
        text += "\n\n__________________\n" + "\n".join(notes) + "\n"
    return text


def parse_markdown(markdown: str, source: str = "") -> Resolution:
    fields, body = front_matter(markdown)
    text = to_text(body)
    if not text.strip():
        raise UnreadableFile(source or "<markdown>", "empty file: no text")
    res = parse_text(text, source=source, symbol_hint=fields.get("symbol") or None)
    if not res.title and fields.get("title"):
        res.title = fields["title"].rstrip(" :")
    if res.adopted is None and (when := _date(fields.get("date", ""))):
        res.adopted = when
        res.warnings.append(f"adoption date {when} taken from the front matter")
    return res


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None
