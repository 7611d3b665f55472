"""DOCX → `Resolution`: the Word package's parts → text → `text.parse_text`.

A Word paragraph is already a whole paragraph, which a PDF never tells us. That knowledge is
kept by writing each one as an indented line followed by a blank line and by asking the text
parser to split on blank lines only (`paragraph_breaks="blank_lines"`); line breaks inside a
Word paragraph stay inside it. Tables are read cell by cell, in document order.

What a UN DOCX holds outside its body text, and how it is read:

- **The header block** (organ, symbol, "Distr.: General", date) lives in the first section's
  first-page header, not in the body: a Security Council resolution prints its symbol nowhere
  else. Its paragraphs are put before the body text, where a PDF's text layer has them, so the
  text parser reads the symbol (and whatever else it recognises) from the cover as it does for a
  PDF. Without a first-page header, the default header (the running one: symbol and title) is
  used the same way. The first-page footer holds the job number (`22-04067 (E)`) and the barcode
  line: `header_block` returns them.
- **Running headers and footers** (symbol, title, `2/4   22-04067`) live in the default and even
  headers and footers, outside the body; a body paragraph that repeats one of them word for word
  (a file converted from a PDF) is dropped.
- **Footnotes**: a Word footnote is a `w:footnoteReference` run in the text and a body in
  `footnotes.xml` (endnotes likewise). The reference is dropped from the paragraph's text and the
  note's body becomes a footnote of the paragraph that cites it, never a paragraph. A footnote
  number typed as a superscript run ("Council¹") is dropped from the text too: UN texts glue
  their markers to words, so a kept marker would change the word ("Council1"). Superscripts that
  are not digits ("42<sup>e</sup> séance", "1<sup>er</sup>") are text and stay.
- **Labels**: a numbered paragraph prints its label, a tab, then its text (`1.<tab>Decides`); the
  Arabic label `1 -` (the UN's Arabic style) is read as the `1-` the text parser knows.
- **Levels**: a sub-paragraph's level is where its first line starts (`_renest`, `common.renest`).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from reso.errors import UnreadableFile
from reso.index.model import Paragraph, Resolution
from reso.index.readers.common import give_ids, label_key, renest
from reso.index.readers.text import _clean as clean_text  # the parser's spacing rules, to find its text
from reso.index.readers.text import parse_text

INDENT = "    "
MAX_UNZIPPED_BYTES = 256 * 2 ** 20  # a Word resolution, images included, is a few MB once unzipped

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_RT_FOOTNOTES = f"{_R}/footnotes"
_RT_ENDNOTES = f"{_R}/endnotes"


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


# containers whose runs are part of the paragraph's text (hyperlinks, tracked insertions, fields,
# content controls, smart tags); deleted text (`w:del`, `w:moveFrom`) and anything else is not
_INLINE_CONTAINERS = {_w(t) for t in ("hyperlink", "ins", "moveTo", "fldSimple", "smartTag", "customXml", "sdt",
                                      "sdtContent", "dir", "bdo")}
_BLOCK_CONTAINERS = {_w(t) for t in ("sdt", "sdtContent", "customXml", "ins", "moveTo")}
_NOTE_REFERENCES = {_w("footnoteReference"), _w("endnoteReference")}
_NOTE_STYLES = re.compile(r"(?:foot|end)note\s*ref", re.I)
_MARKER = re.compile(r"\s*\d{1,3}(?:\s*[,،，]\s*\d{1,3})*\s*")  # "1", "12", "3,4"
_SPACED_LABEL = re.compile(r"^(\d{1,3})[ \u00a0]+-(?=[\t \u00a0])")  # Arabic "1 -<tab>" or "1 - " → "1-"
# "1)", "(1)", "а)", the Arabic "’1‘" or a bullet ("-" too), before a tab
_ITEM_LABEL = re.compile(r"\s*(\(?[^\W_]{1,4}[.)]|[’‘][^\W_]{1,4}[’‘]|[-•·▪◦○–—])\t")
_NUMBER_ONLY = re.compile(r"\s*\d{1,3}\s*[.-]?\s*")  # an operative paragraph's label printed alone
_LOOKAHEAD = 50  # Word paragraphs searched for a parsed paragraph's opening words (headings are skipped)
_JOB_NUMBER = re.compile(r"\b(\d{2}-\d{5})(?:\s*\(([A-Z])\))?")


@dataclass
class HeaderBlock:
    """What the first page prints outside the body: the header's lines and the footer's job number."""

    lines: list[str] = field(default_factory=list)  # the first-page header (or the running one), in order
    job_number: str | None = None  # "22-04067 (E)", or "22-04067" when no language letter is printed
    running: set[str] = field(default_factory=set)  # running header and footer paragraphs, normalised


@dataclass
class _Block:
    """One Word paragraph: its text, the bodies of the notes it cites, where its first line starts."""

    text: str
    notes: list[str] = field(default_factory=list)
    indent: int | None = None  # twips from the text column's leading edge; None when not known


def read(path: Path) -> Resolution:
    path = Path(path)
    blocks, header = _extract(path)
    resolution = parse_text(_as_text(header.lines, blocks), source=str(path), paragraph_breaks="blank_lines")
    owner = _owners(resolution, blocks)
    _attach_notes(owner, blocks)
    _split_items(owner, blocks)
    resolution.paragraphs = _renest(resolution.paragraphs, owner, blocks)
    resolution.annexes = _renest(resolution.annexes, owner, blocks)
    return resolution


def extract_text(path: Path) -> str:
    """The text the parser reads: the header block's lines, then the body's paragraphs."""
    blocks, header = _extract(Path(path))
    return _as_text(header.lines, blocks)


def header_block(path: Path) -> HeaderBlock:
    """The header block of a DOCX (first-page header lines, job number, running headers)."""
    return _header_block(_open(Path(path)))


def _as_text(header: list[str], blocks: list[_Block]) -> str:
    texts = [*header, *(b.text for b in blocks)]
    return "\n\n".join(INDENT + text.strip().replace("\n", "\n" + INDENT) for text in texts if text.strip())


def _open(path: Path):
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    where = str(path)
    if not path.is_file():
        raise UnreadableFile(where, "cannot read file: not found")
    if path.stat().st_size == 0:
        raise UnreadableFile(where, "empty file")
    try:
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except Exception as exc:  # BadZipFile, but also OSError/ValueError/EOFError on mangled headers  # noqa: BLE001
        raise UnreadableFile(where, f"not a valid DOCX (not a Word zip package): {exc or type(exc).__name__}") from exc
    if unzipped > MAX_UNZIPPED_BYTES:
        # python-docx loads every part in memory; zipfile never inflates more than the sizes declared
        raise UnreadableFile(where, f"not a valid DOCX: it would unzip to {unzipped / 2 ** 20:,.0f} MB "
                                    f"(a zip bomb?); the limit is {MAX_UNZIPPED_BYTES // 2 ** 20} MB")
    try:
        return docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile) as exc:
        raise UnreadableFile(where, f"not a valid DOCX (not a Word zip package): {exc}") from exc
    except Exception as exc:  # a zip that is not a Word document, broken XML …  # noqa: BLE001
        raise UnreadableFile(where, f"not a valid DOCX: {exc or type(exc).__name__}") from exc


def _extract(path: Path) -> tuple[list[_Block], HeaderBlock]:
    where = str(path)
    document = _open(path)
    try:
        body = document.element.body
        notes = _notes(document)
        blocks = [b for b in _blocks(body, notes, _Styles(document)) if b.text.strip()]
    except Exception as exc:  # python-docx walks whatever XML it got: no <w:body>, a renamed root …  # noqa: BLE001
        raise UnreadableFile(where, f"not a valid DOCX: its main part holds no Word body "
                                    f"({type(exc).__name__}: {exc})") from exc
    try:
        header = _header_block(document)
    except Exception:  # noqa: BLE001 - a broken header part: the body is still the document
        header = HeaderBlock()
    blocks = [b for b in blocks if _normalised(b.text) not in header.running]
    if not blocks:
        raise UnreadableFile(where, "empty DOCX: no text in its paragraphs")
    return blocks, header


# ------------------------------------------------------------------------------------ body text


class _Styles:
    """Where a paragraph's first line starts, from its own properties or its style's (`basedOn`
    followed), in twips. Indents set by list numbering (`w:numPr`) are not read."""

    def __init__(self, document=None):
        self.by_id: dict[str, object] = {}
        self.default = None
        self.cache: dict[str, dict[str, int]] = {}
        if document is None:
            return
        try:
            root = document.styles.element
        except Exception:  # noqa: BLE001 - no or broken styles part: paragraphs' own indents only
            return
        for style in root.findall(_w("style")):
            if style.get(_w("type")) == "paragraph":
                self.by_id[style.get(_w("styleId"), "")] = style
                if style.get(_w("default")) in ("1", "true", "on"):
                    self.default = style.get(_w("styleId"), "")

    def indent(self, p) -> int:
        props = p.find(_w("pPr"))
        style_id = self.default
        values: dict[str, int] = {}
        if props is not None:
            style = props.find(_w("pStyle"))
            if style is not None:
                style_id = style.get(_w("val"), style_id)
            values = _ind(props)
        merged = {**self._style(style_id or "", 0), **values}
        rtl = props is not None and props.find(_w("bidi")) is not None
        lead = merged.get("right" if rtl else "left", merged.get("end" if rtl else "start", 0))
        return lead + merged.get("firstLine", 0) - merged.get("hanging", 0)

    def _style(self, style_id: str, depth: int) -> dict[str, int]:
        if style_id in self.cache:
            return self.cache[style_id]
        style = self.by_id.get(style_id)
        values: dict[str, int] = {}
        if style is not None and depth < 20:
            based = style.find(_w("basedOn"))
            if based is not None:
                values = dict(self._style(based.get(_w("val"), ""), depth + 1))
            props = style.find(_w("pPr"))
            if props is not None:
                values.update(_ind(props))
        self.cache[style_id] = values
        return values


def _ind(props) -> dict[str, int]:
    ind = props.find(_w("ind"))
    if ind is None:
        return {}
    out = {}
    for name in ("left", "start", "right", "end", "firstLine", "hanging"):
        value = ind.get(_w(name))
        if value is not None:
            try:
                out[name] = int(float(value))
            except ValueError:
                continue
    if "hanging" in out:  # a hanging indent replaces a first-line one, and the reverse
        out.setdefault("firstLine", 0)
    elif "firstLine" in out:
        out["hanging"] = 0
    return out


def _blocks(container, notes: dict[tuple[str, str], str], styles: _Styles | None = None):
    """Paragraphs in document order; a table's cells one after the other (merged cells once)."""
    styles = styles or _Styles()
    for child in container:
        if child.tag == _w("p"):
            yield _paragraph(child, notes, styles)
        elif child.tag == _w("tbl"):
            for row in child.iter(_w("tr")):
                for cell in row.findall(_w("tc")):
                    yield from _blocks(cell, notes, styles)
        elif child.tag in _BLOCK_CONTAINERS:
            yield from _blocks(child, notes, styles)


