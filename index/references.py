"""Mentions of resolutions inside a paragraph, in the six languages: text → symbols with their spans.

A pure function of the text (and of the citing text's body), no index, no model, so the readers
(`Resolution.references`) and the lineage graph (`assistant/lineage/graph.py`) read references the
same way. What counts as a mention:

* a resolution word ("resolution", "résolution", "resolución", "резолюция", "القرار"/"قراره") followed,
  before the next resolution word, a decision word or a ";"/":", by numbers of resolution shape:
  "2334 (2016)" (Security Council), "60/251" (session/number: GA or HRC), "ES-11/1" (GA emergency
  session), "S-32/1" (special session), "1514 (XV)" (old GA style);
* in Chinese the numbers before "号决议": "第 2334 (2016) 号决议", "第2360(2017)和2478(2019)号决议",
  "2019年12月13日第74/90号、…和第79/83号决议" (a run of "第…号" items joined by 、/和 ending in 决议);
* a symbol printed whole anywhere: "A/HRC/RES/54/10", "S/RES/2334 (2016)", "A/RES/ES-11/1",
  "S/PRST/2020/11" (presidential statements are cited as "statement of its President (S/PRST/…)").

Nothing else is a number of a resolution: dates ("15 March 2006"), paragraph numbers ("paragraph 8
of resolution …" yields only the resolution), report symbols ("A/78/123", "S/2016/123": a number
glued to a "/" is part of a longer symbol) and numbers without a resolution word.

The body of an "n/m" number (HRC → A/HRC/RES/n/m, GA → A/RES/n/m) is the one named just before
the resolution word ("General Assembly resolution", "its resolution" = the citing text's own, "the
Assembly in its resolution"), else between the word and the numbers ("resolutions of the Human
Rights Council 18/19", "قرار الجمعية العامة 60/251", "резолюции Совета 37/33"), else right after a
number ("la résolution 60/251 de l’Assemblée générale", "резолюции 60/251 Генеральной Ассамблеи"),
else the one of the previous resolution word of the text, else the citing text's own. An HRC
session later than the citing text's cannot be cited yet: `latest_hrc_session` turns such a number
into the Assembly's ("its resolution 60/251" in a 2015 HRC text is A/RES/60/251). Commission on Human
Rights and ECOSOC resolutions (E/CN.4/RES/…, E/RES/…) are read but not reported: the index holds
neither and their bare numbers would be mistaken for the Council's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from reso.index.model import infer_symbol


@dataclass(frozen=True)
class Reference:
    """One mention: the cited symbol (CONTRACTS §1 form), its span in the text and the printed words
    (the resolution word with the first number of a list, the number alone for the next ones)."""

    symbol: str
    start: int
    end: int
    text: str


# ---------------------------------------------------------------------------------------- numbers

# A number glued to an ASCII letter, digit, "/" "." or "-" belongs to a longer symbol (A/78/123,
# S/2016/123, E/CN.4/2005/12); Chinese 第, Arabic و ("و13/22") and spaces may precede a number.
_NUMBER = (r"(?<![A-Za-z0-9/.\-])(?:(?P<sc>\d{1,4})\s*[(（]\s*(?P<year>(?:19[4-9]|20[0-4])\d)\s*[)）]"
           r"|(?P<old>\d{1,4})\s*[(（](?P<roman>[IVXL]{1,6})[)）]"
           r"|(?P<es>ES|S|دإط|دإ)\s?-\s?(?P<ses>\d{1,2})/(?P<esn>\d{1,3})"
           r"|(?P<session>\d{1,3})/(?P<n>\d{1,3}))(?![A-Za-z0-9/])")
_NUMBERS = re.compile(_NUMBER)
_EXPLICIT = re.compile(
    r"(?:(?P<res>A(?<![A-Za-z0-9/]A)/(?:HRC/)?RES/(?:(?:ES|S)-)?\d{1,2}/\d{1,3})"
    r"|A(?<![A-Za-z0-9/]A)/RES/(?P<old>\d{1,4})\s*\((?P<roman>[IVXL]{1,6})\)"
    r"|S(?<![A-Za-z0-9/]S)/RES/(?P<sc>\d{1,4})\s*\((?P<year>(?:19|20)\d\d)\)"
    r"|(?P<prst>S(?<![A-Za-z0-9/]S)/PRST/(?:19|20)\d\d/\d{1,3}))(?![A-Za-z0-9/])")

# ---------------------------------------------------------------------------------------- words

_AR_LETTER = "\u0621-\u064A\u064B-\u0652\u0640"
# The first letter first, then "not a word before it": a leading \b makes the regex try every
# position of every paragraph (1.2 s over the index instead of 0.3 s).
_RESOLUTION_WORD = re.compile(r"[RrРр](?<!\w.)(?:esolutions?|ésolutions?|esoluci(?:ón|ones)|езолюци\w*)\b")
_AR_WORD = "قرار"
_AR_LETTERS = re.compile(f"[{_AR_LETTER}]")
_AR_DIACRITICS = re.compile("[\u064B-\u0652\u0640]")
_AR_SUFFIX = re.compile(r"(?:ات|ين|ان|ي|ا)?(?P<own>ه|ها|هما|هم|يه)?")
_AR_PREFIX = re.compile(r"[وفبلك]{0,2}(?:ال)?|لل|ولل")
_STOP = re.compile(r"[;:؛；]|[DdРр](?<!\w.)(?:ecisions?|écisions?|ecisi(?:ón|ones)|ешени\w*)\b")
# مقرر is a decision, but المقرر الخاص a special rapporteur.
_AR_STOP = re.compile(rf"(?<![{_AR_LETTER}])[وفبل]?(?:ال)?مقرر(?:ات|ه|ها|اته)?(?![{_AR_LETTER}])(?!\s+(?:ال)?خاص)")
_PRESENT = re.compile(r"(?:present|this|présente|cette|presente|esta|настоящ\w*|данно\w*|هذا)\s*$", re.IGNORECASE)

# Body names, longest first within a body; bare "Council"/"Conseil"/"Совет"/"المجلس" are the HRC
# (the Security Council's own resolutions are "n (year)", whatever names them).
_GA = (r"General Assembly|Assemblée générale|Asamblea General|Генеральн\w* Ассамбле\w*|الجمعية العامة"
       r"|Assembly|Assemblée|Asamblea|Ассамбле\w*|الجمعية")
_SC = r"Security Council|Conseil de sécurité|Consejo de Seguridad|Совет\w* Безопасности|مجلس الأمن"
_SKIP = (r"Economic and Social Council|Conseil économique et social|Consejo Económico y Social"
         r"|Экономическ\w* и Социальн\w* Совет\w*|المجلس الاقتصادي والاجتماعي"
         r"|Commission on Human Rights|Commission des droits de l.homme|Comisión de Derechos Humanos"
         r"|Комисси\w* по правам человека|لجنة حقوق الإنسان")
_HRC = (r"Human Rights Council|Conseil des droits de l.homme|Consejo de Derechos Humanos"
        r"|Совет\w* по правам человека|مجلس حقوق الإنسان|Council|Conseil|Consejo|Совет\w*|المجلس")
_NAMES = f"(?P<skip>{_SKIP})|(?P<sc_name>{_SC})|(?P<hrc>{_HRC})|(?P<ga>{_GA})"
_POSSESSIVE = r"its|sa|ses|son|su|sus|сво\w+|его|ее|её"
_NAME = re.compile(rf"(?<![\w])(?:{_NAMES})(?![\w])", re.IGNORECASE)
_BEFORE = re.compile(rf"(?<![\w])(?:{_NAMES}|(?P<own>{_POSSESSIVE}))(?:\s+(?:own|propres?|propias?))?\s*$",
                     re.IGNORECASE)
_NAMED_IN = re.compile(rf"(?<![\w])(?:{_NAMES})\W+(?:in|dans|en|в)\s*$", re.IGNORECASE)
# After a number: an optional date ("of 15 March 2006", "du 15 mars 2006", "de 15 de marzo de 2006",
# "от 15 марта 2006 года", "المؤرخ 28 أيلول/سبتمبر 2017"), then "of the"/"de l’"/nothing, then a name.
_DATE = (r"(?:,?\s*(?:of|du|de|del|en date du|от|المؤرخ|المؤرخة)\s+\d{1,2}(?:er)?\s+[\w/ ]{3,20}?\s+(?:de\s+)?\d{4}"
         r"(?:\s+(?:года|г\.))?)?")
_DATED = re.compile(r",?\s*(?:of|du|de|del|en date du|от|المؤرخ|المؤرخة)\s+\d{1,2}(?:er)?\s+(?P<month>[\w/ ]{3,20}?)\s+"
                    r"(?:de\s+)?(?P<year>(?:19|20)\d\d)(?!\d)")
# October to December in the six languages (Arabic prints both month names: "كانون الأول/ديسمبر")
_AUTUMN = re.compile(r"(?i)octob|novemb|d[ée]cemb|diciemb|octubre|noviembre|октябр|ноябр|декабр|أكتوبر|نوفمبر|ديسمبر")
# January to August
_EARLY = re.compile(r"(?i)janu|janv|enero|январ|يناير|febr|févr|феврал|فبراير|march|mars|marzo|март|مارس|april|avril|abril"
                    r"|апрел|أبريل|\bma[iy]o?\b|ма[яй]|مايو|june|juin|junio|июн|يونيو|july|juillet|julio|июл|يولي[هو]"
                    r"|august|août|agosto|август|أغسطس")
_ADJACENT = re.compile(rf"{_DATE}\s*,?\s*(?:of the\s+|de l[’']\s*|de la\s+|du\s+|del\s+|de\s+|de los\s+)?(?:{_NAMES})(?![\w])",
                       re.IGNORECASE)

# ---------------------------------------------------------------------------------------- Chinese

_ZH_END = re.compile(r"\s*号\s*决议")
# Between two numbers of one run: "号、", "和", a date, a "关于…的" title, a body ("…第60/180号和安理会第
# 1645(2005)号、…号决议"), then 第.
_ZH_JOIN = re.compile(r"\s*(?:号)?\s*(?:[、，,和及与]|以及)\s*(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:通过)?\s*的?)?"
                      r"\s*(?:大会|安全理事会|安理会|人权理事会|理事会)?\s*(?:关于[^第号，。；]{0,60}的)?\s*第?\s*")
_ZH_NAME = re.compile(r"(?P<skip>人权委员会|经济及社会理事会|经社理事会)|(?P<sc_name>安全理事会|安理会)"
                      r"|(?P<hrc>人权理事会|理事会)|(?P<ga>大会)|(?P<own>其)")
_ZH_TITLE = re.compile(r"关于[^，。；第]*?的")


def latest_hrc_session(body: str, session: str | None = None, year: int | None = None) -> int | None:
    """The last HRC session a text of this body could cite: its own (HRC), else three a year since
    2006 (the Council's pace); None when nothing tells."""
    if body == "HRC" and session and session.isdecimal() and len(session) <= 6:
        return int(session)
    return 3 * (year - 2005) if year else None


# Substrings one of which every citing text holds: a cheap test before any regex (most paragraphs
# cite nothing; over the ~120k paragraphs of the development index this halves the pass).
_HINTS = ("esolu", "ésolu", "езолюц", _AR_WORD, "决议", "RES/", "PRST/")


def may_cite(text: str) -> bool:
    """False when the text surely cites no resolution (no resolution word, no symbol)."""
    return any(hint in text for hint in _HINTS)


def find_references(text: str, own: str, latest_hrc: int | None = None) -> list[Reference]:
    """Every resolution a text mentions, in text order (a symbol mentioned twice comes twice).

    `own`: the citing text's body ("HRC", "GA", "SC"), the body of an unqualified "n/m";
    `latest_hrc`: see `latest_hrc_session`."""
    if not may_cite(text):
        return []
    candidates = list(_chinese(text, own)) + list(_worded(text, own))
    candidates += [Reference(_explicit_symbol(m), m.start(), m.end(), m.group(0))
                   for m in (_EXPLICIT.finditer(text) if ("RES/" in text or "PRST/" in text) else ())]
    found: list[Reference] = []  # one reading of each printed number: the first rule's, the widest
    for ref in sorted(candidates, key=lambda r: (r.start, r.start - r.end)):
        if not any(k.start < ref.end and ref.start < k.end for k in found[-3:]):
            found.append(ref)
    if latest_hrc is not None:
        found = [_not_yet(r, latest_hrc) for r in found]
    return found


# A Council number printed with no year after a resolution word ("especially resolution 2031 and its
# press statements", "resolutions 1325 and 2250", "第1701号决议"), the list it heads, and no "(" after
_BARE_NUMBER = r"(\d{3,4})(?![\d/.\-]|\s*[(（])"
# the date older Council texts print after a number: "its resolutions 1565 of 1 October 2004, 1592 of
# 30 March 2005, … 1693 of 30 June 2006" (S/RES/1711 (2006) PP1)
_OF_DATE = r"(?:\s+of\s+\d{1,2}\s+[A-Z][a-z]{2,8}\s+(?:19|20)\d\d)?"
_BARE_LIST = re.compile(
    rf"(?:[RrРр](?<!\w.)(?:esolutions?|ésolutions?|esoluci(?:ón|ones)|езолюци\w*)|(?<!\w)(?:و|ب|ف)?(?:ال|لل|ل)?قرار(?:ات|ه|يه|اته|ين)?)\s+"
    rf"{_BARE_NUMBER}{_OF_DATE}(?:\s*(?:,|and|et|y|и|و)\s*{_BARE_NUMBER}{_OF_DATE})*")
_DATE_YEAR = re.compile(r"[A-Z][a-z]{2,8}\s+$")  # the year of such a date, not a resolution
_BARE_ZH = re.compile(r"第\s*(\d{3,4})\s*号(?:决议)")
_BARE_ITEM = re.compile(_BARE_NUMBER)


def bare_council_numbers(text: str) -> list[Reference]:
    """Council resolutions named by their number alone, in a Council text (whose own resolutions
    are the only ones it names so): "Recalling its previous resolutions …, especially resolution 2031
    and its press statements" (S/RES/2088 (2013) PP1). Not symbols: the year is not printed, so
    `symbol` is the number, for the caller to match with a text it holds (`find_references` reads
    what a text prints whole; these are read apart, by the lineage graph only)."""
    found: list[Reference] = []
    if not may_cite(text):
        return found
    for m in _BARE_LIST.finditer(text):
        for item in _BARE_ITEM.finditer(text, m.start(1), m.end()):
            if not _DATE_YEAR.search(text, max(0, item.start() - 12), item.start()):
                found.append(Reference(item.group(1), item.start(), item.end(), item.group(0)))
    for m in _BARE_ZH.finditer(text):
        found.append(Reference(m.group(1), m.start(), m.end(), m.group(0)))
    return found


def _not_yet(ref: Reference, latest: int) -> Reference:
    late = re.fullmatch(r"A/HRC/RES/(\d+)/(\d+)", ref.symbol)
    if late and int(late.group(1)) > latest:
        return Reference(f"A/RES/{late.group(1)}/{late.group(2)}", ref.start, ref.end, ref.text)
    return ref


def _explicit_symbol(m: re.Match[str]) -> str:
    if m.group("res"):
        return m.group("res")
    if m.group("old"):
        return f"A/RES/{m.group('old')} ({m.group('roman')})"
    if m.group("sc"):
        return f"S/RES/{m.group('sc')} ({m.group('year')})"
    return m.group("prst")


def _named(m: re.Match[str]) -> str:
    for group, body in (("skip", "SKIP"), ("sc_name", "SC"), ("hrc", "HRC"), ("ga", "GA")):
        if m.group(group):
            return body
    return "OWN"


def _body_before(window: str) -> str | None:
    window = window[-60:]  # the longest name and possessive fit; a search over less is faster
    match = _BEFORE.search(window)
    if not match:
        return None
    body = _named(match)
    if body == "OWN":  # "as stated by the General Assembly in its resolution 60/251"
        named = _NAMED_IN.search(window[: match.start()])
        return _named(named) if named else body
    return body


def _body_after(segment: str, numbers: list[re.Match[str]]) -> str | None:
    lead = _NAME.search(segment, 0, numbers[0].start())
    if lead:
        return _named(lead)
    for number in numbers:
        adjacent = _ADJACENT.match(segment, number.end())
        if adjacent:
            return _named(adjacent)
    return None


class _Word:
    """Where a resolution word is printed (the shape of a match, for words found without a regex)."""

    __slots__ = ("_start", "_end")

    def __init__(self, start: int, end: int):
        self._start, self._end = start, end

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end


def _arabic_words(text: str) -> Iterator[tuple[_Word, str]]:
    """Each Arabic word built on قرار that means resolution: "OWN" for قراره/قراراته/قراريه (its
    resolution(s)), "" for another form (القرار, قرارات, بالقرار); not استقرار (stability) nor
    إقرار (acknowledgement), whose letters around قرار make another word. A plain scan: a regex
    trying an Arabic-letter class at every position of every paragraph costs seconds on the index."""
    at = text.find(_AR_WORD)
    while at >= 0:
        start, end = at, at + len(_AR_WORD)
        while start > 0 and _AR_LETTERS.match(text[start - 1]):
            start -= 1
        while end < len(text) and _AR_LETTERS.match(text[end]):
            end += 1
        prefix = _AR_DIACRITICS.sub("", text[start:at])
        suffix = _AR_DIACRITICS.sub("", text[at + len(_AR_WORD): end])
        own = _AR_SUFFIX.fullmatch(suffix)
        if _AR_PREFIX.fullmatch(prefix) and own is not None:
            yield _Word(start, end), ("OWN" if own.group("own") else "")
        at = text.find(_AR_WORD, end)


def _worded(text: str, own: str) -> Iterator[Reference]:
    last: str | None = None
    words: list[tuple[_Word, str]] = [(_Word(m.start(), m.end()), "") for m in _RESOLUTION_WORD.finditer(text)]
    if _AR_WORD in text:
        words = sorted(words + list(_arabic_words(text)), key=lambda w: w[0].start())
    for i, (match, arabic) in enumerate(words):
        window = text[max(words[i - 1][0].end() if i else 0, match.start() - 80): match.start()]
        if _PRESENT.search(window, max(0, len(window) - 25)):
            continue
        end = words[i + 1][0].start() if i + 1 < len(words) else len(text)
        segment = text[match.end(): min(end, match.end() + 1500)]
        stop = _STOP.search(segment)
        segment = segment[: stop.start()] if stop else segment
        stop = _AR_STOP.search(segment) if "مقرر" in segment else None
        segment = segment[: stop.start()] if stop else segment
        numbers = list(_NUMBERS.finditer(segment))
        if not numbers:
            lead = _NAME.search(segment)
            last = arabic or _body_before(window) or (_named(lead) if lead else last)
            continue
        if arabic == "OWN":  # "الجمعية العامة في قرارها 75/323": her resolution, the Assembly's
            named = list(_NAME.finditer(window[-60:]))
            arabic = _named(named[-1]) if named else arabic
        last = arabic or _body_before(window) or _body_after(segment, numbers) or last or "OWN"
        body = own if last == "OWN" else last
        for k, number in enumerate(numbers):
            symbol = _symbol(number, body, _dated(segment, number.end()))
            if symbol is None:
                continue
            start = match.start() if k == 0 else match.end() + number.start()
            end_ = match.end() + number.end()
            yield Reference(symbol, start, end_, text[start:end_])


def _dated(segment: str, at: int) -> tuple[int, str] | None:
    """The year and month words of the date printed right after a number ("75/99 of 10 December
    2020"), if any."""
    dated = _DATED.match(segment, at)
    return (int(dated.group("year")), dated.group("month")) if dated else None


def _sessions_of(date: tuple[int, str], body: str) -> range:
    """The sessions that adopt resolutions on `date`: the Assembly's session n runs from September
    of 1945 + n to September of the next year; the Council meets three times a year since 2006."""
    year, month = date
    if body == "HRC":
        return range(3 * (year - 2006) - 1, 3 * (year - 2005) + 2)
    if _AUTUMN.search(month):
        return range(year - 1945, year - 1944)
    if _EARLY.search(month):
        return range(year - 1946, year - 1945)
    return range(year - 1946, year - 1944)  # September (either session) or a month not recognised


def _in_order(session: str, n: str, date: tuple[int, str] | None, body: str) -> tuple[str, str] | None:
    """`session/n` as adopted, None when no reading is a symbol. Arabic texts sometimes print the
    pair reversed ("القرار 99/75 المؤرخ 10 كانون الأول/ديسمبر 2020" for 75/99: the digits' runs
    laid out right to left); when a date follows, a first number that is no session of that date
    while the second is, is the number."""
    if date is not None:
        sessions = _sessions_of(date, body)
        if int(session) not in sessions and int(n) in sessions:
            session, n = n, session
    return (session, n) if len(session) <= 2 else None


def _symbol(m: re.Match[str], body: str, date: tuple[int, str] | None = None) -> str | None:
    if m.group("sc"):
        return f"S/RES/{m.group('sc')} ({m.group('year')})"
    if m.group("old"):
        return f"A/RES/{m.group('old')} ({m.group('roman')})"
    if body == "SKIP":
        return None
    if m.group("es") in ("ES", "دإط"):  # Arabic: دإط- an emergency special session, دإ- a special one
        return f"A/RES/ES-{m.group('ses')}/{m.group('esn')}"
    if m.group("es"):
        return infer_symbol("HRC" if body == "HRC" else "GA", f"S-{m.group('ses')}/{m.group('esn')}")
    ordered = _in_order(m.group("session"), m.group("n"), date, "HRC" if body == "HRC" else "GA")
    return infer_symbol("HRC" if body == "HRC" else "GA", "/".join(ordered)) if ordered else None


def _chinese(text: str, own: str) -> Iterator[Reference]:
    if "决议" not in text:
        return
    numbers = list(_NUMBERS.finditer(text))
    cited = [False] * len(numbers)
    for i in range(len(numbers) - 1, -1, -1):
        after = numbers[i].end()
        if _ZH_END.match(text, after):
            cited[i] = True
        elif i + 1 < len(numbers) and cited[i + 1] and _ZH_JOIN.fullmatch(text, after, numbers[i + 1].start()):
            cited[i] = True
    last: str | None = None
    previous_end = 0
    i = 0
    while i < len(numbers):
        if not cited[i]:
            i += 1
            continue
        run = [i]
        while run[-1] + 1 < len(numbers) and cited[run[-1] + 1] and not _ZH_END.match(text, numbers[run[-1]].end()):
            run.append(run[-1] + 1)
        first = numbers[run[0]]
        window = _ZH_TITLE.sub("", text[max(previous_end, first.start() - 60): first.start()])
        names = list(_ZH_NAME.finditer(window))
        if names:
            last = _named(names[-1])
        for j, k in enumerate(run):
            m = numbers[k]
            if j:  # a body named inside the run, before this number, is this number's
                names = list(_ZH_NAME.finditer(_ZH_TITLE.sub("", text[numbers[run[j - 1]].end(): m.start()])))
                last = _named(names[-1]) if names else last
            body = own if last in (None, "OWN") else last
            before = text[: m.start()].rstrip()
            start = len(before) - 1 if before.endswith("第") else m.start()
            end = m.end()
            tail = _ZH_END.match(text, end)
            if tail:
                end = tail.end()
            symbol = _symbol(m, body)
            if symbol is not None:
                yield Reference(symbol, start, end, text[start:end])
        previous_end = numbers[run[-1]].end()
        i = run[-1] + 1
