"""Re-ingesting: an unchanged file is not read, a changed one is, and a run over the same files is a no-op.

On real corpus files in the corpus's layout (`data_extract/` beside), with the hash embedder: what
is counted is what the ingest reads (reader calls) and writes (store calls), not what it reports.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from reso.index import ingest as ingest_module
from reso.index import readers
from reso.index.embedders import HashEmbedder
from reso.index.ingest import MANIFEST
from reso.index.library import Library
from reso.index.store import ChromaStore
from tests.conftest import require_shared

SMALL = [
    "seed/A_HRC_RES_30_25-fr.txt",
    "unxml-hrc/54session/English/A_HRC_RES_54_10E.xml",
    "unxml-hrc/54session/French/A_HRC_RES_54_10F.xml",
    "unxml-sc/2023/English/S_RES_2672_E.xml",
    "unxml-sc/2023/French/S_RES_2672_F.xml",
]
# the French file of A/HRC/RES/58/18 prints the symbol A/HRC/RES/58/1 throughout its markup. Under its own
# name it is filed as 58/18 (the name corrects a number cut short); copied under a name spelling no symbol,
# it reads into the same version as the real A/HRC/RES/58/1 in French, with other paragraphs (60 against 48)
REAL_PAIR = ["unxml-hrc/58session/French/A_HRC_RES_58_1F.xml", "unxml-hrc/58session/French/A_HRC_RES_58_18F.xml"]
LOSER = "nicaragua-fr.xml"
CONFLICT = [REAL_PAIR[0], f"unxml-hrc/58session/French/{LOSER}"]


def _copy(shared: Path, names: list[str], target: Path) -> Path:
    for name in names:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shared / name, target / name)
    for name in {n.split("/")[0] for n in names}:
        extract = shared / name / "data_extract"
        if extract.is_dir() and not (target / name / "data_extract").exists():
            shutil.copytree(extract, target / name / "data_extract")
    return target


@pytest.fixture
def corpus(shared_corpus, tmp_path) -> Path:
    return _copy(shared_corpus, SMALL, tmp_path / "corpus")


@pytest.fixture
def conflict_corpus(shared_corpus, tmp_path) -> Path:
    large = shared_corpus.parent / "corpus-large"
    require_shared(*(large / name for name in REAL_PAIR))
    target = _copy(large, REAL_PAIR, tmp_path / "conflict")
    (target / REAL_PAIR[1]).rename(target / CONFLICT[1])
    return target


def test_the_real_pair_is_two_documents(shared_corpus, tmp_path):
    """Under their own names the two files are 58/1 and 58/18 in French, with no conflict."""
    large = shared_corpus.parent / "corpus-large"
    require_shared(*(large / name for name in REAL_PAIR))
    files = [_copy(large, REAL_PAIR, tmp_path / "pair") / name for name in REAL_PAIR]
    library = _library(tmp_path / "index")
    report = library.ingest(files)
    assert report.conflicts == []
    assert len(library.document_chunks("A/HRC/RES/58/1", "fr")) == 48
    assert len(library.document_chunks("A/HRC/RES/58/18", "fr")) == 60


class Counted:
    """Counts reader calls and store writes while it is active."""

    def __init__(self, monkeypatch, store: ChromaStore):
        self.read: list[str] = []
        self.writes: list[str] = []
        real_read = readers.read

        def read(path):
            self.read.append(Path(path).name)
            return real_read(path)

        monkeypatch.setattr(readers, "read", read)
        for name in ("upsert", "delete", "put_document", "put_documents", "delete_document"):
            real = getattr(store, name)

            def write(*args, _name=name, _real=real, **kwargs):
                # one entry a record: put_documents writes several
                self.writes.extend(["put_document"] * len(args[0]) if _name == "put_documents" else [_name])
                return _real(*args, **kwargs)

            monkeypatch.setattr(store, name, write)


def _library(data_dir: Path) -> Library:
    return Library(ChromaStore.open(data_dir), HashEmbedder())


def _snapshot(library: Library) -> tuple:
    chunks = sorted((c.id, c.text) for c in library.store.chunks())
    records = sorted(json.dumps({**r.to_metadata(), "source": ""}, sort_keys=True) for r in library.store.document_records())
    return chunks, records


def test_an_unchanged_reingest_reads_no_file_and_writes_nothing(corpus, tmp_path, monkeypatch):
    library = _library(tmp_path / "index")
    first = library.ingest([corpus])
    assert first.read == len(SMALL) and first.versions == len(SMALL) and not first.skipped
    before = _snapshot(library)
    counted = Counted(monkeypatch, library.store)
    again = library.ingest([corpus])
    assert counted.read == [] and counted.writes == []
    assert again.read == 0 and again.files == len(SMALL)
    # the summary still tells what the index holds from these files
    assert (again.versions, again.paragraphs, again.unchanged) == (first.versions, first.paragraphs, first.paragraphs)
    assert (again.added, again.updated, again.removed) == (0, 0, 0)
    assert again.documents == first.documents
    assert _snapshot(library) == before


def test_without_the_manifest_files_are_hashed_not_read(corpus, tmp_path, monkeypatch):
    """The manifest only spares hashing: the proof that a file is known is in the index's records,
    so a machine sharing the index (another manifest, or none) reads nothing either."""
    library = _library(tmp_path / "index")
    library.ingest([corpus])
    (tmp_path / "index" / MANIFEST).unlink()
    counted = Counted(monkeypatch, library.store)
    assert library.ingest([corpus]).read == 0
    assert counted.read == [] and counted.writes == []
    assert (tmp_path / "index" / MANIFEST).is_file()


def test_a_touched_file_is_hashed_again_not_read(corpus, tmp_path, monkeypatch):
    hour = 3_600_000_000_000
    for path in corpus.rglob("*.*"):  # files older than the manifest's 2 s of doubt
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns - 2 * hour))
    library = _library(tmp_path / "index")
    library.ingest([corpus])
    touched = corpus / SMALL[1]
    stat = touched.stat()
    os.utime(touched, ns=(stat.st_atime_ns, stat.st_mtime_ns + hour))  # same bytes, another mtime
    hashed = []

    def read_bytes(self):
        hashed.append(self.name)
        return real_read_bytes(self)

    real_read_bytes = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    counted = Counted(monkeypatch, library.store)
    report = library.ingest([corpus])
    assert [name for name in hashed if not name.endswith(".json")] == [touched.name]  # the others' stat matched
    assert counted.read == [] and counted.writes == [] and report.unchanged == report.paragraphs
    entry = json.loads((tmp_path / "index" / MANIFEST).read_text(encoding="utf-8"))["files"][os.path.abspath(touched)]
    assert entry["mtime_ns"] == touched.stat().st_mtime_ns  # known by its new stat from now on


def test_a_changed_file_is_read_and_only_it(corpus, tmp_path, monkeypatch):
    library = _library(tmp_path / "index")
    library.ingest([corpus])
    seed = corpus / SMALL[0]
    text = seed.read_text(encoding="utf-8")
    assert "Prie également le Haut-Commissaire d’organiser" in text
    seed.write_text(text.replace("Prie également le Haut-Commissaire d’organiser",
                                 "Prie également la Haute-Commissaire d’organiser"), encoding="utf-8")
    counted = Counted(monkeypatch, library.store)
    report = library.ingest([corpus])
    assert counted.read == [seed.name]
    assert (report.added, report.updated, report.removed) == (0, 1, 0)
    assert report.versions == len(SMALL) and report.read == 1
    assert any("la Haute-Commissaire" in c.text for c in library.document_chunks("A/HRC/RES/30/25"))
    counted.read.clear()
    assert library.ingest([corpus]).read == 0 and counted.read == []  # and the next run is a no-op again


def test_moved_and_renamed_files_are_not_read(corpus, tmp_path, monkeypatch):
    library = _library(tmp_path / "index")
    library.ingest([corpus])
    before = _snapshot(library)
    moved = tmp_path / "elsewhere"
    shutil.move(str(corpus), moved)  # another root: as another machine sharing the index would see it
    english = moved / SMALL[1]
    english.rename(english.with_name("A_HRC_RES_54_10-2023E.xml"))  # another name, spelling the same symbol
    counted = Counted(monkeypatch, library.store)
    report = library.ingest([moved])
    assert counted.read == [] and counted.writes == []
    assert report.versions == len(SMALL) and report.unchanged == report.paragraphs
    assert _snapshot(library) == before


def test_a_file_renamed_to_a_name_readers_read_otherwise_is_read_again(corpus, tmp_path, monkeypatch):
    """A reader takes the symbol or the language from the file name when the markup lacks them:
    a name that spells no symbol may read otherwise, so the file is read (its version unchanged)."""
    library = _library(tmp_path / "index")
    library.ingest([corpus])
    french = corpus / SMALL[2]
    french.rename(french.with_name("resolution.xml"))
    counted = Counted(monkeypatch, library.store)
    report = library.ingest([corpus])
    assert counted.read == ["resolution.xml"]
    assert "upsert" not in counted.writes and report.unchanged == report.paragraphs


def test_a_reader_version_bump_reads_every_file_again_and_embeds_nothing(corpus, tmp_path, monkeypatch):
    library = _library(tmp_path / "index")
    first = library.ingest([corpus])
    before = _snapshot(library)
    monkeypatch.setattr(ingest_module, "READ_VERSION", ingest_module.READ_VERSION + 1)
    counted = Counted(monkeypatch, library.store)
    report = library.ingest([corpus])
    assert sorted(counted.read) == sorted(Path(n).name for n in SMALL)
    assert "upsert" not in counted.writes and "delete" not in counted.writes and report.embedded == 0
    assert counted.writes.count("put_document") == len(SMALL)  # the records now name the new keys
    assert report.unchanged == first.paragraphs
    assert _snapshot(library)[0] == before[0]
    counted.read.clear()
    assert library.ingest([corpus]).read == 0  # known under the new version from now on


def test_the_reading_code_is_part_of_the_key(corpus, tmp_path, monkeypatch):
    """A reader fix nobody numbered still re-reads: the key holds a digest of the reading code."""
    library = _library(tmp_path / "index")
    library.ingest([corpus])
    monkeypatch.setattr(ingest_module, "_code_digest", lambda: "another-reader")
    counted = Counted(monkeypatch, library.store)
    library.ingest([corpus])
    assert len(counted.read) == len(SMALL)


def test_a_changed_data_extract_rereads_the_files_beside_it(corpus, tmp_path, monkeypatch):
    library = _library(tmp_path / "index")
    library.ingest([corpus])
    extract = next((corpus / "unxml-sc" / "data_extract").glob("*.json"))
    extract.write_text(extract.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    counted = Counted(monkeypatch, library.store)
    library.ingest([corpus])
    assert sorted(counted.read) == ["S_RES_2672_E.xml", "S_RES_2672_F.xml"]


def test_a_file_that_cannot_be_read_is_reported_again_without_being_read(corpus, tmp_path, monkeypatch):
    (corpus / "broken.xml").write_text("<html><body>not a resolution</body></html>", encoding="utf-8")
    library = _library(tmp_path / "index")
    first = library.ingest([corpus])
    assert [s.path for s in first.skipped] == [str(corpus / "broken.xml")]
    counted = Counted(monkeypatch, library.store)
    again = library.ingest([corpus])
    assert counted.read == []
    assert [(s.path, s.reason) for s in again.skipped] == [(s.path, s.reason) for s in first.skipped]


@pytest.mark.parametrize("order", [1, -1])
def test_two_files_of_one_version_keep_one_winner_whatever_the_order(conflict_corpus, tmp_path, monkeypatch, order):
    files = [conflict_corpus / name for name in CONFLICT][::order]
    library = _library(tmp_path / "index")
    first = library.ingest(files)
    kept = library.document_chunks("A/HRC/RES/58/1", "fr")
    # the file named after the document wins, in whichever order the run meets them
    assert len(kept) == 48 and [r.source for r in library.document_records()] == [str(files[0 if order == 1 else 1])]
    assert [(c.document, c.language, Path(c.kept).name, Path(c.passed_over).name) for c in first.conflicts] == [
        ("A/HRC/RES/58/1", "fr", "A_HRC_RES_58_1F.xml", LOSER)
    ]
    counted = Counted(monkeypatch, library.store)
    again = library.ingest(files)
    assert counted.read == [] and counted.writes == []  # the re-run is a no-op…
    assert [Path(c.passed_over).name for c in again.conflicts] == [LOSER]  # …and still warns
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 48)


def test_a_changed_loser_is_judged_again_with_the_winner(conflict_corpus, tmp_path, monkeypatch):
    files = [conflict_corpus / name for name in CONFLICT]
    library = _library(tmp_path / "index")
    library.ingest(files)
    loser = files[1]
    loser.write_bytes(loser.read_bytes().replace("Nicaragua".encode(), "Nicaragua ".encode(), 1))
    counted = Counted(monkeypatch, library.store)
    report = library.ingest(files)
    assert sorted(counted.read) == sorted(f.name for f in files)  # the winner is read again to choose
    assert "upsert" not in counted.writes and len(library.document_chunks("A/HRC/RES/58/1", "fr")) == 48
    assert [Path(c.passed_over).name for c in report.conflicts] == [loser.name]
    counted.read.clear()
    library.ingest(files)
    assert counted.read == []


def test_after_a_reader_change_a_loser_met_first_is_not_written(conflict_corpus, tmp_path, monkeypatch):
    """Every file is read again after a reader change: the loser, met first, is judged with the winner
    the index holds (read at once), so the version's chunks are not rewritten twice."""
    files = [conflict_corpus / name for name in CONFLICT]
    library = _library(tmp_path / "index")
    library.ingest(files)
    monkeypatch.setattr(ingest_module, "READ_VERSION", ingest_module.READ_VERSION + 1)
    counted = Counted(monkeypatch, library.store)
    report = library.ingest(files[::-1])  # the loser first
    assert sorted(counted.read) == sorted(f.name for f in files)
    assert "upsert" not in counted.writes and "delete" not in counted.writes
    assert (report.added, report.updated, report.removed) == (0, 0, 0)
    assert [Path(c.passed_over).name for c in report.conflicts] == [LOSER]