def _paragraph(p, notes: dict[tuple[str, str], str], styles: _Styles) -> _Block:
    pieces: list[str] = []
    cited: list[str] = []
    runs = list(_runs(p))
    skip_next_mark = False
    for run in runs:
        reference = next((c for c in run if c.tag in _NOTE_REFERENCES), None)
        if reference is not None:
            kind = "footnote" if reference.tag == _w("footnoteReference") else "endnote"
            body = notes.get((kind, reference.get(_w("id"), "")))
            if body:
                cited.append(body)
            # a custom mark ("*") is typed in the run that follows the reference
            skip_next_mark = reference.get(_w("customMarkFollows")) in ("1", "true", "on")
            continue
        text = _run_text(run)
        if skip_next_mark:
            skip_next_mark = False
            if len(text.strip()) <= 3:
                continue
        if _is_marker_run(run, text):
            continue
        pieces.append(text)
    text = "".join(pieces)
    return _Block(_SPACED_LABEL.sub(r"\1-", text), cited, styles.indent(p))


def _runs(element):
    for child in element:
        if child.tag == _w("r"):
            yield child
        elif child.tag in _INLINE_CONTAINERS:
            yield from _runs(child)


def _run_text(run) -> str:
    out: list[str] = []
    for child in run:
        tag = child.tag
        if tag == _w("t"):
            out.append(child.text or "")
        elif tag == _w("tab") or tag == _w("ptab"):
            out.append("\t")
        elif tag in (_w("br"), _w("cr")):
            out.append("\n")
        elif tag == _w("noBreakHyphen"):
            out.append("-")
        elif tag == _w("softHyphen"):
            out.append("\u00ad")
    return "".join(out)


