"""A name or loanword asked in Cyrillic script, found as spelt in Latin script.

"Когда Совет Безопасности впервые упомянул малярию?", "متى أشار مجلس الأمن لأول مرة إلى الهيروين؟":
the texts of the 2000s that answer are in English only, and the lexicon learned from aligned
paragraphs has no entry for a word no Russian or Arabic paragraph holds ("малярия", "الهيروين",
"الجنجويد"). Such words are mostly names and loanwords, which the UN's translators transliterate: so
the word is compared with the index's Latin-script tokens by their consonants, the way one reads
a transliteration, then letter by letter: "маляр" → m-l-r = "malaria" → m-l-r, and "malyar" is
close to "malaria"; "героин" → "heroin"; "اليورانيوم" → r-n-m and "iuranium" → "uranium". Arabic
writes short vowels not at all, so an Arabic spelling must come close letter by letter too: the
consonants of "هيروين" are "heroin"'s and "herein"'s alike, and "hiruin" is near neither (0.67):
no answer rather than a wrong one.

Kept narrow, for a wrong word is worse than none: only for a word the lexicon cannot translate, only
tokens of at least `MIN_CONSONANTS` consonants, only Latin tokens that are rare in the index (a
common English word is no transliteration), and only when the skeletons are equal (the Latin stem's
may stop two consonants short: the index holds "janjawe").
"""

from __future__ import annotations

import re
from collections import defaultdict
from difflib import SequenceMatcher

MIN_CONSONANTS = 3
MAX_DF = 300  # a Latin token in more paragraphs than this is an ordinary word, not a name
MIN_RATIO = 0.75  # the word's transliteration and the Latin token, letter by letter

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i", "й": "i",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
    "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ы": "y", "э": "e", "ю": "u", "я": "a", "ь": "", "ъ": "",
}


_TRANSLIT_AR = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d",
    "ذ": "dh", "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "ع": "", "غ": "gh",
    "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "ة": "a", "و": "u", "ي": "i", "ى": "a",
    "ء": "", "ئ": "i", "ؤ": "u",
}


def _translit(token: str) -> str:
    return "".join(_TRANSLIT.get(ch, ch) for ch in token)


def _translit_ar(token: str) -> str:
    """A loanword's Arabic spelling writes its long vowels (و, ي, ا): "يورانيوم" → "iuranium"."""
    token = re.sub(r"^(?:وال|بال|لل|ال)", "", token)
    return "".join(_TRANSLIT_AR.get(ch, ch) for ch in token)

# each letter's consonant class ("" for a vowel or a letter a transliteration drops)
_CYRILLIC = {
    "б": "b", "в": "v", "г": "g", "д": "d", "ж": "j", "з": "z", "к": "k", "л": "l", "м": "m", "н": "n",
    "п": "p", "р": "r", "с": "s", "т": "t", "ф": "f", "х": "h", "ц": "s", "ч": "s", "ш": "s", "щ": "s",
    "а": "", "е": "", "ё": "", "и": "", "й": "", "о": "", "у": "", "ы": "", "э": "", "ю": "", "я": "", "ь": "", "ъ": "",
}
_ARABIC = {
    "ب": "b", "ت": "t", "ث": "s", "ج": "j", "ح": "h", "خ": "h", "د": "d", "ذ": "z", "ر": "r", "ز": "z",
    "س": "s", "ش": "s", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "غ": "g", "ف": "f", "ق": "k", "ك": "k",
    "ل": "l", "م": "m", "ن": "n", "ه": "h", "ة": "", "و": "", "ي": "", "ى": "", "ا": "", "أ": "", "إ": "",
    "آ": "", "ء": "", "ئ": "", "ؤ": "", "ع": "", "پ": "p", "ڤ": "v", "گ": "g",
}
_LATIN = [("ph", "f"), ("ck", "k"), ("sch", "s"), ("sh", "s"), ("ch", "s"), ("th", "t"), ("kh", "h"),
          ("x", "ks"), ("q", "k"), ("c", "k"), ("w", ""), ("y", "")]
_VOWELS = re.compile(r"[aeiou]")


_SOUNDED = [("ph", "f"), ("x", "ks"), ("ck", "k"), ("q", "k"), ("w", "v"), ("y", "i")]


def _sounded(token: str) -> str:
    """A Latin spelling's letters as a transliteration writes them ("xenophobia" → "ksenofobia",
    "cyber" → "kiber"): c is k before a, o, u or a consonant, s before e and i."""
    s = token.lower()
    for a, b in _SOUNDED:
        s = s.replace(a, b)
    return re.sub(r"c(?=[ei])", "s", s).replace("c", "k")


def _squeeze(s: str) -> str:
    return re.sub(r"(.)\1+", r"\1", s)


def skeleton_latin(token: str) -> str:
    s = token.lower()
    for a, b in _LATIN:
        s = s.replace(a, b)
    s = _VOWELS.sub("", s)
    # Cyrillic г and Arabic ج stand for g and h, j and g: compared as one class each
    return _squeeze(s.replace("h", "g").replace("j", "g"))


def skeleton_foreign(token: str, language: str) -> str:
    table = _CYRILLIC if language == "ru" else _ARABIC if language == "ar" else None
    if table is None:
        return ""
    if language == "ar":
        token = re.sub(r"^(?:وال|بال|لل|ال|و)", "", token)
    s = "".join(table.get(ch, "?") for ch in token)
    if "?" in s:
        return ""
    return _squeeze(s.replace("h", "g").replace("j", "g"))


class Cognates:
    """The index's rare Latin-script tokens by consonant skeleton (built once a state)."""

    def __init__(self, df: dict[str, int]):
        self._by_skeleton: dict[str, set[str]] = defaultdict(set)
        for token, n in df.items():
            if n <= MAX_DF and token.isascii() and token.isalpha() and len(token) >= 4:
                sk = skeleton_latin(token)
                if len(sk) >= MIN_CONSONANTS:
                    self._by_skeleton[sk].add(token)

    def of(self, token: str, language: str) -> set[str]:
        """The Latin tokens spelt with the consonants of `token` (Cyrillic or Arabic); none else."""
        if language not in ("ru", "ar"):
            return set()
        sk = skeleton_foreign(token, language)
        if len(sk) < MIN_CONSONANTS:
            return set()
        # the index's tokens are stems ("janjawe" of "Janjaweed"): its skeleton may stop short of
        # the word's by a consonant or two
        out: set[str] = set()
        for n in range(max(MIN_CONSONANTS, len(sk) - 2), len(sk) + 1):
            out |= self._by_skeleton.get(sk[:n], set())
        # and its vowels: "маляр" → "malyar" is "malaria" (0.77), not "Moliro" (0.50)
        spelt = _translit(token) if language == "ru" else _translit_ar(token)
        # and the Latin word as it sounds: "xenophob" reads "ksenofob", as "ксенофоб" is spelt
        scored = {t: max(SequenceMatcher(None, spelt, v[: len(spelt) + 2]).ratio() for v in (t, _sounded(t))) for t in out}
        best = max(scored.values(), default=0.0)
        return {t for t, r in scored.items() if r >= MIN_RATIO and r >= best - 0.05}
