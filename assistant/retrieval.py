"""Question → ranked paragraphs: exact look-up first, then hybrid lexical + dense search.

Why hybrid: on this corpus BM25 over accent-folded, stemmed text (with the resolution's number
and title in each chunk) is the stronger single retriever, while a multilingual dense model is
what finds a French paragraph for an English question. Scores are min-max normalised within
the candidates and mixed with weights, because rank fusion with a weak dense model was measured
to hurt. Each paragraph is returned once, whatever the number of its language versions, shown in
the question's language when the document has it.

The tables a search reads (chunks, their columns, the lexical index, the vectors) form one immutable
`RetrievalTables`, replaced by a single assignment on refresh: a search running during an
ingest's refresh reads the old tables or the new ones, never half of each.
"""

from __future__ import annotations

import copy
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from reso.assistant import ranker as second_stage
from reso.assistant.answer_types import gives
from reso.assistant.models import Filters, Retrieved
from reso.assistant.question import Question
from reso.index.analysis import fold
from reso.index.chunks import Chunk
from reso.index.lexical import LexicalIndex, symbol_numbers
from reso.index.lexicon import Lexicon, bundled
from reso.index.library import Library
from reso.index.model import normalise_pid, normalise_symbol
from reso.index.symbols import parse as parse_symbol
from reso.index.lexical import paragraph_tokens_of
from reso.index.tables import ChildBuild, ParagraphTokens, Snapshot, TableCache, build_snapshot

Mode = Literal["hybrid", "bm25", "dense"]
_NAMES = re.compile(r"\b[A-Z][a-zà-ÿ]{3,}\b")
log = logging.getLogger(__name__)


class Retriever(Protocol):
    """What the assistant reads of a retriever: every member `Assistant` uses is declared here."""

    @property
    def chunks(self) -> list[Chunk]:
        """The paragraphs of the tables searched (an empty list: an empty index)."""
        ...

    @property
    def lexical(self) -> LexicalIndex | None:
        """The lexical index of those tables (word rarity and vocabulary, for the refusal policy)."""
        ...

    def retrieve(self, question: Question | str, k: int = 10, filters: Filters | None = None) -> list[Retrieved]:
        """Ranked paragraphs; a plain string is read as a question of its own (`Question.of`)."""
        ...

    def paragraph_tokens(self, chunk: Chunk) -> list[str]:
        """A chunk's tokens as its lexical index holds them (the refusal policy's evidence)."""
        ...

    def pinned(self) -> Retriever:
        """This retriever fixed to its current tables, for one question (a refresh leaves it as it is)."""
        ...

    def changed(self) -> bool:
        """Whether the index moved on since the tables were read (cheap)."""
        ...

    def refresh(self) -> None:
        """Re-read the tables after an ingest."""
        ...


@dataclass(frozen=True)
class HybridWeights:
    lexical: float = 0.7
    dense: float = 0.3
    dense_candidates: int = 100
    translated: float = 0.5  # weight of the other language's words (bilingual lexicon expansion)
    answer_type: float = 0.1  # bonus for a paragraph holding the kind of answer asked (a date, a number…)
    post_filter_share: float = 0.2  # filters keeping at least this share of chunks are applied after the dense search
    exact_rows: int = 50_000  # dense search by a product over the vectors in memory up to this many rows in scope
    # …and up to this many for a filter too narrow for the widened unfiltered search: the product
    # over a filter's rows (contiguous runs: a document's versions are adjacent) costs ~3 ms per
    # 50k rows, Chroma's filtered HNSW search 330-370 ms at 120k and 1M rows (measured)
    exact_filtered_rows: int = 1_000_000
    prior_candidates: int = 200  # rows the answer-type, operative-part and year priors are applied to
    # bonus for a paragraph of a text adopted in a year the question writes ("en 2021")… (0.2: the
    # best of 0, 0.1, 0.2, 0.3, 0.5, 1 on dated questions made from the corpus, fitting documents:
    # MRR 0.463 / 0.507 / 0.519 / 0.517 / 0.506 / 0.489, `docs/measurements.md`)
    year: float = 0.2
    # …and again when it writes the month too ("fin octobre 2021"): a month with its year is the
    # adoption month more often (72 of 76 answerable questions of the development, own and blind
    # sets, against 124 of 141 for a year alone), so it weighs no less than the year
    month: float = 0.2
    # bonus for a paragraph of the one body the question names ("安理会", "the Human Rights Council"):
    # of the 164 answerable questions of the development and own sets that name a body and no
    # resolution, 160 name one, always their text's, and 4 name two; questions made from the
    # corpus always name the right one, so they cannot choose the weight: the month's, a priori
    body: float = 0.1
    context: float = 0.5  # weight of the earlier question an elliptical follow-up leans on
    # the share of the question's own word weight (the idf of its stems) the best lexical score must
    # reach for the lexical part to weigh fully; below it, that part is scaled down in proportion
    # (`_lexical_trust`). 0 turns it off. 0.15 of 0.08 / 0.15 / 0.3, chosen on `paraphrase-heldout1`
    # and multilingual-dev, confirmed on `paraphrase-heldout2` and the crosslingual sets
    # (`docs/measurements.md`); questions made from the corpus, bags of a paragraph's own words,
    # lose ~0.02 MRR by it and cannot choose it
    lexical_evidence: float = 0.15
    preambular: float = 0.85  # factor on preambular paragraphs' scores (<1 prefers the operative part)
    rerank_candidates: int = 30  # paragraphs of the first stage the second stage re-scores…
    rerank_each: int = 8  # …with the best few by the lexical and by the dense score alone
    # rows of the dense search run again over the documents lacking the question's language, and over
    # those of a year the question writes (`_nearest_among`); how many of each pool's best paragraphs
    # the second stage re-scores besides
    pool_rows: int = 40
    pool_each: int = 4
    pool_direct_rows: int = 5_000  # a larger pool is searched in the documents whose mean vector is nearest…
    pool_documents: int = 40  # …these many


