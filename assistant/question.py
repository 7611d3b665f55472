"""The question of one turn, analysed once: what every stage of an answer reads.

A question is folded (lower case, no accents) exactly once, at the start of the turn; its
words, stems per language, language, named resolutions and paragraph, answer types and
sub-questions are derived from that folded text and passed along in one immutable object.
Retrieval, the refusal policy, follow-up resolution, the extractive generator and the UI's
highlighter read it; none of them folds or tokenises the question again (a test counts the
calls of `fold` per turn). One definition of a content word (`index.analysis.is_content`)
serves them all.

Earlier questions of the conversation are text (the surfaces send plain messages), so they are
analysed here too, once each per turn: the previous question a follow-up leans on becomes the
question's `context`, itself a `Question`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache

from reso.assistant.answer_types import asked_folded, counted_folded
from reso.assistant.conversation import resolve_analysed
from reso.assistant.models import Filters, Message
from reso.assistant.query import ParagraphRef, QueryAnalysis, abbreviation_pieces, numbers_of_folded, parts_of_folded
from reso.assistant.query import _paragraph_ref
from reso.assistant.query import patterns as query_patterns
from reso.index.analysis import (
    fold,
    guess_language_of,
    identify_language,
    is_content,
    query_tokens_of_words,
    search_languages,
    similar_words,
    stem_variants,
    tokens_of_words,
    words_folded,
)
from reso.index.languages import languages


_SC_YEAR = re.compile(r"\b\d{3,5}\s*\((\d{4})\)")  # the year of a Security Council resolution's symbol
# a year as a question writes it ("in March 2011", "en 2012", "2011年", "в 2017 году"): no digit or
# slash beside it (not part of "30/25", "A/78/L.5" or a larger number)
_YEAR = re.compile(r"(?<![\d/.,])(19[4-9]\d|20[0-4]\d)(?![\d/]|[.,]\d)")
# a month of a year written in figures ("2020年3月"), with no day after it ("2020年3月5日")
_HAN_MONTH = re.compile(r"(?<!\d)(19[4-9]\d|20[0-4]\d)\s*年\s*(\d{1,2})\s*月(?!\s*\d{1,2}\s*日)")


@lru_cache(maxsize=1)
def _calendar_rows() -> dict[int, list[str]]:
    """Each month (1–12) → its `calendar_months` rows in every language."""
    out: dict[int, list[str]] = {}
    for code in languages().codes:
        for n, row in enumerate(languages()(code).get("answers", "calendar_months", ()), start=1):
            out.setdefault(n, []).append(row)
    return out


@lru_cache(maxsize=1)
def _month_patterns() -> tuple[tuple[int, re.Pattern[str]], ...]:
    """(month, pattern) for each month of every language's `calendar_months` row: the month's name
    followed by a year, with no day before it ("in October 2021", "fin octobre 2021", "en octubre
    de 2021", "в июле 2021 года", "آب/أغسطس 2023"; not "31 octobre 2021", a date the text sets)."""
    return tuple(
        (n, re.compile(rf"(?<![\w/])(\d{{1,2}}(?:er|st|nd|rd|th)?\s+)?(?:[^\s/]+/)?(?:{'|'.join(rows)})"
                       rf"\s+(?:de\s+|del\s+)?(19[4-9]\d|20[0-4]\d)(?!\d)"))
        for n, rows in sorted(_calendar_rows().items())
    )


@lru_cache(maxsize=1)
def _bare_month_patterns() -> tuple[tuple[int, re.Pattern[str]], ...]:
    """(month, pattern) for each month written without a year and without a day ("de septiembre",
    "that June", "декабрьской"; not "until 31 December", a date a text sets, nor "June 2006", which
    `_month_patterns` reads), and "5月" in Chinese. English "may" is left out: the verb far more
    often than the month."""
    out = [(n, re.compile(rf"(?<![\w/])(?<!\d )(?<!\d de )(?:{'|'.join(r for r in rows if r != 'may')})(?![\w/])"
                          rf"(?!\s+(?:de\s+|del\s+)?\d)"))
           for n, rows in sorted(_calendar_rows().items())]
    out += [(n, re.compile(rf"(?<!\d)(?<!\d年){n}\s*月(?!\s*\d{{1,2}}\s*日)")) for n in range(1, 13)]
    return tuple(out)


def bodies_named(folded: str, language: str) -> tuple[str, ...]:
    """The bodies a folded text names, as "SC", "HRC", "GA" (each language's `[lineage]
    body_*_patterns`): a question's (`Question.bodies`), or a paragraph's."""
    return tuple(body for body in ("SC", "HRC", "GA")
                 if languages().pattern("lineage", f"body_{body.lower()}_patterns", language).search(folded))


@lru_cache(maxsize=256)
def _folded_addition(text: str) -> str:
    """An abbreviation's expansion, folded once per process (it is table data, not the question)."""
    return fold(text)


def _expand_folded(text: str, folded: str) -> tuple[str, str]:
    """The question with its abbreviations' expansions, as typed and folded, from one fold of it.

    The expansions are spliced into the folded text at the abbreviations' places. `fold` keeps
    each character's place when it keeps the length (ASCII, accented letters); a question whose
    folding changes its length (a ligature: œ → oe) is folded piece by piece around them instead.
    """
    pieces = abbreviation_pieces(text)
    if len(pieces) == 1 and not pieces[0][1]:
        return text, folded
    raw = "".join(p for p, _ in pieces)
    same_places = len(folded) == len(text)
    out: list[str] = []
    at = 0
    for piece, added in pieces:
        if added:
            out.append(_folded_addition(piece))
        else:
            out.append(folded[at : at + len(piece)] if same_places else fold(piece))
            at += len(piece)
    return raw, "".join(out)


@dataclass(frozen=True, eq=False)
class Question:
    """One question as every stage reads it. Build it with `Question.ask` (a turn) or `Question.of`."""

    text: str  # as asked (stripped)
    language: str  # the language to answer in: given, or recognised from the question's own words
    search_text: str  # what is searched for: made standalone in the conversation, abbreviations spelt out
    folded: str  # `search_text` folded: the one folding of the question
    words: tuple[str, ...]  # word tokens of `folded` (ordinals as ord<n>, elisions split off)
    numbers: tuple[str, ...] = ()  # resolutions named ("30/25", "2699"), or carried from the conversation
    paragraph: ParagraphRef | None = None  # a paragraph named ("OP 4", "the next paragraph")
    answer_types: tuple[str, ...] = ()  # "quantity", "duration", "date", "session"
    # what a "how many" question counts, folded ("members", "成员"): the sources must give a number of it
    counted: tuple[str, ...] = ()
    context: Question | None = None  # the earlier question an elliptical follow-up leans on
    # stems the conversation already used, when the question leans on it: what a follow-up asks
    # anew is in its other words, and the refusal policy looks for those in the sources
    inherited: frozenset[str] = frozenset()
    filters: Filters = field(default_factory=Filters)
    history: tuple[Message, ...] = ()
    unsupported: str = ""  # the recognised language it is in when that one is not understood ("de", "ja")
    # `text` folded, its abbreviations not spelt out: what words of asking are read on ("哪些安理会决议",
    # which the expansion "安理会 (安全理事会 security council)" splits); the same folding as `folded`'s
    own_folded: str = ""

    # -- building -------------------------------------------------------------------------
    @classmethod
    def ask(
        cls,
        text: str,
        history: Sequence[Message] = (),
        filters: Filters | None = None,
        language: str | None = None,
    ) -> Question:
        """The question of a turn: folded once, read in its conversation, abbreviations spelt out."""
        text = text.strip()
        folded = fold(text)
        own_words = words_folded(folded)
        lang, unsupported = (language, "") if language else identify_language(own_words, text)
        own_numbers = numbers_of_folded(folded)
        follow = resolve_analysed(text, folded, own_numbers, history)
        search, search_folded = _expand_folded(text, folded)
        if follow.prefix:  # "and in 54/10?": the previous question asked of another resolution
            prefix, prefix_folded = _expand_folded(follow.prefix + " ", fold(follow.prefix + " "))
            search, search_folded = prefix + search, prefix_folded + search_folded
        numbers = numbers_of_folded(search_folded)
        if follow.numbers and not numbers:
            numbers = list(follow.numbers)
        paragraph = follow.paragraph if follow.paragraph is not None else _paragraph_ref(search_folded)
        context = cls.of(follow.context, lang) if follow.context else None
        return cls(
            text=text,
            language=lang,
            search_text=search,
            folded=search_folded,
            words=tuple(words_folded(search_folded)),
            numbers=tuple(numbers),
            paragraph=paragraph,
            answer_types=tuple(asked_folded(search_folded)),
            counted=counted_folded(search_folded),
            context=context,
            inherited=follow.inherited,
            filters=filters or Filters(),
            history=tuple(history),
            unsupported=unsupported,
            own_folded=folded,
        )

    @classmethod
    def of(cls, text: str, language: str | None = None) -> Question:
        """A question on its own, as typed (no conversation, no abbreviation expansion): for callers
        that search with a plain string (benchmarks, the LangChain retriever, tests)."""
        folded = fold(text)
        ws = words_folded(folded)
        return cls(
            text=text,
            language=language or guess_language_of(ws, text),
            search_text=text,
            folded=folded,
            words=tuple(ws),
            numbers=tuple(numbers_of_folded(folded)),
            paragraph=_paragraph_ref(folded),
            answer_types=tuple(asked_folded(folded)),
            counted=counted_folded(folded),
            own_folded=folded,
        )

    # -- what the stages read ---------------------------------------------------------------
    @cached_property
    def languages(self) -> tuple[str, ...]:
        """The question's language and those it is also searched in."""
        return search_languages(self.language)

    @cached_property
    def search_words(self) -> tuple[str, ...]:
        """`words` less the word that introduces a named resolution ("resolution" in "resolution
        30/25"): it names the document, which the number already finds, and matched as a word it
        ranks the preamble's lists of recalled resolutions above what the question asks about."""
        if not self.numbers:
            return self.words
        named = set(self.numbers)
        ws = self.words
        resolution_word = query_patterns().resolution_word
        return tuple(
            w for i, w in enumerate(ws)
            if not (resolution_word.fullmatch(w) and any(n in named or n[:1].isdigit() for n in ws[i + 1 : i + 3]))
        )

    @cached_property
    def asked_words(self) -> tuple[str, ...]:
        """`content_words` less those the conversation already used: in "How much does that package
        cost?" after an answer about the package, "cost" is what the sources must hold."""
        if not self.inherited:
            return self.content_words
        # a resolution named ("and resolution 54/20?", "2684 (2023)") says where to look, not what to find there
        named = set(self.numbers) | set(_SC_YEAR.findall(self.folded))
        return tuple(w for w in self.content_words if w not in named and not (stem_variants(w) & self.inherited))

    @cached_property
    def expanded(self) -> frozenset[str]:
        """The abbreviations the question writes that `search_text` spells out ("hrc" for "HRC"),
        folded: the expansion's words say what they stand for."""
        pattern = query_patterns().abbreviation
        if pattern is None:
            return frozenset()
        return frozenset(w for m in pattern.finditer(self.text) for w in words_folded(fold(m.group(1))))

    @cached_property
    def _dated_months(self) -> tuple[tuple[int, str], ...]:
        """Each month the question writes with its year and no day: (yyyymm, 0 for no such month;
        the words that write it), read once for `months` and `dating_words`."""
        out = [(int(m.group(1)) * 100 + int(m.group(2)) if 1 <= int(m.group(2)) <= 12 else 0, m.group(0))
               for m in _HAN_MONTH.finditer(self.folded)]
        for n, pattern in _month_patterns():
            out += [(int(m.group(2)) * 100 + n, m.group(0)) for m in pattern.finditer(self.folded) if not m.group(1)]
        return tuple(out)

    @cached_property
    def dating_words(self) -> frozenset[str]:
        """The words that date the text asked about: each year the question writes and the month
        names written with one ("october", "2023" in "in October 2023"). A text's date is in its
        record, not in its paragraphs' words (`RefusalPolicy.coverage` reads them so)."""
        out = {str(y) for y in self.years}
        for _, written in self._dated_months:
            out.update(words_folded(written))
        return frozenset(out)

    @cached_property
    def bodies(self) -> tuple[str, ...]:
        """The bodies the question names ("the Security Council", "le Conseil des droits de
        l'homme", "安理会"): none when it names none, or only "the Council". The lineage questions
        keep their search to them; the first stage raises their texts when it names one."""
        return bodies_named(self.folded, self.language)

    @cached_property
    def own_numbers(self) -> frozenset[str]:
        """The resolution numbers the question's own words name: not those carried from the
        conversation ("Who holds that mandate?" after a question on 54/20 names no text)."""
        return frozenset(numbers_of_folded(self.own_folded or self.folded))

    @cached_property
    def years(self) -> frozenset[int]:
        """Years the question writes, other than the resolution numbers it names: when the texts it
        asks about were adopted ("in December 2012"), or a date one of them sets ("until 2026").
        The first stage raises the texts adopted in one of them (and searches them apart), the second
        stage weighs it as a feature."""
        named = set(self.numbers)
        return frozenset(int(y) for y in _YEAR.findall(self.folded) if y not in named)

    @cached_property
    def months(self) -> frozenset[int]:
        """Months the question writes with their year and no day, as `yyyymm` ("en octobre 2021" →
        202110): the month a text was adopted in, as people date a renewal ("the August 2023
        renewal"). A full date ("until 31 August 2023") is a date a text sets, not read here."""
        return frozenset(month for month, _ in self._dated_months if month)

    @cached_property
    def bare_months(self) -> frozenset[int]:
        """Months the question writes without a year or a day, as numbers 1–12, from its own words
        ("frente a la breve prórroga de septiembre de ese mismo año", "the renewal it adopted that
        June", "同年5月那份"): the month of a text of a year the question leaves to its context."""
        return frozenset(n for n, pattern in _bare_month_patterns() if pattern.search(self.own_folded))

    @cached_property
    def stems(self) -> tuple[str, ...]:
        """Content words stemmed for every search language: what the lexical index is asked."""
        return self.stems_for(self.languages)

    def stems_for(self, languages: tuple[str, ...]) -> tuple[str, ...]:
        return _stems(self.search_words, languages)

    @cached_property
    def similar_stems(self) -> tuple[str, ...]:
        """Stems of the words the language tables give as meaning what a question word means
        ("prolonger" → "proroger"), not already among `stems`: searched at a translation's weight."""
        similar = tuple(dict.fromkeys(s for w in self.content_words for s in similar_words(w, self.languages)))
        own = set(self.stems)
        return tuple(s for s in _stems(similar, self.languages) if s not in own) if similar else ()

    @cached_property
    def own_tokens(self) -> tuple[str, ...]:
        """Content words stemmed in the question's own language (what the bilingual lexicon translates)."""
        return tuple(tokens_of_words(list(self.search_words), self.language))

    @cached_property
    def content_words(self) -> tuple[str, ...]:
        """The question's content words, folded, each once, in order."""
        return tuple(w for w in dict.fromkeys(self.search_words) if is_content(w))

    @cached_property
    def parts(self) -> tuple[Question, ...]:
        """The sub-questions of a question asking several things, each with this one as context."""
        return tuple(self._part(p) for p in parts_of_folded(self.folded))

    def _part(self, folded_part: str) -> Question:
        return replace(
            self,
            search_text=folded_part,
            folded=folded_part,
            words=tuple(words_folded(folded_part)),
            paragraph=None,
            answer_types=tuple(asked_folded(folded_part)),
            counted=counted_folded(folded_part),
            context=self,
        )

    @property
    def standalone(self) -> str:
        """The question with the conversation folded in, as text (for a language model)."""
        return f"{self.search_text} ({self.context.search_text})" if self.context else self.search_text

    def terms(self, languages: tuple[str, ...]) -> frozenset[str]:
        """Stems of the question and its context for `languages` (what a paragraph's clauses are matched with)."""
        words = self.words + (self.context.words if self.context else ())
        return frozenset(_stems(words, languages))

    def highlight_terms(self) -> tuple[frozenset[str], frozenset[str]]:
        """(content words, their stems in every understood language): what the UI marks in a paragraph."""
        words = frozenset(self.content_words)
        return words, frozenset(s for w in words for s in _stems((w,), None))

    @property
    def analysis(self) -> QueryAnalysis:
        """The older shape of the question's look-up facts (numbers, paragraph, language)."""
        return QueryAnalysis(self.search_text, self.language, list(self.numbers), self.paragraph)


@lru_cache(maxsize=4096)
def _stems(words: tuple[str, ...], languages: tuple[str, ...] | None) -> tuple[str, ...]:
    return tuple(query_tokens_of_words(list(words), languages))
