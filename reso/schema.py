"""Every wire shape, written once: what the API, the answer stream, the CLI's `--json`, the Gradio
panel and the LangChain adapter send is built here, from the core's own objects.

The core keeps its dataclasses (`Answer`, `Citation`, `IngestReport`, …) as
domain objects; a surface never maps their fields by hand, it calls `XOut.of(domain_object)` and
serialises the model (`model_dump()` / `model_dump_json()`). The class names are the ones
`/openapi.json` has always shown (CitationOut, AskResponse, DocumentOut, …).

The request models are here too, and they are the door: text a client sends passes through
`clean_text` in their validators before anything else reads it (see `clean_text`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import PurePath
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, StringConstraints, model_validator

if TYPE_CHECKING:  # the domain objects the `of` builders read; no import cost at run time
    from reso.assistant.core import Event
    from reso.assistant.lineage.types import AlignedPair, Comparison, Mention, Related
    from reso.assistant.models import Answer, Citation, Filters
    from reso.index.chunks import Chunk
    from reso.index.ingest import IngestReport
    from reso.index.library import ParagraphView
    from reso.index.model import Paragraph, Resolution
    from reso.index.store import DocumentRecord

# -- the door: text from users, normalised once where it enters ---------------------------------

# C0 controls but tab, newline and carriage return; DEL and the C1 controls; the bidi embeddings,
# overrides and isolates (U+202A–202E, U+2066–2069), which reorder what a reader sees without being
# text; lone surrogates (valid JSON, "\ud800", but not text: tokenizers raise on them); the two
# non-characters U+FFFE/U+FFFF. All removed, then NFC, so "é" typed as e + U+0301 is the é of the index.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")


def clean_text(value: str) -> str:
    """User text made safe to analyse, index and show: see `_NOT_TEXT`; NFC."""
    return unicodedata.normalize("NFC", _NOT_TEXT.sub("", value))


def _clean(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


UserText = Annotated[str, BeforeValidator(_clean)]


def is_iso_date(value: str) -> bool:
    """Dates are compared as YYYYMMDD downstream, so only real dates written YYYY-MM-DD pass."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _iso_date(value: str) -> str:
    if not is_iso_date(value):
        raise ValueError(f"{value!r} is not a date written YYYY-MM-DD (e.g. 2023-10-12)")
    return value


def _iso_language(value: str) -> str:
    if not re.fullmatch(r"[a-z]{2}", value):
        raise ValueError(f"{value!r} is not an ISO 639-1 language code (two letters, e.g. en, fr)")
    return value


