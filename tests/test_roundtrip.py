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
