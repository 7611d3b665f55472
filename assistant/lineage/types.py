"""The shapes of lineage and comparison, written once (CONTRACTS §7 serialises these)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

Change = Literal["same", "changed", "added", "removed", "moved"]
DiffOp = Literal["equal", "delete", "insert"]


@dataclass(frozen=True)
class Mention:
    """One mention of a resolution inside a paragraph of another.

    `source`/`paragraph`/`language`: where the mention is printed (the citing document's symbol as
    indexed, its paragraph id, the language version). `target`: the cited symbol, the indexed
    document's own spelling when `indexed`, else as the citing text implies it (CONTRACTS §1 form).
    `text`: the words of the mention as printed ("resolution 2334 (2016)", "第 2334 (2016) 号决议").
    """

    source: str
    paragraph: str
    language: str
    target: str
    indexed: bool
    text: str = ""


@dataclass(frozen=True)
class SeriesEntry:
    """One resolution of a series (successive texts on one mandate or subject), oldest first."""

    document: str
    date: str  # YYYY-MM-DD or ""
    title: str
    # its first operative paragraph extending, renewing or terminating (a Council text read in
    # English: "decides to extend its mandate", MONUSCO 2022's OP19), "" when none is known
    renewal: str = ""


@dataclass
class Related:
    """What `GET /api/related` and `reso related` report of one document."""

    document: str
    cites: list[Mention] = field(default_factory=list)
    cited_by: list[Mention] = field(default_factory=list)
    series: list[SeriesEntry] = field(default_factory=list)


@dataclass(frozen=True)
class AlignedPair:
    """One paragraph of A aligned with one of B (or with nothing: added/removed).

    `diff` is the word-level change from A's text to B's as (op, text) runs, op in DiffOp;
    for "same" it is one "equal" run, for "added" one "insert", for "removed" one "delete".
    `moved`: the pair's content matches but its place among the aligned paragraphs changed
    (it may also have changed words: `similarity` < 1).
    """

    a: str | None
    b: str | None
    change: Change
    diff: list[tuple[str, str]]
    a_text: str = ""
    b_text: str = ""
    similarity: float = 0.0


@dataclass
class Comparison:
    a: str  # the documents' symbols as indexed
    b: str
    language: str
    pairs: list[AlignedPair] = field(default_factory=list)

    def of(self, change: Change) -> list[AlignedPair]:
        return [p for p in self.pairs if p.change == change]


class Lineage(Protocol):
    """What the surfaces and the lineage questions ask of the index's history."""

    def related(self, document: str) -> Related | None:
        """The document's citations, citers and series; None when the index does not hold it."""
        ...

    def compare(self, a: str, b: str, language: str | None = None) -> Comparison | None:
        """A's paragraphs aligned with B's in one language both have (the given one, else English,
        else the first shared); None when either is not indexed or they share no language."""
        ...

    def resolve(self, document: str) -> str | None:
        """The indexed symbol a user's spelling names ("S/RES/2334(2016)", "2334 (2016)"), or None."""
        ...
