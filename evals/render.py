"""Lay resolutions out as files people meet: PDF, DOCX and HTML built from a parsed `Resolution`.

Why: the PDF, DOCX and HTML readers can only be tested on files whose right reading is known.
Real UN files are few; a `Resolution` read from AKN (or from the seed's .txt) is a known reading,
and laying it out again gives a file whose paragraphs must come back identical. The builders live
in the package (not in `tests/`) so that the format tests, the fuzzer (`reso.evals.fuzz`) and the
round-trip oracle (`reso.evals.roundtrip`) share them without putting the repository on sys.path.

`build_pdf`, `build_docx` and `build_html` lay out the seed resolution (A/HRC/RES/30/25, French) in
a plain UN style: title line `30/25. …`, body line, first-line-indented paragraphs (a compound
hyphen at a line end included), numbered operative paragraphs, the closing block, and in the PDF a
page header (symbol) and footer (job number, page number) on every page.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from reso.index.model import Resolution

SEED_SYMBOL = "A/HRC/RES/30/25"
SEED_BODY_LINE = "Le Conseil des droits de l’homme,"
SEED_CLOSING = ["42e séance", "2 octobre 2015", "[Adoptée sans vote.]"]


class NoFont(RuntimeError):
    """No font on this machine can print the text (a PDF cannot be built)."""


def dejavu_font() -> Path:
    """DejaVuSans: Debian's `fonts-dejavu-core`, or the copy matplotlib ships."""
    candidates = [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")]
    try:
        import matplotlib

        candidates.append(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")
    except ImportError:
        pass
    for font in candidates:
        if font.is_file():
            return font
    raise NoFont("no Unicode TTF font (DejaVuSans) to build a PDF")


def print_blocks(resolution: Resolution) -> list[tuple[str, str]]:
    """(label, text) of each paragraph in print order: "" for PP, "1." for OP."""
    return [(f"{p.number}." if p.number else "", p.text) for p in resolution.paragraphs]


def wrap(text: str, measure, width: float, first_indent: float, forced: dict[str, str] | None = None) -> list[str]:
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


def encrypt_pdf(plain: Path, path: Path, encrypt: dict) -> Path:
    """Write `plain` encrypted to `path` (pypdf `encrypt(**encrypt)`)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(**encrypt)
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


# ------------------------------------------------------------------------------- the seed's layout


def build_pdf(seed: Resolution, path: Path, *, encrypt: dict | None = None) -> Path:
    """The seed as a UN-style PDF (pages with header and footer); `encrypt`: pypdf encryption arguments."""
    from fpdf import FPDF

    font = dejavu_font()

    class UNPage(FPDF):
        def header(self):
            self.set_font("DejaVu", size=8)
            self.cell(0, 5, SEED_SYMBOL, align="R", new_x="LMARGIN", new_y="NEXT")
            self.ln(6)

        def footer(self):
            self.set_y(-15)
            self.set_font("DejaVu", size=8)
            self.cell(0, 4, f"GE.15-17130 (F)        {self.page_no()}", new_x="LMARGIN", new_y="NEXT")

    pdf = UNPage(format="A4")
    pdf.add_font("DejaVu", "", str(font))
    pdf.set_margins(25, 15, 25)
    pdf.set_auto_page_break(True, margin=22)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    forced = {"non-sélectivité,": "non-|sélectivité,", "promotion": "pro-|motion"}

    def paragraph(text: str, indent: float = 10.0, gap: float = 3.0) -> None:
        pdf.set_font("DejaVu", size=10)
        for i, line in enumerate(wrap(text, pdf.get_string_width, width, indent, forced)):
            pdf.set_x(pdf.l_margin + (indent if i == 0 else 0))
            pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    paragraph(f"30/25. {seed.title}", indent=0, gap=6)
    paragraph(SEED_BODY_LINE, gap=4)
    for label, text in print_blocks(seed):
        paragraph(f"{label} {text}".strip())
    for line in SEED_CLOSING:
        paragraph(line, indent=0, gap=1)
    if encrypt:
        plain = path.with_suffix(".plain.pdf")
        pdf.output(str(plain))
        return encrypt_pdf(plain, path, encrypt)
    pdf.output(str(path))
    return path


def build_docx(seed: Resolution, path: Path) -> Path:
    """The seed as a Word document: header and footer in the section, italic first words."""
    import docx
    from docx.shared import Cm

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = SEED_SYMBOL  # page furniture lives outside the body
    document.sections[0].footer.paragraphs[0].text = "GE.15-17130 (F)"
    document.add_paragraph(f"30/25.\t{seed.title}")
    body = document.add_paragraph()
    body.add_run("Le Conseil des droits de l’homme").italic = True
    body.add_run(",")
    for label, text in print_blocks(seed):
        para = document.add_paragraph()
        para.paragraph_format.first_line_indent = Cm(1.25)
        first, _, rest = text.partition(" ")
        if label:
            para.add_run(f"{label}\t")
        para.add_run(first).italic = True
        para.add_run(f" {rest}")
    for line in SEED_CLOSING:
        document.add_paragraph(line)
    document.save(str(path))
    return path


def build_html(seed: Resolution) -> str:
    """The seed as an HTML page, with script, style, noscript and a comment that must not leak."""
    paras = []
    for label, text in print_blocks(seed):
        first, _, rest = text.partition(" ")
        # source formatting: the text is wrapped inside the element, as editors save it
        wrapped = "\n      ".join(textwrap.wrap(rest, 70, break_on_hyphens=False))
        number = f'<span class="num">{label}</span>&nbsp;' if label else ""
        paras.append(f'    <p class="para">{number}<em>{first}</em> {wrapped}</p>')
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>{SEED_SYMBOL}</title>
<style>p.para {{ text-indent: 2em; }} .secret::after {{ content: "Rappelant style"; }}</style>
<script>var paragraph = "1. Décide de voter"; document.title = "Le Conseil des droits de l’homme,";</script>
</head><body>
  <header><div class="symbol">{SEED_SYMBOL}</div></header>
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
