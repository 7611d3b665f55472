"""Two documents' paragraphs aligned by content, with word-level changes.

Numbers shift from one year's renewal to the next (a new OP3 pushes every later paragraph down),
so paragraphs are paired by what they say, not by id: every pair of paragraphs gets a word-level
similarity, pairs are taken best first while both sides are free and the similarity clears a
threshold, and what is left is added (only in B) or removed (only in A). A pair whose order
disagrees with the others (outside the longest run kept in order) is "moved".
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from reso.assistant.lineage.types import AlignedPair, Comparison
from reso.index.chunks import Chunk

_WORD = re.compile(r"\w+|[^\w\s]", re.UNICODE)
THRESHOLD = 0.5


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def word_diff(a: str, b: str) -> list[tuple[str, str]]:
    """(op, text) runs turning A's words into B's, op "equal", "delete" or "insert"."""
    wa, wb = words(a), words(b)
    runs: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes():
        if tag == "equal":
            runs.append(("equal", " ".join(wa[i1:i2])))
        else:
            if i2 > i1:
                runs.append(("delete", " ".join(wa[i1:i2])))
            if j2 > j1:
                runs.append(("insert", " ".join(wb[j1:j2])))
    return runs


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, words(a.lower()), words(b.lower()), autojunk=False).ratio()


def _in_order(pairs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """The longest run of pairs increasing on both sides (pairs sorted by A's position)."""
    pairs = sorted(pairs)
    best: list[list[tuple[int, int]]] = []
    for p in pairs:
        chain = max((c for c in best if c[-1][1] < p[1]), key=len, default=[])
        best.append([*chain, p])
    return set(max(best, key=len, default=[]))


def compare_chunks(a: str, a_chunks: Sequence[Chunk], b: str, b_chunks: Sequence[Chunk], language: str) -> Comparison:
    """A's paragraphs (in `language`, document order) aligned with B's."""
    pa = sorted(a_chunks, key=lambda c: c.order)
    pb = sorted(b_chunks, key=lambda c: c.order)
    scores = sorted(((_similarity(x.text, y.text), i, j) for i, x in enumerate(pa) for j, y in enumerate(pb)),
                    reverse=True)
    used_a: dict[int, tuple[int, float]] = {}
    used_b: set[int] = set()
    for s, i, j in scores:
        if s < THRESHOLD:
            break
        if i in used_a or j in used_b:
            continue
        used_a[i] = (j, s)
        used_b.add(j)
    ordered = _in_order([(i, j) for i, (j, _) in used_a.items()])
    pairs: list[AlignedPair] = []
    for i, x in enumerate(pa):
        if i in used_a:
            j, s = used_a[i]
            y = pb[j]
            if (i, j) not in ordered:
                change = "moved"
            else:
                change = "same" if x.text.strip() == y.text.strip() else "changed"
            diff = [("equal", x.text)] if change == "same" else word_diff(x.text, y.text)
            pairs.append(AlignedPair(x.paragraph, y.paragraph, change, diff, x.text, y.text, s))
        else:
            pairs.append(AlignedPair(x.paragraph, None, "removed", [("delete", x.text)], x.text, "", 0.0))
    # B's paragraphs no A paragraph took, placed after the pair of B's previous paragraph
    for j, y in enumerate(pb):
        if j in used_b:
            continue
        added = AlignedPair(None, y.paragraph, "added", [("insert", y.text)], "", y.text, 0.0)
        at = 0
        for k, p in enumerate(pairs):
            if p.b is not None and _order_of(pb, p.b) < j:
                at = k + 1
        pairs.insert(at, added)
    return Comparison(a, b, language, pairs)


def _order_of(chunks: Sequence[Chunk], pid: str) -> int:
    return next(k for k, c in enumerate(chunks) if c.paragraph == pid)
