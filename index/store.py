"""The vector store seam and its Chroma adapter (embedded or server).

One collection holds the paragraph chunks with their vectors; a second, small one holds a
record per document language version (title, metadata, paragraph count, source hash) so that
`reso documents` and the skip-unchanged check never scan every chunk. The paragraph
collection's metadata records the embedding model that built it: opening the index with another
model raises `IndexMismatch` instead of mixing vector spaces. Every write to the paragraphs also
stamps a new generation in that metadata, so a reader can tell cheaply whether the chunks changed
(`fingerprint`) and reuse tables it built from them before.

Crash safety (a `reso ingest` killed at any instant): each chunk row is written whole by one
Chroma call, a document's record is written after its chunks and carries a digest of them
(`content_sha`), and a write to the paragraphs first stamps a *pending* generation, then the
final one. So a re-run finds what a killed run left (chunks without their record, stale chunks,
a pending generation) and repairs it (`index/ingest.py`), and no reader ever keys a cached table
to a state that was still being written.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from reso.index.chunks import Chunk
from reso.errors import IndexMismatch, ResoError
from reso.index.model import normalise_symbol

log = logging.getLogger(__name__)

_GET_PAGE = 5000  # Chroma caps the ids per get/delete call; page through larger sets
# vectors come over HTTP as JSON lists of floats: smaller pages leave less of the parsing's
# garbage behind in the allocator (300k vectors from `chroma run`: peak 991 MB at 5,000 a page,
# 737 MB at 1,000, and faster; the array itself is 439 MB)
_VECTOR_PAGE = 1000
_GENERATION = "generation"  # key in the paragraph collection's metadata, renewed at every write
_PENDING = "pending-"  # prefix of the generation stamped while a write is in progress
_WRITING = "ingest_writing"  # 1 from an ingest's first chunk write to its end: a record may not describe its chunks


class StoreUnavailable(ResoError):
    """The Chroma server cannot be reached right now (down, restarting, unreachable).

    Raised by the store's public methods in place of the HTTP client's connection errors, so the
    API can answer 503 and a caller can simply try again: Chroma's HTTP client opens a new
    connection on the next call, so nothing needs rebuilding once the server is back.
    """


def _connection_errors() -> tuple[type[BaseException], ...]:
    try:
        import httpx
    except ImportError:  # embedded-only installs: nothing remote to lose
        return (ConnectionError,)
    return (ConnectionError, httpx.TransportError)  # TransportError: refused, reset, timed out


def _unavailable_as_domain_error(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except _connection_errors() as exc:
            raise StoreUnavailable("The index server is unreachable; try again shortly.") from exc

    return call


@dataclass
class DocumentRecord:
    """What the index knows of one language version of one document."""

    document: str
    language: str
    title: str = ""
    body: str = ""
    date: str = ""
    session: str = ""
    paragraphs: int = 0
    source: str = ""
    source_sha: str = ""
    vote: str = ""
    meta: dict[str, Any] = field(default_factory=dict)  # sponsors, subjects, references, agenda…
    content_sha: str = ""  # digest of the version's chunk ids and content hashes: the record is written last
    # what lets a re-ingest know a file without reading it (index/ingest.py, `source_key`): the keys
    # (file content + what else its reader reads) of the files that read into exactly this version,
    # and of the ones that read into the same document and language with other content and lost
    sources: str = ""  # space-separated
    shadowed: str = ""  # space-separated

    def to_metadata(self) -> dict[str, str | int]:
        d = asdict(self)
        d["meta"] = json.dumps(self.meta, ensure_ascii=False)
        return d

    @classmethod
    def from_metadata(cls, m: dict[str, Any]) -> DocumentRecord:
        m = dict(m)
        m["meta"] = json.loads(m.get("meta") or "{}")
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in m.items() if k in known})


@dataclass(frozen=True)
class StoreLocation:
    """How another process opens the same store (`ChromaStore.open`'s arguments): the search
    tables of a large index are built in a child process (`index/tables.py`, `ChildBuild`)."""

    data_dir: Path
    collection: str = "paragraphs"
    host: str | None = None
    port: int = 8000

    def args(self) -> list[str]:
        out = ["--data-dir", str(self.data_dir), "--collection", self.collection]
        return out + (["--host", self.host, "--port", str(self.port)] if self.host else [])


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # cosine similarity, higher is closer


class VectorStore(Protocol):
    """What the ingest pipeline, the library and the retrievers need of a store; Chroma is one
    adapter. Every member they use is declared here: none is probed for with `getattr`."""

    data_dir: Path | None  # the local folder holding the ingest lock; None: a store with no folder (not locked)
    location: StoreLocation | None  # how another process opens this store; None: it cannot (an in-memory client)

    def reopen(self) -> None: ...  # fetch the collections afresh (another process may have rebuilt them)
    def reset(self) -> None: ...
    def model_record(self) -> dict[str, Any] | None: ...  # the embedder the index was written with
    def check_model(self, name: str, dim: int) -> None: ...
    def settle(self) -> bool: ...  # finish what a killed write left pending; whether there was any
    def writing(self) -> bool: ...  # an ingest changed chunks and has not finished (or was killed)
    def set_writing(self, on: bool) -> None: ...
    def hashes(self, document_key: str, language: str) -> dict[str, str]: ...
    def version_hashes(self) -> dict[tuple[str, str], dict[str, str]]: ...  # every version's, in one read
    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray, embedder_name: str) -> None: ...
    def delete(self, ids: Sequence[str]) -> None: ...
    def put_document(self, record: DocumentRecord) -> None: ...
    def put_documents(self, records: Sequence[DocumentRecord]) -> None: ...  # many, under one generation
    def delete_document(self, document: str, language: str) -> None: ...
    def document_records(self) -> list[DocumentRecord]: ...
    def query(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[Hit]: ...
    def nearest(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]: ...  # ids, similarities
    def chunks(self, where: dict | None = None) -> list[Chunk]: ...
    def hashed_chunks(self, where: dict | None = None) -> list[tuple[Chunk, str]]: ...  # with content hashes
    def vectors(self, ids: Sequence[str]) -> np.ndarray: ...  # the stored vectors of these chunks
    def count(self) -> int: ...
    def fingerprint(self) -> str | None: ...  # None: the store cannot tell cheaply whether it changed


def _chunk_from(id_: str, text: str, m: dict[str, Any]) -> Chunk:
    return Chunk(
        id=id_,
        document=m["document"],
        paragraph=m["paragraph"],
        kind=m["kind"],
        order=int(m["order"]),
        language=m["language"],
        body=m["body"],
        date=m.get("date", ""),
        title=m.get("title", ""),
        text=text,
        document_kind=m.get("document_kind", "resolution"),
    )


class ChromaStore:
    """Chroma behind the `VectorStore` seam.

    Vectors are always passed in (never Chroma's default embedding function, which would
    download a model); the space is cosine, and scores are returned as similarities.
    """

    def __init__(self, client: Any, collection: str = "paragraphs", data_dir: Path | None = None):
        self._client = client
        self._name = collection
        # the local folder that holds the ingest lock (index/lock.py), also for a Chroma server
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self.location: StoreLocation | None = None  # set by `open`: a client passed in cannot be reopened elsewhere
        self.reopen()

    def reopen(self) -> None:
        """Fetch the collections afresh: another process may have rebuilt (dropped and re-created) them."""
        self._chunks = self._client.get_or_create_collection(
            self._name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )
        self._docs = self._client.get_or_create_collection(f"{self._name}-documents", embedding_function=None)

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        data_dir: Path,
        collection: str = "paragraphs",
        host: str | None = None,
        port: int = 8000,
    ) -> ChromaStore:
        os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if host:
            try:
                client = chromadb.HttpClient(host=host, port=port, settings=chroma_settings)
                client.heartbeat()
            except Exception as exc:  # the client raises several kinds for "nobody there"
                raise StoreUnavailable(
                    f"Cannot reach the Chroma server at {host}:{port} ({exc}). Start it with "
                    f"`chroma run --path DIR --host {host} --port {port}`, or unset RESO_CHROMA_HOST "
                    "to use the embedded index."
                ) from exc
        else:
            path = Path(data_dir) / "chroma"
            path.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        store = cls(client, collection, data_dir=Path(data_dir))
        store.location = StoreLocation(Path(data_dir), collection, host, port)
        return store

    # -- model record ------------------------------------------------------------------------
    def model_record(self) -> dict[str, Any] | None:
        meta = self._chunks.metadata or {}
        if "embedder" not in meta:
            return None
        return {"embedder": meta["embedder"], "dim": int(meta.get("dim", 0))}

    def check_model(self, name: str, dim: int) -> None:
        """Record the model on first use; refuse another model afterwards."""
        record = self.model_record()
        if record is None:
            if self._chunks.count() and not self._chunks.metadata:
                raise IndexMismatch("The index has vectors but no model record; rebuild it with `reso ingest --rebuild`.")
            self._chunks.modify(metadata={**(self._chunks.metadata or {}), "embedder": name, "dim": dim})
            return
        if record["embedder"] != name or record["dim"] != dim:
            raise IndexMismatch(
                f"The index was built with the embedder {record['embedder']!r} ({record['dim']} dims) but "
                f"{name!r} ({dim} dims) is configured. Set RESO_EMBEDDER={record['embedder']}, or rebuild "
                "the index with `reso ingest --rebuild PATH...`."
            )

    def reset(self) -> None:
        """Drop every chunk and document record (a rebuild with another model).

        The records go first: a rebuild killed half-way leaves chunks without records (which the
        re-run's ingest completes), never records listing documents that have no paragraphs.
        """
        for name in (f"{self._name}-documents", self._name):
            try:
                self._client.delete_collection(name)
            except Exception:  # absent already
                pass
        self.reopen()

    # -- chunks ------------------------------------------------------------------------------
    def hashes(self, document_key: str, language: str) -> dict[str, str]:
        got = self._chunks.get(
            where={"$and": [{"document_key": document_key}, {"language": language}]}, include=["metadatas"]
        )
        return {i: m.get("hash", "") for i, m in zip(got["ids"], got["metadatas"])}

    def version_hashes(self) -> dict[tuple[str, str], dict[str, str]]:
        """`hashes` of every language version, keyed by (document key, language), in one paged read.

        What an ingest that reads many files needs: one `get` filtered by document and language
        costs 0.18 s at 120k chunks (a scan of the metadata each: 11 min for 3,796 versions), this
        paged read of them all 41 s (both on the same loaded 2-core machine).
        """
        out: dict[tuple[str, str], dict[str, str]] = {}
        offset = 0
        while True:
            got = self._chunks.get(include=["metadatas"], limit=_GET_PAGE, offset=offset)
            for i, m in zip(got["ids"], got["metadatas"]):
                out.setdefault((str(m.get("document_key", "")), str(m.get("language", ""))), {})[i] = str(m.get("hash", ""))
            if len(got["ids"]) < _GET_PAGE:
                break
            offset += _GET_PAGE
        return out

    def upsert(self, chunks: Sequence[Chunk], vectors: np.ndarray, embedder_name: str) -> None:
        if not chunks:
            return
        self._stamp_generation(pending=True)
        for start in range(0, len(chunks), _GET_PAGE):
            part = chunks[start : start + _GET_PAGE]
            self._chunks.upsert(
                ids=[c.id for c in part],
                embeddings=np.asarray(vectors[start : start + _GET_PAGE], dtype=np.float32),
                documents=[c.text for c in part],
                metadatas=[c.metadata(embedder_name) for c in part],
            )
        self._stamp_generation()

    def delete(self, ids: Sequence[str]) -> None:
        ids = list(ids)
        if not ids:
            return
        self._stamp_generation(pending=True)
        for start in range(0, len(ids), _GET_PAGE):
            self._chunks.delete(ids=ids[start : start + _GET_PAGE])
        self._stamp_generation()

    # -- change detection ----------------------------------------------------------------------
    def _stamp_generation(self, pending: bool = False) -> None:
        """A fresh generation: `pending` before a write, final after it.

        A reader that saw an earlier generation keys what it read to a generation that is never
        current again; a writer killed between the two stamps leaves the index pending, without a
        fingerprint, until the next ingest settles it (`settle`). A stamp after the write alone
        would let a kill in between pair the old generation with the new chunks, so that a
        lexical cache built from the old chunks would be trusted for ever.
        """
        value = (_PENDING if pending else "") + uuid.uuid4().hex
        self._chunks.modify(metadata={**(self._chunks.metadata or {}), _GENERATION: value})

    def _generation(self) -> str:
        # fetched afresh: another process (`reso ingest`, another server worker) may have written
        meta = self._client.get_collection(self._name, embedding_function=None).metadata or {}
        return str(meta.get(_GENERATION) or "")

    def settle(self) -> bool:
        """Finish the generation of a write that was killed half-way; True when there was one.

        Called by the ingest under its lock (so no write is in progress), before it writes.
        """
        if self._generation().startswith(_PENDING):
            self._stamp_generation()
            return True
        return False

    def writing(self) -> bool:
        """Whether an ingest changed chunks and did not finish: killed, its records may not describe
        its chunks, and a re-run with other files (the old content back) must not trust them."""
        meta = self._client.get_collection(self._name, embedding_function=None).metadata or {}
        return bool(meta.get(_WRITING))

    def set_writing(self, on: bool) -> None:
        meta = self._client.get_collection(self._name, embedding_function=None).metadata or {}
        if bool(meta.get(_WRITING)) != on:
            self._chunks.modify(metadata={**(self._chunks.metadata or {}), **meta, _WRITING: 1 if on else 0})

    def fingerprint(self) -> str | None:
        """Changes whenever the chunks or records do, without reading them: the key of cached tables.

        None while a write is in progress or was interrupted (a pending generation): what a reader
        sees then may be half a write, which no cache may keep. An index last written before
        generations existed is given one (`_adopt_generation`); only while that cannot be done
        (another ingest holds the lock) is it a digest of every chunk's metadata (one scan, no texts).
        """
        generation = self._generation() or self._adopt_generation()
        if not generation:
            return f"{self._metadata_digest()}:{self.count()}"
        # no count beside a generation: every write renews it, and a count costs 0.3 s at 100k chunks
        return None if generation.startswith(_PENDING) else generation

    def _adopt_generation(self) -> str:
        """Give an index written before generations existed its first one; "" when that cannot be done now.

        Without it every fingerprint of such an index is a scan of every chunk's metadata (0.8 s
        per 10k chunks, every RESO_REFRESH_INTERVAL seconds in a server: 4 % of its CPU under
        load). Stamped under the ingest lock, taken without waiting, so that no write runs meanwhile.
        """
        if self.data_dir is None or not self._chunks.count():
            return ""
        from reso.index.lock import IngestBusy, ingest_lock

        try:
            with ingest_lock(self.data_dir, timeout=0):
                if not self._generation():
                    self._stamp_generation()
                return self._generation()
        except (IngestBusy, OSError):  # a writer is at work (it stamps one itself), or a read-only folder
            return ""

    def _metadata_digest(self) -> str:
        rows: list[tuple[str, str]] = []
        offset = 0
        while True:
            got = self._chunks.get(include=["metadatas"], limit=_GET_PAGE, offset=offset)
            rows.extend((i, json.dumps(m, sort_keys=True, ensure_ascii=False)) for i, m in zip(got["ids"], got["metadatas"]))
            if len(got["ids"]) < _GET_PAGE:
                break
            offset += _GET_PAGE
        h = hashlib.sha256()
        for i, m in sorted(rows):
            h.update(f"{i}\x00{m}\x00".encode("utf-8"))
        return "digest-" + h.hexdigest()[:32]

    def query(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[Hit]:
        # no count() first: it cost as much as the search itself (a SQL count per question), and
        # Chroma 1.x answers an empty collection or k above its size with what it has
        res = self._chunks.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=k,
            where=where or None,
            include=["documents", "metadatas", "distances"],
        )
        return [
            Hit(_chunk_from(i, d, m), 1.0 - float(dist))
            for i, d, m, dist in zip(res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0])
        ]

    def nearest(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        """The `k` nearest chunks' ids and similarities, as `query` without their texts: what a
        retriever holding the chunk table needs. Measured at 120k chunks: 1.0 ms against 19.3 ms for
        `query`, which reads each hit's document and metadata back from Chroma's SQLite."""
        res = self._chunks.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=k,
            where=where or None,
            include=["distances"],
        )
        return [(i, 1.0 - float(dist)) for i, dist in zip(res["ids"][0], res["distances"][0])]

    def chunks(self, where: dict | None = None) -> list[Chunk]:
        """Every chunk (matching `where`), once each, in document order."""
        return [chunk for chunk, _ in self.hashed_chunks(where)]

    def hashed_chunks(self, where: dict | None = None) -> list[tuple[Chunk, str]]:
        """Every chunk with its content hash, in document order: what a reader needs to tell which
        chunks it already holds (tokens, vectors) from the ones an ingest wrote since.

        Read in pages; an ingest writing meanwhile can shift the rows between two pages, so a row
        met twice is kept once (one missed is read at the next refresh: the fingerprint changed).
        """
        out: dict[str, tuple[Chunk, str]] = {}
        offset = 0
        while True:
            got = self._chunks.get(
                where=where or None, include=["documents", "metadatas"], limit=_GET_PAGE, offset=offset
            )
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"]):
                out.setdefault(i, (_chunk_from(i, d, m), str(m.get("hash", ""))))
            if len(got["ids"]) < _GET_PAGE:
                break
            offset += _GET_PAGE
        return sorted(out.values(), key=lambda row: (row[0].document, row[0].language, row[0].order))

    def vectors(self, ids: Sequence[str]) -> np.ndarray:
        """The stored vectors of these chunks, in this order, as one float32 array.

        Each page goes straight into its rows of the result: over HTTP a page arrives as
        JSON lists of Python floats that Chroma turns into a float64 array, and holding those
        pages (or a list of row views) until the end cost several GB at 1M paragraphs against
        the 1.5 GB of the result (a cold build over `chroma run` at 1M peaked at 15 GB).

        Raises LookupError when one is missing (deleted since it was listed). Embedded Chroma
        also fails here (InternalError) for chunks another process wrote since this client
        opened: their rows are in SQLite, their vectors not yet in this process's segment.
        """
        ids = list(ids)
        row_of = {id_: row for row, id_ in enumerate(ids)}
        out: np.ndarray | None = None
        seen = np.zeros(len(ids), dtype=bool)
        for start in range(0, len(ids), _VECTOR_PAGE):
            got = self._chunks.get(ids=ids[start : start + _VECTOR_PAGE], include=["embeddings"])
            if not got["ids"]:
                continue
            page = np.asarray(got["embeddings"], dtype=np.float32).reshape(len(got["ids"]), -1)
            if out is None:
                out = np.empty((len(ids), page.shape[1]), dtype=np.float32)
            rows = np.fromiter((row_of[i] for i in got["ids"]), dtype=np.int64, count=len(got["ids"]))
            out[rows] = page
            seen[rows] = True
        missing = len(ids) - int(seen.sum())
        if missing:
            raise LookupError(f"{missing} of {len(ids)} vectors are not in the index")
        return out if out is not None else np.zeros((0, 0), dtype=np.float32)

    def count(self) -> int:
        return self._chunks.count()

    # -- document records ----------------------------------------------------------------------
    def put_document(self, record: DocumentRecord) -> None:
        # a new generation for a record too: readers re-read the versions whose record changed
        # (index/tables.py), so a record written after its chunks must move the fingerprint on
        self._stamp_generation(pending=True)
        self._docs.upsert(
            ids=[_record_id(record.document, record.language)],
            embeddings=[[1.0]],
            metadatas=[record.to_metadata()],
        )
        self._stamp_generation()

    def put_documents(self, records: Sequence[DocumentRecord]) -> None:
        """Many records in a few calls, under one new generation: for records whose chunks are all
        stored already (an ingest that re-read files and found their chunks unchanged). One
        `put_document` each cost 3 Chroma calls, 0.17 s on a loaded machine: 11 min for 3,800."""
        records = list(records)
        if not records:
            return
        self._stamp_generation(pending=True)
        for start in range(0, len(records), _GET_PAGE):
            part = records[start : start + _GET_PAGE]
            self._docs.upsert(
                ids=[_record_id(r.document, r.language) for r in part],
                embeddings=[[1.0]] * len(part),
                metadatas=[r.to_metadata() for r in part],
            )
        self._stamp_generation()

    def delete_document(self, document: str, language: str) -> None:
        self._stamp_generation(pending=True)
        self._docs.delete(ids=[_record_id(document, language)])
        self._stamp_generation()

    def document_records(self) -> list[DocumentRecord]:
        got = self._docs.get(include=["metadatas"])
        return sorted((DocumentRecord.from_metadata(m) for m in got["metadatas"]), key=lambda r: (r.document, r.language))


# every public method that talks to Chroma: a lost server is a StoreUnavailable, not a transport error
for _name in ("model_record", "check_model", "reset", "hashes", "version_hashes", "upsert", "delete", "fingerprint", "query", "nearest",
              "chunks", "hashed_chunks", "vectors", "count", "put_document", "put_documents", "delete_document", "document_records",
              "reopen", "settle", "writing", "set_writing"):
    setattr(ChromaStore, _name, _unavailable_as_domain_error(getattr(ChromaStore, _name)))
del _name


def _record_id(document: str, language: str) -> str:
    return f"{normalise_symbol(document)}@{language}"


def iter_batches(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
