"""The LLM generator: the retrieved paragraphs and the question, answered by any LangChain chat model.

The answer is one LCEL chain — prompt | chat model | text parser | reasoning filter — so the
model is a swappable part: an OpenAI-compatible server (vLLM, llama.cpp, LM Studio, hosted), an
Ollama server, or a fake in tests, with nothing else changing. The model only ever sees the
paragraphs retrieved for the question; whatever markers it writes are checked afterwards by
`assistant.citations.MarkerFilter`, so a citation it invents is removed, never shown.

The wording of the prompt lives in `prompts/answer_system.md` and `prompts/answer_user.md`; the
paragraphs and the question are template *values*, so braces in them are never read as
template syntax.

Questions, history and documents are untrusted text (SECURITY.md). Before they reach the prompt,
`untrusted()` defangs what could pass for the prompt's own structure: tags (a `</sources>` inside
a paragraph would close the data block early) and citation markers (copyable as citations).
What the model writes goes through `OutputGuard` as it streams: markup is dropped, and an answer
that starts reproducing the system prompt is cut off there. An answer that cites none of its
sources is reported as declined by the core.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder
from langchain_core.runnables import Runnable, RunnableGenerator

from reso.assistant.citations import MARKER_LIKE, marker
from reso.assistant.generators import GenerationError, GenerationInput
from reso.assistant.models import Message, Retrieved
from reso.errors import ResoError
from reso.prompts import phrase, text

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from reso.settings import Settings

MAX_HISTORY_MESSAGES = 6  # three exchanges: enough to resolve "and the next paragraph?", no more
MAX_HISTORY_CHARS = 2000  # per message: an old long answer must not crowd out the sources
OPENAI_DEFAULT_URL = "https://api.openai.com/v1"
OLLAMA_DEFAULT_URL = "http://127.0.0.1:11434"
THINK_OPEN, THINK_CLOSE = "<think>", "</think>"


# -- the prompt ----------------------------------------------------------------------------------
def _english(key: str, fallback: str) -> str:
    try:
        return phrase(key, "en")
    except KeyError:
        return fallback


def language_name(code: str) -> str:
    """The English name of a language code: models follow "answer in French" better than "fr"."""
    return _english(f"lang_{code}", code)


PART = {
    "operative": "operative (what the body decides, requests, encourages …)",
    "preambular": "preambular (context and recollections, not what is decided)",
}


def render_source(number: int, source: Retrieved) -> str:
    """One numbered source, headed by the exact marker the model must copy to cite it.

    The adopting body and the part of the resolution are spelled out because operative
    paragraphs start with a bare verb ("Prie …"): without them a model cannot say who asks.
    """
    chunk = source.chunk
    body = _english(f"body_{chunk.body}", chunk.body) if chunk.body else ""
    adopted = " ".join(x for x in (body, f"({chunk.date})" if chunk.date else "") if x)
    title = untrusted(chunk.title)
    lines = [
        f"Source {number}",
        f"Cite as: {marker(chunk.document, chunk.paragraph)}",
        f"Resolution: {chunk.document} — {title}" if title else f"Resolution: {chunk.document}",
        f"Adopted by: {adopted}" if adopted else "",
        f"Paragraph: {chunk.paragraph}, {PART.get(chunk.kind, chunk.kind)}",
        f"Language: {language_name(chunk.language)}",
        "Text:",
        untrusted(chunk.text.strip()),
    ]
    return "\n".join(line for line in lines if line)


def render_sources(sources: Sequence[Retrieved]) -> str:
    return "\n\n".join(render_source(i, s) for i, s in enumerate(sources, start=1))


def history_messages(history: Sequence[Message], limit: int = MAX_HISTORY_MESSAGES) -> list[BaseMessage]:
    """The last few turns as chat messages; older ones cost context and rarely change the answer."""
    kinds = {"user": HumanMessage, "assistant": AIMessage}
    turns = [m for m in history if m.role in kinds and m.content.strip()]
    recent = turns[-limit:] if limit > 0 else []
    return [kinds[m.role](content=untrusted(m.content[:MAX_HISTORY_CHARS])) for m in recent]


def build_prompt() -> ChatPromptTemplate:
    return ChatPromptTemplate.from_messages(
        [
            ("system", text("answer_system.md")),
            MessagesPlaceholder("history", optional=True),
            ("human", text("answer_user.md")),
        ]
    )


# -- untrusted text in, checked text out ---------------------------------------------------------
_TAG_LIKE = re.compile(r"<\s*/?\s*[A-Za-z][\w:-]*(?:\s[^<>]*)?/?\s*>")  # what a reader could take for one
_HTML_TAG = re.compile(r"</?[A-Za-z][^\s/<>]{0,40}(?:[\s/][^<>]{0,200})?>")  # what a browser parses as one
_OPEN_TAG = re.compile(r"<(?:/?(?:[A-Za-z][^<>]{0,250})?)?$")  # the start of one at the end of the text
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
LEAK_MIN_WORDS = 5  # a prompt sentence of this many words, reproduced whole, is a leak
LEAK_WINDOW = 8  # and so is any run of this many consecutive words of a longer one


def untrusted(text: str) -> str:
    """Text from a user or a document, defanged for the prompt, its words unchanged.

    Tags become ‹tag›, so no paragraph or question can close (or open) the prompt's data blocks;
    markers lose their brackets (`A/HRC/RES/99/1, OP7`), so none can be copied as a citation.
    """
    text = _TAG_LIKE.sub(lambda m: "‹" + m.group(0)[1:-1] + "›", text or "")
    return MARKER_LIKE.sub(lambda m: f"{m.group(1).strip()}, {m.group(2).strip()}", text)


def _words(text: str) -> list[re.Match]:
    return list(_WORD.finditer(text.lower().replace("’", "'")))


def prompt_spans(prompt: str) -> dict[int, set[tuple[str, ...]]]:
    """Word runs of the system prompt whose appearance in an answer is a leak, by length."""
    spans: dict[int, set[tuple[str, ...]]] = {}
    for piece in re.split(r"[.!?:;\n]", prompt):
        words = tuple(m.group(0) for m in _words(piece))
        if len(words) < LEAK_MIN_WORDS:
            continue
        size = min(len(words), LEAK_WINDOW)
        spans.setdefault(size, set()).update(words[i : i + size] for i in range(len(words) - size + 1))
    return spans


class OutputGuard:
    """What the model writes, checked as it streams, before each delta is shown.

    - Markup is dropped: the answer is plain text, and a model writing `<script>` or
      `<img onerror=…>` is following text it should have treated as data.
    - The system prompt is never shown: at the last word of a sentence-length span of it
      (LEAK_MIN_WORDS words of a sentence, whole, or LEAK_WINDOW consecutive words), the model is
      stopped and the answer ends before that span. Its first few words may have been shown, never
      a sentence of it.

    Only the word being written (or a tag still open) waits; everything before it is shown as it comes.

    An answer citing none of its sources is not held back (streaming starts with the first word);
    the core reports it as declined. Which markers are real is the core's `MarkerFilter` to decide.
    """

    def __init__(self, system_prompt: str):
        self.spans = prompt_spans(system_prompt)
        self.raw = ""
        self.shown = 0  # characters of the cleaned text already released
        self.leaked = False

    def _clean(self) -> str:
        """The text without markup; a tag still open at the end waits for its `>` (or goes, at the end)."""
        text = _HTML_TAG.sub("", self.raw)
        tail = _OPEN_TAG.search(text)
        return text[: tail.start()] if tail else text

    def _leak_at(self, words: list[re.Match]) -> int | None:
        tokens = [m.group(0) for m in words]
        for size, spans in self.spans.items():
            for i in range(len(tokens) - size + 1):
                if tuple(tokens[i : i + size]) in spans:
                    return words[i].start()
        return None

    def _release(self, clean: str, limit: int) -> str:
        limit = max(limit, self.shown)
        out, self.shown = clean[self.shown : limit], limit
        return out

    def feed(self, chunk: str) -> str:
        """Text that can be shown now: all but a word (or tag) still being written."""
        if self.leaked:
            return ""
        self.raw += chunk
        clean = self._clean()
        leak = self._leak_at(_words(clean))
        if leak is not None:
            self.leaked = True
            return self._release(clean, leak)
        return self._release(clean, len(clean) - len(re.search(r"\S*$", clean).group(0)))

    def end(self) -> str:
        """The last word, once the model has stopped (nothing after a leak; an unfinished tag goes)."""
        return "" if self.leaked else self._release(self._clean(), len(self._clean()))


def guarded(chunks: Iterable[str], checker: OutputGuard) -> Iterator[str]:
    """The model's deltas through the guard; a tag still open when the model stops is dropped."""
    for chunk in chunks:
        out = checker.feed(chunk)
        if out:
            yield out
        if checker.leaked:
            break  # stop reading the model: nothing more of this answer will be shown
    tail = checker.end()
    if tail:
        yield tail


