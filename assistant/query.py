"""What a question says about where to look: paragraph references, resolution numbers, language.

"OP 4 de la résolution 30/25", "paragraph 3 of 54/10", "the second preambular paragraph of
2699 (2023)", "alinéa 2 du préambule": exact look-ups beat any similarity search, and a
resolution number turns a corpus-wide search into a search of one document. The words come from
each language's table (`index.languages`), so adding a language is adding rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from reso.index.analysis import fold, guess_language_of, words_folded
from reso.index.languages import languages

_SUB = r"(?:\s*\(?([a-z]|[ivx]{1,4})\)(?:\s*\(?([ivx]{1,4})\))?)?"
# not "\b": a symbol stands against Chinese text ("提及A/HRC/RES/54/21", "A/HRC/RES/60/1是"), whose
# characters are word characters too
_SYMBOL = re.compile(r"(?<![a-z0-9])(?:a/hrc/res/|a/res/)(\d{1,3}/\d{1,4})(?![\d/])|(?<![a-z0-9])s/res/(\d{3,5})(?:\s*\((\d{4})\))?", re.I)
_SESSION_NUMBER = re.compile(r"(?<![\d/])(\d{1,3}/\d{1,3})(?![\d/])")
_HAN_START = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")
_EXPLICIT_ID = re.compile(r"\b(op|pp)\s*(\d{1,3})" + _SUB, re.I)


@dataclass(frozen=True)
class _Patterns:
    """The question-side patterns, compiled once from every language's rows."""

    ordinals: dict[str, int]
    preamble: str
    numbered: re.Pattern[str]
    ordinal: re.Pattern[str]
    abbreviations: dict[str, str]
    abbreviation: re.Pattern[str] | None
    part_split: re.Pattern[str]
    sc_number: re.Pattern[str]
    ordinals_after: dict[str, int] = field(default_factory=dict)
    ordinal_after: re.Pattern[str] | None = None  # "الفقرة الثانية": the ordinal after the noun
    numbered_between: re.Pattern[str] | None = None  # "第 5 段": the number between two words
    resolution_word: re.Pattern[str] | None = None  # every language's word for "resolution" (fullmatch a word)


@lru_cache(maxsize=1)
def patterns() -> _Patterns:
    langs = languages()
    ordinals = langs.mapping("paragraphs", "ordinals")
    ordinal_words = "|".join(sorted((re.escape(k) for k in ordinals), key=len, reverse=True)) or "(?!)"
    preamble = langs.alternation("paragraphs", "preamble_patterns") or "(?!)"
    operative = langs.alternation("paragraphs", "operative_patterns") or "(?!)"
    paragraph = langs.alternation("paragraphs", "paragraph_patterns") or "(?!)"
    numbered = re.compile(
        rf"\b(?:(?:{operative}|{preamble})\s+)?(?:{paragraph})\s*(?:n[o°]\s*)?(\d{{1,3}})\b" + _SUB
    )
    ordinal = re.compile(rf"\b({ordinal_words})\s+(?:(?:{operative}|{preamble})\s+)?(?:{paragraph})\b")
    abbreviations = langs.abbreviations
    # not inside a symbol: "A/HRC/RES/30/25" must keep its shape for the resolution-number filter;
    # Chinese writes no spaces, so an abbreviation in Han characters is found inside a run of them
    guarded = [a for a in abbreviations if not _HAN_START.match(a)]
    han = [a for a in abbreviations if _HAN_START.match(a)]
    alternatives = []
    if guarded:
        alternatives.append(r"(?<![/\w])(?:" + "|".join(sorted(map(re.escape, guarded), key=len, reverse=True)) + r")(?![/\w])")
    if han:
        alternatives.append("|".join(sorted(map(re.escape, han), key=len, reverse=True)))
    abbreviation = re.compile("(" + "|".join(alternatives) + ")") if alternatives else None
    # a coordinator followed by a new question word starts a second question: "… until when is the
    # embargo renewed, and until when is the Group of Experts extended?"
    coordinators = langs.alternation("questions", "coordinators") or "(?!)"
    question_words = langs.alternation("questions", "question_words") or "(?!)"
    part_split = re.compile(rf"\s*(?:,|;)?\s+(?:{coordinators})\s+(?=(?:{question_words})\b)|\s*[?;]\s+(?=\w)")
    resolution = langs.alternation("paragraphs", "resolution_patterns") or "(?!)"
    suffix = langs.alternation("paragraphs", "resolution_suffix_patterns")
    after = (  # "第 2397 (2017) 号决议": the number before the word
        rf"|(?<![\d/])(\d{{3,5}})\s*(?:\(\d{{4}}\)\s*)?(?:{suffix})" if suffix else ""
    )
    # "2677 (2023)" after a letter of no Latin word: "و2677 (2023)" (Arabic "and"), "第2565(2021)号"
    sc_number = re.compile(rf"\b(?:{resolution})\s+(\d{{3,5}})\b|(?<![0-9a-z/.-])(\d{{4}})\s*\((\d{{4}})\){after}")
    ordinals_after = langs.mapping("paragraphs", "ordinals_after")
    ordinal_after = None
    if ordinals_after:
        words = "|".join(sorted((re.escape(k) for k in ordinals_after), key=len, reverse=True))
        ordinal_after = re.compile(rf"\b(?:{paragraph})\s+({words})\b")
    before_n = langs.alternation("paragraphs", "paragraph_before_number")
    after_n = langs.alternation("paragraphs", "paragraph_after_number")
    numbered_between = (
        re.compile(rf"(?:{before_n})\s*(\d{{1,3}})\s*(?:{after_n})" + _SUB) if before_n and after_n else None
    )
    return _Patterns(
        ordinals, preamble, numbered, ordinal, abbreviations, abbreviation, part_split, sc_number,
        ordinals_after, ordinal_after, numbered_between, re.compile(resolution),
    )


