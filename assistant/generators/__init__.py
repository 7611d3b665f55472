"""The generation seam: sources in, answer text (with citation markers) out, as a stream.

Two implementations: `extractive` (default, offline, deterministic) and `llm` (any LangChain
chat model). Both only ever see the paragraphs retrieved for the question; whatever markers
they write are checked afterwards by `assistant.citations.MarkerFilter`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from reso.assistant.models import Message, Retrieved

if TYPE_CHECKING:
    from reso.assistant.question import Question
from reso.errors import ResoError


class GenerationError(ResoError):
    """The model behind a generator could not produce the answer (unreachable, too slow, refused).

    Raised in place of the client library's own exceptions so that every surface shows one clear
    message naming the server and the setting to change, instead of a transport traceback.
    """


@dataclass
class GenerationInput:
    question: str  # as the user asked it
    language: str  # the language to answer in (ISO 639-1)
    sources: list[Retrieved]  # the paragraphs the answer may cite, best first
    history: list[Message] = field(default_factory=list)
    standalone_question: str = ""  # the question with the conversation folded in, when it differs
    asked: Question | None = None  # the question as analysed for this turn (its words and stems)


class Generator(Protocol):
    name: str
    # True only when the same sources always give the same words: the assistant may then replay
    # its answers from the answer cache (a sampling LLM must not have its answers replayed). The
    # answer of a generator that is not deterministic is also read for a decline in its own words
    # ("the provided texts do not …"), its first sentence held back until it is whole
    deterministic: bool

    def stream(self, inp: GenerationInput) -> Iterator[str]:
        """Yield text deltas of the answer, citation markers `[SYMBOL, PID]` inline."""
        ...
