"""Crash-safe, concurrent ingestion (issue 6 item 2).

1. A `reso ingest` killed with SIGKILL part-way, then run again, leaves the index a clean run
   leaves: the same chunks (ids, texts, metadata, content hashes, vectors), the same document
   records, no duplicate, no orphan, the model record intact, and a lexical cache that matches.
   The kill lands at chosen points of the write sequence (through a hook in the ingest process
   that reports each store write on stdout and can kill its own process at one of them) and at
   an arbitrary point (the test sends SIGKILL when the progress says some documents are written).
2. Two `reso ingest` at once are serialised by the data folder's lock; the second says it waits,
   or fails clearly past `--timeout`.
3. Questions asked while an ingest runs get answers whose citations exist with the text shown,
   and a refresh landing in the middle of a question cannot pair new tables with old word rarities.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from reso.assistant.core import Assistant
from reso.assistant.factory import build_assistant, open_library
from reso.assistant.generators.extractive import ExtractiveGenerator
from reso.assistant.refusal import RefusalPolicy
from reso.assistant.retrieval import HybridRetriever
from reso.settings import Settings
from reso.index.chunks import chunk_id
from reso.index.embedders import HashEmbedder
from reso.index.ingest import content_sha
from reso.index.lexical import LexicalIndex
from reso.index.library import Library
from reso.index.lock import WAITING, ingest_lock
from reso.index.model import normalise_pid, normalise_symbol
from reso.index.store import ChromaStore, _chunk_from
from reso.ui.cli import cli

ROOT = Path(__file__).resolve().parent.parent
EMBEDDER = "hash-256"  # RESO_EMBEDDER=hash

# Runs `reso ingest` (ui.cli) with every store write reported on stdout as "@@ ><method> <n>" when it
# starts and "@@ <method> <n>" when it returns, and
# optionally a SIGKILL of its own process at one of them. argv[1] is the plan:
#   none | before:<method>:<n> | after:<method>:<n> | during:<method>:<n>:<ms> | hold:<method>:<n>:<file>
# <method> is a ChromaStore method, or chroma.upsert (Chroma's own Collection.upsert, for chunks and
# records alike). "during" kills <ms> after the call starts, from a timer thread;
# "hold" waits after the call until <file> exists (to make another process meet the lock).
HOOK = r"""
import os, signal, sys, threading, time
plan = sys.argv.pop(1).split(":", 3)
from chromadb.api.models.Collection import Collection
from reso.index.store import ChromaStore
from reso.ui.cli import main
calls = {}
def die():
    os.kill(os.getpid(), signal.SIGKILL)
def wrap(owner, attr, name):
    original = getattr(owner, attr)
    def wrapped(self, *args, **kwargs):
        n = calls[name] = calls.get(name, 0) + 1
        hit = plan[1:3] == [name, str(n)]
        print(f"@@ >{name} {n}", flush=True)  # started; "name n" alone: returned
        if hit and plan[0] == "before":
            die()
        if hit and plan[0] == "during":
            threading.Timer(float(plan[3]) / 1000, die).start()
        out = original(self, *args, **kwargs)
        print(f"@@ {name} {n}", flush=True)
        if hit and plan[0] == "after":
            die()
        if hit and plan[0] == "hold":
            deadline = time.time() + 120
            while not os.path.exists(plan[3]) and time.time() < deadline:
                time.sleep(0.05)
        return out
    setattr(owner, attr, wrapped)
for attr in ("upsert", "delete", "put_document", "_stamp_generation"):
    wrap(ChromaStore, attr, attr)
