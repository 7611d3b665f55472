"""The assistant as LangChain parts, for people composing their own chains.

`ResoRetriever` is the hybrid retriever behind LangChain's `BaseRetriever` interface (one
`Document` per paragraph, its ids in the metadata), and `answer_chain` is the whole pipeline as
a `Runnable`: `.invoke({"question": …})` gives the API's answer object, `.stream(...)` the same
events the HTTP stream sends. Both call the one `Assistant`, so nothing here can drift from it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableGenerator, RunnableLambda
from pydantic import ConfigDict

from reso.assistant.core import Assistant, Delta, Done, Sources
from reso.assistant.models import Filters, Message
from reso.assistant.retrieval import Retriever


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


def answer_chain(assistant: Assistant) -> Runnable:
    """`{"question", "history"?, "filters"?, "language"?}` → the API answer object (CONTRACTS §5)."""

    def invoke(payload: dict[str, Any]) -> dict[str, Any]:
        question, history, filters, language = _request(payload)
        return assistant.answer(question, history, filters, language).to_dict()

    def stream(inputs: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for payload in inputs:
            question, history, filters, language = _request(payload)
            for event in assistant.stream(question, history, filters, language):
                if isinstance(event, Delta):
                    yield {"type": "delta", "text": event.text}
                elif isinstance(event, Sources):
                    yield {"type": "citations", "citations": [c.to_dict() for c in event.citations]}
                elif isinstance(event, Done):
                    yield {"type": "done", "answer": event.answer.to_dict()}

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
