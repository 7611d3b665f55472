"""Follow-up questions made standalone with the conversation so far.

"et le paragraphe suivant ?", "what about the funding?", "and in 54/10?" mean nothing alone.
The history the surfaces send is plain messages, so the context is read back from them: the
resolution numbers the user named, and the citation markers of the last answer. Elliptical
questions inherit the previous question's words; "the next paragraph" moves from the last cited
paragraph. Word lists are tables per language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from reso.assistant.citations import parse_markers
from reso.assistant.models import Message
from reso.assistant.query import ParagraphRef, analyse
from reso.index.analysis import STOPWORDS, fold, words
from reso.index.lexical import symbol_numbers

NEXT = r"\b(?:next|following|suivant|suivante|d'apres)\b"
PREVIOUS = r"\b(?:previous|preceding|precedent|precedente|d'avant)\b"
PARAGRAPH = r"\b(?:paragraph|paragraphe|para|alinea|one|celui)\b"
ELLIPSIS_OPENERS = (
    r"^(?:and|what about|how about|and what about|same|also|et|et pour|et dans|et sur|qu'en est-il|"
    r"quid de|pareil|meme question|dans|in|for|pour)\b"
)
SHORT = 5  # content words: a question this short leans on the conversation


@dataclass
class Turn:
    search_question: str
    numbers: list[str] = field(default_factory=list)  # resolution numbers carried from the conversation
    paragraph: ParagraphRef | None = None
    context: str = ""  # the earlier question an elliptical one leans on, searched at a lower weight


def _content_words(text: str) -> list[str]:
    stop = frozenset().union(*STOPWORDS.values())
    return [w for w in words(text) if w not in stop]


def resolve(question: str, history: Sequence[Message]) -> Turn:
    users = [m.content for m in history if m.role == "user" and m.content.strip()]
    answers = [m.content for m in history if m.role == "assistant"]
    if not users:
        return Turn(question)
    text = fold(question)
    own = analyse(question)
    previous_question = users[-1]
    previous_numbers = analyse(previous_question).numbers
    cited = parse_markers(answers[-1]) if answers else []

    step = 1 if re.search(NEXT, text) else -1 if re.search(PREVIOUS, text) else 0
    if step and cited and re.search(PARAGRAPH, text):
        doc, pid = cited[0]
        m = re.fullmatch(r"(PP|OP)(\d+)", pid.split("(")[0])
        if m and int(m.group(2)) + step > 0:
            ref = ParagraphRef(m.group(1), int(m.group(2)) + step)
            return Turn(question, symbol_numbers(doc), ref)

    elliptical = len(_content_words(question)) <= SHORT or re.search(ELLIPSIS_OPENERS, text) is not None
    if not elliptical:
        return Turn(question)
    carried = [] if own.numbers else (previous_numbers or [n for d, _ in cited[:1] for n in symbol_numbers(d)])
    if own.numbers and not _content_words(re.sub(r"\d+/\d+|\d{3,5}", " ", question)) or own.numbers and len(_content_words(question)) <= 3:
        # "and in 54/10?": the previous question, asked of another resolution
        return Turn(f"{_strip_numbers(previous_question)} {question}", [])
    # the new words say what is asked, the previous question what it is about: retrieval weighs
    # the context lower, so "et pour les fonds ?" looks for funds within the same subject
    return Turn(question, carried, context=previous_question)


def _strip_numbers(question: str) -> str:
    return re.sub(r"(?:\b[A-Z]/(?:HRC/)?RES/)?\d{1,3}/\d{1,4}|\b\d{3,5}\s*\(\d{4}\)", " ", question)
