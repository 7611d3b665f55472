"""The readers against malformed files: `UnreadableFile` or a `Resolution`, never anything else.

`evals/fuzz.py` mutates seed files of every format (the PDF, DOCX and HTML that
`reso.evals.render` builds for `tests/test_formats.py`, the seed .txt, the AKN fixtures) and reads
each mutant through the public registry in a forked worker with a memory cap and a CPU-time limit. Here it runs in a short
form (its fixed attacks and regression inputs, then a few hundred seeded mutants: seconds) and a
long form (`slow`: two and a half minutes of mutants); both must find no crash and no hang.

Then the findings it made while it was built, each pinned by a regression input: crashes by the
files of `tests/fixtures/fuzz/`, hangs (quadratic rules that took minutes on inputs of a few
hundred kilobytes) by inputs built here and a CPU-time budget. And the XML entity attacks: an
external entity or a billion laughs in an AKN file or in a DOCX part must be refused or inert —
no file read, no network connection, no memory blow-up.
"""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from reso.evals import fuzz, render
from reso.index import readers
from reso.errors import UnreadableFile
from reso.index.readers import akn, text as text_reader

REGRESSIONS = Path(__file__).resolve().parent / "fixtures" / "fuzz"
SEED_TXT = Path(__file__).resolve().parent.parent / "index" / "default_corpus" / "A_HRC_RES_30_25-fr.txt"
AKN_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "akn" / "A_HRC_RES_54_10E.xml"


def _assert_clean(report: fuzz.Report) -> None:
    assert not report.crashes and not report.hangs, fuzz.format_report(report)
    assert report.network_connections == 0, fuzz.format_report(report)


# ------------------------------------------------------------------------------------ the fuzzer


def test_fuzz_short_form():
    """The fixed attacks and regressions of every format, then 400 seeded mutants."""
    report = fuzz.fuzz(max_inputs=450, seed=20240601, timeout=5.0)
    _assert_clean(report)
    assert set(report.stats) == set(fuzz.FORMATS), "a format lost its seeds"
    assert all(s.tried >= 60 for s in report.stats.values()), fuzz.format_report(report)
    assert sum(s.parsed for s in report.stats.values()) > 50, "mutants should not all be refused"


@pytest.mark.slow
def test_fuzz_long_form():
    # its mutants reach the 1 MB text cap: 200,000 two-word lines ("wo-\nrd\n", 0.7 MB) take the text
    # reader 4.9 s of CPU, linearly (measured on 35cdf97 and now), and a loaded CI machine pushed one past
    # 5 s; a parse that is not linear in its input still blows 10 s by far
    report = fuzz.fuzz(seconds=150, seed=7, timeout=10.0)
    _assert_clean(report)
    assert report.tried > 1000, fuzz.format_report(report)


def test_sandbox_reports_crashes_and_hangs(tmp_path):
    """The harness itself: a reader that raises something else is a crash, one that spins a hang."""
    def spin(path):
        while True:
            pass

    readers.register(".fuzzcrash", lambda path: {}["missing"])
    readers.register(".fuzzspin", spin)
    sandbox = fuzz.Sandbox(tmp_path, timeout=1.0)
    try:
        crash = sandbox.run(".fuzzcrash", b"x")
        hang = sandbox.run(".fuzzspin", b"x")
        fine = sandbox.run(".txt", SEED_TXT.read_bytes())
        refused = sandbox.run(".txt", b"")
    finally:
        sandbox.close()
        readers._REGISTRY.pop(".fuzzcrash")
        readers._REGISTRY.pop(".fuzzspin")
    assert crash.kind == "crash" and crash.detail.startswith("KeyError")
    assert hang.kind == "hang"
    assert (fine.kind, refused.kind) == ("ok", "documented")


# ------------------------------------------------------------------------- crashes, as regressions


@pytest.mark.parametrize("name, outcome", [
    # UnicodeDecodeError: a UTF-16 byte order mark then an odd number of bytes
    ("utf16-bom-truncated.txt", "not valid UTF-16 text despite its byte order mark"),
    # UnicodeDecodeError: a UTF-16 byte order mark then a lone surrogate
    ("utf16-bom-lone-surrogate.html", "not valid UTF-16 text despite its byte order mark"),
    # ValueError: int() of a <num> of 5,000 digits (Python refuses more than 4,300)
    ("num-5000-digits.xml", ["PP1", "OP1"]),
    # ValueError: the same digits typed at the start of an unnumbered paragraph
    ("typed-number-5000-digits.xml", ["PP1", "OP1"]),
    # ValueError: int("²") of a cover session value, which str.isdigit() accepts
    ("session-superscript-two.xml", ["PP1", "OP1"]),
    # AttributeError inside python-docx: word/document.xml without <w:body>, or with its root renamed
    # (found by the long form: a tree edit of document.xml)
    ("docx-body-renamed.docx", "not a valid DOCX: its main part holds no Word body"),
    ("docx-root-renamed.docx", "not a valid DOCX: its main part holds no Word body"),
])
def test_inputs_that_crashed_a_reader(name, outcome):
    path = REGRESSIONS / name
    if isinstance(outcome, str):
        with pytest.raises(UnreadableFile) as err:
            readers.read(path)
        assert err.value.reason.startswith(outcome)
    else:
        res = readers.read(path)
        assert [p.pid for p in res.paragraphs] == outcome


def test_every_regression_input_is_fuzzed_first():
    assert {how for _, _, how in fuzz.regression_inputs()} == {f"regression {p.name}" for p in REGRESSIONS.iterdir()}


# --------------------------------------------------------------------------- hangs, as regressions

