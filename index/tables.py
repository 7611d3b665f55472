"""What a search reads of one state of the index, kept in memory and on disk: chunks, BM25, vectors.

Chroma stays the store of record; these are copies derived from it. Why copy the vectors: with
the rows in scope in memory, the dense search is one matrix product (about 1 ms over 10k chunks,
against ~10 ms for a Chroma query that also fetches each hit's text and metadata from SQLite),
it is exact (Chroma's HNSW graph could not reach ~47 of the corpus's 10,492 chunks), and a
narrow filter (a few documents among 100k chunks) is a product over a few thousand gathered
rows instead of a filtered HNSW walk at twice the unfiltered cost.

Deriving them is the costly part of opening an index (tokenising every paragraph: seconds per
10k chunks), so a `TableCache` keeps them beside the index, keyed by the store's fingerprint, and
a new state is built from the last one: a chunk whose (id, content hash) the last state held
keeps its tokens and vector; only what an ingest wrote since is tokenised and fetched.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from reso.index.chunks import Chunk, version_digest
from reso.index.lexical import LexicalIndex, paragraph_tokens_of
from reso.index.model import normalise_symbol
from reso.index.store import VectorStore

log = logging.getLogger(__name__)

CACHE_FORMAT = 5  # 5: the documents' mean vectors (means.npy, means.json)
_MANIFEST = "manifest.json"
_CHUNK_FIELDS = [f.name for f in dataclasses.fields(Chunk)]


class ParagraphTokens:
    """Each row's paragraph tokens as the lexical index was built with them (`paragraph_tokens_of`).

    The refusal policy checks a question's words against its best paragraphs' tokens: it reads
    them here instead of tokenising the paragraphs again. Held as one string a row (a list of
    strings a row would cost ~200 MB at 100k paragraphs); a loaded state reads its `tokens.json`
    on first use, and a row it cannot read (the file pruned by a newer state meanwhile) is
    tokenised from its chunk, the same tokens.
    """

    def __init__(self, rows: Sequence[str] | None = None, path: Path | None = None):
        self._rows = list(rows) if rows is not None else None
        self._path = path

    @classmethod
    def of(cls, paragraph_tokens: Sequence[list[str]]) -> ParagraphTokens:
        return cls([" ".join(row) for row in paragraph_tokens])

    def row(self, i: int, chunk: Chunk) -> list[str]:
        if self._rows is None and self._path is not None:
            try:
                rows = _token_rows(self._path)
            except (OSError, ValueError):
                rows = None
            self._rows, self._path = rows, None
        if self._rows is not None and 0 <= i < len(self._rows):
            return self._rows[i].split()
        return paragraph_tokens_of(chunk)


@dataclass(frozen=True, eq=False)
class DocumentMeans:
    """Each document's mean vector over all its rows (every language version), normalised.

    Why saved with the tables: the retriever searches the texts a question's language lacks in
    the documents whose mean is nearest (`HybridRetriever._nearest_among`). Made at each
    language's first question, the means read 57 MB of vectors cold, 0.3 s of that answer at
    120k paragraphs; made here, where the vectors are in memory anyway, they are 3 MB read once.
    `names` are the normalised symbols (`normalise_symbol`) in `np.unique`'s order, which is how
    the retriever codes its rows' documents."""

    names: list[str]
    means: np.ndarray  # (len(names), dim) float32, unit rows

    @classmethod
    def of(cls, chunks: Sequence[Chunk], vectors: np.ndarray) -> DocumentMeans:
        keys: dict[str, str] = {}
        names, codes = np.unique([keys.get(c.document) or keys.setdefault(c.document, normalise_symbol(c.document))
                                  for c in chunks], return_inverse=True)
        means = np.zeros((len(names), vectors.shape[1]), dtype=np.float32)
        order = np.argsort(codes, kind="stable")
        for start in range(0, len(order), _VECTOR_BLOCK):  # a block at a time: a whole gather is 180 MB at 120k
            block = order[start:start + _VECTOR_BLOCK]
            block_codes = codes[block]
            starts = np.concatenate(([0], np.flatnonzero(np.diff(block_codes)) + 1))
            sums = np.add.reduceat(np.asarray(vectors[block], dtype=np.float32), starts, axis=0)
            means[block_codes[starts]] += sums
        means /= np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-9)
        return cls(names.tolist(), means)

    def save(self, folder: Path) -> None:
        np.save(folder / "means.npy", self.means, allow_pickle=False)
        _write_json(folder / "means.json", self.names)

    @classmethod
    def load(cls, folder: Path) -> DocumentMeans | None:
        if not (folder / "means.npy").is_file():
            return None
        means = np.load(folder / "means.npy", allow_pickle=False)
        names = json.loads((folder / "means.json").read_text(encoding="utf-8"))
        if means.shape[0] != len(names):
            raise ValueError("the saved means do not match their documents")
        return cls(names, means)