def _is_marker_run(run, text: str) -> bool:
    """A footnote number typed as a raised run: superscript (directly or by a footnote-reference
    character style) and nothing but one to three digits (or a few, comma-separated)."""
    if not text or not _MARKER.fullmatch(text):
        return False
    props = run.find(_w("rPr"))
    if props is None:
        return False
    align = props.find(_w("vertAlign"))
    if align is not None and align.get(_w("val")) == "superscript":
        return True
    style = props.find(_w("rStyle"))
    return style is not None and bool(_NOTE_STYLES.search(style.get(_w("val"), "")))


def _notes(document) -> dict[tuple[str, str], str]:
    """("footnote" | "endnote", id) → the note's text; separators (ids -1, 0 …) have a w:type."""
    from docx.oxml import parse_xml

    found: dict[tuple[str, str], str] = {}
    for rel in document.part.rels.values():
        if rel.is_external or rel.reltype not in (_RT_FOOTNOTES, _RT_ENDNOTES):
            continue
        kind = "footnote" if rel.reltype == _RT_FOOTNOTES else "endnote"
        part = rel.target_part
        root = getattr(part, "element", None)
        if root is None:
            root = parse_xml(part.blob)
        for note in root.findall(_w(kind)):
            if note.get(_w("type")) not in (None, "normal"):
                continue
            text = " ".join(" ".join(b.text.split()) for b in _blocks(note, {}) if b.text.strip())
            if text:
                found[(kind, note.get(_w("id"), ""))] = text
    return found


