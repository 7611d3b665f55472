"""Text analysis shared by the lexical index and the query side: fold, tokenise, stem.

Accent- and case-folding make "Etats" find "États"; stemming per language makes "encourages"
find "encourage". Stop words, the content-word rule and the stemmer come from each language's
table (`index.languages`), so a new language is a new file. Queries are analysed with the
stemmers of the question's language and the languages it is searched with, because a short
question often carries too few words to tell.

A question is folded once per turn (`assistant.question.Question`); the `*_folded` functions
below work on text already folded, so the question's later stages never fold it again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache

from reso.index import ordinals
from reso.index.languages import languages

_WORD = re.compile(r"[^\W_]+(?:/[^\W_]+)*", re.UNICODE)

# fold's fast paths, built on first use rather than at import (see _latin1_table, _combining_re).
_LATIN1_TABLE: bytes | None = None
_LATIN1_UNSAFE = b""
_COMBINING_RE: re.Pattern[str] | None = None
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")

# Letters written several ways in Arabic text, and digits of other scripts: one form each, so a
# question typed without hamza or with Arabic-Indic digits finds the paragraph. NFKD already opens
# أ إ آ ؤ ئ into a letter and a combining hamza or madda (dropped with the other marks, as are the
# short vowels); what is left is one letter for another. Full-width digits are NFKD's already.
_SCRIPT_TABLE = str.maketrans(
    {
        "\u0671": "\u0627",  # alef wasla → alef
        "\u0649": "\u064a",  # alef maksura → ya
        "\u0629": "\u0647",  # ta marbuta → ha
        "\u0640": None,  # tatweel (a stretch of the line, not a letter)
        "\u060c": ",",  # Arabic comma, semicolon, question mark
        "\u061b": ";",
        "\u061f": "?",
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Extended (Persian, Urdu) digits
    }
)
_SCRIPT_CHARS = re.compile("[\u0629\u0640\u0649\u0671\u060c\u061b\u061f\u0660-\u0669\u06f0-\u06f9]")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RUN = re.compile(f"[{_HAN}]+|[^{_HAN}]+")
_HAN_CHAR = re.compile(f"[{_HAN}]")


def _script_fold(folded: str) -> str:
    """The Arabic letters and the other scripts' digits of text already folded, in one form."""
    return folded.translate(_SCRIPT_TABLE) if _SCRIPT_CHARS.search(folded) else folded


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


def unaccented(text: str) -> str:
    """`fold` that keeps the capitals (accents dropped, typographic apostrophes straightened): for
    rows written folded that must still tell a name by its capital ("nomination de Ghassan Salamé")."""
    if text.isascii():
        return text
    return _combining_re().sub("", unicodedata.normalize("NFKD", text.replace("’", "'")))


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
        return _script_fold(_fold_reference(decomposed))
    return _script_fold(_combining_re().sub("", decomposed).lower())


def _fold_table(text: str) -> str:
    """`fold` of table text by its plain definition: the same result, without building the general
    path's pattern for a few hundred words (reading the tables must stay cheap)."""
    if text.isascii() or all(ord(ch) < 256 or ch in "œŒæ’‑" for ch in text):
        return fold(text)  # the Latin-1 fast path
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("’", "'").replace("‑", "-")
    return _script_fold(_fold_reference(unicodedata.normalize("NFKD", text)))


def _stopwords(tables=None) -> dict[str, frozenset[str]]:
    tables = languages().tables if tables is None else tables
    return {code: frozenset(_fold_table(t.stopwords_text).split()) for code, t in tables.items() if t.stopwords_text}


class _Stopwords(Mapping):
    """Each language's stop words (folded), read from the tables on first use, not at import."""

    def _all(self) -> dict[str, frozenset[str]]:
        return _stopwords_cached()

    def __getitem__(self, key: str) -> frozenset[str]:
        return self._all()[key]

    def __iter__(self):
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


@lru_cache(maxsize=1)
def _stopwords_cached() -> dict[str, frozenset[str]]:
    return _stopwords()


STOPWORDS: Mapping[str, frozenset[str]] = _Stopwords()


@lru_cache(maxsize=64)
def stopwords_of(codes: tuple[str, ...]) -> frozenset[str]:
    """The union of these languages' stop words, built once per set of languages."""
    return frozenset().union(*(STOPWORDS.get(c, frozenset()) for c in codes))


def all_stopwords() -> frozenset[str]:
    """Every understood language's stop words: what a question word of unknown language is not."""
    return stopwords_of(tuple(STOPWORDS))


