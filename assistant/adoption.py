"""How each indexed document was adopted (its vote) and who sponsored it, for the filters `votes` and
`sponsors` and for the facts shown beside a cited resolution (issue 17, item 5).

The facts are the documents' records (`DocumentRecord.vote`, `meta["sponsors"]`, read by the readers
from the `data_extract` metadata): one `AdoptionIndex` per index state reads them once, on first
use, and answers every question of that state from memory. The two filters become a set of
documents before the search (`narrowed`), so the retriever only ever sees a documents filter.

Matching is document-level: a document is in scope when any of its language versions' records
matches. Within a filter the values are alternatives (votes `recorded` or `without_vote`; sponsored
by France or by Malta), the filters together all apply, as the other filters do.

A sponsor is matched as a user types it, ignoring case, accents and the kind of apostrophe, against
the names the records print (English names, whatever the version's language: the metadata lists
them so). Besides the whole name, a name printed with a parenthesis also answers to its short form
and to its long form ("Bolivia (Plurinational State of)": "Bolivia", "Plurinational State of
Bolivia"; "Netherlands (Kingdom of the)": "Netherlands", "Kingdom of the Netherlands"; "Cuba (on
behalf of …)": "Cuba"), and a name of several words before "of" to those words ("United States of
America": "United States"; "United Kingdom of Great Britain and Northern Ireland": "United
Kingdom"). Country names in the other five languages, or other names of a country (Turkey for
Türkiye), are not matched.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from reso.assistant.models import VOTE_KINDS, Filters
from reso.index.analysis import fold
from reso.index.model import normalise_symbol
from reso.index.store import DocumentRecord

log = logging.getLogger(__name__)
_NOT_WORD = re.compile(r"[^\w'-]+")
_PARENTHESIS = re.compile(r"^(?P<base>[^()]+?)\s*\((?P<inner>[^()]*)\)\s*$")


def vote_kind(vote: str) -> str:
    """The adoption kind of a record's vote: "recorded (13-0-2)" → "recorded"; "" when unknown."""
    kind = (vote or "").split(" (", 1)[0].strip()
    return kind if kind in VOTE_KINDS else ""


def vote_counts(vote: str) -> tuple[int, int, int] | None:
    """(in favour, against, abstaining) of a recorded vote as the record prints it, else None."""
    m = re.search(r"\((\d+)-(\d+)-(\d+)\)", vote or "")
    return (int(m[1]), int(m[2]), int(m[3])) if m else None


@lru_cache(maxsize=4096)  # a few hundred names, printed on thousands of records
def sponsor_key(name: str) -> str:
    """A name as compared: folded (case, accents, apostrophes), punctuation and spaces collapsed,
    a leading "the" dropped ("the Dominican Republic" is the Dominican Republic)."""
    key = " ".join(_NOT_WORD.sub(" ", fold(name)).split())
    return key[4:] if key.startswith("the ") else key


@lru_cache(maxsize=4096)
def sponsor_forms(name: str) -> frozenset[str]:
    """The keys a printed sponsor name answers to (see the module's docstring)."""
    forms = {sponsor_key(name)}
    base = name.strip()
    m = _PARENTHESIS.match(base)
    if m:
        base = m["base"]
        forms.add(sponsor_key(base))
        inner = sponsor_key(m["inner"])
        if inner and not inner.startswith("on behalf"):
            forms.add(sponsor_key(f"{m['inner']} {base}"))
    head = sponsor_key(base).split(" of ", 1)[0]
    if " of " in sponsor_key(base) and len(head.split()) >= 2:
        forms.add(head)
    forms.discard("")
    return frozenset(forms)


@dataclass(frozen=True)
class Adoption:
    """What the panel and the API show beside a cited document: its record's vote ("unanimous",
    "recorded (13-0-2)", "without_vote", as `reso documents` and `/api/related` have it; "" when the
    index does not know) and its sponsors as printed."""

    vote: str = ""
    sponsors: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Documents:
    """Built once from the records: each document's kinds of adoption and sponsor keys."""

    symbols: dict[str, str]  # normalised symbol → the symbol as printed
    facts: dict[str, Adoption]  # normalised symbol → shown facts (its English record's when it has one)
    kinds: dict[str, frozenset[str]]  # normalised symbol → the vote kinds of any of its versions
    by_form: dict[str, frozenset[str]]  # sponsor key (every form) → the documents it sponsors
    names: tuple[str, ...]  # one printed name per sponsor key, the most frequent printing first


