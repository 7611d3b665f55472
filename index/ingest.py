"""Files in, chunks in the index: the ingest pipeline behind `reso ingest`.

Per file: read (any registered format) → chunks → embed only what changed → write. Nothing
stops an ingest: any exception while reading, chunking, embedding or writing one file is
reported with the file's name and a one-line reason (`IngestReport.skipped`, exit code 1 in the
CLI) and the next file is read. A file that fails before its write leaves nothing behind,
because nothing is written for it before it has been read and embedded whole; one that fails
while being written is left "changed" (see crash safety below) and completed by the next run.
Re-ingesting an unchanged file changes nothing; a changed file replaces its document's chunks
for that language, stale ones deleted.

Crash safety: a run killed at any instant (SIGKILL, power cut) is repaired by running it again.
Each language version is written in one order — changed chunks, then stale ones deleted, then its
document record last, carrying a digest of the chunks it describes (`content_sha`) — and every
step is idempotent: the re-run compares each stored chunk's content hash (so a chunk written
whole is kept and one missing is written), deletes what is not in the file, and rewrites any
record that is missing or does not describe exactly these chunks. A version without a complete
record is therefore simply "changed". The store settles a generation a killed write left pending.

Unchanged files are not read (an unchanged re-ingest of 3,764 files took 4 min 42 s reading them
all). A file is known by its `source_key`: its content's sha256 with everything else its reader
reads (`read_key`: the reading code and READ_VERSION; the facts readers take from the file name; the
`data_extract/` metadata beside AKN files). Every document record lists the keys of the files that
read into exactly that version (`sources`) and of those that read into the same document and
language with other content and lost (`shadowed`), so one read of the records at the start tells
which files need reading: the proof lives in the index, and holds for any machine sharing a
Chroma server whatever its paths. A local manifest beside the index (`Manifest`) only spares
hashing: a file whose size and mtime match what it recorded is taken to have the sha it recorded.
A run that changes chunks marks the store `writing` until it ends; one killed leaves the mark, and
the next run checks every record against the stored chunk hashes (one paged read) and does not
trust the keys of a version whose record does not describe its chunks: its files are read, even if
they hold the content the record names again.

Two files reading into one language version of one document with different content (a French
file whose markup prints another resolution's symbol) keep ONE deterministic winner, the file named
after the document first, then the lowest sha (never the last one read, which made every re-run
rewrite the version twice): the loser is reported in `IngestReport.conflicts` and logged.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reso.index import readers, symbols
from reso.index.chunks import Chunk, chunks_of, version_digest
from reso.index.embedders import Embedder, for_index
from reso.errors import UnreadableFile
from reso.index.model import Resolution, normalise_symbol
from reso.index.store import DocumentRecord, VectorStore, iter_batches

log = logging.getLogger(__name__)


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class Conflict:
    """Two files read into one language version of one document with different content; one is kept."""

    document: str
    language: str
    kept: str  # the file whose version is indexed (for a file not read this run: the path it was first read from)
    passed_over: str  # the file that lost

    @property
    def message(self) -> str:
        return (f"{self.passed_over} reads as {self.document} ({self.language}) with other content than "
                f"{self.kept}; kept {self.kept}")


@dataclass
class Retired:
    """A language version removed because the file it was read from now reads as another document."""

    document: str
    language: str
    now: list[str]  # what that file reads as now: "S/RES/1287 (2000) (en)"
    paragraphs: int


@dataclass
class IngestReport:
    files: int = 0
    documents: set[str] = field(default_factory=set)
    versions: int = 0  # language versions read
    paragraphs: int = 0  # chunks in the files read
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    embedded: int = 0
    skipped: list[Skipped] = field(default_factory=list)  # named files that failed
    passed_over: int = 0  # files of other types met while walking folders
    read: int = 0  # files read (parsed); the others were known by their content (`source_key`)
    conflicts: list[Conflict] = field(default_factory=list)  # warnings: the version kept is deterministic
    retired: list[Retired] = field(default_factory=list)  # versions removed: their file now reads as another

    @property
    def failed(self) -> bool:
        return bool(self.skipped)


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[Skipped], int]:
    """Expand folders; explicit files of unknown type are errors, ones met in folders are not.

    Returns (files to read, explicit failures, files passed over quietly).
    """
    suffixes = readers.supported_suffixes()
    files: list[Path] = []
    failures: list[Skipped] = []
    passed_over = 0
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for p in sorted(path.rglob("*")):
                if not p.is_file() or any(part.startswith(".") for part in p.relative_to(path).parts):
                    continue
                if p.suffix.lower() in suffixes:
                    files.append(p)
                else:
                    passed_over += 1
        elif path.is_file():
            files.append(path)  # an unknown suffix is reported by the reader registry
        else:
            failures.append(Skipped(str(path), "no such file or folder"))
    return files, failures, passed_over


# Markdown files met while walking a folder are read, but one holding no resolution (the corpus's
# SOURCES.md, a README) is passed over quietly, as files of other types are; named explicitly, it fails.
NOTE_SUFFIXES = frozenset({".md", ".markdown"})


def _no_resolution(exc: UnreadableFile) -> bool:
    from reso.index.readers.text import NotAResolution

    return isinstance(exc, NotAResolution) or exc.reason.startswith("empty file")


def one_line(exc: BaseException) -> str:
    """`Type: first line of the message`, at most 300 characters: a reason fits on the summary's line."""
    message = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
    text = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return text if len(text) <= 300 else text[:299] + "…"


