"""Resolution → chunks: one chunk per paragraph per language version (CONTRACTS §1).

An operative paragraph is one chunk with its sub-paragraphs; annex paragraphs are chunks of
their own. Chunk ids are deterministic (document, paragraph, language), which is what makes
re-ingesting an upsert, and each chunk carries a content hash so unchanged paragraphs are
never embedded twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from reso.index.model import BODY_NAMES, Paragraph, Resolution, make_ids_unique, normalise_symbol


@dataclass(frozen=True)
class Chunk:
    id: str
    document: str  # the symbol as printed
    paragraph: str  # PP3, OP4, ANNEX1.OP2
    kind: str
    order: int  # position in the document, for neighbours and "the next paragraph"
    language: str
    body: str
    date: str  # YYYY-MM-DD or ""
    title: str
    text: str
    document_kind: str = "resolution"  # resolution, draft, decision, statement (CONTRACTS §1)

    @property
    def embedding_text(self) -> str:
        """What the embedder sees: the paragraph under its resolution's title.

        The title disambiguates generic paragraphs ("Decides to remain seized of the matter")
        across resolutions without drowning the paragraph's own words.
        """
        return f"{self.title}\n{self.text}" if self.title else self.text

    def content_hash(self, embedder_name: str) -> str:
        h = hashlib.sha256()
        for part in (embedder_name, self.embedding_text, self.document, self.title, self.date, self.body):
            h.update(part.encode("utf-8"))
            h.update(b"\x00")
        return h.hexdigest()[:32]

    def metadata(self, embedder_name: str) -> dict[str, str | int]:
        return {
            "document": self.document,
            "document_key": normalise_symbol(self.document),
            "paragraph": self.paragraph,
            "kind": self.kind,
            "order": self.order,
            "language": self.language,
            "body": self.body,
            "date": self.date,
            "date_int": int(self.date.replace("-", "")) if self.date else 0,
            "title": self.title,
            "document_kind": self.document_kind,
            "hash": self.content_hash(embedder_name),
        }


def chunk_id(document: str, paragraph: str, language: str) -> str:
    return f"{normalise_symbol(document)}#{paragraph}@{language}"


def chunks_of(resolution: Resolution) -> list[Chunk]:
    """The chunks of one language version, in document order.

    Paragraph ids are made distinct first (`model.make_ids_unique`, a no-op for what
    `readers.read` returns): two chunks with one id would make the store's upsert refuse the
    whole batch."""
    resolution.warnings.extend(make_ids_unique(resolution))
    date = resolution.adopted.isoformat() if resolution.adopted else ""
    body = resolution.body

    def make(p: Paragraph, order: int) -> Chunk:
        return Chunk(
            id=chunk_id(resolution.symbol, p.pid, resolution.language),
            document=resolution.symbol,
            paragraph=p.pid,
            kind=p.kind,
            order=order,
            language=resolution.language,
            body=body,
            date=date,
            title=resolution.title,
            text=p.full_text,
            document_kind=resolution.kind,
        )

    tops = [*resolution.paragraphs, *resolution.annexes]
    return [make(p, i) for i, p in enumerate(tops)]


def body_name(body: str) -> str:
    return BODY_NAMES.get(body, body)


def version_digest(pairs: Iterable[tuple[str, str]]) -> str:
    """One digest of a language version's chunks from their (id, content hash) pairs.

    The ingest stores it in the version's record (`content_sha`); a reader holding chunks with
    their hashes computes the same digest to tell, record by record, which versions changed.
    """
    h = hashlib.sha256()
    for chunk_id, digest in sorted(pairs):
        h.update(f"{chunk_id}\x00{digest}\x00".encode("utf-8"))
    return h.hexdigest()[:32]
