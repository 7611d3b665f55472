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
KINDS = {"amount": "", "name": "", "quantity": "", "duration": _END, "date": _END, "session": _END}
# around a currency or an honorific: not inside a Latin or Cyrillic word ("$" and "先生" need no space)
_WORD_EDGE_BEFORE, _WORD_EDGE_AFTER = r"(?<![a-z\u0430-\u044f0-9])", r"(?![a-z\u0430-\u044f0-9])"


@dataclass(frozen=True)
class _Patterns:
    questions: dict[str, re.Pattern[str]]
    references: re.Pattern[str]
    number_words: re.Pattern[str]
    duration: re.Pattern[str]
    date: re.Pattern[str]
    currency: re.Pattern[str]
    honorific: re.Pattern[str]


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
    currency = re.compile(rf"{_WORD_EDGE_BEFORE}(?:{_alt('answers', 'currency_patterns')}){_WORD_EDGE_AFTER}")
    honorific = re.compile(rf"{_WORD_EDGE_BEFORE}(?:{_alt('answers', 'honorific_patterns')}){_WORD_EDGE_AFTER}")
    return _Patterns(questions, references, number_words, duration, date, currency, honorific)


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


def has_amount(text: str) -> bool:
    """An amount of money: a currency with a number ("US$ 25 million", "25 millions de dollars")."""
    folded = fold(text)
    return bool(patterns().currency.search(folded)) and has_quantity(text)


def has_name(text: str) -> bool:
    """A person named with an honorific ("Mr. …", "M. …", "г-н …", "السيد …", "…先生"): resolutions
    name offices, rarely their holders, so a question asking who holds one is mostly not answered."""
    return bool(patterns().honorific.search(fold(text)))


EVIDENCE = {"amount": has_amount, "name": has_name, "quantity": has_quantity, "duration": has_duration, "date": has_date, "session": has_session}


@lru_cache(maxsize=65536)
def gives(answer_type: str, text: str) -> bool:
    """Cached: the same paragraphs come back as candidates question after question (bounded; the
    keys are the chunk texts the tables hold anyway)."""
    return EVIDENCE[answer_type](text)
