"""`LineageService`: the `Lineage` of one index state (the assistant's pinned chunks and records).

Nothing is computed until a lineage question or route asks: the reference graph (one pass over
every paragraph) is built on the first `related`, a document's paragraphs are gathered on the
first `compare` that names it. A refresh of the index builds a new service with the new state.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from reso.assistant.lineage.compare import compare_chunks
from reso.assistant.lineage.graph import ReferenceGraph, resolve_in
from reso.assistant.lineage.types import Comparison, Related
from reso.index.chunks import Chunk
from reso.index.lexical import DocumentRows
from reso.index.model import normalise_symbol
from reso.index.store import DocumentRecord


class LineageService:
    def __init__(self, chunks: Callable[[], Sequence[Chunk]],
                 records: Callable[[], Sequence[DocumentRecord]] | None = None):
        self._chunks = chunks
        self._records = records
        self._lock = threading.Lock()
        self._graph: ReferenceGraph | None = None
        self._documents: DocumentRows | None = None

    @property
    def graph(self) -> ReferenceGraph:
        with self._lock:
            if self._graph is None:
                records = self._records() if self._records is not None else ()
                self._graph = ReferenceGraph.build(self._chunks(), records)
            return self._graph

    @property
    def built(self) -> bool:
        """Whether the reference graph is built (a server builds it before it is asked for)."""
        return self._graph is not None

    def _document_rows(self) -> DocumentRows:
        with self._lock:
            if self._documents is None:
                self._documents = DocumentRows.of(self._chunks())
            return self._documents

    def resolve(self, document: str) -> str | None:
        """The indexed symbol a spelling or short form names ("S/RES/2334(2016)", "2334 (2016)", "60/251"),
        read from the documents' rows: no reference graph is built for it."""
        return resolve_in(self._document_rows().names, document)

    def related(self, document: str) -> Related | None:
        return self.graph.related(document)

    def compare(self, a: str, b: str, language: str | None = None) -> Comparison | None:
        rows = self._document_rows().rows
        chunks = self._chunks()
        a, b = self.resolve(a) or a, self.resolve(b) or b
        ra, rb = rows.get(normalise_symbol(a)), rows.get(normalise_symbol(b))
        if not ra or not rb:
            return None
        ca = [chunks[i] for i in ra]
        cb = [chunks[i] for i in rb]
        shared = sorted({c.language for c in ca} & {c.language for c in cb})
        if not shared:
            return None
        lang = language if language in shared else ("en" if "en" in shared else shared[0])
        return compare_chunks(ca[0].document, [c for c in ca if c.language == lang],
                              cb[0].document, [c for c in cb if c.language == lang], lang)
