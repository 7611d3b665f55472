"""Questions about change and lineage, answered from the index's history with citations on both sides.

"What is new in the 2025 UNMISS mandate compared with 2023?", "What changed between resolution
2677 (2023) and 2779 (2025)?", "Which resolutions recall 2677 (2023)?", "Which resolutions does
S/RES/2779 (2025) cite?", "Which resolutions preceded 2677 (2023)?": no single paragraph answers
these, so the search finds pieces of one text and the reply misses the other side. The answer is
in the `Lineage` of the index state (the comparison of two texts, who cites whom, the series).

`LineageQuestions.reply()` is the hook the assistant calls before the document questions and the
search: `None` for any other question (the search goes on), or the whole reply. The kind of
question is read from rows of the language tables (`[lineage] *_patterns`, sentences a language
uses, on the folded question, in its own language), else from its words (`cue_*` rows, weighed by
how many resolutions it names: `_kind_by_cues`), since held-out questions written by others use
wordings no list of sentences holds; the documents from the question's analysed numbers
(`question.numbers`) or, for "the 2025 UNMISS mandate", from a mission's name and a year (the
documents of that year whose text names the mission most, found by its acronym in any language
version, else among the paragraphs the search retrieves for the question, of one series).

"When did the Council first mention X?" is answered from the oldest text holding X: as a term when
its words stand together (`terms.py`: its wording in other languages learned from aligned
paragraphs), else word by word through the lexicon.

Extractive: every sentence quotes the paragraphs' own words, and every marker names a paragraph
the index holds (a `Retrieved` built from the index's own chunk). A question naming a document the
index does not hold is declined saying so; two texts with no difference are declined too (the
question asks about a change that did not happen).

Questions the document questions already answer ("what does the preamble of 54/10 recall?") are
left to them: a "which does X cite" or "which preceded X" question naming the preamble.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from functools import cached_property

import numpy as np

from reso.assistant.citations import marker
from reso.assistant.document_questions import DocumentReply, asked_about
from reso.assistant.lineage.cognates import Cognates
from reso.assistant.lineage.kinds import KindModel
from reso.assistant.lineage.kinds import shipped as shipped_kinds
from reso.assistant.lineage.terms import Terms, TermRows
from reso.assistant.lineage.types import AlignedPair, Comparison, Lineage, Mention, SeriesEntry
from reso.assistant.models import Retrieved
from reso.assistant.question import Question
from reso.assistant.refusal import RefusalPolicy
from reso.assistant.retrieval import RetrievalTables
from reso.index.analysis import stem_variants, tokens, tokens_of_words, words_folded
from reso.index.chunks import Chunk
from reso.index.languages import languages
from reso.index.lexical import DocumentRows, symbol_numbers
from reso.index.lexicon import LANGUAGES
from reso.index.model import normalise_pid, normalise_symbol
from reso.prompts import counted, phrase

KINDS = ("change", "cited_by", "cites", "earliest", "series")  # in the order they are tried
MAX_ITEMS = 5  # a change answer lists at most this many paragraphs
MAX_MENTIONS = 6  # a cites / cited-by answer lists at most this many documents
MAX_PREDECESSORS = 3  # "which resolution preceded X": its nearest predecessors in its series
QUOTE_WORDS = 40
_FIRST_DATE = "1945-10-24"  # the Charter: an earlier date is a misread one
# share of the topic's rarity weight a paragraph must hold to be "about" it: every rare word (in the
# paragraph or through the lexicon's translations); only a common one ("measures", "question") may be missing
EARLIEST_HOLDS = 0.8
EARLIEST_TRANSLATIONS = 3  # a topic word's strongest translations looked for in each other language
EARLIEST_WINDOW = 6  # the topic's words must fall within this many tokens a word of one another (+4)
EARLIEST_STRENGTH = 0.75  # … those at least this share as strong as the best: the rest are its neighbours ("ebola" → "epidemic")
_HAN_PAIR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2}")
UNLEXED_MIN_ALIGNED = 5  # aligned paragraphs enough to learn an untranslated topic word's wording
UNLEXED_MAX_ROWS = 400  # … from at most this many paragraphs holding it
COGNATE_MIN_RATIO = 0.8  # a Latin-script topic word and another language's token it may be spelt as ("medalla", "medal")
COGNATE_MAX_DF = 300  # … a rare token: a common word of the other language is no cognate of a rare one
_LATIN = frozenset({"en", "fr", "es"})
TOPIC_SHARE = 0.4  # a topic word picks out at most this share of the differing paragraphs

_YEAR = re.compile(r"(?<![\d/(])((?:19[4-9]|20[0-4])\d)(?![\d/)])")  # a year on its own, not "(2023)" of a symbol
_ACRONYM = re.compile(r"\b[A-ZА-ЯЁ]{3,}[A-ZА-ЯЁ0-9-]*\b")
_NOT_MISSIONS = frozenset({"RES", "UN", "HRC", "GA", "SC", "OP", "PP", "ONU", "ООН", "СБ"})


def _patterns(language: str) -> dict[str, re.Pattern[str]]:
    """Each kind's rows of the question's language (every language's for one without a table)."""
    return {kind: languages().pattern("lineage", f"{kind}_patterns", language)
            for kind in (*KINDS, "previous", "first", "body_sc", "body_hrc", "body_ga")}


def _preamble() -> re.Pattern[str]:
    return languages().pattern("paragraphs", "preamble_patterns")


_SHIPPED = object()


def kind_of(question: Question, model: KindModel | None | object = _SHIPPED) -> str | None:
    """The kind of lineage question ("change", "cited_by", "cites", "earliest", "series"), None for
    another. "When did the Council first …" naming a resolution asks for the first of its series
    ("series"); naming none, for the oldest indexed text on the topic it names ("earliest").

    Read by the rows, else by the cues, else by the learned model (`kinds.py`, the shipped one
    unless `model` is given; None: rows and cues alone)."""
    kind = _kind_by_rows(question)
    if kind is None:
        kind = _kind_by_cues(question)
    if kind is not None:
        return kind
    if model is _SHIPPED:
        model = shipped_kinds()
    if model is None or _not_lineage(question):
        return None
    return model.kind(question)  # type: ignore[union-attr]


def _not_lineage(question: Question) -> bool:
    """The document questions' own: "recalled with resolution 65/281", "what its preamble recalls"."""
    return bool(_cues(question.language)["alongside"].search(question.own_folded) or _preamble_only(question.own_folded))


def _preamble_only(folded: str) -> bool:
    """Whether the question asks of a text's preamble alone ("what its preamble recalls": the
    document's own question, its preambular paragraphs); one naming the preamble and the operative
    part ("在序言和执行部分里点名提到了哪些以前的决议") asks of the whole text."""
    return bool(_preamble().search(folded)) and not languages().pattern("paragraphs", "operative_patterns").search(folded)


def _kind_by_rows(question: Question) -> str | None:
    folded = question.folded
    for kind, pattern in _patterns(question.language).items():
        if kind in KINDS and pattern.search(folded):
            cues = _cues(question.language)
            if kind == "series" and not question.numbers and cues["first"].search(folded):
                return "earliest"  # "ما أول قرار … تناول …": the first resolution on a topic, none named
            if kind == "series" and cues["many"].search(folded) and cues["reference"].search(folded):
                return "cites"  # "¿En qué resoluciones anteriores se basa la resolución …?": what it cites
            return "series" if kind == "earliest" and question.numbers else kind
    return None


# the `cue_*` rows of each language's `[lineage]` table: words of first, of when, of asking which text(s)
# ("many": several), of citing ("reference"), of mentioning or addressing, of the named text being the
# one citing ("cites"), of before, of renewing, of change; a paragraph named, "recalled with" (the
# document's own question), a sanctions regime (the Council's)
CUES = ("first", "when", "which", "many", "reference", "mention", "cites", "previous", "renewal", "change", "paragraph",
        "alongside", "sanctions", "later", "passive", "next", "since", "mission", "inside", "text")


def _cues(language: str) -> dict[str, re.Pattern[str]]:
    return {cue: languages().pattern("lineage", f"cue_{cue}", language) for cue in CUES}


def _kind_by_cues(question: Question) -> str | None:
    """The kind read from what the question names and the words it uses, whatever their order,
    when no row reads it: "¿En qué resoluciones se menciona la resolución 2474 (2019)?", "Sur
    quelles résolutions antérieures s'appuie la résolution 2538 (2020) ?", "第2525(2020)号决议引用了
    哪些先前的决议？", "Quelle résolution avait prorogé le mandat … avant la résolution 2717 (2023) ?",
    "À quand remonte la première mention du Processus de Kimberley ?". Rows are sentences a
    language uses; these are its words (`cue_*` in the `[lineage]` tables), weighed by what the
    question names: resolutions, or a mission and its year ("the 2022 MINUSCA resolution"):

    - two texts (two resolutions, one and a year, a mission and two years) and a word of change or
      comparison → "change";
    - one text, a word of citing, and asking which texts, whether any, where or who → "cites" or
      "cited_by", by `_cited_side`;
    - one text and a word of before or after (of renewing with "which"), → "series";
    - none, and a word of first beside which text or a verb of mentioning, or a "since when" / "began
      to", no paragraph named → "earliest" ("when is the first report due?" is none: nothing is
      mentioned).
    """
    folded = question.own_folded
    patterns = _cues(question.language)
    cue = {name: bool(p.search(folded)) for name, p in patterns.items()}
    if cue["alongside"] or _preamble_only(folded):
        return None  # "rappelées avec la résolution 65/281", "what its preamble recalls": the document's own question
    named = len(dict.fromkeys(question.numbers))
    years = len(_years(question))
    mission = bool(_acronyms(question)) or cue["mission"]
    # the other text may be dated by its month alone: "frente a la breve prórroga de septiembre"
    dated = years >= 1 or bool(question.months) or bool(question.bare_months)
    if cue["change"] and (named >= 2 or (named == 1 and (dated or cue["previous"])) or (years >= 2 and mission)):
        return "change"
    one = named == 1 or (named == 0 and years == 1 and mission)
    if one:
        # "which texts recall 1540 (2004)? with the paragraphs": the texts asked for, a paragraph named
        # beside them; "which paragraphs of 2334 mention settlements?" asks for no text, "which
        # resolution does 78/186 recall as having established the Council?" for one paragraph
        if cue["reference"] and cue["many"]:
            return _cited_side(question, folded, patterns, cue)
        if cue["paragraph"]:
            return None
        if cue["reference"] and cue["later"] and not cue["cites"]:
            # a word of citing and one of after, no text asked for ("Был ли он упомянут впоследствии?",
            # "هل جرى الاستناد إليه في قرارات لاحقة؟"): what cites it ("what does X recall?" is its content)
            return "cited_by"
        if (cue["previous"] or cue["next"]) and (cue["which"] or cue["many"] or cue["renewal"]):
            return "series"
        if cue["renewal"] and (cue["next"] or cue["later"] or cue["previous"]):
            return "series"
        return None
    if named == 0 and not cue["paragraph"] and (
        _near(folded, patterns["first"], (patterns["which"], patterns["mention"], patterns["text"]), question.language)
        or (cue["since"] and (cue["mention"] or cue["when"] or cue["which"]))
        or (cue["first"] and cue["mention"] and cue["which"])
    ):
        return "earliest"
    return None


def _cited_side(question: Question, folded: str, patterns: dict[str, re.Pattern[str]], cue: dict[str, bool]) -> str:
    """Whether "which texts … resolution X" asks what X cites or what cites X. A word of before
    ("previous", "antérieures", "先前") points to what X cites, a word of after ("later",
    "posteriores", "后来", "where") to what cites it; X named as the text holding them ("in
    resolution X") cites; a passive verb ("is X recalled", "se menciona", "被重申") is said of the
    cited one; else where X stands: after the active verb of citing it is the cited one ("Какие
    документы опираются на резолюцию 1373?"), before it the citing one ("X recalls which …")."""
    if cue["cites"] != cue["later"]:
        return "cites" if cue["cites"] else "cited_by"
    if cue["inside"]:
        return "cites"  # "Dans la résolution de 2023 sur la FNUOD, quelles résolutions sont rappelées ?"
    if cue["passive"]:
        return "cited_by"  # "Where is 2334 cited?", "¿En qué resoluciones se menciona la 2231?", "Где цитируется …"
    verb = patterns["reference"].search(folded)
    at = min((m.start() for n in question.numbers for m in [re.search(re.escape(n.lower()), folded)] if m), default=None)
    if at is None:  # a mission and its year: where its name stands
        acronyms = _acronyms(question)
        found = re.search(re.escape(acronyms[0].lower()), folded) if acronyms else patterns["mission"].search(folded)
        at = found.start() if found else None
    if verb is None or at is None:
        return "cited_by"
    return "cites" if at < verb.start() else "cited_by"


def _near(text: str, first: re.Pattern[str], others: Sequence[re.Pattern[str]], language: str) -> bool:
    """Whether a word of `first` stands beside (two words at most between) a word of `others`:
    "la première mention", "أول قرار", "最早在哪项决议" are "when first" questions; "when the Council
    first created the Committee, for how long …, asked to submit their first report?" is not."""
    gap = 6 if language == "zh" else 2
    for f in first.finditer(text):
        for pattern in others:
            for o in pattern.finditer(text):
                between = text[f.end() : o.start()] if o.start() >= f.end() else text[o.end() : f.start()]
                if (len(between) if language == "zh" else len(between.split())) <= gap:
                    return True
    return False


# -- the index's documents, as the questions name them ------------------------------------------
@dataclass
class _Doc:
    symbol: str
    date: str
    body: str = ""  # "SC", "HRC", "GA": its chunks'
    paragraphs: dict[str, dict[str, Chunk]] = field(default_factory=dict)  # pid → language → chunk


class IndexedDocuments:
    """One index state's documents by number and year, and their paragraphs by id and language.

    Built on the first lineage question (one pass over the chunks), so ordinary questions never
    pay for it; a document's paragraphs are gathered when an answer cites it.
    """

    def __init__(self, chunks: Callable[[], Sequence[Chunk]]):
        self._chunks = chunks
        self._lock = threading.Lock()
        self._rows: dict[str, list[int]] | None = None
        self._by_number: dict[str, list[str]] = {}
        self._docs: dict[str, _Doc] = {}
        self._mentions: dict[str, dict[str, int]] = {}  # acronym → document key → paragraphs naming it

    def rows(self) -> dict[str, list[int]]:
        with self._lock:
            if self._rows is None:
                found = DocumentRows.of(self._chunks())
                self._by_number = found.by_number
                self._rows = found.rows
            return self._rows

    def named(self, number: str) -> list[str]:
        self.rows()
        return list(dict.fromkeys(self._by_number.get(number, ())))

    def doc(self, key: str) -> _Doc | None:
        key = normalise_symbol(key)
        found = self._docs.get(key)
        if found is not None:
            return found
        rows = self.rows().get(key)
        if not rows:
            return None
        chunks = self._chunks()
        mine = sorted((chunks[i] for i in rows), key=lambda c: c.order)
        # the spelling and date most versions print, the English one's first: one language version
        # may print its symbol badly ("S/RES/2659 (1)") and still be filed under the document
        english = [c for c in mine if c.language == "en"] or mine
        spellings = Counter(c.document for c in english)
        dates = Counter(c.date for c in english if c.date) or Counter(c.date for c in mine if c.date)
        found = _Doc(spellings.most_common(1)[0][0], dates.most_common(1)[0][0] if dates else "", mine[0].body)
        for c in mine:
            found.paragraphs.setdefault(normalise_pid(c.paragraph), {})[c.language] = c
        self._docs[key] = found
        return found

    def naming(self, acronym: str) -> dict[str, int]:
        """Documents whose paragraphs print the acronym (in any language version), with how many do."""
        with self._lock:
            counts = self._mentions.get(acronym)
        if counts is None:
            counts = {}
            pattern = re.compile(rf"(?<!\w){re.escape(acronym)}(?!\w)")
            for c in self._chunks():
                if acronym in c.text and pattern.search(c.text):
                    k = normalise_symbol(c.document)
                    counts[k] = counts.get(k, 0) + 1
            with self._lock:
                self._mentions[acronym] = counts
        return counts

    def retrieved(self, document: str, paragraph: str, lang: str, prefer: str | None = None) -> Retrieved | None:
        """The paragraph as a citation: the index's own chunk, shown in `prefer` (else `lang`)."""
        doc = self.doc(document)
        versions = doc.paragraphs.get(normalise_pid(paragraph)) if doc is not None else None
        if not versions:
            return None
        shown = versions.get(prefer or lang) or versions.get(lang) or versions.get("en") or next(iter(versions.values()))
        return Retrieved(shown, 1.0, dict(versions), "exact")

    def first_operative(self, document: str, lang: str) -> Retrieved | None:
        doc = self.doc(document)
        if doc is None:
            return None
        pids = list(doc.paragraphs)
        pid = next((p for p in pids if p.startswith("OP")), pids[0] if pids else None)
        return self.retrieved(document, pid, lang) if pid else None


def _year(doc: _Doc) -> str:
    m = re.search(r"\((\d{4})\)", doc.symbol)
    return m.group(1) if m else doc.date[:4]


# -- the hook ------------------------------------------------------------------------------------
Search = Callable[[Question], Sequence[Retrieved]]


class LineageQuestions:
    """The hook: a reply to a question about change and lineage, or None for any other question."""

    def __init__(self, lineage: Lineage, documents: IndexedDocuments, search: Search | None = None,
                 refusal: RefusalPolicy | None = None, tables: RetrievalTables | None = None):
        self.lineage = lineage
        self.documents = documents
        self.search = search
        # whether a paragraph holds a topic ("earliest"): the refusal policy's lexical index (the
        # postings, the words' rarity) and its lexicon, the tables its coverage reads too; and the
        # retrieval tables of the same rows (each row's language and language versions)
        self.refusal = refusal or RefusalPolicy()
        self.tables = tables
        self._since_of: dict[tuple[str, ...], str] = {}  # bodies → the oldest date the index holds

    @cached_property
    def _terms(self) -> Terms | None:
        """The state's reading of terms (one a state: it keeps what it learns of the rows' versions)."""
        if self.refusal.index is None or self.tables is None:
            return None
        return Terms(self.refusal.index, self.refusal.paragraph_tokens, self.tables)

    def reply(self, question: Question) -> DocumentReply | None:
        kind = kind_of(question)
        if kind is None:
            return None
        if kind in ("cites", "series") and asked_about(question) and _preamble().search(question.folded):
            # "¿qué resoluciones anteriores recuerda el preámbulo de X?": what X's preamble recalls,
            # the document questions' answer; "which resolutions does X cite?" is every paragraph's
            # mentions (an operative paragraph cites too: "as requested in paragraph 43 of 2321 (2016)")
            return None
        if kind == "earliest":
            return self._earliest(question)
        lang = question.language
        named, missing = self._named(question)
        if missing and kind == "cited_by" and not named and len(missing) == 1:
            # "which resolutions recall 1996 (2011)?" with 1996 not indexed: the texts citing it answer
            if self.lineage.related(missing[0]) is not None:
                return self._cited_by(missing[0], lang)
        if missing:  # "what changed between 2334 (2016) and …?" with 2334 not indexed: said so
            return DocumentReply(phrase("doc_not_indexed", lang, document=missing[0]), True)
        if kind == "change":
            if len(named) > 2:
                # "2049 (2012) extended the panel set up by 1929 (2010): what changed from 1984
                # (2011)?": the older text named is the context, the two latest the pair
                dated = sorted(named, key=lambda k: _year(d) if (d := self.documents.doc(k)) is not None else "")
                named = sorted(dated[-2:], key=named.index)
            if len(named) == 1 and (other := self._of_month(named[0], question) or self._series_member(named[0], question)):
                # one text named and the other by its year or month ("par rapport au texte de juin
                # 2017", "与同年5月那项延期决议相比"): a text of its own series, of that year, else the one before it
                named = [other, named[0]]
            if len(named) < 2:
                named = self._by_year(question, named)
            if len(named) < 2 and len(named) == 1 and _patterns(lang)["previous"].search(question.folded):
                before = self._previous(named[0])
                named = [before, named[0]] if before else named
            if len(named) < 2 and (sessions := _sessions(question)):
                # "the resolution of its 52nd session compared with 55/31": the Council's texts of the
                # sessions named, the index holding only some
                held = self._hrc_sessions()
                missing = [n for n in sessions if n not in held]
                if missing:
                    return DocumentReply(phrase("lineage_session_not_held", lang, session=missing[0], held=_spans(held)), True)
                named = self._by_session(question, named, sessions)
            if len(named) < 2:
                years = _years(question)
                if len(years) >= 2 and _acronyms(question):  # "the 2019 UNMISS mandate": no such text indexed
                    return DocumentReply(phrase("lineage_year_not_indexed", lang, mission=_acronyms(question)[0]), True)
                held = {_year(d) for k in named if (d := self.documents.doc(k)) is not None}
                missing = [y for y in years if y not in held]
                if len(years) >= 2 and missing:
                    # "¿Renovó el Consejo en 2024 el mandato de la Misión de Verificación …, y qué
                    # cambió con respecto a 2023?": no text of 2024 on it is indexed
                    return DocumentReply(phrase("lineage_year_not_held", lang, year=missing[0]), True)
                return None
            return self._change(named[0], named[1], question)
        if not named:
            named = self._by_year(question, [])[:1]
        if not named:
            return None
        if kind == "cited_by":
            return self._cited_by(named[0], lang)
        if kind == "cites":
            return self._cites(named[0], lang)
        return self._series(named[0], question)

    # -- which documents ---------------------------------------------------------------------------
    def _named(self, question: Question) -> tuple[list[str], list[str]]:
        """(the indexed documents the question names, in its order; the numbers it names that are not indexed)."""
        named: list[str] = []
        missing: list[str] = []
        for number in question.numbers:
            keys = self.documents.named(number)
            if not keys:
                missing.append(_spelt(number, question.search_text))
                continue
            # several documents share a bare number ("5/1" may name A/HRC/RES/5/1 and A/RES/5/1; a
            # version filed under a misprinted symbol, "S/RES/2659 (1)", beside S/RES/2659 (2022)):
            # the one of the year the question gives, else the one with a year and the most paragraphs
            year = re.search(rf"{re.escape(number)}\s*\((\d{{4}})\)", question.search_text)
            rows = self.documents.rows()
            keys = sorted(keys, key=lambda k: (bool(year) and f"({year.group(1)})" in k, bool(re.search(r"\(\d{4}\)", k)), len(rows.get(k, ()))),
                          reverse=True)
            named.extend(keys[:1])
        return list(dict.fromkeys(named)), missing

    def _by_year(self, question: Question, named: list[str]) -> list[str]:
        """For each year the question names (oldest first), the document of that year on the
        mission it names: "the 2025 UNMISS mandate compared with 2023" → the two renewals."""
        years = _years(question)
        if not years:
            return named
        counts: dict[str, float] = {}
        for acronym in _acronyms(question):
            for k, n in self.documents.naming(acronym).items():
                counts[k] = counts.get(k, 0.0) + n
        searched = not counts
        if searched and self.search is not None:
            bodies = set(question.bodies)
            if _cues(question.language)["sanctions"].search(question.folded):
                bodies.add("SC")  # a sanctions regime is the Security Council's: not a Human Rights Council text
            for r in self.search(question):
                if bodies and r.chunk.body not in bodies:
                    continue
                k = normalise_symbol(r.chunk.document)
                counts[k] = counts.get(k, 0.0) + max(r.score, 0.01)
        picked = list(named)
        for year in years:
            best = max(
                (k for k in counts if (d := self.documents.doc(k)) is not None and _year(d) == year),
                key=lambda k: (counts[k], k), default=None,
            )
            if best is not None and best not in picked:
                picked.append(best)
        if searched and not named and len(picked) == 2 and not self._same_series(*picked):
            # the best-ranked text of each year, on two subjects ("the 2024 Eritrea resolution" with
            # none of 2024 indexed: a 2024 text on Burundi): the less likely is no text of its year
            picked.remove(min(picked, key=lambda k: counts[k]))
        return picked

    def _hrc_sessions(self) -> set[int]:
        """The Human Rights Council sessions whose resolutions the index holds."""
        return {int(m.group(1)) for k in self.documents.rows() if (m := _HRC_SESSION.match(k))}

    def _by_session(self, question: Question, named: list[str], sessions: list[int]) -> list[str]:
        """For each session named, the Council's text of that session the search ranks best."""
        picked = list(named)
        have = {int(m.group(1)) for k in picked if (m := _HRC_SESSION.match(k))}
        ranked = [normalise_symbol(r.chunk.document) for r in (self.search(question) if self.search is not None else ())]
        for n in sessions:
            if n in have:
                continue
            of_session = [k for k in dict.fromkeys(ranked) if (m := _HRC_SESSION.match(k)) and int(m.group(1)) == n and k not in picked]
            # of that session's texts, one of the series of a text already picked (55/27 → 58/19 on
            # Belarus, not the 58/8 a Russian wording ranks first), else the best ranked
            every = [k for k in self.documents.rows() if (m := _HRC_SESSION.match(k)) and int(m.group(1)) == n]
            best = next((k for k in [*of_session, *every] if any(self._same_series(p, k) for p in picked)), None) or \
                next(iter(of_session), None)
            if best is not None:
                picked.append(best)
        return picked

    def _same_series(self, a: str, b: str) -> bool:
        related = self.lineage.related(a)
        return related is not None and normalise_symbol(b) in {normalise_symbol(e.document) for e in related.series}

    def _place(self, document: str) -> tuple[list[SeriesEntry], int] | None:
        """`document`'s series and its place in it; None outside a series."""
        related = self.lineage.related(document)
        if related is None:
            return None
        keys = [normalise_symbol(e.document) for e in related.series]
        me = normalise_symbol(related.document)
        return (related.series, keys.index(me)) if me in keys else None

    def _series_member(self, document: str, question: Question) -> str | None:
        """The text of `document`'s series a change question sets against it: of a year the question
        names that is not the document's own, the latest one before it (or the earliest after);
        with no other year named, the one just before it. None outside a series."""
        place = self._place(document)
        if place is None:
            return None
        series, at = place
        own = _year(d) if (d := self.documents.doc(document)) is not None else ""
        years = [y for y in _years(question) if y != own]
        if not years:
            return self._previous(document)
        of_year = [i for i, e in enumerate(series) if (e.date or "")[:4] in years and i != at]
        before = [i for i in of_year if i < at]
        pick = before[-1] if before else (of_year[0] if of_year else None)
        return normalise_symbol(series[pick].document) if pick is not None else None

    def _of_month(self, document: str, question: Question) -> str | None:
        """The text a change question dates by its month ("celle de juin 2006 qui la précédait", "the
        one from April 2006", "与2003年8月那份决议相比", "القرار الذي جدّدها في تموز/يوليه 2013"),
        other than `document`: of its series, else of the texts of its body it cites or that cite it
        (the tribunals' completion strategy 1534 (2004) recalls 1503 (2003), and no mission's series
        holds them). A month is sharper than the series' order: MONUC's 1711 (2006) follows the
        sanctions text 1698 (July) in the series the graph gives, where June asks 1693. None when the
        question dates no month, or no such text is held."""
        me = self.documents.doc(document)
        if me is None:
            return None
        months = {f"{m // 100:04d}-{m % 100:02d}" for m in question.months} - {me.date[:7]}
        if not months and me.date[:4].isdigit():
            # a month without its year ("frente a la breve prórroga de septiembre de ese mismo año",
            # "the renewal it adopted that June", "同年5月那份"): of the text's own year or a year beside it
            year = int(me.date[:4])
            months = {f"{y:04d}-{m:02d}" for m in question.bare_months for y in (year, year - 1, year + 1)}
            months -= {me.date[:7]}
        if not months:
            return None
        key = normalise_symbol(document)
        related = self.lineage.related(document)
        if related is None:
            return None
        candidates = [normalise_symbol(e.document) for e in related.series]
        candidates += [normalise_symbol(m.target) for m in related.cites if m.indexed]
        candidates += [normalise_symbol(m.source) for m in related.cited_by]
        dated = {k: d for k in dict.fromkeys(candidates) if k != key
                 and (d := self.documents.doc(k)) is not None and d.body == me.body and d.date[:7] in months}
        if len({d.date[:4] for d in dated.values()}) > 1:  # a bare month: the nearest year's
            nearest = min((d.date[:4] for d in dated.values()), key=lambda y: abs(int(y) - int(me.date[:4])))
            dated = {k: d for k, d in dated.items() if d.date[:4] == nearest}
        if len(dated) < 2:
            return next(iter(dated), None)
        # two texts of that month ("the previous one, of December 2010", on the Yugoslavia tribunal's
        # judges: 1954 on its judges and 1966 founding the Residual Mechanism, both recalled by 1993
        # (2011)): the one whose operative words are most like the text's own
        mine = _operative_words(me)
        return max(dated, key=lambda k: _overlap(mine, _operative_words(dated[k])))

    def _previous(self, document: str) -> str | None:
        place = self._place(document)
        if place is None or place[1] == 0:
            return None
        series, at = place
        return normalise_symbol(series[at - 1].document)

    # -- change ------------------------------------------------------------------------------------
    def _change(self, a: str, b: str, question: Question) -> DocumentReply:
        lang = question.language
        da, db = self.documents.doc(a), self.documents.doc(b)
        assert da is not None and db is not None
        if (_year(da), da.date, da.symbol) > (_year(db), db.date, db.symbol):  # older first: what the newer text added
            da, db = db, da
        comparison = self.lineage.compare(da.symbol, db.symbol, lang)
        if comparison is None:
            return DocumentReply(phrase("lineage_no_shared_language", lang, a=da.symbol, b=db.symbol), True)
        items = _important(comparison, _topic(question, comparison))
        if not items:
            sources = [r for r in (self.documents.first_operative(x.symbol, lang) for x in (da, db)) if r]
            return DocumentReply(phrase("lineage_no_change", lang, a=da.symbol, b=db.symbol), True, sources)
        ya, yb = _year(da), _year(db)
        if ya == yb or not ya or not yb:  # two texts of one year ("in 2022 … the 2022 text"): named by symbol
            ya, yb = da.symbol, db.symbol
        lines = [phrase("lineage_change_intro", lang, a=da.symbol, b=db.symbol)]
        cited: list[Retrieved] = []
        for pair in items:
            ra = self.documents.retrieved(da.symbol, pair.a, comparison.language, lang) if pair.a else None
            rb = self.documents.retrieved(db.symbol, pair.b, comparison.language, lang) if pair.b else None
            if pair.change == "added" and rb is not None:
                lines.append("- " + phrase("lineage_added", lang, year=yb, old_year=ya, document=db.symbol,
                                           text=_quoted(rb.chunk.text, rb.chunk.language), marker=marker(db.symbol, rb.chunk.paragraph)))
            elif pair.change == "removed" and ra is not None:
                lines.append("- " + phrase("lineage_removed", lang, old_year=ya, new_year=yb, document=da.symbol,
                                           text=_quoted(ra.chunk.text, ra.chunk.language), marker=marker(da.symbol, ra.chunk.paragraph)))
            elif ra is not None and rb is not None:
                # quoted whole (from a little before the first change when it comes late); in the
                # language compared, where the diff's words count
                at_a, at_b = _first_change(pair) if rb.chunk.language == comparison.language else (0, 0)
                lines.append("- " + phrase("lineage_changed", lang, year=yb, old_year=ya,
                                           new=_quoted(rb.chunk.text, rb.chunk.language, at_b), new_marker=marker(db.symbol, rb.chunk.paragraph),
                                           old=_quoted(ra.chunk.text, ra.chunk.language, at_a), old_marker=marker(da.symbol, ra.chunk.paragraph)))
            else:
                continue
            cited.extend(r for r in (rb, ra) if r is not None and r.key not in {c.key for c in cited})
        counts = {k: len(comparison.of(k)) for k in ("added", "removed", "changed")}
        lines.append(phrase("lineage_change_counts", lang, added=str(counts["added"]), removed=str(counts["removed"]),
                            changed=str(counts["changed"])))
        return DocumentReply("\n".join(lines), False, cited)

    # -- references --------------------------------------------------------------------------------
    def _cited_by(self, document: str, lang: str) -> DocumentReply | None:
        related = self.lineage.related(document)
        if related is None:
            return DocumentReply(phrase("doc_not_indexed", lang, document=document), True)
        mentions = _by_document(related.cited_by, newest_first=True, documents=self.documents)
        if not mentions:
            first = self.documents.first_operative(related.document, lang)
            return DocumentReply(phrase("lineage_cited_by_none", lang, document=related.document), True, [first] if first else [])
        lines = [counted("lineage_cited_by_intro", lang, len(mentions), document=related.document)]
        return self._mention_lines(lines, mentions[:MAX_MENTIONS], lang, source_side=True)

    def _cites(self, document: str, lang: str) -> DocumentReply | None:
        related = self.lineage.related(document)
        if related is None:
            return DocumentReply(phrase("doc_not_indexed", lang, document=document), True)
        groups = _by_target(related.cites)
        if not groups:
            first = self.documents.first_operative(related.document, lang)
            return DocumentReply(phrase("lineage_cites_none", lang, document=related.document), True, [first] if first else [])
        lines = [counted("lineage_cites_intro", lang, len(groups), document=related.document)]
        cited: list[Retrieved] = []
        # texts first named in the same paragraph share its line ("19/36, 28/14, 34/41 …: “Recalling …
        # in particular its resolutions 19/36, 28/14 …”"): one quote, not the same quote once a text
        entries: list[tuple[Retrieved, list[str], list[str], list[str]]] = []  # paragraph, texts, their paragraphs, numbers
        for target, mentions in groups[: MAX_MENTIONS * 2]:
            m = mentions[0]
            r = self.documents.retrieved(m.source, m.paragraph, m.language, lang)
            if r is None:
                continue
            state = "" if any(mm.indexed for mm in mentions) else " " + phrase("lineage_not_in_index", lang)
            where = [mm.paragraph for mm in mentions if self.documents.retrieved(mm.source, mm.paragraph, mm.language)]
            if entries and entries[-1][0].key == r.key:
                entries[-1][1].append(target + state)
                entries[-1][2].extend(where)
                entries[-1][3].extend(symbol_numbers(target))
            else:
                entries.append((r, [target + state], where, list(symbol_numbers(target))))
            for mm in mentions:
                rr = self.documents.retrieved(mm.source, mm.paragraph, mm.language, lang)
                if rr is not None and rr.key not in {c.key for c in cited}:
                    cited.append(rr)
        separator = phrase("doc_list_separator", lang)
        for r, targets, where, numbers in entries:
            at = _word_of(r.chunk.text, numbers)
            markers = separator.join(marker(related.document, x) for x in dict.fromkeys(where))
            lines.append(f"- {separator.join(targets)}: {_quoted(r.chunk.text, r.chunk.language, at)} {markers}")
        return DocumentReply("\n".join(lines), False, cited)

    def _mention_lines(self, lines: list[str], mentions: list[Mention], lang: str, source_side: bool) -> DocumentReply:
        cited: list[Retrieved] = []
        for m in mentions:
            r = self.documents.retrieved(m.source, m.paragraph, m.language, lang)
            if r is None:
                continue
            at = _word_of(r.chunk.text, symbol_numbers(m.target))
            lines.append(f"- {r.chunk.document}: {_quoted(r.chunk.text, r.chunk.language, at)} {marker(r.chunk.document, r.chunk.paragraph)}")
            if r.key not in {c.key for c in cited}:
                cited.append(r)
        if not cited:
            return DocumentReply(lines[0], True)
        return DocumentReply("\n".join(lines), False, cited)

    # -- the earliest text on a topic -----------------------------------------------------------------
    def _earliest(self, question: Question) -> DocumentReply | None:
        """"When did the Security Council first call for a ceasefire?" with no text named: of the
        paragraphs that hold the topic — every rare word of it, in the paragraph's own language or
        through the lexicon's translations, so the English-only texts of 2000 answer a Chinese
        question — the oldest document's, quoted, with the next document's. Read from the lexical
        index's postings over every paragraph, not from a ranked search: of 300 texts on a topic
        the oldest is rarely among the best ranked. Said as what it is: the oldest text *in the
        index*, which holds texts from a given date only. Declined when no paragraph holds the
        topic: a paragraph on a neighbouring topic is not an answer to "when first"."""
        lang = question.language
        topic = _earliest_topic(question)
        if self.search is None or not topic:
            return None  # "when did the Council first meet?": nothing to look for, the search goes on
        bodies = question.filters.bodies or question.bodies
        filters = replace(question.filters, bodies=bodies)
        date_to = question.filters.date_to
        # "trade unions or trade unionists": either is the topic, the oldest text holding one answers
        readings = []  # (term, words) of each alternative, with the paragraphs holding it
        found: list[tuple[float, Chunk, int]] = []
        for alternative in _alternatives(topic, lang):
            asked = Question.ask(alternative, filters=filters, language=lang)
            words = self._topic_words(asked)
            if not words:
                continue
            term = self._term(words, asked)
            holding = self._term_holding(term, filters) if term is not None else self._holding(words, asked, filters)
            found += [(share, chunk, len(readings)) for share, chunk in holding]
            readings.append((term, words))
        if not readings:
            return None
        held: dict[str, tuple[float, bool, int, Chunk, int]] = {}  # document → its paragraph holding most of the topic
        for share, chunk, reading in found:
            if chunk.date < _FIRST_DATE or (date_to and chunk.date > date_to):
                continue  # undated ("S/RES/1287 (1)", 0001-01-01): no place in time
            key = normalise_symbol(chunk.document)
            rank = (share, chunk.language == lang, -chunk.order)
            if key not in held or rank > held[key][:3]:
                held[key] = (*rank, chunk, reading)
        dated = []
        for key, (*_, chunk, reading) in held.items():
            doc = self.documents.doc(key)
            if doc is not None and doc.date >= _FIRST_DATE:
                dated.append((doc.date, doc.symbol, chunk, reading))
        dated.sort(key=lambda d: (d[0], d[1]))
        since = phrase("lineage_earliest_since", lang, since=self._since(bodies))
        if not dated:
            return DocumentReply(phrase("lineage_earliest_none", lang) + "\n" + since, True)
        lines: list[str] = []
        cited: list[Retrieved] = []
        for (date, symbol, chunk, reading), key in zip(dated[:2], ("lineage_earliest", "lineage_earliest_next")):
            shown = self.documents.retrieved(symbol, chunk.paragraph, chunk.language, lang) or Retrieved(chunk, 1.0, {}, "exact")
            shown_lang = shown.chunk.language
            term, words = readings[reading]
            alt_sets = term.wording.get(shown_lang, ()) if term is not None else ()
            at = _topic_at(shown.chunk.text, shown_lang, alt_sets or [w.alts(shown_lang) for w in words])
            lines.append(phrase(key, lang, document=symbol, date=date, text=_quoted(shown.chunk.text, shown.chunk.language, at),
                                marker=marker(symbol, shown.chunk.paragraph)))
            cited.append(shown)
        lines.append(since)
        return DocumentReply("\n".join(lines), False, cited)

    def _topic_words(self, asked: Question) -> list[_Word]:
        """The topic's content words, each as its rarity in the index (its own language's stems
        the index holds) and the tokens that stand for it in each language: its stems in its own
        language; in another, its translations the lexicon confirms both ways ("климата" → "climat"
        → "климат"; not "ebola" → "épidémie", whose own translation is another word), directly
        and through a third language, with their longer forms; and in any language, for a long Latin-script
        stem, the index's tokens sharing its first six letters or more ("demobilis" → "demobil",
        "reintegr": the English-only texts of 2000 spell the French and Spanish words so). A
        Chinese run of characters is read as the pairs that hold together in the index
        ("外国|恐怖|主义|作战|人员", not "国恐")."""
        index = self.refusal.index
        lang = asked.language
        generic = languages().generic
        # "ВИЧ/СПИД", "HIV/AIDS": each side of a slash a word of its own
        words = [p for w in asked.asked_words if w not in generic for p in w.split("/") if p and p not in generic]
        if lang == "zh" and index is not None:
            words = _han_words(asked.text, words, index)
        # a translation is confirmed when it leads back into the topic: "изменение" → "change" →
        # "климат" (of "изменение климата") is; "ebola" → "épidémie" → "epidemia" is not
        topic = set(tokens(asked.text, lang)) | {v for w in words for v in stem_variants(w)}
        out = []
        for w in words:
            own = {w} if _HAN_PAIR.fullmatch(w) else set(tokens_of_words([w], lang)) | stem_variants(w)
            if lang == "ar" and len(w) > 4 and w[0] in "وبلفك" and index is not None:
                # "بهدنة" ("with a truce"): the word without its one-letter prefix, as the index holds it
                own |= {t for t in tokens_of_words([w[1:]], lang) if t in index.df}
            known = {t for t in own if index is None or t in index.df}
            if index is not None and lang != "zh":
                # a stem the index holds (almost) nowhere: its longer forms ("Запорожье" → "запорож",
                # printed "Запорожской": "запорожск")
                known |= {x for t in own if len(t) >= 5 and t.isalpha() and index.df.get(t, 0) < 3
                          for x in index.with_prefix(t, limit=8)}
            by_lang: dict[str, frozenset[str]] = {lang: frozenset(known or own)}
            direct = {other: self._confirmed(own, lang, other, topic | own) for other in LANGUAGES if other != lang}
            for other, found in direct.items():
                # and through a third language: "تغير" → "changement" → "change" (the lexicon pairs
                # "تغير" with "climate", the word beside it, in English)
                found = found | {t for via, ts in direct.items() if via not in (other, lang)
                                 for t in self._confirmed(set(ts), via, other, set(ts))}
                if index is not None:  # a translation's longer forms: "terror" → "terrorist"
                    found = found | {x for t in found if t.isascii() and t.isalpha() and len(t) >= 5
                                     for x in index.with_prefix(t, limit=8)}
                if not found and index is not None:
                    found = self._unlexed(own, lang, other)
                by_lang[other] = frozenset(found)
            anywhere: set[str] = set()
            if index is not None:
                for t in known:
                    if t.isascii() and t.isalpha() and len(t) >= 7:
                        anywhere.update(index.with_prefix(t[: max(6, len(t) - 2)], limit=8))
            weight = 1.0 if index is None else max((index.idf(t) for t in known), default=index.idf(""))
            out.append(_Word(weight, by_lang, frozenset(anywhere)))
        return out

    def _unlexed(self, own: set[str], lang: str, other: str) -> set[str]:
        """A topic word's tokens in `other` when the lexicon has no translation for it ("Boko Haram",
        "живого щита", names and rare words): the same spelling, in a language of the same script
        that uses it ("boko" in French and English); else its wording learned from the aligned
        versions of the paragraphs holding it (`Terms.learned`: "щит" → "shield" from the six Russian
        paragraphs on human shields; with fewer than five, the repeated sentences of yearly texts
        make any of their rare words as likely)."""
        index = self.refusal.index
        if lang in ("ru", "ar") and other in _LATIN:  # no Russian or Arabic paragraph need hold it: "малярия"
            spelt = {x for t in own for x in self._cognates.of(t, lang)}
            if spelt:
                return spelt
        if lang in _LATIN and other in _LATIN:
            same = {t for t in own if t.isascii() and t.isalpha() and len(t) >= 3 and self._held_in(t, other)}
            if same:
                return same
            # a cognate spelt a little otherwise, which no paragraph of the question's language need
            # hold ("medalla" → "medal": only English texts name the Dag Hammarskjöld Medal): a rare token
            # of `other` sharing its first five letters, nearly the same word letter by letter
            # (the whole word against it, not a shorter stem: "francotir" is near "franco", a name)
            word = max(own, key=len)
            near = {x for x in (index.with_prefix(word[:5], limit=20) if word.isalpha() and len(word) >= 5 else ())
                    if x != word and abs(len(x) - len(word)) <= 2 and index.df.get(x, 0) <= COGNATE_MAX_DF
                    and SequenceMatcher(None, word, x).ratio() >= COGNATE_MIN_RATIO and self._held_in(x, other)}
            if near:
                return near
        own = {t for t in own if index.df.get(t)}
        if not own:
            return set()
        terms = self._terms
        if terms is None:
            return set()
        langs = terms.languages
        rows = np.flatnonzero(index.holding(own) & (langs == lang))
        if len(rows) > UNLEXED_MAX_ROWS:
            return set()  # a common word the lexicon should have known: no guess from its rows
        learned = terms.learned([int(r) for r in rows], lang, other, 1, min_aligned=UNLEXED_MIN_ALIGNED)
        return set(learned) if learned and len(learned) == 1 else set()

    @cached_property
    def _cognates(self) -> Cognates:
        """The state's rare Latin tokens by their consonants (`cognates.py`), built on first need."""
        return Cognates(self.refusal.index.df)

    def _held_in(self, token: str, language: str) -> bool:
        """Whether some paragraph of `language` holds `token`."""
        tables = self.tables
        index = self.refusal.index
        if tables is None or not index.df.get(token):
            return False
        return bool((index.holding([token]) & (tables.languages == language)).any())

    def _term(self, words: list[_Word], asked: Question) -> TermRows | None:
        """The topic's rows in every language when it is a term ("chemical weapons", "niños soldados"):
        its words together, its wording in the other languages learned from aligned paragraphs
        (`terms.py`); None for a topic read word by word ("a ceasefire in Darfur"). A term is read
        with its common words too: "human rights defenders" is not "defenders", though "human" and
        "rights" are too common to count in a word-by-word reading."""
        terms = self._terms
        if terms is None:
            return None
        index = terms.index
        lang = asked.language
        if lang != "zh":
            seq = list(dict.fromkeys(tokens(asked.text, lang)))
            by_token = {t: w for w in words for t in w.by_language.get(lang, ())}
            if len(seq) > len(words) and all(t in index.df or t in by_token for t in seq):
                own = [by_token[t].alts(lang) | {t} if t in by_token else frozenset({t}) for t in seq]

                def lexicon(other: str) -> list[frozenset[str]]:
                    return [by_token[t].alts(other) if t in by_token else frozenset(self._confirmed({t}, lang, other, {t}))
                            for t in seq]

                whole = terms.rows(own, lang, lexicon)
                if whole is not None:
                    return whole
        return terms.rows([w.alts(lang) for w in words], lang, lambda other: [w.alts(other) for w in words])

    def _term_holding(self, term: TermRows, filters) -> list[tuple[float, Chunk]]:
        """The term's paragraphs (of the bodies asked), the oldest first, each holding all of it."""
        chunks = self.refusal.index.chunks
        found = [chunks[i] for i in term.rows if not filters.bodies or chunks[i].body in filters.bodies]
        return [(1.0, c) for c in sorted(found, key=lambda c: c.date)]

    def _confirmed(self, stems: set[str], source: str, target: str, back: set[str]) -> set[str]:
        """The strongest translations of `stems` whose own translations lead back into `back`."""
        lexicon = self.refusal.translations
        found = lexicon.translate(stems, source, target)
        best = max(found.values(), default=0.0)
        strong = sorted((t for t in found if found[t] >= EARLIEST_STRENGTH * best), key=lambda t: -found[t])
        return {t for t in strong[:EARLIEST_TRANSLATIONS] if set(lexicon.translate({t}, target, source)) & back}

    def _holding(self, words: list[_Word], asked: Question, filters) -> list[tuple[float, Chunk]]:
        """The paragraphs (of the bodies asked) holding at least EARLIEST_HOLDS of the topic's
        rarity weight, with the share they hold, the oldest first: from the lexical index's postings
        over every paragraph; from a search when the state has no lexical index (then only what it
        ranks). Each word must be held by a token of its own: "изменение климата" is not held by a
        paragraph on "demographic changes" because "change" translates both words."""
        total = sum(w.weight for w in words)
        need = EARLIEST_HOLDS * total - 1e-9
        index = self.refusal.index
        if index is not None:
            langs = self.tables.languages if self.tables is not None else np.array([c.language for c in index.chunks])
            share = np.zeros(len(index.chunks), dtype=np.float64)
            for word in words:
                hold = index.holding(word.anywhere)
                for code, alts in word.by_language.items():
                    if alts:
                        hold |= index.holding(alts) & (langs == code)
                share += word.weight * hold
            found = [index.chunks[i] for i in np.flatnonzero(share >= need)]
        else:
            found = [c for r in (self.search(asked) if self.search is not None else ()) for c in (r.versions.values() or [r.chunk])]
        found = [c for c in found if not filters.bodies or c.body in filters.bodies]
        found.sort(key=lambda c: c.date)
        out = []
        docs: set[str] = set()
        for c in found:
            if len(docs) > 2 and c.document not in docs:
                break  # the two oldest documents are what the answer shows (a third: a misdated one)
            held = _held_near(words, c.language, tokens(c.text, c.language))
            if held >= need:
                out.append((held / total, c))
                if c.date >= _FIRST_DATE:
                    docs.add(c.document)
        return out

    def _since(self, bodies: Sequence[str]) -> str:
        """The date of the oldest dated text the index holds (of the bodies asked)."""
        key = tuple(sorted(bodies))
        if key not in self._since_of:
            index = self.refusal.index
            chunks = index.chunks if index is not None else self.documents._chunks()
            self._since_of[key] = min((c.date for c in chunks if c.date >= _FIRST_DATE and (not bodies or c.body in bodies)),
                                      default="")
        return self._since_of[key]

    # -- series ------------------------------------------------------------------------------------
    def _series(self, document: str, question: Question) -> DocumentReply:
        lang = question.language
        related = self.lineage.related(document)
        if related is None:
            return DocumentReply(phrase("doc_not_indexed", lang, document=document), True)
        entries = list(related.series)
        me = normalise_symbol(related.document)
        keys = [normalise_symbol(e.document) for e in entries]
        previous = _patterns(lang)["previous"].search(question.folded) or _cues(lang)["previous"].search(question.folded)
        following = _cues(lang)["next"].search(question.own_folded)
        if me in keys and (previous or following):
            # "which resolution extended it before 2717 (2023)?": the nearest predecessors, not the
            # series from its first text of 2011; "what came after 2633 (2022)?": the nearest
            # successors; asked both ("之前和之后各是哪项决议"), one each side
            at = keys.index(me)
            before = entries[:at][-MAX_PREDECESSORS:] if previous else []
            after = entries[at + 1 :][:MAX_PREDECESSORS] if following else []
            if before and after:
                before, after = before[-1:], after[:1]
            entries = before + after
        if _patterns(lang)["first"].search(question.folded):
            entries = entries[:1]
        if not entries:
            first = self.documents.first_operative(related.document, lang)
            return DocumentReply(phrase("lineage_series_none", lang, document=related.document), True, [first] if first else [])
        lines = [phrase("lineage_series_intro", lang, document=related.document)]
        cited: list[Retrieved] = []
        for e in entries:
            # the paragraph carrying its place in the series ("decides to extend the mandate"), else its first
            r = (self.documents.retrieved(e.document, e.renewal, lang) if e.renewal else None) or \
                self.documents.first_operative(e.document, lang)
            if r is None:
                continue
            lines.append(f"- {e.document} ({e.date or '?'}): {_quoted(r.chunk.text, r.chunk.language)} {marker(e.document, r.chunk.paragraph)}")
            cited.append(r)
        if not cited:
            return DocumentReply(phrase("lineage_series_none", lang, document=related.document), True)
        return DocumentReply("\n".join(lines), False, cited)


# -- helpers -------------------------------------------------------------------------------------
_HRC_SESSION = re.compile(r"A/HRC/RES/(\d+)/", re.IGNORECASE)
_ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _zh_number(text: str) -> str:
    """"五十二" → "52", "十" → "10", "六十一" → "61" (a session's number in words)."""
    if "十" not in text:
        return str(_ZH_DIGITS.get(text, 0)) if len(text) == 1 else ""
    tens, _, units = text.partition("十")
    return str((_ZH_DIGITS.get(tens, 0) if tens else 1) * 10 + (_ZH_DIGITS.get(units, 0) if units else 0))


def _spans(numbers: set[int]) -> str:
    """{30, 54, 55, 56} → "30, 54–56"."""
    out: list[str] = []
    for n in sorted(numbers):
        if out and n == int(out[-1].split("–")[-1]) + 1:
            out[-1] = f"{out[-1].split('–')[0]}–{n}"
        else:
            out.append(str(n))
    return ", ".join(out) or "—"


def _sessions(question: Question) -> list[int]:
    """The Human Rights Council sessions a question names ("its 52nd session", "61º período de
    sesiones", "第五十二届会议"), oldest first; none unless the Council is the one asked about."""
    if "HRC" not in (question.bodies or ("HRC",)) and not re.search(r"a/hrc/", question.folded):
        return []
    text = question.own_folded
    if question.language == "zh":
        text = re.sub(r"第([一二两三四五六七八九十]{1,3})届", lambda m: f"第{_zh_number(m.group(1))}届", text)
    rows = languages().pattern("lineage", "session_patterns", question.language)
    found = {int(n) for m in rows.finditer(text) for n in m.groups() if n}
    return sorted(n for n in found if 1 <= n <= 99)


def _years(question: Question) -> list[str]:
    """The years the question writes, not the resolution numbers it names ("резолюция 1993 (2011)")."""
    return sorted(dict.fromkeys(y for y in _YEAR.findall(question.folded) if y not in question.numbers))


def _operative_words(doc: _Doc) -> set[str]:
    """The words of a text's operative paragraphs, in English when it has them (else any version)."""
    out: set[str] = set()
    for pid, versions in doc.paragraphs.items():
        if pid.startswith("OP") and versions:
            chunk = versions.get("en") or next(iter(versions.values()))
            out.update(tokens(chunk.text, chunk.language))
    return out


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def _acronyms(question: Question) -> list[str]:
    return [a for a in dict.fromkeys(_ACRONYM.findall(question.search_text)) if a not in _NOT_MISSIONS]


def _alternatives(topic: str, language: str) -> list[str]:
    """A topic's alternatives ("trade unions or trade unionists", "النقابات العمالية أو النقابيين",
    "mercenaires ou combattants étrangers"), each read on its own: the oldest text holding either
    answers "when first", where one reading of both words together needs a paragraph with both.
    The topic itself when it offers none."""
    pieces = [p.strip(" ,，、") for p in languages().pattern("lineage", "topic_or_patterns", language).split(topic)]
    pieces = [p for p in pieces if p and re.search(r"\w", p)]
    return pieces if len(pieces) > 1 else [topic]


def _earliest_topic(question: Question) -> str:
    """What "when did the Council first ask for a ceasefire in Darfur?" asks about. The rows that
    made it an "earliest" question, the body (and its abbreviation), the verbs of asking, the words
    of first, when, which text, since, and a polite frame ("Could you tell me …", "Me interesa …",
    "请问", `earliest_frame_patterns`) each cut the question; of the pieces left, the topic is the
    one with the most words ("Me interesa el ébola: ¿con qué resolución empezó el Consejo a
    tratarlo?" → "ebola"), read from the question's own words, not its abbreviations' expansions."""
    language = question.language
    rows = _patterns(language)
    cut = " | "
    rest = question.own_folded
    for kind in ("earliest", "body_sc", "body_hrc", "body_ga"):
        rest = rows[kind].sub(cut, rest)
    frame = languages().pattern("lineage", "earliest_frame_patterns", language)
    not_topic = languages().pattern("lineage", "earliest_not_topic_patterns", language)
    cues = _cues(language)
    rest = frame.sub(cut, rest)
    for name in ("first", "when", "since", "which", "many", "text"):  # "à quand remonte la première mention du …"
        rest = cues[name].sub(cut, rest)
    articles = set(languages().words("lineage", "earliest_articles", (language,)))

    def verb(m: re.Match[str]) -> str:
        # a verb of asking, unless an article makes it a noun of the topic: "voice concern about
        # opium" loses both, "¿… se habla de la trata de personas?" keeps "trata"
        before = rest[: m.start()].split()
        return m.group(0) if before and before[-1] in articles else cut

    rest = cues["mention"].sub(verb, rest)
    rest = frame.sub(cut, rest)
    edge = set(languages().words("lineage", "earliest_edge_words", (language,)))
    pieces = []
    for piece in re.split(r"\s*\|\s*|[?？؟¿!¡.;:«»\"“”()（）]|[,，](?=\s*(?:\||$))", rest):
        piece = " ".join(not_topic.sub(" ", piece).split())
        piece = re.sub(r"^[\s,，、]+|[\s,，、]+$", "", piece)
        words = piece.split()
        while words and words[0] in edge:  # "sur cyberharcèlement", "foreign terrorist fighters, and in"
            words.pop(0)
        while words and words[-1].strip(",，、") in edge:
            words.pop()
        piece = re.sub(r"[,，、]+$", "", " ".join(words))
        if language == "zh":
            piece = re.sub(rf"^(?:{'|'.join(map(re.escape, edge))})+|(?:{'|'.join(map(re.escape, edge))})+$", "", piece) if edge else piece
        if re.search(r"\w", piece):
            pieces.append(piece)
    if not pieces:
        return ""
    size = (lambda p: len(re.findall(r"[\u3400-\u9fff]", p))) if language == "zh" else (lambda p: len(p.split()))
    return max(pieces, key=lambda p: (size(p), len(p)))


@dataclass(frozen=True)
class _Word:
    """A word of an "earliest" question's topic: its rarity and the tokens standing for it."""

    weight: float
    by_language: dict[str, frozenset[str]]  # language → its tokens there (own stems, translations)
    anywhere: frozenset[str] = frozenset()  # tokens standing for it in any language (shared spellings)

    def alts(self, language: str) -> frozenset[str]:
        return self.by_language.get(language, frozenset()) | self.anywhere


def _held(words: Sequence[_Word], language: str, present: set[str]) -> float:
    """The topic's weight a paragraph's tokens hold, each token standing for one word only: a
    matching of words to tokens (augmenting paths), the rarest words served first."""
    match: dict[str, int] = {}  # token → the word it stands for

    def assign(i: int, seen: set[str]) -> bool:
        for t in sorted(words[i].alts(language) & present):
            if t not in seen:
                seen.add(t)
                if t not in match or assign(match[t], seen):
                    match[t] = i
                    return True
        return False

    held = 0.0
    for i in sorted(range(len(words)), key=lambda i: -words[i].weight):
        if assign(i, set()):
            held += words[i].weight
    return held


def _held_near(words: Sequence[_Word], language: str, sequence: Sequence[str]) -> float:
    """`_held` over the tokens of the paragraph's best window of EARLIEST_WINDOW tokens a word (and
    a few more): the topic's words together, not scattered over a long paragraph ("foreign" in its
    first line, "fighters" in its last)."""
    wanted = frozenset().union(*(w.alts(language) for w in words))
    hits = [(i, t) for i, t in enumerate(sequence) if t in wanted]
    width = EARLIEST_WINDOW * len(words) + 4
    best = 0.0
    for k, (start, _) in enumerate(hits):
        near = {t for i, t in hits[k:] if i < start + width}
        best = max(best, _held(words, language, near))
    return best


def _han_words(text: str, words: Sequence[str], index) -> list[str]:
    """A Chinese topic's words as the index holds them: each run of characters of `text` cut into
    the pairs that hold together best (a pair's paragraphs over those of its rarer character:
    "恐怖" nearly always together, "国恐" rarely), a character left over read with the neighbour it
    holds to best; the question's other words (Latin script) kept."""
    def cohesion(pair: str) -> float:
        # a character the index keeps only inside pairs ("论": a stop character alone) does not count
        least = min((n for n in (index.df.get(pair[0], 0), index.df.get(pair[1], 0)) if n), default=0)
        return index.df.get(pair, 0) / least if least else 0.0

    out: list[str] = []
    for run in re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff]+", text):
        if not any(index.df.get(run[i : i + 2]) for i in range(len(run) - 1)):
            # an index without Chinese texts: the run cut in pairs from its start, for the lexicon
            out.extend(run[i : i + 2] for i in range(0, len(run) - 1, 2))
            continue
        best: list[tuple[float, list[str]]] = [(0.0, [])]  # best[i]: the cut of run[:i] and its score
        for i in range(1, len(run) + 1):
            options = [(best[i - 1][0], best[i - 1][1] + [run[i - 1]])]
            if i >= 2:
                options.append((best[i - 2][0] + cohesion(run[i - 2 : i]), best[i - 2][1] + [run[i - 2 : i]]))
            best.append(max(options, key=lambda o: o[0]))
        cut = best[-1][1]
        if len(run) == 1:
            out.extend(w for w in cut if w in words)
            continue
        at = 0
        for w in cut:
            if len(w) == 2:
                out.append(w)
            else:  # a character left alone is read with the neighbour it holds to best ("小" of "小武器": "小武", small)
                pairs = [p for p in (run[at - 1 : at + 1] if at else "", run[at : at + 2]) if len(p) == 2]
                out.append(max(pairs, key=cohesion))
            at += len(w)
    return out + [w for w in words if not re.match(r"[\u3400-\u9fff]", w)]


