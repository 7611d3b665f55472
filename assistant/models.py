"""The typed objects at the assistant's seams: filters in, retrieved paragraphs, answers out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from reso.index.chunks import Chunk

if TYPE_CHECKING:
    from reso.assistant.question import Question


@dataclass(frozen=True)
class Filters:
    """CONTRACTS §5 `filters`; empty means everything."""

    documents: tuple[str, ...] = ()
    bodies: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    date_from: str | None = None  # YYYY-MM-DD
    date_to: str | None = None

    def is_empty(self) -> bool:
        return not (self.documents or self.bodies or self.languages or self.date_from or self.date_to)


@dataclass
class Retrieved:
    """One paragraph (all its language versions folded into one), as ranked for a question."""

    chunk: Chunk  # the version shown: the question's language when the document has it
    score: float
    versions: dict[str, Chunk] = field(default_factory=dict)
    match: Literal["exact", "search"] = "search"
    lexical: float = 0.0
    dense: float = 0.0

    @property
    def key(self) -> tuple[str, str]:
        from reso.index.model import normalise_symbol

        return normalise_symbol(self.chunk.document), self.chunk.paragraph


@dataclass
class Message:
    role: Literal["user", "assistant"]
    content: str


@dataclass(frozen=True)
class Citation:
    document: str
    paragraph: str
    language: str
    text: str
    title: str


@dataclass
class Answer:
    """The whole answer; its wire shape is `reso.schema.AskResponse.of(answer)`."""

    answer: str
    language: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    related: list[Citation] = field(default_factory=list)  # "possibly related", never sources
    retrieved: list[Retrieved] = field(default_factory=list)
    removed_citations: list[str] = field(default_factory=list)  # markers the generator invented
    timings_ms: dict[str, float] = field(default_factory=dict)
    # the one analysis of the question this answers (the UI highlights its words); not on the wire
    question: Question | None = field(default=None, repr=False, compare=False)
