"""Follow-up questions made standalone with the conversation so far.

"et le paragraphe suivant ?", "what about the funding?", "and in 54/10?" mean nothing alone.
The history the surfaces send is plain messages, so the context is read back from them: the
resolution numbers the user named, and the citation markers of the last answer. Elliptical
questions inherit the previous question's words; "the next paragraph" moves from the last cited
paragraph. The words are rows of each language's table (`[conversation]`).

The question itself arrives analysed (`assistant.question`): its folded text, words and
numbers are read, never recomputed. Earlier questions are analysed here, as the history is text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from reso.assistant.citations import parse_markers
from reso.assistant.models import Message
from reso.assistant.query import ParagraphRef, analyse
from reso.index.analysis import fold, is_content, words_folded
from reso.index.languages import languages
from reso.index.lexical import symbol_numbers

SHORT = 5  # content words: a question this short leans on the conversation


@dataclass(frozen=True)
class _Patterns:
    next: re.Pattern[str]
    previous: re.Pattern[str]
    paragraph: re.Pattern[str]
    ellipsis: re.Pattern[str]
    anaphora: frozenset[str]


@lru_cache(maxsize=1)
def patterns() -> _Patterns:
    def alt(key: str) -> str:
        return languages().alternation("conversation", key) or "(?!)"

    return _Patterns(
        re.compile(rf"\b(?:{alt('next')})\b"),
        re.compile(rf"\b(?:{alt('previous')})\b"),
        re.compile(rf"\b(?:{alt('paragraph')})\b"),
        re.compile(rf"^(?:{alt('ellipsis_openers')})\b"),
        frozenset(languages().words("conversation", "anaphora")),
    )


@dataclass
class FollowUp:
    """What a question means in its conversation (named so as not to be taken for the UI's `Turn`,
    one exchange of the conversation as shown)."""

    search_question: str
    numbers: list[str] = field(default_factory=list)  # resolution numbers carried from the conversation
    paragraph: ParagraphRef | None = None
    context: str = ""  # the earlier question an elliptical one leans on, searched at a lower weight
    prefix: str = ""  # text put before the question in `search_question` ("and in 54/10?": the previous question)


def _content_count(ws: Sequence[str]) -> int:
    return sum(1 for w in ws if is_content(w))


def resolve(question: str, history: Sequence[Message]) -> FollowUp:
    """`resolve_analysed` for a question given as text (folds it: for callers outside a turn)."""
    own = analyse(question)
    return resolve_analysed(question, fold(question), own.numbers, history)


def resolve_analysed(question: str, folded: str, own_numbers: Sequence[str], history: Sequence[Message]) -> FollowUp:
    """The follow-up reading of a question already folded (`folded`) naming `own_numbers`."""
    users = [m.content for m in history if m.role == "user" and m.content.strip()]
    answers = [m.content for m in history if m.role == "assistant"]
    if not users:
        return FollowUp(question)
    p = patterns()
    text = folded
    previous_question = users[-1]
    previous_numbers = analyse(previous_question).numbers
    cited = parse_markers(answers[-1]) if answers else []

    step = 1 if p.next.search(text) else -1 if p.previous.search(text) else 0
    if step and cited and p.paragraph.search(text):
        doc, pid = cited[0]
        m = re.fullmatch(r"(PP|OP)(\d+)", pid.split("(")[0])
        if m and int(m.group(2)) + step > 0:
            ref = ParagraphRef(m.group(1), int(m.group(2)) + step)
            return FollowUp(question, symbol_numbers(doc), ref)

    own_words = words_folded(text)
    content = _content_count(own_words)
    # short questions lean on the conversation, unless they name something the previous question did
    # not and point back at nothing ("Que demande le Conseil au Haut-Commissaire d'organiser ?" after a
    # question on UNMISS is a new subject, not "and what about the funds?")
    short = content <= SHORT and (
        content <= 2 or bool(p.anaphora.intersection(own_words)) or not _new_names(question, previous_question)
    )
    elliptical = short or p.ellipsis.search(text) is not None
    if not elliptical:
        return FollowUp(question)
    carried = [] if own_numbers else (previous_numbers or [n for d, _ in cited[:1] for n in symbol_numbers(d)])
    if own_numbers and (not _content_count(words_folded(re.sub(r"\d+/\d+|\d{3,5}", " ", text))) or content <= 3):
        # "and in 54/10?": the previous question, asked of another resolution
        prefix = _strip_numbers(previous_question)
        return FollowUp(f"{prefix} {question}", [], prefix=prefix)
    # the new words say what is asked, the previous question what it is about: retrieval weighs
    # the context lower, so "et pour les fonds ?" looks for funds within the same subject
    return FollowUp(question, carried, context=previous_question)


_NAME = re.compile(r"(?<!^)(?<![.?!¿¡]\s)\b([A-ZÀ-ÞА-Я][\w’'-]{2,})")


def _new_names(question: str, previous: str) -> set[str]:
    """Capitalised words (not opening the sentence) of `question` that `previous` does not have."""
    before = set(fold(previous).split()) | {fold(w) for w in _NAME.findall(previous)}
    return {fold(w) for w in _NAME.findall(question.strip())} - before


def _strip_numbers(question: str) -> str:
    return re.sub(r"(?:\b[A-Z]/(?:HRC/)?RES/)?\d{1,3}/\d{1,4}|\b\d{3,5}\s*\(\d{4}\)", " ", question)