def test_a_killed_run_then_the_old_content_back_is_repaired(corpus, tmp_path, monkeypatch):
    """A run killed between a version's chunks and its record, then the file put back as the index's
    record names it: the record's keys are not trusted while its chunks are another content's."""
    library = _library(tmp_path / "index")
    library.ingest([corpus])
    clean = _snapshot(library)
    seed = corpus / SMALL[0]
    original = seed.read_bytes()
    seed.write_bytes(original.replace("Prie également le Haut-Commissaire".encode(),
                                      "Prie également la Haute-Commissaire".encode()))

    def killed(record):
        raise KeyboardInterrupt  # as SIGKILL would leave it: chunks written, record not

    with monkeypatch.context() as patch:
        patch.setattr(library.store, "put_document", killed)
        with pytest.raises(KeyboardInterrupt):
            library.ingest([corpus])
    assert library.store.writing()
    seed.write_bytes(original)  # the old content back before the re-run
    counted = Counted(monkeypatch, library.store)
    report = library.ingest([corpus])
    assert counted.read == [seed.name] and report.updated == 1
    assert _snapshot(library) == clean and not library.store.writing()
    counted.read.clear()
    assert library.ingest([corpus]).read == 0 and counted.read == []


def test_the_command_line_says_which_file_was_passed_over(conflict_corpus, tmp_path, monkeypatch):
    """`reso ingest` names the conflict on standard error, on every run, and the API report lists it."""
    from click.testing import CliRunner

    from reso.schema import IngestReportOut
    from reso.ui.cli import cli

    monkeypatch.setenv("RESO_EMBEDDER", "hash")
    monkeypatch.setenv("RESO_DATA_DIR", str(tmp_path / "cli-index"))
    for _ in range(2):
        result = CliRunner().invoke(cli, ["ingest", str(conflict_corpus)])
        assert result.exit_code == 0, result.output
        lines = [line for line in result.stderr.splitlines() if line.startswith("conflict:")]
        assert len(lines) == 1 and f"{LOSER} reads as A/HRC/RES/58/1 (fr)" in lines[0]
        assert lines[0].endswith("/A_HRC_RES_58_1F.xml")
    report = _library(tmp_path / "index").ingest([conflict_corpus / name for name in CONFLICT])
    out = IngestReportOut.of(report).model_dump()
    assert [(c["document"], c["language"], Path(c["passed_over"]).name) for c in out["conflicts"]] == [
        ("A/HRC/RES/58/1", "fr", LOSER)]


