"""The conversation as the UI keeps it, per browser session: one `Turn` per question.

What is shown, what is sent back as history and what is exported are this same record. A cited
paragraph is a `Source`: the wire shape of a citation (`reso.schema.CitationOut`, which carries the
document's vote and sponsors) with the two facts the panel adds about its document.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import ConfigDict

from reso.assistant.models import Answer, Citation, Message
from reso.index.model import normalise_symbol
from reso.schema import CitationOut
from reso.ui.gradio.highlight import Terms, question_terms


def deep_link_query(document: str, paragraph: str, language: str = "") -> str:
    params = {"document": document, "paragraph": paragraph}
    if language:
        params["language"] = language
    return urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


class Source(CitationOut):
    """A cited (or possibly related) paragraph with what the panel shows about its document."""

    model_config = ConfigDict(frozen=True)

    body: str = ""
    date: str = ""
    sponsors: tuple[str, ...] = ()  # a tuple here: a frozen record is hashable

    @property
    def query(self) -> str:
        return deep_link_query(self.document, self.paragraph, self.language)


@dataclass(frozen=True)
class Turn:
    """One question and what became of it; `error` turns are shown but never sent as history."""

    question: str
    answer: str = ""
    language: str = "en"
    refused: bool = False
    sources: tuple[Source, ...] = ()
    related: tuple[Source, ...] = ()
    error: str = ""
    pending: bool = False
    terms: Terms = Terms()  # what the sources panel and the paragraph view highlight

    @property
    def answered(self) -> bool:
        return not self.pending and not self.error


def sources_of(citations: Iterable[Citation], answer: Answer) -> tuple[Source, ...]:
    """Citations carry no body or date; the retrieved chunks of the same answer do."""
    meta = {normalise_symbol(r.chunk.document): (r.chunk.body, r.chunk.date) for r in answer.retrieved}
    out = []
    for c in citations:
        body, when = meta.get(normalise_symbol(c.document), ("", ""))
        out.append(Source(**CitationOut.of(c).model_dump(), body=body, date=when))
    return tuple(out)


def turn_from_answer(question: str, answer: Answer) -> Turn:
    return Turn(
        question=question,
        answer=answer.answer,
        language=answer.language,
        refused=answer.refused,
        sources=sources_of(answer.citations, answer),
        related=sources_of(answer.related, answer),
        terms=question_terms(answer.question),
    )


def history_of(turns: Sequence[Turn]) -> list[Message]:
    """The exchanges the assistant should see: answered turns only, in their raw text."""
    out: list[Message] = []
    for t in turns:
        if t.answered:
            out += [Message("user", t.question), Message("assistant", t.answer)]
    return out


def last_answered(turns: Sequence[Turn]) -> Turn | None:
    return next((t for t in reversed(turns) if t.answered), None)
