"""What kind of answer a question asks for, and whether a paragraph can give it.

"Until when…" wants a date, "for how long…" a period, "how many…" a number, "at which
session…" a session. Used twice: retrieval prefers paragraphs that hold the kind of answer
asked for, and the refusal policy declines when none of the chosen paragraphs does. Patterns
run on folded text (no accents, lower case); the words are rows of each language's table
(`[questions]` and `[answers]` in `index/data/languages/<code>.toml`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from reso.index.analysis import fold
from reso.index.languages import languages

# the kinds asked for, most specific first; "quantity" has no closing word boundary ("combien d'")
# Chinese writes no spaces: a Han word has no word boundary around it, so its edges are also accepted
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_START = rf"(?:\b|(?=[{_HAN}]))"
_END = rf"(?:\b|(?<=[{_HAN}]))"
KINDS = {"quantity": "", "duration": _END, "date": _END, "session": _END}


@dataclass(frozen=True)
class _Patterns:
    questions: dict[str, re.Pattern[str]]
    references: re.Pattern[str]
    number_words: re.Pattern[str]
    duration: re.Pattern[str]
    date: re.Pattern[str]


def _alt(section: str, key: str) -> str:
    return languages().alternation(section, key) or "(?!)"


@lru_cache(maxsize=1)
def patterns() -> _Patterns:
    """Every language's rows as one pattern per use, compiled once."""
    months = _alt("answers", "months")
    day = languages().alternation("answers", "day_suffixes")
    day = f"(?:{day})?" if day else ""
    questions = {kind: re.compile(rf"{_START}(?:{_alt('questions', kind + '_patterns')}){end}") for kind, end in KINDS.items()}
    references = re.compile(
        rf"\b\d{{1,2}}{day}\s+(?:{months})\s+\d{{4}}|\b(?:{months})\s+\d{{4}}|\(\d{{4}}\)|\b(?:19|20)\d\d\b|"
        rf"\b[a-z]+/[\w/.]+|\b\d+/\d+\b|\b(?:{_alt('answers', 'reference_patterns')})\s+\d+(?:\s*\(\d{{4}}\))?"
        rf"(?:\s*(?:,|{_alt('answers', 'reference_conjunctions')})\s*\d+(?:\s*\(\d{{4}}\))?)*|"
        rf"\b\d+(?:{_alt('answers', 'reference_ordinal_suffixes')})\b"
    )
    number_words = re.compile(rf"\b(?:{_alt('answers', 'number_patterns')})\b|%")
    duration = re.compile(rf"\b(?:{_alt('answers', 'duration_patterns')})\b")
    # a calendar date, not a bare year: "(2023)" in "resolution 2688 (2023)" answers no "until when"
    date = re.compile(rf"\b\d{{1,2}}{day}\s+(?:{months})\b|\b(?:{months})\s+\d{{4}}\b")
    return _Patterns(questions, references, number_words, duration, date)


_SESSION = re.compile(r"\bsession\b")


def asked(question: str) -> list[str]:
    """The answer types a question asks for, most specific first."""
    return asked_folded(fold(question))


def asked_folded(folded: str) -> list[str]:
    """`asked` of a question already folded."""
    return [name for name, pattern in patterns().questions.items() if pattern.search(folded)]


def has_quantity(text: str) -> bool:
    """A number that can answer "how many": not a date, a year or a reference to a document."""
    p = patterns()
    rest = p.references.sub(" ", fold(text))
    return bool(re.search(r"\d", rest) or p.number_words.search(rest))


def has_duration(text: str) -> bool:
    return bool(patterns().duration.search(fold(text)))


def has_date(text: str) -> bool:
    return bool(patterns().date.search(fold(text)))


def has_session(text: str) -> bool:
    return bool(_SESSION.search(fold(text)))


EVIDENCE = {"quantity": has_quantity, "duration": has_duration, "date": has_date, "session": has_session}


@lru_cache(maxsize=65536)
def gives(answer_type: str, text: str) -> bool:
    """Cached: the same paragraphs come back as candidates question after question (bounded; the
    keys are the chunk texts the tables hold anyway)."""
    return EVIDENCE[answer_type](text)
