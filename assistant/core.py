"""The one entry point every surface calls: `Assistant.stream()` and its blocking twin `answer()`.

question (+ history, filters) → conversation folded in → retrieval → refusal decision →
generation → citation check → events. The blocking answer is built by consuming the stream,
so the CLI, the API, the Gradio UI and the widget can never drift apart.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain

import numpy as np

from reso.assistant.adoption import AdoptionIndex
from reso.assistant.citations import MARKER, MarkerFilter, key, parent_key
from reso.assistant.completion import CitationCompletion
from reso.assistant.lineage.questions import IndexedDocuments, LineageQuestions
from reso.assistant.lineage.service import LineageService
from reso.assistant.document_questions import DocumentFacts, DocumentQuestions, DocumentReply, declines, first_sentence_done
from reso.assistant.generators import GenerationInput, Generator
from reso.assistant.models import Answer, Citation, Filters, Message, Retrieved
from reso.assistant.question import Question
from reso.assistant.refusal import RefusalPolicy
from reso.assistant.retrieval import HybridRetriever, Retriever
from reso.errors import ResoError
from reso.index.store import DocumentRecord
from reso.prompts import phrase

MAX_QUESTION_CHARS = 2000
WARM_UP_QUESTION = "What does the Council request the Secretary-General to do?"  # Assistant.warm_up
log = logging.getLogger(__name__)


class TrimmedDeltas:
    """Holds back whitespace at the edges, so the deltas every surface streams add up to exactly
    the final answer text (a model's stream often starts or ends with spaces and newlines)."""

    def __init__(self) -> None:
        self.started = False
        self.pending = ""

    def feed(self, text: str) -> str:
        if not self.started:
            text = text.lstrip()
        core = text.rstrip()
        if not core:
            self.pending += text if self.started else ""
            return ""
        out = self.pending + core
        self.pending = text[len(core) :]
        self.started = True
        return out


class InvalidQuestion(ResoError):
    """The question cannot be asked as it is (empty, too long)."""


def checked_question(question: str | None, limit: int = MAX_QUESTION_CHARS) -> str:
    """The question without its surrounding space; InvalidQuestion when empty or over `limit` characters.

    The one length check: the API calls it with its configured limit (RESO_MAX_QUESTION_CHARS,
    at most this one) before any work, the assistant with its own.
    """
    question = (question or "").strip()
    if not question:
        raise InvalidQuestion(phrase("question_empty", "en"))
    if len(question) > limit:
        raise InvalidQuestion(phrase("question_too_long", "en", length=str(len(question)), limit=str(limit)))
    return question


class FirstSentence:
    """Holds an answer's text back until its first sentence is whole, to read whether it declines.

    A model told to say so when its sources do not answer does ("The provided texts do not
    specify …"), often citing the paragraphs it read: such an answer is a refusal. The first
    sentence decides (`document_questions.declines`); once it does, the text flows as it comes,
    and in a declining answer the markers are dropped, so the shown text cites nothing.

    Only a sampling model's answer is read (`watch`): a deterministic generator composes its
    answer from the sources' own words and fixed frames, never declines in words of its own, and
    streams from its first word.
    """

    def __init__(self, watch: bool = True) -> None:
        self.held = ""
        self.declined: bool | None = None if watch else False  # None: not decided yet

    def feed(self, text: str, end: bool = False) -> str:
        if self.declined is None:
            self.held += text
            if not (end or first_sentence_done(self.held)):
                return ""
            self.declined = declines(self.held)
            text, self.held = self.held, ""
        return _WITHOUT_MARKER.sub("", text) if self.declined else text


_WITHOUT_MARKER = re.compile(r"[ \t]*" + MARKER.pattern)


@dataclass
class Delta:
    text: str


@dataclass
class Sources:
    citations: list[Citation]


@dataclass
class Done:
    answer: Answer


Event = Delta | Sources | Done


def citation_of(r: Retrieved, paragraph: str | None = None, adoption: AdoptionIndex | None = None) -> Citation:
    """The citation of a retrieved paragraph; with `adoption`, its document's vote and sponsors too."""
    c = r.chunk
    facts = adoption.of(c.document) if adoption is not None else None
    return Citation(document=c.document, paragraph=paragraph or c.paragraph, language=c.language, text=c.text,
                    title=c.title, vote=facts.vote if facts else "", sponsors=facts.sponsors if facts else ())


class AnswerCache:
    """The events of recent answers, replayed for the same question on the same index state.

    Helpdesk questions repeat ("what is resolution 30/25 about?"), and a deterministic generator
    gives the same answer to the same question, history and filters over the same index. Each
    `IndexState` has its own cache, so an ingest's refresh starts an empty one and a replay never
    outlives the paragraphs it cites. Bounded (LRU) and shared by the server's threads.
    """

    def __init__(self, size: int):
        self.size = size
        self._events: OrderedDict[Hashable, tuple[Event, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[Event, ...] | None:
        with self._lock:
            events = self._events.get(key)
            if events is not None:
                self._events.move_to_end(key)
            return events

    def put(self, key: Hashable, events: tuple[Event, ...]) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._events[key] = events
            while len(self._events) > self.size:
                self._events.popitem(last=False)


@dataclass(frozen=True)
class IndexState:
    """What one question reads of the index, published whole by `Assistant.refresh`.

    The retriever is pinned to one state of its tables (`HybridRetriever.pinned`), and the refusal
    policy's word rarities and vocabulary are the lexical index of those same tables: a question
    asked while an ingest's refresh runs sees the old pair or the new pair, never new tables with
    old rarities (a new document's words counted as unknown) or the reverse.
    """

    retriever: Retriever
    refusal: RefusalPolicy
    answers: AnswerCache = field(default_factory=lambda: AnswerCache(0))

    languages: frozenset[str] = frozenset()  # of the indexed paragraphs (a version in German, say)
    # questions about a document itself (its adoption, vote, sponsors, title, what it recalls),
    # answered from these tables' documents and their records
    documents: DocumentQuestions | None = None
    # what these tables' documents cite and are cited by, their series, their comparison
    lineage: LineageService | None = None
    # questions about change and lineage ("what changed between 2677 (2023) and 2779 (2025)?"),
    # answered from `lineage` with citations on both sides
    lineage_questions: LineageQuestions | None = None
    # each document's vote and sponsors: the `votes` and `sponsors` filters, the facts beside a citation
    adoption: AdoptionIndex | None = None

    def cite(self, r: Retrieved, paragraph: str | None = None) -> Citation:
        return citation_of(r, paragraph, self.adoption)


class Assistant:
    def __init__(
        self,
        retriever: Retriever,
        generator: Generator,
        refusal: RefusalPolicy | None = None,
        k: int = 10,
        answer_cache: int = 0,
        refresh_interval: float = 0.0,
        documents: Callable[[], Sequence[DocumentRecord]] | None = None,
        completion: CitationCompletion | None = None,
        ingest_running: Callable[[], bool] | None = None,
        ingest_wait: float = 30.0,
    ):
        """`ingest_running`: whether an ingest is writing the index now; a change seen meanwhile is
        reloaded once it has finished (`index.lock.ingest_running`), or after `ingest_wait` seconds
        of a long one (the whole corpus takes half an hour): what it wrote so far, then it waits again."""
        self._live_retriever = retriever  # the one `refresh` re-reads; questions use the pinned state
        # the documents' records (date, vote, sponsors …), read once per index state when a
        # question about a document asks; the library's when not given
        if documents is None and isinstance(retriever, HybridRetriever):
            documents = retriever.library.document_records
        self._documents = documents
        self._refusal = refusal or RefusalPolicy()
        self.generator = generator
        self.k = k
        # which further paragraphs an answer cites: a part of the question, the kind asked, a clause's end
        self.completion = completion or CitationCompletion()
        # only a generator that says it is deterministic may have its answers replayed
        self._answer_cache_size = answer_cache if generator.deterministic else 0
        self._state = self._read_state()
        self._refresh_interval = refresh_interval
        self._last_check = time.monotonic()
        self._checking = threading.Lock()
        # one refresh at a time: two at once (a caller's and the background check's) could publish
        # the slower one's older tables after the newer ones
        self._refreshing = threading.Lock()
        self._warm_lineage_on_refresh = False  # a server's: set by its first `warm_up_lineage`
        self._ingest_running = ingest_running or (lambda: False)
        self._ingest_wait = ingest_wait
        self._waiting_since: float | None = None  # when a change was first seen under an ingest's lock

    @property
    def retriever(self) -> Retriever:
        """The retriever `refresh` re-reads (for LangChain adapters, benchmarks); questions search a
        copy of it pinned with the refusal policy in one `IndexState`."""
        return self._live_retriever

    @property
    def lineage(self) -> LineageService:
        """The current index state's lineage (CONTRACTS §7): references, series, comparison."""
        self._check_for_changes()
        state = self._state
        if state.lineage is None:  # a state built without one (tests building IndexState by hand)
            return LineageService(lambda: state.retriever.chunks, self._documents)
        return state.lineage

    @property
    def adoption(self) -> AdoptionIndex:
        """The current index state's votes and sponsors (the filters' choices, the citations' facts)."""
        self._check_for_changes()
        state = self._state
        return state.adoption if state.adoption is not None else AdoptionIndex(self._documents)

    def scoped(self, filters: Filters | None) -> Filters | None:
        """`filters` with `votes` and `sponsors` resolved to documents in the current index state; None
        when they keep none (for callers that search without asking, such as MCP's search tool)."""
        return self.adoption.narrowed(filters)

    @property
    def refusal(self) -> RefusalPolicy:
        """The refusal policy of the current state, over the current tables' lexical index."""
        return self._state.refusal

    def _read_state(self) -> IndexState:
        retriever = self._live_retriever.pinned()
        lexical = retriever.lexical
        refusal = replace(self._refusal, index=lexical if lexical is not None else self._refusal.index,
                          paragraph_tokens=retriever.paragraph_tokens)
        facts = DocumentFacts(lambda: retriever.chunks, self._documents)
        lineage = LineageService(lambda: retriever.chunks, self._documents)
        questions = LineageQuestions(lineage, IndexedDocuments(lambda: retriever.chunks),
                                     lambda asked: retriever.retrieve(asked, k=self.k * 3, filters=asked.filters), refusal,
                                     getattr(retriever, "tables", None))
        return IndexState(
            retriever, refusal, AnswerCache(self._answer_cache_size), _languages_of(retriever), DocumentQuestions(facts),
            lineage, questions, AdoptionIndex(self._documents),
        )

    def warm_up(self, question: str = WARM_UP_QUESTION) -> None:
        """Run one question through the analysis, the search and the refusal check, and drop it.

        What they share is built on first use (the paragraph tokens, the language tables and
        patterns, the query model): a server calls this before it reports ready, so its first
        user's question does not pay ~1 s for them. The generator is not called (an LLM would
        be asked a question nobody asked) and nothing is cached but the query's embedding and this
        state's votes and sponsors (its records, read once a state: ~0.8 s for 3,800 records).
        """
        state = self._state
        asked = Question.ask(question, [], None, None)
        state.refusal.decide(asked, state.retriever.retrieve(asked, k=self.k))
        if state.adoption is not None:  # every citation shows its document's vote and sponsors
            state.adoption.warm()

    def warm_up_languages(self, words: int = 8) -> list[str]:
        """`warm_up` in each language of the index: a question in a language not met yet loads that
        language's lexicon pairs, patterns and tables (20–100 ms a language at 120k paragraphs,
        measured as a 5× higher mean latency over the first questions in six languages). A server
        runs this after it answers, in the background. Each question is the opening words of a
        paragraph in that language; which languages were warmed is returned."""
        state = self._state
        chunks = getattr(state.retriever, "chunks", None) or []
        sample: dict[str, str] = {}
        for c in chunks:
            if c.language not in sample and len(c.text.split()) >= words:
                sample[c.language] = " ".join(c.text.split()[:words])
            if len(sample) == len(state.languages):
                break
        for language, text in sample.items():
            asked = Question.ask(text, [], None, language)
            state.refusal.decide(asked, state.retriever.retrieve(asked, k=self.k))
        return sorted(sample)

    def warm_up_lineage(self) -> bool:
        """Build the current state's reference graph (every paragraph's references, the series).

        Built on first use, it made the first question about lineage wait ~5 s at 120k paragraphs
        (`reso.evals.bench --index`: one answer of 4 s, with the CPU-bound build holding the
        interpreter, so that the questions beside it waited too and 4 clients got 15 answers/s). A
        server builds it in the background once it answers, and again after each reload (`refresh`).
        Whether there was a graph to build.
        """
        self._warm_lineage_on_refresh = True
        lineage = self._state.lineage
        if lineage is None:
            return False
        lineage.graph  # noqa: B018 - built and kept by the service, under its lock
        return True

    def stream(
        self,
        question: str,
        history: Sequence[Message] = (),
        filters: Filters | None = None,
        language: str | None = None,
    ) -> Iterator[Event]:
        """Text deltas, then the sources, then the whole answer (`Done`)."""
        self._check_for_changes()
        state = self._state  # one reference for the whole answer: a concurrent refresh cannot split it
        if state.answers.size <= 0:
            yield from self._answer_events(state, question, history, filters, language)
            return
        t0 = time.perf_counter()
        cache_key = (
            (question or "").strip(),
            tuple((m.role, m.content) for m in history),
            filters or Filters(),
            language,
        )
        try:
            hash(cache_key)
        except TypeError:  # filters built with lists: answer without the cache
            yield from self._answer_events(state, question, history, filters, language)
            return
        cached = state.answers.get(cache_key)
        if cached is not None:
            *events, done = cached
            yield from events
            answer = done.answer
            timings = {"total": (time.perf_counter() - t0) * 1000, "cached": 1.0}
            yield Done(replace(answer, timings_ms=timings))
            return
        events = []
        for event in self._answer_events(state, question, history, filters, language):
            events.append(event)
            if isinstance(event, Done):  # stored before it is yielded: `answer()` stops reading at Done
                state.answers.put(cache_key, tuple(events))
            yield event

    def _answer_events(
        self,
        state: IndexState,
        question: str,
        history: Sequence[Message],
        filters: Filters | None,
        language: str | None,
    ) -> Iterator[Event]:
        t0 = time.perf_counter()
        question = checked_question(question)
        history = list(history)
        # the votes and sponsors filters become the documents they keep (None: they keep none)
        scope = state.adoption.narrowed(filters) if state.adoption is not None else filters
        asked = Question.ask(question, history, scope if scope is not None else filters, language)  # the one analysis
        lang = asked.language
        t1 = time.perf_counter()
        if asked.unsupported and asked.unsupported in state.languages:
            # versions in that language are indexed: its words are searched as they are
            asked = replace(asked, language=asked.unsupported, unsupported="")
            lang = asked.language
        if asked.unsupported:  # searching German words as English ones would only find noise
            text = not_understood(lang)
            yield Delta(text)
            yield Sources([])
            timings = {"analyse": (t1 - t0) * 1000, "retrieve": 0.0, "generate": 0.0}
            yield Done(Answer(text, lang, True, [], [], [], [], timings | {"total": (time.perf_counter() - t0) * 1000}, question=asked))
            return
        if scope is None and filters is not None:  # no indexed document has that vote or sponsor
            text = phrase("refusal", lang) if not _index_empty(state) else phrase("empty_index", lang)
            yield Delta(text)
            yield Sources([])
            timings = {"analyse": (t1 - t0) * 1000, "retrieve": 0.0, "generate": 0.0}
            yield Done(Answer(text, lang, True, [], [], [], [], timings | {"total": (time.perf_counter() - t0) * 1000}, question=asked))
            return
        filters = scope
        # a question about change and lineage first: "which resolutions recall X?" is theirs, not
        # the document questions' "what does X recall?"
        reply = state.lineage_questions.reply(asked) if state.lineage_questions is not None else None
        if reply is None and state.documents is not None:
            reply = state.documents.reply(asked)
        if reply is not None:  # a question about the document itself: answered from its record
            yield from _document_events(reply, asked, t0, t1, state.cite)
            return
        retrieved = state.retriever.retrieve(asked, k=self.k, filters=filters)
        t2 = time.perf_counter()
        decision = state.refusal.decide(asked, retrieved)
        timings = {"analyse": (t1 - t0) * 1000, "retrieve": (t2 - t1) * 1000}

        if not decision.answerable:
            text = phrase("refusal", lang) if retrieved or not _index_empty(state) else phrase("empty_index", lang)
            yield Delta(text)
            related = [state.cite(r) for r in decision.related]
            yield Sources([])
            timings["total"] = (time.perf_counter() - t0) * 1000
            yield Done(Answer(text, lang, True, [], related, retrieved, [], timings | {"generate": 0.0}, question=asked))
            return

        self.completion.complete(state.retriever, asked, filters, decision.sources, retrieved, state.refusal.coverage)
        allowed = {parent_key(r.chunk.document, r.chunk.paragraph) for r in retrieved}
        flt = MarkerFilter(allowed)
        inp = GenerationInput(question, lang, decision.sources, history, asked.standalone, asked)
        parts: list[str] = []
        trim = TrimmedDeltas()
        opening = FirstSentence(watch=not self.generator.deterministic)
        t3 = time.perf_counter()
        for delta in chain(self.generator.stream(inp), [None]):  # None: the end, flush what is held back
            shown = opening.feed(trim.feed(flt.feed(delta) if delta is not None else flt.flush()), end=delta is None)
            if shown:
                parts.append(shown)
                yield Delta(shown)
        timings["generate"] = (time.perf_counter() - t3) * 1000

        by_key = {key(r.chunk.document, r.chunk.paragraph): r for r in retrieved}
        citations = []
        for doc, pid in flt.kept:
            r = by_key.get(parent_key(doc, pid))
            if r is not None:
                citations.append(state.cite(r, paragraph=pid if "(" in pid else None))
        text = "".join(parts)
        # An answer citing nothing rests on nothing (a model declining in its own words, or obeying
        # text that told it to write something else): it is reported as declined, the paragraphs it
        # was given listed as possibly related, never as sources. So is an answer that opens by
        # saying the sources do not answer, whatever it cites (its markers were not shown).
        refused = not citations or bool(opening.declined)
        related = []
        if refused:
            named = {(c.document, c.paragraph) for c in citations}
            related = citations + [c for c in map(state.cite, decision.sources) if (c.document, c.paragraph) not in named]
            citations = []
        yield Sources(citations)
        timings["total"] = (time.perf_counter() - t0) * 1000
        yield Done(Answer(text, lang, refused, citations, related, retrieved, flt.removed, timings, question=asked))

    def answer(
        self,
        question: str,
        history: Sequence[Message] = (),
        filters: Filters | None = None,
        language: str | None = None,
    ) -> Answer:
        for event in self.stream(question, history, filters, language):
            if isinstance(event, Done):
                return event.answer
        raise RuntimeError("the answer stream ended without a final event")  # pragma: no cover

    def _check_for_changes(self) -> None:
        """Every `refresh_interval` seconds at most, look whether the index moved on without us
        (`reso ingest`, or an admin ingest answered by another server worker) and refresh in the
        background: questions meanwhile read the state they have, none waits for the rebuild."""
        if self._refresh_interval <= 0 or time.monotonic() - self._last_check < self._refresh_interval:
            return
        if not self._checking.acquire(blocking=False):
            return  # another thread is checking or refreshing
        self._last_check = time.monotonic()

        def check() -> None:
            try:
                if self._live_retriever.changed():
                    if self._ingest_running():  # its tables are on their way: load them, not build them too
                        now = time.monotonic()
                        if self._waiting_since is None:
                            self._waiting_since = now
                            log.info("the index changed; an ingest is still writing it: reloading when it has finished")
                        if now - self._waiting_since < self._ingest_wait:
                            return
                        log.info("an ingest has been writing the index for %.0f s: reloading what it has written so far",
                                 now - self._waiting_since)
                    self._waiting_since = None
                    self.refresh()
            except Exception:  # the index server may be down: the next question's check tries again
                log.warning("could not check the index for changes", exc_info=True)
            finally:
                self._last_check = time.monotonic()
                self._checking.release()

        threading.Thread(target=check, name="reso-refresh", daemon=True).start()

    def refresh(self) -> None:
        """Make newly ingested paragraphs findable: the retriever keeps its tables in memory.

        The refusal policy reads the retriever's vocabulary (word rarity, unknown names), so the
        new tables and a policy over their lexical index are published together, by one
        assignment of a new `IndexState`, after both are built. (Refreshing `self.retriever`
        alone does not reach the questions: call this.)
        """
        with self._refreshing:
            t0 = time.perf_counter()
            before = len(self._state.retriever.chunks)
            self._live_retriever.refresh()
            state = self._read_state()
            if state.adoption is not None:  # read here, in the refresh, rather than by the next question
                state.adoption.warm()
            self._state = state
            # logged as it is published, before the memory is given back: a question answered from
            # the new state finds its reload already in the log
            log.info(
                "index reloaded in %.1f s: %d paragraphs (was %d)",
                time.perf_counter() - t0, len(state.retriever.chunks), before,
            )
            _give_back_memory()
        if self._warm_lineage_on_refresh and state.lineage is not None:
            # the new state's reference graph, built now rather than by its first lineage question
            threading.Thread(target=lambda: state.lineage.graph, name="reso-lineage", daemon=True).start()

    def watch(self, stop: threading.Event) -> threading.Thread | None:
        """Check for changes every `refresh_interval` seconds until `stop` is set, questions or not.

        Checking only when a question arrives left the first questions after a `reso ingest`
        answered from the old index; a server starts this once (`reso serve`, each worker).
        """
        if self._refresh_interval <= 0:
            return None

        def loop() -> None:
            while not stop.wait(self._refresh_interval):
                self._last_check = 0.0  # due now
                self._check_for_changes()

        thread = threading.Thread(target=loop, name="reso-watch", daemon=True)
        thread.start()
        return thread


def _document_events(reply: DocumentReply, asked: Question, t0: float, t1: float,
                     cite: Callable[[Retrieved], Citation] = citation_of) -> Iterator[Event]:
    """The events of a reply about a document: its text, its citations (none when it declines,
    the paragraphs it names then listed as related), the answer."""
    yield Delta(reply.text)
    citations = [] if reply.refused else [cite(r) for r in reply.sources]
    yield Sources(citations)
    related = [cite(r) for r in reply.sources] if reply.refused else []
    t2 = time.perf_counter()
    timings = {"analyse": (t1 - t0) * 1000, "retrieve": (t2 - t1) * 1000, "generate": 0.0, "total": (t2 - t0) * 1000}
    yield Done(Answer(reply.text, asked.language, reply.refused, citations, related, list(reply.sources), [], timings, question=asked))


def _languages_of(retriever: Retriever) -> frozenset[str]:
    """The languages of the retriever's paragraphs, once a state (none for a retriever without tables)."""
    found = getattr(getattr(retriever, "tables", None), "languages", None)
    return frozenset(np.unique(found).tolist()) if found is not None and len(found) else frozenset()


def _give_back_memory() -> None:
    """Return the freed old tables' memory to the system after a reload.

    The old tables are a few hundred thousand small objects; once they are freed the C
    allocator keeps their pages for reuse, so a server's memory grew by a third with each reload
    (measured on 120k paragraphs: 616 MB → 842 MB; with this, 786 MB). glibc only; elsewhere a no-op.
    """
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def not_understood(nearest: str) -> str:
    """Which languages are understood, in English and in the understood language nearest the
    question's (Spanish for a Portuguese question, Russian for a Ukrainian one)."""
    english = phrase("language_not_understood", "en")
    near = phrase("language_not_understood", nearest)
    return english if near == english else f"{english}\n\n{near}"


def _index_empty(state: IndexState) -> bool:
    return len(state.retriever.chunks) == 0