def _topic_at(text: str, lang: str, alt_sets: Sequence[frozenset[str]]) -> int:
    """Where the quote of a long paragraph starts to show the topic: the word at which the last
    of the topic's words to appear first appears; 0 when none does."""
    first: dict[int, int] = {}
    for i, w in enumerate(text.split()):
        got = set(tokens(w, lang))
        for k, alts in enumerate(alt_sets):
            if k not in first and got & alts:
                first[k] = i
    return max(first.values(), default=0)


def _spelt(number: str, text: str) -> str:
    """The number as the question wrote it with its year: "2334 (2016)"."""
    m = re.search(rf"{re.escape(number)}\s*\(\d{{4}}\)", text)
    return m.group(0) if m else number


def _rank(pair: AlignedPair) -> tuple[int, int, float, int]:
    """Operative paragraphs before preambular ones; then a round of (added, removed, changed)
    is interleaved by the caller; the most changed first."""
    pid = pair.b or pair.a or ""
    operative = 0 if pid.startswith("OP") else 1
    return (operative, {"added": 0, "removed": 1, "changed": 2}.get(pair.change, 3), pair.similarity, _number(pid))


def _number(pid: str) -> int:
    m = re.search(r"\d+", pid)
    return int(m.group()) if m else 0


def _topic(question: Question, comparison: Comparison) -> frozenset[str]:
    """What a change question asks about beyond the change itself ("what changed about elections
    between …"): the stems of its words outside the rows that made it a lineage question, kept
    when they pick out a few of the differing paragraphs (at least one, at most TOPIC_SHARE of
    them: "mandate" is in most of a renewal's paragraphs and says nothing of which to show)."""
    rest = question.folded
    for pattern in _patterns(question.language).values():
        rest = pattern.sub(" ", rest)
    lang = comparison.language
    if not languages()(lang).get("lineage", "topic_by_words", True):
        return frozenset()  # words cut in character pairs (Chinese): "议和" of "决议和" is no topic
    # the mission and the words of any change question ("mandate", "paragraph") are not a topic
    named = set(tokens_of_words([a.lower() for a in _acronyms(question)], lang))
    named |= set(tokens_of_words(list(languages().words("lineage", "not_topic_words")), lang))
    wanted = {t for t in tokens_of_words(words_folded(rest), lang) if not t.isdigit()} - languages().generic - named
    differing = [p for p in comparison.pairs if p.change in ("added", "removed", "changed")]
    if not wanted or not differing:
        return frozenset()
    held = [_changed_tokens(p, lang) for p in differing]
    return frozenset(t for t in wanted if 0 < sum(t in h for h in held) <= TOPIC_SHARE * len(held))