# -- the output ----------------------------------------------------------------------------------
def drop_reasoning(chunks: Iterable[str]) -> Iterator[str]:
    """The answer without a leading `<think>…</think>` block.

    Local reasoning models (Qwen3, DeepSeek-R1 …) write their deliberation into the content
    before the answer; shown, it would drown the answer, and the markers in it would count as
    citations. Text before the decision is held back only while it could still open such a block.
    """
    head = ""
    it = iter(chunks)
    for chunk in it:
        head += chunk
        lead = head.lstrip()
        if not lead or THINK_OPEN.startswith(lead):
            continue  # could still be the start of a reasoning block
        if not lead.startswith(THINK_OPEN):
            yield head
            yield from it
            return
        if THINK_CLOSE in lead:
            yield from _skip_leading_space(lead.split(THINK_CLOSE, 1)[1], it)
            return
    if head.strip() and not head.lstrip().startswith(THINK_OPEN):  # an unclosed block is all reasoning
        yield head


def _skip_leading_space(first: str, rest: Iterator[str]) -> Iterator[str]:
    """The answer after a reasoning block, without the blank lines that separate them."""
    pending = first.lstrip()
    if pending:
        yield pending
        yield from rest
        return
    for chunk in rest:
        chunk = chunk.lstrip()
        if chunk:
            yield chunk
            yield from rest
            return