_COUNTED = ("versions", "paragraphs", "added", "updated", "removed", "unchanged", "embedded")


def _counts(report: IngestReport) -> tuple:
    return set(report.documents), [getattr(report, name) for name in _COUNTED]


def _restore(report: IngestReport, counts: tuple) -> None:
    report.documents = counts[0]
    for name, value in zip(_COUNTED, counts[1]):
        setattr(report, name, value)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:32]


# Bump when what a file reads into changes in a way the reading code's digest (`read_key`) cannot
# see: a new lxml or pypdf release that reads differently, a data file a reader consults.
READ_VERSION = 1
# the modules whose code decides what a file reads into (and what its record says)
_READING_CODE = ("readers/*.py", "model.py", "symbols.py", "chunks.py", "ingest.py")


@functools.lru_cache(maxsize=1)
def _code_digest() -> str:
    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for pattern in _READING_CODE:
        for path in sorted(here.glob(pattern)):
            h.update(f"{path.relative_to(here)}\x00".encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def read_key() -> str:
    """What decides how any file reads besides its own bytes: READ_VERSION, a digest of the reading
    code (so a reader fix re-reads every file, even when nobody bumped the number), the registered
    readers (a plugin's) and the OCR setting (a scanned PDF refused without OCR reads with it)."""
    from reso.index.readers.ocr import setting

    registry = sorted(
        f"{suffix}={entry if isinstance(entry, str) else f'{entry.__module__}.{entry.__qualname__}'}"
        for suffix, entry in readers._REGISTRY.items()
    )
    return f"{READ_VERSION}.{_code_digest()}.{hashlib.sha256(' '.join(registry).encode()).hexdigest()[:8]}.ocr-{setting()}"


_LANGUAGE_LETTER = re.compile(r"([EFSACR])\.xml$")  # the AKN reader's last resort for the language


def name_facts(path: Path) -> str:
    """What readers take from a file's name: its type, the symbol it spells, its language letter.

    Two names with the same facts read alike, so a file moved or renamed keeps its key; one renamed
    to another symbol is read again (the AKN and text readers fall back on the name's symbol)."""
    letter = _LANGUAGE_LETTER.search(path.name)
    return f"{path.suffix.lower()}|{symbols.symbol_from_filename(path.name) or ''}|{letter.group(1) if letter else ''}"


def _sidecar_digest(path: Path, cache: dict[Path | None, str]) -> str:
    """A digest of the `data_extract/*.json` metadata the AKN reader reads beside a corpus file."""
    from reso.index.readers.metadata import data_extract_dir

    directory = data_extract_dir(path)
    if directory not in cache:
        h = hashlib.sha256()
        for meta in sorted(directory.glob("*.json")) if directory is not None else ():
            h.update(f"{meta.name}\x00".encode())
            try:
                h.update(meta.read_bytes())
            except OSError:
                h.update(b"unreadable")
        cache[directory] = h.hexdigest()[:16] if directory is not None else ""
    return cache[directory]


def source_key(read: str, sha: str, path: Path, sidecar: str) -> str:
    """A file's identity for the index: equal keys read into equal versions."""
    return hashlib.sha256(f"{read}|{sha}|{name_facts(path)}|{sidecar}".encode()).hexdigest()[:32]


MANIFEST = "ingest-manifest.json"
_RACY_NS = 2_000_000_000  # a file modified this close to its hashing may change again within one mtime tick


class Manifest:
    """A local cache beside the index: path → size, mtime_ns and sha of each file an ingest saw,
    and the reason of each file that could not be read (kept with the file's key).

    Only a shortcut: a stat match stands for the recorded sha, but what a file reads into is known
    from the document records in the index (`sources`), which two machines sharing a Chroma server
    share whatever their paths. Losing this file costs hashing every file once (0.5 s for 155 MB),
    never a wrong skip. A file hashed within 2 s of its last modification is not given a stat entry
    (it may change again within the same mtime tick, the "racily clean" case of git's index).
    """

    def __init__(self, path: Path | None):
        self.path = path
        self.entries: dict[str, dict] = {}
        self.seen: set[str] = set()
        if path is not None and path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                self.entries = data.get("files", {}) if data.get("format") == 1 else {}
            except (OSError, ValueError, AttributeError):
                self.entries = {}  # a cache: a damaged one is rebuilt

    @staticmethod
    def _name(path: Path) -> str:
        return os.path.abspath(path)

    def sha(self, path: Path) -> str:
        """The file's sha (32 hex digits), from the manifest when its stat matches, else hashed."""
        name = self._name(path)
        st = path.stat()
        entry = self.entries.get(name)
        self.seen.add(name)
        if entry and entry.get("size") == st.st_size and entry.get("mtime_ns") == st.st_mtime_ns:
            return entry["sha"]
        sha = hashlib.sha256(path.read_bytes()).hexdigest()[:32]
        fresh = time.time_ns() - st.st_mtime_ns < _RACY_NS
        new = {"size": None if fresh else st.st_size, "mtime_ns": st.st_mtime_ns, "sha": sha}
        if entry and entry.get("sha") == sha and "failed" in entry:  # touched, not changed: still failing
            new["failed"] = entry["failed"]
        self.entries[name] = new
        return sha

    def failure(self, path: Path, key: str) -> dict | None:
        failed = self.entries.get(self._name(path), {}).get("failed")
        return failed if failed and failed.get("key") == key else None

    def fail(self, path: Path, key: str, reason: str, no_resolution: bool) -> None:
        entry = self.entries.get(self._name(path))
        if entry is not None:
            entry["failed"] = {"key": key, "reason": reason, "no_resolution": no_resolution}

    def read_ok(self, path: Path) -> None:
        (self.entries.get(self._name(path)) or {}).pop("failed", None)

    def save(self) -> None:
        """Write the entries of this run's files and those of earlier runs whose file still exists."""
        if self.path is None:
            return
        keep = {n: e for n, e in self.entries.items() if n in self.seen or os.path.exists(n)}
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps({"format": 1, "files": keep}, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:  # a read-only folder: the next run hashes every file again
            log.warning("the ingest manifest was not saved (%s)", exc)
            tmp.unlink(missing_ok=True)


@dataclass
class _File:
    path: Path
    sha: str
    key: str


@dataclass
class _Decided:
    """A version decided in this run: its winner and the keys of the files that read into it."""

    rank: tuple
    record: DocumentRecord
    path: str
    sources: set[str] = field(default_factory=set)
    shadowed: set[str] = field(default_factory=set)
    agreeing: list[str] = field(default_factory=list)  # the paths of the files read into it, the winner's first
    written: tuple[str, str] = ("", "")  # the sources and shadowed its stored record holds


def _substance(record: DocumentRecord) -> dict:
    """A record without where it was read from: two files agree when these are equal."""
    m = record.to_metadata()
    for name in ("source", "source_sha", "sources", "shadowed"):
        m.pop(name, None)
    return m


def _rank(path: Path, sha: str, document_key: str) -> tuple:
    """Which of two files reading into one version wins (lowest): the one named after the document,
    then the lowest sha. Content and name only, never the order or folder a run met them in."""
    named = symbols.symbol_from_filename(path.name)
    return (0 if named and normalise_symbol(named) == document_key else 1, sha)


def content_sha(chunks: Sequence[Chunk], embedder_name: str) -> str:
    """One digest of a language version's chunks (ids and content hashes), stored in its record."""
    return version_digest((c.id, c.content_hash(embedder_name)) for c in chunks)


def record_of(resolution: Resolution, n_paragraphs: int, source_sha: str, chunks_sha: str = "") -> DocumentRecord:
    v = resolution.vote
    vote = v.outcome
    if v.outcome == "recorded" and v.in_favour is not None:
        vote = f"recorded ({v.in_favour}-{v.against or 0}-{v.abstaining or 0})"
    return DocumentRecord(
        document=resolution.symbol,
        language=resolution.language,
        title=resolution.title,
        body=resolution.body,
        date=resolution.adopted.isoformat() if resolution.adopted else "",
        session=resolution.session or "",
        paragraphs=n_paragraphs,
        source=resolution.source,
        source_sha=source_sha,
        vote=vote,
        meta={
            "number": resolution.number,
            "meeting": resolution.meeting,
            "vote_text": v.text,
            "in_favour": v.in_favour,
            "against": v.against,
            "abstaining": v.abstaining,
            "sponsors": resolution.sponsors,
            "agenda_item": resolution.agenda_item,
            "subjects": resolution.subjects,
            "references": resolution.references,
            "kind": resolution.kind,
            "committee": resolution.committee,
            "drafts": resolution.drafts,
        },
        content_sha=chunks_sha,
    )


class Ingestor:
    """Writes resolutions into a store with one embedder; the CLI and the API share it."""

    # reading more files than this, one paged read of every chunk's hash beats one filtered get per file
    BULK_HASHES = 100

    def __init__(self, store: VectorStore, embedder: Embedder, batch_size: int = 64):
        self.store = store
        record = store.model_record()
        # an index keeps the recipe it was built with when the configured embedder can run it
        self.embedder = embedder = for_index(embedder, record["embedder"] if record else None)
        self.batch_size = batch_size
        self._records: dict[tuple[str, str], DocumentRecord] | None = None  # read once, kept current
        self._hashes: dict[tuple[str, str], dict[str, str]] | None = None  # when read in bulk, kept current
        # records whose chunks are all stored already, written together (`flush_records`); None: one at a time
        self._unwritten: dict[tuple[str, str], DocumentRecord] | None = None
        self._marked = False  # this run set the store's `writing` mark (or found it set)
        self._read_into: dict[str, set[tuple[str, str]]] = {}
        store.check_model(embedder.name, embedder.dim)
        if store.settle():  # a write a killed run left pending
            # on a Chroma server another machine's ingest, still running, looks the same: its lock is
            # its own folder's (index/lock.py), and completing the stamp early only makes readers
            # re-read once more when that ingest stamps its own
            log.warning("the index was left mid-write (an interrupted ingest, or one still running elsewhere "
                        "against the same Chroma server); this one completes what it left")

    def _all_records(self) -> dict[tuple[str, str], DocumentRecord]:
        if self._records is None:  # one read for the whole run: under the ingest lock nobody else writes
            self._records = {(normalise_symbol(r.document), r.language): r for r in self.store.document_records()}
        return self._records

    def ingest_paths(
        self,
        paths: Sequence[Path],
        progress: Callable[[Iterable[Path]], Iterable[Path]] | None = None,
    ) -> IngestReport:
        files, failures, passed_over = collect_files(paths)
        report = IngestReport(skipped=failures, passed_over=passed_over)
        named = {Path(p) for p in paths}
        manifest = Manifest(self.store.data_dir / MANIFEST if self.store.data_dir is not None else None)
        self._unwritten = {}
        self._read_into = {}  # each content read this run (by sha): the versions it reads as
        self._marked = interrupted = self.store.writing()
        try:
            self._ingest_files(files, named, manifest, report, progress, interrupted)
        finally:
            self.flush_records()
            self._unwritten = None
            manifest.save()
        if self._marked:  # finished: every record written describes its chunks
            self.store.set_writing(False)
            self._marked = False
        for conflict in report.conflicts:
            log.warning("%s", conflict.message)
        return report

    def _ingest_files(self, files: Sequence[Path], named: set[Path], manifest: Manifest, report: IngestReport,
                      progress: Callable[[Iterable[Path]], Iterable[Path]] | None, interrupted: bool = False) -> None:
        # 1. every file's key, from its content: no file is read (parsed) yet
        base, sidecars = read_key(), {}  # type: ignore[var-annotated]
        known: list[_File] = []
        for path in files:
            try:
                sha = manifest.sha(path)
            except OSError as exc:
                report.files += 1
                report.skipped.append(Skipped(str(path), f"cannot read file: {exc.strerror or exc}"))
                continue
            known.append(_File(path, sha, source_key(base, sha, path, _sidecar_digest(path, sidecars))))

        # 2. which of them the index holds already: one read of the records
        records = self._all_records()
        suspect: set[tuple[str, str]] = set()
        if interrupted:
            # an ingest was killed after changing chunks: a version whose record does not describe the
            # chunks stored is not known by its files (they may hold the content the record names again)
            self._hashes = self.store.version_hashes()
            suspect = {v for v, rec in records.items()
                       if version_digest(self._hashes.get(v, {}).items()) != rec.content_sha}
            log.warning("the last ingest was interrupted; %d versions are read again", len(suspect))
        owner: dict[str, tuple[str, str]] = {}
        for version, rec in records.items():
            for k in (*rec.sources.split(), *rec.shadowed.split()) if version not in suspect else ():
                owner[k] = version
        to_read: list[_File] = []
        held: dict[tuple[str, str], list[_File]] = {}  # files known to read into a version: not read
        for f in known:
            failed = manifest.failure(f.path, f.key)
            if failed is not None:  # failed before with this very content and code: the same reason
                self._failed(f, failed["reason"], failed["no_resolution"], named, report)
            elif f.key in owner:
                held.setdefault(owner[f.key], []).append(f)
            else:
                to_read.append(f)
        if len(to_read) > self.BULK_HASHES and self._hashes is None:
            self._hashes = self.store.version_hashes()

        # 3. read what is new or changed; a version it reads into is decided again among all its files
        decided: dict[tuple[str, str], _Decided] = {}
        by_path = {f.path: f for f in to_read}
        unread: dict[str, list[_File]] = {}  # by sha: the stored winner of a version, met again, is read with its rival
        for f in to_read:
            unread.setdefault(f.sha, []).append(f)
        later: list[_File] = []
        names = [f.path for f in to_read]
        for path in progress(names) if progress else names:
            if by_path[path] in unread.get(by_path[path].sha, ()):
                self._read_version(by_path[path], held, unread, later, decided, named, manifest, report)
        while later:  # a file read otherwise than its key says: cannot happen while reading is deterministic
            self._read_version(later.pop(0), held, unread, later, decided, named, manifest, report)

        # 4. the files not read: unchanged, or known losers of a conflict
        for version, held_files in held.items():
            rec = records[version]
            agreed, lost = set(rec.sources.split()), set(rec.shadowed.split())
            for f in held_files:
                report.files += 1
                if f.key in agreed:
                    report.documents.add(version[0])
                    report.versions += 1
                    report.paragraphs += rec.paragraphs
                    report.unchanged += rec.paragraphs
                elif f.key in lost:
                    report.conflicts.append(Conflict(rec.document, rec.language, rec.source, str(f.path)))

        # 5. records whose list of files changed after their version was written (a later duplicate)
        for version, d in decided.items():
            sources, shadowed = " ".join(sorted(d.sources)), " ".join(sorted(d.shadowed))
            if (sources, shadowed) != d.written:
                d.record.sources, d.record.shadowed = sources, shadowed
                self._put_record(d.record, chunks_written=False)

        # 6. versions their own file left: read again (a new reader), it names another document
        for version, rec in list(records.items()):
            went = self._read_into.get(rec.source_sha, set()) if rec.source_sha else set()
            if went and version not in went and version not in decided and version not in held:
                self._retire(version, rec, sorted(went), report)

    def _retire(self, version: tuple[str, str], rec: DocumentRecord, now: list[tuple[str, str]],
                report: IngestReport) -> None:
        """Remove a version no file reads into any more. Its content came from a file this run read
        into another document (an earlier reader took "S/RES/1287 (1)" from a file whose symbol is
        S/RES/1287 (2000)); kept, it would be answered from and cited under a symbol nobody wrote.
        Chunks first, record last, as a write: a run killed between them leaves a record whose
        chunks are gone, which the next run reads again and retires."""
        ids = sorted(self._existing(*version))
        if ids and self._unwritten is not None and not self._marked:
            self.store.set_writing(True)
            self._marked = True
        if ids:
            self.store.delete(ids)
        if self._hashes is not None:
            self._hashes.pop(version, None)
        if self._unwritten:
            self._unwritten.pop(version, None)
        self.store.delete_document(rec.document, rec.language)
        self._all_records().pop(version, None)
        report.removed += len(ids)
        records = self._all_records()
        shown = [f"{records[v].document if v in records else v[0]} ({v[1]})" for v in now]  # as printed
        report.retired.append(Retired(rec.document, rec.language, shown, len(ids)))
        log.warning("removed %s (%s), %d paragraphs: its file %s now reads as %s", rec.document, rec.language,
                    len(ids), rec.source, ", ".join(shown))

    def _read_version(self, f: _File, held: dict[tuple[str, str], list[_File]], unread: dict[str, list[_File]],
                      later: list[_File], decided: dict[tuple[str, str], _Decided], named: set[Path],
                      manifest: Manifest, report: IngestReport) -> None:
        if f in unread.get(f.sha, ()):
            unread[f.sha].remove(f)
        resolution = self._read(f, named, manifest, report)
        if resolution is None:
            return
        version = (normalise_symbol(resolution.symbol), resolution.language)
        self._read_into.setdefault(f.sha, set()).add(version)
        contenders = [(f, resolution)]
        stored = self._all_records().get(version)
        rivals = held.pop(version, [])  # its other files, held as unchanged: read again, to choose among all
        if version not in decided and stored is not None and stored.source_sha != f.sha:
            # the content the index holds for this version is in the run too, not read yet (all files are
            # read again after a reader change): read it now, so that a loser met first is never written
            rivals += unread.pop(stored.source_sha, [])
        for g in rivals:
            other = self._read(g, named, manifest, report)
            if other is None:
                continue
            self._read_into.setdefault(g.sha, set()).add((normalise_symbol(other.symbol), other.language))
            if (normalise_symbol(other.symbol), other.language) == version:
                contenders.append((g, other))
            else:
                later.append(g)
        self._decide(version, contenders, decided, report)

    def _failed(self, f: _File, reason: str, no_resolution: bool, named: set[Path], report: IngestReport) -> None:
        if f.path not in named and f.path.suffix.lower() in NOTE_SUFFIXES and no_resolution:
            report.passed_over += 1  # a folder's README.md or SOURCES.md: notes, passed over like other files
            return
        report.files += 1
        report.skipped.append(Skipped(str(f.path), reason))

    def _read(self, f: _File, named: set[Path], manifest: Manifest, report: IngestReport) -> Resolution | None:
        report.read += 1
        try:
            resolution = readers.read(f.path)
        except UnreadableFile as exc:
            manifest.fail(f.path, f.key, exc.reason, _no_resolution(exc))
            self._failed(f, exc.reason, _no_resolution(exc), named, report)
            return None
        except Exception as exc:  # a reader bug must not lose the rest of the folder
            log.exception("reader crashed on %s", f.path)
            reason = f"could not be read ({one_line(exc)})"
            manifest.fail(f.path, f.key, reason, False)
            self._failed(f, reason, False, named, report)
            return None
        manifest.read_ok(f.path)
        return resolution

    def _decide(self, version: tuple[str, str], contenders: list[tuple[_File, Resolution]],
                decided: dict[tuple[str, str], _Decided], report: IngestReport) -> None:
        """Index the winner among the files reading into one version, and one decided before in this run."""
        name = self.embedder.name
        rows = []
        for f, res in contenders:
            chunks = chunks_of(res)
            record = record_of(res, len(chunks), f.sha, content_sha(chunks, name))
            rows.append((_rank(f.path, f.sha, version[0]), f, res, chunks, record))
        rows.sort(key=lambda row: row[0])
        before = decided.get(version)
        while rows and (before is None or rows[0][0] < before.rank):
            rank, f, res, chunks, record = rows.pop(0)
            d = _Decided(rank, record, str(f.path), {f.key}, set(), [str(f.path)])
            lost: list[str] = []
            if before is not None:  # decided earlier in this run: its files agree with this one or lose
                if _substance(before.record) == _substance(record):
                    d.sources |= before.sources
                    d.agreeing += before.agreeing
                else:
                    d.shadowed |= before.sources | before.shadowed
                    lost = before.agreeing
                d.shadowed |= before.shadowed
            for _, g, _, _, other in rows:
                (d.sources if _substance(other) == _substance(record) else d.shadowed).add(g.key)
            d.shadowed -= d.sources
            lists = (" ".join(sorted(d.sources)), " ".join(sorted(d.shadowed)))
            report.files += 1
            counts = _counts(report)
            try:
                d.record = self.ingest_resolution(res, report, source_sha=f.sha, sources=lists[0], shadowed=lists[1],
                                                  chunks=chunks)
            except Exception as exc:  # chunking, embedding or writing one file must not stop the others
                log.exception("indexing failed for %s", f.path)
                _restore(report, counts)  # the summary counts what was indexed, not what was tried
                report.skipped.append(Skipped(str(f.path), f"could not be indexed ({one_line(exc)})"))
                continue
            d.written = lists
            decided[version] = before = d
            report.conflicts.extend(Conflict(d.record.document, d.record.language, d.path, p) for p in lost)
        if before is None:
            return
        for _, g, _, chunks, other in rows:  # the others: agreeing with the version kept, or losing to it
            report.files += 1
            if _substance(other) == _substance(before.record):
                before.sources.add(g.key)
                before.agreeing.append(str(g.path))
                report.documents.add(version[0])
                report.versions += 1
                report.paragraphs += len(chunks)
                report.unchanged += len(chunks)
            else:
                before.shadowed.add(g.key)
                report.conflicts.append(Conflict(before.record.document, before.record.language, before.path, str(g.path)))

    def _existing(self, key: str, language: str) -> dict[str, str]:
        if self._hashes is not None:
            return self._hashes.get((key, language), {})
        return self.store.hashes(key, language)

    def ingest_resolution(self, resolution: Resolution, report: IngestReport, source_sha: str = "",
                          sources: str = "", shadowed: str = "", chunks: list[Chunk] | None = None) -> DocumentRecord:
        """Index one language version: changed chunks, stale ones deleted, then its record; what it wrote."""
        chunks = chunks if chunks is not None else chunks_of(resolution)
        key = normalise_symbol(resolution.symbol)
        report.documents.add(key)
        report.versions += 1
        report.paragraphs += len(chunks)

        name = self.embedder.name
        record = record_of(resolution, len(chunks), source_sha, content_sha(chunks, name))
        record.sources, record.shadowed = sources, shadowed
        stored = self._all_records().get((key, resolution.language))
        existing = self._existing(key, resolution.language)
        todo = [c for c in chunks if existing.get(c.id) != c.content_hash(name)]
        stale = sorted(set(existing) - {c.id for c in chunks})
        report.unchanged += len(chunks) - len(todo)
        report.added += sum(1 for c in todo if c.id not in existing)
        report.updated += sum(1 for c in todo if c.id in existing)
        report.removed += len(stale)

        # embed everything first: a failure here leaves the index as it was
        if (todo or stale) and self._unwritten is not None and not self._marked:
            self.store.set_writing(True)  # cleared when this run ends (ingest_paths)
            self._marked = True
        vectors = [self.embedder.embed_documents([c.embedding_text for c in batch]) for batch in iter_batches(todo, self.batch_size)]
        if todo:
            import numpy as np

            self.store.upsert(todo, np.concatenate(vectors), name)
            report.embedded += len(todo)
        if stale:
            self.store.delete(stale)
        if self._hashes is not None:
            self._hashes[(key, resolution.language)] = {c.id: c.content_hash(name) for c in chunks}
        # last: a record (missing, or left describing other chunks by a killed run) is written once
        # its chunks are all there, so a complete record means a complete version
        if todo or stale or stored is None or stored.to_metadata() != record.to_metadata():
            self._put_record(record, chunks_written=bool(todo or stale))
        return record

    _FLUSH = 500  # records held at most before they are written

    def _put_record(self, record: DocumentRecord, chunks_written: bool) -> None:
        """A version's record, last. One whose chunks this run did not touch waits to be written with
        others (a killed run loses it: its files are then read again, their chunks found complete)."""
        version = (normalise_symbol(record.document), record.language)
        self._all_records()[version] = record
        if chunks_written or self._unwritten is None:
            if self._unwritten:
                self._unwritten.pop(version, None)  # superseded: never written over this one
            self.store.put_document(record)
            return
        self._unwritten[version] = record
        if len(self._unwritten) >= self._FLUSH:
            self.flush_records()

    def flush_records(self) -> None:
        if self._unwritten:
            self.store.put_documents(list(self._unwritten.values()))
            self._unwritten.clear()
