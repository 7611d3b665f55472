"""A conversation as a Word document whose citations are real footnotes.

People at the UN write in Word; a citation that survives into their document is a footnote that
quotes the paragraph, not a bracket to look up. Each marker `[SYMBOL, PID]` of an answer keeps its
place in the text and gets a footnote reference after it; the footnote reads "SYMBOL, PID
(language): “the paragraph, verbatim”". One footnote per citation: a marker repeated in the same
answer points at the footnote already written (its number, in superscript).

python-docx has no footnote API, so the footnotes part (`word/footnotes.xml`, with the two
separator footnotes Word expects) is written here and related to the document part; the package
writer adds its content type. Used by `reso ask --docx`, `POST /api/export/docx` and, later, the
web UI's export button: they hand it `ExportTurn`s built from their answers.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reso.assistant.citations import MARKER, key
from reso.prompts import phrase
from reso.schema import CitationOut

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FOOTNOTES_URI = "/word/footnotes.xml"
FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
FOOTNOTES_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
# what XML 1.0 cannot hold (C0 controls but tab, newline, return; lone surrogates; U+FFFE/FFFF)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text or "")


_SEPARATORS = (
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
    '</w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
    'w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
)


@dataclass(frozen=True)
class ExportTurn:
    """One question and its answer: the text with its markers and the paragraphs they cite."""

    question: str
    answer: str
    citations: Sequence[CitationOut] = ()
    refused: bool = False


@dataclass
class _Footnotes:
    """The footnotes written so far: their XML and which citation each one quotes."""

    xml: list[str] = field(default_factory=list)
    ids: dict[tuple[str, str, int], int] = field(default_factory=dict)  # (doc, pid, turn) → footnote id

    def add(self, citation: CitationOut) -> int:
        from xml.sax.saxutils import escape

        n = len(self.xml) + 1
        label = phrase("docx_footnote", "en", document=citation.document, paragraph=citation.paragraph,
                       language=citation.language)
        self.xml.append(
            f'<w:footnote w:id="{n}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
            f'<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
            f'<w:r><w:t xml:space="preserve"> {escape(xml_safe(label))}</w:t></w:r>'
            f'<w:r><w:t xml:space="preserve">“{escape(xml_safe(citation.text))}”</w:t></w:r></w:p></w:footnote>'
        )
        return n

    def part_xml(self) -> bytes:
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:footnotes xmlns:w="{W_NS}">'
                f'{_SEPARATORS}{"".join(self.xml)}</w:footnotes>').encode("utf-8")


def _reference_run(paragraph, footnote_id: int, repeated: bool) -> None:
    """A superscript footnote reference after the marker (or, repeated, the footnote's number)."""
    from docx.oxml import parse_xml

    inner = f"<w:t>{footnote_id}</w:t>" if repeated else f'<w:footnoteReference w:id="{footnote_id}"/>'
    paragraph._p.append(parse_xml(
        f'<w:r xmlns:w="{W_NS}"><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>{inner}</w:r>'
    ))


def _answer_paragraph(document, turn: ExportTurn, n: int, notes: _Footnotes) -> None:
    by_key = {key(c.document, c.paragraph): c for c in turn.citations}
    paragraph = document.add_paragraph()
    at = 0
    for m in MARKER.finditer(turn.answer):
        citation = by_key.get(key(m.group(1).strip(), m.group(2).strip()))
        if citation is None:
            continue
        paragraph.add_run(xml_safe(turn.answer[at:m.end()]))
        at = m.end()
        slot = (*key(citation.document, citation.paragraph), n)
        repeated = slot in notes.ids
        if not repeated:
            notes.ids[slot] = notes.add(citation)
        _reference_run(paragraph, notes.ids[slot], repeated)
    paragraph.add_run(xml_safe(turn.answer[at:]))


def conversation_docx(turns: Sequence[ExportTurn], language: str = "en") -> bytes:
    """The conversation as DOCX bytes: each question, its answer with a footnote per citation."""
    from docx import Document
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    document = Document()
    document.add_heading(phrase("ui_export_title", language), level=1)
    notes = _Footnotes()
    for n, turn in enumerate(turns, 1):
        document.add_heading(phrase("ui_export_question", language, n=str(n)), level=2)
        document.add_paragraph(xml_safe(turn.question), style="Intense Quote")
        _answer_paragraph(document, turn, n, notes)
        if turn.refused:
            document.add_paragraph().add_run(phrase("ui_export_declined", language)).italic = True
    part = Part(PackURI(FOOTNOTES_URI), FOOTNOTES_CT, notes.part_xml(), document.part.package)
    document.part.relate_to(part, FOOTNOTES_RT)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def write_docx(path: Path, turns: Sequence[ExportTurn], language: str = "en") -> Path:
    path = Path(path)
    path.write_bytes(conversation_docx(turns, language))
    return path