def build_chain(model: BaseChatModel) -> Runnable:
    return build_prompt() | model | StrOutputParser() | RunnableGenerator(drop_reasoning)


# -- the models ----------------------------------------------------------------------------------
def openai_model(settings: Settings) -> BaseChatModel:
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key or "not-needed",  # local servers want none, the client insists
        timeout=settings.llm_timeout,
        temperature=settings.llm_temperature,
        streaming=True,
        # no retry: a retried timeout would make "did not answer within N s" take 2N s
        max_retries=0,
    )


def ollama_model(settings: Settings) -> BaseChatModel:
    from langchain_ollama import ChatOllama

    return ChatOllama(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        temperature=settings.llm_temperature,
        client_kwargs={"timeout": settings.llm_timeout},  # the Ollama client waits forever by default
    )


def endpoint_of(settings: Settings) -> str:
    if settings.llm_base_url:
        return settings.llm_base_url
    default = OLLAMA_DEFAULT_URL if settings.llm_provider == "ollama" else OPENAI_DEFAULT_URL
    return f"{default} (the default; set RESO_LLM_BASE_URL for another server)"


def _model_endpoint(model: BaseChatModel) -> str:
    """Where a model handed in directly sends its requests, for error messages."""
    for attr in ("openai_api_base", "base_url"):
        value = getattr(model, attr, None)
        if isinstance(value, str) and value:
            return value
    return type(model).__name__


# -- the errors ----------------------------------------------------------------------------------
class GenerationTimeout(GenerationError):
    """The model stayed silent for RESO_LLM_TIMEOUT seconds (before its first word or mid-answer).

    The client's timeout is a read timeout, so it covers a stream that stalls after it started
    as well as a server that never answers; the API maps this to 504.
    """

    http_status = 504


def _client_errors(module: str, *names: str) -> tuple[type[BaseException], ...]:
    """Exception classes of a client library, none when it is not installed (each is optional)."""
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return ()
    return tuple(getattr(mod, name) for name in names if hasattr(mod, name))


def _is_timeout(exc: BaseException) -> bool:
    kinds = (TimeoutError, *_client_errors("httpx", "TimeoutException"), *_client_errors("openai", "APITimeoutError"))
    return isinstance(exc, kinds)


def _is_unreachable(exc: BaseException) -> bool:
    kinds = (
        ConnectionError,
        *_client_errors("httpx", "TransportError"),
        *_client_errors("openai", "APIConnectionError"),
    )
    return isinstance(exc, kinds)


def _is_client_error(exc: BaseException) -> bool:
    """An error a model client raises on purpose, as opposed to a bug, which must surface as is."""
    kinds = (
        *_client_errors("httpx", "HTTPError"),
        *_client_errors("openai", "OpenAIError"),
        *_client_errors("ollama", "ResponseError", "RequestError"),
    )
    return isinstance(exc, kinds)


