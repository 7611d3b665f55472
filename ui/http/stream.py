"""The answer as Server-Sent Events: the assistant's events, serialised by `reso.schema`, sent
from one worker thread.

The assistant is synchronous and CPU-bound, so the stream is a sync iterator; `in_one_thread`
runs it off the event loop, which keeps serving other clients meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from reso.assistant.core import Event
from reso.errors import client_message, log_error
from reso.schema import ErrorBody, stream_event
from reso.ui.middleware.context import new_request_id

log = logging.getLogger("reso.ui.http")


def sse(event: str, data: Any) -> str:
    """One Server-Sent Event; JSON keeps the data on one line whatever the text holds."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def answer_events(events: Iterable[Event], request_id: str | None = None) -> Iterator[str]:
    """Assistant events → SSE: `delta`s, then `citations`, then `done`; a failure ends with `error`.

    The error event carries what the error table says a client is told, as the JSON error
    responses do; the status is already sent (200), so it is not repeated.
    """
    request_id = request_id or new_request_id()
    try:
        for event in events:  # the core already trims deltas to add up to the answer
            yield sse(*stream_event(event))
    except Exception as exc:
        log_error(log, exc, f"{request_id} while streaming an answer")
        yield sse("error", ErrorBody(error=client_message(exc), request_id=request_id).json_body())


_END = object()


async def in_one_thread(items: Iterator[str]) -> AsyncIterator[str]:
    """Run a blocking iterator in one worker thread and hand its items to the event loop as they come.

    Starlette would iterate it with one thread-pool round trip per item, and an extractive answer
    streams a delta per word: under load, streamed answers were ~10x slower than blocking ones.
    Here one thread produces; whatever has arrived by the time the client can take more is sent
    in one write. Items still arrive the moment they exist (a slow LLM's first words are not
    held back), and a client that goes away stops the producer at its next item.
    """
    import anyio

    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[object] = asyncio.Queue()
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    break
                loop.call_soon_threadsafe(queue.put_nowait, item)
        finally:
            close = getattr(items, "close", None)
            if callable(close):
                close()
            loop.call_soon_threadsafe(queue.put_nowait, _END)

    producer = asyncio.ensure_future(anyio.to_thread.run_sync(produce))
    try:
        while True:
            item = await queue.get()
            batch: list[str] = []
            while item is not _END:
                batch.append(item)  # type: ignore[arg-type]
                if queue.empty():
                    break
                item = queue.get_nowait()
            if batch:
                yield "".join(batch)
            if item is _END:
                break
    finally:
        stop.set()  # not awaited: a client gone mid-answer must not wait for the producer's next item
        producer.add_done_callback(lambda done: done.cancelled() or done.exception())
