"""The typed objects at the assistant's seams: filters in, retrieved paragraphs, answers out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from reso.errors import ResoError
from reso.index.chunks import Chunk

if TYPE_CHECKING:
    from reso.assistant.question import Question


# how a document was adopted, as the `votes` filter names it (a record's vote "recorded (13-0-2)" is `recorded`)
VOTE_KINDS = ("unanimous", "recorded", "without_vote")


class InvalidFilter(ResoError):
    """A filter value the assistant cannot apply (an unknown kind of vote): the sentence says which are known."""


@dataclass(frozen=True)
class Filters:
    """CONTRACTS §5 `filters`; empty means everything.

    `votes` (kinds of `VOTE_KINDS`) and `sponsors` (names as a user types them) are resolved to
    documents by the assistant before the search (`reso.assistant.adoption`).
    """

    documents: tuple[str, ...] = ()
    bodies: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    date_from: str | None = None  # YYYY-MM-DD
    date_to: str | None = None
    votes: tuple[str, ...] = ()
    sponsors: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = [v for v in self.votes if v not in VOTE_KINDS]
        if unknown:
            raise InvalidFilter(f"unknown kind of vote {', '.join(map(repr, unknown))}: the kinds are {', '.join(VOTE_KINDS)}")

    def is_empty(self) -> bool:
        return not (self.documents or self.bodies or self.languages or self.date_from or self.date_to
                    or self.votes or self.sponsors)


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
    vote: str = ""  # how the document was adopted, as its record says ("recorded (13-0-2)"); "" unknown
    sponsors: tuple[str, ...] = ()  # the document's sponsors as printed


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
