"""The UN-layout renderer prints what the UN's PDFs print, in each of the six languages.

Checked on the text layer pypdf extracts (what the PDF reader sees): the header block, the
resolution heading and title line, running headers and footers with page numbers on later pages,
footnote bodies at page bottoms, every paragraph's words, and the DOCX's structure.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reso.evals import render
from reso.index import readers

CORPUS = Path("/work/shared/corpus") if not (Path(__file__).resolve().parents[2] / "shared").is_dir() \
    else Path(__file__).resolve().parents[2] / "shared" / "corpus"
FILES = {"en": "English/A_HRC_RES_54_10E.xml", "fr": "French/A_HRC_RES_54_10F.xml",
         "es": "Spanish/A_HRC_RES_54_10S.xml", "ru": "Russian/A_HRC_RES_54_10R.xml",
         "ar": "Arabic/A_HRC_RES_54_10A.xml", "zh": "Chinese/A_HRC_RES_54_10C.xml"}


def _resolution(language: str):
    path = CORPUS / "unxml-hrc" / "54session" / FILES[language]
    if not path.is_file():
        pytest.skip(f"{path} not available")
    return readers.read(path)


def _pages(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text(extraction_mode="layout") for page in PdfReader(path).pages]


@pytest.mark.parametrize("language", ["en", "fr", "es", "ru", "ar", "zh"])
def test_pdf_has_the_un_furniture_and_every_paragraph(language, tmp_path):
    resolution = _resolution(language)
    try:
        pages = _pages(render.render_pdf(resolution, tmp_path / "r.pdf"))
    except render.NoFont as exc:
        pytest.skip(str(exc))
    words = render.WORDS[language]
    job = render.job_number(resolution)
    first = pages[0]
    assert resolution.symbol in first and words.distr in first
    assert f"{job} ({words.job_letter})" in first and f"*{job.replace('-', '')}*" in first
    # the numbered title line; Arabic is drawn in visual order, as a real PDF stores it: ".54/10" read left to right
    assert ("54/10." if language != "ar" else ".54/10") in first
    assert len(pages) >= 2
    for number, page in enumerate(pages[1:], 2):
        assert resolution.symbol in page and f"{number}/{len(pages)}" in page and job in page
    flat = "".join("".join(pages).split())
    if language != "ar":  # Arabic's extraction order is the reader's problem, not the renderer's
        for para in resolution.paragraphs:
            for item in para.walk():
                assert "".join(item.text.split())[:15] in flat, item.pid
        assert "".join(resolution.paragraphs[0].text.split())[:15] in "".join(first.split())
    notes = [n for p in resolution.paragraphs for item in p.walk() for n in item.footnotes]
    assert notes and "__________________" in "".join(pages)
    if language != "ar":  # Arabic is stored in visual order: its words read back reversed (the reader's problem)
        assert "".join(notes[0].split())[-8:] in flat


def test_pdf_breaks_a_paragraph_across_pages(tmp_path):
    resolution = _resolution("en")
    pages = _pages(render.render_pdf(resolution, tmp_path / "r.pdf"))
    texts = ["".join(p.split()) for p in pages]
    split = [item.pid for para in resolution.paragraphs for item in para.walk()
             if "".join(item.text.split())[:20] in texts[0] and "".join(item.text.split())[-20:] not in texts[0]]
    assert split, "some paragraph should run on from page 1 to page 2"


def test_footnote_markers_are_glued_to_words():
    toks = render.tokens("the Geneva Conventions of 1949 and Additional Protocol I", "en")
    render.glue_markers(toks, ["2"])
    glued = [t for t in toks if t.marker]
    assert len(glued) == 1 and glued[0].text[-1].isalnum()
    assert [t.text for t in render.tokens("大会，重申 A/RES/1", "zh")] == ["大", "会", "，", "重", "申", "A/RES/1"]


def test_docx_has_the_structure(tmp_path):
    import docx

    resolution = _resolution("en")
    document = docx.Document(str(render.render_docx(resolution, tmp_path / "r.docx")))
    body = [p.text for p in document.paragraphs]
    assert body[body.index("The Human Rights Council,") - 1].startswith("54/10.\t")
    assert any(t.startswith("1.\t") for t in body) and any(t.startswith("(a)\t") for t in body)
    assert resolution.symbol in document.sections[0].first_page_header.paragraphs[0].text
    superscripts = [r for p in document.paragraphs for r in p.runs if r.font.superscript]
    assert superscripts and all(r.text.isdigit() for r in superscripts)
