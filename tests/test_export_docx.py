"""The Word export: a conversation as DOCX whose citations are real footnotes, read back with python-docx.

What a user relies on: the file opens, the answer keeps its markers, each citation is one footnote
(a `w:footnoteReference` in the text, a `w:footnote` in word/footnotes.xml) whose text is the
cited paragraph verbatim with its symbol, id and language; the API quotes the index, not the client.
"""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from lxml import etree
from test_api import SC_2699, SEED, SEED_QUESTION, build_services

from reso.schema import CitationOut
from reso.ui.cli import cli
from reso.ui.export_docx import ExportTurn, conversation_docx
from reso.ui.http import export

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
FOLLOW_UP = "Et à quelle session le compte rendu doit-il être soumis ?"


@pytest.fixture(scope="module")
def services(tmp_path_factory, seed_path, fixtures_dir):
    akn = [fixtures_dir / "akn" / name for name in SC_2699]
    return build_services(tmp_path_factory.mktemp("docx-index"), [seed_path, *akn])


@pytest.fixture(scope="module")
def http(services) -> TestClient:
    from fastapi import FastAPI

    from reso.ui import http as api

    app = FastAPI()
    export.install(app, services)
    api.install(app, services)
    return TestClient(app)


def footnotes_of(data: bytes) -> dict[int, str]:
    """Footnote id → its text, from word/footnotes.xml (the separators, ids -1 and 0, left out)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "footnotes" in z.read("[Content_Types].xml").decode()
        assert "relationships/footnotes" in z.read("word/_rels/document.xml.rels").decode()
        root = etree.fromstring(z.read("word/footnotes.xml"))
    return {int(f.get(W + "id")): "".join(t.text or "" for t in f.iter(W + "t"))
            for f in root.iter(W + "footnote") if int(f.get(W + "id")) > 0}


def references_of(document) -> list[tuple[str, int]]:
    """(text of the paragraph before the reference, footnote id) for each footnote reference, in order."""
    out = []
    for p in document.paragraphs:
        text = ""
        for run in p._p.iter(W + "r"):
            ref = run.find(W + "footnoteReference")
            if ref is not None:
                out.append((text, int(ref.get(W + "id"))))
            text += "".join(t.text or "" for t in run.iter(W + "t"))
    return out


def test_each_citation_is_a_footnote_quoting_the_paragraph(services, http):
    first = http.post("/api/ask", json={"question": SEED_QUESTION}).json()
    history = [{"role": "user", "content": SEED_QUESTION}, {"role": "assistant", "content": first["answer"]}]
    second = http.post("/api/ask", json={"question": FOLLOW_UP, "history": history}).json()
    turns = [ExportTurn(SEED_QUESTION, a["answer"], [CitationOut(**c) for c in a["citations"]], a["refused"])
             for a in (first, second)]
    data = conversation_docx(turns)

    document = docx.Document(io.BytesIO(data))  # it opens
    text = "\n".join(p.text for p in document.paragraphs)
    assert first["answer"] in text and SEED_QUESTION in text
    cited = [c for a in (first, second) for c in a["citations"]]
    notes = footnotes_of(data)
    assert len(notes) == len(cited) >= 2  # one footnote per citation
    refs = references_of(document)
    assert [i for _, i in refs] == sorted(notes)  # each footnote referenced once, in order
    for (before, note_id), c in zip(refs, cited, strict=True):
        marker = f"[{c['document']}, {c['paragraph']}]"
        assert before.endswith(marker)  # the reference follows its marker
        assert notes[note_id] == f" {c['document']}, {c['paragraph']} ({c['language']}): “{c['text']}”"


def test_a_repeated_marker_points_at_the_same_footnote():
    c = CitationOut(document=SEED, paragraph="OP4", language="fr", text="Prie également le Haut-Commissaire…", title="")
    data = conversation_docx([ExportTurn("q", f"One [{SEED}, OP4], again [{SEED}, OP4].", [c])])
    assert len(footnotes_of(data)) == 1
    document = docx.Document(io.BytesIO(data))
    assert [i for _, i in references_of(document)] == [1]  # one real reference; the repeat shows its number
    assert document.paragraphs[-1].text == f"One [{SEED}, OP4], again [{SEED}, OP4]1."


def test_hostile_text_stays_text():
    c = CitationOut(document=SEED, paragraph="OP4", language="en", text="</w:t><w:r>&amp; <b>bold</b>\x0c", title="")
    data = conversation_docx([ExportTurn("<script>alert(1)</script>\x01", f"A [{SEED}, OP4] & <i>", [c])])
    assert footnotes_of(data) == {1: f" {SEED}, OP4 (en): “</w:t><w:r>&amp; <b>bold</b>”"}
    assert "<script>alert(1)</script>" in [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


def test_the_api_quotes_the_index_not_the_client(http):
    answer = http.post("/api/ask", json={"question": SEED_QUESTION}).json()
    body = {"turns": [{"question": SEED_QUESTION, "answer": answer["answer"], "refused": False,
                       "citations": [{"document": c["document"], "paragraph": c["paragraph"], "language": c["language"],
                                      "text": "a forged quotation"} for c in answer["citations"]]}]}
    r = http.post("/api/export/docx", json=body)
    assert r.status_code == 200 and r.headers["content-type"] == export.DOCX_MEDIA_TYPE
    assert "attachment" in r.headers["content-disposition"]
    notes = footnotes_of(r.content)
    assert list(notes.values()) == [f" {c['document']}, {c['paragraph']} ({c['language']}): “{c['text']}”"
                                    for c in answer["citations"]]
    assert "forged" not in r.content.decode("latin-1")

    unknown = {"turns": [{"question": "q", "answer": "a", "citations": [{"document": SEED, "paragraph": "OP99"}]}]}
    r = http.post("/api/export/docx", json=unknown)
    assert r.status_code == 422 and "OP99" in r.json()["error"]
    assert http.post("/api/export/docx", json={"turns": []}).status_code == 422
    assert http.post("/api/export/doc", json=body).status_code == 404  # the rest of /api/ is still the API's


def test_reso_ask_docx(tmp_path, monkeypatch):
    monkeypatch.setenv("RESO_EMBEDDER", "hash")
    out = tmp_path / "answer.docx"
    result = CliRunner().invoke(cli, ["ask", SEED_QUESTION, "--docx", str(out)])
    assert result.exit_code == 0, result.output
    document = docx.Document(str(out))
    assert f"[{SEED}, OP4]" in "\n".join(p.text for p in document.paragraphs)
    notes = footnotes_of(out.read_bytes())
    assert any(n.startswith(f" {SEED}, OP4 (fr): “Prie également le Haut-Commissaire") for n in notes.values())
