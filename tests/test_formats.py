"""PDF, DOCX and HTML of the seed resolution give the same paragraphs as its .txt.

The documents are built by `reso.evals.render` (shared with the fuzzer and the round-trip
oracle), laid out as the UN prints a resolution: title `30/25. …`, body line, first-line-indented
paragraphs wrapped over several lines (a compound hyphen at a line end included), numbered operative paragraphs, the closing block, and in the PDF a page header
(symbol) and footer (job number, page number) on every page. Then the same 20 ids and the same
texts must come out of each format.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from reso.evals import render
from reso.index import readers
from reso.errors import UnreadableFile
from reso.index.model import Resolution
from reso.index.readers import docx as docx_reader
from reso.index.readers import html as html_reader
from reso.index.readers import pdf as pdf_reader
from reso.index.readers import text as text_reader

SYMBOL = render.SEED_SYMBOL


def _build_pdf(seed: Resolution, path: Path, **kwargs) -> Path:
    try:
        return render.build_pdf(seed, path, **kwargs)
    except render.NoFont as exc:
        pytest.skip(str(exc))


_build_docx = render.build_docx
_build_html = render.build_html


@pytest.fixture(scope="module")
def seed(seed_path) -> Resolution:
    return text_reader.read(seed_path)


def _same_paragraphs(got: Resolution, want: Resolution) -> None:
    assert [p.pid for p in got.paragraphs] == [p.pid for p in want.paragraphs]
    for g, w in zip(got.paragraphs, want.paragraphs):
        assert g.text == w.text, g.pid
    assert got.title == want.title
    assert (got.symbol, got.language, got.body, got.adopted) == (want.symbol, want.language, want.body, want.adopted)
    assert got.vote.outcome == "without_vote"


# ------------------------------------------------------------------------------------------ PDF


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
