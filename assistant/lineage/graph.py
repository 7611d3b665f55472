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
* Security Council (its English text, `_Council.subject`): the mission or the sanctions regime its
  operative part acts on, not whatever it mentions. Its English title first ("… (UNMISS) …",
  "renewal of sanctions … imposed by Security Council resolution 2140 (2014)"); else its first
  decisive operative paragraph, one that decides to extend, renew, establish or terminate
  something: the first mission ("the mandate of UNMISS", "the United Nations Disengagement Observer
  Force") or regime ("the measures imposed by paragraph 4 of resolution 2428", "the Panel of
  Experts") it names; else the counts of its operative paragraphs. A regime is keyed by its
  committee's number, whichever number a text uses for it (the resolution that imposed its measures
  or set up its panel goes to the committee its own text names as "the Committee"), and a text that
  establishes a committee is the first member of that committee's series. A regime wins only in a
  text whose operative part is mostly about sanctions, so a counter-terrorism text asking "the
  Committee established pursuant to resolution 1267" something, or a mission's mandate naming the
  sanctions committee, stays out; a sanctions text naming a mission in passing stays out of the
  mission's series. Preambular recalls never count;
* otherwise the title family: the English title (the version's own when there is no English one)
  without the "Security Council resolution n (year)" lead, dates, numbers and punctuation, within
  the body ("Situation of human rights in Afghanistan");
* a text whose family no other shares takes the family of the first resolution of its body its
  operative part cites that has one (a successor, a technical roll-over); in a Council text only a
  paragraph extending, renewing, terminating or replacing counts ("Decides to terminate the measure
  provided for by paragraph 8 (b) of resolution 1333 (2000)").
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
from reso.index.references import Reference, bare_council_numbers, find_references, latest_hrc_session, may_cite
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
_MISSION = re.compile(r"[UMBO](?<!\w.)(?:N[A-Z]{2,7}|IN[A-Z]{2,6}|ONU[A-Z]{1,4}|INU[A-Z]{1,2}|NUB)\b")
_TITLE_MISSION = re.compile(r"\((UN[A-Z]{2,7}|MIN[A-Z]{2,6}|MONU[A-Z]{1,4}|BINU[A-Z]{1,2}|BNUB|ONU[A-Z]{1,4})\)")


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
            refs = find_references(c.text, body, latest[own])
            if body == "SC":  # "especially resolution 2031 and its press statements": its own, by number
                refs = sorted(refs + resolve.bare(c.text, refs, own), key=lambda r: r.start)
            for ref in refs:
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

    def bare(self, text: str, printed: Sequence[Reference], own: str) -> list[Reference]:
        """The Council resolutions a Council text names by number alone (`bare_council_numbers`)
        that it does not print whole at the same place, as the indexed text of that number: one
        text holds it, and an older one than the citing text (a number above its own is a count
        or a date, not a resolution it could cite). A number the index does not hold is left out:
        its year, hence its symbol, is not printed."""
        mine = _SC.fullmatch(own)
        found = []
        for ref in bare_council_numbers(text):
            if any(p.start < ref.end and ref.start < p.end for p in printed):
                continue
            candidates = self._sc.get(ref.symbol.lstrip("0"), [])
            if len(candidates) != 1 or (mine is not None and int(ref.symbol) >= int(mine.group(1))):
                continue
            found.append(Reference(self._names[candidates[0]], ref.start, ref.end, ref.text))
        return found

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


# the verb of an operative decision, within its first words; "extends" alone too: "Recalls paragraph 22
# of resolution 2628 (2022), … and further extends its authorisations" (2710 (2023) OP1). Not "renews":
# "Renews its call upon States … to take part in the fight against piracy" (2554 (2020) OP12) renews no mandate
_OP_VERB = re.compile(r"\b(?:[Dd]ecides|[Aa]grees|[Ee]ndorses|[Aa]uthori[sz]es|[Ee]xtends)\b")
# what a decision does to its subject: a mandate extended, a mission established, measures renewed …
_DECISIVE = re.compile(r"\b(?:extend|renew|re-?establish|establish|terminate|prolong|comprise|increase|continue to take"
                       r"|(?:take|implement) the (?:following |necessary )?measures|shall (?:also )?apply)",
                       re.IGNORECASE)
_SANCTIONS_WORDS = re.compile(r"\b(?:Committee|measures|[Pp]anel of [Ee]xperts|Group of Experts|Monitoring Team"
                              r"|Ombudsperson|Sanctions List|designat\w*|sanctions?|asset freeze|travel ban"
                              r"|arms embargo)\b")
# the same words as plain substrings: the share of a text's paragraphs about sanctions, without a regex a paragraph
_SANCTIONS_SUBSTRINGS = ("Committee", "measures", "anel of ", "Group of Experts", "Monitoring Team", "Ombudsperson",
                         "Sanctions List", "designat", "sanction", "asset freeze", "travel ban", "arms embargo")
_COMMITTEE_NAMED = (r"Committee (?:established|created) (?:pursuant to|by|under|in accordance with|in) "
                    r"(?:paragraphs? \d+ of )?(?:its )?(?:[Rr]esolutions? (\d{3,4})|(this resolution))")
_COMMITTEE_REF = re.compile(_COMMITTEE_NAMED + r"|\b(\d{3,4})(?:/\d{3,4})* (?:[Ss]anctions )?Committee\b")
# the committee a text calls "the Committee" from then on: the regime it is about
_COMMITTEE_DEFINED = re.compile(_COMMITTEE_NAMED
                                + r"[^;()]{0,80}?\((?:herein(?:after)?\s*)?[“\"]the Committee[”\"]\)")
_PANEL_REF = re.compile(r"(?:[Pp]anel|Group) of [Ee]xperts[^;]{0,40}?(?:established|appointed|created) "
                        r"(?:pursuant to|by|under|in accordance with) (?:paragraphs? \d+ of )?(?:Security Council )?"
                        r"[Rr]esolution (\d{3,4})")
_MEASURES_REF = re.compile(r"\bmeasures\b[^;]{0,120}?\b[Rr]esolutions? (\d{3,4})")
_FOUNDS_COMMITTEE = re.compile(r"Decides to establish[^;]{0,160}\ba Committee\b")
_TITLE_IMPOSED = re.compile(r"(?:imposed by|[Ee]stablished pursuant to|pursuant to) (?:Security Council )?"
                            r"[Rr]esolution (\d{3,4})")
_FULL_NAME = re.compile(r"(United Nations [A-Z][^()]{3,110}?) \(([A-Z]{4,10})\)")
_NUMBER = re.compile(r"S/RES/(\d+)")
# a deployment authorised or maintained until a date: "Authorizes the deployment within UNMEE of up to
# 4,200 troops … until 15 March 2001" (1320 (2000) OP2), "to maintain the deployment of AMISOM until
# 31 May 2019"; not "areas of deployment, to use all necessary means until the end of MINUSMA's mandate"
_DEPLOYED_UNTIL = r"(?:authori[sz]\w*|maintain)\b[^;]{0,120}?\bdeployment\s+(?:(?:of|within)\b[^;]{0,200}?\b)?until\b"
# provisions kept "in force for a new period of 180 days" (the oil-for-food texts, resolution 986's)
_IN_FORCE = r"\bremain in force (?:until|for)\b"
# what a successor or a technical roll-over does to an earlier text's decisions: verbs, not the nouns
# ("Decides that the Council, in considering the renewal of the mandate of UNMEE, will take into
# account …", 1320 (2000) OP15, renews nothing; "renewable terms"; "deployed in replacement of")
_ROLL_OVER = re.compile(r"\b(?:extend(?:s|ed|ing)?\b|renew(?:s|ed|ing)?\b|prolong|terminat(?:e|es|ed|ing)\b|replaced?\b"
                        r"|shall (?:also )?apply|(?:shall )?remain in force until\b)", re.IGNORECASE)
# … which sets a term, the paragraph a series answer quotes, but joins no series by what it cites:
# AMISOM's texts maintain its deployment "as set out in paragraph 1 of resolution 2093 (2013)", a text
# that also acts on the Somalia sanctions
_TERM = re.compile(_DEPLOYED_UNTIL + "|" + _IN_FORCE, re.IGNORECASE)
# a mission is what the Council gives a mandate to, deploys or establishes (not UNODC, UNHCR, UNDP …)
_MANDATED = re.compile(r"(?:[Mm]andate|[Dd]eployment) of (?:the )?(?:United Nations [^;()]{3,110}\()?([A-Z]{4,10})\b"
                       r"|[Ee]stablish (?:the |a )?(?:United Nations [^;()]{3,110}\()?([A-Z]{4,10})\b")


def _committees_in(text: str, own: str) -> list[str]:
    """The committees a paragraph names, by number; the one it defines as "the Committee" counts ten times."""
    found = [n or (own if this else m) for n, this, m in _COMMITTEE_REF.findall(text)]
    return found + 10 * [n or own for n, this in _COMMITTEE_DEFINED.findall(text)]


class _Council:
    """What the Security Council's English texts say about their subjects, read once for all of them:
    the missions' full names ("United Nations Disengagement Observer Force (UNDOF)"), and the
    sanctions regime each resolution number belongs to.

    A regime is named by the number of its committee ("the Committee established pursuant to
    resolution 2127 (2013)"). Texts also name it by the resolution that imposed its measures
    ("the measures imposed by paragraph 4 of resolution 2428 (2018)") or set up its panel ("the
    Panel of Experts established pursuant to resolution 1874 (2009)"): such a number goes to the
    committee its own text names most, or that it founds ("Decides to establish … a Committee"):
    2428 → 2206, 1874 → 1718. A text that founds a committee is the first member of the regime's
    series though it never calls itself "the Committee established pursuant to resolution N"."""

    def __init__(self, english: dict[str, list[tuple[str, str]]]):
        names: dict[str, set[str]] = {}
        mandated: set[str] = set()
        own: dict[str, str] = {}
        committees: set[str] = set()
        founders: set[str] = set()
        measures: dict[str, list[str]] = {}  # text → the resolutions whose measures its operative part handles
        for key, texts in english.items():
            number = _NUMBER.match(key)
            n = number.group(1) if number else ""
            counted: Counter[str] = Counter()
            for paragraph, text in texts:
                if "United Nations" in text and "(" in text:
                    for name, acronym in _FULL_NAME.findall(text):
                        if _MISSION.fullmatch(acronym):
                            names.setdefault(name.removeprefix("United Nations ").strip(), set()).add(acronym)
                if "andate of" in text or "eployment of" in text or "stablish" in text:
                    mandated.update(a or b for a, b in _MANDATED.findall(text))
                if not paragraph.startswith("OP"):
                    if "the Committee" in text:  # a definition in the preamble names the text's own committee
                        counted.update(10 * [a or n for a, _ in _COMMITTEE_DEFINED.findall(text)])
                    continue
                if "Committee" in text:
                    found = _committees_in(text, n)
                    counted.update(found)
                    committees.update(found)
                if n and _FOUNDS_COMMITTEE.search(text):
                    own[n] = n
                    committees.add(n)
                    founders.add(n)
                if n and "measures" in text:
                    measures.setdefault(n, []).extend(_MEASURES_REF.findall(text))
            if n and n not in own and counted:
                own[n] = counted.most_common(1)[0][0]
        # the resolution that imposed measures before any committee was set up (1556 (2004), whose
        # embargo 1591 (2005) extends) belongs to the regime of the texts handling its measures
        for n, numbers in measures.items():
            for m in numbers:
                if m not in committees and m not in own and own.get(n):
                    own[m] = own[n]
        # one acronym a name; "United Nations Mission in …" alone names several
        self._mandated = {a for a in mandated if _MISSION.fullmatch(a)}
        self.names = {name: next(iter(a)) for name, a in names.items()
                      if len(a) == 1 and len(name.split()) > 2 and next(iter(a)) in self._mandated}
        longest_first = sorted(self.names, key=len, reverse=True)
        self._name = (re.compile(r"United Nations (" + "|".join(re.escape(n) for n in longest_first) + r")\b")
                      if self.names else None)
        self._own = own
        self._committees = committees
        self._founders = founders

    def regime(self, number: str) -> str | None:
        """The committee a resolution number belongs to (its own number for a committee's)."""
        return number if number in self._committees else self._own.get(number)

    def missions(self, text: str) -> list[str]:
        found = [m for m in _MISSION.findall(text) if m in self._mandated]
        if self._name is not None and "United Nations" in text:
            found += [self.names[m] for m in self._name.findall(text)]
        return found

    def subject(self, symbol: str, texts: list[tuple[str, str]], title: str) -> tuple[str | None, set[str], set[str]]:
        """The mission or sanctions regime an English SC text is about ("mission UNMISS", "committee
        2206"; None when neither), and its operative paragraphs that extend, renew, terminate or
        replace earlier decisions (the only ones through which it may join its predecessor's series),
        and those maintaining or authorising a deployment until a date (quoted as its renewal, no way
        into a series).

        Read in order: its English title ("… (UNMISS) …", "sanctions … imposed by … resolution 2140
        (2014)"); else its first decisive operative paragraph (one that decides to extend, renew,
        establish, terminate … something): the first mission or regime that paragraph names before
        its first semicolon; else the counts of its operative paragraphs (a mission printed three
        times at least). A regime wins only in a text whose operative paragraphs are mostly about
        sanctions (a third of them at least print the vocabulary of committees, measures, panels and
        lists), so a counter-terrorism or mission text that asks the Committee something does not
        join the regime; a mission's series is not joined by a sanctions text that names the
        mission in passing. A preambular paragraph counts only when it defines "the Committee" (the
        text's own regime): a recall does not make a member."""
        number = _NUMBER.match(normalise_symbol(symbol))
        n = number.group(1) if number else ""
        ops = [(p, t) for p, t in texts if p.startswith("OP")]
        if not ops:
            return None, set(), set()
        committees: Counter[str] = Counter()
        for paragraph, text in texts:
            if "Committee" in text:
                named = _committees_in(text, n) if paragraph.startswith("OP") else \
                    10 * [a or n for a, _ in _COMMITTEE_DEFINED.findall(text)]
                committees.update(self.regime(c) or c for c in named)
        top = committees.most_common(1)[0][0] if committees else (self.regime(n) if n else None)
        if n in self._founders:
            top = n
        share = sum(1 for _, t in ops if any(w in t for w in _SANCTIONS_SUBSTRINGS)) / len(ops)

        def regime_of(text: str) -> str | None:
            for pattern in (_PANEL_REF, _MEASURES_REF):
                m = pattern.search(text)
                if m:
                    return self.regime(m.group(1)) or top
            found = _committees_in(text, n) if "Committee" in text else []
            if found:
                return self.regime(found[0]) or found[0]
            return top if _SANCTIONS_WORDS.search(text) else None

        roll_overs: set[str] = set()
        terms: set[str] = set()  # paragraphs setting a term: a deployment until a date, provisions kept in force
        first: str | None = None
        for paragraph, text in ops:
            # the verb in the paragraph's first clause: "Notes that the presence of the multinational
            # force … and reaffirms the authorization … and decides to extend the mandate" (1723 (2006))
            verb = _OP_VERB.search(text, 0, 300)
            if not verb or verb.start() > 290 or ";" in text[: verb.start()]:
                continue
            # from the start: "Expresses its full support for UNFICYP and decides to extend its mandate"
            clause = text.split(";")[0][:verb.start() + 400]
            decisive = _DECISIVE.search(clause)
            if _TERM.search(clause):
                terms.add(paragraph)
            if not decisive:
                continue
            if _ROLL_OVER.search(clause):
                roll_overs.add(paragraph)
            if first is None and decisive:  # a deployment maintained sets no subject: AMISOM's "all necessary measures" are no sanctions
                mission = self.missions(clause)
                regime = regime_of(clause) if _SANCTIONS_WORDS.search(clause) else None
                at: dict[int, str] = {}  # where in the clause each subject is named → the subject
                if mission:
                    where = clause.find(mission[0]) if mission[0] in clause else clause.find("United Nations")
                    at[where] = f"mission {mission[0]}"
                if regime and share >= 1 / 3:
                    words = _SANCTIONS_WORDS.search(clause)
                    at[words.start() if words else len(clause)] = f"committee {regime}"
                if at:
                    first = at[min(at)]
        if n in self._founders:  # it IS resolution N of "the Committee established pursuant to resolution N"
            return f"committee {n}", roll_overs, terms
        titled = _TITLE_MISSION.search(title)
        if titled:
            return f"mission {titled.group(1)}", roll_overs, terms
        imposed = _TITLE_IMPOSED.search(title)
        if imposed and (self.regime(imposed.group(1)) or imposed.group(1)):
            return f"committee {self.regime(imposed.group(1)) or imposed.group(1)}", roll_overs, terms
        if first:
            return first, roll_overs, terms
        missions: Counter[str] = Counter()
        for _, text in ops:
            missions.update(self.missions(text))
        mission = missions.most_common(1)
        if top and share >= 0.5 and committees:
            return f"committee {top}", roll_overs, terms
        if mission and mission[0][1] >= 3:
            return f"mission {mission[0][0]}", roll_overs, terms
        return None, roll_overs, terms


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
    council = _Council({k: v for k, v in english.items() if re.search(r"\((?:19|20)\d\d\)", docs[k][0])})
    families: dict[str, str] = {}
    roll_overs: dict[str, set[str]] = {}
    terms: dict[str, set[str]] = {}
    for key, (symbol, body, _, title, en_title) in docs.items():
        if body == "SC" and not re.search(r"\((?:19|20)\d\d\)", symbol):
            continue  # a misprinted symbol ("S/RES/2659 (1)", no date): a reading accident, not a text
        family = None
        if body == "SC" and key in english:
            family, roll_overs[key], terms[key] = council.subject(symbol, english[key], en_title)
        family = family or title_key(en_title or title)
        if family:
            families[key] = family
    counts = Counter((docs[k][1], f) for k, f in families.items())
    for key, (symbol, body, *_rest) in docs.items():
        if body == "SC" and not re.search(r"\((?:19|20)\d\d\)", symbol):
            continue
        # A text of its own (no other shares its family, or none) whose operative part cites one
        # of the same body that has a series: its successor or a technical roll-over ("Decides to
        # extend until 31 May 2019 the measures imposed by resolution 2428 (2018)"). In a Council
        # text only a paragraph extending, renewing, terminating or replacing counts: a counter-
        # terrorism text deciding that States "establish" passenger-data systems "in furtherance of
        # paragraph 9 of resolution 2178" is no member of the sanctions series. A Council text the
        # index holds without English (2674 (2023) in Russian, Chinese and Arabic) is not read:
        # every operative citation counts, its successor's citation of its predecessor included.
        if counts.get((body, families.get(key, "")), 0) > 1:
            continue
        for m in cites.get(key, ()):
            target = normalise_symbol(m.target)
            if body == "SC" and key in roll_overs and m.paragraph not in roll_overs[key]:
                continue
            if (m.indexed and m.paragraph.startswith("OP") and target in docs and docs[target][1] == body
                    and counts.get((body, families.get(target, "")), 0) > 1):
                families[key] = families[target]
                break
    # A text of its own that a Council text in a series extends or renews, its predecessor, joins that
    # series, and so back along the chain: 2526 (2020) "extend[s] the authorizations as set out in
    # resolution 2473", which renewed 2420 (2018)'s, which renewed 2357 (2017)'s (the inspections of
    # vessels off Libya: only the texts from 2020 share a title family)
    live = Counter((docs[k][1], f) for k, f in families.items())

    def move(key: str, family: str) -> None:  # a Council text into `family`, the live counts kept
        if key in families:
            live[("SC", families[key])] -= 1
        families[key] = family
        live[("SC", family)] += 1

    for key in sorted(docs, key=lambda k: docs[k][2] or "", reverse=True):
        if docs[key][1] != "SC" or key not in roll_overs or live.get(("SC", families.get(key, "")), 0) < 2:
            continue
        for m in cites.get(key, ()):
            target = normalise_symbol(m.target)
            if m.paragraph not in roll_overs[key] or target == key or target not in docs or docs[target][1] != "SC":
                continue
            if live.get(("SC", families.get(target, "")), 0) <= 1 and (docs[target][2] or "") < (docs[key][2] or ""):
                move(target, families[key])
            break
    # … and the texts of their own renewing what a predecessor so joined set out: 2491 (2019), 2380
    # (2017) renew the authorizations of 2240 (2015), as 2546 (2020) does
    for key in sorted(docs, key=lambda k: docs[k][2] or ""):
        if docs[key][1] != "SC" or key not in roll_overs or live.get(("SC", families.get(key, "")), 0) > 1:
            continue
        for m in cites.get(key, ()):
            target = normalise_symbol(m.target)
            if m.paragraph not in roll_overs[key] or target == key or target not in families:
                continue
            if docs[target][1] == "SC" and live.get(("SC", families[target]), 0) > 1:
                move(key, families[target])
                break
    # Texts renewing a provision of one text that is in no series ("Extends the reporting request in
    # paragraph 10 of resolution 2722 (2024)": 2787 (2025), then 2812 (2026)): that text, when the
    # index holds it, and its renewals are a series of their own. Only texts of their own: a member
    # of a series keeps it.
    renewed: dict[str, list[str]] = {}
    for key, (symbol, body, *_rest) in docs.items():
        if body != "SC" or key not in roll_overs or live.get((body, families.get(key, "")), 0) > 1:
            continue
        for m in cites.get(key, ()):
            target = normalise_symbol(m.target)
            if m.paragraph not in roll_overs[key] or target == key:
                continue
            if target not in docs or (docs[target][1] == body and live.get((body, families.get(target, "")), 0) <= 1):
                renewed.setdefault(target, []).append(key)
                break
    for target, renewals in renewed.items():
        for k in (target, *renewals):
            if k in docs:
                families[k] = f"renews {target}"
    groups: dict[tuple[str, str], list[str]] = {}
    for key, family in families.items():
        groups.setdefault((docs[key][1], family), []).append(key)
    series: dict[str, list[SeriesEntry]] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        entries = sorted((SeriesEntry(docs[k][0], docs[k][2], docs[k][4] or docs[k][3], _first_op(roll_overs.get(k, ())) or _first_op(terms.get(k, ())))
                          for k in members),
                         key=lambda e: (e.date, e.document))
        for k in members:
            series[k] = entries
    return series


def _first_op(paragraphs) -> str:
    """The first by number of a text's operative paragraphs ("OP19" before "OP21"), "" for none."""
    numbered = [(int(m.group(1)), p) for p in paragraphs if (m := re.match(r"OP(\d+)", p))]
    return min(numbered)[1] if numbered else ""


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