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


# ------------------------------------------------------------------------------- the UN's layout
#
# `render_pdf` and `render_docx` lay out any `Resolution` (one read from AKN, typically) the way the
# UN's document system prints it, in each of the six languages; copied from the real PDFs of
# ../shared/real-files: the first-page header block (organ, symbol, "Distr.: General", date, session,
# agenda item), "Resolution adopted by … on …", "[without reference to a Main Committee]", the
# numbered title line hanging in the margin (`ES-11/1.   Title`), the body line, paragraphs marked by
# first-line indents only (no blank line between them), `1.   ` numbers, lettered sub-paragraphs,
# paragraphs broken across pages, footnote markers glued to words as superscripts with their bodies
# at the page bottom under a rule of underscores, running headers (symbol, title: mirrored on odd
# and even pages) and footers (`2/4   22-04067`), and on page 1 the job number `22-04067 (E)`, a
# date stamp and the barcode line `*2204067*`.

import hashlib  # noqa: E402 - the UN layout's imports, kept beside it
import re  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import date, timedelta  # noqa: E402

from reso.index.model import Paragraph  # noqa: E402

LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh")
RTL = frozenset({"ar"})


@dataclass(frozen=True)
class Words:
    """What the UN prints around a resolution's paragraphs, in one language."""

    org: str
    organs: dict[str, str]  # body → organ named in the header ("GA"/"HRC" → General Assembly)
    body_lines: dict[str, str]  # body → the line that opens the preamble
    adopted: dict[str, str]  # body → "… {date}"
    distr: str
    committee: str
    sc_title: str  # "Resolution {n}"
    annex: str
    job_letter: str
    months: tuple[str, ...]
    date_format: str  # "{d} {month} {y}"
    agenda: str  # "Agenda item {item}"
    op_label: str = "{n}."


