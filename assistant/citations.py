"""Citation markers: how an answer names the paragraphs it rests on, and how that is checked.

A marker is `[<document symbol>, <paragraph id>]`, e.g. `[A/HRC/RES/30/25, OP4]` or
`[S/RES/2699 (2023), OP12(a)]`: readable as is, exact, and easy to check. Whatever produced the
text (the extractive generator or an LLM), every marker is checked against the paragraphs
retrieved for this answer; one that names anything else is removed and reported, never shown.
`MarkerFilter` does that on a stream, holding back only the few characters of an open bracket.

The filter is the authority on what counts as a citation, so it judges everything a reader could
take for one: a marker-like string in another case (`[a/hrc/res/30/25, op9]`, copied from a
question or a hostile paragraph) is removed like an unknown marker, even when it names a retrieved
paragraph: a citation is a marker written exactly as the sources give it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from reso.index.model import normalise_pid, normalise_symbol

MARKER = re.compile(r"\[\s*([A-Z][A-Za-z]*/[^\[\],]*?)\s*,\s*((?:PP|OP|ANNEX)[^\[\]\s,;]*)\s*\]")
# what a reader could take for a marker: the same shape in any case (the filter's net, see above)
MARKER_LIKE = re.compile(MARKER.pattern, re.IGNORECASE)
_MAX_MARKER = 80


def marker(document: str, paragraph: str) -> str:
    return f"[{document}, {paragraph}]"


def parse_markers(text: str) -> list[tuple[str, str]]:
    """(document, paragraph) pairs in order of first appearance."""
    out: list[tuple[str, str]] = []
    for m in MARKER.finditer(text):
        pair = (m.group(1).strip(), m.group(2).strip())
        if pair not in out:
            out.append(pair)
    return out


def key(document: str, paragraph: str) -> tuple[str, str]:
    return normalise_symbol(document), normalise_pid(paragraph)


def parent_key(document: str, paragraph: str) -> tuple[str, str]:
    """OP3(a)(ii) → OP3: a sub-paragraph is retrieved as part of its operative paragraph."""
    pid = normalise_pid(paragraph)
    return normalise_symbol(document), pid.split("(", 1)[0]


@dataclass
class MarkerFilter:
    """Streams text through, dropping markers whose paragraph is not in `allowed`.

    `allowed` holds (normalised document, normalised top-level paragraph) keys. A marker for a
    sub-paragraph is kept when its parent paragraph was retrieved.
    """

    allowed: set[tuple[str, str]]
    kept: list[tuple[str, str]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    _buffer: str = ""

    def _judge(self, m: re.Match) -> str:
        doc, pid = m.group(1).strip(), m.group(2).strip()
        if MARKER.fullmatch(m.group(0)) and parent_key(doc, pid) in self.allowed:
            if (doc, pid) not in self.kept:
                self.kept.append((doc, pid))
            return m.group(0)
        self.removed.append(m.group(0))
        return ""

    def feed(self, delta: str) -> str:
        """Text that is safe to show now."""
        self._buffer += delta
        out = []
        while self._buffer:
            start = self._buffer.find("[")
            if start == -1:
                out.append(self._buffer)
                self._buffer = ""
                break
            out.append(self._buffer[:start])
            self._buffer = self._buffer[start:]
            end = self._buffer.find("]")
            if end == -1:
                if len(self._buffer) > _MAX_MARKER:  # not a marker: let it through
                    out.append(self._buffer[0])
                    self._buffer = self._buffer[1:]
                    continue
                break  # wait for the rest of a possible marker
            candidate = self._buffer[: end + 1]
            m = MARKER_LIKE.fullmatch(candidate)
            out.append(self._judge(m) if m else candidate)
            self._buffer = self._buffer[end + 1 :]
        return "".join(out)

    def flush(self) -> str:
        rest, self._buffer = self._buffer, ""
        return MARKER_LIKE.sub(self._judge, rest)


def filter_stream(deltas: Iterable[str], allowed: set[tuple[str, str]]) -> tuple[Iterator[str], MarkerFilter]:
    f = MarkerFilter(allowed)

    def gen() -> Iterator[str]:
        for d in deltas:
            out = f.feed(d)
            if out:
                yield out
        tail = f.flush()
        if tail:
            yield tail

    return gen(), f
