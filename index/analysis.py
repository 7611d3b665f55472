"""Text analysis shared by the lexical index and the query side: fold, tokenise, stem.

Accent- and case-folding make "Etats" find "États"; stemming per language makes "encourages"
find "encourage". Stop words are tables, one per language, so a new language is a new table.
Queries are analysed with both the French and the English stemmer when the language is
uncertain, because a short question often carries too few words to tell.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from reso.index import ordinals

_WORD = re.compile(r"[^\W_]+(?:/[^\W_]+)*", re.UNICODE)

_STOPWORD_TEXT: dict[str, str] = {
    "en": """a about above after again all also am an and any are as at be been before being below between both but
        by can could did do does doing down during each few for from further had has have having he her here hers
        him his how i if in into is it its itself just me more most my no nor not now of off on once only or other
        our ours out over own same she should so some such than that the their theirs them then there these they
        this those through to too under until up very was we were what when where which while who whom why will with
        would you your yours whose whom shall may might must upon within without toward towards via per""",
    "fr": """a à au aux avec ce ces cet cette dans de des du elle elles en et eux il ils je la le les leur leurs lui ma
        mais me même mes moi mon ne nos notre nous on ou où par pas pour qu que qui quoi quel quelle quels quelles sa
        se ses son sur ta te tes toi ton tu un une vos votre vous c d j l m n s t y été être avoir a ont est sont
        était étaient sera seront fait faire comme aussi ainsi dont ni si cela ceci celui celle ceux celles leur
        lequel laquelle lesquels lesquelles auquel auxquels duquel desquels sans sous entre vers chez depuis
        pendant contre avant après selon doit doivent peut peuvent est-ce""",
}

_STEMMER_NAMES = {"en": "english", "fr": "french", "es": "spanish", "ru": "russian"}


# fold's fast paths, built on first use rather than at import (see _latin1_table, _combining_re).
_LATIN1_TABLE: bytes | None = None
_LATIN1_UNSAFE = b""
_COMBINING_RE: re.Pattern[str] | None = None
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def _fold_reference(decomposed: str) -> str:
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def _latin1_table() -> tuple[bytes, bytes]:
    """Fold of each Latin-1 character as one byte, for `bytes.translate`.

    NFKD works character by character (reordering only moves combining marks, which are dropped)
    and `lower()` is context-free below U+0100, so within Latin-1 fold is a byte-to-byte map, except
    for the few characters whose fold is not one Latin-1 character (µ → μ, ½ → 1⁄2): those bytes are
    returned apart so that a text holding one takes the general path. Built on first use: a race
    builds it twice, harmlessly.
    """
    global _LATIN1_TABLE, _LATIN1_UNSAFE
    if _LATIN1_TABLE is None:
        table, unsafe = bytearray(range(256)), bytearray()
        for byte in range(256):
            folded = _fold_reference(unicodedata.normalize("NFKD", chr(byte)))
            if len(folded) == 1 and ord(folded) < 256:
                table[byte] = ord(folded)
            else:
                unsafe.append(byte)
        _LATIN1_UNSAFE = bytes(unsafe)
        _LATIN1_TABLE = bytes(table)
    return _LATIN1_TABLE, _LATIN1_UNSAFE


def _combining_re() -> re.Pattern[str]:
    """Runs of BMP combining marks, computed from this Python's Unicode database so it cannot drift.

    Astral marks are left out on purpose: a character class with astral ranges is checked range by
    range and made the scan ten times slower; the rare text with astral characters takes the
    reference path instead.
    """
    global _COMBINING_RE
    if _COMBINING_RE is None:
        ranges: list[list[int]] = []
        for cp in range(0x10000):
            if unicodedata.combining(chr(cp)):
                if ranges and ranges[-1][1] == cp - 1:
                    ranges[-1][1] = cp
                else:
                    ranges.append([cp, cp])
        body = "".join(f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in ranges)
        _COMBINING_RE = re.compile(f"[{body}]+")
    return _COMBINING_RE


def fold(text: str) -> str:
    """Lower case without accents; ligatures opened (œ → oe), typographic quotes straightened.

    The result is exactly `_fold_reference(NFKD(text with the replacements))`; the fast paths only
    skip work that cannot change it (tests/test_fold.py compares them on every BMP character, random
    text and the corpus). It is the hottest function of the project: every paragraph at index
    build, and hundreds of candidate paragraphs per question.
    """
    if text.isascii():
        return text.lower()
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("’", "'").replace("‑", "-")
    if text.isascii():
        return text.lower()
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        pass
    else:
        table, unsafe = _latin1_table()
        folded = raw.translate(table, unsafe)
        if len(folded) == len(raw):  # no µ, ¼, ½, ¾ deleted
            return folded.decode("latin-1")
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed.isascii():
        return decomposed.lower()
    if _ASTRAL.search(decomposed):
        return _fold_reference(decomposed)
    return _combining_re().sub("", decomposed).lower()


STOPWORDS: dict[str, frozenset[str]] = {lang: frozenset(fold(t).split()) for lang, t in _STOPWORD_TEXT.items()}


@lru_cache(maxsize=8)
def _stemmer(language: str):
    name = _STEMMER_NAMES.get(language)
    if not name:
        return None
    try:
        import Stemmer  # PyStemmer
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    return Stemmer.Stemmer(name)


_ELISION = re.compile(r"^(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu)'")


def _split_elisions(word: str) -> str:
    # l'homme → homme, d'organiser → organiser, qu'ils → ils (most words have no apostrophe:
    # the test spares a regex call per word, the largest cost of tokenising a paragraph)
    return _ELISION.sub("", word) if "'" in word else word


def words(text: str) -> list[str]:
    """Folded word tokens; a symbol such as 30/25 or 2699 stays one token, elisions are split off,
    ordinals in words or digits become one token ("fifty-fifth", "55th" → ord55)."""
    out: list[str] = []
    for raw in ordinals.normalise(fold(text)).split():
        out.extend(_WORD.findall(_split_elisions(raw.strip(".,;:!?()[]«»\"“”"))))
    return out


def tokens(text: str, language: str) -> list[str]:
    """Index-side tokens: folded, stop words removed, stemmed with the text's own language."""
    stop = STOPWORDS.get(language, frozenset())
    ws = [w for w in words(text) if w not in stop and (len(w) > 1 or w.isdigit())]
    stemmer = _stemmer(language)
    return stemmer.stemWords(ws) if stemmer else ws