wrap(Collection, "upsert", "chroma.upsert")  # Chroma's own call, inside ChromaStore.upsert and put_document
main()
"""


# -- running reso ---------------------------------------------------------------------------------


_started: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def _no_process_left_behind():
    """A test failing half-way must not leave its ingest running (or holding the lock)."""
    yield
    while _started:
        proc = _started.pop()
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)


def reso_env(data_dir: Path) -> dict[str, str]:
    return {**os.environ, "RESO_EMBEDDER": "hash", "RESO_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}


def start_ingest(data_dir: Path, paths: list[Path], plan: str = "none", *options: str) -> subprocess.Popen:
    log = open(data_dir.parent / f"{data_dir.name}-{time.monotonic_ns()}.err", "w+")  # closed by finish()
    proc = subprocess.Popen(
        [sys.executable, "-c", HOOK, plan, "ingest", "--json", *options, *map(str, paths)],
        cwd=ROOT, env=reso_env(data_dir), stdout=subprocess.PIPE, stderr=log, text=True,
    )
    proc.stderr_log = log  # type: ignore[attr-defined]
    _started.append(proc)
    return proc


def finish(proc: subprocess.Popen, timeout: float = 300) -> tuple[int, list[str], dict | None, str]:
    """(exit code, store events seen, the JSON report when it finished, stderr)."""
    out, _ = proc.communicate(timeout=timeout)
    log = proc.stderr_log  # type: ignore[attr-defined]
    log.seek(0)
    err = log.read()
    log.close()
    events = [ln[3:] for ln in out.splitlines() if ln.startswith("@@ ")]
    rest = "\n".join(ln for ln in out.splitlines() if not ln.startswith("@@ "))
    return proc.returncode, events, json.loads(rest) if rest.strip() else None, err


def ingest(data_dir: Path, paths: list[Path], plan: str = "none") -> tuple[int, list[str], dict | None, str]:
    return finish(start_ingest(data_dir, paths, plan))


def kill_when(proc: subprocess.Popen, event: str, timeout: float = 300) -> list[str]:
    """SIGKILL `proc` as soon as it reports `event`; returns the events it reported before."""
    assert proc.stdout is not None
    seen: list[str] = []
    deadline = time.time() + timeout
    for line in proc.stdout:
        if line.startswith("@@ "):
            seen.append(line[3:].strip())
            if seen[-1] == event:
                proc.send_signal(signal.SIGKILL)
                break
        assert time.time() < deadline, f"{event} not reached within {timeout} s"
    return seen


def ask(data_dir: Path, question: str) -> str:
    """`reso ask` in its own process: it writes the lexical cache for the index as it finds it."""
    done = subprocess.run([sys.executable, "-m", "reso", "ask", question], cwd=ROOT, env=reso_env(data_dir),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


# -- reading an index -----------------------------------------------------------------------------


def snapshot(data_dir: Path) -> dict:
    """Everything an index holds, read raw; asserts it is internally sound on the way."""
    store = ChromaStore.open(data_dir)
    rows: dict[str, tuple] = {}
    offset = 0
    while True:
        got = store._chunks.get(include=["metadatas", "documents", "embeddings"], limit=5000, offset=offset)
        for i, m, text, vector in zip(got["ids"], got["metadatas"], got["documents"], got["embeddings"]):
            assert i not in rows, f"chunk {i} stored twice"
            rows[i] = (json.dumps(m, sort_keys=True, ensure_ascii=False), text, np.round(np.asarray(vector), 5).tobytes())
        if len(got["ids"]) < 5000:
            break
        offset += 5000
    records = {(normalise_symbol(r.document), r.language): r for r in store.document_records()}

    groups: dict[tuple[str, str], list] = collections.defaultdict(list)
    for i, (m, text, _) in rows.items():
        chunk = _chunk_from(i, text, json.loads(m))
        assert json.loads(m)["hash"] == chunk.content_hash(EMBEDDER), f"{i}: content hash does not match its text"
        assert i == chunk_id(chunk.document, chunk.paragraph, chunk.language)
        groups[(normalise_symbol(chunk.document), chunk.language)].append(chunk)
    assert not set(groups) - set(records), f"chunks without a document record: {sorted(set(groups) - set(records))}"
    assert not set(records) - set(groups), f"document records without chunks: {sorted(set(records) - set(groups))}"
    for k, record in records.items():
        assert record.paragraphs == len(groups[k]), f"{k}: the record counts {record.paragraphs}, {len(groups[k])} stored"
        assert record.content_sha == content_sha(groups[k], EMBEDDER), f"{k}: the record describes other chunks"
    assert store.fingerprint() is not None, "the index was left with a write pending"
    return {
        "chunks": rows,
        # without `source`, where a version was first read from: a file met again at another path
        # with the same content (the edited copy's unchanged files) is known by its content, not re-read
        "records": {k: json.dumps({**r.to_metadata(), "source": ""}, sort_keys=True) for k, r in records.items()},
        "model": store.model_record(),
    }


def assert_same_index(got: dict, clean: dict) -> None:
    assert got["model"] == clean["model"] == {"embedder": EMBEDDER, "dim": 256}
    assert sorted(got["chunks"]) == sorted(clean["chunks"])  # same ids: none missing, none extra
    assert got["chunks"] == clean["chunks"]  # same metadata (content hashes), texts, vectors
    assert got["records"] == clean["records"]


def assert_lexical_cache_consistent(data_dir: Path) -> None:
    """The tables a server would load (from the cache when one matches) are the store's chunks."""
    library = Library(ChromaStore.open(data_dir), HashEmbedder())
    retriever = HybridRetriever(library, cache_dir=data_dir / "lexical")
    stored = library.store.chunks()
    assert [(c.id, c.text, c.order) for c in retriever.chunks] == [(c.id, c.text, c.order) for c in stored]
    assert retriever.lexical.df == LexicalIndex(stored).df


