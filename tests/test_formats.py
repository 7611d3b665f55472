"""PDF, DOCX and HTML of the seed resolution give the same paragraphs as its .txt.

The documents are built here, laid out as the UN prints a resolution: title `30/25. …`, body
line, first-line-indented paragraphs wrapped over several lines (a compound hyphen at a line
end included), numbered operative paragraphs, the closing block, and in the PDF a page header
(symbol) and footer (job number, page number) on every page. Then the same 20 ids and the same
texts must come out of each format.
"""

from __future__ import annotations

import os
import random
import textwrap
from pathlib import Path

import pytest

from reso.index import readers
from reso.errors import UnreadableFile
from reso.index.model import Resolution
from reso.index.readers import docx as docx_reader
from reso.index.readers import html as html_reader
from reso.index.readers import pdf as pdf_reader
from reso.index.readers import text as text_reader

SYMBOL = "A/HRC/RES/30/25"
BODY_LINE = "Le Conseil des droits de l’homme,"
CLOSING = ["42e séance", "2 octobre 2015", "[Adoptée sans vote.]"]


def _font() -> Path:
    candidates = [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")]
    try:
        import matplotlib

        candidates.append(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")
    except ImportError:
        pass
    for font in candidates:
        if font.is_file():
            return font
    pytest.skip("no Unicode TTF font (DejaVuSans) to build a test PDF")


@pytest.fixture(scope="module")
def seed(seed_path) -> Resolution:
    return text_reader.read(seed_path)


def _blocks(seed: Resolution) -> list[tuple[str, str]]:
    """(label, text) of each paragraph in print order: "" for PP, "1." for OP."""
    return [(f"{p.number}." if p.number else "", p.text) for p in seed.paragraphs]


def _same_paragraphs(got: Resolution, want: Resolution) -> None:
    assert [p.pid for p in got.paragraphs] == [p.pid for p in want.paragraphs]
    for g, w in zip(got.paragraphs, want.paragraphs):
        assert g.text == w.text, g.pid
    assert got.title == want.title
    assert (got.symbol, got.language, got.body, got.adopted) == (want.symbol, want.language, want.body, want.adopted)
    assert got.vote.outcome == "without_vote"


# ------------------------------------------------------------------------------------------ PDF


def _build_pdf(seed: Resolution, path: Path, *, encrypt: dict | None = None) -> Path:
    from fpdf import FPDF

    class UNPage(FPDF):
        def header(self):
            self.set_font("DejaVu", size=8)
            self.cell(0, 5, SYMBOL, align="R", new_x="LMARGIN", new_y="NEXT")
            self.ln(6)

        def footer(self):
            self.set_y(-15)
            self.set_font("DejaVu", size=8)
            self.cell(0, 4, f"GE.15-17130 (F)        {self.page_no()}", new_x="LMARGIN", new_y="NEXT")

    pdf = UNPage(format="A4")
    pdf.add_font("DejaVu", "", str(_font()))
    pdf.set_margins(25, 15, 25)
    pdf.set_auto_page_break(True, margin=22)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    forced = {"non-sélectivité,": "non-|sélectivité,", "promotion": "pro-|motion"}

    def paragraph(text: str, indent: float = 10.0, gap: float = 3.0) -> None:
        pdf.set_font("DejaVu", size=10)
        for i, line in enumerate(_wrap(text, pdf.get_string_width, width, indent, forced)):
            pdf.set_x(pdf.l_margin + (indent if i == 0 else 0))
            pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    paragraph(f"30/25. {seed.title}", indent=0, gap=6)
    paragraph(BODY_LINE, gap=4)
    for label, text in _blocks(seed):
        paragraph(f"{label} {text}".strip())
    for line in CLOSING:
        paragraph(line, indent=0, gap=1)
    if encrypt:
        pdf.output(str(path.with_suffix(".plain.pdf")))
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(path.with_suffix(".plain.pdf")))
        writer.encrypt(**encrypt)
        with open(path, "wb") as fh:
            writer.write(fh)
    else:
        pdf.output(str(path))
    return path


def _wrap(text: str, measure, width: float, first_indent: float, forced: dict[str, str] | None = None) -> list[str]:
    """Greedy wrapping. `forced` maps a word to how it is broken at a line end the first time it
    occurs ("non-sélectivité" → "non-|sélectivité", or a typesetter's "pro-|motion")."""
    forced = forced if forced is not None else {}
    lines: list[str] = []
    current = ""
    words = text.split(" ")
    while words:
        word = words.pop(0)
        room = width - (first_indent if not lines else 0)
        if word in forced:
            head, tail = forced.pop(word).split("|")
            lines.append(f"{current} {head}".strip())
            current = ""
            words.insert(0, tail)
            continue
        candidate = f"{current} {word}".strip()
        if measure(candidate) <= room:
            current = candidate
            continue
        lines.append(current)
        current = word
    lines.append(current)
    return [line for line in lines if line]


def test_pdf_gives_the_seed_paragraphs(seed, tmp_path):
    path = _build_pdf(seed, tmp_path / "seed.pdf")
    text = pdf_reader.extract_text(path)
    assert text.count("\f") >= 1, "the seed should span several pages"
    assert text.count(SYMBOL) >= 2, "the page header is in the extracted text, for the parser to remove"
    got = readers.read(path)
    _same_paragraphs(got, seed)
    assert got.meeting == "42e séance"
    assert all("GE.15" not in p.text and SYMBOL not in p.text for p in got.paragraphs)


def test_pdf_words_broken_at_a_line_end_are_repaired(seed, tmp_path):
    path = _build_pdf(seed, tmp_path / "seed.pdf")
    lines = [line.strip() for line in pdf_reader.extract_text(path).splitlines()]
    assert any(line.endswith("non-") for line in lines) and any(line.endswith("pro-") for line in lines)
    pp2 = pdf_reader.read(path).find("PP2").text
    assert "non-sélectivité" in pp2  # a compound keeps its hyphen
    assert "favoriser la promotion et" in pp2  # a typesetter's break is joined: the text spells "promotion"


def test_pdf_encrypted_with_a_password_is_refused(seed, tmp_path):
    path = _build_pdf(seed, tmp_path / "locked.pdf",
                      encrypt={"user_password": "secret", "owner_password": "owner", "algorithm": "AES-128"})
    with pytest.raises(UnreadableFile) as err:
        readers.read(path)
    assert err.value.reason.startswith("encrypted PDF")
    assert err.value.path == str(path)


def test_pdf_encrypted_with_an_empty_user_password_is_read(seed, tmp_path):
    path = _build_pdf(seed, tmp_path / "owner-only.pdf",
                      encrypt={"user_password": "", "owner_password": "owner", "algorithm": "AES-128"})
    _same_paragraphs(readers.read(path), seed)


@pytest.mark.parametrize("content", [
    b"%PDF-1.7\n" + bytes(random.Random(1).randrange(256) for _ in range(3000)),
    b"this is not a pdf at all",
    b"",
])
def test_pdf_corrupt_bytes_are_refused(tmp_path, content):
    path = tmp_path / "broken.pdf"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as err:
        pdf_reader.read(path)
    assert err.value.reason.startswith("corrupt PDF")


def test_pdf_truncated_is_refused(seed, tmp_path):
    full = _build_pdf(seed, tmp_path / "full.pdf").read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(full[: len(full) // 3])
    with pytest.raises(UnreadableFile) as err:
        pdf_reader.read(path)
    assert err.value.reason.startswith(("corrupt PDF", "no text layer"))


def test_pdf_without_text_layer_is_refused(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    for _ in range(2):
        pdf.add_page()
        pdf.set_fill_color(40, 40, 40)
        pdf.rect(20, 20, 170, 250, style="F")  # what a scan looks like to a text extractor: ink, no text
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    with pytest.raises(UnreadableFile) as err:
        pdf_reader.read(path)
    assert err.value.reason.startswith("no text layer (scanned?)")


def test_pdf_reader_is_quiet(seed, tmp_path, caplog):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF")
    with pytest.raises(UnreadableFile):
        pdf_reader.read(path)
    assert not [r for r in caplog.records if r.name.startswith("pypdf") and r.levelname == "WARNING"]


# ----------------------------------------------------------------------------------------- DOCX


def _build_docx(seed: Resolution, path: Path) -> Path:
    import docx
    from docx.shared import Cm

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = SYMBOL  # page furniture lives outside the body
    document.sections[0].footer.paragraphs[0].text = "GE.15-17130 (F)"
    document.add_paragraph(f"30/25.\t{seed.title}")
    body = document.add_paragraph()
    body.add_run("Le Conseil des droits de l’homme").italic = True
    body.add_run(",")
    for label, text in _blocks(seed):
        para = document.add_paragraph()
        para.paragraph_format.first_line_indent = Cm(1.25)
        first, _, rest = text.partition(" ")
        if label:
            para.add_run(f"{label}\t")
        para.add_run(first).italic = True
        para.add_run(f" {rest}")
    for line in CLOSING:
        document.add_paragraph(line)
    document.save(str(path))
    return path


def test_docx_gives_the_seed_paragraphs(seed, tmp_path):
    got = readers.read(_build_docx(seed, tmp_path / "seed.docx"))
    _same_paragraphs(got, seed)
    assert got.meeting == "42e séance"


def test_docx_soft_line_breaks_stay_inside_their_paragraph(seed, tmp_path):
    import docx

    path = _build_docx(seed, tmp_path / "seed.docx")
    document = docx.Document(str(path))
    target = next(p for p in document.paragraphs if p.text.startswith("Rappelant la résolution 60/251"))
    target.runs[-1].add_break()
    target.add_run("(suite)")
    document.save(str(path))
    got = docx_reader.read(path)
    assert [p.pid for p in got.paragraphs] == [p.pid for p in seed.paragraphs]
    assert got.find("PP2").text.endswith("développement, (suite)")


def test_docx_empty_is_refused(tmp_path):
    import docx

    path = tmp_path / "empty.docx"
    docx.Document().save(str(path))
    with pytest.raises(UnreadableFile) as err:
        readers.read(path)
    assert err.value.reason.startswith("empty DOCX")


def test_docx_garbage_is_refused(tmp_path):
    path = tmp_path / "garbage.docx"
    path.write_bytes(os.urandom(4096))
    with pytest.raises(UnreadableFile) as err:
        readers.read(path)
    assert err.value.reason.startswith("not a valid DOCX")


def test_docx_zip_that_is_not_a_word_document_is_refused(tmp_path):
    import zipfile

    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "The Human Rights Council,")
    with pytest.raises(UnreadableFile) as err:
        readers.read(path)
    assert err.value.reason.startswith("not a valid DOCX")


def test_docx_that_is_not_a_resolution_is_refused(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("Minutes of the staff meeting.")
    document.add_paragraph("Coffee machine to be repaired.")
    path = tmp_path / "minutes.docx"
    document.save(str(path))
    with pytest.raises(UnreadableFile) as err:
        readers.read(path)
    assert "no body line" in err.value.reason


# ----------------------------------------------------------------------------------------- HTML


def _build_html(seed: Resolution) -> str:
    paras = []
    for label, text in _blocks(seed):
        first, _, rest = text.partition(" ")
        # source formatting: the text is wrapped inside the element, as editors save it
        wrapped = "\n      ".join(textwrap.wrap(rest, 70, break_on_hyphens=False))
        number = f'<span class="num">{label}</span>&nbsp;' if label else ""
        paras.append(f'    <p class="para">{number}<em>{first}</em> {wrapped}</p>')
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>{SYMBOL}</title>
<style>p.para {{ text-indent: 2em; }} .secret::after {{ content: "Rappelant style"; }}</style>
<script>var paragraph = "1. Décide de voter"; document.title = "Le Conseil des droits de l’homme,";</script>
</head><body>
  <header><div class="symbol">{SYMBOL}</div></header>
  <h1>30/25. {seed.title}</h1>
  <p><em>Le Conseil des droits de l’homme</em>,</p>
{chr(10).join(paras)}
  <script type="text/javascript">
    window.tracker = function () {{ return "Rappelant aussi le script"; }};
  </script>
  <noscript>Activez JavaScript</noscript>
  <!-- a comment with 6. Décide -->
  <div class="closing"><p>42<sup>e</sup> séance</p><p>2 octobre 2015</p><p>[Adoptée sans vote.]</p></div>
</body></html>"""


def test_html_gives_the_seed_paragraphs_without_script_text(seed, tmp_path):
    path = tmp_path / "seed.html"
    path.write_text(_build_html(seed), encoding="utf-8")
    got = readers.read(path)
    _same_paragraphs(got, seed)
    everything = " ".join(p.full_text for p in got.paragraphs)
    for leaked in ("var paragraph", "tracker", "Rappelant style", "Activez", "comment"):
        assert leaked not in everything
    assert got.meeting == "42e séance"


def test_html_br_breaks_and_entities(seed):
    markup = _build_html(seed).replace("par laquelle il a", "par laquelle<br/>il a").replace("Guidé", "Guid&eacute;")
    got = html_reader.parse_html(markup, source="x.html")
    _same_paragraphs(got, seed)


def test_html_without_resolution_is_refused(tmp_path):
    path = tmp_path / "page.htm"
    path.write_text("<html><body><script>alert('The Human Rights Council,')</script><p>Hello</p></body></html>")
    with pytest.raises(UnreadableFile) as err:
        readers.read(path)
    assert "no body line" in err.value.reason


def test_html_empty_is_refused(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("")
    with pytest.raises(UnreadableFile) as err:
        readers.read(path)
    assert err.value.reason == "empty file"


# --------------------------------------------------------------------------------- all together


def test_every_format_of_the_seed_gives_the_same_chunks(seed, tmp_path):
    html_path = tmp_path / "seed.html"
    html_path.write_text(_build_html(seed), encoding="utf-8")
    versions = [readers.read(p) for p in (_build_pdf(seed, tmp_path / "seed.pdf"),
                                          _build_docx(seed, tmp_path / "seed.docx"), html_path)]
    want = [(p.pid, p.full_text) for p in seed.paragraphs]
    for got in versions:
        assert [(p.pid, p.full_text) for p in got.paragraphs] == want, got.source
        assert len(got.preambular) == 15 and len(got.operative) == 5