def is_content(word: str, stop: frozenset[str] | None = None, min_length: int = 2) -> bool:
    """The one definition of a content word: not a stop word, and `min_length` long or a number
    (a Han character is a word on its own: Chinese is indexed by characters and their bigrams)."""
    return word not in (all_stopwords() if stop is None else stop) and (
        len(word) >= min_length or word.isdigit() or (word > "\u3400" and _HAN_CHAR.match(word) is not None)
    )


@lru_cache(maxsize=64)
def _stemmer(language: str):
    name = languages()(language).stemmer
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
    return words_folded(fold(text))


def words_folded(folded: str) -> list[str]:
    """`words` of text that is already folded."""
    out: list[str] = []
    for raw in ordinals.normalise(folded).split():
        found = _WORD.findall(_split_elisions(raw.strip(".,;:!?()[]«»\"“”")))
        if raw.isascii() or not _HAN_CHAR.search(raw):
            out.extend(found)
        else:
            for word in found:
                out.extend(_han_words(word))
    return out


def _han_words(word: str) -> list[str]:
    """A word holding Han characters: each Han run as its characters and their bigrams (安全理事会 →
    安 安全 全 全理 理 理事 …), the rest (digits, Latin) as it is. Chinese writes no spaces and a
    segmenter's dictionary would be one more model to ship; bigrams match any word of the question
    that the paragraph holds, and the unigrams keep one-character words."""
    out: list[str] = []
    for run in _HAN_RUN.findall(word):
        if not _HAN_CHAR.match(run):
            out.append(run)
            continue
        for i, ch in enumerate(run):
            out.append(ch)
            if i + 1 < len(run):
                out.append(run[i : i + 2])
    return out


def stem(ws: list[str], language: str) -> list[str]:
    stemmer = _stemmer(language)
    return stemmer.stemWords(ws) if stemmer else list(ws)


def tokens(text: str, language: str) -> list[str]:
    """Index-side tokens: folded, stop words removed, stemmed with the text's own language."""
    return tokens_of_words(words(text), language)


def tokens_of_words(ws: list[str], language: str) -> list[str]:
    table = languages()(language)
    stop = STOPWORDS.get(language, frozenset())
    return stem([w for w in ws if is_content(w, stop, table.min_word_length)], language)


def stem_variants(word: str, languages_: tuple[str, ...] | None = None) -> set[str]:
    """A folded word and its stem in each language: how a question word can appear in the index."""
    out = {word}
    for lang in languages().understood if languages_ is None else languages_:
        stemmer = _stemmer(lang)
        if stemmer:
            out.add(stemmer.stemWord(word))
    return out


@lru_cache(maxsize=1)
def _similar_groups() -> dict[tuple[str, str], frozenset[str]]:
    """(language, folded word form) → the folded forms of its `[synonyms] groups` row."""
    out: dict[tuple[str, str], frozenset[str]] = {}
    for code in languages().codes:
        for group in languages()(code).get("synonyms", "groups", ()):
            forms = frozenset(fold(w) for w in group)
            for w in forms:
                out[(code, w)] = out.get((code, w), frozenset()) | forms
    return out


def similar_words(word: str, languages_: tuple[str, ...]) -> tuple[str, ...]:
    """Words a language's table says mean what `word` means in the texts ("prolonger" and
    "proroger" a mandate, "extend" and "renew" it): a question's everyday verb finds the UN's
    own. The rows list the word forms themselves, matched exactly (folded): a stem would also
    take in words of other meanings ("renewable" shares the stem of "renew"). The word itself is
    left out."""
    groups = _similar_groups()
    found = {w for code in languages_ for w in groups.get((code, word), ())}
    found.discard(word)
    return tuple(sorted(found))


def query_tokens(text: str, languages_: tuple[str, ...] | None = None) -> list[str]:
    """Query-side tokens: stemmed for each candidate language, so either language's index matches."""
    return query_tokens_of_words(words(text), languages_)


def query_tokens_of_words(ws: list[str], languages_: tuple[str, ...] | None = None) -> list[str]:
    codes = languages().understood if languages_ is None else languages_
    stop = stopwords_of(codes)
    ws = [w for w in ws if is_content(w, stop)]
    seen: dict[str, None] = {}
    for lang in codes:
        for t in stem(ws, lang):
            seen.setdefault(t, None)
    return list(seen)


def search_languages(language: str) -> tuple[str, ...]:
    """The question's language and those it is also searched in (its table's `search_also`)."""
    return (language, *(c for c in languages()(language).search_also if c != language))


def guess_language(text: str, default: str = "en") -> str:
    """A language with stop words, by stop-word and letter evidence (see `guess_language_of`)."""
    return guess_language_of(words(text), text, default)


