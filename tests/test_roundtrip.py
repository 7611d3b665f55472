"""The round-trip oracle over a small sample of the corpus: a few files per language, PDF and DOCX.

The figures measure the readers; here the oracle itself is checked: each sampled file is laid
out and read back, the report counts per language and format, a failure names the first id that
differs, and the AKN reading is compared with expected.json where the corpus has one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reso.evals import roundtrip
from reso.index.model import Paragraph, Resolution

SHARED = Path("/work/shared") if not (Path(__file__).resolve().parents[2] / "shared").is_dir() \
    else Path(__file__).resolve().parents[2] / "shared"


def test_sample_of_the_corpus_round_trips_in_every_language(capsys):
    corpus = SHARED / "corpus"
    if not corpus.is_dir():
        pytest.skip("../shared/corpus not available")
    assert roundtrip.main([str(corpus), "--sample", "1", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result["by_language"]) == {"en", "fr", "es", "ru", "ar", "zh"}
    for language, row in result["by_language"].items():
        assert row["pdf"]["files"] == row["docx"]["files"] == 1
        assert row["pdf"]["same_ids"] + sum(1 for f in result["failures"]
                                            if f["language"] == language and f["format"] == "pdf"
                                            and not f["same_ids"]) == 1
    for failure in result["failures"]:
        assert failure["error"] or failure["first_diff"]


def test_compare_names_the_first_differing_id():
    def res(pids):
        return Resolution(symbol="A/RES/78/1", body="GA", language="en",
                          paragraphs=[Paragraph(pid, "operative" if pid.startswith("OP") else "preambular", f"t {pid}")
                                      for pid in pids])

    assert roundtrip.compare(res(["PP1", "OP1"]), res(["PP1", "OP1"]), "en") == (True, True, None)
    same, _, diff = roundtrip.compare(res(["PP1", "PP2", "OP1"]), res(["PP1", "OP1", "OP2"]), "en")
    assert not same and diff["index"] == 1 and (diff["want"], diff["got"]) == ("PP2", "OP1")
    changed = res(["PP1", "OP1"])
    changed.paragraphs[1].text = "t  OP1 changed"
    assert roundtrip.compare(res(["PP1", "OP1"]), changed, "en")[:2] == (True, False)
    assert roundtrip.normalise("大会\n重申 ", "zh") == "大会重申"


def test_agreement_with_expected_json():
    large = SHARED / "corpus-large"
    if not (large / "expected.json").is_file():
        pytest.skip("../shared/corpus-large not available")
    labels = json.loads((large / "expected.json").read_text(encoding="utf-8"))
    rel = "unxml-sc/2021/Chinese/S_RES_2586 (2021)-2109780C.xml"
    result = roundtrip.run([large / rel], formats=())
    assert result["expected_agreement"] == {}  # a single file outside its corpus root has no label
    stats = roundtrip.Agreement()
    from reso.index import readers

    roundtrip._agree(stats, rel, readers.read(large / rel), labels[rel])
    assert stats.files == 1 and stats.same_counts == (stats.misses == [] or stats.misses[0]["counts"]
                                                      == stats.misses[0]["majority"])


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
@pytest.mark.parametrize("rel", [
    # a heading among the preambular containers, before "Agissant en vertu du Chapitre VII …,": a PP
    "unxml-sc/2025/French/S_RES_2806-2520426F.xml",
    # "… ومبادئه،" then U+200F: a finished clause, no heading
    "unxml-hrc/54session/Arabic/A_HRC_RES_54_21A.xml",
    # no numbered paragraph; the last one is a list of names without a full stop, the closing block
    # ("4745th meeting") pushed right must not hide the first-line indents
    "unxml-sc/Pre-2020/2003/S_RES_1477_N0334049.xml",
    # a presidential statement: one unnumbered paragraph ending in ".”"
    "unxml-sc/2020/English/S_PRST_2020_11.xml",
    # "决定 …。" then "第9073次会议通过": the closing is no preambular heading
    "unxml-sc/2022/Chinese/S_RES_2638 (2022)-2209857C.xml",
    # "A. To assist the parties in concluding the Lusaka Protocol by:": a capital-lettered item, OP3(a)
    "unxml-sc/Pre-2020/2002/S_RES_1433_N0252659.xml",
    # the Arabic "11 -" alone on its line, "(أ)" below: a label, not a page number
    "unxml-sc/2021/Arabic/S_RES_2592 (2021)-2112022A.xml",
    # "(十一)" after "㈩" (its label typed again in the AKN text, once printed twice)
    "unxml-sc/2020/Chinese/S_RES_2542 (2020)-2011953C.xml",
    # "(c)2020/2021年选举": a label before a number, no space
    "unxml-sc/2020/Chinese/S_RES_2552 (2020)-2015117C.xml",
    "unxml-sc/2021/Chinese/SC_2568_2021-C.xml",
    # "(1 -)", "(2 -)": a fourth level under OP45 (b) ’1‘; the closing "جلسته 9490" after a page break
    "unxml-sc/2023/Arabic/S_RES_2713-2323995A.xml",
    # "(㈣" typed with a stray bracket
    "unxml-sc/2023/Chinese/S_RES_2709-2322375C.xml",
    # one unnumbered PP and the lone OP, no first-line indents, no capitals: the PP's comma ends it
    "unxml-sc/2021/Arabic/SC_2580_2021-A.xml",
    # "一." steps under OP3; "(a)《联合国宪章》" with no space before the bracket
    "unxml-sc/2023/Chinese/S_RES_2719-2325940C.xml",
    "unxml-hrc/57session/Chinese/A_HRC_RES_57_7C.xml",
    # "5. Decides …" typed under OP4 (d) (iv) in the markup: OP5 in the AKN reading too now
    "unxml-sc/2026/English/S_RES_2820-2606294E.xml",
    # "58.b)": OP58's item (b) typed after its paragraph's number, once read as a seventh bullet of (a)
    "unxml-sc/2021/French/S_RES_2605 (2021)-2116627F.xml",
    # PP6 "Underscoring that … carry out the Council’s decisions" with no comma, right before OP1:
    # a PP for the AKN reader (over 120 characters), once dropped as a heading
    "unxml-sc/2020/English/S_RES_2504 (2020)-2000407E.xml",
])
def test_layouts_that_once_came_back_with_other_ids(rel, fmt, tmp_path):
    from reso.index import readers

    path = SHARED / "corpus-large" / rel
    if not path.is_file():
        pytest.skip(f"{path} not found")
    want = readers.read(path)
    got = roundtrip.roundtrip(want, fmt, tmp_path)
    assert roundtrip.compare(want, got, want.language)[0], roundtrip.compare(want, got, want.language)[2]


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
@pytest.mark.parametrize("rel, pid", [
    # "الفقرتان 5 و10 من": "10" after the lone conjunction "و" was taken for note 10's marker
    ("unxml-hrc/54session/Arabic/A_HRC_RES_54_18A.xml", "OP26"),
    # "السودان -⏎جناح": Arabic is never hyphenated, the line-final " -" is a spaced dash
    ("unxml-sc/2020/Arabic/S_RES_2559 (2020)-2017664A.xml", "PP8"),
    # "نظره. ]اعتُمد بتصويت …": the vote's bracket, typed mirrored, lost its space
    ("unxml-hrc/57session/Arabic/A_HRC_RES_57_22A.xml", "OP15"),
    # "《…原则》⁴(《巴黎原则》⁵)": a marker before an opening bracket, and the one after it
    ("unxml-hrc/57session/Chinese/A_HRC_RES_57_23C.xml", "OP1"),
    # "包括2023¹⁰年": a marker glued to a year inside Chinese text, before an ideograph
    ("unxml-hrc/54session/Chinese/A_HRC_RES_54_12C.xml", "OP3"),
    # "…的报告⏎；¹": a Chinese line break is no space, so the marker after "；" is found
    ("unxml-hrc/58session/Chinese/A_HRC_RES_58_19C.xml", "OP1"),
])
def test_texts_that_once_came_back_changed(rel, pid, fmt, tmp_path):
    """The paragraph's text comes back as the AKN reading has it, character for character (spaces
    included: the comparison of the round trip ignores them in Chinese, a reader must not)."""
    from reso.index import readers

    path = SHARED / "corpus-large" / rel
    if not path.is_file():
        pytest.skip(f"{path} not found")
    want = readers.read(path)
    got = roundtrip.roundtrip(want, fmt, tmp_path)

    def text(resolution):
        return next(p.text for top in resolution.paragraphs for p in top.walk() if p.pid == pid)

    assert text(got) == text(want)


def test_wilson_interval():
    assert roundtrip.wilson(10, 10) == (0.7225, 1.0)  # 10/10 is no proof of 100 %
    low, high = roundtrip.wilson(99, 100)
    assert 0.945 < low < 0.946 and 0.998 < high < 0.999
    assert roundtrip.wilson(0, 0) == (0.0, 1.0)


def test_excluded_seeds_give_a_disjoint_sample():
    root = Path("/corpus")
    files = [(root, root / "unxml-hrc" / lang / f"f{i}.xml") for lang in ("English", "French") for i in range(30)]
    seen = {f for s in (0, 1) for _, f in roundtrip.sample(files, 10, s)}
    rest = roundtrip.exclude(files, 10, [0, 1])
    assert len(rest) == len(files) - len(seen) and not seen & {f for _, f in rest}
    fresh = roundtrip.sample(rest, 5, 7)
    assert len(fresh) == 10 and not seen & {f for _, f in fresh}


def test_a_seed_excluded_with_its_own_sample_size():
    """`--exclude-seeds 7,2027:50`: the final sample of a session (50 a language) is left out as a
    whole, beside fix seeds of 10 a language."""
    root = Path("/corpus")
    files = [(root, root / "unxml-hrc" / lang / f"f{i}.xml") for lang in ("English", "Arabic") for i in range(80)]
    big = {f for _, f in roundtrip.sample(files, 50, 2027)}
    small = {f for _, f in roundtrip.sample(files, 10, 7)}
    rest = {f for _, f in roundtrip.exclude(files, 10, [7, (2027, 50)])}
    assert rest == {f for _, f in files} - big - small and len(big) == 100


def test_languages_keep_the_files_the_whole_sample_draws(monkeypatch):
    """`--languages ar` picks the Arabic files `--seed S` picks without it: a seed means one sample."""
    root = Path("/corpus")
    files = [(root, root / "unxml-sc" / lang / f"f{i}.xml") for lang in ("Arabic", "Chinese", "English")
             for i in range(40)]
    monkeypatch.setattr(roundtrip, "collect", lambda roots: files)
    seen: list[Path] = []
    monkeypatch.setattr(roundtrip, "_expected", lambda root: {})

    def fake_read(path):
        seen.append(path)
        raise ValueError("not read here")

    from reso.index import readers
    monkeypatch.setattr(readers, "read", fake_read)
    roundtrip.run([root], ("pdf",), per_language=5, seed=3, languages={"ar"})
    assert seen == [f for _, f in roundtrip.sample(files, 5, 3) if "Arabic" in f.parts]


def test_a_number_range_opening_an_arabic_line_reads_back_in_its_order():
    """"2023-2025 الذي …" is drawn "… يذلا 2023-2025"; the bidirectional algorithm run on that visual
    line takes the range for two Arabic numbers after letters and gave "2025-2023" (S/RES/2702 AR)."""
    from reso.evals.render import visual_order
    from reso.index.readers.pdf import logical_line

    for line in ("2023-2025 الذي يبرهن", "للفترة 2023-2025 الذي", "رقم 28/2023 اللذين", "6-2 بشأن",
                 "(2023) 2673 قراره", "الفقرتين 9 و 12 من القرار 2206 (2015)"):
        assert logical_line(visual_order(line, True)) == line


def test_an_exclude_list_leaves_out_what_was_looked_at(tmp_path, monkeypatch):
    """`--exclude-list`: the files a former run looked at (its JSON report's `files`, or a plain list)."""
    root = Path("/corpus")
    files = [(root, root / "unxml-sc" / lang / f"f{i}.xml") for lang in ("Arabic", "Chinese") for i in range(20)]
    monkeypatch.setattr(roundtrip, "collect", lambda roots: files)
    monkeypatch.setattr(roundtrip, "_expected", lambda root: {})
    from reso.index import readers

    monkeypatch.setattr(readers, "read", lambda path: (_ for _ in ()).throw(ValueError("not read here")))
    first = roundtrip.run([root], ("pdf",), per_language=5, seed=1)
    assert len(first["files"]) == 10
    report = tmp_path / "first.json"
    report.write_text(json.dumps(first), encoding="utf-8")
    plain = tmp_path / "seen.txt"
    plain.write_text("# looked at\nunxml-sc/Arabic/f0.xml\n", encoding="utf-8")
    seen = roundtrip.read_exclude_list(report) | roundtrip.read_exclude_list(plain)
    second = roundtrip.run([root], ("pdf",), per_language=15, seed=2, exclude_files=seen)
    assert not set(second["files"]) & seen and len(second["files"]) == 40 - len(seen)