def stem_variants(word: str, languages: tuple[str, ...] = ("en", "fr")) -> set[str]:
    """A folded word and its stem in each language: how a question word can appear in the index."""
    out = {word}
    for lang in languages:
        stemmer = _stemmer(lang)
        if stemmer:
            out.add(stemmer.stemWord(word))
    return out


def query_tokens(text: str, languages: tuple[str, ...] = ("en", "fr")) -> list[str]:
    """Query-side tokens: stemmed for each candidate language, so either language's index matches."""
    stop = frozenset().union(*(STOPWORDS.get(lang, frozenset()) for lang in languages))
    ws = [w for w in words(text) if w not in stop and (len(w) > 1 or w.isdigit())]
    seen: dict[str, None] = {}
    for lang in languages:
        stemmer = _stemmer(lang)
        for t in stemmer.stemWords(ws) if stemmer else ws:
            seen.setdefault(t, None)
    return list(seen)


def guess_language(text: str, default: str = "en") -> str:
    """fr or en (or another language with a stop-word table) by stop-word and accent evidence."""
    ws = words(text)
    raw = text.lower()
    scores = {lang: sum(1 for w in ws if w in stop) for lang, stop in STOPWORDS.items()}
    if re.search(r"[éèêàùçôîû]", raw):
        scores["fr"] = scores.get("fr", 0) + 1.5
    best = max(scores, key=scores.get)
    return best if scores[best] > 0 else default
