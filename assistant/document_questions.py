"""Questions about a document itself, answered from what the index records of it.

"When was resolution 54/10 adopted, and was there a vote?", "Who sponsored S/RES/2695 (2023)?",
"What is the title of …?", "Which earlier resolutions does its preamble recall?": no operative
paragraph answers these, so the search found none and the refusal policy declined them. The
answer is in the document's record (adoption date, meeting, vote, sponsors, title: what the
readers extract from the cover page and the closing block) and, for what it recalls, in its
"Recalling …" preambular paragraphs.

`DocumentQuestions.reply()` is the one hook the assistant calls before searching: `None` for an
ordinary question (the search goes on), or the whole reply. The facts come from the record, never
from a model, and a fact the record lacks is declined saying what is known (the date), never
guessed. A question that names no document, in a conversation that has named none, is answered
with a question: which resolution?

Citations: CONTRACTS gives a citation the shape (document, paragraph), with no document-level
form, so a fact of the record cites the document's first paragraph (PP1, where its text begins);
what the preamble recalls cites the recalling paragraphs themselves.

The words that tell these questions apart are rows of the language tables
(`[questions] document_*_patterns`, `[answers] recalling_patterns`), matched on the folded question.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from reso.assistant.citations import MARKER, marker
from reso.assistant.models import Filters, Message, Retrieved
from reso.assistant.query import numbers_of_folded
from reso.assistant.question import Question
from reso.index.analysis import fold
from reso.index.chunks import Chunk
from reso.index.languages import languages
from reso.index.lexical import DocumentRows, symbol_numbers
from reso.index.model import normalise_pid, normalise_symbol
from reso.index.store import DocumentRecord
from reso.prompts import phrase

# what a question can ask about the document, in the order the answer gives them
ASPECTS = ("adoption", "vote", "sponsor", "title", "recall")
MAX_DOCUMENTS = 3  # "when were 54/10 and 54/11 adopted?": each named document, up to this many
QUOTE_WORDS = 60  # a recalling paragraph is quoted up to this many words


def _patterns(language: str) -> dict[str, re.Pattern[str]]:
    """Each aspect's rows of the question's language (every language's for one without a table):
    a question is read in its own language's words, at a sixth of the cost of all of them."""
    return {aspect: languages().pattern("questions", f"document_{aspect}_patterns", language) for aspect in ASPECTS}


def _rows(section: str, key: str) -> re.Pattern[str]:
    """One row of every language table as one pattern, compiled once: "answers.recalling_patterns"
    (a paragraph opening "Recalling…"), "answers.declined_patterns" (an answer saying the sources do
    not answer), "answers.resolution_mention_patterns" (a paragraph speaking of resolutions),
    "questions.document_word_patterns" (the word for a resolution, its text or preamble, in a question)."""
    return languages().pattern(section, key)


def asked_about(question: Question) -> tuple[str, ...]:
    """The aspects of the document a question asks about (none for an ordinary question)."""
    folded = question.folded
    return tuple(a for a, p in _patterns(question.language).items() if p.search(folded))


_SENTENCE_END = re.compile(r"(?<=[.!?。！？؟])\s|(?<=[。！？؟])|\n")
# a quotation (a resolution's words, not the answer's own), closed or still open at the end
_QUOTED = re.compile(r"“[^”]*(?:”|$)|«[^»]*(?:»|$)|„[^“”]*(?:[“”]|$)|「[^」]*(?:」|$)|\"[^\"]*(?:\"|$)")


def _unquoted(text: str) -> str:
    return _QUOTED.sub(" ", text)


def declines(text: str) -> bool:
    """An answer whose first sentence says the sources do not answer ("The provided texts do not
    specify …", "Les textes fournis ne précisent pas …"): declined, whatever follows it. Quoted
    words are a resolution's, not the answer's: they are not read."""
    first = _SENTENCE_END.split(_unquoted(MARKER.sub("", text)).strip(), maxsplit=1)[0]
    return bool(first) and bool(_rows("answers", "declined_patterns").search(fold(first)))


def first_sentence_done(text: str) -> bool:
    """Whether `text` holds its first whole sentence outside quotations (what `declines` reads)."""
    return bool(_SENTENCE_END.search(_unquoted(text).lstrip()))


@dataclass
class DocumentReply:
    """What the assistant says to a question about a document, and the paragraphs it cites."""

    text: str
    refused: bool
    sources: list[Retrieved] = field(default_factory=list)  # cited (answered) or related (declined)


@dataclass
class _Document:
    symbol: str
    paragraphs: dict[str, dict[str, Chunk]]  # normalised pid → language → chunk, in document order
    records: dict[str, DocumentRecord] = field(default_factory=dict)  # language → record


class DocumentFacts:
    """One index state's documents as the questions about them read them: each document's
    paragraphs by id and language (from the retriever's chunks) and its records (from the store).

    Built on the first question about a document, once per index state (a refresh builds a new
    one with the new state), so ordinary questions never pay for it: the rows of each document
    first (one pass over the chunks, each symbol normalised once), then a document's paragraphs
    when a question names it.
    """

    def __init__(self, chunks: Callable[[], Sequence[Chunk]], records: Callable[[], Sequence[DocumentRecord]] | None):
        self._chunks = chunks
        self._records = records
        self._lock = threading.Lock()
        self._rows: dict[str, list[int]] | None = None  # normalised symbol → its chunks' rows
        self._by_number: dict[str, list[str]] = {}
        self._by_key: dict[str, dict[str, DocumentRecord]] | None = None
        self._documents: dict[str, _Document] = {}

    def _index(self) -> dict[str, list[int]]:
        with self._lock:
            if self._rows is None:
                found = DocumentRows.of(self._chunks())
                self._by_number = found.by_number
                self._rows = found.rows
            return self._rows

    def _document(self, k: str) -> _Document:
        doc = self._documents.get(k)
        if doc is not None:
            return doc
        chunks = self._chunks()
        mine = sorted((chunks[i] for i in self._index()[k]), key=lambda c: c.order)
        doc = _Document(mine[0].document, {})
        for c in mine:
            doc.paragraphs.setdefault(normalise_pid(c.paragraph), {})[c.language] = c
        with self._lock:
            if self._by_key is None:
                self._by_key = {}
                for r in self._records() if self._records is not None else ():
                    self._by_key.setdefault(normalise_symbol(r.document), {})[r.language] = r
        doc.records = dict(self._by_key.get(k, {}))
        self._documents[k] = doc
        return doc

    def named(self, numbers: Sequence[str], filters: Filters) -> list[_Document]:
        rows = self._index()
        keys: list[str] = []
        for n in numbers:
            keys.extend(self._by_number.get(n, ()))
        if not keys:
            keys = [normalise_symbol(d) for d in filters.documents if normalise_symbol(d) in rows]
            if len(keys) > 1:  # several documents in the filter: the question must say which
                keys = []
        return [self._document(k) for k in list(dict.fromkeys(keys))[:MAX_DOCUMENTS]]


def _conversation_numbers(history: Sequence[Message]) -> list[str]:
    """The document the conversation is about: the latest message naming one (a question's
    number, or the first citation of an answer)."""
    for m in reversed(history):
        cited = [d for d, _ in (x.groups() for x in MARKER.finditer(m.content))]
        numbers = [n for d in cited[:1] for n in symbol_numbers(d)] if cited else numbers_of_folded(fold(m.content))
        if numbers:
            return numbers[:1] if cited else numbers
    return []


class DocumentQuestions:
    """The hook: a reply to a question about a document, or None for any other question."""

    def __init__(self, facts: DocumentFacts):
        self.facts = facts

    def reply(self, question: Question) -> DocumentReply | None:
        aspects = asked_about(question)
        if not aspects:
            return None
        lang = question.language
        numbers = list(question.numbers) or _conversation_numbers(question.history)
        docs = self.facts.named(numbers, question.filters)
        if not docs:
            if set(aspects) == {"recall"}:
                # what is recalled with a resolution the index does not hold ("… recalled with
                # resolution 65/281" is about the paragraph that recalls it), or in no document named
                # ("which resolutions recall the Vienna Declaration?"): the search answers it
                return None
            if numbers:  # "when was resolution 99/999 adopted?"
                return DocumentReply(phrase("doc_not_indexed", lang, document=numbers[0]), True)
            # a question that does not speak of a resolution ("when did the Assembly adopt a
            # convention …"): not about a document; the search answers or declines it
            if question.filters.documents or not _rows("questions", "document_word_patterns").search(question.folded):
                return None
            return DocumentReply(phrase("doc_which", lang), True)
        texts: list[str] = []
        cited: list[Retrieved] = []
        missing: list[str] = []
        known: list[str] = []
        for doc in docs:
            part, sources, lacks = _answer(doc, aspects, lang)
            texts.append(part)
            cited.extend(sources)
            missing.extend(lacks)
            date = _date_of(doc)
            if lacks and date:
                known.append(phrase("doc_known", lang, date=_spoken_date(date, lang)))
        if missing:  # a fact the index does not record: said so, with what it does record
            text = " ".join(missing + known)
            return DocumentReply(text, True, [_first(doc, lang) for doc in docs if _first(doc, lang)])
        return DocumentReply("\n\n".join(texts), False, cited)


# -- the facts -----------------------------------------------------------------------------------
def _record(doc: _Document, lang: str) -> DocumentRecord | None:
    return doc.records.get(lang) or doc.records.get("en") or next(iter(doc.records.values()), None)


def _date_of(doc: _Document) -> str:
    record = _record(doc, "en")
    if record is not None and record.date:
        return record.date
    first = next(iter(doc.paragraphs.values()), {})
    return next((c.date for c in first.values() if c.date), "")


def _spoken_date(iso: str, lang: str) -> str:
    """2023-10-11 as the language writes it ("11 October 2023", "11 octobre 2023", "2023年10月11日")."""
    try:
        year, month, day = (int(x) for x in iso.split("-"))
        months = phrase("doc_months", lang).split("|")
        return phrase("doc_date", lang, day=str(day), month=months[month - 1], year=str(year))
    except (ValueError, IndexError):
        return iso


def _first(doc: _Document, lang: str) -> Retrieved | None:
    """The document's first paragraph, in the question's language when the document has it."""
    for versions in doc.paragraphs.values():
        return _retrieved(versions, lang)
    return None


def _retrieved(versions: dict[str, Chunk], lang: str) -> Retrieved:
    shown = versions.get(lang) or versions.get("en") or next(iter(versions.values()))
    return Retrieved(shown, 1.0, dict(versions), "exact")


def _title(doc: _Document, lang: str) -> str:
    record = doc.records.get(lang)
    if record is not None and record.title:
        return record.title
    first = next(iter(doc.paragraphs.values()), {})
    chunk = first.get(lang)
    if chunk is not None and chunk.title:
        return chunk.title
    record = _record(doc, lang)
    if record is not None and record.title:
        return record.title
    return next((c.title for c in first.values() if c.title), "")


def _vote(record: DocumentRecord | None, lang: str) -> str:
    """The vote sentence; "" when the record does not say how the document was adopted."""
    if record is None:
        return ""
    outcome = record.vote.split(" (", 1)[0]
    meta = record.meta
    if outcome == "without_vote":
        return phrase("doc_vote_without", lang)
    if outcome == "unanimous":
        return phrase("doc_vote_unanimous", lang)
    if outcome == "recorded":
        if meta.get("in_favour") is None:
            return phrase("doc_vote_recorded_plain", lang)
        return phrase(
            "doc_vote_recorded", lang, in_favour=str(meta.get("in_favour")),
            against=str(meta.get("against") or 0), abstaining=str(meta.get("abstaining") or 0),
        )
    return ""


def _quoted(text: str, lang: str) -> str:
    words = text.split()
    if len(words) > QUOTE_WORDS:
        text = " ".join(words[:QUOTE_WORDS]) + " …"
    opening, closing = languages()(lang).quotes
    return f"{opening}{text.strip()}{closing}"


def _recalling(doc: _Document, lang: str) -> list[Retrieved]:
    """The preamble's paragraphs recalling earlier texts; those naming a resolution when any do."""
    found: list[Retrieved] = []
    for versions in doc.paragraphs.values():
        r = _retrieved(versions, lang)
        if r.chunk.kind != "preambular":
            continue
        if any(_rows("answers", "recalling_patterns").search(fold(c.text.strip()[:40])) for c in versions.values()):
            found.append(r)
    mention = _rows("answers", "resolution_mention_patterns")
    naming = [r for r in found if any(mention.search(fold(c.text)) for c in r.versions.values())]
    return naming or found


def _answer(doc: _Document, aspects: Sequence[str], lang: str) -> tuple[str, list[Retrieved], list[str]]:
    """(the answer's text for one document, the paragraphs it cites, sentences saying what is missing)."""
    record = _record(doc, lang)
    symbol = doc.symbol
    first = _first(doc, lang)
    at = f" {marker(symbol, first.chunk.paragraph)}" if first is not None else ""
    sentences: list[str] = []
    missing: list[str] = []
    cited: list[Retrieved] = []
    meta_cited = False
    if "adoption" in aspects or "vote" in aspects:
        date = _date_of(doc)
        if date:
            meeting = (doc.records.get(lang) or record).meta.get("meeting") if record is not None else None
            sentences.append(phrase(
                "doc_adopted", lang, document=symbol, date=_spoken_date(date, lang),
                meeting=phrase("doc_meeting", lang, meeting=meeting) if meeting else "",
            ))
        elif "adoption" in aspects:
            missing.append(phrase("doc_date_unknown", lang, document=symbol))
        meta_cited = True
    if "vote" in aspects:
        vote = _vote(record, lang)
        if vote:
            sentences.append(vote)
        else:
            missing.append(phrase("doc_vote_unknown", lang, document=symbol))
    if "sponsor" in aspects:
        sponsors = list(record.meta.get("sponsors") or []) if record is not None else []
        if sponsors:
            sentences.append(phrase("doc_sponsors", lang, document=symbol, sponsors=phrase("doc_list_separator", lang).join(sponsors)))
            meta_cited = True
        else:
            missing.append(phrase("doc_sponsors_unknown", lang, document=symbol))
    if "title" in aspects:
        title = _title(doc, lang)
        if title:
            sentences.append(phrase("doc_title", lang, document=symbol, title=_quoted(title, lang)))
            meta_cited = True
        else:
            missing.append(phrase("doc_title_unknown", lang, document=symbol))
    text = languages()(lang).separator.join(sentences)
    if meta_cited and sentences and first is not None:
        text = _before_full_stop(text, at)
        cited.append(first)
    if "recall" in aspects:
        recalling = _recalling(doc, lang)
        if recalling:
            lines = [phrase("doc_recalls", lang, document=symbol)]
            for r in recalling:
                lines.append(f"- {_quoted(r.chunk.text, r.chunk.language)} {marker(symbol, r.chunk.paragraph)}")
                if r.key not in {c.key for c in cited}:
                    cited.append(r)
            text = "\n".join([text, *lines] if text else lines)
        else:
            missing.append(phrase("doc_recalls_none", lang, document=symbol))
    return text, cited, missing


def _before_full_stop(text: str, citation: str) -> str:
    """The citation before the text's last full stop ("… without a vote [X, PP1].")."""
    stripped = text.rstrip()
    if stripped and stripped[-1] in ".。":
        return f"{stripped[:-1]}{citation}{stripped[-1]}"
    return f"{stripped}{citation}"
