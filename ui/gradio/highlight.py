"""Escaping and highlighting: everything a user sees of a resolution passes through `escape()`
before anything is added to it (highlighting, links); documents and questions are untrusted text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

from reso.index.analysis import STOPWORDS, fold, query_tokens, words


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


_ALL_STOPWORDS = frozenset().union(*STOPWORDS.values())


def question_terms(question: str) -> Terms:
    ws = frozenset(w for w in words(question or "") if w not in _ALL_STOPWORDS and len(w) > 2)
    stems = frozenset(s for w in ws for s in _stems(w) if len(s) > 2)
    return Terms(ws, stems)


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
