"""What kind of answer a question asks for, and whether a paragraph can give it.

"Until when…" wants a date, "for how long…" a period, "how many…" a number, "at which
session…" a session. Used twice: retrieval prefers paragraphs that hold the kind of answer
asked for, and the refusal policy declines when none of the chosen paragraphs does. Patterns
run on folded text (no accents, lower case); each language is a row in the alternations.
"""

from __future__ import annotations

import re
from functools import lru_cache

from reso.index.analysis import fold

MONTHS = (
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre"
)

QUESTIONS: dict[str, re.Pattern[str]] = {
    "quantity": re.compile(
        r"\b(?:how many|how much|what exact|what number|number of|combien de (?!temps)|combien d'|"
        r"quel(?:le)? (?:est le |etait le )?(?:nombre|montant)|montant|what share|quelle part)"
    ),
    "duration": re.compile(r"\b(?:how long|combien de temps|quelle duree|pour quelle duree|pour quelle periode)\b"),
    "date": re.compile(
        r"\b(?:until when|till when|by when|when|what date|which date|jusqu'a quand|quand|a quelle date|"
        r"a quelles dates|d'ici quand|quelle date)\b"
    ),
    "session": re.compile(r"\b(?:at which session|at what session|which session|a quelle session|lors de quelle session)\b"),
}

_REFERENCES = re.compile(
    rf"\b\d{{1,2}}(?:er)?\s+(?:{MONTHS})\s+\d{{4}}|\b(?:{MONTHS})\s+\d{{4}}|\(\d{{4}}\)|\b(?:19|20)\d\d\b|"
    r"\b[a-z]+/[\w/.]+|\b\d+/\d+\b|\b(?:resolutions?|paragraphs?|paragraphes?|articles?|alineas?|annex|annexe|"
    r"sessions?|items?|points?)\s+\d+(?:\s*\(\d{4}\))?(?:\s*(?:,|and|et)\s*\d+(?:\s*\(\d{4}\))?)*|"
    r"\b\d+(?:st|nd|rd|th|e|eme)\b"
)
_NUMBER_WORDS = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|"
    r"thousand|million|deux|trois|quatre|cinq|sept|huit|neuf|dix|onze|douze|quinze|vingt|trente|quarante|"
    r"cinquante|cent|mille|per cent|pour cent)\b|%"
)
_DURATION = re.compile(
    r"\b(?:period|periode|months?|mois|years?|ans|annees?|days?|jours?|journee|weeks?|semaines?|until|jusqu'au|"
    r"jusqu'a|jusqu'en|through|biennial|biennale|annual|annuel(?:le)?|half-day|demi-journee)\b"
)
# a calendar date, not a bare year: "(2023)" in "resolution 2688 (2023)" answers no "until when"
_DATE = re.compile(rf"\b\d{{1,2}}(?:er)?\s+(?:{MONTHS})\b|\b(?:{MONTHS})\s+\d{{4}}\b")
_SESSION = re.compile(r"\bsession\b")


def asked(question: str) -> list[str]:
    """The answer types a question asks for, most specific first."""
    q = fold(question)
    return [name for name, pattern in QUESTIONS.items() if pattern.search(q)]


def has_quantity(text: str) -> bool:
    """A number that can answer "how many": not a date, a year or a reference to a document."""
    rest = _REFERENCES.sub(" ", fold(text))
    return bool(re.search(r"\d", rest) or _NUMBER_WORDS.search(rest))


def has_duration(text: str) -> bool:
    return bool(_DURATION.search(fold(text)))


def has_date(text: str) -> bool:
    return bool(_DATE.search(fold(text)))


def has_session(text: str) -> bool:
    return bool(_SESSION.search(fold(text)))


EVIDENCE = {"quantity": has_quantity, "duration": has_duration, "date": has_date, "session": has_session}


@lru_cache(maxsize=65536)
def gives(answer_type: str, text: str) -> bool:
    """Cached: the same paragraphs come back as candidates question after question (bounded; the
    keys are the chunk texts the tables hold anyway)."""
    return EVIDENCE[answer_type](text)