def test_a_version_its_file_no_longer_reads_into_is_removed(corpus, tmp_path, monkeypatch):
    """An earlier reader filed S/RES/1287 (2000) as "S/RES/1287 (1)" (a year it could not read): after
    the fix, a re-ingest read the file into the right symbol and left the old version answering and
    cited under the wrong one (48 such versions in an index re-ingested after that fix). The version
    its own file no longer reads into is removed, and said."""
    from dataclasses import replace

    library = _library(tmp_path / "index")
    real_read = readers.read

    def misread(path):
        res = real_read(path)
        return replace(res, symbol="S/RES/2672 (1)") if res.symbol == "S/RES/2672 (2023)" else res

    monkeypatch.setattr(readers, "read", misread)
    first = library.ingest([corpus])
    versions = {(r.document, r.language) for r in library.store.document_records()}
    assert {("S/RES/2672 (1)", "en"), ("S/RES/2672 (1)", "fr")} <= versions
    wrong = {c.id for c in library.store.chunks() if c.document == "S/RES/2672 (1)"}
    assert wrong

    monkeypatch.setattr(readers, "read", real_read)
    monkeypatch.setattr(ingest_module, "_code_digest", lambda: "the fixed reader")  # a new reader: every file read again
    report = library.ingest([corpus])
    records = {(r.document, r.language) for r in library.store.document_records()}
    assert not any(d == "S/RES/2672 (1)" for d, _ in records)
    assert {("S/RES/2672 (2023)", "en"), ("S/RES/2672 (2023)", "fr")} <= records
    assert len(records) == len(versions)  # the others untouched
    assert not wrong & {c.id for c in library.store.chunks()}
    assert sorted((r.document, r.language) for r in report.retired) == [("S/RES/2672 (1)", "en"), ("S/RES/2672 (1)", "fr")]
    assert [r.now for r in report.retired] == [["S/RES/2672 (2023) (en)"], ["S/RES/2672 (2023) (fr)"]]
    assert report.removed == len(wrong) and not report.skipped
    assert library.ingest([corpus]).retired == []  # said once


def test_a_file_that_cannot_be_read_now_keeps_its_old_version(corpus, tmp_path, monkeypatch):
    """Only a file read into another document retires a version: one the new reader fails on keeps
    what the index has (nothing lost on bad input)."""
    from reso.errors import UnreadableFile

    library = _library(tmp_path / "index")
    library.ingest([corpus])
    before = {(r.document, r.language) for r in library.store.document_records()}
    real_read = readers.read

    def failing(path):
        if path.name == "S_RES_2672_E.xml":
            raise UnreadableFile(path, "no paragraphs")
        return real_read(path)

    monkeypatch.setattr(readers, "read", failing)
    monkeypatch.setattr(ingest_module, "_code_digest", lambda: "a broken reader")
    report = library.ingest([corpus])
    assert [s.path for s in report.skipped] == [str(corpus / "unxml-sc/2023/English/S_RES_2672_E.xml")]
    assert report.retired == []
    assert {(r.document, r.language) for r in library.store.document_records()} == before