_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")
WORDS: dict[str, Words] = {
    "en": Words(
        org="United Nations", organs={"GA": "General Assembly", "HRC": "General Assembly", "SC": "Security Council"},
        body_lines={"GA": "The General Assembly,", "HRC": "The Human Rights Council,", "SC": "The Security Council,"},
        adopted={"GA": "Resolution adopted by the General Assembly on {date}",
                 "HRC": "Resolution adopted by the Human Rights Council on {date}",
                 "SC": "Adopted by the Security Council on {date}"},
        distr="Distr.: General", committee="[without reference to a Main Committee]", sc_title="Resolution {n}",
        annex="Annex", job_letter="E", months=_EN_MONTHS, date_format="{d} {month} {y}", agenda="Agenda item {item}"),
    "fr": Words(
        org="Nations Unies", organs={"GA": "Assemblée générale", "HRC": "Assemblée générale",
                                     "SC": "Conseil de sécurité"},
        body_lines={"GA": "L’Assemblée générale,", "HRC": "Le Conseil des droits de l’homme,",
                    "SC": "Le Conseil de sécurité,"},
        adopted={"GA": "Résolution adoptée par l’Assemblée générale le {date}",
                 "HRC": "Résolution adoptée par le Conseil des droits de l’homme le {date}",
                 "SC": "Adoptée par le Conseil de sécurité le {date}"},
        distr="Distr. générale", committee="[sans renvoi à une grande commission]", sc_title="Résolution {n}",
        annex="Annexe", job_letter="F",
        months=("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                "novembre", "décembre"), date_format="{d} {month} {y}", agenda="Point {item} de l’ordre du jour"),
    "es": Words(
        org="Naciones Unidas", organs={"GA": "Asamblea General", "HRC": "Asamblea General",
                                       "SC": "Consejo de Seguridad"},
        body_lines={"GA": "La Asamblea General,", "HRC": "El Consejo de Derechos Humanos,",
                    "SC": "El Consejo de Seguridad,"},
        adopted={"GA": "Resolución aprobada por la Asamblea General el {date}",
                 "HRC": "Resolución aprobada por el Consejo de Derechos Humanos el {date}",
                 "SC": "Aprobada por el Consejo de Seguridad el {date}"},
        distr="Distr. general", committee="[sin remisión previa a una Comisión Principal]",
        sc_title="Resolución {n}", annex="Anexo", job_letter="S",
        months=("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
                "noviembre", "diciembre"), date_format="{d} de {month} de {y}", agenda="Tema {item} del programa"),
    "ru": Words(
        org="Организация Объединенных Наций", organs={"GA": "Генеральная Ассамблея", "HRC": "Генеральная Ассамблея",
                                                      "SC": "Совет Безопасности"},
        body_lines={"GA": "Генеральная Ассамблея,", "HRC": "Совет по правам человека,", "SC": "Совет Безопасности,"},
        adopted={"GA": "Резолюция, принятая Генеральной Ассамблеей {date}",
                 "HRC": "Резолюция, принятая Советом по правам человека {date}",
                 "SC": "Принята Советом Безопасности {date}"},
        distr="Distr.: General", committee="[без передачи в главный комитет]", sc_title="Резолюция {n}",
        annex="Приложение", job_letter="R",
        months=("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
                "ноября", "декабря"), date_format="{d} {month} {y} года", agenda="Пункт {item} повестки дня"),
    "ar": Words(
        org="الأمم المتحدة", organs={"GA": "الجمعية العامة", "HRC": "الجمعية العامة", "SC": "مجلس الأمن"},
        body_lines={"GA": "إن الجمعية العامة،", "HRC": "إن مجلس حقوق الإنسان،", "SC": "إن مجلس الأمن،"},
        adopted={"GA": "قرار اتخذته الجمعية العامة في {date}", "HRC": "قرار اتخذه مجلس حقوق الإنسان في {date}",
                 "SC": "اتخذه مجلس الأمن في {date}"},
        distr="Distr.: General", committee="[دون الإحالة إلى لجنة رئيسية]", sc_title="القرار {n}", annex="المرفق",
        job_letter="A",
        months=("كانون الثاني/يناير", "شباط/فبراير", "آذار/مارس", "نيسان/أبريل", "أيار/مايو", "حزيران/يونيه",
                "تموز/يوليه", "آب/أغسطس", "أيلول/سبتمبر", "تشرين الأول/أكتوبر", "تشرين الثاني/نوفمبر",
                "كانون الأول/ديسمبر"), date_format="{d} {month} {y}", agenda="البند {item} من جدول الأعمال",
        op_label="{n} -"),
    "zh": Words(
        org="联合国", organs={"GA": "大会", "HRC": "大会", "SC": "安全理事会"},
        body_lines={"GA": "大会，", "HRC": "人权理事会，", "SC": "安全理事会，"},
        adopted={"GA": "大会{date}通过的决议", "HRC": "人权理事会{date}通过的决议", "SC": "安全理事会{date}通过"},
        distr="Distr.: General", committee="[未经发交主要委员会]", sc_title="第{n}号决议", annex="附件",
        job_letter="C", months=tuple(f"{m}月" for m in range(1, 13)), date_format="{y}年{month}{d}日",
        agenda="议程项目{item}"),
}


def format_date(day: date | None, language: str) -> str:
    if day is None:
        return ""
    words = WORDS[language]
    return words.date_format.format(d=day.day, month=words.months[day.month - 1], y=day.year)


def job_number(resolution: Resolution) -> str:
    """A job number such as `22-04067`: the year of adoption and five digits fixed by the symbol."""
    year = (resolution.adopted.year if resolution.adopted else 2023) % 100
    digest = int(hashlib.sha1(resolution.symbol.encode("utf-8")).hexdigest(), 16)
    return f"{year:02d}-{digest % 90000 + 10000:05d}"


def sub_label(para: Paragraph) -> str:
    """A sub-paragraph's label as printed: "(a)" ("a)" kept where the language prints it so)."""
    label = (para.number or para.pid.rsplit("(", 1)[-1].rstrip(")")).strip()
    return label if re.search(r"[().]", label) else f"({label})"


def op_label(para: Paragraph, language: str) -> str:
    number = (para.number or "").strip().rstrip(".-) ")
    return WORDS[language].op_label.format(n=number) if number else ""


def number_line(resolution: Resolution) -> str:
    """`78/191.` or `ES-11/1.`: the resolution's number as its title line prints it."""
    if resolution.number:
        return f"{resolution.number}."
    match = re.search(r"RES/((?:[A-Z]+-)?\d+/\d+)", resolution.symbol)
    return f"{match.group(1)}." if match else ""


# -------------------------------------------------------------------------------- fonts


@dataclass(frozen=True)
class Fonts:
    """TTF files for one language: the main face, then fallbacks for the characters it lacks (the
    Latin letters Arabic and Chinese text hold; the minus sign `−` that French texts print as a
    dash, which Noto Serif has no glyph for: without a fallback the character is not printed)."""

    main: Path
    fallbacks: tuple[Path, ...] = ()
    collection: int = 0


def fonts_for(language: str) -> Fonts:
    """Debian's fonts: DejaVu Serif or Noto Serif for the Latin and Cyrillic scripts
    (`fonts-dejavu-core`, `fonts-noto-core`), Noto Naskh Arabic (`fonts-noto-core`), WenQuanYi
    Micro Hei (`fonts-wqy-microhei`) for Chinese — pypdf reads its TrueType glyphs back, while the
    CFF glyphs of Noto CJK come back from pypdf with NULs between characters. DejaVu, whose
    coverage is the widest, is the last fallback of every language."""
    noto = Path("/usr/share/fonts/truetype/noto")
    dejavu = next((p for p in (Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"),) if p.is_file()), None)
    if dejavu is None:
        dejavu = dejavu_font()
    serif = next((p for p in (noto / "NotoSerif-Regular.ttf",) if p.is_file()), dejavu)
    last = () if serif == dejavu else (dejavu,)
    if language == "ar":
        for face in (noto / "NotoNaskhArabic-Regular.ttf", noto / "NotoSansArabic-Regular.ttf"):
            if face.is_file():
                return Fonts(face, (serif, *last))
        raise NoFont("no Arabic font: install fonts-noto-core")
    if language == "zh":
        wqy = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
        if wqy.is_file():
            return Fonts(wqy, (serif, *last))
        raise NoFont("no Chinese TrueType font: install fonts-wqy-microhei")
    return Fonts(serif, last)


def can_shape() -> bool:
    """fpdf2 shapes Arabic (joined letter forms) only with uharfbuzz; without it the letters are
    printed in their isolated forms, which a text extractor reads back the same."""
    try:
        import uharfbuzz  # noqa: F401
    except ImportError:
        return False
    return True


# -------------------------------------------------------------------------------- layout model


@dataclass
class Token:
    text: str
    marker: str = ""  # a footnote number glued to this word as a superscript
    space: bool = True  # a space before it when it is not the first on its line


@dataclass
class Block:
    """One printed paragraph (or header line): its label and its words, with indents in mm."""

    tokens: list[Token]
    label: str = ""
    first_indent: float = 10.0  # where the label (or the first word) starts, from the column's edge
    text_indent: float = 0.0  # where the first line's text starts after a label, from the label
    indent: float = 0.0  # where the following lines start
    size: float = 10.0
    gap: float = 0.0  # space above, mm
    footnotes: list[tuple[str, str]] = field(default_factory=list)  # (marker, text)
    align: str = "L"  # "R" for the closing block; RTL languages mirror everything


_CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u3200-\u32ff"
_CJK_TOKEN = re.compile(rf"[^\s{_CJK}]+|[{_CJK}]|\s+")


def tokens(text: str, language: str) -> list[Token]:
    if language == "zh":
        out: list[Token] = []
        space = False
        for piece in _CJK_TOKEN.findall(text):
            if piece.isspace():
                space = True
                continue
            out.append(Token(piece, space=space))
            space = False
        return out
    return [Token(word) for word in text.split()]


_GLUE = re.compile(r"(?:[^\W\d_]|(?<![\d/])(?:19|20)\d\d)[.,;:’”»)]{0,2}$")  # word or year, maybe marks after it
_GLUE_ZH = frozenset("》」』），；。")


def glue_markers(toks: list[Token], markers: list[str], language: str = "en") -> None:
    """Footnote markers glued to words spread through the paragraph (the AKN reading keeps the
    notes, not where their markers stood), where the UN prints them: after a word or a year,
    with the punctuation that follows it ("Geneva Conventions of 1949²", "Friendly Relations;¹");
    never after a bare number ("resolution 24/14", "of 20 April"), which a reader cannot tell
    from the marker. In Chinese after a closing title mark or a punctuation mark ("《宣言》¹",
    "工作，²"), never on an ideograph. Not in right-to-left text: a raised run inside a line that
    the PDF's bidi reordering lays out is not placed where the reading order puts it (the notes'
    bodies are still printed at the page bottom)."""
    if not toks or language in RTL:
        return

    def fits(tok: Token) -> bool:
        if language == "zh" and re.match(rf"[{_CJK}]", tok.text):
            return tok.text in _GLUE_ZH
        return bool(_GLUE.search(tok.text))

    for k, marker in enumerate(markers):
        at = max(0, min(len(toks) - 1, (len(toks) * (k + 1)) // (len(markers) + 1)))
        for i in list(range(at, len(toks))) + list(range(at - 1, -1, -1)):
            if fits(toks[i]) and not toks[i].marker:
                toks[i].marker = marker
                break


class Notes:
    """Footnote numbers run through the whole document, as the UN prints them."""

    def __init__(self):
        self.count = 0

    def take(self, texts: list[str]) -> list[tuple[str, str]]:
        out = []
        for text in texts:
            self.count += 1
            out.append((str(self.count), " ".join(text.split())))
        return out


def _body_blocks(resolution: Resolution, language: str, notes: Notes) -> list[Block]:
    blocks: list[Block] = []

    def add(para: Paragraph, depth: int, label: str) -> None:
        toks = tokens(para.text, language)
        foot = notes.take(para.footnotes)
        glue_markers(toks, [m for m, _ in foot], language)
        blocks.append(Block(toks, label=label, first_indent=10.0 + 10.0 * depth,
                            text_indent=9.0 if label else 0.0, footnotes=foot, gap=0.6))
        for child in para.children:
            add(child, depth + 1, _docx_sub_label(child))

    for para in resolution.paragraphs:
        add(para, 0, op_label(para, language) if para.kind == "operative" else "")
    return blocks


def _annex_blocks(resolution: Resolution, language: str, notes: Notes) -> list[Block]:
    blocks: list[Block] = []
    current = None
    for para in resolution.annexes:
        annex = para.pid.split(".", 1)[0]
        if annex != current:
            current = annex
            number = annex.removeprefix("ANNEX")
            roman = {"1": "", "2": " II", "3": " III", "4": " IV"}.get(number, f" {number}")
            if number == "1" and any(p.pid.startswith("ANNEX2.") for p in resolution.annexes):
                roman = " I"
            blocks.append(Block(tokens(WORDS[language].annex + roman, language), first_indent=0, gap=8.0,
                                size=11.0))
        stack = [(para, 0)]
        while stack:
            item, depth = stack.pop(0)
            local = item.pid.split(".", 1)[-1]
            if depth:
                label = _docx_sub_label(item)
            elif local.startswith("OP") and item.number:
                label = op_label(item, language)
            elif item.number:
                label = item.number
            else:
                label = ""
            toks = tokens(item.text, language)
            foot = notes.take(item.footnotes)
            glue_markers(toks, [m for m, _ in foot], language)
            blocks.append(Block(toks, label=label, first_indent=10.0 + 10.0 * depth,
                                text_indent=9.0 if label else 0.0, footnotes=foot, gap=0.6))
            stack[0:0] = [(c, depth + 1) for c in item.children]
    return blocks


# -------------------------------------------------------------------------------- PDF


PAGE_W, PAGE_H = 210.0, 297.0
COL_LEFT, COL_RIGHT = 42.0, 188.0  # the text column of the UN's A4 layout
MARGIN_LEFT = 20.0  # where the title's number, the header block and the page furniture sit
BODY_TOP, BODY_BOTTOM = 30.0, 270.0
LINE = 4.9  # mm per 10-pt line


@dataclass
class Placed:
    y: float
    x: float  # left edge (LTR) or right edge (RTL) of the first piece
    pieces: list[tuple[float, str, float, bool]]  # (x, text, size, superscript)


@dataclass
class Page:
    lines: list[Placed] = field(default_factory=list)
    notes: list[tuple[str, list[str]]] = field(default_factory=list)  # (marker, wrapped lines)


class _Layout:
    def __init__(self, pdf, language: str):
        self.pdf = pdf
        self.language = language
        self.rtl = language in RTL
        self.pages: list[Page] = [Page()]
        self.y = BODY_TOP

    def width(self, text: str, size: float) -> float:
        self.pdf.set_font_size(size)
        return self.pdf.get_string_width(text)

    def token_width(self, tok: Token, size: float) -> float:
        return self.width(tok.text, size) + (self.width(tok.marker, size * 0.6) if tok.marker else 0.0)

    def lines_of(self, block: Block) -> list[list[Token]]:
        lines: list[list[Token]] = [[]]
        used = 0.0
        space = self.width(" ", block.size)
        room = COL_RIGHT - COL_LEFT - block.first_indent - self.label_room(block)
        for tok in block.tokens:
            w = self.token_width(tok, block.size)
            gap = space if (lines[-1] and tok.space) else 0.0
            if lines[-1] and used + gap + w > room:
                lines.append([])
                used, gap = 0.0, 0.0
                room = COL_RIGHT - COL_LEFT - block.indent
            lines[-1].append(tok)
            used += gap + w
        return lines

    def label_room(self, block: Block) -> float:
        """Where the first line's text starts after the label: at the tab stop, or a space after a
        label too wide for it ("(viii)"), as a word processor's tab goes on to the next stop."""
        if not block.label:
            return block.text_indent
        return max(block.text_indent, self.width(block.label, block.size) + 2 * self.width(" ", block.size))

    def note_lines(self, text: str) -> list[str]:
        block = Block(tokens(text, self.language), size=8.0, first_indent=6.0, indent=6.0)
        return [self.join(line) for line in self.lines_of(block)]

    def join(self, line: list[Token]) -> str:
        return "".join((" " if i and t.space else "") + t.text + t.marker for i, t in enumerate(line))

    def note_height(self, page: Page, extra: list[tuple[str, list[str]]]) -> float:
        rows = sum(len(lines) for _, lines in page.notes + extra)
        return 0.0 if not rows else 6.0 + rows * 3.8

    def new_page(self) -> None:
        self.pages.append(Page())
        self.y = BODY_TOP

    def place(self, block: Block) -> None:
        lines = self.lines_of(block)
        self.y += block.gap
        height = LINE * block.size / 10.0
        pending = {m: self.note_lines(t) for m, t in block.footnotes}
        for i, line in enumerate(lines):
            notes = [(t.marker, pending.pop(t.marker)) for t in line if t.marker in pending]
            page = self.pages[-1]
            if self.y + height > BODY_BOTTOM - self.note_height(page, notes):
                self.new_page()
                page = self.pages[-1]
            page.notes.extend(notes)
            indent = block.first_indent if i == 0 else block.indent
            pieces: list[tuple[float, str, float, bool]] = []
            x = indent
            if i == 0 and block.label:
                pieces.append((x, block.label, block.size, False))
                x += self.label_room(block)
            pieces.extend(self.pieces(line, x, block.size))
            page.lines.append(Placed(self.y, indent, pieces))
            self.y += height
        self.pages[-1].notes.extend(pending.items())  # notes without a marker in the text (RTL)

    def pieces(self, line: list[Token], x: float, size: float) -> list[tuple[float, str, float, bool]]:
        """Runs of one line: plain text, then each marker as its own raised, smaller run."""
        out: list[tuple[float, str, float, bool]] = []
        run = ""
        start = x
        for i, tok in enumerate(line):
            run += (" " if i and tok.space else "") + tok.text
            if tok.marker:
                out.append((start, run, size, False))
                start += self.width(run, size)
                out.append((start, tok.marker, size * 0.6, True))
                start += self.width(tok.marker, size * 0.6)
                run = ""
        if run:
            out.append((start, run, size, False))
        return out


def render_pdf(resolution: Resolution, path: Path) -> Path:
    """`resolution` printed as the UN prints it, in its own language (see the comment above)."""
    from fpdf import FPDF

    language = resolution.language if resolution.language in WORDS else "en"
    words = WORDS[language]
    rtl = language in RTL
    fonts = fonts_for(language)
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.add_font("main", "", str(fonts.main), collection_font_number=fonts.collection)
    for k, face in enumerate(fonts.fallbacks):
        pdf.add_font(f"fallback{k}", "", str(face))
    if fonts.fallbacks:
        pdf.set_fallback_fonts([f"fallback{k}" for k in range(len(fonts.fallbacks))])
    pdf.set_font("main", size=10)
    if rtl and can_shape():
        pdf.set_text_shaping(True)

    notes = Notes()
    layout = _Layout(pdf, language)
    body = resolution.body if resolution.body in words.organs else "GA"
    date_text = format_date(resolution.adopted, language)
    job = job_number(resolution)

    # first page: the header block, then the resolution's own heading, drawn at fixed places
    first: list[tuple[float, float, str, float, str]] = []  # (x, y, text, size, align)
    first += [(MARGIN_LEFT, 14, words.org, 9, "L"), (MARGIN_LEFT, 19, words.organs[body], 11, "L"),
              (PAGE_W - MARGIN_LEFT, 16, resolution.symbol, 14, "R"),
              (130, 26, words.distr, 9, "L"), (130, 30, format_date(_distributed(resolution), language), 9, "L")]
    y = 44.0
    if resolution.session and body != "SC":
        first.append((MARGIN_LEFT, y, _session_line(resolution.session, language), 9, "L"))
        y += 4.5
    agenda = (resolution.agenda_item or "").strip()
    if agenda and body != "SC":
        head, _, tail = agenda.partition(":") if ":" in agenda else agenda.partition("：")
        first.append((MARGIN_LEFT, y, head.strip(), 9, "L"))
        y += 4.5
        for line in layout_lines(layout, tail.strip(), 9.0, 90.0):
            first.append((MARGIN_LEFT, y, line, 9, "L"))
            y += 4.0
    y = max(y + 8.0, 66.0)
    if body == "SC":
        number = resolution.number or re.sub(r"^S/RES/", "", resolution.symbol)
        first.append((COL_LEFT, y, words.sc_title.format(n=number.strip()), 12, "L"))
        y += 6.0
        first.append((COL_LEFT, y, words.adopted[body].format(date=date_text), 10, "L"))
        y += 10.0
    else:
        first.append((COL_LEFT, y, words.adopted[body].format(date=date_text), 12, "L"))
        y += 6.0
        if body == "GA":
            first.append((COL_LEFT, y, words.committee, 10, "L"))
            y += 5.0
        y += 6.0
    layout.y = y
    if body != "SC":
        title = Block(tokens(resolution.title or "", language), label=number_line(resolution),
                      first_indent=MARGIN_LEFT - COL_LEFT, text_indent=COL_LEFT - MARGIN_LEFT, indent=0.0,
                      size=12.0, gap=0.0)
        layout.place(title)
        layout.y += 4.0
    layout.place(Block(tokens(words.body_lines[body], language), first_indent=10.0, gap=1.0))
    for block in _body_blocks(resolution, language, notes):
        layout.place(block)
    closing = [x for x in (resolution.meeting, date_text) if x]
    if resolution.vote.text.startswith("["):
        closing.append(resolution.vote.text)
    layout.y += 6.0
    for line in closing:
        layout.place(Block(tokens(line, language), first_indent=95.0, gap=0.0))
    annex = _annex_blocks(resolution, language, notes)
    if annex:
        layout.new_page()
        for block in annex:
            layout.place(block)

    total = len(layout.pages)
    # the General Assembly's and the Council's running headers print the symbol beside a short title;
    # the Security Council's print the symbol alone (S/RES/2672 (2023) on page 2, 3, …)
    short_title = "" if body == "SC" else _short(layout, resolution.title or resolution.symbol, 90.0)
    for number, page in enumerate(layout.pages, 1):
        pdf.add_page()
        if number == 1:
            for x, y0, text, size, align in first:
                _draw(pdf, x, y0, text, size, align, rtl and x == COL_LEFT)
            _draw(pdf, MARGIN_LEFT, 280, f"{job} ({words.job_letter})    {_stamp(resolution)}", 8, "L", False)
            _draw(pdf, MARGIN_LEFT, 285, f"*{job.replace('-', '')}*", 10, "L", False)
        else:
            left, right = (resolution.symbol, short_title) if number % 2 == 0 else (short_title, resolution.symbol)
            _draw(pdf, MARGIN_LEFT, 15, left, 8, "L", False)
            _draw(pdf, PAGE_W - MARGIN_LEFT, 15, right, 8, "R", False)
            left, right = (f"{number}/{total}", job) if number % 2 == 0 else (job, f"{number}/{total}")
            _draw(pdf, MARGIN_LEFT, 285, left, 8, "L", False)
            _draw(pdf, PAGE_W - MARGIN_LEFT, 285, right, 8, "R", False)
        for line in page.lines:
            for x, text, size, sup in line.pieces:
                if rtl:
                    _draw(pdf, COL_RIGHT - x, line.y - (1.2 if sup else 0.0), text, size, "R", True)
                else:
                    _draw(pdf, COL_LEFT + x, line.y - (1.2 if sup else 0.0), text, size, "L", False)
        if page.notes:
            rows = sum(len(lines) for _, lines in page.notes)
            y0 = BODY_BOTTOM + 6.0 - rows * 3.8 - 4.0
            _draw(pdf, COL_LEFT - 8, y0, "__________________", 8, "L", False)
            y0 += 5.0
            for marker, lines in page.notes:
                for i, text in enumerate(lines):
                    if i == 0:
                        _draw(pdf, COL_LEFT + (0 if not rtl else 140), y0 - 1.0, marker, 6, "L", False)
                    if rtl:
                        _draw(pdf, COL_RIGHT - 6, y0, text, 8, "R", True)
                    else:
                        _draw(pdf, COL_LEFT + 6, y0, text, 8, "L", False)
                    y0 += 3.8
    pdf.output(str(path))
    return Path(path)


def render_scan(resolution: Resolution, path: Path, dpi: int = 200) -> Path:
    """`resolution` printed (`render_pdf`), then scanned: each page rasterised in grey at `dpi` with
    `pdftoppm` (poppler-utils) and the images put into a new PDF with no text layer at all — what a
    scanner gives, for the OCR tests and the round trip's `scan` format."""
    import subprocess
    import tempfile

    from fpdf import FPDF

    with tempfile.TemporaryDirectory(prefix="reso-scan-") as tmp:
        printed = render_pdf(resolution, Path(tmp) / "printed.pdf")
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(printed), str(Path(tmp) / "page")],
                       check=True, capture_output=True)
        scan = FPDF(format="A4", unit="mm")
        for image in sorted(Path(tmp).glob("page*.png")):
            scan.add_page()
            scan.image(str(image), x=0, y=0, w=210, h=297)
        scan.output(str(path))
    return path


def layout_lines(layout: _Layout, text: str, size: float, width: float) -> list[str]:
    block = Block(tokens(text, layout.language), size=size, first_indent=0.0, indent=0.0)
    room = COL_RIGHT - COL_LEFT
    block.first_indent = block.indent = room - width
    return [layout.join(line) for line in layout.lines_of(block)]


def _short(layout: _Layout, title: str, width: float) -> str:
    lines = layout_lines(layout, title, 8.0, width)
    return lines[0] + ("…" if len(lines) > 1 else "") if lines else ""


_RTL_CHAR = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


def visual_order(text: str, rtl: bool = False) -> str:
    """Text holding right-to-left letters in the order a PDF draws its glyphs, left to right:
    the Unicode bidirectional algorithm (fpdf2's implementation) on a right-to-left line, brackets
    at right-to-left levels mirrored (rule L4). This is how a UN Arabic PDF holds its text, and
    what a reader must turn back into reading order. Text without such letters is unchanged
    unless it stands on a right-to-left line (`rtl`: a paragraph number `1 -` is drawn `- 1`)."""
    if not rtl and not _RTL_CHAR.search(text):
        return text
    import unicodedata

    from fpdf.bidi import BidiParagraph
    from fpdf.enums import TextDirection

    mirror = dict(zip("()[]{}<>«»", ")(][}{><»«"))
    chars = BidiParagraph(text, base_direction=TextDirection.RTL).get_reordered_characters()
    return "".join(mirror.get(c.character, c.character)
                   if c.embedding_level % 2 and unicodedata.mirrored(c.character) else c.character for c in chars)


def _draw(pdf, x: float, y: float, text: str, size: float, align: str, rtl: bool) -> None:
    """One run of text whose baseline is at `y`; `x` is its left edge ("L") or right edge ("R").
    Right-to-left text is drawn in visual order (`visual_order`), as the UN's Arabic PDFs hold it."""
    if not text:
        return
    text = visual_order(text, rtl)
    pdf.set_font_size(size)
    # every run sets its font and size, as a real PDF's text objects do: fpdf2 sets them once and
    # counts them as set, but a run that starts in a fallback font is wrapped in q … Q, and Q
    # restores the state before it, so later runs drew in the font size of an earlier one or in
    # none (pypdf's layout mode then measured their widths wrong, or refused the page)
    pdf.current_font_is_set_on_page = False
    width = pdf.get_string_width(text) + 0.5
    height = size * 0.3528 * 1.2
    pdf.set_xy(x - width if align == "R" else x, y - height * 0.8)
    pdf.cell(width, height, text, align="R" if (align == "R" or rtl) else "L")


def _distributed(resolution: Resolution) -> date | None:
    return resolution.adopted + timedelta(days=9) if resolution.adopted else None


def _stamp(resolution: Resolution) -> str:
    day = _distributed(resolution)
    return day.strftime("%d%m%y") if day else ""


_ORDINALS_EN = {1: "First", 2: "Second", 3: "Third", 4: "Fourth", 5: "Fifth", 6: "Sixth", 7: "Seventh",
                8: "Eighth", 9: "Ninth", 10: "Tenth", 11: "Eleventh"}


def _session_line(session: str, language: str) -> str:
    emergency = session.upper().startswith("ES-")
    n = int(re.sub(r"\D", "", session) or 0)
    if language == "en":
        ordinal = _ORDINALS_EN.get(n) or f"{n}th"
        return f"{ordinal} emergency special session" if emergency else f"{ordinal} session"
    return {"fr": f"{n}e session", "es": f"{n}º período de sesiones", "ru": f"{n}-я сессия",
            "ar": f"الدورة {n}", "zh": f"第{n}届会议"}[language]


# -------------------------------------------------------------------------------- DOCX


_BULLET_LABELS = frozenset("•·▪◦○-–—")


def _docx_sub_label(para: Paragraph) -> str:
    """A sub-paragraph's label as a UN PDF or DOCX prints it: "(a)", "a)", "1.", a bullet as itself
    ("•", never "(•)"), the Arabic ’1‘ without parentheses."""
    printed = (para.number or "").strip()
    if printed in _BULLET_LABELS or re.fullmatch(r"[’‘]\w{1,4}[’‘]|[\u3220-\u3229]", printed):
        return printed  # a bullet, the Arabic texts' ’1‘ or the Chinese ㈠ (their (i)), printed as it is
    return sub_label(para)


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
_FOOTNOTES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"


def add_word_footnote(paragraph, text: str) -> int:
    """Append a real Word footnote to `paragraph`: a `w:footnoteReference` run where the marker
    stands and the note's body in `word/footnotes.xml` (created with Word's two separator notes on
    first use). python-docx has no API for footnotes; this is the XML Word writes. Returns its id."""
    from docx.opc.packuri import PackURI
    from docx.opc.part import XmlPart
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn

    document_part = paragraph.part
    part = next((rel.target_part for rel in document_part.rels.values()
                 if not rel.is_external and rel.reltype == _FOOTNOTES_REL), None)
    if part is None:
        element = parse_xml(
            f'<w:footnotes xmlns:w="{_W_NS}">'
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
            '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r>'
            '</w:p></w:footnote></w:footnotes>')
        part = XmlPart(PackURI("/word/footnotes.xml"), _FOOTNOTES_TYPE, element, document_part.package)
        document_part.relate_to(part, _FOOTNOTES_REL)
    root = part.element
    number = 1 + max([int(n.get(qn("w:id"))) for n in root.findall(qn("w:footnote"))] + [0])
    body = parse_xml(
        f'<w:footnote xmlns:w="{_W_NS}" w:id="{number}"><w:p><w:pPr><w:pStyle w:val="FootnoteText"/></w:pPr>'
        '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:footnoteRef/></w:r>'
        '<w:r><w:t xml:space="preserve"> </w:t></w:r></w:p></w:footnote>')
    body.findall(".//" + qn("w:t"))[-1].text = f" {text}"
    root.append(body)
    run = paragraph.add_run()
    run._r.append(parse_xml(f'<w:rPr xmlns:w="{_W_NS}"><w:vertAlign w:val="superscript"/></w:rPr>'))
    run._r.append(parse_xml(f'<w:footnoteReference xmlns:w="{_W_NS}" w:id="{number}"/>'))
    return number


def render_docx(resolution: Resolution, path: Path, *, footnotes: str = "superscript") -> Path:
    """The same structure as a Word document, as the UN's DOCX files hold it: the header block and
    the running headers in the section's first-page and even/odd headers (outside the body), the
    title line with a tab after the number, first-line-indented paragraphs, `1.<tab>` numbers,
    lettered sub-paragraphs, the closing block and the annexes. Footnotes: `"superscript"` glues
    each marker to a word as a superscript run and leaves the notes' bodies out (a DOCX saved from
    a text that lost its notes); `"word"` writes real Word footnotes (`add_word_footnote`), as the
    UN's own DOCX files hold them, in every language."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    language = resolution.language if resolution.language in WORDS else "en"
    words = WORDS[language]
    body = resolution.body if resolution.body in words.organs else "GA"
    date_text = format_date(resolution.adopted, language)
    job = job_number(resolution)
    document = docx.Document()
    section = document.sections[0]
    section.different_first_page_header_footer = True
    document.settings.odd_and_even_pages_header_footer = True
    section.first_page_header.paragraphs[0].text = f"{words.org}\t{resolution.symbol}"
    section.first_page_header.add_paragraph(words.organs[body])
    section.first_page_header.add_paragraph(f"\t{words.distr}\n\t{format_date(_distributed(resolution), language)}")
    section.first_page_footer.paragraphs[0].text = f"{job} ({words.job_letter})    {_stamp(resolution)}"
    section.first_page_footer.add_paragraph(f"*{job.replace('-', '')}*")
    section.header.paragraphs[0].text = f"{resolution.title}\t{resolution.symbol}"
    section.even_page_header.paragraphs[0].text = f"{resolution.symbol}\t{resolution.title}"
    section.footer.paragraphs[0].text = f"{job}\tPAGE"
    section.even_page_footer.paragraphs[0].text = f"PAGE\t{job}"

    rtl = language in RTL

    def para(text: str = "", indent: float = 0.0, align=None):
        p = document.add_paragraph()
        if text:
            p.add_run(text)
        if indent:
            p.paragraph_format.first_line_indent = Cm(indent)
        if align is not None:
            p.alignment = align
        elif rtl:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        return p

    if resolution.session and body != "SC":
        para(_session_line(resolution.session, language))
    if resolution.agenda_item and body != "SC":
        para(resolution.agenda_item)
    if body == "SC":
        number = resolution.number or re.sub(r"^S/RES/", "", resolution.symbol)
        para(words.sc_title.format(n=number.strip())).runs[0].bold = True
        para(words.adopted[body].format(date=date_text))
    else:
        para(words.adopted[body].format(date=date_text)).runs[0].bold = True
        if body == "GA":
            para(words.committee)
        title = para(f"{number_line(resolution)}\t{resolution.title}")
        title.runs[0].bold = True
    para(words.body_lines[body], indent=1.25).runs[0].italic = True

    notes = Notes()

    def paragraph(item: Paragraph, label: str, depth: int) -> None:
        p = para(indent=1.25 * (depth + 1))
        if label:
            p.add_run(f"{label}\t")
        toks = tokens(item.text, language)
        taken = dict(notes.take(item.footnotes))
        # a Word footnote is anchored in the text whatever the script; PDF's RTL caveat is not DOCX's
        glue_markers(toks, list(taken), "en" if footnotes == "word" else language)
        run_text = ""
        for i, tok in enumerate(toks):
            run_text += (" " if i and tok.space else "") + tok.text
            if tok.marker:
                p.add_run(run_text)
                if footnotes == "word":
                    add_word_footnote(p, taken[tok.marker])
                else:
                    sup = p.add_run(tok.marker)
                    sup.font.superscript = True
                run_text = ""
        if run_text:
            p.add_run(run_text)
        for child in item.children:
            paragraph(child, _docx_sub_label(child), depth + 1)

    for item in resolution.paragraphs:
        paragraph(item, op_label(item, language) if item.kind == "operative" else "", 0)
    for line in [x for x in (resolution.meeting, date_text) if x]:
        para(line, align=WD_ALIGN_PARAGRAPH.RIGHT)
    if resolution.vote.text.startswith("["):
        para(resolution.vote.text, align=WD_ALIGN_PARAGRAPH.RIGHT)
    current = None
    for item in resolution.annexes:
        annex = item.pid.split(".", 1)[0]
        if annex != current:
            current = annex
            document.add_page_break()
            heading = para(words.annex + ("" if annex == "ANNEX1" else f" {annex.removeprefix('ANNEX')}"))
            heading.runs[0].font.size = Pt(11)
        local = item.pid.split(".", 1)[-1]
        paragraph(item, op_label(item, language) if local.startswith("OP") and item.number else (item.number or ""),
                  0)
    document.save(str(path))
    return Path(path)
