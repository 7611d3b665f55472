"""What a question says about where to look: paragraph references, resolution numbers, language.

"OP 4 de la résolution 30/25", "paragraph 3 of 54/10", "the second preambular paragraph of
2699 (2023)", "alinéa 2 du préambule": exact look-ups beat any similarity search, and a
resolution number turns a corpus-wide search into a search of one document. Words are tables
per language, so adding a language is adding rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reso.index.analysis import fold, guess_language

ORDINALS: dict[str, int] = {
    # English
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
    "last": -1,
    # French (folded)
    "premier": 1, "premiere": 1, "deuxieme": 2, "second": 2, "seconde": 2, "troisieme": 3, "quatrieme": 4,
    "cinquieme": 5, "sixieme": 6, "septieme": 7, "huitieme": 8, "neuvieme": 9, "dixieme": 10,
    "onzieme": 11, "douzieme": 12, "treizieme": 13, "quatorzieme": 14, "quinzieme": 15, "seizieme": 16,
    "dix-septieme": 17, "dix-huitieme": 18, "dix-neuvieme": 19, "vingtieme": 20, "dernier": -1, "derniere": -1,
}
_ORD = "|".join(sorted((re.escape(k) for k in ORDINALS), key=len, reverse=True))

# words that mark the preamble / the operative part, folded
PREAMBLE_WORDS = r"preambular|preamble|preambule|alinea"
OPERATIVE_WORDS = r"operative|dispositif"
PARAGRAPH_WORDS = r"paragraphs?|paragraphes?|paras?\.?|para|§|alineas?"
_SUB = r"(?:\s*\(?([a-z]|[ivx]{1,4})\)(?:\s*\(?([ivx]{1,4})\))?)?"

_EXPLICIT_ID = re.compile(r"\b(op|pp)\s*(\d{1,3})" + _SUB, re.I)
_NUMBERED = re.compile(
    rf"\b(?:(?:{OPERATIVE_WORDS}|{PREAMBLE_WORDS})\s+)?(?:{PARAGRAPH_WORDS})\s*(?:n[o°]\s*)?(\d{{1,3}})\b" + _SUB
)
_ORDINAL = re.compile(rf"\b({_ORD})\s+(?:(?:{OPERATIVE_WORDS}|{PREAMBLE_WORDS})\s+)?(?:{PARAGRAPH_WORDS}|alinea)\b")

_SYMBOL = re.compile(r"\b(?:a/hrc/res/|a/res/)(\d{1,3}/\d{1,4})\b|\bs/res/(\d{3,5})(?:\s*\((\d{4})\))?", re.I)
_SESSION_NUMBER = re.compile(r"(?<![\d/])(\d{1,3}/\d{1,3})(?![\d/])")
_SC_NUMBER = re.compile(r"\b(?:resolution|res\.?)\s+(\d{3,5})\b|\b(\d{4})\s*\((\d{4})\)")


# abbreviations people type for what resolutions spell out; the expansion is added, not substituted
ABBREVIATIONS: dict[str, str] = {
    "HRC": "Human Rights Council Conseil des droits de l'homme",
    "CDH": "Conseil des droits de l'homme Human Rights Council",
    "GA": "General Assembly Assemblée générale",
    "UNGA": "General Assembly Assemblée générale",
    "AG": "Assemblée générale General Assembly",
    "SC": "Security Council Conseil de sécurité",
    "UNSC": "Security Council Conseil de sécurité",
    "CS": "Conseil de sécurité Security Council",
    "OHCHR": "Office of the High Commissioner for Human Rights Haut-Commissariat aux droits de l'homme",
    "HCDH": "Haut-Commissariat aux droits de l'homme Office of the High Commissioner for Human Rights",
    "SG": "Secretary-General Secrétaire général",
    "SR": "Special Rapporteur Rapporteur spécial",
    "UPR": "Universal Periodic Review Examen périodique universel",
    "EPU": "Examen périodique universel Universal Periodic Review",
    "NHRI": "national human rights institutions institutions nationales des droits de l'homme",
    "NHRIs": "national human rights institutions institutions nationales des droits de l'homme",
    "INDH": "institutions nationales des droits de l'homme national human rights institutions",
    "DRC": "Democratic Republic of the Congo République démocratique du Congo",
    "RDC": "République démocratique du Congo Democratic Republic of the Congo",
    "CAR": "Central African Republic République centrafricaine",
    "RCA": "République centrafricaine Central African Republic",
}
# not inside a symbol: "A/HRC/RES/30/25" must keep its shape for the resolution-number filter
_ABBREV = re.compile(r"(?<![/\w])(" + "|".join(sorted(map(re.escape, ABBREVIATIONS), key=len, reverse=True)) + r")(?![/\w])")


def expand_abbreviations(question: str) -> str:
    """The question with each known abbreviation followed by what it stands for (case-sensitive)."""
    return _ABBREV.sub(lambda m: f"{m.group(1)} ({ABBREVIATIONS[m.group(1)]})", question)


# a coordinator followed by a new question word starts a second question: "… until when is the embargo
# renewed, and until when is the Group of Experts extended?"; folded text, one row per language
_PART_SPLIT = re.compile(
    r"\s*(?:,|;)?\s+(?:and|et|ou|or)\s+(?=(?:what|which|where|when|who|whom|how|until|for how|why|"
    r"quel|quelle|quels|quelles|ou|quand|qui|comment|combien|jusqu'a|pourquoi|a quelle|a quel|de quel|"
    r"dans quel|sur quel|pour combien)\b)|\s*[?;]\s+(?=\w)"
)


def question_parts(question: str) -> list[str]:
    """The sub-questions (folded) of a question that asks several things; [] when it asks one."""
    parts = [p.strip(" ,;?") for p in _PART_SPLIT.split(fold(question))]
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
    lang = language or guess_language(question)
    numbers: list[str] = []
    for m in _SYMBOL.finditer(text):
        numbers.append(m.group(1) or m.group(2))
    for m in _SESSION_NUMBER.finditer(text):
        numbers.append(m.group(1))
    for m in _SC_NUMBER.finditer(text):
        numbers.append(m.group(1) or m.group(2))
    numbers = list(dict.fromkeys(n for n in numbers if n))
    return QueryAnalysis(question, lang, numbers, _paragraph_ref(text))


def _paragraph_ref(text: str) -> ParagraphRef | None:
    m = _EXPLICIT_ID.search(text)
    if m:
        return ParagraphRef(m.group(1).upper(), int(m.group(2)), tuple(g for g in m.groups()[2:] if g))
    m = _NUMBERED.search(text)
    if m:
        kind = "PP" if _near(text, m.start(), m.end(), PREAMBLE_WORDS) else "OP"
        return ParagraphRef(kind, int(m.group(1)), tuple(g for g in m.groups()[1:] if g))
    m = _ORDINAL.search(text)
    if m:
        kind = "PP" if _near(text, m.start(), m.end(), PREAMBLE_WORDS) else "OP"
        return ParagraphRef(kind, ORDINALS[m.group(1)])
    return None