def scoped_product(vectors: np.ndarray, scope: np.ndarray, q: np.ndarray) -> np.ndarray:
    """`vectors[scope] @ q` for sorted rows `scope`, without copying the rows when they come in runs.

    Gathering 50k scattered rows copies 77 MB (26 ms at 1M rows, measured); a filter's rows are
    mostly runs (a document's language versions are adjacent rows), and a product per run reads
    the memory-mapped vectors in place (3 ms per 50k rows). Scattered rows (a date range over
    many short documents) are gathered as before.
    """
    if len(scope) == 0:
        return np.zeros(0, dtype=np.float32)
    breaks = np.flatnonzero(np.diff(scope) != 1) + 1
    if (len(breaks) + 1) * 8 > len(scope):  # runs shorter than 8 rows on average: one gather is cheaper
        return np.einsum("ij,j->i", vectors[scope], q)
    starts = scope[np.concatenate(([0], breaks))]
    ends = scope[np.concatenate((breaks - 1, [len(scope) - 1]))] + 1
    return np.concatenate([np.einsum("ij,j->i", vectors[a:b], q) for a, b in zip(starts.tolist(), ends.tolist())])


def chroma_where(filters: Filters, named_docs: Sequence[str] = ()) -> dict | None:
    clauses: list[dict] = []
    docs = [normalise_symbol(d) for d in filters.documents] or list(named_docs)
    if filters.documents and named_docs:
        docs = [d for d in docs if d in set(named_docs)] or docs
    if docs:
        clauses.append({"document_key": {"$in": docs}})
    if filters.bodies:
        clauses.append({"body": {"$in": list(filters.bodies)}})
    if filters.languages:
        clauses.append({"language": {"$in": list(filters.languages)}})
    if filters.date_from:
        clauses.append({"date_int": {"$gte": int(filters.date_from.replace("-", ""))}})
    if filters.date_to:
        clauses.append({"date_int": {"$lte": int(filters.date_to.replace("-", ""))}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def document_rows(t: RetrievalTables, docs: set[str]) -> np.ndarray:
    """The rows of these documents (normalised symbols), by integer codes of the symbols built once
    per tables: `np.isin` over the rows' symbol strings sorted every row for each question (20 ms at
    40k rows for the 264 documents a `votes` filter keeps)."""
    built = t.doc_codes.get("codes")
    if built is None:
        names, codes = np.unique(t.doc_keys, return_inverse=True)
        built = t.doc_codes["codes"] = ({n: i for i, n in enumerate(names.tolist())}, codes)
    index, codes = built
    wanted = np.zeros(len(index) + 1, dtype=bool)
    wanted[[index[d] for d in docs if d in index]] = True
    return wanted[codes] if len(codes) else np.zeros(0, dtype=bool)


def _minmax(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """`x` scaled to 0–1 over the rows of `mask`, 0 elsewhere. Computed on those rows only: the
    candidates are a few hundred of 120k rows, and whole-array arithmetic was 1 ms a question."""
    out = np.zeros(len(x), dtype=np.float32)
    rows = np.flatnonzero(mask)
    if not len(rows):
        return out
    values = x[rows]
    lo, hi = float(values.min()), float(values.max())
    if hi - lo < 1e-9:
        out[rows] = values > 0
        return out
    out[rows] = np.clip((values - lo) / (hi - lo), 0.0, 1.0)
    return out


@dataclass(frozen=True, eq=False)
class RetrievalTables:
    """Everything a search reads of one state of the index, built together and never mutated after.

    Rows are aligned across `chunks`, the column arrays and the lexical index. `lacks` is a memo
    filled lazily per language; it belongs to these tables, so a refresh cannot leave it stale.
    """

    chunks: list[Chunk]
    lexical: LexicalIndex | None
    vectors: np.ndarray | None  # unit rows aligned with `chunks` (memory-mapped from the cache)
    row_of: dict[str, int]
    doc_keys: np.ndarray
    languages: np.ndarray
    bodies: np.ndarray
    dates: np.ndarray
    versions: dict[tuple[str, str], dict[str, int]]
    docs_by_number: dict[str, set[str]]
    pids: np.ndarray  # each row's paragraph id, normalised (OP3, PP1): with `doc_keys`, its paragraph's key
    # each row's paragraph as a code into `paragraph_keys` (document key, paragraph id): the search
    # groups rows by paragraph with these ints, and its keys are these tuples, hashed once
    paragraphs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    paragraph_keys: list[tuple[str, str]] = field(default_factory=list)
    tokens: ParagraphTokens = field(default_factory=ParagraphTokens)  # each row's paragraph tokens
    lacks: dict[str, np.ndarray] = field(default_factory=dict)
    pools: dict[str, Any] = field(default_factory=dict)  # memo of the rows the dense search is run again over, and their documents' means
    # (symbol → code, each row's code), codes in the symbols' sorted order: made by `of`, see `document_rows`
    doc_codes: dict[str, tuple[dict[str, int], np.ndarray]] = field(default_factory=dict)
    largest_document: int = 0  # rows of the document with most: more rows in scope are several documents
    snapshot: Snapshot | None = None  # what these tables were made of: the base of the next state's build

    @classmethod
    def of(cls, snapshot: Snapshot) -> RetrievalTables:
        chunks = snapshot.chunks
        versions: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
        docs_by_number: dict[str, set[str]] = defaultdict(set)
        # normalised once per document and paragraph label, not per chunk: a start on 100k chunks
        # spent a second in these regexes
        symbol_key: dict[str, str] = {}
        pid_key: dict[str, str] = {}
        doc_keys: list[str] = []
        pids: list[str] = []
        code_of: dict[tuple[str, str], int] = {}
        paragraphs = np.empty(len(chunks), dtype=np.int64)
        document_of: dict[str, int] = {}  # document key → code, in order of first row
        documents = np.empty(len(chunks), dtype=np.int64)
        for i, c in enumerate(chunks):
            key = symbol_key.get(c.document)
            if key is None:
                key = symbol_key[c.document] = normalise_symbol(c.document)
                for n in symbol_numbers(c.document):
                    docs_by_number[n].add(key)
            documents[i] = document_of.setdefault(key, len(document_of))
            pid = pid_key.get(c.paragraph)
            if pid is None:
                pid = pid_key[c.paragraph] = normalise_pid(c.paragraph)
            versions[(key, pid)][c.language] = i
            paragraphs[i] = code_of.setdefault((key, pid), len(code_of))
            doc_keys.append(key)
            pids.append(pid)
        # the codes in the symbols' sorted order (`np.unique`'s, the saved documents' means'): made
        # here from the loop's ints, where `np.unique` over 120k symbol strings took 0.17 s
        names = sorted(document_of)
        recode = np.empty(len(names), dtype=np.int64)
        recode[[document_of[n] for n in names]] = np.arange(len(names))
        return cls(
            chunks=chunks,
            lexical=snapshot.lexical,
            vectors=snapshot.vectors,
            row_of={c.id: i for i, c in enumerate(chunks)},
            doc_keys=np.array(doc_keys),
            languages=np.array([c.language for c in chunks]),
            bodies=np.array([c.body for c in chunks]),
            dates=_dates(chunks, doc_keys),
            versions=versions,
            docs_by_number=docs_by_number,
            pids=np.array(pids),
            paragraphs=paragraphs,
            paragraph_keys=list(code_of),
            tokens=snapshot.tokens,
            largest_document=max(Counter(doc_keys).values(), default=0),
            snapshot=snapshot,
            doc_codes={"codes": ({n: i for i, n in enumerate(names)}, recode[documents])},
        )


def _dates(chunks: Sequence[Chunk], doc_keys: Sequence[str]) -> np.ndarray:
    """Each row's adoption date as yyyymmdd. A version whose markup gives none (35 of the 120k
    index's versions: English texts of 2000–2012, Arabic, Chinese and Russian ones of 2023) takes
    its document's date from another version, else the year a Council symbol prints
    ("S/RES/2059 (2012)" → 20120000): a question dating the text it asks about ("в июле 2012
    года") raises that year's texts, and an undated one was never among them."""
    own = [int(c.date.replace("-", "")) if c.date else 0 for c in chunks]
    known: dict[str, int] = {}
    for key, d in zip(doc_keys, own):
        if d and d > known.get(key, 0):
            known[key] = d
    out = np.array(own, dtype=np.int64)
    for i in np.flatnonzero(out == 0).tolist():
        key = doc_keys[i]
        if key not in known:
            symbol = parse_symbol(chunks[i].document)
            known[key] = (symbol.year or 0) * 10000 if symbol else 0
        out[i] = known[key]
    return out


@dataclass(frozen=True, eq=False)
class FirstStage:
    """What the first stage found for one question: exact look-ups, and paragraphs by mixed score."""

    tables: RetrievalTables
    exact: list[Retrieved]
    ranked: list[tuple[tuple[str, str], tuple[float, int]]]  # (document key, paragraph id) → (score, best row)
    rows_of: dict[tuple[str, str], list[int]]  # each paragraph's rows among those grouped
    lex: np.ndarray
    dense: np.ndarray
    cand: np.ndarray
    lex_n: np.ndarray | None = None  # the two scores min-max normalised over the candidates, as mixed (hybrid only)
    dense_n: np.ndarray | None = None
    pools: tuple[np.ndarray, ...] = ()  # rows of each further dense search (`_nearest_among`), best first


class HybridRetriever:
    """Holds the chunk table, the lexical index and the vectors in memory; the dense search is a
    product over the rows in scope, or the store's own query when they are too many.

    With a `cache_dir`, the tables are kept on disk too (`index.tables.TableCache`), keyed by
    the store's fingerprint: a start on an unchanged index loads them instead of reading and
    tokenising every chunk again, and a refresh after an ingest tokenises only what it wrote.
    """

    def __init__(
        self,
        library: Library,
        mode: Mode = "hybrid",
        weights: HybridWeights | None = None,
        lexicon: Lexicon | None = None,
        cache_dir: Path | None = None,
        ranker: second_stage.RankerModel | Literal["auto", "off"] = "off",
        child_build: ChildBuild | None = None,
    ):
        """`ranker`: the second stage's model; "auto" takes the one shipped for the dense model the
        index was written with (none for the `hash` test embedder), "off" keeps the first stage's order.
        `child_build`: the tables a reload of a large index lacks are built in a child process (`ChildBuild`);
        None: here."""
        self.library = library
        self.lexicon = lexicon if lexicon is not None else bundled()
        self.mode = mode
        self.weights = weights or HybridWeights()
        self.ranker_setting = ranker
        self.ranker: second_stage.RankerModel | None = None
        self.cache = TableCache(cache_dir) if cache_dir is not None and mode != "dense" else None
        self.child_build = child_build
        self.refresh()

    def refresh(self) -> None:
        """Re-read the chunks after an ingest; one assignment publishes the new tables."""
        fingerprint = self._fingerprint()
        self.tables = self._read_tables(fingerprint)
        self.built_from = fingerprint
        self.ranker = self._ranker()

    def _ranker(self) -> second_stage.RankerModel | None:
        if self.mode != "hybrid" or self.ranker_setting == "off":
            return None
        if isinstance(self.ranker_setting, second_stage.RankerModel):
            return self.ranker_setting
        try:
            record = self.library.store.model_record()
        except Exception as exc:  # noqa: BLE001 - the first stage alone still answers
            log.warning("no model record for the index (%s); the second ranking stage is off", exc)
            return None
        return second_stage.shipped(record["embedder"]) if record else None

    def changed(self) -> bool:
        """Whether the index moved on since the tables were read (another process or server worker
        ingested): one small metadata read, no chunks."""
        current = self._fingerprint()
        return current is not None and current != self.built_from

    def pinned(self) -> HybridRetriever:
        """This retriever fixed to its current tables: refreshing this one leaves the copy as it is.

        `Assistant` pairs the copy with a refusal policy over the same lexical index, so that one
        question (and its follow-up searches) reads one state of the index throughout.
        """
        return copy.copy(self)

    def _read_tables(self, fingerprint: str | None) -> RetrievalTables:
        live = getattr(self, "tables", None)  # a refresh builds on the state it answers from meanwhile
        snapshot = build_snapshot(self.library.store, self.cache, fingerprint, lexical=self.mode != "dense",
                                  live=live.snapshot if live is not None else None,
                                  # a reload's build runs in a child (the live state is in memory beside it); a
                                  # start's here: nothing else is held yet, and a child would add ~3 s of imports and reading
                                  child=self.child_build if live is not None else None)
        return RetrievalTables.of(snapshot)

    def _fingerprint(self) -> str | None:
        """None when the store cannot say cheaply whether it changed: then every chunk is read."""
        try:
            return self.library.store.fingerprint()
        except Exception as exc:  # the cache is an optimisation: a store that cannot tell is simply re-read
            log.warning("no fingerprint for the index (%s); reading every chunk", exc)
            return None

    # -- the current tables, for callers that read them between searches ---------------------
    @property
    def chunks(self) -> list[Chunk]:
        return self.tables.chunks

    @property
    def lexical(self) -> LexicalIndex | None:
        return self.tables.lexical

    @property
    def versions(self) -> dict[tuple[str, str], dict[str, int]]:
        return self.tables.versions

    @property
    def row_of(self) -> dict[str, int]:
        return self.tables.row_of

    @property
    def doc_keys(self) -> np.ndarray:
        return self.tables.doc_keys

    def paragraph_tokens(self, chunk: Chunk) -> list[str]:
        """The chunk's tokens as the lexical index holds them (read from the tables, not re-tokenised)."""
        t = self.tables
        row = t.row_of.get(chunk.id)
        return t.tokens.row(row, chunk) if row is not None else paragraph_tokens_of(chunk)

    # -- helpers ---------------------------------------------------------------------------
    def named_documents(self, t: RetrievalTables, question: Question) -> list[str]:
        docs: list[str] = []
        for n in question.numbers:
            docs.extend(sorted(t.docs_by_number.get(n, ())))
        return list(dict.fromkeys(docs))

    @staticmethod
    def _one_document(t: RetrievalTables, mask: np.ndarray) -> list[str]:
        """[the document] when the rows in scope are one document's (a filter to it), which allows a
        look-up by paragraph number; else []. Counted first: comparing the symbols of every row in
        scope took 2 ms a question at 120k rows, and more rows than any document has are several."""
        if np.count_nonzero(mask) > t.largest_document:
            return []
        scope = t.doc_keys[mask]
        return [str(scope[0])] if len(scope) and (scope == scope[0]).all() else []

    def _mask(self, t: RetrievalTables, filters: Filters, named: Sequence[str]) -> np.ndarray:
        mask = np.ones(len(t.chunks), dtype=bool)
        docs = {normalise_symbol(d) for d in filters.documents}
        if named:
            docs = (docs & set(named)) or docs or set(named)
        if docs:
            mask &= document_rows(t, docs)
        if filters.bodies:
            mask &= np.isin(t.bodies, list(filters.bodies))
        if filters.languages:
            mask &= np.isin(t.languages, list(filters.languages))
        if filters.date_from:
            mask &= t.dates >= int(filters.date_from.replace("-", ""))
        if filters.date_to:
            mask &= t.dates <= int(filters.date_to.replace("-", ""))
        return mask

    def _make(self, t: RetrievalTables, key: tuple[str, str], language: str, score: float, match="search", lex=0.0, dense=0.0) -> Retrieved:
        rows = t.versions[key]
        versions = {lang: t.chunks[i] for lang, i in rows.items()}
        shown = versions.get(language) or versions.get("en") or next(iter(versions.values()))
        return Retrieved(shown, score, versions, match, lex, dense)

    def exact(self, t: RetrievalTables, question: Question, docs: Sequence[str]) -> list[Retrieved]:
        ref = question.paragraph
        if ref is None or not docs:
            return []
        out = []
        for doc in docs:
            number = ref.number
            if number == -1:  # "the last operative/preambular paragraph"
                present = [int(p[2:]) for (d, p) in t.versions if d == doc and p.startswith(ref.kind) and p[2:].isdigit()]
                if not present:
                    continue
                number = max(present)
            key = (doc, f"{ref.kind}{number}")
            if key in t.versions:
                out.append(self._make(t, key, question.language, 1e6, "exact"))
        return out

    def lexical_scores(self, t: RetrievalTables, question: Question | str, language: str | None = None) -> np.ndarray:
        """BM25 of the question's words, plus their translations at a lower weight (a string is
        read as `Question.of(string, language)`).

        The words are stemmed for the question's language and those its table says it is also
        searched in (`search_also`); the bilingual lexicon translates into each of those."""
        if isinstance(question, str):
            question = Question.of(question, language)
        language = question.language
        own = list(question.stems)
        scores = t.lexical.scores(own)
        # names are read as typed (capitals); each is folded here, a word, not the question
        derived = [d for w in _NAMES.findall(question.search_text) if len(w) >= 5 for d in t.lexical.with_prefix(fold(w))]
        derived = [d for d in dict.fromkeys(derived) if d not in own]
        if derived:  # a name the texts only use in a derived form: Russia → Russian Federation
            scores = scores + self.weights.translated * t.lexical.scores(derived)
        if question.similar_stems:  # the texts' own word for what is asked: "prolonger" → "proroger" a mandate
            scores = scores + self.weights.translated * t.lexical.scores(list(question.similar_stems))
        if self.weights.translated and self.lexicon is not None:
            translated: dict[str, float] = {}
            for other in question.languages[1:]:
                for w, strength in self.lexicon.translate(question.own_tokens, language, other).items():
                    translated[w] = max(translated.get(w, 0.0), strength)
            extra = [w for w in translated if w not in own]
            if extra:
                scores = scores + self.weights.translated * t.lexical.scores(extra) * self._lacks(t, language)
        return scores

    def _lacks(self, t: RetrievalTables, language: str) -> np.ndarray:
        """Chunks of documents with no version in `language`: where translated words are needed.

        Where the document has the question's language, its own words already match, and
        translated words measured only as noise (corpus MRR 0.81 → 0.76).
        """
        if language not in t.lacks:
            document_rows(t, set())  # builds the rows' document codes
            names, codes = t.doc_codes["codes"]
            have = np.zeros(len(names), dtype=bool)
            have[codes[t.languages == language]] = True
            t.lacks[language] = (~have[codes]).astype(np.float32)
        return t.lacks[language]

    def _priors(self, t: RetrievalTables, question: Question, combined: np.ndarray, cand: np.ndarray) -> np.ndarray:
        """Preferences that do not come from word matching: answer type, operative part, the year
        and month the question writes, the one body it names.

        Applied to the best `prior_candidates` rows only: a question with common words has
        thousands of candidates, and checking each text for a date would dominate the latency.
        """
        kinds = list(question.answer_types) if self.weights.answer_type else []
        years = list(question.years) if self.weights.year else []
        body = question.bodies[0] if self.weights.body and len(question.bodies) == 1 else ""
        if not kinds and not years and not body and self.weights.preambular == 1.0:
            return combined
        out = combined.astype(np.float32, copy=True)
        rows = np.flatnonzero(cand)
        if len(rows) > self.weights.prior_candidates:  # which rows, not their order: a partition (a full
            # sort of every candidate cost 1 ms of a 20 ms answer at 120k chunks)
            rows = rows[np.argpartition(-combined[rows], self.weights.prior_candidates)[: self.weights.prior_candidates]]
        if years:  # renewals say the same thing year after year: the year written tells which one is asked
            dated = rows[np.isin(t.dates[rows] // 10000, years)]
            out[dated] += self.weights.year
            months = list(question.months) if self.weights.month else []
            if months:  # two texts of one year on one subject (a mandate renewed for six months)
                out[dated[np.isin(t.dates[dated] // 100, months)]] += self.weights.month
        if body:  # "what did the Security Council ask in 2015 …": its texts, not the Assembly's on the same subject
            out[rows[t.bodies[rows] == body]] += self.weights.body
        for row in rows:
            c = t.chunks[row]
            if kinds and any(gives(k, c.text) for k in kinds):
                out[row] += self.weights.answer_type
            if c.kind == "preambular":
                out[row] *= self.weights.preambular
        return out

    def _dense(self, t: RetrievalTables, vec: np.ndarray, n: int, mask: np.ndarray, where: dict | None) -> tuple[np.ndarray, np.ndarray]:
        """Cosine similarity of the `n` nearest rows in scope (`mask`), and which rows those are.

        Exact over the vectors in memory when the rows in scope are few enough (all of a 10k
        corpus; a few documents of a large one); otherwise Chroma's HNSW search.
        """
        dense = np.zeros(len(t.chunks), dtype=np.float32)
        found = np.zeros(len(t.chunks), dtype=bool)
        if t.vectors is not None:
            scope = np.flatnonzero(mask)
            whole = len(scope) * 2 > len(mask)  # a product over every row is cheaper than gathering most of them
            narrow = where is not None and len(scope) < self.weights.post_filter_share * len(mask)
            limit = self.weights.exact_filtered_rows if narrow else self.weights.exact_rows
            if (len(mask) if whole else len(scope)) <= limit:
                q = np.asarray(vec, dtype=np.float32)
                q = q / (float(np.linalg.norm(q)) or 1.0)
                # einsum, not `@`: BLAS's threads made this 0.7 ms product 8 ms, and 60 ms with
                # 16 questions at once (measured on 2 cores); einsum runs in the calling thread
                sims = np.einsum("ij,j->i", t.vectors, q)[scope] if whole else scoped_product(t.vectors, scope, q)
                top = np.argpartition(-sims, n)[:n] if len(scope) > n else np.arange(len(scope))
                dense[scope[top]] = sims[top]
                found[scope[top]] = True
                return dense, found
        for chunk_id, score in self._dense_hits(t, vec, n, mask, where):
            row = t.row_of.get(chunk_id)
            if row is not None and mask[row]:
                dense[row] = score
                found[row] = True
        return dense, found

    def _dense_hits(self, t, vec: np.ndarray, n: int, mask: np.ndarray, where: dict | None) -> list[tuple[str, float]]:
        """Dense candidates; a broad filter is applied after an unfiltered search.

        Chroma's filtered HNSW search costs several times an unfiltered one at 100k chunks (a
        body filter: ~210 ms against ~45 ms). When the filter keeps a large share of the index,
        the unfiltered neighbours, masked, are the same candidates; only a narrow filter (one
        document, a few days) goes to Chroma's `where`, where it is cheap anyway.
        """
        store = self.library.store  # ids and scores only: the chunks are in the tables already
        if where is None:
            return store.nearest(vec, k=n)
        share = float(mask.mean()) if len(mask) else 0.0
        if share >= self.weights.post_filter_share:
            # the neighbours of a question on one body's subject are mostly that body's: a filter to
            # another keeps few of them, so the search widens (k 145 → 1,160 → 4,640 at n 100: ~1, 5
            # and 15 ms at 120k chunks) before Chroma's filtered search (~330 ms at 120k)
            wanted = int(n / share) + 1
            for widen in (1, 8, 32):
                hits = store.nearest(vec, k=min(wanted * widen, len(mask)))
                kept = [(i, s) for i, s in hits if (row := t.row_of.get(i)) is not None and mask[row]]
                if len(kept) >= n // 2 or len(hits) >= len(mask):
                    return kept if widen == 1 else kept[:n]  # the first width as before; a wider one its n best
        return store.nearest(vec, k=n, where=where)

    # -- the search --------------------------------------------------------------------------
    def retrieve(self, question: Question | str, k: int = 10, filters: Filters | None = None) -> list[Retrieved]:
        """Ranked paragraphs for `question`; its `context` (an earlier question) counts at a lower weight.

        `filters` default to the question's own; a plain string is read as `Question.of(string)`.
        """
        if isinstance(question, str):
            question = Question.of(question)
        first = self.first_stage(question, k, filters)
        if first is None:
            return []
        t, ranked = first.tables, first.ranked
        if self.ranker is not None and len(ranked) > 1:
            ranked = self._rerank(t, question, self.candidates(first, question))
        out = list(first.exact)
        seen = {r.key for r in out}
        for key, (s, row) in ranked:
            if len(out) >= k:
                break
            if key in seen:
                continue
            seen.add(key)
            out.append(self._make(t, key, question.language, s, "search", float(first.lex[row]), float(first.dense[row])))
        return out[:k]

    def first_stage(self, question: Question, k: int = 10, filters: Filters | None = None) -> FirstStage | None:
        """Exact look-ups, and every paragraph in scope by the mixed score with priors; None when
        nothing is in scope."""
        t = self.tables  # one reference for the whole search: a concurrent refresh cannot split it
        filters = filters if filters is not None else question.filters
        context = question.context
        if not t.chunks:
            return None
        named = self.named_documents(t, question)
        mask = self._mask(t, filters, named)
        if not mask.any():
            return None
        exact_docs = named or self._one_document(t, mask)
        exact = self.exact(t, question, exact_docs)

        lex = np.zeros(len(t.chunks), dtype=np.float32)
        if self.mode in ("hybrid", "bm25") and t.lexical is not None:
            lex = self.lexical_scores(t, question)
            if context is not None:  # the context ranks among paragraphs that match the new words, never alone
                lex = lex + self.weights.context * self.lexical_scores(t, context) * (lex > 0)
            lex = lex * mask
        dense = np.zeros(len(t.chunks), dtype=np.float32)
        dense_mask = np.zeros(len(t.chunks), dtype=bool)
        pools: list[tuple[np.ndarray, np.ndarray] | None] = []
        if self.mode in ("hybrid", "dense"):
            vec = self.library.embedder.embed_query(f"{question.search_text} {context.search_text if context else ''}".strip())
            n = self.weights.dense_candidates if self.mode == "hybrid" else max(k * 6, 60)
            dense, dense_mask = self._dense(t, vec, n, mask, chroma_where(filters, named))
            if self.mode == "hybrid":  # the dense search again where the whole index's nearest rows miss
                scope = mask & ~dense_mask
                pools = [self._nearest_among(t, self._lacking_rows(t, question.language), vec, scope,
                                             f"lacks:{question.language}"),
                         self._nearest_among(t, self._year_rows(t, question.years), vec, scope)]

        lex_n = dense_n = None
        if self.mode == "bm25":
            combined, cand = lex, mask & (lex > 0)
        elif self.mode == "dense":
            combined, cand = dense, dense_mask
        else:
            cand = mask & ((lex > 0) | dense_mask)
            floor = float(dense[dense_mask].min()) if dense_mask.any() else 0.0
            lex_n, dense_n = _minmax(lex, cand), _minmax(np.where(dense_mask, dense, floor), cand)
            for pool in pools:  # each normalised on its own: its best stands as high as the best of all rows
                if pool is None:
                    continue
                rows, sims = pool
                dense[rows] = sims
                cand[rows] = True
                lo, hi = float(sims.min()), float(sims.max())
                dense_n[rows] = np.maximum(dense_n[rows], (sims - lo) / (hi - lo) if hi - lo > 1e-9 else 1.0)
            if any(p is not None for p in pools):
                lex_n = _minmax(lex, cand)
            combined = self.weights.lexical * self._lexical_trust(t, question, lex, cand) * lex_n + self.weights.dense * dense_n

        combined = self._priors(t, question, combined, cand)
        ranked, rows_of = self._group(t, combined, cand, k)
        return FirstStage(t, exact, ranked, rows_of, lex, dense, cand, lex_n, dense_n,
                          tuple(p[0] for p in pools if p is not None))

    def _lexical_trust(self, t: RetrievalTables, question: Question, lex: np.ndarray, cand: np.ndarray) -> float:
        """How far the lexical score is evidence here: 1, or less when even the best paragraph's
        BM25 holds little of what the question's words could score (`lexical_evidence`).

        Why: the lexical score is min-max normalised over the candidates, so the best lexical
        paragraph weighs 1.0 whether it holds the question's words or two of its common ones. A
        question in other words than the text's ("blue helmets" for peacekeepers), or asked in a
        language its text lacks (matched through the lexicon's translations at half weight),
        matches nothing well; its best lexical match is a paragraph sharing a few words, which
        outranked the dense model's nearest. Measured on sets written blind: crosslingual
        questions citing their gold paragraph 63 → 73 of 130 (hit@5 98 → 102), paraphrased ones
        12 → 13 of 72; multilingual-dev hit@1 0.733 → 0.753.

        The ceiling counts every stem of the question, those no paragraph holds at the rarest
        weight (`LexicalIndex.idf`): words the index cannot match are what makes a lexical match
        weak. Counting only the stems the index holds (θ 0.09–0.35) lost most of the gain on the
        crosslingual and paraphrase sets (crosslingual 3 hit@1 0.700 → 0.567–0.600).
        """
        theta = self.weights.lexical_evidence
        if not theta or t.lexical is None or not cand.any():
            return 1.0
        ceiling = sum(max(t.lexical.idf(s), 0.0) for s in dict.fromkeys(question.stems))
        if not ceiling:
            return 1.0
        return min(1.0, float(lex[cand].max()) / ceiling / theta)

    def _lacking_rows(self, t: RetrievalTables, language: str) -> np.ndarray | None:
        """Rows of documents with no version in `language`; None when most documents lack it (the
        search over all rows covers them then).

        Why a search of their own: the multilingual model puts a text in the question's language
        closer than the same meaning in another (cosines ~0.05 higher), so the nearest rows of the
        whole index are all in the question's language, and a Council text that exists only in
        English is never among them: a French question on S/RES/2474 (2019) was found by neither
        score, and the same search over the English-only rows puts it first.
        """
        key = f"lacks:{language}"
        if key not in t.pools:
            rows = np.flatnonzero(self._lacks(t, language))
            t.pools[key] = rows if len(rows) * 2 <= len(t.chunks) else None
        return t.pools[key]

    def _year_rows(self, t: RetrievalTables, years: Iterable[int]) -> np.ndarray | None:
        """Rows of documents adopted in a year the question writes ("en 2003", "في عام 2003"):
        questions date the text they ask about, and a 2003 text is far from the whole index's
        nearest rows when newer texts say much the same. None when they are most of the index.
        Memoised a year at a time (a question's years are any of a hundred and ten)."""
        found = []
        for year in sorted(set(years)):
            key = f"year:{year}"
            if key not in t.pools:
                t.pools[key] = np.flatnonzero(t.dates // 10000 == year)
            found.append(t.pools[key])
        rows = np.unique(np.concatenate(found)) if len(found) > 1 else found[0] if found else None
        return rows if rows is not None and len(rows) and len(rows) * 2 <= len(t.chunks) else None

    def _nearest_among(self, t: RetrievalTables, rows: np.ndarray | None, vec: np.ndarray, scope: np.ndarray,
                       key: str = "") -> tuple[np.ndarray, np.ndarray] | None:
        """The `pool_rows` nearest of `rows` in `scope`: (rows, cosines), best first; None when there
        are none or the vectors are not in memory.

        An exact product over the rows when they are few (a year's texts, a named document's); over
        the rows of the `pool_documents` documents whose mean vector is nearest when they are many
        (the 36–44k rows of English-only texts here: their product read 57 MB a question, +2.8 ms
        of CPU and a fifth of the server's answers/s; the documents' means are 1,100 rows).
        """
        if rows is None or t.vectors is None:
            return None
        n = self.weights.pool_rows
        in_scope = rows[scope[rows]]
        if not n or not len(in_scope):
            return None
        q = np.asarray(vec, dtype=np.float32)
        q = q / (float(np.linalg.norm(q)) or 1.0)
        if len(in_scope) > self.weights.pool_direct_rows and key:
            doc_of, means = self._document_means(t, key, rows)
            near = np.einsum("ij,j->i", means, q)
            docs = np.argpartition(-near, self.weights.pool_documents)[: self.weights.pool_documents] \
                if len(near) > self.weights.pool_documents else np.arange(len(near))
            picked = rows[np.isin(doc_of, docs)]
            in_scope = picked[scope[picked]]
            if not len(in_scope):
                return None
        sims = scoped_product(t.vectors, in_scope, q)
        top = np.argpartition(-sims, n)[:n] if len(in_scope) > n else np.arange(len(in_scope))
        top = top[np.argsort(-sims[top], kind="stable")]
        return in_scope[top], sims[top].astype(np.float32)

    def _document_means(self, t: RetrievalTables, key: str, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each row's document (0..d-1) and the documents' mean vectors, normalised: memoised per
        pool and tables. Taken from the means saved with the tables (`DocumentMeans`) when they
        are of these documents: a pool holds whole documents, so its documents' means are theirs;
        else averaged here (0.3 s for 36k rows read cold from the mapped vectors)."""
        memo = t.pools.get(f"{key}:means")
        if memo is None:
            document_rows(t, set())  # builds the rows' document codes
            names, codes = t.doc_codes["codes"]
            present, doc_of = np.unique(codes[rows], return_inverse=True)
            saved = t.snapshot.means if t.snapshot is not None else None
            if saved is not None and len(saved.names) == len(names) and saved.names == list(names):
                memo = t.pools[f"{key}:means"] = (doc_of, saved.means[present])
                return memo
            order = np.argsort(doc_of, kind="stable")
            starts = np.concatenate(([0], np.flatnonzero(np.diff(doc_of[order])) + 1))
            means = np.add.reduceat(np.asarray(t.vectors[rows[order]], dtype=np.float32), starts, axis=0)
            means /= np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-9)
            memo = t.pools[f"{key}:means"] = (doc_of, means)
        return memo

    def _group(self, t: RetrievalTables, combined: np.ndarray, cand: np.ndarray, k: int
               ) -> tuple[list[tuple[tuple[str, str], tuple[float, int]]], dict[tuple[str, str], list[int]]]:
        """Paragraphs by their best language version's score, best first; and each one's rows."""
        rows = np.flatnonzero(cand)
        # enough rows for k paragraphs even with six language versions each, and for the ~46 the second stage reads
        limit = max(k, 10) * 40
        if len(rows) > limit:  # grouping in Python is the cost at 100k chunks: keep the best rows only
            rows = rows[np.argpartition(-combined[rows], limit)[:limit]]
        scores, codes = combined[rows], t.paragraphs[rows]
        # in numpy, not a loop over the rows (1.3 ms of a 13 ms answer at 120k chunks): each
        # paragraph's best row is its first of the highest score in `rows` order, and paragraphs
        # with equal scores keep the order of their first rows in `rows`
        order = np.argsort(-scores, kind="stable")
        kept, at = np.unique(codes[order], return_index=True)
        best_rows = order[at]
        best = scores[best_rows]
        _, first = np.unique(codes, return_index=True)
        ranking = np.lexsort((first, -best))
        keys = t.paragraph_keys
        ranked = [(keys[c], (s, r)) for c, s, r in zip(kept[ranking].tolist(), best[ranking].tolist(),
                                                       rows[best_rows][ranking].tolist())]
        by_code = np.argsort(codes, kind="stable")  # each paragraph's rows, in `rows` order
        grouped = rows[by_code].tolist()
        bounds = (np.flatnonzero(np.diff(codes[by_code])) + 1).tolist()
        rows_of = {keys[c]: grouped[a:b] for c, a, b in zip(kept.tolist(), [0, *bounds], [*bounds, len(grouped)])}
        return ranked, rows_of

    def candidates(self, first: FirstStage, question: Question) -> list[second_stage.Candidate]:
        """The first stage's best paragraphs, and the best few by each score alone, with their scores
        (a hybrid search's: the normalised scores it mixed)."""
        t, dense, cand, lex_n, dense_n = first.tables, first.dense, first.cand, first.lex_n, first.dense_n
        if lex_n is None or dense_n is None:
            raise ValueError("the second stage re-scores a hybrid search's candidates")
        ranked, rows_of = first.ranked, first.rows_of
        w = self.weights
        position = {key: i for i, (key, _) in enumerate(ranked)}
        chosen = {key for key, _ in ranked[: w.rerank_candidates]}
        for score in (lex_n, dense_n):  # the best few by each score alone: rows first, then their paragraphs
            rows = np.flatnonzero(cand)
            many = w.rerank_each * 6  # up to six language versions a paragraph
            if len(rows) > many:
                rows = rows[np.argpartition(-score[rows], many)[:many]]
            keys = [t.paragraph_keys[c] for c in t.paragraphs[rows[np.argsort(-score[rows], kind="stable")]].tolist()]
            keys = [k for k in dict.fromkeys(keys) if k in position][: w.rerank_each]
            chosen.update(keys)
        for rows in first.pools:  # the best few of each further dense search
            keys = [t.paragraph_keys[c] for c in t.paragraphs[rows].tolist()]
            chosen.update([k for k in dict.fromkeys(keys) if k in position][: w.pool_each])
        # (with no model, this is fit_ranker collecting: the candidates a model with `year` would see)
        if question.years and (self.ranker is None or "year" in self.ranker.features):
            # the best few of the documents adopted in a year the question writes: a question about
            # a 2011 text, asked in a language that text lacks, ranks it far below newer texts in
            # its own language, out of the second stage's reach (its `year` feature weighs them)
            best_rows = np.fromiter((row for _, (_, row) in ranked), dtype=np.int64, count=len(ranked))
            found = np.flatnonzero(np.isin(t.dates[best_rows] // 10000, list(question.years)))[: w.rerank_each]
            chosen.update(ranked[i][0] for i in found.tolist())
        # a paragraph's scores are its best language version's: maxima over its rows
        out = []
        for key in sorted(chosen, key=position.__getitem__):
            s, row = ranked[position[key]][1]
            rows = rows_of[key]
            out.append(second_stage.Candidate(key, row, s, float(lex_n[rows].max()), float(dense_n[rows].max()),
                                              float(dense[rows].max())))
        return out

    def terms_for(self, question: Question) -> Callable[[str], frozenset[str]]:
        """The question's stems in a paragraph's language: its own, or the lexicon's translations."""
        memo: dict[str, frozenset[str]] = {}

        def terms(language: str) -> frozenset[str]:
            if language not in memo:
                own = set(question.stems_for((language,)))
                if language != question.language and self.lexicon is not None:
                    own.update(self.lexicon.translate(question.own_tokens, question.language, language))
                memo[language] = frozenset(own)
            return memo[language]

        return terms

    def _rerank(self, t: RetrievalTables, question: Question, cands: list[second_stage.Candidate]) -> list:
        """The candidates in the second stage's order, each scored by its softmax probability."""
        x = second_stage.features(t, question, cands, self.terms_for(question), t.lexical.idf if t.lexical else (lambda s: 1.0))
        z = self.ranker.score(second_stage.select(x, self.ranker))
        p = np.exp(z - z.max())
        p /= p.sum()
        order = np.argsort(-p, kind="stable")
        return [(cands[i].key, (float(p[i]), cands[i].row)) for i in order]