def _owners(resolution: Resolution, blocks: list[_Block]) -> list[tuple[Paragraph, int]]:
    """Each parsed paragraph with the Word paragraph it starts in, in order. The parser's text is
    the Word text without its label, spaced by its own rules: whitespace aside, the paragraph's
    opening words are inside that Word paragraph (or, when it runs on over several, the first one
    is its opening). Looked for a few paragraphs ahead only."""
    keys = [_key(b.text) for b in blocks]
    bodies = [_key(re.sub(r"^\s*\S{1,8}\t", "", b.text)) for b in blocks]  # without the label
    owners: list[tuple[Paragraph, int]] = []
    cursor = 0
    for top in [*resolution.paragraphs, *resolution.annexes]:
        for paragraph in top.walk():
            text = _key(paragraph.text)
            key = text[:60]
            if not key:
                continue
            for k in range(cursor, min(len(keys), cursor + _LOOKAHEAD)):
                # its opening words in this Word paragraph, or this whole Word paragraph opening it
                if key in keys[k] or (len(bodies[k]) >= 8 and text.startswith(bodies[k])):
                    owners.append((paragraph, k))
                    cursor = k + 1
                    break
    return owners


def _attach_notes(owners: list[tuple[Paragraph, int]], blocks: list[_Block]) -> None:
    """A note's body goes to the paragraph whose Word paragraph (or a continuation of it) cites it."""
    for i, (paragraph, start) in enumerate(owners):
        end = owners[i + 1][1] if i + 1 < len(owners) else len(blocks)
        for block in blocks[start:end]:
            paragraph.footnotes.extend(n for n in block.notes if n not in paragraph.footnotes)