@dataclass(frozen=True, eq=False)
class Snapshot:
    """One state of the index as the retriever holds it; rows aligned across all fields."""

    chunks: list[Chunk]
    hashes: list[str]  # each chunk's content hash in the store ("" when it has none)
    lexical: LexicalIndex | None
    vectors: np.ndarray | None  # unit rows (n, dim); None when the store cannot hand them out
    tokens: ParagraphTokens = field(default_factory=ParagraphTokens)  # each row's paragraph tokens
    folder: Path | None = None  # the cache folder it is saved in; None when it is not
    code: str = ""  # the `_code_version` that tokenised it: a base's tokens are kept only under the same
    means: DocumentMeans | None = None  # the documents' mean vectors; None without vectors


@dataclass
class BuildStats:
    """How a snapshot came about: lets tests and logs tell a load from an incremental or full build."""

    loaded: bool = False
    chunks: int = 0
    tokenised: int = 0  # paragraphs tokenised for this state (0 when loaded, all of them on a cold build)
    vectors_fetched: int = 0  # vectors read from the store (the others came from the last state); -1: it failed


def tables_dir(data_dir: Path) -> Path:
    """Where an index's tables are kept: beside its Chroma files, in the data folder."""
    return Path(data_dir) / "tables"


def _code_version() -> str:
    """What the saved tables depend on besides the store: tokeniser, chunk fields, bm25s, this code.

    Part of the cache key, and tokens are only carried over between states of the same version,
    so an upgrade which tokenises differently never reads old tables.
    """
    import bm25s

    from reso.index import analysis, languages, lexical, ordinals

    h = hashlib.sha256(f"{CACHE_FORMAT}|{bm25s.__version__}|{','.join(_CHUNK_FIELDS)}".encode())
    # the language tables decide the tokens too (stop words, stemmers, ordinals)
    for source in (analysis.__file__, ordinals.__file__, lexical.__file__, languages.__file__, __file__, *languages.data_files()):
        h.update(Path(source).read_bytes())
    return h.hexdigest()


_HASH_BLOCK = 16 * 2**20
_VECTOR_BLOCK = 8192  # rows copied from the last state's vectors at a time (12 MB at 384 dimensions)


def _sha256(path: Path) -> str:
    """Read and hashed in 16 MiB blocks: the GIL is released for each block's read and hash.

    `hashlib.file_digest` takes it back every 256 KiB, and while a server starts the main thread
    parses the chunk table holding it: ~1,200 waits on a 300 MB cache made the check beside the
    reading take 2 s instead of 0.4. Not mapped: a mapped file's pages count in the process's
    resident peak (+300 MB at 120k chunks), one reused buffer does not.
    """
    digest = hashlib.sha256()
    buffer = bytearray(_HASH_BLOCK)
    view = memoryview(buffer)
    with path.open("rb", buffering=0) as f:
        while n := f.readinto(buffer):
            digest.update(view[:n])
    return digest.hexdigest()


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != _MANIFEST)


# fields whose values repeat from chunk to chunk (1,414 documents, 60 titles for 100k chunks): stored
# once each and shared by the chunks that load them, which keeps ~45 MB off a 100k-chunk server
_SHARED_FIELDS = ("document", "kind", "language", "body", "date", "title")


def _write_chunks(path: Path, chunks: Sequence[Chunk], hashes: Sequence[str]) -> None:
    values: dict[str, dict[str, int]] = {f: {} for f in _SHARED_FIELDS}
    rows = [
        [values[f].setdefault(getattr(c, f), len(values[f])) if f in values else getattr(c, f) for f in _CHUNK_FIELDS]
        for c in chunks
    ]
    data = {"fields": _CHUNK_FIELDS, "values": {f: list(v) for f, v in values.items()}, "rows": rows,
            "hashes": list(hashes)}
    _write_json(path, data)


