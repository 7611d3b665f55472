"""Scanned PDFs (pages that are images, no text layer) are read with Tesseract when it is installed.

The scans are made the way a user's come about: a resolution laid out as the UN prints it
(`reso.evals.render`, from an AKN reading) is rasterised with `pdftoppm` and the page images put
into a new PDF that has no text at all. Read back through the public registry, it must give the
right symbol, its paragraphs with their ids, and a confidence per page; in Latin, Cyrillic,
Chinese and Arabic script. (Arabic comes back at about 70–75 % mean word confidence with this
renderer's Naskh at 200 dpi: words are misspelt, but the symbol, the body line and the paragraph
marks are read.) Without Tesseract (or with RESO_OCR=off) the reader's "no text layer" message stays.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from reso.errors import UnreadableFile
from reso.evals import render
from reso.index import readers
from reso.index.readers import ocr
from reso.index.readers import pdf as pdf_reader

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus")
HRC_54_10 = "unxml-hrc/54session/{lang}/A_HRC_RES_54_10{letter}.xml"
needs_tesseract = pytest.mark.skipif(not ocr.available(), reason="tesseract or pdftoppm not installed "
                                     "(Debian: tesseract-ocr, tesseract-ocr-<lang>, poppler-utils)")


def _short(language: str, letter: str):
    """A one-page resolution: the first three preambular and two operative paragraphs of HRC 54/10."""
    path = CORPUS / HRC_54_10.format(lang=language, letter=letter)
    if not path.is_file():
        pytest.skip(f"{path} not available")
    full = readers.read(path)
    keep = full.preambular[:3] + [replace(p, children=[], footnotes=[]) for p in full.operative[:2]]
    return replace(full, paragraphs=[replace(p, footnotes=[]) for p in keep], annexes=[])


def _scan(resolution, tmp_path: Path) -> Path:
    """The resolution printed, then rasterised at 200 dpi: a PDF of page images only."""
    return render.render_scan(resolution, tmp_path / "scan.pdf", dpi=200)


def _words(text: str) -> set[str]:
    return {w.strip(",.;:،，。；") for w in text.split() if len(w) > 3}


@needs_tesseract
@pytest.mark.parametrize("language, letter", [  # ~20 s a script: Latin in the default suite
    ("English", "E"),
    pytest.param("Russian", "R", marks=pytest.mark.slow),
    pytest.param("Chinese", "C", marks=pytest.mark.slow),
])
def test_a_scanned_resolution_is_read_with_ocr(language, letter, tmp_path, monkeypatch):
    monkeypatch.setenv("RESO_OCR", "auto")
    want = _short(language, letter)
    path = _scan(want, tmp_path)
    assert not any(page.strip() for page in _text_layer(path)), "the scan must have no text layer"
    report: list[ocr.OcrPage] = []
    pdf_reader.extract_text(path, ocr_report=report)
    assert [p.page for p in report] == list(range(len(report))) and report, report
    assert all(p.confidence > 70 for p in report), [(p.page, p.confidence, p.languages) for p in report]
    got = readers.read(path)
    assert got.symbol == want.symbol and got.language == want.language
    flat = "".join("".join(page.text for page in report).split())
    at = 0
    for para in want.paragraphs:  # every paragraph's opening words, in order, in what OCR read
        opening = "".join(para.text.split())[:6 if want.language == "zh" else 12]
        found = flat.find(opening, at)
        assert found >= 0, (para.pid, opening)
        at = found
    # the paragraph marks (first-line indents, numbers) survive OCR in every script: the same ids
    assert [p.pid for top in got.paragraphs for p in top.walk()] == [p.pid for p in want.paragraphs]
    if want.language == "en":
        overlap = _words(got.find("OP1").text) & _words(want.operative[0].text)
        assert len(overlap) >= 0.8 * len(_words(want.operative[0].text)), overlap
        # `reso inspect` reports each page OCR read, with its confidence, as a field and a warning
        from reso.index.inspect import inspect_file

        seen = inspect_file(path).model_dump()
        assert [p["page"] for p in seen["ocr_pages"]] == [p.page + 1 for p in report]
        assert all(p["confidence"] > 70 and p["languages"] for p in seen["ocr_pages"]), seen["ocr_pages"]
        assert any(w.startswith("page 1 has no text layer: read by OCR") for w in seen["warnings"]), seen["warnings"]


@needs_tesseract
@pytest.mark.slow
def test_an_arabic_scan_is_read_into_the_right_paragraphs(tmp_path, monkeypatch):
    """Arabic: the Arabic model alone reads Arabic words (with English beside it, Latin junk replaced
    them, "إن مجلس الأمن،" → "wel SI إن مجلس"), English the symbol; the comma it misreads as "ء"
    or "»" is put back, so the body line and clause ends are found."""
    monkeypatch.setenv("RESO_OCR", "auto")
    want = _short("Arabic", "A")
    path = _scan(want, tmp_path)
    assert not any(page.strip() for page in _text_layer(path))
    report: list[ocr.OcrPage] = []
    text = pdf_reader.extract_text(path, ocr_report=report)
    assert report and all(p.confidence > 60 and p.languages == "ara+eng" for p in report), report
    assert "A/HRC/RES/54/10" in text and "إن مجلس حقوق الإنسان،" in text
    got = readers.read(path)
    assert (got.symbol, got.language, got.body) == (want.symbol, "ar", want.body)
    assert [p.pid for top in got.paragraphs for p in top.walk()] == [p.pid for p in want.paragraphs]
    overlap = _words(got.find("OP2").text) & _words(want.operative[1].text)
    assert len(overlap) >= 0.5 * len(_words(want.operative[1].text)), overlap


def test_arabic_ocr_keeps_the_sure_latin_words_of_the_english_reading():
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    arabic = [header,  # one line: "الأمم المتحدة" on the right, the symbol misread as Arabic on the left
              "5\t1\t1\t1\t1\t1\t900\t100\t80\t30\t90\tالأمم",
              "5\t1\t1\t1\t1\t2\t800\t100\t90\t30\t91\tالمتحدة",
              "5\t1\t1\t1\t1\t3\t260\t100\t40\t30\t20\t0",
              "5\t1\t1\t1\t1\t4\t120\t100\t120\t30\t30\tاي",
              "5\t1\t1\t1\t2\t1\t700\t140\t200\t30\t88\tإن"]
    english = [header,
               "5\t1\t1\t1\t1\t1\t110\t98\t150\t34\t93\tS/RES/2564",
               "5\t1\t1\t1\t1\t2\t270\t98\t60\t34\t91\t(2021)",
               "5\t1\t1\t1\t1\t3\t805\t98\t80\t34\t95\tveld!1",  # junk over Arabic letters
               "5\t1\t1\t1\t2\t1\t400\t300\t60\t34\t96\t2021"]  # over no Arabic word: left out
    text, _ = ocr.layout_text(ocr.merge_latin("\n".join(arabic), "\n".join(english)), rtl=True)
    first = text.split("\n")[0].strip()
    assert first.startswith("الأمم المتحدة") and first.endswith("S/RES/2564 (2021)"), first
    # junk English reads over Arabic letters is no sure Latin word; one over no Arabic word is left out
    assert "veld" not in text and [line.strip() for line in text.split("\n")[1:] if line.strip()] == ["إن"]


def test_tidy_puts_back_the_arabic_comma():
    assert ocr.tidy("إن مجلس الأمنء", rtl=True) == "إن مجلس الأمن،"
    assert ocr.tidy("إن مجلس حقوق الإنسانء»", rtl=True) == "إن مجلس حقوق الإنسان،"
    assert ocr.tidy("إن مجلس حقوق الإنسان»", rtl=True) == "إن مجلس حقوق الإنسان،"
    # a hamza that ends words (الأعضاء، جزء، شيء) and a quotation in guillemets stay
    assert ocr.tidy("الأعضاء جزء شيء «الكلمة»", rtl=True) == "الأعضاء جزء شيء «الكلمة»"
    assert ocr.tidy("الأمنء") == "الأمنء"  # only in right-to-left OCR


def _text_layer(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(path).pages]


@needs_tesseract
def test_ocr_off_keeps_the_no_text_layer_message(tmp_path, monkeypatch):
    path = _scan(_short("English", "E"), tmp_path)
    monkeypatch.setenv("RESO_OCR", "off")
    with pytest.raises(UnreadableFile) as err:
        readers.read(path)
    assert err.value.reason.startswith("no text layer (scanned?)")


def test_without_tesseract_a_scan_is_refused_clearly(tmp_path, monkeypatch):
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm not installed")
    path = _scan(_short("English", "E"), tmp_path)
    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)  # as on a machine without Tesseract
    with pytest.raises(UnreadableFile) as err:
        readers.read(path)
    assert err.value.reason.startswith("no text layer (scanned?)")


def test_layout_text_keeps_indents_and_reading_order():
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    rows = [header,
            "5\t1\t1\t1\t1\t1\t300\t100\t90\t30\t95.0\tRecalling",  # indented by 100 px, 10 px a character
            "5\t1\t1\t1\t1\t2\t400\t100\t30\t30\t90.0\tits",
            "5\t1\t1\t1\t2\t1\t200\t140\t100\t30\t85.0\tresolution",
            "5\t1\t1\t1\t3\t1\t200\t260\t20\t30\t-1\t1.",  # a gap of 3 lines: a blank line before it
            "4\t1\t1\t1\t3\t0\t200\t260\t40\t30\t-1\t"]
    text, confidence = ocr.layout_text("\n".join(rows))
    assert text.split("\n") == ["          Recalling its", "resolution", "", "1."]
    assert confidence == 90.0


def test_tidy_joins_chinese_and_repairs_cyrillic_words():
    assert ocr.tidy("人 权 理 事 会 ，") == "人权理事会，"
    assert ocr.tidy("Cовет по правам A/HRC/RES/54/10") == "Совет по правам A/HRC/RES/54/10"


def test_indents_a_character_off_a_common_one_are_that_one():
    """A scan is never quite straight: continuation lines at 10 and 11 characters are one margin,
    and a first line 4 characters in stays a first line."""
    assert ocr._snap([11, 15, 11, 10, 11, 15, 11, 11, 30]) == [11, 15, 11, 11, 11, 15, 11, 11, 30]
    assert ocr._snap([0, 1, 0, 1]) == [0, 1, 0, 1]  # no indent is common enough to snap to


def test_tidy_reads_a_paragraph_number_with_a_comma_before_chinese_as_a_number():
    assert ocr.tidy("2， ”决定将危险物质") == "2. ”决定将危险物质"
    assert ocr.tidy("12, 决定") == "12. 决定"
    assert ocr.tidy("2, and the report") == "2, and the report"


OCR_2564_AR = Path(__file__).parent / "fixtures" / "ocr" / "S_RES_2564_2021_ar_ocr.txt"


@pytest.mark.parametrize("damage", [
    None,
    ("إن مجلس الأمن،", "إن مجلس الأمنن،"),  # the body line misspelt: a letter doubled
])
def test_an_arabic_ocr_reading_with_its_misreadings_keeps_its_paragraphs(damage):
    """Tesseract's reading of a scanned S/RES/2564 (2021) AR (`render_scan`, 200 dpi), as the
    OCR reader lays it out: words misspelt, commas lost (PP2 ends "الإقليمية" without one), the
    adoption date's month split ("ش باط"). Its symbol comes from the header's "S/RES/2564 (2021)";
    its paragraphs from the first-line indents, a preambular "وإذ" being evidence of a paragraph end
    where OCR lost the comma before it."""
    from reso.index.readers.text import parse_text

    text = OCR_2564_AR.read_text(encoding="utf-8")
    if damage:
        assert damage[0] in text
        text = text.replace(damage[0], damage[1])
    got = parse_text(text, source="scan.pdf")
    assert (got.symbol, got.language, got.body) == ("S/RES/2564 (2021)", "ar", "SC")
    assert [p.pid for p in got.paragraphs] == ["PP1", "PP2", "PP3", "PP4", "OP1", "OP2", "OP3"]
