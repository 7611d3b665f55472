"""The reference graph of one index state: who cites whom, paragraph by paragraph, and series.

Built once per index state from the chunks (one pass; each paragraph's mentions read by
`index.references.find_references`, the six languages) and the documents' records; every later
question is a dictionary look-up. A paragraph with no resolution word and no symbol in it
(`may_cite`, a substring test) is skipped before any regex: most paragraphs cite nothing.

Resolution of a mention to an indexed document: symbols compared as CONTRACTS §1 does (whitespace
and case ignored); a Security Council mention "n (year)" whose exact symbol the index lacks goes to
the indexed S/RES/n when that one's printed year is not a year (a misprinted symbol, "S/RES/2717 (1)")
or its adoption year is the mention's. A mention resolved points to the indexed spelling
(`indexed=True`); the others keep the symbol the citing text implies.

Order: `cites` in the citing document's paragraph order, the languages in CONTRACTS order within a
paragraph; `cited_by` by citing document date, then symbol, then paragraph order, then language.
All language versions of a citing paragraph are kept (each is a citation one can open); a surface
wanting one line a paragraph groups on (document, paragraph). One paragraph mentioning a target
twice gives one mention (the first printed words).

Series (successive texts on one subject, oldest first), by a family key per document:
* Security Council: the mission it is about (the acronym most printed in its operative paragraphs,
  three times at least: UNMISS, UNFICYP, MINURSO …) or the sanctions committee it feeds ("the
  Committee established pursuant to resolution 2206 (2015)"), whichever the text prints more
  (a committee wins over a mission printed fewer than ten times: a sanctions text names the
  mission in passing, six times in the CAR ones, a mandate text thirty and more); its English
  title's "Panel of Experts established pursuant to resolution 2127 (2013)" or "(UNMISS)" first;
  else its title family, as below; else, for a text whose family no other shares, the family of the
  first resolution of its body its operative part cites that has one (a successor, a technical
  roll-over);
* otherwise the title family: the English title (the version's own when there is no English one)
  without the "Security Council resolution n (year)" lead, dates, numbers and punctuation, within
  the body ("Situation of human rights in Afghanistan").
A document whose key no other document shares has no series.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from reso.assistant.lineage.types import Mention, Related, SeriesEntry
from reso.index.analysis import fold
from reso.index.chunks import Chunk
from reso.index.model import normalise_symbol
from reso.index.references import find_references, latest_hrc_session, may_cite
from reso.index.store import DocumentRecord

LANGUAGE_ORDER = {"en": 0, "fr": 1, "es": 2, "ar": 3, "zh": 4, "ru": 5}
_HAS_NUMBER = re.compile(r"\d")
_SC = re.compile(r"S/RES/(\d+)\s*\((.*)\)", re.IGNORECASE)
_HRC_SESSION = re.compile(r"A/HRC/RES/(\d+)/", re.IGNORECASE)
_TITLE_LEAD = re.compile(r"^\s*(?:Security Council|General Assembly|Human Rights Council)?\s*resolution\s+\S+(?:\s*\(\d{4}\))?\s*",
                         re.IGNORECASE)
_MONTHS = (r"Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?|Aug(?:ust|\.)?"
           r"|Sep(?:t(?:ember|\.)?|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?")
_TITLE_DATE = re.compile(rf"\b(?:until|till|to|of)?\s*\d{{1,2}}\s+(?:{_MONTHS})\s*\d{{4}}", re.IGNORECASE)
_TITLE_NOISE = re.compile(r"[\d()\[\]/.,;:'’\"-]+")
# The first letter, then "no word before it": a leading \b would try every position of every text.
_MISSION = re.compile(r"[UMB](?<!\w.)(?:N[A-Z]{2,7}|IN[A-Z]{2,6}|ONU[A-Z]{1,4}|INU[A-Z]{1,2}|NUB)\b")
_TITLE_MISSION = re.compile(r"\((UN[A-Z]{2,7}|MIN[A-Z]{2,6}|MONU[A-Z]{1,4}|BINU[A-Z]{1,2}|BNUB)\)")
_COMMITTEE = re.compile(r"(?:[Cc]ommittee|[Pp]anel of [Ee]xperts) (?:[Ee]stablished|[Cc]reated) (?:pursuant to|by|under) "
                        r"(?:paragraph \d+ of )?(?:its )?[Rr]esolution (\d{3,4}) \((\d{4})\)")


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
        dates: dict[str, str] = {}
        keys: dict[str, str] = {}  # printed symbol → its key: one regex a document, not one a chunk
        for c in chunks:
            key = keys.get(c.document) or keys.setdefault(c.document, normalise_symbol(c.document))
            names.setdefault(key, c.document)
            if c.date and not dates.get(key):
                dates[key] = c.date
        resolve = _Resolver(names, dates)
        cites: dict[str, list[tuple[tuple, Mention]]] = {}
        cited_by: dict[str, list[tuple[tuple, Mention]]] = {}
        latest: dict[str, int | None] = {}
        for c in chunks:
            if not may_cite(c.text) or not _HAS_NUMBER.search(c.text):
                continue
            own = keys[c.document]
            if own not in latest:
                session = _HRC_SESSION.match(c.document)
                year = int(c.date[:4]) if c.date[:4].isdecimal() and c.date[:4] != "0001" else None
                latest[own] = latest_hrc_session(c.body, session.group(1) if session else None, year)
            body = c.body if c.body in ("HRC", "GA", "SC") else "GA"
            seen: set[str] = set()
            for ref in find_references(c.text, body, latest[own]):
                target, indexed = resolve(ref.symbol)
                key = normalise_symbol(target)
                if key == own or key in seen:
                    continue
                seen.add(key)
                m = Mention(c.document, c.paragraph, c.language, target, indexed, ref.text)
                cites.setdefault(own, []).append(((c.order, LANGUAGE_ORDER.get(c.language, 9), ref.start), m))
                # kept for a resolution the index does not hold too: "which resolutions recall 1996
                # (2011)?" is answered from the texts that do, whether or not 1996 itself is indexed
                order = (dates.get(own, ""), own, c.order, LANGUAGE_ORDER.get(c.language, 9))
                cited_by.setdefault(key, []).append((order, m))
        cites_sorted = _sorted(cites)
        return cls(names, cites_sorted, _sorted(cited_by), _series(chunks, records, keys, cites_sorted))

    def resolve(self, document: str) -> str | None:
        return resolve_in(self._names, document)

    def _cited_only(self, document: str) -> Related | None:
        found = [k for k in _candidates(document) if k not in self._names and self._cited_by.get(k)]
        if len(found) != 1:  # never cited, or "60/251" cited both as the Council's and the Assembly's
            return None
        mentions = self._cited_by[found[0]]
        return Related(mentions[0].target, [], list(mentions), [])

    def related(self, document: str) -> Related | None:
        """The document's citations, citers and series; for a resolution the index does not hold but
        its texts cite, the citing paragraphs alone (under the symbol they imply); else None."""
        name = self.resolve(document)
        if name is None:
            return self._cited_only(document)
        key = normalise_symbol(name)
        return Related(name, list(self._cites.get(key, [])), list(self._cited_by.get(key, [])),
                       list(self._series.get(key, [])))


def _sorted(table: dict[str, list[tuple[tuple, Mention]]]) -> dict[str, list[Mention]]:
    return {k: [m for _, m in sorted(v, key=lambda x: x[0])] for k, v in table.items()}


class _Resolver:
    """A cited symbol → (the indexed spelling, True), else (the symbol, False)."""

    def __init__(self, names: dict[str, str], dates: dict[str, str]):
        self._names = names
        self._sc: dict[str, list[str]] = {}
        for key, name in names.items():
            sc = _SC.fullmatch(key)
            if sc:
                self._sc.setdefault(sc.group(1), []).append(key)
        self._dates = dates

    def __call__(self, symbol: str) -> tuple[str, bool]:
        key = normalise_symbol(symbol)
        if key in self._names:
            return self._names[key], True
        sc = _SC.fullmatch(key)
        if sc:
            candidates = self._sc.get(sc.group(1), [])
            if len(candidates) == 1:
                printed = _SC.fullmatch(candidates[0]).group(2)  # type: ignore[union-attr]
                adopted = self._dates.get(candidates[0], "")[:4]
                if not re.fullmatch(r"(?:19|20)\d\d", printed) or adopted == sc.group(2):
                    return self._names[candidates[0]], True
        return symbol, False


def title_key(title: str) -> str:
    """A title without its lead, dates, numbers and punctuation, folded: the family of a title."""
    title = _TITLE_LEAD.sub("", title)
    title = _TITLE_DATE.sub(" ", title)
    return " ".join(_TITLE_NOISE.sub(" ", fold(title)).split())


def _sc_subject(texts: list[tuple[str, str]]) -> str | None:
    """The mission or sanctions committee an English SC text is about (see the module docstring)."""
    missions: Counter[str] = Counter()
    committees: Counter[str] = Counter()
    for paragraph, text in texts:
        if paragraph.startswith("OP"):
            missions.update(_MISSION.findall(text))
        if "ommittee" in text or "anel" in text:
            committees.update(f"{n} ({y})" for n, y in _COMMITTEE.findall(text))
    mission = missions.most_common(1)
    committee = committees.most_common(1)
    in_missions = mission[0][1] if mission else 0
    if committee and in_missions < 10:
        return f"committee {committee[0][0]}"
    if in_missions >= 3:
        return f"mission {mission[0][0]}"
    return None


def _series(chunks: Sequence[Chunk], records: Sequence[DocumentRecord], keys: dict[str, str],
            cites: dict[str, list[Mention]]) -> dict[str, list[SeriesEntry]]:
    """Documents grouped by body and family key (see the module docstring), oldest first."""
    docs: dict[str, list[str]] = {}  # key → [symbol, body, date, title, English title]
    english: dict[str, list[tuple[str, str]]] = {}
    for c in chunks:
        key = keys[c.document]
        seen = docs.setdefault(key, [c.document, c.body, c.date, c.title, ""])
        seen[2] = seen[2] or c.date
        seen[3] = seen[3] or c.title
        if c.language == "en":
            seen[4] = seen[4] or c.title
            if c.body == "SC":
                english.setdefault(key, []).append((c.paragraph, c.text))
    for r in records:  # a record's title where the chunks carry none (SC chunks are untitled)
        seen = docs.get(normalise_symbol(r.document))
        if seen is not None and r.title:
            seen[3] = seen[3] or r.title
            if r.language == "en":
                seen[4] = seen[4] or r.title
    families: dict[str, str] = {}
    for key, (_, body, _, title, en_title) in docs.items():
        if body == "SC" and not re.search(r"\((?:19|20)\d\d\)", docs[key][0]):
            continue  # a misprinted symbol ("S/RES/2659 (1)", no date): a reading accident, not a text
        committee = _COMMITTEE.search(en_title) if body == "SC" else None
        named = _TITLE_MISSION.search(en_title) if body == "SC" else None
        family = (f"committee {committee.group(1)} ({committee.group(2)})" if committee
                  else f"mission {named.group(1)}" if named else None)
        family = family or (_sc_subject(english[key]) if body == "SC" and key in english else None)
        family = family or title_key(en_title or title)
        if family:
            families[key] = family
    counts = Counter((docs[k][1], f) for k, f in families.items())
    for key, (symbol, body, *_rest) in docs.items():
        if body == "SC" and not re.search(r"\((?:19|20)\d\d\)", symbol):
            continue
        # A text of its own (no other shares its family, or none) whose operative part cites one
        # of the same body that has a series: its successor or a technical roll-over ("Decides to
        # extend until 31 May 2019 the measures imposed by resolution 2428 (2018)").
        if counts.get((body, families.get(key, "")), 0) > 1:
            continue
        for m in cites.get(key, ()):
            target = normalise_symbol(m.target)
            if (m.indexed and m.paragraph.startswith("OP") and target in docs and docs[target][1] == body
                    and counts.get((body, families.get(target, "")), 0) > 1):
                families[key] = families[target]
                break
    groups: dict[tuple[str, str], list[str]] = {}
    for key, family in families.items():
        groups.setdefault((docs[key][1], family), []).append(key)
    series: dict[str, list[SeriesEntry]] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        entries = sorted((SeriesEntry(docs[k][0], docs[k][2], docs[k][4] or docs[k][3]) for k in members),
                         key=lambda e: (e.date, e.document))
        for k in members:
            series[k] = entries
    return series


def _candidates(document: str) -> list[str]:
    """The normalised symbols a spelling may stand for: itself, or what a short form implies."""
    key = normalise_symbol(document)
    if re.fullmatch(r"\d{1,4}\(\d{4}\)", key):
        return ["S/RES/" + key]
    if re.fullmatch(r"(?:(?:ES|S)-)?\d{1,2}/\d{1,3}", key):
        return ["A/HRC/RES/" + key, "A/RES/" + key]
    return [key]


def resolve_in(names: dict[str, str], document: str) -> str | None:
    """The indexed spelling (`names`: normalised symbol → spelling) of a symbol, or of a short form:
    "2334 (2016)" (S/RES/…), "60/251" when exactly one of A/HRC/RES/60/251 and A/RES/60/251 is indexed."""
    found = [names[k] for k in _candidates(document) if k in names]
    return found[0] if len(found) == 1 else None