"""Whether the retrieved paragraphs answer the question, and which of them to cite.

One similarity score barely separates answerable from unanswerable questions here (measured:
the best single threshold on the top-1 score is close to always answering). Three signals do
better, each generic:

1. coverage — the share of the question's rare words (weighted by their rarity in the index)
   found in the best paragraphs, in any language version or through the bilingual lexicon;
2. unknown names — a capitalised name in the question that the index has never seen
   ("Venezuela" in a corpus without it) means the corpus cannot be about it;
3. answer type — a question asking "how many" needs a number in the source that is not a
   date or a reference to another resolution, next to the thing it counts when it names one
   ("how many members" → "three members"); "for how long" needs a period or an end date.
4. absent names — a rarer name the question gives ("Madagascar" in "the previous renewal of the UN
   support mission in Madagascar") that no paragraph of the documents chosen holds, in any of their
   language versions: an answer from another mission's text is about something else.

Thresholds are calibrated on the development sets (`reso eval`), reported in the README.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from reso.assistant.answer_types import counts, gives, telling
from reso.assistant.models import Retrieved
from reso.assistant.question import Question, bodies_named
from reso.index.analysis import all_stopwords, fold, similar_words, stem_variants, tokens
from reso.index.chunks import Chunk
from reso.index.languages import languages
from reso.index.lexical import LexicalIndex, paragraph_tokens_of, symbol_numbers
from reso.index.lexicon import Lexicon, bundled

# the answer types whose absence from the chosen paragraphs means they do not answer: a number,
# a frequency, a period, an amount of money, a person's name, a place, a chair ("a date" and "a
# session" are often implied)
TELLING_ABSENCE = ("amount", "chair", "name", "place", "quantity", "frequency", "duration")
_HAN_PAIR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2}")
# a capitalised word opening a sentence is no name: after a full stop, at the start, or after the
# inverted mark opening a Spanish question ("¿Cuántos…", "¡Dónde…")
_NAME = re.compile(r"(?<![.?!]\s)(?<![¿¡])(?<!^)\b([A-Z][a-zà-ÿ]{3,})\b")
# a run of capitalised words, joined by the little words of a title ("Documento Final de la Cumbre
# Mundial", "Office of the High Commissioner"), not by a place's preposition ("Mission in Madagascar")
_NAME_RUN = re.compile(r"[A-ZÀ-Þ][\w’'-]*(?:\s+(?:(?:de|del|al|la|las|los|le|les|des|du|au|aux|d’|d'|of|the|for|pour|para|y|et|and)\s+)*[A-ZÀ-Þ][\w’'-]*)*")
# the weight of a question word that the best paragraphs do not hold and another paragraph of a text
# the question names does (`RefusalPolicy.coverage`)
DOCUMENT_CREDIT = 0.5
# a question word the best paragraphs lack, all in languages other than the question's, and that the
# lexicon translates into none of them, is left out of the coverage rather than counted missing
UNTRANSLATED_UNCHECKED = True
# a name shared by more paragraphs than this (a share of the index) is no subject a text must hold:
# "Secretary", "Member", "Mission"
ABSENT_NAME_MAX_SHARE = 0.05


@dataclass
class Decision:
    answerable: bool
    sources: list[Retrieved] = field(default_factory=list)
    related: list[Retrieved] = field(default_factory=list)
    coverage: float = 0.0
    reason: str = ""


@dataclass
class RefusalPolicy:
    min_coverage: float = 0.4  # share of the question's rare-word weight found in the best paragraphs
    top_for_coverage: int = 3
    source_ratio: float = 1.0  # a further paragraph is cited only when it scores as well as the best (ties);
    # multi-part questions get a source per part instead (Assistant._cover_each_part): measured, that kept
    # recall and raised precision over citing near-ties (corpus dev 0.76 → 0.80)
    max_sources: int = 3
    index: LexicalIndex | None = None  # the retriever's lexical index (BM25): word rarity and vocabulary
    translations: Lexicon = field(default_factory=bundled)  # the word tables between languages: words match another version
    # each paragraph's tokens as the index holds them (the retriever's tables); tokenised when absent
    paragraph_tokens: Callable[[Chunk], list[str]] = paragraph_tokens_of
    def _stems(self, word: str, languages_: tuple[str, ...] = ()) -> set[str]:
        """The word's stems and their translations from the question's language (`languages_[0]`)
        into those it is searched in (the rest); every direction when the languages are not given."""
        stems = stem_variants(word)
        if not languages_:
            return stems | set(self.translations.translate_all(stems))
        out = set(stems)
        for other in languages_[1:]:
            out.update(self.translations.translate(stems, languages_[0], other))
        return out

    def coverage(self, question: Question, retrieved: list[Retrieved], named_texts: bool = False) -> float:
        """The share of the question's rare-word weight the best paragraphs hold. With `named_texts`
        (the decision to answer, not the comparison of two paragraphs' words), a word held by
        another paragraph of a text the question names counts `DOCUMENT_CREDIT` of its weight."""
        generic = languages().generic  # words that say what kind of text is asked about: they match everywhere
        # a follow-up's evidence is what it asks anew, not the subject the conversation already named
        # an abbreviation spelt out ("HRC") is covered by its expansion's words, not by itself
        qwords = [w for w in question.asked_words if w not in generic and w not in question.expanded]
        if not qwords:
            return 1.0
        present: set[str] = set()
        documents: set[str] = set()  # those of the best paragraphs that the question's words name
        languages_read: set[str] = set()
        for r in retrieved[: self.top_for_coverage]:
            for c in r.versions.values() or [r.chunk]:
                languages_read.add(c.language)
                present.update(self.paragraph_tokens(c))
                present.update(_heading_tokens(c.document, c.title, c.language))
                if c.date and question.dating_words:
                    present.update(_date_words(c.date, question))
                if named_texts and question.own_numbers.intersection(symbol_numbers(c.document)):
                    documents.add(c.document)
        # no best paragraph in the question's language: its words are read through the lexicon only
        translated_only = UNTRANSLATED_UNCHECKED and question.language not in languages_read
        total = covered = 0.0
        for w in qwords:
            stems = self._stems(w, question.languages)
            if self.index is not None and _HAN_PAIR.fullmatch(w) and not self.index.knows(stems):
                continue  # a pair of characters across two words ("议允"): not a word; its characters count
            # the word, or one its language's table gives the same meaning ("prolonger" a mandate: "proroger")
            near = similar_words(w, question.languages)
            similar = [self._stems(s, question.languages) for s in near]
            held = bool(stems & present or any(x & present for x in similar))
            if translated_only and not held and stems.union(*similar) <= _own_forms(w, near):
                continue  # the lexicon has no word for it in the paragraphs' languages: it can be checked neither way
            weight = max((self.index.idf(s) for s in stems), default=1.0) if self.index is not None else 1.0
            total += weight
            if held:
                covered += weight
            elif documents and self.index is not None and documents & self.index.documents_holding(stems.union(*similar)):
                # in another paragraph of a text the question names: it says what that text is
                # about ("1390, which froze the funds…: by when must States report?") and asks what
                # one paragraph says. Not for a text it does not name: an answer from a text on a
                # neighbouring subject holds the question's words somewhere too (measured:
                # multilingual-dev answered six questions from a wrong text that way)
                covered += DOCUMENT_CREDIT * weight
        return covered / total if total else 1.0

    def unknown_names(self, question: Question) -> list[str]:
        """Capitalised names in the question that no indexed paragraph mentions, in any form."""
        if self.index is None:
            return []
        out = []
        for name in _NAME.findall(question.search_text):  # capitals: read as typed; each name folded alone
            w = fold(name)
            if w in languages().generic or w in all_stopwords():
                continue
            if not self.index.knows(self._stems(w, question.languages), prefix=w[:6]) and not any(
                    self.index.knows(self._stems(s, question.languages), prefix=s[:6])
                    for s in similar_words(w, question.languages)):  # "Center" for the texts' "Centre"
                out.append(name)
        return out

    def absent_names(self, question: Question, sources: list[Retrieved]) -> list[str]:
        """Capitalised names in the question, known to the index but rare in it, that no paragraph
        of the documents cited holds (any language version, their titles too): the index has texts on
        Madagascar's judges, none on a mission there. Read leniently, since a wrong refusal costs
        more than a missed one: a name counts as held by a word sharing its stem's start ("Iranian"
        by "Iran", "Russia" by "Russian"), by its translations into the languages searched, and a title's run
        of capitals ("Documento Final de la Cumbre Mundial") by any of its words. Names held by more
        than a twentieth of the paragraphs ("Secretary", "Member") and month names are no subject."""
        if self.index is None or not sources:
            return []
        n = len(self.index.chunks)
        docs = {c.document for r in sources for c in (r.versions.values() or [r.chunk])}
        headings = {t for r in sources for c in (r.versions.values() or [r.chunk])
                    for t in _heading_tokens(c.document, c.title, c.language)}
        out = []
        text = question.text  # as asked: a follow-up's carried subject is the history's
        names = [(m.start(), m.group(1)) for m in _NAME.finditer(text)]
        for run in _NAME_RUN.finditer(text):
            checked = []
            for name in (name for at, name in names if run.start() <= at < run.end()):
                w = fold(name)
                if w in languages().generic or w in all_stopwords() or w in _english_months():
                    continue
                # translated into the languages the question is searched in (its own, English, French),
                # not all thirty pairs: each pair's table is read on its first use (~45 MB in all)
                stems = {s for s in self._stems(w, question.languages) if s in self.index.df}
                stems |= {s for x in similar_words(w, question.languages) for s in self._stems(x, question.languages)
                          if s in self.index.df}
                if not stems:
                    continue  # unknown to the index: `unknown_names`
                stems |= set(self.index.with_prefix(w[: max(4, len(w) - 3)], limit=50))
                held = self.index.holding(stems)
                if held.sum() > ABSENT_NAME_MAX_SHARE * n:
                    continue
                checked.append((name, stems, held))
            if not checked:
                continue
            if any(stems & headings or any(self.index.chunks[i].document in docs for i in held.nonzero()[0])
                   for _, stems, held in checked):
                continue
            out.append(" ".join(name for name, _, _ in checked))
        return out

    def other_body(self, question: Question, sources: list[Retrieved]) -> str:
        """The one body the question names ("what did the General Assembly adopt …") when no text
        chosen is that body's: an answer from the Human Rights Council's text on the same subject
        answers another question. Of the 164 answerable questions of the development and own sets
        that name a body and no resolution, 160 name one and always their text's; a question naming
        a resolution is answered from it whatever body it says, and one whose chosen paragraphs
        name that body may be asking about it."""
        if len(question.bodies) != 1 or question.own_numbers:
            return ""
        body = question.bodies[0]
        if any(r.chunk.body == body for r in sources):
            return ""
        # a paragraph naming that body is about it ("Takes note of the report of the Human Rights
        # Council", asked of the Assembly's text): the question may name it as the subject
        if any(body in bodies_named(fold(c.text), c.language) for r in sources for c in (r.versions.values() or [r.chunk])):
            return ""
        return f"the texts found are not the {body}'s"

    def answer_type_missing(self, question: Question, sources: list[Retrieved]) -> str:
        """Checked for the types whose absence is telling: a number, a period, a place…"""
        versions = [c for r in sources for c in (r.versions.values() or [r.chunk])]
        for kind in telling(question.answer_types):
            if kind not in TELLING_ABSENCE:
                continue
            if kind == "quantity" and question.counted:
                # a number of the thing counted, not any number of the topic's paragraph
                stems = {lang: self._counted_stems(question, lang) for lang in {c.language for c in versions}}
                found = any(counts(c.text, c.language, stems[c.language]) for c in versions)
            else:
                found = any(gives(kind, c.text) for c in versions)
            if not found:
                return f"the question asks for a {kind} that the paragraphs do not give"
        return ""

    def _counted_stems(self, question: Question, language: str) -> frozenset[str]:
        """The thing counted as a paragraph in `language` can write it: its stems in every language
        ("membres" → membr; "personas" → person) and, for another language's paragraph, their
        translations through the bilingual lexicon ("成员" → member, "членов" → member)."""
        out: set[str] = set()
        for word in question.counted:
            stems = stem_variants(word)
            out |= stems
            if language != question.language:
                out.update(self.translations.translate(stems, question.language, language))
        return frozenset(out)

    def decide(self, question: Question, retrieved: list[Retrieved]) -> Decision:
        if not retrieved:
            return Decision(False, reason="nothing retrieved")
        top = retrieved[0]
        if top.match == "exact":
            return Decision(True, [top], coverage=1.0, reason="exact paragraph reference")
        related = retrieved[:3]
        cov = self.coverage(question, retrieved, named_texts=True)
        if cov < self.min_coverage:
            return Decision(False, related=related, coverage=cov, reason="the question's words are not in the paragraphs")
        unknown = self.unknown_names(question)
        if unknown:
            return Decision(False, related=related, coverage=cov, reason=f"not in the index: {', '.join(unknown)}")
        sources = self.select_sources(retrieved)
        missing = self.answer_type_missing(question, sources)
        if missing:
            giving = self._giving(question, retrieved)
            if giving is None:
                return Decision(False, related=related, coverage=cov, reason=missing)
            sources = [giving]
        absent = self.absent_names(question, sources)
        if absent:
            return Decision(False, related=related, coverage=cov, reason=f"not in the texts found: {', '.join(absent)}")
        other = self.other_body(question, sources)
        if other:
            return Decision(False, related=related, coverage=cov, reason=other)
        return Decision(True, sources, coverage=cov, reason="the question's words are in the best paragraphs")

    def _giving(self, question: Question, retrieved: list[Retrieved]) -> Retrieved | None:
        """A paragraph just below the best, of the same document, that gives the kind of answer the
        best lacks ("how often must the Secretary-General report?": the paragraph asking for a report
        "every 60 days", not the one on the mandate ranked above it); None when there is none. Not for
        a place or a person: any place or name would pass, whatever it is of (a neighbour recalling a
        meeting in Geneva answers no "where will the session be held?"); only a frequency, or a number
        of the thing counted, is looked for further down."""
        kinds = set(telling(question.answer_types)) & set(TELLING_ABSENCE)
        if not kinds or not kinds <= {"frequency", "quantity"} or ("quantity" in kinds and not question.counted):
            return None
        top = retrieved[0]
        for r in retrieved[1 : self.top_for_coverage]:
            if r.chunk.document == top.chunk.document and not self.answer_type_missing(question, [r]):
                return r
        return None

    def select_sources(self, retrieved: list[Retrieved]) -> list[Retrieved]:
        """The best paragraph, and those of the same document and part scoring nearly as well.

        Same part: a question answered by what the Council decides is rarely also answered by
        what it recalls; extra preambular citations were most of the measured imprecision.
        """
        top = retrieved[0]
        sources = [top]
        for r in retrieved[1:]:
            if len(sources) >= self.max_sources:
                break
            if (
                r.score >= self.source_ratio * top.score
                and r.chunk.document == top.chunk.document
                and r.chunk.kind == top.chunk.kind
            ):
                sources.append(r)
        return sources


def _own_forms(word: str, similar: Sequence[str]) -> set[str]:
    """The word's own stems and those of its language's near words: what it is before translation."""
    out = set(stem_variants(word))
    for s in similar:
        out |= stem_variants(s)
    return out


def _date_words(date: str, question: Question) -> set[str]:
    """The question's dating words a text adopted on `date` holds in its record: the year, and
    the month names written with it when the question's month is that text's ("in October
    2023" and 2023-10-12)."""
    year, month = int(date[:4]), int(date[:4] + date[5:7]) if len(date) >= 7 else 0
    out = {str(year)} & question.dating_words
    if month in question.months:
        out |= {w for w in question.dating_words if not (len(w) == 4 and w.isdigit())}  # not another year
    return out


@lru_cache(maxsize=1)
def _english_months() -> frozenset[str]:
    """The months English capitalises ("in October"): a date, not what a text is about. The other
    languages write theirs in lower case, which `_NAME` never reads."""
    return frozenset(languages()("en").get("answers", "calendar_months", ()))


@lru_cache(maxsize=8192)
def _heading_tokens(document: str, title: str, language: str) -> tuple[str, ...]:
    """A document's symbol and title as tokens: part of each of its paragraphs' evidence, tokenised
    once per document (the lexical index scores them apart, with the symbol's numbers). The numbers
    a reader names it by ("2094", "54/10") are among them: the symbol is one token
    ("s/res/2094"), and a question naming the text it is answered from has its number covered."""
    return (*tokens(f"{document} {title}", language), *symbol_numbers(document))

