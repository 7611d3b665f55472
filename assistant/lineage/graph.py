"""The reference graph of one index state: who cites whom, paragraph by paragraph, and series.

Built once per index state from the chunks (one pass, each paragraph's mentions extracted with
`index.readers.common.extract_references`) and the documents' records; every later question is a
dictionary look-up. A mention whose symbol the index holds points to that document's own
spelling (`indexed=True`); the others keep the symbol the citing text implies.

Series: documents of one body whose titles are the same once years, numbers and dates are taken
out ("Reports of the Secretary-General on the Sudan and South Sudan"), ordered by date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from reso.assistant.lineage.types import Mention, Related, SeriesEntry
from reso.index.analysis import fold
from reso.index.chunks import Chunk
from reso.index.model import normalise_symbol
from reso.index.readers.common import extract_references
from reso.index.store import DocumentRecord

_HAS_NUMBER = re.compile(r"\d")
_TITLE_NOISE = re.compile(r"[\d()\[\]/.,;:'’\"-]+")


class ReferenceGraph:
    def __init__(self, names: dict[str, str], cites: dict[str, list[Mention]],
                 cited_by: dict[str, list[Mention]], series: dict[str, list[SeriesEntry]]):
        self._names = names  # normalised symbol → the indexed spelling
        self._cites = cites
        self._cited_by = cited_by
        self._series = series

    @classmethod
    def build(cls, chunks: Sequence[Chunk], records: Sequence[DocumentRecord] = ()) -> ReferenceGraph:
        names: dict[str, str] = {}
        for c in chunks:
            names.setdefault(normalise_symbol(c.document), c.document)
        cites: dict[str, list[Mention]] = {}
        cited_by: dict[str, list[Mention]] = {}
        for c in chunks:
            if not _HAS_NUMBER.search(c.text):
                continue
            own = normalise_symbol(c.document)
            body = c.body if c.body in ("HRC", "GA", "SC") else "GA"
            for symbol in dict.fromkeys(extract_references(c.text, body)):
                key = normalise_symbol(symbol)
                if key == own:
                    continue
                indexed = key in names
                m = Mention(c.document, c.paragraph, c.language, names.get(key, symbol), indexed)
                cites.setdefault(own, []).append(m)
                if indexed:
                    cited_by.setdefault(key, []).append(m)
        return cls(names, cites, cited_by, _series(chunks, records))

    def resolve(self, document: str) -> str | None:
        return self._names.get(normalise_symbol(document))

    def related(self, document: str) -> Related | None:
        name = self.resolve(document)
        if name is None:
            return None
        key = normalise_symbol(name)
        return Related(name, list(self._cites.get(key, [])), list(self._cited_by.get(key, [])),
                       list(self._series.get(key, [])))


def _title_key(title: str) -> str:
    return " ".join(_TITLE_NOISE.sub(" ", fold(title)).split())


def _series(chunks: Sequence[Chunk], records: Sequence[DocumentRecord]) -> dict[str, list[SeriesEntry]]:
    """Documents grouped by body and title family (English title where there is one), oldest first."""
    docs: dict[str, tuple[str, str, str, str]] = {}  # key → (symbol, body, date, title)
    for c in chunks:
        key = normalise_symbol(c.document)
        seen = docs.get(key)
        if seen is None or (c.language == "en" and seen[3] != c.title and c.title):
            docs[key] = (c.document, c.body, c.date or (seen[2] if seen else ""), c.title or (seen[3] if seen else ""))
    groups: dict[tuple[str, str], list[str]] = {}
    for key, (_, body, _, title) in docs.items():
        tk = _title_key(title)
        if tk:
            groups.setdefault((body, tk), []).append(key)
    series: dict[str, list[SeriesEntry]] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        entries = sorted((SeriesEntry(docs[k][0], docs[k][2], docs[k][3]) for k in members),
                         key=lambda e: (e.date, e.document))
        for k in members:
            series[k] = entries
    return series