def _server_says(exc: BaseException) -> str:
    detail = getattr(exc, "message", None) or getattr(exc, "error", None) or str(exc)
    detail = " ".join(str(detail).split())
    return detail[:200] + ("…" if len(detail) > 200 else "")


def explain(exc: BaseException, endpoint: str, model: str, timeout: float | None) -> GenerationError | None:
    """The domain error for a client failure, saying what to do; None for anything else."""
    if _is_timeout(exc):
        within = f" within {timeout:g} s" if timeout else ""
        return GenerationTimeout(
            f"The language model did not answer{within} (LLM server at {endpoint}). Check that it is "
            "running and the model is loaded, or raise RESO_LLM_TIMEOUT."
        )
    if _is_unreachable(exc):
        return GenerationError(
            f"Cannot reach the LLM server at {endpoint} ({_server_says(exc)}). Start it or point "
            "RESO_LLM_BASE_URL at a running server, or set RESO_GENERATOR=extractive to answer "
            "without a model."
        )
    status = getattr(exc, "status_code", None)
    if status in (401, 403):
        return GenerationError(
            f"The LLM server at {endpoint} refused the request (HTTP {status}: {_server_says(exc)}). "
            "Set RESO_LLM_API_KEY to a key it accepts."
        )
    if status == 404:
        return GenerationError(
            f"The LLM server at {endpoint} does not know model '{model}' or the chat endpoint (HTTP 404: "
            f"{_server_says(exc)}). Check RESO_LLM_MODEL (for Ollama: `ollama pull {model}`) and, for "
            "an OpenAI-compatible server, that RESO_LLM_BASE_URL ends in /v1."
        )
    if _is_client_error(exc):
        code = f"HTTP {status}: " if isinstance(status, int) else ""
        return GenerationError(f"The LLM server at {endpoint} failed to answer ({code}{_server_says(exc)}).")
    return None


# -- the generator -------------------------------------------------------------------------------
class LLMGenerator:
    """Answers with a chat model, citing the given paragraphs by their markers."""

    name = "llm"
    deterministic = False  # a chat model samples: its answers are never replayed

    def __init__(
        self,
        model: BaseChatModel,
        *,
        endpoint: str | None = None,
        timeout: float | None = None,
        max_history: int = MAX_HISTORY_MESSAGES,
    ):
        self.model = model
        self.endpoint = endpoint or _model_endpoint(model)
        self.timeout = timeout
        self.max_history = max_history
        self.prompt = build_prompt()
        self.chain = build_chain(model)

    @classmethod
    def from_settings(cls, settings: Settings) -> LLMGenerator:
        if not settings.llm_model.strip():
            raise ResoError(
                "The LLM generator needs a model: set RESO_LLM_MODEL to the model name your server "
                "serves (e.g. qwen2.5:7b-instruct for Ollama), or set RESO_GENERATOR=extractive."
            )
        build = ollama_model if settings.llm_provider == "ollama" else openai_model
        return cls(build(settings), endpoint=endpoint_of(settings), timeout=settings.llm_timeout)

    def variables(self, inp: GenerationInput) -> dict[str, Any]:
        return {
            "language": language_name(inp.language),
            "sources": render_sources(inp.sources),
            "count": len(inp.sources),
            "question": untrusted(inp.question.strip()),
            "history": history_messages(inp.history, self.max_history),
        }

    def messages(self, inp: GenerationInput) -> list[BaseMessage]:
        """What the model is sent, for inspection and tests."""
        return self.prompt.format_messages(**self.variables(inp))

    def stream(self, inp: GenerationInput) -> Iterator[str]:
        if not inp.sources:  # nothing to ground an answer on: no call, no chance to invent one
            yield phrase("refusal", inp.language)
            return
        model_name = str(getattr(self.model, "model_name", None) or getattr(self.model, "model", "") or "")
        variables = self.variables(inp)
        system = self.prompt.format_messages(**variables)[0].content
        checked = OutputGuard(system)
        try:
            yield from guarded(self.chain.stream(variables), checked)
        except GenerationError:
            raise
        except Exception as exc:
            failure = explain(exc, self.endpoint, model_name, self.timeout)
            if failure is None:
                raise
            raise failure from exc
