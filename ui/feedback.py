"""Thumbs up/down on answers, kept in SQLite so that users' judgements become evaluation data.

A thumbs-up on an answer is a user saying "these paragraphs answer this question": exactly a
CONTRACTS §3 item, gold from the answer's citations. A thumbs-up on a refusal says "the corpus
does not answer this": an unanswerable item. A thumbs-down says only that something was wrong,
not what the right paragraph is, so it has no gold; `reso eval` would read such a line as an
answerable item that can never be hit, which would only lower the scores. Thumbs-down rows are
therefore left out of the evaluation export by default (they stay in the database with their
comment, for a person to read) and come out with `"kind": "feedback-negative"` only when asked
for with `include_negative=True`.

One short-lived connection per call: Gradio runs handlers on worker threads, and a SQLite
connection must not cross threads.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

FILENAME = "feedback.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    created   TEXT    NOT NULL,
    question  TEXT    NOT NULL,
    answer    TEXT    NOT NULL,
    language  TEXT    NOT NULL DEFAULT '',
    refused   INTEGER NOT NULL DEFAULT 0,
    citations TEXT    NOT NULL DEFAULT '[]',
    rating    INTEGER NOT NULL,
    comment   TEXT    NOT NULL DEFAULT ''
)
"""


@dataclass(frozen=True)
class FeedbackRow:
    id: int
    created: str
    question: str
    answer: str
    language: str
    refused: bool
    citations: list[dict[str, str]]
    rating: int  # +1 thumbs up, -1 thumbs down
    comment: str


def _citation_dict(c: object) -> dict[str, str]:
    """Citations arrive as dicts (UI state) or as `assistant.models.Citation`; only the address is kept."""
    get = c.get if isinstance(c, Mapping) else (lambda k, d="": getattr(c, k, d))
    return {"document": str(get("document", "")), "paragraph": str(get("paragraph", "")), "language": str(get("language", ""))}


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


class FeedbackStore:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute(_SCHEMA)

    @classmethod
    def in_dir(cls, data_dir: Path) -> FeedbackStore:
        """Next to the index, so that one `RESO_DATA_DIR` holds everything a deployment learned."""
        return cls(Path(data_dir) / FILENAME)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10)) as db:
            with db:  # commits, or rolls back on error
                yield db

    def add(
        self,
        question: str,
        answer: str,
        citations: Iterable[object],
        rating: int,
        comment: str = "",
        *,
        language: str = "",
        refused: bool | None = None,
    ) -> int:
        """Stores one judgement and returns its id; `refused` defaults to "had no citation"."""
        if rating not in (1, -1):
            raise ValueError("rating is +1 (thumbs up) or -1 (thumbs down)")
        cited = [_citation_dict(c) for c in citations]
        refused = not cited if refused is None else refused
        with self._connect() as db:
            cur = db.execute(
                "INSERT INTO feedback (created, question, answer, language, refused, citations, rating, comment)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    question,
                    answer,
                    language,
                    int(refused),
                    json.dumps(cited, ensure_ascii=False),
                    rating,
                    (comment or "").strip(),
                ),
            )
            return int(cur.lastrowid)

    def rows(self) -> list[FeedbackRow]:
        with self._connect() as db:
            cur = db.execute(
                "SELECT id, created, question, answer, language, refused, citations, rating, comment FROM feedback ORDER BY id"
            )
            return [
                FeedbackRow(r[0], r[1], r[2], r[3], r[4], bool(r[5]), json.loads(r[6] or "[]"), r[7], r[8])
                for r in cur.fetchall()
            ]

    def export_eval_lines(self, include_negative: bool = False) -> list[str]:
        """CONTRACTS §3 lines, one per usable judgement (see the module docstring for thumbs-down)."""
        lines = []
        for row in self.rows():
            item = eval_item(row, include_negative)
            if item is not None:
                lines.append(json.dumps(item, ensure_ascii=False))
        return lines


def eval_item(row: FeedbackRow, include_negative: bool = False) -> dict | None:
    base = {"id": f"feedback-{row.id}", "question": row.question, "language": row.language}
    if row.rating < 0:
        if not include_negative:
            return None
        return base | {"documents": [], "gold": [], "kind": "feedback-negative", "comment": row.comment}
    if row.refused or not row.citations:
        return base | {"documents": [], "gold": [], "answerable": False, "kind": "unanswerable"}
    return base | {
        "documents": _unique(c.get("document", "") for c in row.citations),
        "gold": _unique(c.get("paragraph", "") for c in row.citations),
        "answerable": True,
        "kind": "feedback",
    }
