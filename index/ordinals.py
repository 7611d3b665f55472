"""Ordinals written out or in digits become one token: "fifty-fifth", "55th", "cinquante-cinquième", "55e" → ord55.

Resolutions write sessions in words ("at its fifty-fifth session") while people type digits
("at its 55th session"); without this, the one word that pins the answer never matches. The word
forms 1–99 and the digits' suffixes are rows of each language's table (`[ordinals]` in
`index/data/languages/<code>.toml`); every language's forms apply to every text, as a question
and a paragraph need not share a language. Works on folded text (lower case, no accents).
"""

from __future__ import annotations

import re
from functools import lru_cache

from reso.index.languages import languages

_SPACES = re.compile(r"[\s-]+")


def forms() -> dict[str, int]:
    """Every language's written ordinals (spaces for hyphens) → their number."""
    out: dict[str, int] = {}
    for code in languages().codes:
        for word, n in languages()(code).get("ordinals", "words", {}).items():
            out[_SPACES.sub(" ", word)] = int(n)
    return out


@lru_cache(maxsize=1)
def _pattern() -> tuple[re.Pattern[str], dict[str, int]]:
    words = forms()
    suffixes = "|".join(dict.fromkeys(languages().words("ordinals", "suffixes")))
    alternation = "|".join(re.escape(f).replace(r"\ ", r"[\s-]+") for f in sorted(words, key=len, reverse=True))
    digits = rf"(\d{{1,2}})(?:{suffixes})" if suffixes else r"(?!)()"
    if not alternation:
        alternation = "(?!)"
    return re.compile(rf"\b(?:{digits}|({alternation}))\b"), words


def normalise(folded: str) -> str:
    """Replace every ordinal 1–99 in folded text by the token ord<n>."""
    pattern, words = _pattern()

    def sub(m: re.Match) -> str:
        if m.group(1):
            return f"ord{int(m.group(1))}"
        return f"ord{words[_SPACES.sub(' ', m.group(2))]}"

    return pattern.sub(sub, folded)
