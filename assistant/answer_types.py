"""What kind of answer a question asks for, and whether a paragraph can give it.

"Until when…" wants a date, "for how long…" a period, "how many…" a number, "at which
session…" a session, "where…" a place, "who chairs…" a chair. Used twice: retrieval prefers paragraphs that hold the kind of answer
asked for, and the refusal policy declines when none of the chosen paragraphs does. Patterns
run on folded text (no accents, lower case); the words are rows of each language's table
(`[questions]` and `[answers]` in `index/data/languages/<code>.toml`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reso.index.analysis import fold
from reso.index.languages import languages

PLACES = Path(__file__).resolve().parent.parent / "index" / "data" / "places.tsv"

# the kinds asked for, most specific first; "quantity" has no closing word boundary ("combien d'")
# Chinese writes no spaces: a Han word has no word boundary around it, so its edges are also accepted
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_START = rf"(?:\b|(?=[{_HAN}]))"
_END = rf"(?:\b|(?<=[{_HAN}]))"
KINDS = {"amount": "", "chair": "", "name": "", "place": "", "quantity": "", "duration": _END, "date": _END, "session": _END}
# a kind whose evidence also answers another asked with it: "who chairs the committee?" also reads as
# asking a person's name, but "chaired by the President of the Republic" answers it with no name
SUBSUMES = {"chair": "name"}
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
    chaired: re.Pattern[str]
    place_named: re.Pattern[str]  # on the text with its capitals: a preposition, then a capitalised name
    not_place: re.Pattern[str]  # on the folded name: bodies, texts and months, capitalised but no place
    place_listed: re.Pattern[str]  # on the folded text: a preposition, then a place of index/data/places.tsv


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
    chaired = re.compile(_alt("answers", "chaired_patterns"))
    prepositions, articles = _alt("answers", "place_prepositions"), languages().alternation("answers", "place_articles")
    article = rf"(?:(?:{articles})(?:\s+|(?<=')))?" if articles else ""
    # a preposition starts a word; Han and Arabic prepositions ("在", "ب") are written against the name
    before = r"(?<![^\W\d_\u3400-\u9fff\u0600-\u06ff])"
    place_named = re.compile(rf"{before}(?:{prepositions})\s+{article}([A-Z\u0410-\u042f\u0401][^\W\d_]+)")
    not_place = re.compile(rf"(?:{_alt('answers', 'not_place_patterns')}|{months})")
    names = sorted({fold(n) for n in _place_names()}, key=len, reverse=True)
    listed = "|".join(re.escape(n) for n in names) or "(?!)"
    place_listed = re.compile(rf"{before}(?:{prepositions})\s*{article}(?:{listed})(?![a-z0-9\u0600-\u06ff])")
    return _Patterns(
        questions, references, number_words, duration, date, currency, honorific, chaired, place_named, not_place, place_listed
    )


def _place_names() -> list[str]:
    """Every name of every row of index/data/places.tsv."""
    rows = [line for line in PLACES.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]
    return [name.strip() for row in rows for name in row.split("\t") if name.strip()]


def _unaccented(text: str) -> str:
    """Accents off, capitals kept ("à Genève" → "a Geneve"): the prepositions are table rows (folded),
    the capital is what says a name follows."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_SESSION = re.compile(r"\bsession\b")


def asked(question: str) -> list[str]:
    """The answer types a question asks for, most specific first."""
    return asked_folded(fold(question))


def asked_folded(folded: str) -> list[str]:
    """`asked` of a question already folded."""
    return [name for name, pattern in patterns().questions.items() if pattern.search(folded)]


def telling(kinds: tuple[str, ...] | list[str]) -> list[str]:
    """The kinds asked whose evidence must be found: those another asked kind answers dropped."""
    covered = {SUBSUMES[k] for k in kinds if k in SUBSUMES}
    return [k for k in kinds if k not in covered]


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


def has_chair(text: str) -> bool:
    """Who chairs: a chairing phrase ("chaired by Kofi Annan", "présidé par le Président de la
    République", a chair named with the title "Ambassador") or a person named with an honorific. The
    office alone ("the Chair of the Committee") says that there is a chair, not who it is."""
    return bool(patterns().chaired.search(fold(text))) or has_name(text)


def has_place(text: str) -> bool:
    """A place after a preposition: "in Geneva", "à Genève", "в Женеве", a listed "在日内瓦" or
    "في جنيف" — a capitalised name that is not a body, a text or a month ("in the Charter", "in May")."""
    p = patterns()
    if p.place_listed.search(fold(text)):
        return True
    plain = _unaccented(text)
    for m in p.place_named.finditer(plain):
        before = plain[: m.start()].split()[-1:]
        if before and before[0][:1].isupper():
            continue  # inside a name: "Cooperation in the Field of Human Rights", "Cooperación Técnica en Materia"
        if not p.not_place.match(fold(plain[m.start(1) : m.start(1) + 40])):
            return True  # the name with the words after it: "in the United Nations", "aux États Membres" are none
    return False


EVIDENCE = {"amount": has_amount, "chair": has_chair, "place": has_place, "name": has_name, "quantity": has_quantity, "duration": has_duration, "date": has_date, "session": has_session}


@lru_cache(maxsize=65536)
def gives(answer_type: str, text: str) -> bool:
    """Cached: the same paragraphs come back as candidates question after question (bounded; the
    keys are the chunk texts the tables hold anyway)."""
    return EVIDENCE[answer_type](text)