def _write_json(path: Path, data: Any) -> None:
    """UTF-8 JSON straight to bytes (orjson): `json.dumps` then `write_text` held the text twice,
    as a str and as its encoding (766 MB each for the chunk table at 1M paragraphs)."""
    import orjson

    path.write_bytes(orjson.dumps(data))


def _read_chunks(path: Path) -> tuple[list[Chunk], list[str]]:
    """The chunk table, on a server's way to its first answer: orjson parses it in half the time of
    `json` (0.35 against 0.65 s at 120k chunks, measured), and each row's shared values are put in
    place before one `Chunk(*row)` (a generator per row cost a quarter more)."""
    import orjson

    data = orjson.loads(path.read_bytes())
    if data["fields"] != _CHUNK_FIELDS or set(data["values"]) != set(_SHARED_FIELDS):
        raise ValueError("the saved chunks have other fields")
    shared = [(i, data["values"][f]) for i, f in enumerate(_CHUNK_FIELDS) if f in data["values"]]
    # through __init__, not by filling __dict__ (measured 2x faster to build): a filled __dict__ is a
    # dict of its own per chunk, ~60 B more each and a third slower to read an attribute from
    rows = data["rows"]
    for row in rows:
        for i, table in shared:
            row[i] = table[row[i]]
    chunks = [Chunk(*row) for row in rows]
    if len(data["hashes"]) != len(chunks):
        raise ValueError("the saved hashes do not match the chunks")
    return chunks, [str(h) for h in data["hashes"]]


def _write_tokens(folder: Path, paragraph_tokens: Sequence[list[str]]) -> None:
    """One space-joined string per paragraph (a token never holds a space): written and read back
    in under a second at 100k paragraphs, where word ids into a vocabulary took three."""
    _write_json(folder / "tokens.json", [" ".join(row) for row in paragraph_tokens])


def _token_rows(path: Path) -> list[str]:
    """`tokens.json` as written: one space-joined string a paragraph (orjson, as the chunk table)."""
    import orjson

    return orjson.loads(path.read_bytes())


def shared_words(row: list[str], words: dict[str, str]) -> list[str]:
    """The row with each word replaced by the one object `words` holds for it.

    A tokeniser returns a new string for every occurrence of a word: held as lists until BM25 is
    built, a million paragraphs' tokens were ~100M string objects (~55 B each); shared, each
    occurrence is one pointer."""
    return [words.setdefault(w, w) for w in row]


def _write_manifest(folder: Path, key: str, code: str) -> None:
    """Written last, with a checksum per file: a cache whose bytes changed is detected, not trusted."""
    files = {str(p.relative_to(folder)): _sha256(p) for p in _files(folder)}
    (folder / _MANIFEST).write_text(json.dumps({"key": key, "code": code, "files": files}), encoding="utf-8")


def _verify(folder: Path, key: str | None = None) -> dict[str, Any]:
    manifest = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
    if key is not None and manifest["key"] != key:
        raise ValueError("the manifest names another key")
    present = {str(p.relative_to(folder)) for p in _files(folder)}
    if present != set(manifest["files"]):
        raise ValueError("files are missing or unexpected")
    for name, digest in manifest["files"].items():
        if _sha256(folder / name) != digest:
            raise ValueError(f"{name} does not match its checksum")
    return manifest