_HEAD = "54/99. A title\n\nThe Human Rights Council,\n\n"


def _cpu(call) -> float:
    start = time.process_time()
    call()
    return time.process_time() - start


HUNG = [
    # each join rescanned the whole paragraph: 113 s for a paragraph of 20,000 lines
    ("one paragraph of 20,000 lines", _HEAD + " Recalling\n" + "word\n" * 20_000 + "end,\n 1. Decides.\n"),
    ("20,000 lines broken by hyphens", _HEAD + " Recalling\n" + "wo-\nrd\n" * 10_000 + "end,\n 1. Decides.\n"),
    # a regular expression compiled per footnote: 7 s for 1,000 notes
    ("1,000 footnotes", _HEAD + " Recalling,\n" + "".join(f" {i % 999 + 1}. Decides w{i % 999 + 1};\n"
                                                          for i in range(3000))
     + "_______\n" + "".join(f"{i} note\n" for i in range(1, 1000))),
    # a footnote's lines appended with += to a dict value: quadratic (3.7 s here, 12 s with longer lines)
    ("a footnote of 190,000 lines", _HEAD + " Recalling it,\n 1. Decides.\n_______\n1 note\n" + "more\n" * 190_000),
    # continuation paragraphs appended one by one to the paragraph before: quadratic, if cheap at this size
    ("20,000 unnumbered paragraphs after an operative one",
     _HEAD + " Recalling it,\n 1. Decides;\n" + " Also this.\n" * 20_000),
    # the bullets of a parent recounted at every bullet
    ("20,000 bullets", _HEAD + " Recalling it,\n 1. Decides:\n" + " • point;\n" * 20_000),
]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("name, text", HUNG, ids=[name for name, _ in HUNG])
def test_text_inputs_that_hung_the_reader_parse_in_linear_time(name, text):
    """Each took from 4 s to minutes of CPU before its fix, and takes well under a second now."""
    assert _cpu(lambda: text_reader.parse_text(text)) < 2, name


def test_text_longer_than_any_resolution_is_refused_at_once():
    text = _HEAD + " Recalling,\n" + "word " * 300_000 + "\n 1. Decides.\n"
    with pytest.raises(UnreadableFile) as err:
        text_reader.parse_text(text, source="huge.txt")
    assert err.value.reason.startswith("too long for one resolution: 1,500,0")


@pytest.mark.timeout(120)
def test_a_label_repeated_thousands_of_times_gets_short_distinct_ids():
    """`a`, `a'`, `a''`, `a'''`, `a'4` …: each repeat added a prime (ids of thousands of characters)
    and rescanned the ones before it (quadratic)."""
    points = "".join(f"<point><num>(a)</num><content><p>Item {i};</p></content></point>" for i in range(20_000))
    data = AKN_FIXTURE.read_bytes()
    data = data.replace(b"<mainBody>", b"<mainBody><paragraph><num>99.</num><list><intro><p>Decides:</p></intro>"
                        + points.encode() + b"</list></paragraph>", 1)
    start = time.process_time()
    res = akn.parse_bytes(data, "repeats.xml")
    assert time.process_time() - start < 10
    ids = [c.pid for c in res.find("OP99").children]
    assert ids[:6] == ["OP99(a)", "OP99(a')", "OP99(a'')", "OP99(a''')", "OP99(a'4)", "OP99(a'5)"]
    assert len(set(ids)) == 20_000 and max(map(len, ids)) < 20


def test_docx_zip_bomb_is_refused_before_it_is_inflated(tmp_path):
    """A 1 GB image part linked from the document (1 MB zipped): python-docx loads every part."""
    resolution = text_reader.read(SEED_TXT)
    entries = fuzz.Fuzzer._entries(render.build_docx(resolution, tmp_path / "seed.docx").read_bytes())
    path = tmp_path / "bomb.docx"
    path.write_bytes(fuzz.docx_bomb(entries, 1 << 30))
    start = time.process_time()
    with pytest.raises(UnreadableFile) as err:
        readers.read(path)
    assert time.process_time() - start < 2
    assert "zip bomb" in err.value.reason


# --------------------------------------------------------------------------- XML entity attacks


@pytest.fixture
def listener():
    port = fuzz._Listener()
    yield port
    port.close()


def _docx_with(tmp_path, attack) -> bytes:
    resolution = text_reader.read(SEED_TXT)
    data = render.build_docx(resolution, tmp_path / "seed.docx").read_bytes()
    entries = [(n, fuzz.with_attack(c, attack) if n == "word/document.xml" else c)
               for n, c in fuzz.Fuzzer._entries(data)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries:
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["xml", "docx"])
@pytest.mark.parametrize("attack_name", ["external entity: local file", "external entity: network",
                                         "parameter entity: network", "parameter entity: local file",
                                         "external DTD", "billion laughs", "quadratic blowup"])
def test_xml_entities_are_refused_or_inert(tmp_path, listener, fmt, attack_name):
    canary = tmp_path / "secret.txt"
    canary.write_text(fuzz.CANARY)
    attack = next(a for a in fuzz.xml_attacks(canary, listener.port) if a.name == attack_name)
    data = fuzz.with_attack(AKN_FIXTURE.read_bytes(), attack) if fmt == "xml" else _docx_with(tmp_path, attack)
    sandbox = fuzz.Sandbox(tmp_path, timeout=5.0)  # a memory cap and a CPU limit around the read
    try:
        outcome = sandbox.run(f".{fmt}", data)
    finally:
        sandbox.close()
    time.sleep(0.2)
    assert outcome.kind in ("ok", "documented"), outcome  # a leak of the canary is reported as a crash
    assert listener.connections == 0
