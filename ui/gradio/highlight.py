"""Escaping and highlighting: everything a user sees of a resolution passes through `escape()`
before anything is added to it (highlighting, links); documents and questions are untrusted text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

from typing import TYPE_CHECKING

from reso.index.analysis import fold, query_tokens

if TYPE_CHECKING:
    from reso.assistant.question import Question


def escape(text: str) -> str:
    return html.escape(text or "", quote=True)


@dataclass(frozen=True)
class Terms:
    """What of a question is worth highlighting: its content words, folded, and their stems."""

    words: frozenset[str] = frozenset()
    stems: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.words)

    def matches(self, token: str) -> bool:
        folded = fold(token)
        if folded in self.words:
            return True
        return bool(self.stems) and not self.stems.isdisjoint(_stems(folded))


def question_terms(question: Question | None) -> Terms:
    """The words worth marking, from the question's one analysis (`Question.highlight_terms`);
    words and stems of two letters are left unmarked: they light up half a paragraph."""
    if question is None:
        return Terms()
    words, stems = question.highlight_terms()
    return Terms(frozenset(w for w in words if len(w) > 2), frozenset(s for s in stems if len(s) > 2))


@lru_cache(maxsize=20000)
def _stems(folded_word: str) -> tuple[str, ...]:
    return tuple(query_tokens(folded_word))


# An entity produced by escape() is skipped whole, so highlighting never cuts one in two.
_TOKEN = re.compile(r"&#?\w+;|[^\W_]+(?:/[^\W_]+)*")


def highlight(escaped: str, terms: Terms) -> str:
    """Wraps matching words of already-escaped text in <mark>."""
    if not terms:
        return escaped

    def mark(m: re.Match) -> str:
        token = m.group(0)
        if token.startswith("&") or not terms.matches(token):
            return token
        return f"<mark>{token}</mark>"

    return _TOKEN.sub(mark, escaped)


def render_text(text: str, terms: Terms = Terms()) -> str:
    return highlight(escape(text), terms)