def _split_items(owners: list[tuple[Paragraph, int]], blocks: list[_Block]) -> None:
    """Labelled items the text parser does not know as labels ("1)", "(1)", the Cyrillic "а)")
    are joined to the paragraph before them as its continuation. In a DOCX each is a Word
    paragraph of its own, its label followed by a tab and its first line deeper than that
    paragraph's: such items become sub-paragraphs of it, with the ids their labels give. An item
    joined to a sub-paragraph and not deeper than it is put under it too, for `_renest` to move it
    to its level (in a document without levels in its indents it stays there: a wrong level, but
    its own paragraph rather than text of another)."""
    added: list[tuple[Paragraph, int]] = []
    for i, (paragraph, start) in enumerate(owners):
        # "58." alone in its Word paragraph, then "a)<tab>Requests…": the parser reads one paragraph
        # "58. a) Requests…"; the Word paragraphs say it is OP58, empty, and its (a)
        m = _ITEM_LABEL.match(blocks[start].text)
        if (m and start and paragraph.kind != "subparagraph" and _NUMBER_ONLY.fullmatch(blocks[start - 1].text)
                and paragraph.text.startswith(m[1]) and label_key(m[1])):
            child = Paragraph(pid=f"{paragraph.pid}({label_key(m[1])})", kind="subparagraph",
                              text=paragraph.text[len(m[1]):].strip(), number=m[1])
            paragraph.text = ""
            paragraph.children.insert(0, child)
            owners[i] = (paragraph, start - 1)
            added.append((child, start))
            continue
        end = owners[i + 1][1] if i + 1 < len(owners) else len(blocks)
        own = blocks[start].indent
        items = []
        for k in range(start + 1, end):
            block = blocks[k]
            m = _ITEM_LABEL.match(block.text)
            if m is None or own is None or block.indent is None or m[1] != m[1].lower():
                continue  # "A." and "(B)" are headings to the parser, as in the AKN reader
            if block.indent <= own and paragraph.kind != "subparagraph":
                continue
            items.append((k, m[1], clean_text(f"{m[1]} {block.text[m.end():]}")[:40]))
        if not items:
            continue
        found, pos = [], 0
        for item in list(items):
            at = paragraph.text.find(item[2], pos)
            if at < 0:  # not in this paragraph's text (the parser read it otherwise): left as it is
                items.remove(item)
                continue
            found.append(at)
            pos = at + len(item[2])
        if not items:
            continue
        children = []
        for j, (k, printed, _) in enumerate(items):
            stop = found[j + 1] if j + 1 < len(items) else len(paragraph.text)
            child = Paragraph(pid=f"{paragraph.pid}({label_key(printed) or 'bullet'})", kind="subparagraph",
                              text=paragraph.text[found[j] + len(printed):stop].strip(), number=printed)
            children.append(child)
            added.append((child, k))
        paragraph.text = paragraph.text[:found[0]].rstrip()
        paragraph.children[0:0] = children
        give_ids(paragraph)  # bullets are numbered in order
    owners.extend(added)


def _renest(tops: list[Paragraph], owners: list[tuple[Paragraph, int]], blocks: list[_Block]) -> list[Paragraph]:
    """Sub-paragraph levels from the Word indents (`common.renest`, the rule the text reader applies
    to a PDF's first-line indents): a Word paragraph says where its first line starts, in twips, and
    UN documents indent each level further. A numbered paragraph moved into the list of the one
    above keeps the label its Word paragraph prints."""
    indent = {id(p): blocks[k].indent for p, k in owners}
    label = {id(p): _printed_label(blocks[k].text) for p, k in owners}
    return renest(tops, indent, 1, label)


def _printed_label(text: str) -> str | None:
    m = re.match(r"\s*([^\s\t]{1,8})\t", text)
    return m.group(1) if m else None


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("\u00ad", ""))


def _normalised(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split())


# ------------------------------------------------------------------------------ headers, footers


def _header_block(document) -> HeaderBlock:
    """The first section's first-page header (its default header when it has none) and first-page
    footer; the running headers and footers of every section."""
    from docx.oxml import parse_xml

    def paragraphs(rid: str) -> list[str]:
        part = document.part.related_parts.get(rid)
        if part is None:
            return []
        root = getattr(part, "element", None)
        if root is None:
            root = parse_xml(part.blob)
        return [b.text for b in _blocks(root, {}) if b.text.strip()]

    block = HeaderBlock()
    sections = list(document.element.body.iter(_w("sectPr")))
    # the body's last sectPr describes the last section; the first section's is the first one found
    for index, sect in enumerate(sections):
        refs: dict[tuple[str, str], str] = {}
        for ref in sect:
            if ref.tag in (_w("headerReference"), _w("footerReference")):
                where = "header" if ref.tag == _w("headerReference") else "footer"
                refs[(where, ref.get(_w("type"), "default"))] = ref.get(f"{{{_R}}}id", "")
        title_page = sect.find(_w("titlePg"))
        first_page = title_page is not None and title_page.get(_w("val"), "1") not in ("0", "false", "off")
        if index == 0:
            header = refs.get(("header", "first")) if first_page else None
            lines = paragraphs(header) if header else []
            block.lines = lines or (paragraphs(refs[("header", "default")]) if ("header", "default") in refs else [])
            footer = refs.get(("footer", "first" if first_page else "default"))
            for text in paragraphs(footer) if footer else []:
                if block.job_number is None and (m := _JOB_NUMBER.search(text)):
                    block.job_number = f"{m[1]} ({m[2]})" if m[2] else m[1]
        for (where, kind), rid in refs.items():
            if kind in ("default", "even"):
                block.running.update(_normalised(t) for t in paragraphs(rid))
    block.running.discard("")
    return block
