"""The assistant as LangChain parts, for people composing their own chains.

`ResoRetriever` is the hybrid retriever behind LangChain's `BaseRetriever` interface (one
`Document` per paragraph, its ids in the metadata), and `answer_chain` is the whole pipeline as
a `Runnable`: `.invoke({"question": …})` gives the API's answer object, `.stream(...)` the same
events the HTTP stream sends. Both call the one `Assistant` and serialise through `reso.schema`,
so nothing here can drift from it or from the API.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableGenerator, RunnableLambda
from pydantic import ConfigDict

from reso.assistant.core import Assistant
from reso.assistant.models import Filters, Message
from reso.assistant.retrieval import Retriever
from reso.schema import answer_json, stream_event


class ResoRetriever(BaseRetriever):
    """Paragraphs as LangChain documents: page_content is the text, metadata says where it is."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    retriever: Any  # a `Retriever`; Any because pydantic cannot validate a Protocol
    k: int = 10
    filters: Filters | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        found = self.retriever.retrieve(query, k=self.k, filters=self.filters)
        return [
            Document(
                page_content=r.chunk.text,
                metadata={
                    "document": r.chunk.document,
                    "paragraph": r.chunk.paragraph,
                    "language": r.chunk.language,
                    "title": r.chunk.title,
                    "body": r.chunk.body,
                    "date": r.chunk.date,
                    "kind": r.chunk.kind,
                    "score": r.score,
                    "match": r.match,
                    "languages": sorted(r.versions),
                },
            )
            for r in found
        ]


def _request(payload: dict[str, Any]) -> tuple[str, list[Message], Filters | None, str | None]:
    history = [Message(m["role"], m["content"]) for m in payload.get("history", [])]
    filters = payload.get("filters")
    if isinstance(filters, dict):
        filters = Filters(**{k: tuple(v) if isinstance(v, list) else v for k, v in filters.items()})
    return payload["question"], history, filters, payload.get("language")


def _event_dict(name: str, data: Any) -> dict[str, Any]:
    """The stream's event as one dict: `{"type": "delta", "text"}`, `{"type": "citations", "citations"}`,
    `{"type": "done", "answer"}` — the data of the HTTP stream's event of the same name."""
    if name == "delta":
        return {"type": name, **data}
    return {"type": name, ("answer" if name == "done" else name): data}


def answer_chain(assistant: Assistant) -> Runnable:
    """`{"question", "history"?, "filters"?, "language"?}` → the API answer object (CONTRACTS §5)."""

    def invoke(payload: dict[str, Any]) -> dict[str, Any]:
        question, history, filters, language = _request(payload)
        return answer_json(assistant.answer(question, history, filters, language))

    def stream(inputs: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for payload in inputs:
            question, history, filters, language = _request(payload)
            for event in assistant.stream(question, history, filters, language):
                yield _event_dict(*stream_event(event))

    return _Both(invoke, stream)


class _Both(RunnableLambda):
    """A RunnableLambda whose `.stream` yields the assistant's events instead of one final value."""

    def __init__(self, invoke, stream):
        super().__init__(invoke, name="reso-answer")
        self._events = RunnableGenerator(stream, name="reso-answer-stream")

    def stream(self, input, config=None, **kwargs):  # noqa: A002 - LangChain's signature
        yield from self._events.stream(input, config, **kwargs)


def retriever_of(assistant: Assistant, k: int = 10) -> ResoRetriever:
    retriever: Retriever = assistant.retriever
    return ResoRetriever(retriever=retriever, k=k)
