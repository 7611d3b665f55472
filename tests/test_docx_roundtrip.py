"""UN-layout DOCX read back exactly: the header block, running headers, footnotes and sub-paragraph
levels of a Word file, as the UN's systems write them.

The AKN fixtures are laid out as the UN's DOCX (`render.render_docx`) and must come back with the
same paragraph ids and texts; with real Word footnotes, with the same footnotes too. A DOCX
written by hand, part by part (no python-docx), checks the reader against the XML Word itself
writes: the symbol printed only in the first-page header, footnote references and the notes'
bodies in `footnotes.xml`, superscript markers and ordinals, a running header repeated in the body.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from reso.errors import UnreadableFile
from reso.evals import render, roundtrip
from reso.index import readers
from reso.index.readers import docx as docx_reader

FIXTURES = Path(__file__).parent / "fixtures" / "akn"
AKN = sorted(FIXTURES.glob("*.xml"))


def _notes(resolution):
    return {p.pid: [" ".join(n.split()) for n in p.footnotes] for top in resolution.paragraphs for p in top.walk()}


@pytest.mark.parametrize("path", AKN, ids=[p.stem for p in AKN])
def test_akn_fixture_comes_back_from_un_docx(path, tmp_path):
    want = readers.read(path)
    got = readers.read(render.render_docx(want, tmp_path / "r.docx"))
    assert roundtrip.compare(want, got, want.language) == (True, True, None)
    assert got.symbol == want.symbol  # a Security Council text prints it only in the first-page header
    assert not any(p.footnotes for top in got.paragraphs for p in top.walk())  # markers only, no bodies


@pytest.mark.parametrize("name", ["A_HRC_RES_54_10E.xml", "A_HRC_RES_54_10A.xml", "A_HRC_RES_54_27E.xml",
                                  "A_RES_78_186-2326034E.xml"])
def test_real_word_footnotes_become_the_paragraphs_footnotes(name, tmp_path):
    want = readers.read(FIXTURES / name)
    path = render.render_docx(want, tmp_path / "r.docx", footnotes="word")
    with zipfile.ZipFile(path) as archive:
        assert "word/footnotes.xml" in archive.namelist()
        assert archive.read("word/document.xml").count(b"w:footnoteReference") == sum(map(len, _notes(want).values()))
    got = readers.read(path)
    assert roundtrip.compare(want, got, want.language) == (True, True, None)
    assert _notes(got) == _notes(want) and any(_notes(want).values())


# ------------------------------------------------------------------------- a DOCX written by hand

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ' \
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.wordprocessingml"


def _p(*runs: str, indent: int = 0, first_line: int = 709) -> str:
    return (f'<w:p><w:pPr><w:ind w:left="{indent}" w:firstLine="{first_line}"/></w:pPr>{"".join(runs)}</w:p>')


def _t(text: str, props: str = "") -> str:
    parts = text.split("\t")
    inner = '<w:tab/>'.join(f'<w:t xml:space="preserve">{p}</w:t>' for p in parts)
    return f"<w:r>{f'<w:rPr>{props}</w:rPr>' if props else ''}{inner}</w:r>"


def _sup(text: str) -> str:
    return _t(text, '<w:vertAlign w:val="superscript"/>')


def _ref(n: int) -> str:
    return f'<w:r><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteReference w:id="{n}"/></w:r>'


def _hdrftr(tag: str, *paragraphs: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{tag} {W}>{"".join(paragraphs)}</w:{tag}>'


def _write_docx(path: Path, body: list[str], *, first_header: list[str] | None = None,
                running_header: list[str] | None = None, first_footer: list[str] | None = None,
                footnotes: dict[int, str] | None = None) -> Path:
    parts = {}
    rels = []
    refs = []
    overrides = [("/word/document.xml", f"{CT}.document.main+xml")]
    for rid, (kind, where, paragraphs) in enumerate([("first", "header", first_header),
                                                     ("default", "header", running_header),
                                                     ("first", "footer", first_footer)], 10):
        if paragraphs is None:
            continue
        name = f"{where}{rid}.xml"
        parts[f"word/{name}"] = _hdrftr("hdr" if where == "header" else "ftr", *paragraphs)
        rels.append(f'<Relationship Id="rId{rid}" Type="{REL}/{where}" Target="{name}"/>')
        refs.append(f'<w:{where}Reference w:type="{kind}" r:id="rId{rid}"/>')
        overrides.append((f"/word/{name}", f"{CT}.{where}+xml"))
    if footnotes is not None:
        notes = "".join(f'<w:footnote w:id="{n}"><w:p><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                        f'<w:footnoteRef/></w:r>{_t(" " + text)}</w:p></w:footnote>' for n, text in footnotes.items())
        parts["word/footnotes.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes {W}>'
            '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
            '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r>'
            f'</w:p></w:footnote>{notes}</w:footnotes>')
        rels.append(f'<Relationship Id="rId20" Type="{REL}/footnotes" Target="footnotes.xml"/>')
        overrides.append(("/word/footnotes.xml", f"{CT}.footnotes+xml"))
    sect = f'<w:sectPr>{"".join(refs)}<w:titlePg/></w:sectPr>'
    parts["word/document.xml"] = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}>'
                                  f'<w:body>{"".join(body)}{sect}</w:body></w:document>')
    parts["word/_rels/document.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{"".join(rels)}'
        '</Relationships>')
    parts["_rels/.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/></Relationships>')
    parts["[Content_Types].xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="{n}" ContentType="{t}"/>' for n, t in overrides) + "</Types>")
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return path


SC_BODY = [
    _p(_t("Resolution 2999"), first_line=0),
    _p(_t("Adopted by the Security Council at its 9999th meeting, on 5 December 2024"), first_line=0),
    _p(_t("The Security Council,")),
    _p(_t("Recalling the Geneva Conventions of 1949"), _ref(1), _t(" and the Charter,")),
    _p(_t("Noting the report of the Secretary-General"), _sup("2"), _t(","), _sup("3")),
    _p(_t("Acting under Chapter VII of the Charter of the United Nations,")),
    _p(_t("1.\tDecides that the mission shall:")),
    _p(_t("(a)\tMonitor the ceasefire"), _ref(2), _t(";"), indent=709),
    _p(_t("(i)\tby patrols;"), indent=1418),
    _p(_t("(ii)\tby reports;"), indent=1418),
    _p(_t("(b)\tSupport the parties;"), indent=709),
    _p(_t("2.\tDecides to remain seized of the matter."), _ref(3)),
    _p(_t("Draft resolution on the situation\tS/RES/2999 (2024)")),  # a running header left in the body
    _p(_t("9999"), _sup("th"), _t(" meeting"), first_line=0),
]
SC_NOTES = {1: "United Nations, Treaty Series, vol. 75, No. 970.", 2: "S/2024/1.", 3: "See also S/2024/2."}
FIRST_HEADER = [_p(_t("United Nations\tS/RES/2999 (2024)"), first_line=0),
                _p(_t("Security Council"), first_line=0),
                _p(_t("\tDistr.: General"), first_line=0), _p(_t("\t10 December 2024"), first_line=0)]
RUNNING = [_p(_t("Draft resolution on the situation\tS/RES/2999 (2024)"), first_line=0)]
FIRST_FOOTER = [_p(_t("24-40123 (E)    101224"), first_line=0), _p(_t("*2440123*"), first_line=0)]


def test_hand_written_un_docx(tmp_path):
    path = _write_docx(tmp_path / "sc.docx", SC_BODY, first_header=FIRST_HEADER, running_header=RUNNING,
                       first_footer=FIRST_FOOTER, footnotes=SC_NOTES)
    got = readers.read(path)
    assert got.symbol == "S/RES/2999 (2024)" and got.body == "SC"
    assert [p.pid for top in got.paragraphs for p in top.walk()] == [
        "PP1", "PP2", "PP3", "OP1", "OP1(a)", "OP1(a)(i)", "OP1(a)(ii)", "OP1(b)", "OP2"]
    assert got.find("PP1").text == "Recalling the Geneva Conventions of 1949 and the Charter,"
    assert got.find("PP1").footnotes == [SC_NOTES[1]]
    assert got.find("PP2").text == "Noting the report of the Secretary-General,"  # typed markers dropped
    assert got.find("OP1(a)").text == "Monitor the ceasefire;" and got.find("OP1(a)").footnotes == [SC_NOTES[2]]
    assert got.find("OP2").text == "Decides to remain seized of the matter."  # the running header is gone
    assert got.find("OP2").footnotes == [SC_NOTES[3]]
    assert got.meeting == "9999th meeting"  # a superscript that is not a footnote number stays
    assert all(note not in p.text for top in got.paragraphs for p in top.walk() for note in SC_NOTES.values())
    block = docx_reader.header_block(path)
    assert block.job_number == "24-40123 (E)" and block.lines[0] == "United Nations\tS/RES/2999 (2024)"


def test_the_symbol_comes_from_the_first_page_header(tmp_path):
    """The body never prints it (its title line has no year): without the header there is no symbol."""
    with_header = _write_docx(tmp_path / "a.docx", SC_BODY, first_header=FIRST_HEADER)
    assert readers.read(with_header).symbol == "S/RES/2999 (2024)"
    without = _write_docx(tmp_path / "b.docx", SC_BODY[:-1])
    with pytest.raises(UnreadableFile) as err:
        readers.read(without)
    assert "no symbol" in err.value.reason


def test_levels_follow_the_indents_only_when_the_document_indents_its_levels(tmp_path):
    body = [_p(_t("54/99.\tA title"), first_line=0), _p(_t("The Human Rights Council,")),
            _p(_t("Recalling its resolutions,")), _p(_t("1.\tDecides that the mission shall:")),
            _p(_t("(a)\tMonitor the ceasefire, in particular"), indent=709),
            _p(_t("(i)\tby patrols;"), indent=1418), _p(_t("(ii)\tby reports;"), indent=1418),
            _p(_t("(b)\tSupport the parties;"), indent=709), _p(_t("2.\tDecides to remain seized of the matter."))]
    nested = readers.read(_write_docx(tmp_path / "nested.docx", body))
    assert [p.pid for p in nested.find("OP1").walk()] == ["OP1", "OP1(a)", "OP1(a)(i)", "OP1(a)(ii)", "OP1(b)"]
    flat_body = [b.replace('w:left="709"', 'w:left="0"').replace('w:left="1418"', 'w:left="0"') for b in body]
    flat = readers.read(_write_docx(tmp_path / "flat.docx", flat_body))
    # no level in the indents: the text parser's reading ("(i)" after "(a)" not ending in ":" is a sibling)
    assert [p.pid for p in flat.find("OP1").walk()] == ["OP1", "OP1(a)", "OP1(i)", "OP1(ii)", "OP1(b)"]


def test_items_the_text_parser_has_no_label_for_are_their_own_sub_paragraphs(tmp_path):
    """"(1)" and the Cyrillic "а)" are no labels to the text parser, which joins them to the paragraph
    before; a Word paragraph of their own, label and tab, deeper than it, says they are items. An
    operative number printed alone before its "(a)" is an empty paragraph holding that item."""
    body = [_p(_t("54/99.\tA title"), first_line=0), _p(_t("The Human Rights Council,")),
            _p(_t("Recalling its resolutions,")), _p(_t("1.\tDetermines that progress is needed through:")),
            _p(_t("(1)\tpatrols;"), indent=709), _p(_t("(2)\treports;"), indent=709),
            _p(_t("2.\tRequests:")), _p(_t("а)\tпервое;"), indent=709), _p(_t("б)\tвторое;"), indent=709),
            _p(_t("3.")), _p(_t("(a)\tRequests the Secretary-General to report;"), indent=709),
            _p(_t("(b)\tFurther requests a briefing;"), indent=709),
            _p(_t("4.\tDecides to remain seized of the matter."))]
    got = readers.read(_write_docx(tmp_path / "items.docx", body))
    assert [p.pid for top in got.operative for p in top.walk()] == [
        "OP1", "OP1(1)", "OP1(2)", "OP2", "OP2(а)", "OP2(б)", "OP3", "OP3(a)", "OP3(b)", "OP4"]
    assert got.find("OP1").text == "Determines that progress is needed through:"
    assert got.find("OP1(2)").text == "reports;" and got.find("OP2(б)").text == "второе;"
    assert got.find("OP3").text == "" and got.find("OP3(a)").text == "Requests the Secretary-General to report;"


def test_a_preambular_paragraphs_items_stay_under_it_when_levels_are_renested(tmp_path):
    """One nesting rule for DOCX and PDF (`readers.common.renest`): the items of a preambular
    paragraph (S/RES/2714 (2023) PP5 (a)–(c)) stay its children, as the AKN and PDF readings have
    them, rather than being raised to the top level beside it."""
    body = [_p(_t("54/99.\tA title"), first_line=0), _p(_t("The Human Rights Council,")),
            _p(_t("Recalling its resolutions,")), _p(_t("Noting that the measures will:")),
            _p(_t("(a)\treduce the threats;"), indent=709), _p(_t("(b)\tsupport the parties,"), indent=709),
            _p(_t("1.\tDecides that the mission shall:")), _p(_t("(a)\tMonitor the ceasefire;"), indent=709),
            _p(_t("2.\tDecides to remain seized of the matter."))]
    got = readers.read(_write_docx(tmp_path / "pp-items.docx", body))
    assert [p.pid for p in got.paragraphs] == ["PP1", "PP2", "OP1", "OP2"]
    assert [p.pid for p in got.find("PP2").walk()] == ["PP2", "PP2(a)", "PP2(b)"]
    assert [p.pid for p in got.find("OP1").walk()] == ["OP1", "OP1(a)"]
