"""The typed model every reader produces and every later stage consumes.

A `Resolution` is one language version of one UN resolution, split into the paragraphs the UN
numbers. Readers (one module per file format under `index/readers/`) build it; `index/chunks.py`
turns it into index chunks. Keeping one model at this seam is what lets a PDF, a DOCX and an
AKN4UN XML file of the same resolution land in the index with the same paragraph ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Body = Literal["HRC", "GA", "SC"]
ParagraphKind = Literal["preambular", "operative", "subparagraph", "annex"]
DocumentKind = Literal["resolution", "draft", "decision", "statement"]
VoteOutcome = Literal["without_vote", "recorded", "unanimous", "unknown"]

BODY_NAMES: dict[str, str] = {
    "HRC": "Human Rights Council",
    "GA": "General Assembly",
    "SC": "Security Council",
}


@dataclass(frozen=True)
class Vote:
    """How the resolution was adopted; counts only when a recorded vote printed them."""

    outcome: VoteOutcome = "unknown"
    in_favour: int | None = None
    against: int | None = None
    abstaining: int | None = None
    text: str = ""  # as printed, e.g. "[Adoptée sans vote.]" or "Adopted without vote, 46th meeting"


@dataclass
class Paragraph:
    """One paragraph as the UN numbers it.

    `pid` follows CONTRACTS §1: PP<n>, OP<n>, OP<n>(<x>), OP<n>(<x>)(<y>); annex paragraphs use
    ANNEX<k>.<id> (see `annex_pid`). `text` is the paragraph's own words without its
    sub-paragraphs, which live in `children` so that "OP3(a)" can be looked up exactly while the
    chunk for OP3 still carries the whole paragraph (`full_text`).
    """

    pid: str
    kind: ParagraphKind
    text: str
    number: str | None = None  # the label as printed: "3", "(a)", "a)", "ii"; None for PP
    children: list[Paragraph] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)

    @property
    def full_text(self) -> str:
        """The paragraph with its sub-paragraphs, one per line, as a reader would quote it."""
        parts = [self.text] if self.text else []
        for child in self.children:
            label = child.number or child.pid.rsplit("(", 1)[-1].rstrip(")")
            parts.append(f"{_display_label(label)} {child.full_text}".strip())
        return "\n".join(parts)

    def walk(self):
        """This paragraph and every sub-paragraph below it, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()


def _display_label(label: str) -> str:
    label = label.strip()
    if label in {"•", "–", "-", "—"}:
        return label
    if re.fullmatch(r"\(?[^()]+\)?\.?", label) and not label.startswith("("):
        core = label.rstrip(").")
        return f"({core})"
    return label


@dataclass
class Resolution:
    """One language version of one resolution."""

    symbol: str  # as printed/inferred, e.g. "A/HRC/RES/30/25", "S/RES/2699 (2023)"
    body: Body
    language: str  # ISO 639-1
    title: str = ""
    session: str | None = None  # "30", "78"; SC resolutions have none, their year is in the symbol
    number: str | None = None  # "30/25", "2699"
    adopted: date | None = None
    meeting: str | None = None  # "42e séance", "46th meeting"
    vote: Vote = field(default_factory=Vote)
    sponsors: list[str] = field(default_factory=list)
    agenda_item: str | None = None
    committee: str | None = None  # "Third Committee", "without reference to a Main Committee", as printed
    drafts: list[str] = field(default_factory=list)  # the draft's symbols, e.g. ["A/ES-11/L.1", "A/ES-11/L.1/Add.1"]
    subjects: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)  # symbols the text recalls, e.g. "A/HRC/RES/5/1"
    paragraphs: list[Paragraph] = field(default_factory=list)  # PP and OP (with children), in order
    annexes: list[Paragraph] = field(default_factory=list)  # annex paragraphs, kept apart
    source: str = ""  # path or URL of the file it came from
    kind: DocumentKind = "resolution"  # CONTRACTS §1: a draft keeps its draft symbol, never a resolution's
    warnings: list[str] = field(default_factory=list)  # what a reader removed or guessed (`reso inspect`)

    @property
    def preambular(self) -> list[Paragraph]:
        return [p for p in self.paragraphs if p.kind == "preambular"]

    @property
    def operative(self) -> list[Paragraph]:
        return [p for p in self.paragraphs if p.kind == "operative"]

    def find(self, pid: str) -> Paragraph | None:
        """The paragraph or sub-paragraph with this id (case and spaces ignored)."""
        wanted = normalise_pid(pid)
        for top in [*self.paragraphs, *self.annexes]:
            for p in top.walk():
                if normalise_pid(p.pid) == wanted:
                    return p
        return None


