"""Scanned PDFs (pages that are images, no text layer) are read with Tesseract when it is installed.

The scans are made the way a user's come about: a resolution laid out as the UN prints it
(`reso.evals.render`, from an AKN reading) is rasterised with `pdftoppm` and the page images put
into a new PDF that has no text at all. Read back through the public registry, it must give the
right symbol, its paragraphs with their ids, and a confidence per page; in Latin, Cyrillic and
Chinese script. (Arabic scans are read too, but this renderer's Arabic at 200 dpi comes back at
about 70 % confidence, its body line "إن مجلس حقوق الإنسان،" misread: no test asserts on it.)
Without Tesseract (or with RESO_OCR=off) the reader's "no text layer" message stays.
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
    """The resolution printed, then rasterised: a PDF of page images only."""
    from fpdf import FPDF

    printed = render.render_pdf(resolution, tmp_path / "printed.pdf")
    subprocess.run(["pdftoppm", "-r", "200", "-gray", "-png", str(printed), str(tmp_path / "page")], check=True)
    scan = FPDF(format="A4", unit="mm")
    for image in sorted(tmp_path.glob("page*.png")):
        scan.add_page()
        scan.image(str(image), x=0, y=0, w=210, h=297)
    path = tmp_path / "scan.pdf"
    scan.output(str(path))
    return path


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
