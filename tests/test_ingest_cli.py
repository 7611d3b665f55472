"""`reso ingest` / `reso documents` end to end, the way a user runs them."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from reso.ui.cli import cli
from tests.conftest import SHARED


@pytest.fixture
def run(monkeypatch):
    monkeypatch.setenv("RESO_EMBEDDER", "hash")  # the real models have their own tests

    def _run(*args: str):
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return _run


def test_seed_ingests_as_the_contract_says(run, seed_path):
    result = run("ingest", str(seed_path))
    assert result.exit_code == 0, result.output
    assert "1 documents" in result.output and "20 paragraphs: 20 added" in result.output
    docs = json.loads(run("documents", "--json").output)
    assert docs == [
        {
            "document": "A/HRC/RES/30/25",
            "languages": ["fr"],
            "paragraphs": {"fr": 20},
            "title": "Promotion de la coopération internationale à l’appui des systèmes et processus nationaux "
            "de suivi dans le domaine des droits de l’homme",
            "body": "HRC",
            "date": "2015-10-02",
        }
    ]
    again = run("ingest", str(seed_path))
    assert "0 added, 0 updated, 0 removed, 20 unchanged" in again.output


def test_bad_files_are_named_with_their_reason_and_the_rest_is_ingested(run, seed_path, tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(seed_path, folder / "seed.txt")
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.7\n garbage that is no PDF at all \x00\x01")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "garbage.docx").write_bytes(bytes(range(256)) * 8)
    (folder / "page.xml").write_text("<html><body>not a resolution</body></html>", encoding="utf-8")
    (folder / "notes.md").write_text("# met while walking a folder: passed over quietly", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(folder)])
    assert result.exit_code == 1
    for name, reason in [
        ("corrupt.pdf", "PDF"),
        ("empty.txt", "empty"),
        ("garbage.docx", "DOCX"),
        ("page.xml", "Akoma Ntoso"),
    ]:
        line = next((ln for ln in result.output.splitlines() if name in ln), "")
        assert line.startswith("skipped") and reason in line, (name, result.output)
    assert "notes.md" not in result.output
    docs = json.loads(run("documents", "--json").output)
    assert [(d["document"], d["paragraphs"]) for d in docs] == [("A/HRC/RES/30/25", {"fr": 20})]


def test_explicit_file_of_unknown_type_fails(run, tmp_path):
    f = tmp_path / "minutes.odt"
    f.write_bytes(b"PK\x03\x04")
    result = CliRunner().invoke(cli, ["ingest", str(f)])
    assert result.exit_code == 1 and "unsupported file type '.odt'" in result.output


def test_missing_path_is_reported(run, tmp_path):
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path / "nope")])
    assert result.exit_code == 1 and "no such file or folder" in result.output


def test_other_embedder_on_existing_index_says_how_to_fix(run, seed_path, monkeypatch):
    run("ingest", str(seed_path))
    monkeypatch.setenv("RESO_EMBEDDER", "hash-64")
    result = CliRunner().invoke(cli, ["ingest", str(seed_path)])
    assert result.exit_code == 1
    assert "built with the embedder 'hash-256'" in result.output and "--rebuild" in result.output
    rebuilt = CliRunner().invoke(cli, ["ingest", "--rebuild", str(seed_path)])
    assert rebuilt.exit_code == 0 and "20 added" in rebuilt.output


def test_documents_on_an_empty_index(run):
    assert "The index is empty" in run("documents").output
    assert json.loads(run("documents", "--json").output) == []


@pytest.mark.slow
def test_whole_corpus_ingests_then_reingest_changes_nothing_and_an_edit_changes_one_document(
    run, shared_corpus, tmp_path
):
    corpus = tmp_path / "corpus"
    shutil.copytree(shared_corpus, corpus)
    first = json.loads(run("ingest", "--json", str(corpus)).output)
    assert first["skipped"] == []
    assert first["documents"] == 139  # the 138 XML resolutions and the seed's text
    docs = json.loads(run("documents", "--json").output)
    assert len(docs) == 139
    assert sum(len(d["languages"]) for d in docs) == 289
    six = [d["document"] for d in docs if len(d["languages"]) == 6]
    assert sorted(six) == ["A/HRC/RES/54/10", "A/HRC/RES/54/24", "A/HRC/RES/54/28"]

    again = json.loads(run("ingest", "--json", str(corpus)).output)
    assert (again["added"], again["updated"], again["removed"], again["embedded"]) == (0, 0, 0, 0)

    # edit one paragraph of one file: only that document's chunk changes
    target = next(corpus.rglob("A_HRC_RES_54_10E.xml"))
    xml = target.read_text(encoding="utf-8")
    assert "Bearing in mind</span> paragraph 6" in xml
    target.write_text(xml.replace("Bearing in mind</span> paragraph 6", "Bearing in mind</span> paragraph 7"), encoding="utf-8")
    edited = json.loads(run("ingest", "--json", str(corpus)).output)
    assert (edited["added"], edited["updated"], edited["removed"]) == (0, 1, 0)


def test_markdown_is_read_named_or_met_in_a_folder(run, tmp_path):
    """A folder's notes (SOURCES.md) are passed over; a Markdown resolution in it is read; a note
    named explicitly is a failure with its reason."""
    real = SHARED / "real-files" / "A_RES_80_12.md"
    if not real.is_file():
        pytest.skip(f"{real} not found")
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(real, folder / real.name)
    (folder / "SOURCES.md").write_text("# Sources\n\nWhere these files came from.\n", encoding="utf-8")
    result = run("ingest", str(folder))
    assert result.exit_code == 0, result.output
    assert "SOURCES.md" not in result.output
    docs = json.loads(run("documents", "--json").output)
    assert [(d["document"], d["paragraphs"]) for d in docs] == [("A/RES/80/12", {"en": 24})]
    named = CliRunner().invoke(cli, ["ingest", str(folder / "SOURCES.md")])
    assert named.exit_code == 1 and "no resolution found" in named.output