def make_ids_unique(resolution: Resolution) -> list[str]:
    """Give every paragraph of a document a distinct id; returns one line per id changed.

    The rule (README, "Paragraph ids"): ids are kept in document order; a top-level paragraph
    (main text or annex) whose id an earlier top-level paragraph of the same document already
    has takes the suffix `~n`, n being its rank among the paragraphs with that id — the second
    `ANNEX1.OP1` becomes `ANNEX1.OP1~2`, the third `ANNEX1.OP1~3` — and its sub-paragraphs move
    with it (`ANNEX1.OP1~2(a)`). An annex whose numbering restarts (lists of individuals, then of
    entities), an article printed twice, or markup that repeats a label (S/RES/2794 in Russian
    and Spanish) thus keep every paragraph, the first occurrence keeps the id a citation names,
    and ids stay stable from one ingest to the next. A sub-paragraph label repeated under one
    parent is the readers' affair (`a`, `a'`, `a''`: see `readers/akn.py`); any still repeated
    below a top paragraph take the same `~n` suffix. Running it twice changes nothing.
    """
    changed: list[str] = []
    seen: dict[str, int] = {}
    taken = {normalise_pid(p.pid) for p in [*resolution.paragraphs, *resolution.annexes]}
    for top in [*resolution.paragraphs, *resolution.annexes]:
        key = normalise_pid(top.pid)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            n = seen[key]
            while normalise_pid(f"{top.pid}~{n}") in taken:
                n += 1
            new = f"{top.pid}~{n}"
            taken.add(normalise_pid(new))
            changed.append(f"paragraph id {top.pid} repeated: this one is {new}")
            _rename(top, top.pid, new)
        below: dict[str, int] = {}
        for p in list(top.walk())[1:]:
            sub = normalise_pid(p.pid)
            below[sub] = below.get(sub, 0) + 1
            if below[sub] > 1:
                new = f"{p.pid}~{below[sub]}"
                changed.append(f"sub-paragraph id {p.pid} repeated: this one is {new}")
                _rename(p, p.pid, new)
    return changed


def _rename(para: Paragraph, old: str, new: str) -> None:
    for p in para.walk():
        if p.pid.startswith(old):
            p.pid = new + p.pid[len(old):]


def normalise_symbol(symbol: str) -> str:
    """The comparison key for document symbols: CONTRACTS §1 ignores whitespace and case."""
    return re.sub(r"\s+", "", symbol).upper()


def normalise_pid(pid: str) -> str:
    return re.sub(r"\s+", "", pid).upper()


def annex_pid(annex: int, local: str) -> str:
    """Annex paragraph id: ANNEX<k>.<local>, e.g. ANNEX1.PP2, ANNEX1.OP3, ANNEX1.P4."""
    return f"ANNEX{annex}.{local}"


def infer_symbol(body: Body, number: str, year: int | None = None) -> str:
    """CONTRACTS §1: the symbol a text implies when it prints only its number.

    `number` is "30/25" for the HRC and the GA (session/number) and "2699" for the SC, whose
    symbol needs the adoption year.
    """
    number = number.strip().rstrip(".")
    if body == "HRC":
        return f"A/HRC/RES/{number}"
    if body == "GA":
        return f"A/RES/{number}"
    if year is None:
        raise ValueError(f"a Security Council symbol needs the year: S/RES/{number} (year?)")
    return f"S/RES/{number} ({year})"