# -- corpora --------------------------------------------------------------------------------------

SMALL = [
    "seed/A_HRC_RES_30_25-fr.txt",
    "unxml-hrc/54session/English/A_HRC_RES_54_10E.xml",
    "unxml-hrc/54session/French/A_HRC_RES_54_10F.xml",
    "unxml-sc/2023/English/S_RES_2672_E.xml",
    "unxml-sc/2023/French/S_RES_2672_F.xml",
    "unxml-ga/78session/English/A_RES_78_186-2326034E.xml",
]  # 6 language versions of 4 documents, in the corpus's layout (data_extract beside)


def copy_small_corpus(shared: Path, target: Path) -> Path:
    for name in SMALL:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shared / name, target / name)
    for extract in shared.glob("*/data_extract"):
        if (target / extract.parent.name).is_dir():
            shutil.copytree(extract, target / extract.parent.name / "data_extract")
    return target


@pytest.fixture(scope="module")
def small(shared_corpus, tmp_path_factory) -> dict:
    """The small corpus and the index a clean, uninterrupted run makes of it."""
    root = tmp_path_factory.mktemp("crash")
    corpus = copy_small_corpus(shared_corpus, root / "corpus")
    clean = root / "clean"
    code, _, report, err = ingest(clean, [corpus])
    assert code == 0, err
    assert report["language_versions"] == 6 and report["skipped"] == []
    return {"corpus": corpus, "clean": snapshot(clean), "report": report}


