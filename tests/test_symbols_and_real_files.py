"""Symbols of every kind (CONTRACTS §1) and the real files of `../shared/real-files` (SOURCES.md counts)."""

from __future__ import annotations

import re

import pytest

from reso.index import readers, symbols
from tests.conftest import SHARED

REAL = SHARED / "real-files"
LARGE = SHARED / "corpus-large"


def _file(path):
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return path


@pytest.mark.parametrize("printed, kind, body, number, session", [
    ("A/RES/ES-11/1", "resolution", "GA", "ES-11/1", "ES-11"),
    ("A/RES/S-32/1", "resolution", "GA", "S-32/1", "S-32"),
    ("A/HRC/RES/S-35/1", "resolution", "HRC", "S-35/1", "S-35"),
    ("A/RES/78/204", "resolution", "GA", "78/204", "78"),
    ("S/RES/2699 (2023)", "resolution", "SC", "2699", None),
    ("A/78/L.5", "draft", "GA", None, "78"),
    ("A/HRC/56/L.1", "draft", "HRC", None, "56"),
    ("A/C.3/78/L.12", "draft", "GA", None, "78"),
    ("A/ES-11/L.1/Add.1", "draft", "GA", None, "ES-11"),
    ("S/PRST/2020/11", "statement", "SC", "2020/11", None),
    ("A/HRC/DEC/55/101", "decision", "HRC", "55/101", "55"),
])
def test_every_kind_of_symbol_is_recognised(printed, kind, body, number, session):
    found = symbols.parse(printed)
    assert found is not None and found.printed == printed
    assert (found.kind, found.body, found.number, found.session) == (kind, body, number, session)


def test_a_draft_symbol_in_the_cover_is_a_reference_not_the_document():
    found = symbols.find_all("[without reference to a Main Committee (A/ES-11/L.1 and A/ES-11/L.1 /Add.1)]")
    assert [(s.printed, s.kind) for s in found] == [("A/ES-11/L.1", "draft"), ("A/ES-11/L.1/Add.1", "draft")]
    assert symbols.parse("S/2014/136") is None  # a letter, no kind we know


@pytest.mark.parametrize("name, symbol", [
    ("A_RES_ES-11_1-EN.pdf", "A/RES/ES-11/1"),
    ("S_RES_2510 (2020)-2002184F.xml", "S/RES/2510 (2020)"),
    ("S_RES_2777-2504360S.xml", "S/RES/2777"),
    ("S_PRST_2020_11.xml", "S/PRST/2020/11"),
    ("A_HRC_RES_54_18A.xml", "A/HRC/RES/54/18"),
    ("S_RES_2087_1321396E.xml", "S/RES/2087"),
    ("minutes.xml", None),
])
def test_symbols_from_file_names(name, symbol):
    assert symbols.symbol_from_filename(name) == symbol


def test_akn_without_a_symbol_takes_its_file_name_and_year():
    res = readers.read(_file(LARGE / "unxml-sc/2025/Spanish/S_RES_2777-2504360S.xml"))
    english = readers.read(_file(LARGE / "unxml-sc/2025/English/S_RES_2777-2504360E.xml"))
    assert res.symbol == english.symbol == "S/RES/2777 (2025)"
    assert res.number == "2777" and res.language == "es"
    assert any("file name" in w for w in res.warnings)
    assert (len(res.preambular), len(res.operative)) == (len(english.preambular), len(english.operative))


@pytest.mark.parametrize("language", ["French", "Spanish"])
def test_akn_whose_markup_says_a_wrong_year_is_filed_under_the_right_document(language):
    path = next(iter(sorted((LARGE / "unxml-sc/2020" / language).glob("S_RES_2510*"))), None)
    if path is None:
        pytest.skip("corpus-large not found")
    res = readers.read(path)
    assert res.symbol == "S/RES/2510 (2020)"
    assert any("2019" in w and "S/RES/2510 (2020)" in w for w in res.warnings)


