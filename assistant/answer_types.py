"""What kind of answer a question asks for, and whether a paragraph can give it.

"Until when…" wants a date, "for how long…" a period, "how many…" a number, "at which
session…" a session, "where…" a place, "who chairs…" a chair. Used twice: retrieval prefers
paragraphs that hold the kind of answer asked for, and the refusal policy declines when none of
the chosen paragraphs does. Patterns run on folded text (no accents, lower case); the words are
rows of each language's table (`[questions]` and `[answers]` in `index/data/languages/<code>.toml`),
the places of `index/data/places.tsv`.

"How many X" is also read for X, the thing counted (`counted_folded`, the `counted_patterns` rows):
the refusal policy then wants a number next to X (`counts`), not any number of the topic's paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from reso.index.analysis import fold, is_content, stem, unaccented, words_folded
from reso.index.languages import languages
from reso.index.lexicon import DATA_DIR

PLACES = DATA_DIR / "places.tsv"

# the kinds asked for, most specific first; "quantity" has no closing word boundary ("combien d'")
# Chinese writes no spaces: a Han word has no word boundary around it, so its edges are also accepted
_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_START = rf"(?:\b|(?=[{_HAN}]))"
_END = rf"(?:\b|(?<=[{_HAN}]))"
KINDS = {"amount": "", "chair": "", "name": "", "place": "", "quantity": "", "frequency": "", "duration": _END, "date": _END,
         "session": _END}
# a kind whose evidence also answers others asked with it: "who chairs the committee?" also reads as
# asking a person's name, but "chaired by the President of the Republic" answers it with no name;
# "كم مرة" (how many times) and "多久…一次" (every how long) ask a frequency, not a count or a period
SUBSUMES = {"chair": ("name",), "frequency": ("quantity", "duration")}
# around a currency or an honorific: not inside a Latin or Cyrillic word ("$" and "先生" need no space)
_WORD_EDGE_BEFORE, _WORD_EDGE_AFTER = r"(?<![a-z\u0430-\u044f0-9])", r"(?![a-z\u0430-\u044f0-9])"
# a person's name as a paragraph writes it on appointment: capitalised words (Latin, Cyrillic), the
# particles of names between them ("Staffan de Mistura", "El-Ghassim Wane")
_NAME_WORD = r"[A-ZА-Я][\w'.-]+"
_PARTICLE = r"(?:de|da|del|di|du|van|von|der|al|el|bin|ben|la|le|де|ван|фон|аль|эль|бин|бен)"
# a foreign name written in Chinese: its parts joined by a middle dot (U+00B7, U+2027, U+30FB)
_TRANSLITERATED = re.compile(rf"[{_HAN}][·‧・][{_HAN}]")
_HAN_ONLY = re.compile(rf"[{_HAN}]+")
_WRITTEN_TOGETHER = re.compile(rf"[{_HAN}\u0600-\u06ff]")  # scripts whose prepositions may touch the name


@dataclass(frozen=True)
class _Patterns:
    questions: dict[str, re.Pattern[str]]
    references: re.Pattern[str]
    number_words: re.Pattern[str]
    duration: re.Pattern[str]
    frequency: re.Pattern[str]
    date: re.Pattern[str]
    currency: re.Pattern[str]
    honorific: re.Pattern[str]
    appointed: re.Pattern[str]  # on the text unaccented, capitals kept: a capitalised name after an appointment word
    chaired: tuple[re.Pattern[str], ...]
    prepositions: frozenset[str]  # before a place ("in", "à"), written folded
    preposition_length: int  # the longest: a longer word is none, unfolded
    articles: frozenset[str]  # between the preposition and the name ("the", "la")
    not_place: re.Pattern[str]  # on the folded name: bodies, texts and months, capitalised but no place
    places: dict[str, list[str]]  # index/data/places.tsv, folded, by first word, longest first
    place_attached: re.Pattern[str]  # Chinese and Arabic: a listed place written against its preposition ("在日内瓦")
    counted: tuple[re.Pattern[str], ...]  # "how many <noun>", each row alone: its first group is the thing counted


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
    frequency = re.compile(rf"{_WORD_EDGE_BEFORE}(?:{_alt('answers', 'frequency_patterns')}){_WORD_EDGE_AFTER}")
    # a calendar date, not a bare year: "(2023)" in "resolution 2688 (2023)" answers no "until when"
    date = re.compile(rf"\b\d{{1,2}}{day}\s+(?:{months})\b|\b(?:{months})\s+\d{{4}}\b")
    currency = re.compile(rf"{_WORD_EDGE_BEFORE}(?:{_alt('answers', 'currency_patterns')}){_WORD_EDGE_AFTER}")
    honorific = re.compile(rf"{_WORD_EDGE_BEFORE}(?:{_alt('answers', 'honorific_patterns')}){_WORD_EDGE_AFTER}")
    # the appointment word in any case ("Appoints", "appointment of"), the name's words capitalised
    appointed = re.compile(rf"(?<!\w)(?i:{_alt('answers', 'appointed_patterns')})\s+"
                           rf"((?:{_NAME_WORD}\s+(?:{_PARTICLE}\s+)?){{1,4}}{_NAME_WORD})")
    # each row alone: one starting with a literal is found fast, an alternation of them is scanned at every
    # position (measured on the corpus: 300 µs a paragraph as one pattern)
    chaired = tuple(re.compile(row) for row in languages().words("answers", "chaired_patterns"))
    places: dict[str, list[str]] = {}
    for name in sorted({fold(n) for n in _place_names()}, key=len, reverse=True):
        places.setdefault(name.split(" ", 1)[0], []).append(name)
    prepositions = _alt("answers", "place_prepositions")
    listed = "|".join(re.escape(n) for names in places.values() for n in names if _WRITTEN_TOGETHER.search(n)) or "(?!)"
    return _Patterns(
        questions, references, number_words, duration, frequency, date, currency, honorific, appointed, chaired,
        prepositions=frozenset(languages().words("answers", "place_prepositions")),
        preposition_length=max(map(len, languages().words("answers", "place_prepositions")), default=0),
        articles=frozenset(languages().words("answers", "place_articles")),
        not_place=re.compile(rf"(?:{_alt('answers', 'not_place_patterns')}|{months})"),
        places=places,
        place_attached=re.compile(rf"(?:{prepositions})\s*(?:{listed})"),
        counted=tuple(re.compile(row) for row in languages().words("questions", "counted_patterns")),
    )


def _place_names() -> list[str]:
    """Every name of every row of index/data/places.tsv."""
    rows = [line for line in PLACES.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]
    return [name.strip() for row in rows for name in row.split("\t") if name.strip()]


_SESSION = re.compile(r"\bsession\b")


def asked(question: str) -> list[str]:
    """The answer types a question asks for, most specific first."""
    return asked_folded(fold(question))


def asked_folded(folded: str) -> list[str]:
    """`asked` of a question already folded."""
    return [name for name, pattern in patterns().questions.items() if pattern.search(folded)]


def counted_folded(folded: str) -> tuple[str, ...]:
    """The thing a "how many" question counts, as folded words: "how many members" → ("members",),
    "combien d'États" → ("etats",), "多少名成员" → ("成员",), "كم عدد الدول" → ("الدول",). Empty when the
    question counts nothing it names ("how much is…", "how many?"): the refusal policy then keeps
    asking only for a number."""
    for row in patterns().counted:
        m = row.search(folded)
        if not m:
            continue
        noun = m.group(1).strip()
        if _HAN_ONLY.fullmatch(noun):
            return (noun,)  # a Chinese noun, cut by its row: no spaces to split it at
        # each language's row takes the words the noun is in: English two ("how many police advisers":
        # the head noun follows its modifier), the others one ("combien de membres", "сколько членов")
        found = tuple(w for w in words_folded(noun) if is_content(w) and not w[:1].isdigit())
        if found:
            return found
    return ()


def telling(kinds: tuple[str, ...] | list[str]) -> list[str]:
    """The kinds asked whose evidence must be found: those another asked kind answers dropped."""
    covered = {c for k in kinds for c in SUBSUMES.get(k, ())}
    return [k for k in kinds if k not in covered]


def has_quantity(text: str) -> bool:
    """A number that can answer "how many": not a date, a year or a reference to a document."""
    p = patterns()
    rest = p.references.sub(" ", fold(text))
    return bool(re.search(r"\d", rest) or p.number_words.search(rest))


def has_duration(text: str) -> bool:
    return bool(patterns().duration.search(fold(text)))


def has_frequency(text: str) -> bool:
    """How often: "every four months", "on a monthly basis", "annually", "twice a year", "每90天"."""
    return bool(patterns().frequency.search(fold(text)))


def has_date(text: str) -> bool:
    return bool(patterns().date.search(fold(text)))


def has_session(text: str) -> bool:
    return bool(_SESSION.search(fold(text)))


def has_amount(text: str) -> bool:
    """An amount of money: a currency with a number ("US$ 25 million", "25 millions de dollars")."""
    folded = fold(text)
    return bool(patterns().currency.search(folded)) and has_quantity(text)


def has_name(text: str) -> bool:
    """A person named with an honorific ("Mr. …", "M. …", "г-н …", "السيد …", "…先生"), on appointment
    ("appointment of Staffan de Mistura as", "nomination de Ghassan Salamé"), or, in Chinese, by a
    transliterated name, its parts joined by a middle dot ("斯塔凡·德米斯图拉"): resolutions
    name offices, rarely their holders, so a question asking who holds one is mostly not answered.
    Capitalised words that are all offices or bodies ("appoints Special Envoy") name nobody."""
    p = patterns()
    if p.honorific.search(fold(text)) or _TRANSLITERATED.search(text):
        return True
    return any(not all(p.not_place.match(fold(w)) for w in m.group(1).split() if w[:1].isupper())
               for m in p.appointed.finditer(unaccented(text)))


def has_chair(text: str) -> bool:
    """Who chairs: a chairing phrase ("chaired by Kofi Annan", "présidé par le Président de la
    République", a chair named with the title "Ambassador") or a person named with an honorific. The
    office alone ("the Chair of the Committee") says that there is a chair, not who it is."""
    folded = fold(text)
    return any(row.search(folded) for row in patterns().chaired) or has_name(text)


def has_place(text: str) -> bool:
    """A place after a preposition: a listed one ("in Geneva", "在日内瓦", "في جنيف") or a capitalised
    name that is not a body, a text or a month ("in Kinshasa", "à Genève", "в Женеве"; not "in the
    Charter", "in May", "aux États Membres"). Read word by word: a pattern scanning every position cost
    ten times as much, and the retrieval checks the best 200 candidates of every "where" question."""
    p = patterns()
    if _WRITTEN_TOGETHER.search(text) and p.place_attached.search(fold(text)):
        return True
    words = text.split()
    for i, word in enumerate(words[:-1]):
        head, elided, tail = word.replace("’", "'").rpartition("'")
        if elided and head.endswith("qu"):
            word = tail  # "qu'en Somalie", "lorsqu'au Soudan" (not "Hay'at Tahrir")
        # written as typed: "In accordance with…" opens a sentence, "in" is the preposition
        if len(word) > p.preposition_length or (word if word.isascii() else fold(word)) not in p.prepositions:
            continue
        rest = words[i + 1 : i + 8]
        if rest[0] in p.articles and len(rest) > 1:
            rest = rest[1:]  # "in the Sudan"
        elif rest[0].startswith(("l'", "l’")):
            rest = [rest[0][2:], *rest[1:]]  # "à l'Organisation"
        name = fold(" ".join(rest))
        for place in p.places.get(name.split(" ", 1)[0].rstrip(",.;:)"), ()):
            if name.startswith(place) and not name[len(place) : len(place) + 1].isalnum():
                return True
        inside_a_name = i > 0 and words[i - 1][:1].isupper()  # "Cooperation in the Field of Human Rights"
        if rest[0][:1].isupper() and not inside_a_name and not p.not_place.match(name):
            return True
    return False


# how near a number must be to the thing counted, in words either side ("comprising three members",
# "17,000 military personnel", "a police ceiling of 2,101", "المبادئ الـ 15"), and in characters for
# Chinese ("15项原则", "800 名"): near enough for a modifier or a measure word, not for another clause
COUNT_WINDOW = 3
HAN_COUNT_WINDOW = 4
_WORD_AT = re.compile(r"[^\W_]+|%")
# a list's numbering ("(2) For each State…", "3. Decides…", "（二）"): it orders clauses, it counts nothing
_ENUMERATOR = re.compile(r"\(\s*(?:\d{1,2}|[a-z]{1,4})\s*\)|（[^）]{1,3}）|^\s*\d{1,2}\.(?!\d)|(?<=[;:])\s*\d{1,2}\.(?!\d)")
# Chinese numerals, not 一 ("one"): it is in many words ("一致", "一些", "统一") that count nothing
_HAN_NUMBER = re.compile(r"[0-9两二三四五六七八九十百千万亿]")


def counts(text: str, language: str, stems: frozenset[str]) -> bool:
    """Whether the text gives a number of the thing counted: a number (not a date, a year or a
    reference to a document) within `COUNT_WINDOW` words of a word whose stem in `language` is one of
    `stems` ("up to 70 police advisers", "15 membres", "trois membres", "800 名", "٣٠ يوما"). Today's
    rule, any number anywhere, answered "How many people died on 7 October?" with a paragraph
    giving the date and the number of a resolution."""
    return _counts(text, language, stems)


@lru_cache(maxsize=16384)
def _counts(text: str, language: str, stems: frozenset[str]) -> bool:
    p = patterns()
    rest = _ENUMERATOR.sub(" ", p.references.sub(" ", fold(text)))
    han = {s for s in stems if _HAN_ONLY.fullmatch(s)}
    for noun in han:  # Chinese: the characters before or after the noun
        for m in re.finditer(re.escape(noun), rest):
            around = rest[max(0, m.start() - HAN_COUNT_WINDOW) : m.start()] + " " + rest[m.end() : m.end() + HAN_COUNT_WINDOW]
            if _HAN_NUMBER.search(around):
                return True
    words = [m.group() for m in _WORD_AT.finditer(rest)]
    if not words:
        return False
    is_number = [w[:1].isdigit() or bool(p.number_words.fullmatch(w)) for w in words]
    if not any(is_number):
        return False
    stemmed = stem(words, language)
    for i, (word, stemmed_word) in enumerate(zip(words, stemmed)):
        if word in stems or stemmed_word in stems:
            if any(is_number[max(0, i - COUNT_WINDOW) : i + COUNT_WINDOW + 1]):
                return True
    return False


EVIDENCE = {
    "amount": has_amount, "chair": has_chair, "name": has_name, "place": has_place,
    "quantity": has_quantity, "frequency": has_frequency, "duration": has_duration, "date": has_date, "session": has_session,
}


@lru_cache(maxsize=65536)
def gives(answer_type: str, text: str) -> bool:
    """Cached: the same paragraphs come back as candidates question after question (bounded; the
    keys are the chunk texts the tables hold anyway)."""
    return EVIDENCE[answer_type](text)