def guess_language_of(ws: list[str], raw: str, default: str = "en") -> str:
    """The understood language to answer in: the question's own (by its script first, then, for
    Latin letters, the stop words and telling letters it has most of); for a question in a
    recognised language that is not understood, the nearest understood one; else `default`."""
    return identify_language(ws, raw, default)[0]


def identify_language(ws: list[str], raw: str, default: str = "en") -> tuple[str, str]:
    """(the understood language to answer in, the recognised-only language the question is in or "").

    A question in German, Portuguese, Ukrainian, Japanese… (`index/data/languages/recognised/`)
    is told apart from the six it resembles, so that it can be told plainly which languages are
    understood instead of being searched as French or Russian words.
    """
    found = detect_language(ws, raw)
    table = languages().recognised.get(found)
    if table is not None:
        return table.nearest or default, found
    return found or default, ""


# A recognised-only language wins a question from an understood one only with this much evidence
# (two stop words, or a telling letter and a stop word) and strictly more of it: a stray
# "der" or "het" in an English question about a German name stays English.
RECOGNISED_MIN_EVIDENCE = 2.0


def detect_language(ws: list[str], raw: str) -> str:
    """The question's language, understood or recognised-only, or "" when nothing in the question
    tells (no script of a table, no stop word, no telling letter): too short to say."""
    langs = languages()
    letters = sum(1 for ch in raw if ch.isalpha())
    for code, pattern in langs.recognised_scripts:  # a script of its own (kana, Hangul): a sixth is enough
        n = len(pattern.findall(raw))
        if n and n * 6 >= letters:
            return code
    lower = raw.lower()

    def evidence(table, stop: frozenset[str]) -> float:
        score = float(sum(1 for w in ws if w in stop))
        if table.detect_characters and any(ch in lower for ch in table.detect_characters):
            score += table.detect_weight
        return score

    counts = [(len(pattern.findall(raw)), code) for code, pattern in langs.scripts]
    within = ""
    if counts:
        n, code = max(counts)
        if n and n * 2 >= letters:  # most of the letters: a Latin name in a Chinese question stays Chinese
            within = code
    rivals = {c: t for c, t in langs.recognised.items() if t.within == within and not t.detect_script}
    if within:
        scores = {within: evidence(langs(within), STOPWORDS.get(within, frozenset()))}
    else:
        scores = {code: evidence(table, STOPWORDS.get(code, frozenset())) for code, table in langs.tables.items()}
    known = _known_words(ws, tuple(c for c in scores if c not in dict(langs.scripts))) if len(scores) > 1 else {}
    best = max(scores, key=lambda c: scores[c] + VOCABULARY_WEIGHT * known.get(c, 0) + langs(c).detect_prior) if scores else ""
    top = scores.get(best, 0.0) + VOCABULARY_WEIGHT * known.get(best, 0)
    other = {c: evidence(t, _recognised_stopwords()[c]) for c, t in rivals.items()}
    if other:
        rival = max(other, key=lambda c: other[c])
        if other[rival] >= RECOGNISED_MIN_EVIDENCE and other[rival] > top:
            return rival
    if within:
        return within
    # words the corpus uses pick among languages the question's stop words or letters point to; alone
    # ("Libyen Sanktionen": "libyen" is French too) they do not make a language
    return best if max(scores.values(), default=0.0) > 0 else ""


# Each content word the corpus uses in a language (its stem in that language's lexicon vocabulary)
# counts this much for it, beside stop words (1 each) and telling letters (`detect_weight`). Chosen on
# the dev half of `python -m reso.evals.language_id` (windows of real paragraphs); a recognised-only
# language (Portuguese, Italian) has no vocabulary, so this evidence picks among the understood
# languages and is not weighed against those.
VOCABULARY_WEIGHT = 0.5


def _known_words(ws: list[str], codes: tuple[str, ...]) -> dict[str, int]:
    """Per language of `codes` (Latin-script ones), how many of the question's content words the
    corpus uses in it: "cambio", "resolucion", "comunicados" are Spanish words, not French ones."""
    if len(codes) < 2:
        return {}
    from reso.index.lexicon import vocabulary  # the lexicon's files: read on the first Latin-script question

    content = [w for w in ws if len(w) >= 3 and w.isalpha() and w not in all_stopwords()]
    if not content:
        return {}
    out = {}
    for code in codes:
        vocab = vocabulary(code, codes)
        out[code] = sum(1 for t in stem(content, code) if t in vocab)
    return out


@lru_cache(maxsize=1)
def _recognised_stopwords() -> dict[str, frozenset[str]]:
    return _stopwords(languages().recognised)