def _changed_tokens(pair: AlignedPair, lang: str) -> set[str]:
    """The words that changed: a whole added or removed paragraph, a changed one's inserted and
    deleted runs ("Cyprus" in both texts of a changed paragraph is not what changed in it)."""
    if pair.change in ("added", "removed"):
        return set(tokens(pair.b_text or pair.a_text, lang))
    return set(tokens(" ".join(text for op, text in pair.diff if op != "equal"), lang))


def _important(comparison: Comparison, topic: frozenset[str] = frozenset()) -> list[AlignedPair]:
    """At most MAX_ITEMS differences, the operative part first, taking in turn an added, a removed
    and a changed paragraph (the most changed first) so that both texts are quoted; the
    paragraphs about the question's topic, when it names one, before all others."""
    if topic:
        # the operative part first still: both texts are on the topic, and their preambles restate
        # it ("Noting … the illicit trafficking by non-State actors in nuclear, chemical and biological
        # weapons" outranked what 1810 (2008) decided on the 1540 Committee); within each part, the
        # paragraphs holding the most of the topic's words first, then those holding some, then the
        # others, each group in the usual order
        chosen: list[AlignedPair] = []
        for operative in (True, False):
            part = [p for p in comparison.pairs if (p.b or p.a or "").startswith("OP") == operative]
            hits = [len(topic & _changed_tokens(p, comparison.language)) if p.change in ("added", "removed", "changed") else 0
                    for p in part]
            best = max(hits, default=0)
            for wanted in (lambda n: n == best, lambda n: 0 < n < best, lambda n: n == 0):
                group = [p for p, n in zip(part, hits) if wanted(n)]
                chosen += [p for p in _important(Comparison(comparison.a, comparison.b, comparison.language, group))
                           if p not in chosen]
                if len(chosen) >= MAX_ITEMS or not best:
                    break
            if len(chosen) >= MAX_ITEMS:
                break
        if chosen:
            return _both_sides(chosen[:MAX_ITEMS], _important(comparison))
    out: list[AlignedPair] = []
    for operative in (True, False):
        groups = []
        for change in ("added", "removed", "changed"):
            pairs = [p for p in comparison.of(change) if ((p.b or p.a or "").startswith("OP")) == operative]
            if change == "changed":
                pairs = [p for p in pairs if any(op != "equal" and text.strip() for op, text in p.diff)]
                pairs.sort(key=lambda p: (p.similarity, _number(p.b or "")))
            else:
                pairs.sort(key=lambda p: _number(p.b or p.a or ""))
            groups.append(pairs)
        while any(groups) and len(out) < MAX_ITEMS:
            for g in groups:
                if g and len(out) < MAX_ITEMS:
                    out.append(g.pop(0))
    return out