class AdoptionIndex:
    """One index state's votes and sponsors, read from its records on first use (thread-safe).

    `records` is the library's `document_records` (the same read `/api/documents` makes); a
    refresh of the assistant builds a new index with the new state, so this one is never stale.
    """

    def __init__(self, records: Callable[[], Sequence[DocumentRecord]] | None):
        self._records = records
        self._lock = threading.Lock()
        self._built: _Documents | None = None

    def _documents(self) -> _Documents:
        built = self._built
        if built is not None:
            return built
        with self._lock:
            if self._built is None:
                self._built = _build(self._records() if self._records is not None else ())
            return self._built

    def of(self, document: str) -> Adoption:
        """The facts shown beside `document` (empty ones for a document the records do not hold).

        An answer does not fail for want of them: when the records cannot be read (a Chroma server
        restarting), the citation goes without them and the next one tries again.
        """
        try:
            documents = self._documents()
        except Exception as exc:  # noqa: BLE001 - the answer stands without the adoption facts
            log.warning("the documents' votes and sponsors could not be read (%s); citations go without them", exc)
            return Adoption()
        return documents.facts.get(normalise_symbol(document), Adoption())

    def warm(self) -> None:
        """Read the records now (a server's warm-up, a refresh in the background), so that no
        question pays for it; a failure is left for the first use to meet again."""
        self.of("")

    def sponsor_names(self) -> list[str]:
        """The sponsors the records name, one printing each, sorted as a user reads them; names holding
        a digit (a report's description the metadata put in the sponsors' field) are left out."""
        names = [n for n in self._documents().names if not any(ch.isdigit() for ch in n)]
        return sorted(names, key=sponsor_key)

    def matching(self, votes: Iterable[str] = (), sponsors: Iterable[str] = ()) -> set[str] | None:
        """The normalised symbols of the documents matching both filters; None when neither is set."""
        votes, sponsors = tuple(votes), tuple(s for s in sponsors if sponsor_key(s))
        if not votes and not sponsors:
            return None
        d = self._documents()
        keys = set(d.symbols)
        if votes:
            wanted = set(votes)
            keys = {k for k in keys if d.kinds.get(k, frozenset()) & wanted}
        if sponsors:
            sponsored: set[str] = set()
            for s in sponsors:
                sponsored |= d.by_form.get(sponsor_key(s), frozenset())
            keys &= sponsored
        return keys

    def narrowed(self, filters: Filters | None) -> Filters | None:
        """`filters` with `votes` and `sponsors` turned into the documents they keep (intersected with
        the documents filter, if any); None when they keep no document: nothing is in scope.

        Filters without either come back as they are, and the records are not read for them.
        """
        if filters is None or not (filters.votes or filters.sponsors):
            return filters
        keys = self.matching(filters.votes, filters.sponsors) or set()
        if filters.documents:
            keys &= {normalise_symbol(doc) for doc in filters.documents}
        if not keys:
            return None
        symbols = self._documents().symbols
        return replace(filters, documents=tuple(sorted(symbols[k] for k in keys)), votes=(), sponsors=())


def _build(records: Iterable[DocumentRecord]) -> _Documents:
    symbols: dict[str, str] = {}
    shown: dict[str, tuple[str, tuple[str, ...]]] = {}
    kinds: dict[str, set[str]] = {}
    by_form: dict[str, set[str]] = {}
    printed: dict[str, Counter[str]] = {}
    # the English record's facts first (the common language of the UN's catalogues), else any version's
    for r in sorted(records, key=lambda r: r.language != "en"):
        key = normalise_symbol(r.document)
        symbols.setdefault(key, r.document)
        kind = vote_kind(r.vote)
        kinds.setdefault(key, set())
        if kind:
            kinds[key].add(kind)
        names = tuple(n.strip() for n in (r.meta or {}).get("sponsors") or () if isinstance(n, str) and sponsor_key(n))
        vote, sponsors = shown.get(key, ("", ()))
        shown[key] = (vote or (r.vote if kind else ""), sponsors or names)
        for name in names:
            printed.setdefault(sponsor_key(name), Counter())[name] += 1
            for form in sponsor_forms(name):
                by_form.setdefault(form, set()).add(key)
    return _Documents(
        symbols=symbols,
        facts={k: Adoption(vote, sponsors) for k, (vote, sponsors) in shown.items()},
        kinds={k: frozenset(v) for k, v in kinds.items()},
        by_form={k: frozenset(v) for k, v in by_form.items()},
        names=tuple(c.most_common(1)[0][0] for c in printed.values()),
    )
