"""Ordinals written out or in digits become one token: "fifty-fifth", "55th", "cinquante-cinquième", "55e" → ord55.

Resolutions write sessions in words ("at its fifty-fifth session") while people type digits
("at its 55th session"); without this, the one word that pins the answer never matches. The
word forms are generated for 1–99 from each language's counting rules, not listed by hand.
Works on folded text (lower case, no accents).
"""

from __future__ import annotations

import re
from functools import lru_cache

_EN_UNITS = "one two three four five six seven eight nine".split()
_EN_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_EN_TENS = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy", 80: "eighty", 90: "ninety"}
_EN_ORD = {"one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth", "nine": "ninth", "twelve": "twelfth"}

_FR = {
    1: "un", 2: "deux", 3: "trois", 4: "quatre", 5: "cinq", 6: "six", 7: "sept", 8: "huit", 9: "neuf", 10: "dix",
    11: "onze", 12: "douze", 13: "treize", 14: "quatorze", 15: "quinze", 16: "seize", 20: "vingt", 30: "trente",
    40: "quarante", 50: "cinquante", 60: "soixante",
}


def _en_ordinal_word(word: str) -> str:
    if word in _EN_ORD:
        return _EN_ORD[word]
    if word.endswith("y"):
        return word[:-1] + "ieth"
    return word + "th"


def english(n: int) -> str:
    if n < 10:
        return _en_ordinal_word(_EN_UNITS[n - 1])
    if n < 20:
        return _en_ordinal_word(_EN_TEENS[n - 10])
    tens, unit = divmod(n, 10)
    if unit == 0:
        return _en_ordinal_word(_EN_TENS[n])
    return f"{_EN_TENS[tens * 10]}-{_en_ordinal_word(_EN_UNITS[unit - 1])}"


def _fr_cardinal(n: int) -> str:
    if n in _FR:
        return _FR[n]
    if n < 20:
        return f"dix-{_FR[n - 10]}"
    if n < 70:
        tens, unit = divmod(n, 10)
        return f"{_FR[tens * 10]} et un" if unit == 1 else f"{_FR[tens * 10]}-{_FR[unit]}"
    if n < 80:
        return "soixante et onze" if n == 71 else f"soixante-{_fr_cardinal(n - 60)}"
    if n == 80:
        return "quatre-vingts"
    return f"quatre-vingt-{_fr_cardinal(n - 80)}"


def french(n: int) -> str:
    if n == 1:
        return "premier"
    words = _fr_cardinal(n)
    if words.endswith("quatre-vingts"):
        return words[:-1] + "ieme"
    last = re.split(r"[\s-]", words)[-1]
    stem = {"cinq": "cinqu", "neuf": "neuv"}.get(last, last[:-1] if last.endswith("e") else last)
    return words[: len(words) - len(last)] + stem + "ieme"


_SPACES = re.compile(r"[\s-]+")


@lru_cache(maxsize=1)
def _pattern() -> tuple[re.Pattern[str], dict[str, int]]:
    forms: dict[str, int] = {"premiere": 1, "second": 2, "seconde": 2}
    for n in range(1, 100):
        for word in (english(n), french(n)):
            forms[re.sub(r"[\s-]+", " ", word)] = n
    alternation = "|".join(re.escape(f).replace(r"\ ", r"[\s-]+") for f in sorted(forms, key=len, reverse=True))
    digits = r"(\d{1,2})(?:st|nd|rd|th|e|eme|er|ere|re)"
    return re.compile(rf"\b(?:{digits}|({alternation}))\b"), forms


def normalise(folded: str) -> str:
    """Replace every ordinal 1–99 in folded text by the token ord<n>."""
    pattern, forms = _pattern()

    def sub(m: re.Match) -> str:
        if m.group(1):
            return f"ord{int(m.group(1))}"
        return f"ord{forms[_SPACES.sub(' ', m.group(2))]}"

    return pattern.sub(sub, folded)