@pytest.fixture(scope="module")
def whole(shared_corpus, tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("crash-whole")
    clean = root / "clean"
    code, _, report, err = ingest(clean, [shared_corpus])
    assert code == 0, err
    return {"corpus": shared_corpus, "clean": snapshot(clean), "report": report}


def crash_then_rerun(data_dir: Path, corpus: Path, plan: str, kill_after_event: str | None = None,
                     ask_after_kill: bool = False) -> dict:
    """Run an ingest that dies by SIGKILL, then the same ingest again; what happened, for the report."""
    proc = start_ingest(data_dir, [corpus], plan)
    if kill_after_event:
        before = kill_when(proc, kill_after_event)
    code, events, report, err = finish(proc)
    events = (before + events) if kill_after_event else events
    assert code == -signal.SIGKILL, f"the ingest was not killed (exit {code}): {err}"
    assert report is None  # it died before its summary
    if ask_after_kill:  # a reader meets the interrupted index and caches tables for it
        ask(data_dir, "What does the Council request the High Commissioner to do?")
    code, _, rerun, err = ingest(data_dir, [corpus])
    assert code == 0, err
    return {
        "landed": _where(events),
        "records_before_kill": sum(1 for e in events if e.startswith("put_document ")),
        "rerun": rerun,
    }


def _where(events: list[str]) -> str:
    """Where the kill landed, from the last event: inside a call that started, or after one that returned."""
    if not events:
        return "before any write"
    last = events[-1]
    return f"inside {last[1:]}" if last.startswith(">") else f"after {last}"


# -- 1. killed, then run again --------------------------------------------------------------------

KILL_POINTS = {
    # the 3rd version's chunks are written, its record is not: the re-run must write the record
    "chunks-without-record": dict(plan="after:upsert:3"),
    # between a chunk write and its final generation stamp: the index is left "pending"
    "before-final-stamp": dict(plan="before:_stamp_generation:8"),
    # inside Chroma's write of the 5th version's chunks (a timer fires 1 ms into the call)
    "inside-chroma-upsert": dict(plan="during:chroma.upsert:9:1"),  # 9: chunks and records alternate
    # from outside, as soon as the progress says 3 records are written: lands wherever it lands
    "external-after-3-records": dict(plan="none", kill_after_event="put_document 3", ask_after_kill=True),
}


@pytest.mark.parametrize(
    "point", [pytest.param(p, marks=pytest.mark.slow) if p == "before-final-stamp" else p for p in KILL_POINTS]
)
def test_a_killed_ingest_run_again_equals_a_clean_run(small, tmp_path, point):
    outcome = crash_then_rerun(tmp_path / "index", small["corpus"], **KILL_POINTS[point])
    print(f"\n{point}: killed {outcome['landed']} ({outcome['records_before_kill']} version records written); "
          f"re-run {json.dumps({k: outcome['rerun'][k] for k in ('added', 'updated', 'removed', 'unchanged')})}")
    assert_same_index(snapshot(tmp_path / "index"), small["clean"])
    assert outcome["rerun"]["paragraphs"] == small["report"]["paragraphs"]
    assert 0 < outcome["rerun"]["unchanged"] < small["report"]["paragraphs"]  # killed part-way indeed
    assert_lexical_cache_consistent(tmp_path / "index")


def edited_seed(corpus: Path, target: Path) -> Path:
    """The small corpus with the seed changed: OP4 reworded and an OP6 added."""
    shutil.copytree(corpus, target)
    seed = target / SMALL[0]
    text = seed.read_text(encoding="utf-8")
    assert "Prie également le Haut-Commissaire d’organiser" in text and " 5. Décide de rester saisi" in text
    text = text.replace("Prie également le Haut-Commissaire d’organiser", "Prie également la Haute-Commissaire d’organiser")
    text = text.replace(" 5. Décide de rester saisi de la question. ",
                        " 5. Décide de rester saisi de la question. \n\n 6. Décide en outre d’examiner la question à sa prochaine session. ")
    seed.write_text(text, encoding="utf-8")
    return target


@pytest.mark.parametrize("plan", [
    "before:_stamp_generation:2",  # the reworded OP4 written, the generation pending, OP6 stale, the old record
    pytest.param("after:upsert:1", marks=pytest.mark.slow),  # the same, the generation stamped
    pytest.param("after:delete:1", marks=pytest.mark.slow),  # OP6 deleted, the record still the edited file's
])
def test_a_killed_update_run_again_equals_a_clean_run(small, tmp_path, plan):
    """A changed file: its updated chunk written, its stale chunk or its new record not yet."""
    edited = edited_seed(small["corpus"], tmp_path / "edited")
    data_dir = tmp_path / "index"
    code, _, report, err = ingest(data_dir, [edited])
    assert code == 0 and report["paragraphs"] == small["report"]["paragraphs"] + 1, err
    ask(data_dir, "Que demande le Conseil au Haut-Commissaire d'organiser ?")  # caches tables of the edited index
    code, events, _, err = ingest(data_dir, [small["corpus"]], plan)  # the original files: OP4 back, OP6 stale
    assert code == -signal.SIGKILL, err
    code, _, rerun, err = ingest(data_dir, [small["corpus"]])
    assert code == 0, err
    print(f"\n{plan}: killed {_where(events)}; re-run "
          f"{json.dumps({k: rerun[k] for k in ('added', 'updated', 'removed', 'unchanged')})}")
    assert_same_index(snapshot(data_dir), small["clean"])
    assert_lexical_cache_consistent(data_dir)


def test_a_write_interrupted_before_its_stamp_is_never_served_from_an_older_cache(tmp_path, seed_path, fixtures_dir, monkeypatch):
    """The lexical cache is keyed by the store's generation: a kill between a write and the stamp
    after it must not leave the old key naming the new chunks (same count, reworded paragraph)."""
    library = Library(ChromaStore.open(tmp_path / "index"), HashEmbedder())
    library.ingest([seed_path])
    cache_dir = tmp_path / "index" / "lexical"
    HybridRetriever(library, cache_dir=cache_dir)  # caches the tables of this state

    edited = tmp_path / "seed.txt"
    edited.write_text(seed_path.read_text(encoding="utf-8").replace("Prie également le Haut-Commissaire",
                                                                    "Prie également la Haute-Commissaire"), encoding="utf-8")
    stamp = ChromaStore._stamp_generation

    def killed_before_the_final_stamp(self, pending=False):
        if not pending:
            raise KeyboardInterrupt("killed")
        return stamp(self, pending)

    monkeypatch.setattr(ChromaStore, "_stamp_generation", killed_before_the_final_stamp)
    with pytest.raises(KeyboardInterrupt):
        library.ingest([edited])
    monkeypatch.setattr(ChromaStore, "_stamp_generation", stamp)

    assert library.store.fingerprint() is None  # pending: no cache may be trusted or written
    reader = HybridRetriever(library, cache_dir=cache_dir)
    assert reader.cache.loads == 0 and any("Haute-Commissaire" in c.text for c in reader.chunks)
    library.ingest([edited])  # the re-run settles the generation
    assert library.store.fingerprint() is not None
    assert any("Haute-Commissaire" in c.text for c in HybridRetriever(library, cache_dir=cache_dir).chunks)
    assert HybridRetriever(library, cache_dir=cache_dir).cache.loads == 1


@pytest.mark.slow
@pytest.mark.parametrize("point", ["external-after-100-records", "inside-chroma-upsert-200"])
def test_the_whole_corpus_killed_and_run_again_equals_a_clean_run(whole, tmp_path, point):
    args = (dict(plan="none", kill_after_event="put_document 100", ask_after_kill=True)
            if point.startswith("external") else dict(plan="during:chroma.upsert:399:1"))  # version 200's chunks
    outcome = crash_then_rerun(tmp_path / "index", whole["corpus"], **args)
    print(f"\n{point}: killed {outcome['landed']} ({outcome['records_before_kill']} version records written); "
          f"re-run {json.dumps({k: outcome['rerun'][k] for k in ('added', 'updated', 'removed', 'unchanged')})}")
    got = snapshot(tmp_path / "index")
    assert_same_index(got, whole["clean"])
    assert len(got["chunks"]) == whole["report"]["paragraphs"] == 10492 and len(got["records"]) == 289
    assert_lexical_cache_consistent(tmp_path / "index")


# -- 2. two ingests at once -----------------------------------------------------------------------


def test_two_ingests_at_once_are_serialised_and_end_as_a_clean_run(small, tmp_path):
    corpus, data_dir = small["corpus"], tmp_path / "index"
    release = tmp_path / "release"
    first = start_ingest(data_dir, [corpus / "seed", corpus / "unxml-hrc"], f"hold:put_document:1:{release}")
    first_write = first.stdout.readline()  # the first holds the lock from its first write on
    assert first_write.startswith("@@ "), first_write
    second = start_ingest(data_dir, [corpus / "unxml-hrc", corpus / "unxml-sc", corpus / "unxml-ga"])
    deadline = time.time() + 120
    while WAITING not in Path(second.stderr_log.name).read_text(encoding="utf-8"):
        assert second.poll() is None, "the second ingest did not wait for the first"
        assert time.time() < deadline, "the second ingest never said it was waiting"
        time.sleep(0.1)
    release.touch()
    code1, _, report1, err1 = finish(first)
    code2, _, report2, err2 = finish(second)
    assert (code1, code2) == (0, 0), (err1, err2)
    assert WAITING in err2 and WAITING not in err1
    assert report2["unchanged"] > 0  # the HRC files, written by the first, were found as they were
    assert_same_index(snapshot(data_dir), small["clean"])


def test_an_ingest_that_cannot_get_the_lock_in_time_fails_clearly(tmp_path, seed_path, monkeypatch):
    monkeypatch.setenv("RESO_EMBEDDER", "hash")
    data_dir = Path(os.environ["RESO_DATA_DIR"])
    with ingest_lock(data_dir):
        t0 = time.monotonic()
        result = CliRunner().invoke(cli, ["ingest", "--timeout", "0.5", str(seed_path)])
        waited = time.monotonic() - t0
    assert result.exit_code == 1
    assert WAITING in result.stderr and "Another ingest is still writing the index" in result.stderr
    assert "--timeout" in result.stderr and 0.4 < waited < 30
    assert ChromaStore.open(data_dir).count() == 0  # nothing was written
    ok = CliRunner().invoke(cli, ["ingest", "--timeout", "0.5", str(seed_path)])  # free again
    assert ok.exit_code == 0 and WAITING not in ok.stderr


# -- 3. questions during an ingest ----------------------------------------------------------------

QUESTIONS = [
    ("Que demande le Conseil au Haut-Commissaire d'organiser ?", None),
    ("Which funds are States invited to increase their contributions to?", None),
    ("What does the Security Council decide?", None),
    ("paragraphe 4 de la résolution 30/25", None),
    ("What does the General Assembly call upon States to do?", "en"),
    ("Que décide le Conseil des droits de l'homme ?", "fr"),
]


def test_questions_asked_during_an_ingest_cite_paragraphs_that_exist_as_shown(shared_corpus, monkeypatch):
    monkeypatch.setenv("RESO_EMBEDDER", "hash")
    settings = Settings()
    assistant = build_assistant(settings)  # the seed, ingested into the empty index first
    store = ChromaStore.open(settings.data_dir)
    writer = open_library(settings)  # its own library on the same index, as the API's admin ingest
    errors: list[BaseException] = []

    def run_ingest() -> None:
        try:
            writer.ingest([shared_corpus / "unxml-sc" / "2023" / "English"])  # ~50 versions: several refreshes meet it
        except BaseException as exc:  # reported in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=run_ingest)
    thread.start()
    answers = refreshes = 0
    states = set()
    while thread.is_alive() or refreshes < 2:
        assistant.refresh()
        refreshes += 1
        states.add(len(assistant.retriever.chunks))
        for question, language in QUESTIONS:
            answer = assistant.answer(question, language=language)
            answers += 1
            for c in [*answer.citations, *answer.related]:
                pid = normalise_pid(c.paragraph).split("(", 1)[0]
                got = store._chunks.get(ids=[chunk_id(c.document, pid, c.language)], include=["documents"])
                assert got["documents"] == [c.text], f"{c.document} {c.paragraph} ({c.language}) is not as cited"
            for r in answer.retrieved:
                assert r.chunk.id in assistant.retriever.tables.row_of  # one state: the tables the answer came from
        if not thread.is_alive() and refreshes >= 2:
            break
    thread.join()
    assert not errors, errors
    print(f"\n{answers} answers over {refreshes} refreshes; index sizes seen: {sorted(states)}")
    assistant.refresh()
    assert len(assistant.retriever.chunks) == store.count() > 1000
    assert refreshes > 2 and len(states) > 2  # questions did meet the index part-written
    assert not assistant.answer("What does the Security Council decide?").refused


def test_a_refresh_during_a_question_cannot_pair_new_tables_with_old_word_rarities(tmp_path, seed_path, fixtures_dir, monkeypatch):
    library = Library(ChromaStore.open(tmp_path / "index"), HashEmbedder())
    library.ingest([seed_path])
    retriever = HybridRetriever(library)
    assistant = Assistant(retriever, ExtractiveGenerator(), RefusalPolicy(index=retriever.lexical))
    library.ingest([fixtures_dir / "text" / "A_HRC_RES_54_10-en.txt"])  # what the refresh will publish

    seen: dict[str, object] = {}
    retrieve, decide = HybridRetriever.retrieve, RefusalPolicy.decide

    def retrieve_then_refresh(self, *args, **kwargs):
        out = retrieve(self, *args, **kwargs)
        seen.setdefault("lexical", self.tables.lexical)
        if "refreshed" not in seen:  # an ingest's refresh lands between the search and the refusal
            seen["refreshed"] = True
            assistant.refresh()
        return out

    def recording_decide(self, *args, **kwargs):
        seen.setdefault("rarities", self.index)
        return decide(self, *args, **kwargs)

    monkeypatch.setattr(HybridRetriever, "retrieve", retrieve_then_refresh)
    monkeypatch.setattr(RefusalPolicy, "decide", recording_decide)
    assistant.answer("Que demande le Conseil au Haut-Commissaire d'organiser ?")
    assert seen["refreshed"] and seen["rarities"] is seen["lexical"]  # one state for the whole question
    assert assistant.refusal.index is assistant.retriever.lexical is not seen["lexical"]  # the next one sees the new
    assert any(c.document == "A/HRC/RES/54/10" for c in assistant.retriever.chunks)