def unit_rows(vectors: np.ndarray, in_place: bool = False) -> np.ndarray:
    """Rows scaled to length 1, so that a dot product is the cosine Chroma's space uses.

    `in_place` scales a float32 array the caller owns instead of copying it (a cold build at
    1M rows would otherwise hold the vectors twice more)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    # einsum, not np.linalg.norm, which squares a whole copy first (+1.5 GB at 1M rows)
    norms = np.sqrt(np.einsum("ij,ij->i", vectors, vectors))[:, None]
    norms[norms == 0] = 1.0
    if in_place:
        vectors /= norms
        return vectors
    return vectors / norms


@dataclass
class _Previous:
    """The last state, the base of an incremental build: the live one a server holds, or the newest saved."""

    folder: Path | None
    same_code: bool
    chunks: list[Chunk]
    hashes: list[str]
    row_of: dict[tuple[str, str], int] = field(default_factory=dict)
    tokens: ParagraphTokens | None = None  # a live state's, read without the file
    vectors: np.ndarray | None = None  # a live state's (mapped from its folder, or built)

    @classmethod
    def of_snapshot(cls, snapshot: Snapshot) -> _Previous:
        """The state a server answers from as the base of its next one.

        Reading the base back from disk held a second chunk table beside the live one during a
        reload (~160 MB at 120k paragraphs, more while its JSON is parsed), and the new state then
        kept its own copy of every unchanged chunk; built on the live state, the two share them.
        """
        row_of = {(c.id, h): i for i, (c, h) in enumerate(zip(snapshot.chunks, snapshot.hashes)) if h}
        return cls(snapshot.folder, snapshot.code == _code_version(), snapshot.chunks, snapshot.hashes, row_of,
                   snapshot.tokens, snapshot.vectors)

    def token_row(self, words: dict[str, str]) -> Callable[[int, Chunk], list[str]]:
        """Row `k`'s tokens (its chunk's, were the row unreadable), each word the one `words` holds.

        Read a row at a time as the new state takes them: the whole file as lists of words first
        cost ~100 MB more at 120k paragraphs. Raises OSError or ValueError when a saved base's
        file is gone (pruned by another process's newer state) or damaged.
        """
        if self.tokens is not None:
            tokens = self.tokens
            return lambda k, chunk: shared_words(tokens.row(k, chunk), words)
        if self.folder is None:
            raise OSError("the base state has no saved tokens")
        rows = _token_rows(self.folder / "tokens.json")
        return lambda k, chunk: shared_words(rows[k].split(), words)

    def saved_vectors(self) -> np.ndarray | None:
        if self.vectors is not None:
            return self.vectors
        if self.folder is not None and (self.folder / "vectors.npy").is_file():
            return np.load(self.folder / "vectors.npy", mmap_mode="r", allow_pickle=False)
        return None


class TableCache:
    """The snapshot of one state of the store, on disk under `directory/<key>/`.

    The key hashes the store's fingerprint with the code version, so any write to the store or
    any change of tokeniser leads to another folder. A folder is written under a temporary name
    and renamed whole, so readers (other processes included) see a complete cache or none; one
    that fails its checks is ignored and rebuilt, since it is only ever a copy. Only the newest
    folder is kept: it is the base the next state is built from.
    """

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.loads = 0  # how many opens were served from disk
        self.last_build = BuildStats()

    def key(self, fingerprint: str) -> str:
        return hashlib.sha256(f"{fingerprint}|{_code_version()}".encode()).hexdigest()[:32]

    # -- reading -----------------------------------------------------------------------------
    def load(self, fingerprint: str, lexical: bool = True) -> Snapshot | None:
        """The saved snapshot for this fingerprint, or None when absent, partial or corrupt."""
        key = self.key(fingerprint)
        folder = self.directory / key
        if not (folder / _MANIFEST).is_file():
            return None
        try:
            # the checksums (~300 MB hashed at 120k chunks, outside the GIL) run beside the reading;
            # nothing read is returned before they pass
            with ThreadPoolExecutor(1, thread_name_prefix="reso-verify") as pool:
                verified = pool.submit(_verify, folder, key)
                try:
                    snapshot = self._read(folder, lexical)
                finally:
                    verified.result()
        except Exception as exc:  # any damage means "absent": the store can always rebuild it
            log.warning("ignoring the table cache in %s (%s); it will be rebuilt", folder, exc)
            return None
        self.loads += 1
        self.last_build = BuildStats(loaded=True, chunks=len(snapshot.chunks))
        return snapshot

    @staticmethod
    def _read(folder: Path, lexical: bool) -> Snapshot:
        chunks, hashes = _read_chunks(folder / "chunks.json")
        index = LexicalIndex.load(folder / "lexical", chunks) if lexical else None
        vectors = None
        if (folder / "vectors.npy").is_file():
            # mapped, not read: a search touches the rows in scope only, and the pages are the OS's to drop
            vectors = np.load(folder / "vectors.npy", mmap_mode="r", allow_pickle=False)
            if len(vectors) != len(chunks):
                raise ValueError("the saved vectors do not match the chunks")
        tokens = ParagraphTokens(path=folder / "tokens.json") if lexical else ParagraphTokens()
        means = DocumentMeans.load(folder) if vectors is not None else None
        return Snapshot(chunks, hashes, index, vectors, tokens, folder, _code_version(), means)

    def previous(self) -> _Previous | None:
        """The newest sound saved state, whatever its key; None when there is none."""
        if not self.directory.is_dir():
            return None
        folders = [p for p in self.directory.iterdir() if p.is_dir() and not p.name.startswith(".")]
        for folder in sorted(folders, key=lambda p: (p / _MANIFEST).stat().st_mtime if (p / _MANIFEST).is_file() else 0, reverse=True):
            try:
                manifest = _verify(folder)
                chunks, hashes = _read_chunks(folder / "chunks.json")
            except Exception:
                continue
            row_of = {(c.id, h): i for i, (c, h) in enumerate(zip(chunks, hashes)) if h}
            return _Previous(folder, manifest.get("code") == _code_version(), chunks, hashes, row_of)
        return None

    # -- writing -----------------------------------------------------------------------------
    def save(self, fingerprint: str, snapshot: Snapshot, paragraph_tokens: Sequence[list[str]]) -> Path | None:
        """Write atomically, and say where; a failure (read-only or full disk) is logged, never raised:
        the cache is optional."""
        if not snapshot.chunks or snapshot.lexical is None:
            return None  # nothing worth caching (bm25s cannot save an empty index); dense-only tables are not kept
        key = self.key(fingerprint)
        tmp = self.directory / f".tmp-{uuid.uuid4().hex}"
        try:
            tmp.mkdir(parents=True)
            _write_chunks(tmp / "chunks.json", snapshot.chunks, snapshot.hashes)
            (tmp / "lexical").mkdir()
            snapshot.lexical.save(tmp / "lexical")
            _write_tokens(tmp, paragraph_tokens)
            if snapshot.vectors is not None:
                np.save(tmp / "vectors.npy", np.asarray(snapshot.vectors, dtype=np.float32), allow_pickle=False)
            if snapshot.means is not None:
                snapshot.means.save(tmp)
            _write_manifest(tmp, key, _code_version())
            self._replace(tmp, self.directory / key)
            self._prune(keep=key)
            return self.directory / key
        except Exception as exc:
            log.warning("could not write the table cache in %s (%s)", self.directory, exc)
            return None
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    @staticmethod
    def _replace(tmp: Path, target: Path) -> None:
        if target.exists():  # a damaged cache under the same key; or another process's, as good as ours
            shutil.rmtree(target, ignore_errors=True)
        try:
            os.rename(tmp, target)
        except OSError:
            if not (target / _MANIFEST).is_file():
                raise

    def _prune(self, keep: str) -> None:
        """Older states' folders: the store has moved on, and the kept one is the next base."""
        for folder in self.directory.iterdir():
            if folder.is_dir() and folder.name != keep and not folder.name.startswith("."):
                shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class ChildBuild:
    """Build a large index's tables in a child process, then load what it saved.

    Why: on a reload, the build's transient memory (BM25's sort keys, the new state's token
    lists, the vectors fetched) comes on top of the state the server answers from, and CPython
    keeps much of it once freed: at 120k paragraphs a server building a reload's tables itself
    peaked at 1.67 GB (2.0 GB before BM25 was built in numpy), against 1.26 GB when a child built
    them. A child's memory goes back to the system when it exits, and while it builds, the
    server's interpreter lock is free for answers. The retriever asks for it on reloads only: at
    a start nothing else is held yet, and the child's imports and the reading back of what it
    saved made a cold start ~3.5 s slower. Below `above` paragraphs the build is small and quick:
    it runs in process.
    """

    above: int = 20_000  # paragraphs from which the build runs in a child (RESO_TABLES_CHILD_ABOVE)
    timeout: float = 3600.0  # seconds; a child still building then is stopped and the build done here


def build_snapshot(
    store: VectorStore,
    cache: TableCache | None = None,
    fingerprint: str | None = None,
    lexical: bool = True,
    live: Snapshot | None = None,
    child: ChildBuild | None = None,
) -> Snapshot:
    """The tables of the store's current state: loaded when saved, else built on the last state:
    `live`, the one a server answers from while it reloads, or else the newest saved. With
    `child`, a large store's tables are built and saved by a child process and loaded from the
    cache (`ChildBuild`); should that fail, they are built here.

    `fingerprint` must be read before this call: a write in between makes the key older than
    the content (a needless rebuild later), never newer (stale tables).
    """
    if cache is not None and fingerprint is not None:
        loaded = cache.load(fingerprint, lexical)
        if loaded is not None:
            return loaded
        if child is not None and lexical and _build_in_child(store, cache, fingerprint, child):
            loaded = cache.load(fingerprint, lexical)
            if loaded is not None:
                return loaded
            log.warning("the search tables built by a child process could not be read; building them here")
    base = None
    if cache is not None and lexical:
        usable = live is not None and live.chunks and live.lexical is not None and len(live.hashes) == len(live.chunks)
        base = _Previous.of_snapshot(live) if usable else cache.previous()
    # no fingerprint: a write is in progress or was cut short, and the records may lag the chunks
    rows = _rows(store, base if fingerprint is not None else None)
    chunks = [c for c, _ in rows]
    hashes = [h for _, h in rows]
    kept = [base.row_of.get((c.id, h)) if base is not None and h else None for c, h in rows]
    stats = BuildStats(chunks=len(chunks))

    paragraph_tokens: list[list[str]] = []
    if lexical:
        old = None
        words: dict[str, str] = {}
        if base is not None and base.same_code and any(k is not None for k in kept):
            try:
                old = base.token_row(words)
            except (OSError, ValueError):  # pruned by another process's newer state meanwhile: tokenise
                old = None
        for chunk, k in zip(chunks, kept):
            if old is not None and k is not None:
                paragraph_tokens.append(old(k, chunk))
            else:
                paragraph_tokens.append(shared_words(paragraph_tokens_of(chunk), words))
                stats.tokenised += 1
        del words, old
    vectors = _vectors(store, chunks, kept, base, stats)
    index = LexicalIndex(chunks, paragraph_tokens=paragraph_tokens) if lexical else None
    snapshot = Snapshot(chunks, hashes, index, vectors, ParagraphTokens.of(paragraph_tokens) if lexical else ParagraphTokens(),
                        code=_code_version(), means=DocumentMeans.of(chunks, vectors) if vectors is not None and len(chunks) else None)
    if cache is not None:
        cache.last_build = stats
        # tables without the vectors the store failed to give are this process's stopgap, never
        # saved: the next start (a fresh Chroma client) builds them whole
        if fingerprint is not None and stats.vectors_fetched >= 0:
            saved = cache.save(fingerprint, snapshot, paragraph_tokens)
            if saved is not None:
                snapshot = dataclasses.replace(snapshot, folder=saved)
                if snapshot.vectors is not None:
                    snapshot = _mapped_vectors(snapshot, saved)
    return snapshot


def _build_in_child(store: VectorStore, cache: TableCache, fingerprint: str, child: ChildBuild) -> bool:
    """Run `main` in a child interpreter on this store's state; whether it saved the tables."""
    try:
        n = store.count()
    except Exception:  # noqa: BLE001 - the store will say what is wrong when it is read here
        return False
    if n < child.above or store.location is None:
        return False
    import reso

    # `-c`, not `-m reso.index.tables`: run as __main__ the module would be imported a second time
    cmd = [sys.executable, "-c", "import sys; from reso.index.tables import main; sys.exit(main())",
           *store.location.args(), "--cache", str(cache.directory), "--fingerprint", fingerprint]
    env = dict(os.environ)
    root = Path(reso.__file__).resolve().parent.parent
    if (root / "pyproject.toml").is_file():  # a source checkout, not installed: `reso` resolves from its folder
        env["PYTHONPATH"] = os.pathsep.join([str(root), *filter(None, [env.get("PYTHONPATH")])])
    log.info("building the search tables of %d paragraphs in a child process", n)
    t0 = time.perf_counter()
    try:
        done = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, timeout=child.timeout, text=True, errors="replace")
    except (OSError, subprocess.SubprocessError) as exc:  # no interpreter to start, or it ran out of time
        log.warning("the child process building the search tables failed (%s); building them here", exc)
        return False
    if done.returncode != 0:
        last = (done.stderr or "").strip().splitlines()[-1:] or [f"exit code {done.returncode}"]
        log.warning("the child process building the search tables failed (%s); building them here", last[0])
        return False
    log.info("search tables built by a child process in %.1f s", time.perf_counter() - t0)
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """The child of `ChildBuild`: open the store, build and save the tables of `--fingerprint`.

    Exit code 0 when they are saved, 1 when they could not be (the parent then builds them)."""
    import argparse

    parser = argparse.ArgumentParser(prog="reso.index.tables", description=main.__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--collection", default="paragraphs")
    parser.add_argument("--host")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--fingerprint", required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    from reso.index.store import ChromaStore

    store = ChromaStore.open(args.data_dir, args.collection, host=args.host, port=args.port)
    cache = TableCache(args.cache)
    build_snapshot(store, cache, args.fingerprint)
    if cache.last_build.loaded or (cache.directory / cache.key(args.fingerprint) / _MANIFEST).is_file():
        return 0
    print("the tables were built but not saved", file=sys.stderr)
    return 1


def _mapped_vectors(snapshot: Snapshot, folder: Path) -> Snapshot:
    """The snapshot with the vectors just saved, memory-mapped, in place of the array built.

    A built array is this process's own memory (1.5 GB at 1M rows, ~180 MB at 120k), where the
    mapped file's pages are the page cache's, shared by every worker on the host and read as a
    search needs them: a server that built its tables, at start or on a reload after an ingest,
    then holds what one that loaded them holds. Another process may prune the folder meanwhile
    (a newer state): the built array is kept then.
    """
    try:
        mapped = np.load(folder / "vectors.npy", mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError):
        return snapshot
    if mapped.shape != snapshot.vectors.shape:
        return snapshot
    return dataclasses.replace(snapshot, vectors=mapped)


def _rows(store: VectorStore, base: _Previous | None) -> list[tuple[Chunk, str]]:
    """Every chunk with its content hash, in document order.

    With a last state to build on, a version whose record still carries the digest of the
    chunks that state holds is taken from it; only the others are read from the store (reading
    every chunk is 9 s at 100k). The records say which versions to re-read, never what they
    hold: that is always read from the chunks. When many versions changed, one read of
    everything is cheaper than one per version.
    """
    hashed = store.hashed_chunks
    records = store.document_records() if base is not None else []
    if not records or any(not r.content_sha for r in records):
        return hashed()  # a first build, or an index written before records carried digests
    held: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, c in enumerate(base.chunks):
        held[(normalise_symbol(c.document), c.language)].append(i)
    kept: list[tuple[Chunk, str]] = []
    stale: list[tuple[str, str]] = []
    for r in records:
        key = (normalise_symbol(r.document), r.language)
        rows = held.get(key, [])
        if rows and version_digest((base.chunks[i].id, base.hashes[i]) for i in rows) == r.content_sha:
            kept.extend((base.chunks[i], base.hashes[i]) for i in rows)
        else:
            stale.append(key)
    if len(stale) > max(20, len(records) // 10):
        return hashed()
    for document_key, language in stale:
        kept.extend(hashed({"$and": [{"document_key": document_key}, {"language": language}]}))
    return sorted(kept, key=lambda row: (row[0].document, row[0].language, row[0].order))


def _vectors(store: VectorStore, chunks: list[Chunk], kept: list[int | None], base: _Previous | None, stats: BuildStats) -> np.ndarray | None:
    """Every chunk's vector, the last state's where it holds the chunk; None when the store cannot
    hand them out, and the dense search then goes to the store's own query."""
    fetch = store.vectors
    if not chunks:
        return None
    # a kept row has the (id, content hash) of the last state's, and the hash names the model:
    # kept rows always have this index's dimension
    held = [(i, k) for i, k in enumerate(kept) if k is not None]
    old = base.saved_vectors() if held and base is not None else None
    missing = [i for i, k in enumerate(kept) if old is None or k is None]
    try:
        fetched = fetch([chunks[i].id for i in missing]) if missing else None
    except Exception as exc:  # see ChromaStore.vectors: another process's writes, a delete meanwhile
        log.warning("the index's vectors could not be read (%s); dense search goes through the store until "
                    "the next refresh or restart", exc)
        stats.vectors_fetched = -1
        return None
    stats.vectors_fetched = len(missing)
    if old is None and fetched is not None:
        return unit_rows(fetched, in_place=True)  # every row fetched, in chunk order: no second copy
    out = np.zeros((len(chunks), old.shape[1] if old is not None else fetched.shape[1]), dtype=np.float32)
    if old is not None:
        # a block of rows at a time: one fancy-indexed read of them all is a second array as large
        # as `out` (184 MB at 120k rows) beside it, at the peak of a reload
        to, of = np.fromiter((i for i, _ in held), np.int64, len(held)), np.fromiter((k for _, k in held), np.int64, len(held))
        for start in range(0, len(held), _VECTOR_BLOCK):
            out[to[start:start + _VECTOR_BLOCK]] = old[of[start:start + _VECTOR_BLOCK]]
    if fetched is not None:
        out[missing] = unit_rows(fetched)
    return out
