"""Complete citations: every paragraph that carries a part of the answer, and no padding.

The refusal policy picks the paragraph that answers (`RefusalPolicy.select_sources`); a question
is sometimes answered by more than one, in ways that follow from how resolutions are written:

1. **A question asking two things** ("until when is the embargo renewed, and until when is the
   Group of Experts extended?", or two questions in one message): each part is searched on its
   own (with the whole question as context), and the first of its five best paragraphs that is
   in the answer's document joins the sources when it adds what they lack: the kind of answer
   the part asks (a date, a number, a session…) that no source gives, or the part's own words
   (a fifth more of their rarity weight than the sources hold, the refusal policy's coverage).
   A paragraph of either part of the resolution: the preamble notes and recalls, the operative
   part sets dates and mandates, and one question often asks about both.
2. **The kind of answer asked, carried by another paragraph**: a question asking for a date, a
   period, a number or a session whose sources do not give one is completed with the runner-up
   of the answer's document when it gives it ("a mandate in one paragraph and its end date in
   another"). A date that only dates a document named ("the letter dated 18 May 2023", "rapport
   … en date du 3 janvier 2023", "resolution 60/251 of 15 March 2006") sets no date: a deadline
   is set in the operative part. Known limit: "when did the Secretary-General report?" is
   answered by such a date, and then gets a second, operative citation.
3. **A clause continued in the next paragraph**: a cited paragraph opening on a capital and ending
   on a colon ("…shall include the following:") or on no punctuation at all ("…between the two
   parties, and"), followed in its document by one opening in lower case ("urging the parties…"),
   was cut from its continuation by the reader; the next paragraph is cited with it when retrieved.
   Rare by construction: the readers keep a chapeau's list inside it (over the 120k paragraphs of
   `corpus/` and `corpus-large/` it holds once, S/RES/1285 (2000) PP7 → PP8 in English).

Each rule adds a paragraph only for what the first ones lack — a part of the question, the kind
of answer, the rest of a clause — never a near-tie that says the same thing again. The window of
rule 2, the candidates and the margin of rule 1 were chosen on questions made from the corpus
(`python -m reso.evals.made_citations`, fitting documents), never on an evaluation set; at most
four citations in all.

A list's sub-paragraphs need no rule: the index keeps "(a)", "(b)"… inside their top-level
paragraph, so citing OP3 cites its list, and a marker naming OP3(a) is accepted as part of OP3.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from reso.assistant.answer_types import gives, patterns, telling
from reso.assistant.models import Filters, Retrieved
from reso.assistant.question import Question
from reso.index.analysis import fold
from reso.index.model import normalise_pid

# a clause that goes on: it ends on a colon, or on no punctuation at all (a paragraph cut in two)
_OPEN_END = re.compile(r"(?:[:：]|[^\W\d_])\s*$")
_PID = re.compile(r"^(PP|OP)(\d+)$")
Coverage = Callable[[Question, list[Retrieved]], float]


@dataclass(frozen=True)
class CitationCompletion:
    """The three rules of the module docstring; each can be switched off (0 / False) to measure it."""

    part_candidates: int = 5  # a part's best paragraphs searched for one in the answer's document
    other_part: bool = True  # a part's paragraph may join when it adds to the sources (False: only one of the answer's own part, unchecked)
    # …by holding this much more of the part's rare-word weight than the sources do (negative: never by words)
    part_margin: float = 0.2
    checked_same_part: bool = True  # hold a part's paragraph of the answer's own part to the same test
    type_window: int = 2  # the answer's best paragraphs looked through for the kind asked that the sources lack
    continuation: bool = True
    max_sources: int = 4  # never more citations than this in all

    def complete(self, retriever, question: Question, filters: Filters | None,
                 sources: list[Retrieved], retrieved: list[Retrieved], coverage: Coverage | None = None) -> None:
        """Adds to `sources` (and to `retrieved`, for a part's paragraph found by its own search).

        `coverage` is the refusal policy's (`RefusalPolicy.coverage`): the share of a question's rare
        words some paragraphs hold; with it, a part's paragraph also joins when it holds the part's
        words and the sources do not (without it, only when it gives the kind of answer they lack)."""
        if not sources or sources[0].match == "exact":
            return  # a paragraph asked for by its number is the answer, whole
        if question.parts and self.part_candidates > 0:
            self._each_part(retriever, question, filters, sources, retrieved, coverage)
        if self.type_window > 0:
            self._kind_asked(question, sources, retrieved)
        if self.continuation:
            self._continued(sources, retrieved)

    # -- rule 1 -------------------------------------------------------------------------------
    def _each_part(self, retriever, question: Question, filters: Filters | None,
                   sources: list[Retrieved], retrieved: list[Retrieved], coverage: Coverage | None) -> None:
        top = sources[0]
        chosen = list(sources)  # what answers the whole question: a part's paragraph must add to these
        for part in question.parts:
            if len(sources) >= self.max_sources:
                return
            found = retriever.retrieve(part, k=self.part_candidates, filters=filters)
            best = next((r for r in found if r.chunk.document == top.chunk.document), None)
            if best is None or best.key in {s.key for s in sources}:
                continue
            checked = best.chunk.kind != top.chunk.kind or self.checked_same_part
            if checked and not (self.other_part and (
                _gives_missing(part, best, chosen) or _holds_more(part, best, chosen, coverage, self.part_margin)
            )):
                continue
            sources.append(best)
            if best.key not in {r.key for r in retrieved}:
                retrieved.append(best)

    # -- rule 2 -------------------------------------------------------------------------------
    def _kind_asked(self, question: Question, sources: list[Retrieved], retrieved: list[Retrieved]) -> None:
        top = sources[0]
        for kind in telling(question.answer_types):
            if len(sources) >= self.max_sources:
                return
            if any(_gives(kind, s) for s in sources):
                continue
            chosen = {s.key for s in sources}
            for r in retrieved[: self.type_window]:
                if r.key not in chosen and r.chunk.document == top.chunk.document and _gives(kind, r):
                    sources.append(r)
                    break

    # -- rule 3 -------------------------------------------------------------------------------
    def _continued(self, sources: list[Retrieved], retrieved: list[Retrieved]) -> None:
        by_key = {r.key: r for r in retrieved}
        for s in list(sources):
            if len(sources) >= self.max_sources:
                return
            following = by_key.get((s.key[0], _next_pid(s.chunk.paragraph)))
            if following is None or following.key in {x.key for x in sources}:
                continue
            if continues(s, following):
                sources.insert(sources.index(s) + 1, following)


def continues(first: Retrieved, following: Retrieved) -> bool:
    """Whether `following` goes on with the clause `first` leaves open, in a language both have."""
    for language, chunk in (first.versions or {first.chunk.language: first.chunk}).items():
        other = (following.versions or {following.chunk.language: following.chunk}).get(language)
        if other is None:
            continue
        own, head = (c.text.lstrip(" \t\"'“«(") for c in (chunk, other))
        # a lower-case start tells only where paragraphs open on a capital (Russian ones open in lower case)
        if own[:1].isupper() and head[:1].islower() and _OPEN_END.search(chunk.text.rstrip()):
            return True
    return False


def _next_pid(paragraph: str) -> str:
    m = _PID.match(normalise_pid(paragraph))
    return f"{m.group(1)}{int(m.group(2)) + 1}" if m else ""


def _gives(kind: str, r: Retrieved) -> bool:
    check = gives_set_date if kind == "date" else (lambda text: gives(kind, text))
    return any(check(c.text) for c in (r.versions.values() or [r.chunk]))


# the date of a document named ("letter dated 18 May 2023", "resolution 60/251 of 15 March 2006",
# "rapport … en date du 3 janvier 2023", "резолюция … от 15 марта"): it dates the text referred to,
# it sets no date; "du 1er août au 31 juillet" is a period, kept
_DATING = r"\b(?:dated|of|en date du|datee? du|du|de fecha|del)|(?<!\w)от"


@lru_cache(maxsize=1)
def _dated_reference() -> re.Pattern[str]:
    return re.compile(rf"(?:{_DATING})\s+(?:the\s+)?(?:{patterns().date.pattern})(?:\s+\d{{4}})?(?!\s+au\b)")


@lru_cache(maxsize=16384)
def gives_set_date(text: str) -> bool:
    """A date the text sets or names as a time (a deadline, an end, a meeting), not only the date of
    a document it refers to: what answers "when" and "until when" in a resolution."""
    return bool(patterns().date.search(_dated_reference().sub(" ", fold(text))))


def _holds_more(part: Question, candidate: Retrieved, sources: list[Retrieved], coverage: Coverage | None, margin: float) -> bool:
    """The candidate holds `margin` more of the part's rare-word weight than the sources: the part
    asks about something they leave out ("…, and which meeting did it request?")."""
    if coverage is None or margin < 0:
        return False
    held = coverage(part, [candidate])
    return held - coverage(part, sources) >= margin - 1e-9  # 1.0 - 0.8 is 0.1999…


def _gives_missing(part: Question, candidate: Retrieved, sources: list[Retrieved]) -> bool:
    """The candidate gives a kind of answer the part asks that none of the sources gives."""
    return any(_gives(k, candidate) and not any(_gives(k, s) for s in sources) for k in telling(part.answer_types))