def test_presidential_statement_keeps_its_symbol_and_kind():
    res = readers.read(_file(LARGE / "unxml-sc/2020/English/S_PRST_2020_11.xml"))
    assert (res.symbol, res.kind, res.number) == ("S/PRST/2020/11", "statement", "2020/11")
    from reso.index.chunks import chunks_of

    assert {c.document_kind for c in chunks_of(res)} == {"statement"}
    assert chunks_of(res)[0].metadata("x")["document_kind"] == "statement"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("n, pp, op, draft", [(1, 18, 16, "A/ES-11/L.1"), (2, 19, 14, "A/ES-11/L.2")])
def test_real_un_pdfs_read_like_their_akn_versions(n, pp, op, draft):
    """SOURCES.md counts; the AKN XML of the same resolution is the oracle for the texts."""
    res = readers.read(_file(REAL / f"A_RES_ES-11_{n}-EN.pdf"))
    assert (res.symbol, res.kind, res.language, res.body) == (f"A/RES/ES-11/{n}", "resolution", "en", "GA")
    assert (len(res.preambular), len(res.operative)) == (pp, op)
    assert res.session == "ES-11" and res.agenda_item and res.agenda_item.startswith("5")
    assert res.drafts[0] == draft and f"{draft}/Add.1" in res.drafts
    assert res.committee == "without reference to a Main Committee"
    assert res.adopted.isoformat() == ("2022-03-02" if n == 1 else "2022-03-24")
    xml = next((LARGE / "unxml-ga/Emergency sessions/ES-11/English").glob(f"A_RES_ES-11_{n}-*E.xml"), None)
    if xml is None:
        pytest.skip("corpus-large not found")
    akn = readers.read(xml)
    ours = {p.pid: _norm(p.text) for top in res.paragraphs for p in top.walk()}
    theirs = {p.pid: _norm(p.text) for top in akn.paragraphs for p in top.walk()}
    assert list(ours) == list(theirs)
    same = sum(ours[k] == theirs[k] for k in ours)
    assert same >= len(ours) - 1, [k for k in ours if ours[k] != theirs[k]]  # ES-11/1 OP11: a spaced marker
    for text in ours.values():  # no header, footer, job number or barcode left in a paragraph
        assert not re.search(r"A/RES/ES-11/\d\b|\d\d-\d{5}|\*\d{7}\*|\b\d/4\b", text), text


def _sources() -> list[tuple[str, str, int, int, dict[str, int]]]:
    """(file, symbol, PP, OP, {OP: sub-paragraphs}) for every file SOURCES.md lists, from its two tables."""
    path = REAL / "SOURCES.md"
    if not path.is_file():
        return []
    rows = [[c.strip().strip("`") for c in line.strip().strip("|").split("|")]
            for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("|")]
    files = {r[0]: r[4].split(",")[0].strip() for r in rows if len(r) == 5 and "." in r[0] and r[0] != "file"}
    counts = {}
    for r in rows:
        if len(r) == 5 and r[1].isdigit() and r[2].isdigit():
            subs = {m[0]: int(m[1]) for m in re.findall(r"(OP\d+) \([a-z]\)–\([a-z]\) = (\d+)", r[3])}
            counts[r[0]] = (int(r[1]), int(r[2]), subs)
    return [(name, symbol, *counts[symbol]) for name, symbol in files.items()]


def test_sources_md_lists_every_real_file():
    if not REAL.is_dir():
        pytest.skip(f"{REAL} not found")
    listed = {row[0] for row in _sources()}
    assert listed == {p.name for p in REAL.iterdir() if p.name != "SOURCES.md"}


@pytest.mark.parametrize("name, symbol, pp, op, subs", _sources() or [pytest.param(*[None] * 5, marks=pytest.mark.skip)])
def test_every_real_file_reads_with_the_symbol_and_counts_of_sources_md(name, symbol, pp, op, subs):
    """Each file SOURCES.md lists: its symbol, PP and OP counts, and the sub-paragraphs it counts
    ("none": no sub-paragraph anywhere; "OP7 (a)–(i) = 9": nine under OP7 and only there)."""
    res = readers.read(_file(REAL / name))
    assert res.symbol == symbol
    assert (len(res.preambular), len(res.operative)) == (pp, op)
    found = {top.pid: sum(1 for p in top.walk() if p is not top) for top in res.paragraphs}
    assert {pid: n for pid, n in found.items() if n} == subs
