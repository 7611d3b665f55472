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
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reso.index import readers
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

    def __init__(self, store: VectorStore, embedder: Embedder, batch_size: int = 64):
        self.store = store
        record = store.model_record()
        # an index keeps the recipe it was built with when the configured embedder can run it
        self.embedder = embedder = for_index(embedder, record["embedder"] if record else None)
        self.batch_size = batch_size
        self._records: dict[tuple[str, str], DocumentRecord] | None = None  # read once, kept current
        store.check_model(embedder.name, embedder.dim)
        if store.settle():  # a write a killed run left pending
            log.warning("the last ingest was interrupted; this one completes what it left")

    def ingest_paths(
        self,
        paths: Sequence[Path],
        progress: Callable[[Iterable[Path]], Iterable[Path]] | None = None,
    ) -> IngestReport:
        files, failures, passed_over = collect_files(paths)
        report = IngestReport(skipped=failures, passed_over=passed_over)
        named = {Path(p) for p in paths}
        for path in progress(files) if progress else files:
            report.files += 1
            try:
                resolution = readers.read(path)
            except UnreadableFile as exc:
                if path not in named and path.suffix.lower() in NOTE_SUFFIXES and _no_resolution(exc):
                    report.files -= 1  # a folder's README.md or SOURCES.md: notes, passed over like other files
                    report.passed_over += 1
                    continue
                report.skipped.append(Skipped(str(path), exc.reason))
                continue
            except Exception as exc:  # a reader bug must not lose the rest of the folder
                log.exception("reader crashed on %s", path)
                report.skipped.append(Skipped(str(path), f"could not be read ({one_line(exc)})"))
                continue
            counts = _counts(report)
            try:
                self.ingest_resolution(resolution, report, source_sha=_sha(path))
            except Exception as exc:  # chunking, embedding or writing one file must not stop the others
                log.exception("indexing failed for %s", path)
                _restore(report, counts)  # the summary counts what was indexed, not what was tried
                report.skipped.append(Skipped(str(path), f"could not be indexed ({one_line(exc)})"))
        return report

    def ingest_resolution(self, resolution: Resolution, report: IngestReport, source_sha: str = "") -> None:
        chunks = chunks_of(resolution)
        key = normalise_symbol(resolution.symbol)
        report.documents.add(key)
        report.versions += 1
        report.paragraphs += len(chunks)

        name = self.embedder.name
        record = record_of(resolution, len(chunks), source_sha, content_sha(chunks, name))
        if self._records is None:  # one read for the whole run: under the ingest lock nobody else writes
            self._records = {(normalise_symbol(r.document), r.language): r for r in self.store.document_records()}
        stored = self._records.get((key, resolution.language))
        existing = self.store.hashes(key, resolution.language)
        todo = [c for c in chunks if existing.get(c.id) != c.content_hash(name)]
        stale = sorted(set(existing) - {c.id for c in chunks})
        report.unchanged += len(chunks) - len(todo)
        report.added += sum(1 for c in todo if c.id not in existing)
        report.updated += sum(1 for c in todo if c.id in existing)
        report.removed += len(stale)

        # embed everything first: a failure here leaves the index as it was
        vectors = [self.embedder.embed_documents([c.embedding_text for c in batch]) for batch in iter_batches(todo, self.batch_size)]
        if todo:
            import numpy as np

            self.store.upsert(todo, np.concatenate(vectors), name)
            report.embedded += len(todo)
        if stale:
            self.store.delete(stale)
        # last: a record (missing, or left describing other chunks by a killed run) is written once
        # its chunks are all there, so a complete record means a complete version
        if todo or stale or stored is None or stored.to_metadata() != record.to_metadata():
            self.store.put_document(record)
            self._records[(key, resolution.language)] = record