def _both_sides(chosen: list[AlignedPair], pool: Sequence[AlignedPair]) -> list[AlignedPair]:
    """`chosen` quoting both texts: when every paragraph about the topic was added (or removed), the
    last place goes to the most important difference quoting the other text, when there is one (the
    answer cites both sides; "the 2020 text had no such paragraph" needs the 2020 text beside it)."""
    for side in ("a", "b"):
        if chosen and not any(getattr(p, side) for p in chosen):
            extra = next((p for p in pool if getattr(p, side) and p not in chosen), None)
            if extra is not None:
                chosen = chosen[: MAX_ITEMS - 1] + [extra]
    return chosen


def _first_change(pair: AlignedPair) -> tuple[int, int]:
    """The word at which each text first differs from the other (A's, B's), read from the diff."""
    at_a = at_b = 0
    for op, text in pair.diff:
        n = len(text.split())
        if op != "equal" and text.strip():
            return at_a, at_b
        at_a += n
        at_b += n
    return 0, 0


def _quoted(text: str, lang: str, at: int = 0) -> str:
    """The paragraph's own words in the language's quotation marks, up to QUOTE_WORDS of them:
    from its start, or from a little before word `at` (where it changed, where it names a text)."""
    words = text.split()
    start = max(0, at - QUOTE_WORDS // 4) if at >= QUOTE_WORDS * 3 // 4 else 0
    shown = words[start : start + QUOTE_WORDS]
    text = ("… " if start else "") + " ".join(shown) + (" …" if start + QUOTE_WORDS < len(words) else "")
    opening, closing = languages()(lang).quotes
    return f"{opening}{text.strip()}{closing}"


def _word_of(text: str, needles: Sequence[str]) -> int:
    """The word at which the first of `needles` occurs in `text` (0 when none does)."""
    for needle in needles:
        i = text.find(needle)
        if i >= 0:
            return len(text[:i].split())
    return 0


def _by_document(mentions: Sequence[Mention], newest_first: bool, documents: IndexedDocuments) -> list[Mention]:
    """One mention per citing document (its first paragraph naming the target), newest first."""
    first: dict[str, Mention] = {}
    for m in mentions:
        first.setdefault(normalise_symbol(m.source), m)
    def date(m: Mention) -> str:
        d = documents.doc(m.source)
        return d.date if d is not None else ""
    return sorted(first.values(), key=lambda m: (date(m), m.source), reverse=newest_first)


def _by_target(mentions: Sequence[Mention]) -> list[tuple[str, list[Mention]]]:
    """The cited documents in the order the text first names them, each with its mentions."""
    groups: dict[str, list[Mention]] = {}
    for m in mentions:
        groups.setdefault(m.target, []).append(m)
    return list(groups.items())
