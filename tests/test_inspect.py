"""`reso inspect FILE... [--json]` (CONTRACTS §2): how each file reads, without indexing it."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from reso.ui.cli import cli
from tests.conftest import SHARED

REAL = SHARED / "real-files"


def _need(path):
    if not path.exists():
        pytest.skip(f"{path} not found")
    return path


def test_json_shape_of_a_real_pdf_and_an_unreadable_file(tmp_path):
    pdf = _need(REAL / "A_RES_ES-11_1-EN.pdf")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7 not really")
    result = CliRunner().invoke(cli, ["inspect", "--json", str(pdf), str(broken)])
    assert result.exit_code == 1
    good, bad = json.loads(result.output)
    assert set(bad) == {"file", "error"} and "PDF" in bad["error"]
    for key in ("file", "document", "kind", "language", "date", "title", "body", "paragraphs", "warnings"):
        assert key in good
    assert (good["document"], good["kind"], good["language"], good["date"], good["body"]) == (
        "A/RES/ES-11/1", "resolution", "en", "2022-03-02", "GA")
    ids = [p["id"] for p in good["paragraphs"]]
    assert ids == [f"PP{i}" for i in range(1, 19)] + [f"OP{i}" for i in range(1, 17)]
    assert {p["kind"] for p in good["paragraphs"]} == {"preambular", "operative"}
    assert good["paragraphs"][0]["text"].startswith("Reaffirming the paramount importance")
    assert any("header/footer" in w for w in good["warnings"])
    assert any("footnote" in w for w in good["warnings"])


def test_text_report_lists_ids_first_words_sub_paragraphs_and_guesses():
    md = _need(REAL / "A_RES_80_12.md")
    result = CliRunner().invoke(cli, ["inspect", str(md)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "A/RES/80/12 (resolution)" in out and "14 PP, 10 OP, 11 sub-paragraphs" in out
    assert "    OP7(a)       To continue the practice" in out
    assert "warning: OP7: sub-paragraph labels (a)–(b) inferred" in out


def test_annexes_and_repeated_ids_are_shown():
    xml = _need(SHARED / "corpus-large/unxml-sc/2025/Spanish/S_RES_2806-2520426S.xml")
    result = CliRunner().invoke(cli, ["inspect", "--json", str(xml)])
    doc = json.loads(result.output)[0]
    annex = [p for p in doc["paragraphs"] if p["kind"] == "annex"]
    assert annex and all(p["id"].startswith("ANNEX") for p in annex)
    assert len({p["id"] for p in doc["paragraphs"]}) == len(doc["paragraphs"])
    assert any("repeated" in w for w in doc["warnings"])