def _upper(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def _lower(value: Any) -> Any:
    return _clean(value).strip().lower() if isinstance(value, str) else value


BodyCode = Literal["HRC", "GA", "SC"]
LanguageCode = Annotated[
    str,
    BeforeValidator(_lower),
    AfterValidator(_iso_language),
    Field(description="ISO 639-1 code, e.g. en, fr, es, ar, zh, ru", examples=["fr"]),
]
Body = Annotated[BodyCode, BeforeValidator(_upper), Field(description="HRC, GA or SC")]
IsoDate = Annotated[str, AfterValidator(_iso_date), Field(description="YYYY-MM-DD", examples=["2015-10-01"])]
Symbol = Annotated[str, BeforeValidator(_clean), StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


def _vote_kind(value: Any) -> Any:
    """"Without vote", "without-vote" and "WITHOUT_VOTE" are the kind `without_vote`."""
    return re.sub(r"[\s-]+", "_", _clean(value).strip().lower()) if isinstance(value, str) else value


VoteKind = Annotated[
    Literal["unanimous", "recorded", "without_vote"],  # reso.assistant.models.VOTE_KINDS
    BeforeValidator(_vote_kind),
    Field(description="How the resolution was adopted: unanimous, recorded (a recorded vote) or without_vote"),
]
SponsorName = Annotated[str, BeforeValidator(_clean), StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

# -- requests -----------------------------------------------------------------------------------


class HistoryMessage(BaseModel):
    role: Literal["user", "assistant"]
    content: UserText = Field(description="At most RESO_MAX_HISTORY_CHARS characters (default 10,000).")


class FiltersIn(BaseModel):
    """Narrow the search; every list empty (the default) means no restriction."""

    documents: list[Symbol] = Field(default_factory=list, max_length=100, examples=[["A/HRC/RES/30/25"]])
    bodies: list[Body] = Field(default_factory=list, examples=[["HRC"]])
    languages: list[LanguageCode] = Field(default_factory=list, examples=[["fr"]])
    date_from: IsoDate | None = None
    date_to: IsoDate | None = None
    votes: list[VoteKind] = Field(default_factory=list, examples=[["recorded"]], description=(
        "Only resolutions adopted so (any of them): unanimous, recorded (by a recorded vote), without_vote."))
    sponsors: list[SponsorName] = Field(default_factory=list, max_length=100, examples=[["France"]], description=(
        "Only resolutions sponsored by any of these, named as the resolutions print them in English (case and "
        "accents ignored; \"Bolivia\" for \"Bolivia (Plurinational State of)\", \"United States\" for \"United "
        "States of America\"). A name no resolution prints leaves nothing in scope: the answer declines."))

    @model_validator(mode="after")
    def _ordered(self) -> FiltersIn:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"date_from ({self.date_from}) is after date_to ({self.date_to})")
        return self

    def to_filters(self) -> Filters:
        from reso.assistant.models import Filters

        return Filters(
            documents=tuple(self.documents),
            bodies=tuple(dict.fromkeys(self.bodies)),
            languages=tuple(dict.fromkeys(self.languages)),
            date_from=self.date_from,
            date_to=self.date_to,
            votes=tuple(dict.fromkeys(self.votes)),
            sponsors=tuple(dict.fromkeys(self.sponsors)),
        )


class AskRequest(BaseModel):
    question: UserText = Field(
        description="The question, at most RESO_MAX_QUESTION_CHARS characters (default 2000).",
        examples=["Que demande le Conseil au Haut-Commissaire d'organiser ?"],
    )
    history: list[HistoryMessage] | None = Field(
        default=None,
        description="Earlier turns, oldest first, for follow-up questions; at most RESO_MAX_HISTORY_ITEMS "
        "(default 50).",
    )
    filters: FiltersIn | None = None
    language: LanguageCode | None = Field(default=None, description="Answer language; default: the question's.")


# -- answers ------------------------------------------------------------------------------------


class CitationOut(BaseModel):
    document: str
    paragraph: str
    language: str
    text: str
    title: str
    vote: str = Field("", description="How the cited resolution was adopted, as its record says: \"unanimous\", "
                                      "\"recorded (13-0-2)\" (in favour-against-abstaining), \"without_vote\"; "
                                      "empty when the index does not know.")
    sponsors: list[str] = Field(default_factory=list, description="The cited resolution's sponsors, as printed.")

    @classmethod
    def of(cls, citation: Citation) -> CitationOut:
        return cls(
            document=citation.document, paragraph=citation.paragraph, language=citation.language,
            text=citation.text, title=citation.title, vote=citation.vote, sponsors=list(citation.sponsors),
        )


class AskResponse(BaseModel):
    answer: str = Field(description="The answer; each marker [SYMBOL, PID] names an entry of `citations`.")
    language: str
    refused: bool = Field(description="True when the indexed resolutions do not answer the question.")
    citations: list[CitationOut]
    related: list[CitationOut] = Field(description="Possibly related paragraphs of a refusal; never sources.")
    removed_citations: list[str] = Field(description="Markers the generator wrote that were not retrieved.")
    timings_ms: dict[str, float]

    @classmethod
    def of(cls, answer: Answer) -> AskResponse:
        return cls(
            answer=answer.answer,
            language=answer.language,
            refused=answer.refused,
            citations=[CitationOut.of(c) for c in answer.citations],
            related=[CitationOut.of(c) for c in answer.related],
            removed_citations=list(answer.removed_citations),
            timings_ms={k: round(v, 2) for k, v in answer.timings_ms.items()},
        )


def answer_json(answer: Answer) -> dict[str, Any]:
    """The answer object of CONTRACTS §5, as `POST /api/ask`, the stream's `done` and `reso ask --json` send it."""
    return AskResponse.of(answer).model_dump(mode="json")


# -- the answer stream --------------------------------------------------------------------------

StreamEventName = Literal["delta", "citations", "done"]


class DeltaOut(BaseModel):
    """`event: delta`: a piece of the answer text; the deltas add up to the answer."""

    text: str


def stream_event(event: Event) -> tuple[StreamEventName, Any]:
    """An assistant event as (event name, JSON data): `delta` → {"text"}, `citations` → [citation],
    `done` → the answer object. The SSE stream and the LangChain adapter both send these."""
    from reso.assistant.core import Delta, Done, Sources

    if isinstance(event, Delta):
        return "delta", DeltaOut(text=event.text).model_dump()
    if isinstance(event, Sources):
        return "citations", [CitationOut.of(c).model_dump() for c in event.citations]
    if isinstance(event, Done):
        return "done", answer_json(event.answer)
    raise TypeError(f"not an answer event: {event!r}")


# -- documents and paragraphs -------------------------------------------------------------------


class DocumentOut(BaseModel):
    """One entry of `reso documents --json` (CONTRACTS §2)."""

    document: str
    languages: list[str]
    paragraphs: dict[str, int]
    title: str
    body: str
    date: str


def documents_json(documents: Iterable[DocumentOut]) -> list[dict[str, Any]]:
    return [d.model_dump() for d in documents]


class ParagraphOut(BaseModel):
    document: str
    paragraph: str
    language: str
    kind: str
    text: str
    title: str

    @classmethod
    def of(cls, chunk: Chunk) -> ParagraphOut:
        return cls(
            document=chunk.document, paragraph=chunk.paragraph, language=chunk.language,
            kind=chunk.kind, text=chunk.text, title=chunk.title,
        )


class DocumentMeta(BaseModel):
    """The document's metadata in the language shown (the server's file path is not exposed)."""

    document: str
    language: str
    title: str
    body: str
    date: str
    session: str
    paragraphs: int
    vote: str
    meta: dict[str, Any]

    @classmethod
    def of(cls, record: DocumentRecord | None) -> DocumentMeta | None:
        if record is None:
            return None
        return cls(
            document=record.document, language=record.language, title=record.title, body=record.body,
            date=record.date, session=record.session, paragraphs=record.paragraphs, vote=record.vote,
            meta=record.meta,
        )


class ParagraphLookup(BaseModel):
    paragraph: ParagraphOut
    document: DocumentMeta | None
    before: list[ParagraphOut] = Field(description="The preceding paragraphs, nearest last.")
    after: list[ParagraphOut] = Field(description="The following paragraphs, nearest first.")
    languages: list[str] = Field(description="Every language this paragraph is indexed in.")
    versions: dict[str, ParagraphOut] = Field(description="The same paragraph in the other languages.")

    @classmethod
    def of(cls, view: ParagraphView) -> ParagraphLookup:
        shown = view.chunk.language
        return cls(
            paragraph=ParagraphOut.of(view.chunk),
            document=DocumentMeta.of(view.record),
            before=[ParagraphOut.of(c) for c in view.before],
            after=[ParagraphOut.of(c) for c in view.after],
            languages=sorted(view.versions),
            versions={lang: ParagraphOut.of(c) for lang, c in sorted(view.versions.items()) if lang != shown},
        )


class Health(BaseModel):
    status: Literal["ok"]
    documents: int
    paragraphs: int = Field(description="Indexed chunks: paragraphs × language versions.")
    embedder: str
    generator: str


# -- ingest -------------------------------------------------------------------------------------


class SkippedOut(BaseModel):
    path: str
    reason: str


class ConflictOut(BaseModel):
    document: str
    language: str
    kept: str
    passed_over: str


class RetiredOut(BaseModel):
    document: str
    language: str
    now: list[str]
    paragraphs: int


class IngestReportOut(BaseModel):
    files: int
    documents: int
    language_versions: int
    paragraphs: int
    added: int
    updated: int
    removed: int
    unchanged: int
    embedded: int
    skipped: list[SkippedOut]
    conflicts: list[ConflictOut] = Field(default_factory=list, description=(
        "Files that read into a language version another file of the index also reads into, with other "
        "content: the version kept is the same on every run (the file named after the document, else the "
        "lowest content digest)."))
    retired: list[RetiredOut] = Field(default_factory=list, description=(
        "Language versions removed because the file they were read from now reads as another document "
        "(a reader that changed since the last ingest)."))

    @classmethod
    def of(cls, report: IngestReport, names: Mapping[str, str] | None = None) -> IngestReportOut:
        """`names` maps a path read to the name to report it by (an upload's name as the client sent it)."""

        def shown(path: str) -> str:
            return path if names is None else names.get(path, PurePath(path).name)

        return cls(
            files=report.files,
            documents=len(report.documents),
            language_versions=report.versions,
            paragraphs=report.paragraphs,
            added=report.added,
            updated=report.updated,
            removed=report.removed,
            unchanged=report.unchanged,
            embedded=report.embedded,
            skipped=[SkippedOut(path=shown(s.path), reason=s.reason) for s in report.skipped],
            conflicts=[ConflictOut(document=c.document, language=c.language, kept=shown(c.kept),
                                   passed_over=shown(c.passed_over)) for c in report.conflicts],
            retired=[RetiredOut(document=r.document, language=r.language, now=r.now, paragraphs=r.paragraphs)
                     for r in report.retired],
        )


# -- errors -------------------------------------------------------------------------------------


class ErrorBody(BaseModel):
    error: str = Field(description="What is wrong, in a sentence.")
    details: list[dict[str, Any]] | None = None
    request_id: str | None = None

    def json_body(self) -> dict[str, Any]:
        """The body as sent: fields without a value are left out."""
        return self.model_dump(exclude_none=True)


# -- reso inspect (CONTRACTS §2): how a file reads, without indexing it ---------------------------


class InspectedParagraph(BaseModel):
    id: str
    kind: Literal["preambular", "operative", "annex"]
    text: str
    children: list[InspectedParagraph] = Field(default_factory=list)
    footnotes: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, p: Paragraph, parent: str = "operative") -> InspectedParagraph:
        """A sub-paragraph is of its parent's kind (CONTRACTS §2 names three kinds)."""
        if p.kind == "annex" or p.pid.startswith("ANNEX"):
            kind = "annex"
        else:
            kind = p.kind if p.kind in ("preambular", "operative") else parent
        return cls(id=p.pid, kind=kind, text=p.text, children=[cls.of(c, kind) for c in p.children],
                   footnotes=list(p.footnotes))


class VoteOut(BaseModel):
    outcome: str = ""
    in_favour: int | None = None
    against: int | None = None
    abstaining: int | None = None
    text: str = ""


class InspectCounts(BaseModel):
    preambular: int
    operative: int
    subparagraphs: int
    annex: int


class OcrPageOut(BaseModel):
    """A PDF page without a text layer, read by OCR: its number (from 1), Tesseract's mean word
    confidence (0–100) and the language models used."""

    page: int
    confidence: float
    languages: str = ""


class InspectOut(BaseModel):
    """One file as the readers see it; `reso inspect --json` prints a list of these (or `InspectError`)."""

    file: str
    document: str
    kind: str
    language: str
    date: str
    title: str
    body: str
    session: str = ""
    agenda_item: str = ""
    committee: str = ""
    drafts: list[str] = Field(default_factory=list)
    vote: VoteOut
    counts: InspectCounts
    paragraphs: list[InspectedParagraph]
    warnings: list[str]
    ocr_pages: list[OcrPageOut] = Field(default_factory=list)  # scanned pages read by OCR (PDF)

    @classmethod
    def of(cls, res: Resolution, file: str, ocr_pages: list | None = None) -> InspectOut:
        v = res.vote
        return cls(
            file=file, document=res.symbol, kind=res.kind, language=res.language,
            date=res.adopted.isoformat() if res.adopted else "", title=res.title, body=res.body,
            session=res.session or "", agenda_item=res.agenda_item or "", committee=res.committee or "",
            drafts=list(res.drafts),
            vote=VoteOut(outcome=v.outcome, in_favour=v.in_favour, against=v.against, abstaining=v.abstaining,
                         text=v.text),
            counts=InspectCounts(preambular=len(res.preambular), operative=len(res.operative),
                                 subparagraphs=sum(len(list(p.walk())) - 1 for p in res.paragraphs),
                                 annex=len(res.annexes)),
            paragraphs=[InspectedParagraph.of(p) for p in [*res.paragraphs, *res.annexes]],
            warnings=list(res.warnings),
            ocr_pages=[OcrPageOut(page=p.page + 1, confidence=round(p.confidence, 1), languages=p.languages)
                       for p in ocr_pages or []],
        )


class InspectError(BaseModel):
    file: str
    error: str


# -- protocols of other tools (CONTRACTS §6): the OpenAI-compatible chat ---------------------------


def paragraph_query(document: str, paragraph: str, language: str = "") -> str:
    """The UI's deep link to a paragraph, as a query string (`?` + this opens it in the web UI)."""
    from urllib.parse import quote, urlencode

    params = {"document": document, "paragraph": paragraph} | ({"language": language} if language else {})
    return urlencode(params, quote_via=quote)


def paragraph_url(base: str, document: str, paragraph: str, language: str = "") -> str:
    """The paragraph's deep link under `base` (the server's public URL)."""
    return base.rstrip("/") + "/?" + paragraph_query(document, paragraph, language)


class ChatContentPart(BaseModel):
    """One part of a message's content: only text parts are read (images and audio are refused)."""

    type: Literal["text"]
    text: UserText


class ChatMessageIn(BaseModel):
    """An OpenAI chat message. System, developer and tool messages are accepted and not obeyed: the
    assistant's own instructions are not the client's to replace (they would be an injection door)."""

    model_config = {"extra": "ignore"}

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: UserText | list[ChatContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "\n".join(p.text for p in self.content)
        return self.content or ""


class ChatCompletionRequest(BaseModel):
    """`POST /v1/chat/completions`: the last message is the question, the user and assistant
    messages before it the history. Sampling parameters (temperature, …) are accepted and ignored:
    the answer is the assistant's. `filters` (an extension, `extra_body` in the SDKs) narrows the search."""

    model_config = {"extra": "ignore"}

    model: str = Field(examples=["reso-extractive"])
    messages: list[ChatMessageIn]
    stream: bool = False
    n: int | None = None
    filters: FiltersIn | None = Field(default=None, description="reso extension: as in POST /api/ask.")


class UrlCitation(BaseModel):
    start_index: int = Field(description="Index in `content` of the marker's first character.")
    end_index: int = Field(description="Index in `content` just after the marker: content[start:end] is it.")
    url: str = Field(description="The paragraph in the web UI.")
    title: str = Field(description="SYMBOL, PID")


class Annotation(BaseModel):
    type: Literal["url_citation"] = "url_citation"
    url_citation: UrlCitation


class ResoExtension(BaseModel):
    refused: bool
    citations: list[CitationOut]
    language: str


class ChatMessageOut(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str
    refusal: None = None
    annotations: list[Annotation]
    reso: ResoExtension


class ChatChoice(BaseModel):
    index: int = 0
    message: ChatMessageOut
    finish_reason: Literal["stop"] = "stop"
    logprobs: None = None


class Usage(BaseModel):
    """Counted in words, not tokens: there may be no tokenizer behind the answer."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int

    @classmethod
    def of(cls, prompt: str, completion: str) -> Usage:
        p, c = len(prompt.split()), len(completion.split())
        return cls(prompt_tokens=p, completion_tokens=c, total_tokens=p + c)


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    usage: Usage


class ChunkDelta(BaseModel):
    role: Literal["assistant"] | None = None
    content: str | None = None
    annotations: list[Annotation] | None = None
    reso: ResoExtension | None = None


class ChunkChoice(BaseModel):
    index: int = 0
    delta: ChunkDelta
    finish_reason: Literal["stop"] | None = None
    logprobs: None = None


class ChatCompletionChunk(BaseModel):
    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str
    choices: list[ChunkChoice]

    def sse(self) -> str:
        return f"data: {self.model_dump_json(exclude_none=True)}\n\n"


class ModelOut(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "reso"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelOut]


class OpenAIErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class OpenAIError(BaseModel):
    """OpenAI's error shape: the SDKs read `error.message` and raise by the HTTP status."""

    error: OpenAIErrorDetail


# -- the Word export ------------------------------------------------------------------------------


class CitedParagraphIn(BaseModel):
    """A paragraph an answer cites; its text is read from the index, never taken from the client."""

    document: Symbol
    paragraph: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    language: LanguageCode | None = None


class ExportTurnIn(BaseModel):
    question: UserText = Field(max_length=2000)
    answer: UserText = Field(max_length=20_000)
    refused: bool = False
    citations: list[CitedParagraphIn] = Field(default_factory=list, max_length=50)


class ExportRequest(BaseModel):
    """`POST /api/export/docx`: a conversation as /api/ask answered it (answer text with its markers,
    citations naming the paragraphs); the footnotes quote the indexed paragraphs."""

    turns: list[ExportTurnIn] = Field(min_length=1, max_length=50)


# -- lineage: related ----------------------------------------------------------------------------


class RelatedDocumentFacts(BaseModel):
    """How a related document was adopted, from its record (issue 17, item 5); empty when the index
    does not hold it."""

    date: str = ""
    title: str = ""
    vote: str = ""  # "unanimous", "recorded (13-0-2)", "without_vote", … as `reso documents` has it
    sponsors: list[str] = Field(default_factory=list)


class RelatedMention(RelatedDocumentFacts):
    """One citation (CONTRACTS §7): `document` the other end (the cited one in `cites`, the citing
    one in `cited_by`), `paragraph` where the mention is printed, in the citing document."""

    document: str
    paragraph: str
    indexed: bool
    language: str = Field(description="The language version whose words `text` quotes")
    text: str = Field("", description="The mention as printed, e.g. \"resolution 2334 (2016)\"")
    languages: list[str] = Field(default_factory=list, description="Every language version printing it")


class SeriesItem(RelatedDocumentFacts):
    document: str


class RelatedOut(BaseModel):
    """`GET /api/related` and `reso related --json` (CONTRACTS §7).

    One line per cited document and citing paragraph, its language versions folded into
    `languages` (the English words quoted when there are some); with `language`, that version's
    mentions alone."""

    document: str
    indexed: bool = Field(True, description="False for a resolution the index does not hold but its texts "
                                            "cite: `cited_by` alone, `cites` and `series` empty")
    cites: list[RelatedMention]
    cited_by: list[RelatedMention]
    series: list[SeriesItem]

    @classmethod
    def of(cls, related: Related, records: Iterable[DocumentRecord] = (), language: str | None = None) -> RelatedOut:
        facts = _facts(records)

        def lines(mentions: list[Mention], other) -> list[RelatedMention]:
            grouped: dict[tuple[str, str], list[Mention]] = {}
            for m in mentions:
                if language is None or m.language == language:
                    grouped.setdefault((other(m), m.paragraph), []).append(m)
            out = []
            for (document, paragraph), ms in grouped.items():
                shown = next((m for m in ms if m.language == "en"), ms[0])
                fact = facts.get(_key(document), RelatedDocumentFacts())
                out.append(RelatedMention(document=document, paragraph=paragraph, indexed=shown.indexed,
                                          language=shown.language, text=shown.text,
                                          languages=[m.language for m in ms], **fact.model_dump()))
            return out

        series = []
        for e in related.series:
            fact = facts.get(_key(e.document), RelatedDocumentFacts())
            series.append(SeriesItem(document=e.document, **(fact.model_dump() | {"date": e.date or fact.date, "title": e.title or fact.title})))
        return cls(document=related.document, indexed=_key(related.document) in facts,
                   cites=lines(related.cites, lambda m: m.target),
                   cited_by=lines(related.cited_by, lambda m: m.source), series=series)


def _key(symbol: str) -> str:
    return re.sub(r"\s+", "", symbol).upper()


def _facts(records: Iterable[DocumentRecord]) -> dict[str, RelatedDocumentFacts]:
    """A document's adoption facts, from its English record where there is one."""
    chosen: dict[str, DocumentRecord] = {}
    for r in records:
        key = _key(r.document)
        if key not in chosen or (r.language == "en" and chosen[key].language != "en"):
            chosen[key] = r
    return {k: RelatedDocumentFacts(date=r.date, title=r.title, vote=r.vote,
                                    sponsors=list((r.meta or {}).get("sponsors") or []))
            for k, r in chosen.items()}


# -- lineage: compare (CONTRACTS §7) ----------------------------------------------------------------

class AlignedPairOut(BaseModel):
    """One paragraph of A with one of B, or alone: `change` says which and how."""

    a: str | None = Field(description="A's paragraph id; null when the paragraph was added in B.")
    b: str | None = Field(description="B's paragraph id; null when the paragraph was removed.")
    change: Literal["same", "changed", "added", "removed", "moved"]
    diff: list[tuple[Literal["equal", "delete", "insert"], str]] = Field(
        description="Word-level runs turning A's text into B's (Chinese and Japanese: by character).")
    a_text: str = ""
    b_text: str = ""
    similarity: float = Field(0.0, description="Content similarity of the two texts (tf-idf cosine), 0 when alone.")

    @classmethod
    def of(cls, pair: AlignedPair) -> AlignedPairOut:
        return cls(a=pair.a, b=pair.b, change=pair.change, diff=[(op, text) for op, text in pair.diff],
                   a_text=pair.a_text, b_text=pair.b_text, similarity=pair.similarity)


class CompareOut(BaseModel):
    """`GET /api/compare` and `reso compare --json`: A's paragraphs aligned with B's in one language."""

    a: str = Field(description="A's symbol as indexed.")
    b: str = Field(description="B's symbol as indexed.")
    language: str
    pairs: list[AlignedPairOut]

    @classmethod
    def of(cls, comparison: Comparison) -> CompareOut:
        return cls(a=comparison.a, b=comparison.b, language=comparison.language,
                   pairs=[AlignedPairOut.of(p) for p in comparison.pairs])