def expand_abbreviations(question: str) -> str:
    """The question with each known abbreviation followed by what it stands for (case-sensitive)."""
    return "".join(piece for piece, _ in abbreviation_pieces(question))


def abbreviation_pieces(question: str) -> list[tuple[str, bool]]:
    """The question cut at its abbreviations: (text, False) for the question's own text and
    (" (expansion)", True) for what an abbreviation stands for, in order."""
    p = patterns()
    if p.abbreviation is None:
        return [(question, False)]
    out: list[tuple[str, bool]] = []
    last = 0
    for m in p.abbreviation.finditer(question):
        out.append((question[last : m.end()], False))
        out.append((f" ({p.abbreviations[m.group(1)]})", True))
        last = m.end()
    out.append((question[last:], False))
    return [(text, added) for text, added in out if text]


def question_parts(question: str) -> list[str]:
    """The sub-questions (folded) of a question that asks several things; [] when it asks one."""
    return parts_of_folded(fold(question))


def parts_of_folded(folded: str) -> list[str]:
    parts = [p.strip(" ,;?") for p in patterns().part_split.split(folded)]
    parts = [p for p in parts if len(p.split()) >= 2]
    return parts if len(parts) > 1 else []


@dataclass(frozen=True)
class ParagraphRef:
    kind: str  # "OP" or "PP"
    number: int  # 1-based; -1 for "the last"
    sub: tuple[str, ...] = ()

    @property
    def pid(self) -> str:
        return f"{self.kind}{self.number}" + "".join(f"({s})" for s in self.sub)


@dataclass
class QueryAnalysis:
    text: str
    language: str
    numbers: list[str] = field(default_factory=list)  # "30/25", "2699"
    paragraph: ParagraphRef | None = None


def _near(text: str, start: int, end: int, pattern: str, window: int = 40) -> bool:
    return re.search(pattern, text[max(0, start - window) : end + window]) is not None


def analyse(question: str, language: str | None = None) -> QueryAnalysis:
    text = fold(question)
    return analyse_folded(text, question, language or guess_language_of(words_folded(text), question))


def analyse_folded(text: str, question: str, language: str) -> QueryAnalysis:
    """`analyse` of a question already folded (`text`), in a language already known."""
    return QueryAnalysis(question, language, numbers_of_folded(text), _paragraph_ref(text))


def numbers_of_folded(text: str) -> list[str]:
    """The resolution numbers a folded text names ("30/25", "2699")."""
    numbers: list[str] = []
    for m in _SYMBOL.finditer(text):
        numbers.append(m.group(1) or m.group(2))
    for m in _SESSION_NUMBER.finditer(text):
        numbers.append(m.group(1))
    for m in patterns().sc_number.finditer(text):
        numbers.append(m.group(1) or m.group(2) or (m.group(4) if m.lastindex and m.lastindex >= 4 else None))
    # a bare number no year can be ("2411", "2769"), beside another resolution named or a second such
    # number: "adopted 2411 and then, ten days later, 2412", "Resolution 2819 … Compared with 2769";
    # alone ("And in 2713?", "2500 troops") it stays a number
    bare = [m.group(1) for m in _BARE_NUMBER.finditer(text) if m.group(1) not in numbers]
    if bare and (any(numbers) or len(set(bare)) >= 2):
        numbers.extend(bare)
    return list(dict.fromkeys(n for n in numbers if n))


# a Security Council resolution's number past any year a question names (2100–2999), standing alone:
# not part of an amount, a symbol, a percentage or a number with its year (those are read above)
_BARE_NUMBER = re.compile(r"(?<![\d/.,$€£(（])\b(2[1-9]\d\d)\b(?![\d/.,]\d|\s*[(（]|\s*(?:%|percent|per cent))")


def _paragraph_ref(text: str) -> ParagraphRef | None:
    p = patterns()
    m = _EXPLICIT_ID.search(text)
    if m:
        return ParagraphRef(m.group(1).upper(), int(m.group(2)), tuple(g for g in m.groups()[2:] if g))
    m = p.numbered.search(text)
    if m:
        kind = "PP" if _near(text, m.start(), m.end(), p.preamble) else "OP"
        return ParagraphRef(kind, int(m.group(1)), tuple(g for g in m.groups()[1:] if g))
    m = p.ordinal.search(text)
    if m:
        kind = "PP" if _near(text, m.start(), m.end(), p.preamble) else "OP"
        return ParagraphRef(kind, p.ordinals[m.group(1)])
    for pattern, values in ((p.numbered_between, None), (p.ordinal_after, p.ordinals_after)):
        m = pattern.search(text) if pattern is not None else None
        if m:
            kind = "PP" if _near(text, m.start(), m.end(), p.preamble) else "OP"
            if values is None:
                return ParagraphRef(kind, int(m.group(1)), tuple(g for g in m.groups()[1:] if g))
            return ParagraphRef(kind, values[m.group(1)])
    return None
