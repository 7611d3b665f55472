"""The indexed library: one store, one embedder, and what users ask of them as a whole.

This is the object the CLI, the API and the assistant hold; it is built once from settings
(`assistant.factory.open_library`) and passed down, never reached through a global.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from reso.index.embedders import Embedder, for_index
from reso.index.ingest import Ingestor, IngestReport
from reso.index.lock import ingest_lock
from reso.index.chunks import Chunk
from reso.index.model import normalise_pid, normalise_symbol
from reso.index.store import DocumentRecord, VectorStore
from reso.schema import DocumentOut

log = logging.getLogger(__name__)
DEFAULT_CORPUS = Path(__file__).resolve().parent / "default_corpus"


@dataclass
class ParagraphView:
    """One paragraph in its document: what a reader needs to check a citation."""

    chunk: Chunk
    before: list[Chunk]  # the neighbouring paragraphs, nearest last
    after: list[Chunk]
    versions: dict[str, Chunk]  # the same paragraph in every indexed language (CONTRACTS §1 alignment)
    record: DocumentRecord | None  # the document's metadata in this language


class Library:
    def __init__(
        self,
        store: VectorStore,
        embedder: Embedder | Callable[[], Embedder],
        batch_size: int = 64,
        records_ttl: float = 0.0,
    ):
        self.store = store
        self._embedder = embedder
        self._for_index: Embedder | None = None  # the one this index is written and queried with
        self._embedder_lock = threading.Lock()  # two first questions at once (a server's threads) load it once
        self.batch_size = batch_size
        # the document records are read by every listing, paragraph look-up and document filter (a
        # full read of the records collection, hundreds of ms under load): a server keeps them for
        # `records_ttl` seconds; its own ingests drop them at once, another process's within the TTL
        self.records_ttl = records_ttl
        self._records: tuple[float, list[DocumentRecord]] | None = None

    def document_records(self) -> list[DocumentRecord]:
        cached = self._records
        now = time.monotonic()
        if cached is not None and now - cached[0] < self.records_ttl:
            return cached[1]
        records = self._read_records()
        if self.records_ttl > 0:
            self._records = (now, records)
        return records

    _RECORDS = "records"  # the folder, in the data folder, of the records' copy (`_read_records`)

    def _read_records(self) -> list[DocumentRecord]:
        """The store's records, through a copy on disk named after the store's generation.

        Why: every server start read them from Chroma before its first answer (the votes and sponsors
        every citation shows): 1.4 s for 3,749 records at 120k paragraphs, a fifth of the time to the
        first answer; the copy loads in ~0.3 s. Every write of a record stamps a new generation
        (`ChromaStore._stamp_generation`), so a copy is never read for another state; one is written
        only when the generation is the same before and after the read (no write in between, none
        pending), replacing the last one. Only ever a copy: a damaged or unwritable one is passed
        over and the store read.
        """
        data_dir = self.store.data_dir
        generation = self.store.fingerprint() if data_dir is not None else None
        if generation is None:
            return self.store.document_records()
        folder = Path(data_dir) / self._RECORDS
        path = folder / f"{hashlib.sha256(generation.encode()).hexdigest()[:32]}.json"
        try:
            rows = json.loads(path.read_text(encoding="utf-8"))
            return [DocumentRecord.from_metadata(m) for m in rows]
        except FileNotFoundError:
            pass
        except Exception as exc:  # noqa: BLE001 - a copy: read the store instead, and write it again
            log.warning("ignoring the records' copy %s (%s)", path, exc)
        records = self.store.document_records()
        if self.store.fingerprint() == generation:
            try:
                folder.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
                tmp.write_text(json.dumps([r.to_metadata() for r in records], ensure_ascii=False), encoding="utf-8")
                os.replace(tmp, path)
                for old in folder.glob("*.json"):
                    if old != path:
                        old.unlink(missing_ok=True)
            except OSError as exc:  # a read-only data folder: serve without the copy
                log.debug("the records' copy was not written (%s)", exc)
        return records

    @property
    def embedder(self) -> Embedder:
        """Loaded on first use: listing documents must not pay for a model load.

        The configured embedder, or the recipe the index records when the configured one can run
        it (`index.embedders.for_index`: RESO_EMBEDDER=minilm over an index built before the
        default moved to int8), so that an index's documents and questions share one vector space.
        """
        with self._embedder_lock:
            if callable(self._embedder) and not hasattr(self._embedder, "embed_query"):
                self._embedder = self._embedder()
            if self._for_index is None:
                record = self.store.model_record()
                chosen = for_index(self._embedder, record["embedder"] if record else None)  # type: ignore[arg-type]
                if record and record["embedder"] != chosen.name:
                    # questions embedded by another model than the paragraphs were would be searched in
                    # the wrong vector space, silently when the two have the same dimension (MiniLM and
                    # e5: 384): refused with the setting to use, as a write would be
                    self.store.check_model(chosen.name, chosen.dim)
                self._for_index = chosen
            return self._for_index

    def ingest(
        self,
        paths: Sequence[Path],
        progress: Callable[[Iterable[Path]], Iterable[Path]] | None = None,
        rebuild: bool = False,
        lock_timeout: float | None = None,
        on_wait: Callable[[str], None] | None = None,
        on_step: Callable[[str], None] | None = None,
    ) -> IngestReport:
        """Ingest under the data folder's lock (`index/lock.py`): one ingest at a time per index.

        Another ingest holding it makes this one wait (`on_wait` is told) or, past `lock_timeout`
        seconds, raise `IngestBusy`. A store opened without a data folder is not locked. After a
        change, the search tables are brought up to date (`on_step` is told).
        """
        data_dir = self.store.data_dir
        with ingest_lock(data_dir, lock_timeout, on_wait) if data_dir is not None else nullcontext():
            self.store.reopen()  # the ingest we waited for may have rebuilt the collections
            if rebuild:
                self.store.reset()
                self._for_index = None  # an empty index takes the configured embedder
            try:
                report = Ingestor(self.store, self.embedder, self.batch_size).ingest_paths(paths, progress)
            finally:
                self._records = None
            if data_dir is not None and (report.added or report.updated or report.removed):
                self._update_tables(Path(data_dir), on_step)
            if data_dir is not None:
                try:  # the records' copy of the new state, for the next server start (`_read_records`)
                    self._read_records()
                except Exception as exc:  # noqa: BLE001 - the ingest itself succeeded
                    log.warning("the records' copy was not written (%s)", exc)
            return report

    def _update_tables(self, data_dir: Path, on_step: Callable[[str], None] | None) -> None:
        """Build the search tables of the new state now, still under the lock (no write meanwhile).

        A server's retriever then loads them (its refresh, its next start) instead of building
        them: the first answer after `reso serve` on a fresh index took 8 s, 4 of them this build.
        Only ever a cache: a failure is logged, never raised, and a reader builds them itself.
        """
        from reso.index.tables import TableCache, build_snapshot, tables_dir

        if on_step is not None:
            on_step("updating the search tables…")
        try:
            build_snapshot(self.store, TableCache(tables_dir(data_dir)), self.store.fingerprint())
        except Exception as exc:  # noqa: BLE001 - the ingest itself succeeded
            log.warning("the search tables were not updated (%s); the server will build them", exc)

    def is_empty(self) -> bool:
        return self.store.count() == 0

    def ensure_default_corpus(self, corpus: Path | None = None) -> IngestReport | None:
        """Ingest the bundled corpus when the index is empty, so a new user gets answers at once."""
        if not self.is_empty():
            return None
        return self.ingest([corpus or DEFAULT_CORPUS])

    def document_chunks(self, document: str, language: str | None = None) -> list[Chunk]:
        """The paragraphs of one document in order; every language when `language` is None."""
        where: dict = {"document_key": normalise_symbol(document)}
        if language:
            where = {"$and": [where, {"language": language}]}
        return self.store.chunks(where)

    def paragraph(self, document: str, paragraph: str, language: str | None = None, window: int = 1) -> ParagraphView | None:
        """A paragraph with its neighbours and its other language versions, or None when absent.

        A sub-paragraph id (OP3(a)) opens its operative paragraph, which holds it. The version
        shown is `language` when indexed, else English, else the first indexed.
        """
        chunks = self.document_chunks(document)
        pid = normalise_pid(paragraph).split("(", 1)[0]
        versions = {c.language: c for c in chunks if normalise_pid(c.paragraph) == pid}
        if not versions:
            return None
        lang = language if language in versions else ("en" if "en" in versions else sorted(versions)[0])
        same = [c for c in chunks if c.language == lang]
        i = next(j for j, c in enumerate(same) if normalise_pid(c.paragraph) == pid)
        records = {r.language: r for r in self.document_records() if normalise_symbol(r.document) == normalise_symbol(document)}
        return ParagraphView(same[i], same[max(0, i - window) : i], same[i + 1 : i + 1 + window], versions, records.get(lang))

    def documents(self) -> list[DocumentOut]:
        """One entry a document across its language versions: the wire shape itself (nothing to map)."""
        by_doc: dict[str, list[DocumentRecord]] = {}
        for rec in self.document_records():
            by_doc.setdefault(normalise_symbol(rec.document), []).append(rec)
        out = []
        for versions in by_doc.values():
            # English title first when there is one: the common language of the UN's catalogues
            versions.sort(key=lambda r: (r.language != "en", r.language))
            first = versions[0]
            out.append(
                DocumentOut(
                    document=first.document,
                    languages=[r.language for r in versions],
                    paragraphs={r.language: r.paragraphs for r in versions},
                    title=first.title,
                    body=first.body,
                    date=first.date,
                )
            )
        return sorted(out, key=_symbol_sort_key)


def _symbol_sort_key(d: DocumentOut) -> tuple:
    parts = re.split(r"(\d+)", d.document)
    return (d.body, [int(p) if p.isdigit() else p for p in parts])
