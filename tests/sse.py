"""Reading a Server-Sent Events body back into (event, data) pairs, for the API tests."""

from __future__ import annotations

import json


def parse_sse(text: str) -> list[tuple[str, object]]:
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((fields["event"], json.loads(fields["data"])))
    return events
