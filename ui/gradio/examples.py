"""Example questions built from what is indexed, in the interface language.

Hard-coded examples fitted only the seed: once other documents were indexed, a new user clicked
a question about a resolution the index might not hold, in a language the page was not in. Here
they are made from the most recently adopted documents that have a version in the interface
language (any language when none has), one of each kind a user may ask: a numbered operative
paragraph of a named resolution, a named resolution on its own subject (its title, cut at a word
when long), and a subject alone (another title, no symbol: a search across the index). Each
template is a phrase of the interface language (`ui_example_*`), so the question is asked in the
language the page speaks. (A "what does resolution X request?" kind was tried and dropped: on
corpus/ it was declined in Chinese and Russian and misread as French in Spanish.)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from reso.index.chunks import Chunk
from reso.index.store import DocumentRecord
from reso.prompts import phrase

COUNT = 3
TITLE_LIMIT = 80  # a longer title is cut at a word: a button of several lines hides the others
_PLAIN_OP = re.compile(r"^OP(\d+)$")


class _Library(Protocol):
    def document_records(self) -> list[DocumentRecord]: ...

    def document_chunks(self, document: str, language: str | None = None) -> list[Chunk]: ...


def _recent(records: Sequence[DocumentRecord], language: str) -> list[DocumentRecord]:
    """Versions in `language`, most recently adopted first (undated last), one per document."""
    mine = [r for r in records if r.language == language and r.paragraphs > 0]
    mine.sort(key=lambda r: (r.date or "", r.document), reverse=True)
    seen: set[str] = set()
    out = []
    for r in mine:
        if r.document not in seen:
            seen.add(r.document)
            out.append(r)
    return out


def _paragraph_number(chunks: Sequence[Chunk]) -> int | None:
    """A plain operative paragraph with some substance: the second if there is one (the first is
    often "Takes note of the report"), else the first."""
    numbers = [int(m.group(1)) for c in chunks if (m := _PLAIN_OP.match(c.paragraph)) and len(c.text) >= 60]
    if not numbers:
        return None
    return numbers[1] if len(numbers) > 1 else numbers[0]


def _title(record: DocumentRecord, chunks: Sequence[Chunk]) -> str:
    title = " ".join((record.title or (chunks[0].title if chunks else "")).split()).rstrip(".")
    if len(title) <= TITLE_LIMIT:
        return title
    cut = title[:TITLE_LIMIT]
    # at a space where there is one (not in Chinese, which has none: there the limit is the cut)
    cut = cut[: cut.rfind(" ")] if " " in cut[TITLE_LIMIT // 2 :] else cut
    return cut.rstrip(" ,;:-–—") + "…"


def example_questions(library: _Library, ui_lang: str, count: int = COUNT) -> list[str]:
    """Up to `count` questions about indexed documents, in `ui_lang`; [] for an empty index."""
    records = library.document_records()
    recent = _recent(records, ui_lang)
    if not recent:  # nothing in this language: ask in it about what there is (a cross-language question)
        languages = sorted({r.language for r in records}, key=lambda lang: (lang != "en", lang))
        recent = _recent(records, languages[0]) if languages else []
    candidates: dict[str, list[str]] = {"paragraph": [], "title": [], "topic": []}
    for record in recent[: count * 3]:
        chunks = library.document_chunks(record.document, record.language)
        n = _paragraph_number(chunks)
        if n is not None:
            candidates["paragraph"].append(phrase("ui_example_paragraph", ui_lang, n=str(n), document=record.document))
        if title := _title(record, chunks):
            candidates["title"].append(phrase("ui_example_title", ui_lang, document=record.document, title=title))
            candidates["topic"].append(phrase("ui_example_topic", ui_lang, title=title))
        if all(len(v) >= count for v in candidates.values()):
            break  # enough: each chunk listing is a query of the index
    # one of each kind, the k-th kind from the k-th most recent document that allows it, so the
    # examples show different documents when there are several
    out: list[str] = []
    for k, kind in enumerate(candidates):
        found = [q for q in candidates[kind] if q not in out]
        if found:
            out.append(found[min(k, len(found) - 1)])
    for kind in candidates:  # fewer documents than kinds: fill from the rest
        out += [q for q in candidates[kind] if q not in out][: count - len(out)]
    return out[:count]
