"""Markdown (`.md`, with or without front matter): the real A/RES/80/12 extraction (SOURCES.md counts)."""

from __future__ import annotations

import pytest

from reso.index import readers
from reso.index.readers.markdown import front_matter, parse_markdown
from tests.conftest import SHARED

REAL = SHARED / "real-files" / "A_RES_80_12.md"


@pytest.fixture(scope="module")
def markdown() -> str:
    if not REAL.is_file():
        pytest.skip(f"{REAL} not found")
    return REAL.read_text(encoding="utf-8")


def _counts(res):
    return len(res.preambular), len(res.operative)


def test_the_real_extraction_reads_with_its_symbol_counts_and_sub_paragraphs():
    if not REAL.is_file():
        pytest.skip(f"{REAL} not found")
    res = readers.read(REAL)
    assert (res.symbol, res.kind, res.language, res.body) == ("A/RES/80/12", "resolution", "en", "GA")
    assert _counts(res) == (14, 10)
    assert [c.pid for c in res.find("OP7").children] == [f"OP7({x})" for x in "abcdefghi"]
    assert [c.pid for c in res.find("OP8").children] == ["OP8(a)", "OP8(b)"]
    assert res.find("OP7(a)").text.startswith("To continue the practice of sending")
    assert res.find("OP8(b)").text.startswith("To continue to provide")
    assert any("OP7" in w and "inferred" in w for w in res.warnings)
    # PP4 and OP1 are split by a blank line at a page break: one paragraph each
    assert "a better flow of objective information" in res.find("PP4").text
    assert "or any other format developed" in res.find("OP1").text
    assert res.find("PP8").footnotes == ["A/54/298."] and res.find("OP6").footnotes == ["A/80/225."]
    assert res.adopted.isoformat() == "2025-12-01" and res.agenda_item.startswith("90 (b)")
    assert res.title == "Objective information on military matters, including transparency of military expenditures"


def test_without_front_matter_it_reads_the_same(markdown):
    _, body = front_matter(markdown)
    with_fm, without = parse_markdown(markdown, "a.md"), parse_markdown(body, "b.md")
    assert [p.pid for t in without.paragraphs for p in t.walk()] == [p.pid for t in with_fm.paragraphs for p in t.walk()]
    assert without.symbol == "A/RES/80/12"


def test_front_matter_symbol_is_used_when_the_text_prints_none(markdown):
    fields, body = front_matter(markdown)
    assert fields["symbol"] == "A/RES/80/12" and fields["date"] == "2025-12-05"
    unnumbered = body.replace("80/12. Objective", "Objective")
    res = parse_markdown("---\nsymbol: A/RES/80/12\n---\n" + unnumbered, "c.md")
    assert res.symbol == "A/RES/80/12" and any("front matter" in w for w in res.warnings)


def test_a_running_header_in_the_middle_of_a_paragraph_is_removed(markdown):
    header = ("\n\nA/RES/80/12 Objective information on military matters, including transparency of military "
              "expenditures\n\n25-19876 2/5\n\n")
    split = markdown.replace("a better\n\nflow of", "a better" + header + "flow of")
    assert split != markdown
    res = parse_markdown(split, "d.md")
    assert _counts(res) == (14, 10)
    assert "a better flow of objective information" in res.find("PP4").text


def test_markup_is_removed():
    text = ("# United Nations\n\n**The General Assembly,**\n\n*Recalling* its resolution 1/1 of 1 May 2000[^1],\n\n"
            "1. *Decides* to see [the report](https://example.org/r);\n\n---\n\n[^1]: A/1/1.\n")
    res = parse_markdown(text, "A_RES_79_1.md")
    assert res.symbol == "A/RES/79/1"
    assert res.find("PP1").text == "Recalling its resolution 1/1 of 1 May 2000," and res.find("PP1").footnotes == ["A/1/1."]
    assert res.find("OP1").text == "Decides to see the report;"
