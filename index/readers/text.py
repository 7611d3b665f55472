"""Plain text as a PDF extractor prints it → `Resolution`.

A UN resolution is a typeset document; once its text layer is extracted, its structure survives
only as layout: a first-line indent (or a blank line) where a paragraph starts, a printed number
for operative paragraphs, page furniture (job number, symbol, page number, barcode) repeated on
every page, words broken at line ends. This module recovers the paragraphs from those clues. The
PDF, DOCX and HTML readers all end here, so one set of rules gives every format the same ids.

Everything language-specific is a table at the top (body lines, months, meeting words, vote
phrases): supporting a language is adding rows, never a code branch.

The rules, in the order they apply:

1. Characters: NFC; no-break and thin spaces become spaces; U+2011 (non-breaking hyphen) becomes
   "-"; zero-width characters go; tabs count as four spaces of indentation; typographic
   apostrophes (’) are kept as printed.
2. Page furniture: a line made only of furniture tokens (job number ``GE.15-17130``, language tag
   ``(F)``, barcode ``*1517130*``, a UN symbol such as ``A/HRC/RES/30/25``, a page number, a date
   stamp) or a furniture phrase ("Please recycle") is dropped and marks a page break. Before that,
   superscripts the extractor put on lines of their own (``42⏎e⏎ séance``) are glued back, so
   "42" is not taken for a page number.
3. Footnotes: a line of underscores opens a block of notes (``2 A/76/207.``) that runs to the
   next page break. Note n's marker is the first ``n`` after note n-1's marker glued to a letter,
   to a letter or closing mark plus punctuation, to a year, or to a resolution number plus
   punctuation (``rights;2``, ``20233``, ``49/19,2``); never to a decimal (``28,2 %``), a CJK
   character (``目标3.9``) or a lone Arabic letter (``5 و10``, "5 and 10"). In Chinese a marker
   glued to a closing or punctuation mark or to a year may touch the next ideograph or opening
   mark (``工作，²开展``, ``2023¹⁰年``, ``》⁴(《``). Markers are removed and the notes attached to their paragraph; a note
   whose marker is nowhere to be found is skipped. A marker glued straight to a resolution number
   (``77/2264``) cannot be told from it and stays.
4. Zones: the body line (``The Human Rights Council,`` …, ending with a comma — the bare body name
   on a cover has none) sets body and language. What precedes it is the cover: printed symbol,
   title (``30/25. <title>`` wrapped up to the body line), adoption date, agenda item, SC number
   (``Resolution 2699 (2023)``). A meeting line, a date-only line or a bracketed vote after a
   finished paragraph starts the closing block (metadata); an ``Annex`` heading starts the annexes.
5. Paragraph starts, chosen per document. Indent mode when lines indented deeper than the least
   indented ones mostly follow a line ending a clause (the body line, ending with a comma, counts
   for the first line): an indented line starts a paragraph (the seed's "two spaces without a
   blank line" after a page break is just a deeper indent); on a page where no line is indented
   beyond the page's edge and most lines end a clause (every paragraph of it one line long, not a
   page that continues one long paragraph), the capital and ``(a)`` rules below apply instead. Else blank-line mode when blank lines
   separate groups of lines (and the text is not merely double-spaced wrapped lines); a blank line
   does not end a paragraph that visibly goes on (lower case after it, in a language whose
   paragraphs start with a capital or after a line that ends no clause; at a page break, either
   sign). Else a capital after a line that
   ends a clause (``, ; : .``) or is much shorter than a full line, though the capital's word would
   have fitted on it, starts one. In every mode: ``1.`` (``1-`` in Arabic) at the
   start of a line starts a paragraph unless the line before ends with a hyphen; outside indent
   mode (and on such a page) so does ``(a)``/``a)``/``(i)`` after a finished line; and an unpunctuated line between a
   finished paragraph and a start is a heading of its own.
6. Joining lines: ``word -⏎next`` (a space before a line-final hyphen, a PDF artefact) becomes
   ``word-next``; ``word-⏎and`` keeps the space (a suspended hyphen: ``women- and youth-led``);
   ``word-⏎next`` keeps its hyphen (a compound such as ``demi-⏎journée``) unless the document
   itself spells the joined word elsewhere, never the hyphenated one, and the next line starts in
   lower case: then it was a soft break (``pro-⏎motion`` → ``promotion``). A soft hyphen (U+00AD)
   at a line end always joins. In Arabic, never hyphenated, ``word -⏎next`` is a spaced dash and
   keeps its spaces. A line ending or starting with an ideograph or a full-width mark joins
   without a space (Chinese has none at its line breaks). Other lines join with one space.
7. Spacing: runs of spaces become one; no space before ``,`` or ``.`` or inside brackets (but a
   ``)`` or ``]`` glued to the next letter opens one: the Arabic vote typed mirrored,
   ``نظره. ]اعتُمد``); the French space before ``; : ! ? »`` is kept as one regular space.
8. Numbering: ``1.`` → OP1 (the number without its dot in `number`); ``(a)``/``a)``/``a.`` →
   child OP1(a); a new list (``(i)`` or ``(a)``) under an item ending with ``:`` → OP1(a)(i).
   Unnumbered paragraphs before the first OP are PP1, PP2…; a short one without final punctuation
   that does not start in lower case is a heading and skipped, except between two preambular
   paragraphs (the next one ends with a comma), where the AKN markup counts it as a PP; an
   unnumbered one after the first OP continues the previous paragraph. A label printed alone on
   its line (``1.``, ``(b)``, ``b)``, the Arabic ``11 -``) starts a paragraph and joins the text
   after it; a capital letter (``A.``) labels an item only when its words end a clause. With no
   numbered paragraph at all, a last paragraph that does not end like a preambular one (with a
   comma) is the single operative paragraph OP1.
9. Levels by indent: where the layout indents each level's first line further (a PDF read in
   layout mode; `_renest`) and the labels' nesting mostly agrees with it, sub-paragraphs are nested
   again by indent: third and fourth levels (``OP36(a)(i)``, ``OP3(f)(iii)(1)``), dashes after a
   sub-item, ``(i)`` after a heading-like ``(a)``. A text without such indents keeps rule 8's levels.

Left alone on purpose: letter-spacing artefacts inside a line (the seed's ``l’ef fet``) — no rule
that joins two tokens can tell them from two real words (``in to``, ``en core``).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from reso.errors import UnreadableFile
from reso.index.readers import file_bytes
from reso.index.model import Body, Paragraph, Resolution, Vote, annex_pid, infer_symbol, normalise_symbol
from reso.index import symbols
from reso.index.readers.common import FIRST_KEYS, chinese_number, extract_references, label_follows, label_key, renest, roman_value

# ---------------------------------------------------------------------------------------------
# Language tables (data, not code)
# ---------------------------------------------------------------------------------------------

# The line that opens the preamble, lower-cased, apostrophes as "'", final comma removed.
BODY_LINES: dict[str, tuple[Body, str]] = {
    "the human rights council": ("HRC", "en"),
    "le conseil des droits de l'homme": ("HRC", "fr"),
    "el consejo de derechos humanos": ("HRC", "es"),
    "совет по правам человека": ("HRC", "ru"),
    "إن مجلس حقوق الإنسان": ("HRC", "ar"),
    "人权理事会": ("HRC", "zh"),
    "the general assembly": ("GA", "en"),
    "l'assemblée générale": ("GA", "fr"),
    "la asamblea general": ("GA", "es"),
    "генеральная ассамблея": ("GA", "ru"),
    "إن الجمعية العامة": ("GA", "ar"),
    "大会": ("GA", "zh"),
    "the security council": ("SC", "en"),
    "le conseil de sécurité": ("SC", "fr"),
    "el consejo de seguridad": ("SC", "es"),
    "совет безопасности": ("SC", "ru"),
    "إن مجلس الأمن": ("SC", "ar"),
    "安全理事会": ("SC", "zh"),
}

MONTHS: dict[str, int] = {
    **{m: i for i, m in enumerate(
        ["january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"], 1)},
    **{m: i for i, m in enumerate(
        ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
         "septembre", "octobre", "novembre", "décembre"], 1)},
    **{m: i for i, m in enumerate(
        ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
         "septiembre", "octubre", "noviembre", "diciembre"], 1)},
    "setiembre": 9,
    **{m: i for i, m in enumerate(
        ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
         "сентября", "октября", "ноября", "декабря"], 1)},
    # Arabic prints both calendars' names, "11 تشرين الأول/أكتوبر 2023": the second one is read
    **{m: i for i, m in enumerate(
        ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيه", "يوليه", "أغسطس",
         "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"], 1)},
    "يونيو": 6, "يوليو": 7,
}

# "46th meeting", "42e séance", "50th plenary meeting", "46ª sesión", "46-е заседание"
ORDINAL_SUFFIXES: tuple[str, ...] = ("st", "nd", "rd", "th", "e", "er", "re", "ème", "ª", "º", "a", "o", "а", "е",
                                     "й", "-е", "-й", "-я")
MEETING_WORDS: tuple[str, ...] = (
    "plenary meeting", "meeting", "séance plénière", "séance", "réunion", "session", "sesión plenaria", "sesión",
    "пленарное заседание", "заседание",
)
MEETING_EXTRA_PATTERNS: tuple[str, ...] = (r"الجلسة\s+\d+.*", r"جلسته\s+\d+$", r"第\s*\d+\s*次(?:全体)?会议")

# Vote phrases: (pattern, outcome). Recorded votes name groups for/against/abst.
VOTE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"recorded vote of (?P<for>\d+) to (?P<against>\d+)(?:,? with (?P<abst>\d+) abstentions?)?", "recorded"),
    (r"\bvote of (?P<for>\d+) to (?P<against>\d+)(?:,? with (?P<abst>\d+) abstentions?)?", "recorded"),
    (r"par (?P<for>\d+) voix contre (?P<against>\d+)(?:,? (?:avec|et) (?P<abst>\d+) abstentions?)?", "recorded"),
    (r"por (?P<for>\d+) votos(?: a favor)? contra (?P<against>\d+)(?:,? (?:y|con) (?P<abst>\d+) abstenci)?",
     "recorded"),
    (r"(?P<for>\d+) голос\w* (?:«за»|за)? ?против (?P<against>\d+)(?:,? при (?P<abst>\d+) воздерж)?", "recorded"),
    (r"recorded vote|vote enregistré|votación registrada|заносимым в отчет голосованием", "recorded"),
    (r"without (?:a )?vote|sans vote|sin votaci[oó]n|без голосования|دون تصويت|未经表决|by consensus|par consensus",
     "without_vote"),
    (r"unanimously|à l['’]unanimité|por unanimidad|единогласно|بالإجماع|一致", "unanimous"),
)
# "women- and youth-led": a hyphen at a line end followed by one of these words is a suspended
# hyphen, so the space after it is kept.
SUSPENDED_HYPHEN_NEXT: frozenset[str] = frozenset({"and", "or", "nor", "et", "ou", "y", "o", "и", "или"})
ADOPTION_STEMS: tuple[str, ...] = ("adopted", "adoptée", "adopté", "aprobada", "принята", "اعتمد", "通过")
AGENDA_PHRASES: tuple[str, ...] = ("agenda item", "point de l'ordre du jour", "tema del programa",
                                   "пункт повестки дня")
RESOLUTION_WORDS: tuple[str, ...] = ("resolution", "résolution", "resolución", "резолюция")
ANNEX_WORDS: tuple[str, ...] = ("annex", "annexe", "anexo", "приложение", "المرفق", "附件")
# Languages whose paragraphs may start in lower case (Russian preambular paragraphs: "учитывая …");
# in the others a line that starts in lower case continues a paragraph, whatever the blank lines say.
LOWERCASE_STARTS: frozenset[str] = frozenset({"ru"})
FURNITURE_PHRASES: tuple[str, ...] = ("please recycle", "merci de recycler", "se ruega reciclar", "♲")

# ---------------------------------------------------------------------------------------------
# Patterns built from the tables
# ---------------------------------------------------------------------------------------------

_MONTH_RE = "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True))
_DATE_PATTERNS = (
    re.compile(rf"(?P<d>\d{{1,2}})(?:er|st|nd|rd|th)?\s+(?:de\s+)?(?:[^\W\d]+(?: [^\W\d]+)?/)?(?P<m>{_MONTH_RE})"
               rf"\s+(?:de\s+)?(?P<y>\d{{4}})", re.I),
    re.compile(rf"(?P<m>{_MONTH_RE})\s+(?P<d>\d{{1,2}}),?\s+(?P<y>\d{{4}})", re.I),
    re.compile(r"(?P<y>\d{4})\s*年\s*(?P<mn>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"),
)
_SUFFIX_RE = "|".join(sorted(map(re.escape, ORDINAL_SUFFIXES), key=len, reverse=True))
_MEETING_RE = re.compile(
    rf"^(?:\d+\s*(?:{_SUFFIX_RE})?\.?\s+(?:\([^)]*\)\s+)?(?:{'|'.join(MEETING_WORDS)})\b(?:\s*\([^)]*\))?"
    rf"|{'|'.join(MEETING_EXTRA_PATTERNS)})",
    re.I)
_COVER_MEETING_RE = re.compile(rf"\b\d+\s*(?:{_SUFFIX_RE})?\s+(?:{'|'.join(MEETING_WORDS)})\b", re.I)
_REFERENCE_RE = re.compile(r"(?<![\w/])(?:A|S|E)/(?:[A-Z]+[.\d]*/)*\d+(?:/[\w.]+)*(?:\s\(\d{4}\))?(?<![.,])")
_SC_NUMBER_RE = re.compile(rf"^(?:{'|'.join(RESOLUTION_WORDS)})\s+(\d+)\s*\((\d{{4}})\)", re.I)
_TITLE_RE = re.compile(r"^((?:ES-|S-)?\d+/\d+|\d+)\.(?:\s+(.*))?$")
_ANNEX_RE = re.compile(rf"^(?:{'|'.join(ANNEX_WORDS)})(?:\s+[IVXLC\d]+)?\.?$", re.I)
_FURNITURE_TOKEN = re.compile(
    r"GE\.\d{2}-\d{4,6}(?:\([A-Z]\))?|\d{2}-\d{5}(?:\([A-Z]\))?|\([A-Z]\)|\*\d{6,9}\*|\d{1,3}|\d{1,3}/\d{1,3}|\d{6}|-|"
    r"(?:A|S|E)/[A-Za-z0-9./-]*[A-Za-z0-9](?:\(\d{4}\))?|\(\d{4}\)")  # also "S/RES/2521(2020)" (Chinese headers)
_FOOTNOTE_RULE = re.compile(r"^_{5,}$")
_FOOTNOTE_LINE = re.compile(r"^(\d{1,3})\s+(\S.*)$")
# "10A/HRC/57/43." : a narrow Chinese footnote column leaves no space after a two-digit number
_FOOTNOTE_LINE_GLUED = re.compile(r"^(\d{1,3})(?=[^\d\s.,/-])(\S.*)$")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# "1." ("1-" or "1 -" in Arabic); Chinese prints "10.请…" with no space before the ideograph
_OP_LABEL = re.compile(rf"^(\d{{1,3}})(?:(?:\.|\s?-)\s+(?=\S)|\.(?=[{_CJK}]))")
# "(a)", "a)", "а)" (a Cyrillic letter, as some Russian texts print it), "a.", "(ii)", "(1)", "1)";
# the Chinese "一." (S/RES/2719 (2023) ZH, OP3's steps); the Arabic "(1 -)" of a fourth level (S/RES/2713 (2023) AR, under OP45 (b) ’1‘);
# "58.b)", an item's letter after its paragraph's number (S/RES/2605 (2021) FR);
# Chinese "(a)那些" with no space (also before a number: "(c)2020/2021年选举", or a bracket: "(a)《联合国宪章》") and "㈠" (its (i)); the Arabic "’1‘" (its (i)). A bracketed label
# may touch its first word ("viii)более"): layout mode gives each glyph of a narrow label a full
# character's width, so the gap to the tab stop after it can vanish.
_SUB_LABEL = re.compile(r"^(?:(?:\((?P<p>[^\W\d_]{1,4}|\d{1,2}(?:\s?-)?)\)|(?P<r>[a-z]{1,2}|[ivxlc]{1,5}|[а-я]|\d{1,2})\)"
                        r"|\d{1,3}\.(?P<n>[a-z]{1,2})\))"
                        r"(?:\s+(?=\S)|(?=[^\W\d_])|(?=[\d/]{1,12}[" + _CJK + r"])|(?=[《〈「『【“（]))"
                        r"|(?P<d>[a-z]{1,2}|[ivxlc]{1,5}|[一二三四五六七八九十]{1,3})\.(?:\s+(?=\S)|(?=[" + _CJK + r"]))"
                        r"|\(?(?P<c>[\u3220-\u3229])\s*(?=\S)|(?P<q>’\d{1,2}‘)\s+(?=\S))")
_CAPITAL_ITEM = re.compile(r"^([A-Z])\.\s+(?=\S)")
_BULLET = re.compile(r"^([•·▪◦○–—-])\s+(?=\S)")  # "-" too: the Arabic texts print a hyphen-minus
_LABEL_ONLY = re.compile(r"^(?:\d{1,3}\s?[.-]|\(?[a-z]{1,2}\)|\(?[ivxlc]{1,5}\)|[\u3220-\u3229])$")  # "1." "(a)" "b)" alone
_CLAUSE_END = (",", ";", ":", ".", "،", "؛", "，", "；", "：", "。")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_SPACES = {"\u00a0", "\u202f", "\u2007", "\u2009", "\u200a", "\u2002", "\u2003", "\u3000"}
_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\ufeff", "\u2060"}

_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")  # category Cc but tab, line feed, form feed, CR

# The longest resolution of the UNxml corpus has 85,000 characters of text; a text ten times longer
# is not one resolution, and refusing it keeps a parse within seconds (the rules are linear, but
# a few seconds per megabyte).
MAX_TEXT_CHARS = 1_000_000

Breaks = Literal["auto", "blank_lines"]


class NotAResolution(UnreadableFile):
    """A text that reads fine but holds no resolution (a README, the corpus's SOURCES.md)."""


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------


def read(path: Path) -> Resolution:
    """Read a .txt file (UTF-8 with or without BOM; cp1252/latin-1 only if UTF-8 fails)."""
    path = Path(path)
    data = file_bytes(path)
    return parse_text(decode_text(data, str(path)), source=str(path))


def decode_text(data: bytes, source: str = "") -> str:
    """Bytes → str, refusing what is clearly not text (so garbage never becomes 'paragraphs')."""
    if not data.strip():
        raise UnreadableFile(source, "empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:  # a byte order mark followed by bytes that are not UTF-16
            raise UnreadableFile(source, f"not valid UTF-16 text despite its byte order mark: {exc.reason} "
                                         f"at byte {exc.start}") from exc
    else:
        if b"\x00" in data:
            raise UnreadableFile(source, "binary data, not text (NUL bytes)")
        for encoding in ("utf-8-sig", "cp1252", "latin-1"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    controls = len(_CONTROLS.findall(text))
    if controls > max(2, len(text) // 200):
        raise UnreadableFile(source, "binary data, not text (control characters)")
    return text


def parse_text(text: str, source: str = "", *, paragraph_breaks: Breaks = "auto",
               symbol_hint: str | None = None) -> Resolution:
    """Text of one resolution → `Resolution`; raises `UnreadableFile` when none is recognisable.

    `paragraph_breaks="blank_lines"` is for readers that know their blocks are whole paragraphs
    (DOCX, HTML): a blank line then always, and only, separates paragraphs. `symbol_hint` is a
    symbol the file states outside its text (Markdown front matter): used when the text prints none.
    """
    where = source or "<text>"
    if not text or not text.strip():
        raise UnreadableFile(where, "empty file: no text")
    if len(text) > MAX_TEXT_CHARS:
        raise UnreadableFile(where, f"too long for one resolution: {len(text):,} characters of text "
                                    f"(more than {MAX_TEXT_CHARS:,})")
    doc = _Document.from_text(text)
    start = doc.body_line_index()
    if start is None:
        raise NotAResolution(where, "no resolution found: no body line such as 'The Human Rights Council,' "
                                    "or 'Le Conseil des droits de l’homme,' opens a preamble")
    body, language = BODY_LINES[_body_line_key(doc.lines[start].text)]
    cover, rest = doc.lines[:start], doc.lines[start + 1:]
    closing_at, annex_at = _find_closing(rest)
    main = rest[:closing_at]
    closing = rest[closing_at:annex_at]
    annex = rest[annex_at:]
    if not main:
        raise UnreadableFile(where, "no paragraphs after the body line")
    vocabulary = _vocabulary(doc.lines)
    joined: list[str] = []
    depths: list[int] = []
    texts = _segment(main, vocabulary, paragraph_breaks, language, joined, depths)
    title, number = _title(cover, vocabulary, body)
    notes = _Footnotes(doc.footnotes)
    notes.prune([title, *texts])
    title = notes.strip(title)
    warnings: list[str] = []
    if doc.furniture_lines:
        warnings.append(f"{doc.furniture_lines} page header/footer line(s) removed (symbol, job number, barcode, "
                        "page number, running title)")
    warnings += [f"paragraph continued across a page break at “{words} …”" for words in joined]
    full_line = sorted(len(line.text) for line in main)[int(0.8 * (len(main) - 1))]  # characters of a full line
    paragraphs = _structure(texts, notes, warnings, depths, full_line)
    if not paragraphs:
        raise UnreadableFile(where, "no paragraphs after the body line")
    annexes = _annex_paragraphs(annex, vocabulary, paragraph_breaks, notes, language)

    meta = _Metadata.from_lines(cover, closing)
    symbol, number, session = _identify(body, number, meta, doc.furniture_symbols, source, symbol_hint, warnings)
    if symbol is None:
        raise UnreadableFile(where, "no symbol: the text prints neither its symbol nor its resolution number")
    own = normalise_symbol(symbol)
    references = _references(paragraphs, body, exclude=own)
    return Resolution(
        symbol=symbol, body=body, language=language, title=title, session=session, number=number,
        adopted=meta.adopted, meeting=meta.meeting, vote=meta.vote, agenda_item=meta.agenda_item,
        references=references, paragraphs=paragraphs, annexes=annexes, source=source,
        kind=symbols.kind_of(symbol), committee=meta.committee, drafts=meta.drafts,
        warnings=_footnote_warning(paragraphs, annexes) + warnings,
    )


def _footnote_warning(paragraphs: list[Paragraph], annexes: list[Paragraph]) -> list[str]:
    n = sum(len(p.footnotes) for top in [*paragraphs, *annexes] for p in top.walk())
    return [f"{n} footnote(s) removed from the text (markers and bodies), kept with their paragraphs"] if n else []


# ---------------------------------------------------------------------------------------------
# Lines: characters, furniture, footnotes
# ---------------------------------------------------------------------------------------------


@dataclass
class Line:
    """One non-blank line with the layout clues that survive extraction."""

    text: str  # stripped, inner whitespace collapsed
    indent: int
    blank_before: bool = False
    break_before: bool = False  # a page break or dropped page furniture precedes it


@dataclass
class _Document:
    lines: list[Line]
    footnotes: dict[int, str] = field(default_factory=dict)
    furniture_symbols: list[str] = field(default_factory=list)
    furniture_lines: int = 0  # page headers and footers dropped

    @classmethod
    def from_text(cls, text: str) -> _Document:
        raw = _glue_superscripts(_normalise_chars(text).split("\n"))
        headers = _running_headers(raw)
        doc = cls(lines=[])
        blank = brk = False
        in_notes: int | None = None  # number of the footnote being read
        notes: dict[int, list[str]] = {}  # lines of each note, joined at the end (+= on a str is quadratic)
        for raw_line in raw:
            if "\f" in raw_line:
                brk, in_notes = True, None
                raw_line = raw_line.replace("\f", "")
            stripped = " ".join(raw_line.split())
            if not stripped:
                blank = True
                continue
            furniture = headers.get(stripped) if stripped in headers else _furniture(stripped)
            if furniture is not None:
                doc.furniture_symbols += furniture
                doc.furniture_lines += 1
                brk, in_notes = True, None
                continue
            if _FOOTNOTE_RULE.match(stripped):
                in_notes = 0
                continue
            if in_notes is not None and _ends_footnotes(stripped):
                in_notes = None
            if in_notes is not None:
                m = _FOOTNOTE_LINE.match(stripped)
                if m is None and (glued := _FOOTNOTE_LINE_GLUED.match(stripped)) and int(glued.group(1)) == max(notes, default=0) + 1:
                    m = glued  # only the next note's number: "2019年…" continuing a note is not note 201
                if m and int(m.group(1)) not in notes:
                    in_notes = int(m.group(1))
                    notes[in_notes] = [m.group(2)]
                elif in_notes:
                    notes[in_notes].append(stripped)
                continue
            indent = len(raw_line) - len(raw_line.lstrip())
            doc.lines.append(Line(stripped, indent, blank, brk))
            blank = brk = False
        doc.footnotes = {n: " ".join(lines) for n, lines in notes.items()}
        return doc

    def body_line_index(self) -> int | None:
        """The body line ends with a comma; the body's bare name on the cover does not."""
        candidates = [i for i, line in enumerate(self.lines) if _body_key(line.text) in BODY_LINES]
        with_comma = [i for i in candidates if self.lines[i].text.endswith((",", "،", "，"))]
        if not candidates:  # OCR's spelling ("إن مجلس حقوق الإنسسان،"): a near one ending with a comma
            with_comma = [i for i, line in enumerate(self.lines)
                          if line.text.endswith((",", "،", "，")) and _near_body_key(line.text)]
        return (with_comma or candidates or [None])[0]


def _ends_footnotes(line: str) -> bool:
    """A footnote block normally runs to the page break; these lines end it early if none comes."""
    return bool(_OP_LABEL.match(line) or _body_key(line) in BODY_LINES or _MEETING_RE.match(line)
                or line.startswith("["))


def _normalise_chars(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2011", "-").replace("\t", "    ")
    return "".join(" " if c in _SPACES else "" if c in _ZERO_WIDTH else c for c in text)


def _glue_superscripts(lines: list[str]) -> list[str]:
    """`42` / `e` / ` séance` (a superscript the extractor put on its own line) → `42e séance`."""
    out = list(lines)
    filled = [i for i, line in enumerate(out) if line.strip()]
    for pos, i in enumerate(filled[:-1]):
        j = filled[pos + 1]
        if re.fullmatch(r"\d{1,5}", out[i].strip()) and out[j].strip() in ORDINAL_SUFFIXES:
            merged = out[i].rstrip() + out[j].strip()
            out[j] = ""
            if pos + 2 < len(filled):
                k = filled[pos + 2]
                if len(out[k].strip()) <= 40 and (out[k].strip()[:1].isalpha() or out[k].strip()[:1] == "("):
                    merged += " " + out[k].strip()
                    out[k] = ""
            out[i] = merged
    return out


def _furniture(line: str) -> list[str] | None:
    """The symbols on a page header/footer line, or None when the line is real text."""
    if line.lower() in FURNITURE_PHRASES:
        return []
    tokens = line.split()
    if not all(_FURNITURE_TOKEN.fullmatch(t) for t in tokens):
        return None
    if len(tokens) == 2 and tokens[0].isdigit() and tokens[1] == "-":
        return None  # the Arabic "11 -" printed alone, its "(أ)" below (S/RES/2592 (2021) AR): a label
    return [found.printed for found in symbols.find_all(line)]


def _running_headers(raw: list[str]) -> dict[str, list[str]]:
    """Running headers that print the symbol beside the title (`A/RES/ES-11/1   Aggression
    against Ukraine` on even pages, the other way round on odd ones) → the symbols they print.

    Such a line is a header when its words beside the symbol are short, end no clause, and are
    printed so at least twice, or are the title of the numbered title line (`ES-11/1. Aggression
    against Ukraine`, a header's title maybe cut short with "…"), or the line heads a page (the
    first after a form feed) and its symbol is the document's own, the first the text prints: the
    words alone would be a heading, so the repetition, the title or the page's head is the
    evidence, never the symbol alone."""
    candidates: dict[str, tuple[str, str]] = {}
    heading: set[str] = set()  # candidates seen as the first line of a page
    titles: list[str] = []
    own: str | None = None
    page_head = False
    for raw_line in raw:
        page_head = page_head or "\f" in raw_line
        line = " ".join(raw_line.replace("\f", "").split())
        if not line:
            continue
        first_of_page, page_head = page_head, False
        if m := _TITLE_RE.match(line):
            titles.append((m.group(2) or "").lower())
        found = symbols.SYMBOL_RE.match(line) or symbols.SYMBOL_RE.search(line, max(0, len(line) - 40))
        if own is None and (first := symbols.SYMBOL_RE.search(line)):
            own = normalise_symbol(first.group(0))
        if found is None or not (found.start() == 0 or found.end() == len(line)):
            continue
        rest = (line[found.end():] if found.start() == 0 else line[:found.start()]).strip()
        if rest and len(rest) <= 150 and not _ends_clause(rest) and not rest[:1].isdigit():
            candidates[line] = (rest.lower().rstrip("…. "), found.group(0))
            if first_of_page and normalise_symbol(found.group(0)) == own:
                heading.add(line)
    counts: dict[str, int] = {}
    for rest, _ in candidates.values():
        counts[rest] = counts.get(rest, 0) + 1
    return {line: [symbol] for line, (rest, symbol) in candidates.items()
            if counts[rest] >= 2 or line in heading
            or any(t and (t.startswith(rest) or rest.startswith(t)) for t in titles)}


def _near_body_key(line: str) -> str | None:
    """The body line a line is one or two letters off, as OCR misspells it (a letter doubled or
    lost: "إن مجلس حقوق الإنسسان،"); same number of words, long lines only, None when none is near."""
    key = _body_key(line)
    if len(key) < 12:
        return None
    for known in BODY_LINES:
        if (len(known) >= 12 and abs(len(known) - len(key)) <= 2 and len(known.split()) == len(key.split())
                and difflib.SequenceMatcher(None, key, known).ratio() >= 0.92):
            return known
    return None


def _body_line_key(line: str) -> str:
    key = _body_key(line)
    return key if key in BODY_LINES else (_near_body_key(line) or key)


def _body_key(line: str) -> str:
    key = line.lower().replace("’", "'").replace("ʼ", "'").strip()
    return re.sub(r"\s+", " ", key.rstrip(",،，:： ").strip())


# ---------------------------------------------------------------------------------------------
# Zones: closing block and annexes
# ---------------------------------------------------------------------------------------------


def _is_closing(line: Line, previous: Line | None) -> bool:
    # a footnote marker or a closing quote may follow the last full stop ("the matter.3")
    finished = previous is None or previous.text.endswith("]") or previous.text.rstrip(
        "0123456789’”»)\"'").endswith((".", ";", ":", "。", "؛"))
    text = line.text
    if text.startswith("[") and _vote(text).outcome != "unknown":
        return True
    if not finished:
        return False
    return bool(_MEETING_RE.match(text) or (_find_date(text) and _is_only_date(text)))


def _is_only_date(text: str) -> bool:
    for pattern in _DATE_PATTERNS:
        if pattern.fullmatch(text.strip().rstrip(".")):
            return True
    return False


def _find_closing(lines: list[Line]) -> tuple[int, int]:
    """Indexes where the closing block and the annexes start (len(lines) when absent)."""
    closing = annex = len(lines)
    for i, line in enumerate(lines):
        if closing == len(lines) and i and _is_closing(line, lines[i - 1]):
            closing = i
        if _ANNEX_RE.match(line.text) and not line.text[:1].islower() and i:
            annex = i
            closing = min(closing, i)
            break
    return closing, annex


# ---------------------------------------------------------------------------------------------
# Paragraph segmentation and line joining
# ---------------------------------------------------------------------------------------------


# "إذ"/"وإذ" ("whereas") opens every Arabic preambular paragraph (not "إذا", "if"); OCR may join it
# to the next word ("وإذيحيط")
_AR_PREAMBLE_OPENER = re.compile(r"^و?إذ(?!ا)")


def _paragraph_starts(lines: list[Line], breaks: Breaks, language: str = "") -> list[bool]:
    """Rule 5 of the module docstring: which lines open a paragraph."""
    n = len(lines)
    if breaks == "blank_lines":
        return [i == 0 or line.blank_before for i, line in enumerate(lines)]
    depths = _page_indents(lines)
    indented = [depth > 0 for depth in depths]
    gaps = [line.blank_before for line in lines[1:]]
    # blank lines around page furniture are the page's margins: no evidence of a blank-line layout
    text_gaps = [line.blank_before and not line.break_before for line in lines[1:]]
    open_ended = sum(1 for line in lines if line.text[-1:].isalnum()) / n
    capital_rule = indent_mode = False
    # the line before the first one is the body line, which ends with a comma: a finished line
    # lines that start far in (the closing block's meeting and date, pushed right) are no first lines
    far = 0.4 * sorted(len(line.text) for line in lines)[int(0.8 * (n - 1))]
    # an Arabic preambular paragraph opens with "إذ"/"وإذ" ("whereas"): after a line OCR read
    # without its closing comma, that is the evidence the comma would have been
    after_end = [i == 0 or _ends_clause(lines[i - 1].text)
                 or (language == "ar" and bool(_AR_PREAMBLE_OPENER.match(lines[i].text)))
                 for i in range(n) if indented[i] and depths[i] <= far]
    if after_end and sum(indented) < n and sum(after_end) >= 0.7 * len(after_end):
        signal, indent_mode = indented, True  # first-line indents: indented lines follow finished paragraphs
    elif any(text_gaps) and (sum(text_gaps) < 0.8 * len(text_gaps) or open_ended <= 0.3):
        signal = [False, *gaps]
        capitalised = language not in LOWERCASE_STARTS
        for i in range(1, n):
            # a blank line is no paragraph end where the paragraph visibly goes on: the next line
            # starts in lower case (in a language whose paragraphs start with a capital, or after a
            # line that ends no clause); at a page break, whose margins are blank lines anyway, a
            # line before that ends no clause is enough
            unfinished, lower = not _ends_clause(lines[i - 1].text), lines[i].text[:1].islower()
            at_page_break = lines[i].break_before and (unfinished or lower)
            if signal[i] and ((lower and (capitalised or unfinished)) or at_page_break):
                signal[i] = False
    else:
        signal, capital_rule = [False] * n, True
    # in indent mode, a page whose lines all sit at its own edge shows no indent to read (a page of
    # one-line paragraphs): there a capital after a finished line opens a paragraph, as without indents
    flat = _flat_pages(lines, indented) if indent_mode else [False] * n
    typical = sorted(len(line.text) for line in lines)[int(0.8 * (n - 1))]
    starts = []
    for i, line in enumerate(lines):
        # a previous line that ends a clause, or is much shorter than a full line although this line's
        # first word would have fitted on it, has ended its paragraph ("1. Decides⏎Secretary-General"
        # is short because the long word did not fit: no paragraph end)
        previous = lines[i - 1].text if i else ""
        short = len(previous) < 0.7 * typical and len(previous) + 1 + len(line.text.split(" ", 1)[0]) <= typical
        ended = i > 0 and (_ends_clause(previous) or short)
        alone = bool(_LABEL_ONLY.match(line.text))  # a label printed on a line of its own, its text below
        numbered = (bool(_OP_LABEL.match(line.text) or (alone and line.text[:1].isdigit())) and i > 0
                    and not lines[i - 1].text.endswith("-"))
        # "(c)" after a line ending ";" may be a running list inside a paragraph: trust indents if any
        labelled = numbered or ((not indent_mode or flat[i]) and ended and bool(_SUB_LABEL.match(line.text) or alone))
        # Arabic has no capitals: with no other mark, a line after one that ends a clause opens a
        # paragraph (S/RES/2580 (2021) AR, one unnumbered PP and the lone OP, printed without indents)
        capital = (capital_rule or flat[i]) and ended and (line.text[:1].isupper()
                                              or (language == "ar" and _ends_clause(previous)))
        starts.append(i == 0 or signal[i] or labelled or capital)
    for i in range(1, n):  # a heading between a finished paragraph and the next start stands alone
        if (not starts[i] and lines[i - 1].text.endswith((".", ";", ":")) and _is_heading(lines[i].text)
                and not lines[i].text[:1].islower() and (i + 1 == n or starts[i + 1])):
            starts[i] = True
    return starts


def _flat_pages(lines: list[Line], indented: list[bool]) -> list[bool]:
    """Per line: whether its page (lines between page breaks, two or more) is a page of one-line
    paragraphs: no line indented beyond the page's edge (`_page_indents`), and most lines ending a
    clause. The second condition tells it from a page that only continues one long paragraph (a
    presidential statement's second page), whose lines are at the edge too but run on mid-sentence."""
    out: list[bool] = []
    page: list[int] = []

    def close() -> None:
        ending = sum(1 for i in page if _ends_clause(lines[i].text))
        out.extend([len(page) > 1 and not any(indented[i] for i in page) and ending >= 0.6 * len(page)]
                   * len(page))
        page.clear()

    for i, line in enumerate(lines):
        if line.break_before and page:
            close()
        page.append(i)
    close()
    return out


_TRAILING_MARKS = "0123456789’”»)]\"'\u200e\u200f\u061c\u200b "


def _ends_clause(text: str) -> bool:
    """Ends with clause punctuation; a footnote marker, closing quote or a right-to-left mark after
    it is allowed ("environment,7", "Elections,”", the Arabic "ومبادئه،\u200f")."""
    return text.rstrip(_TRAILING_MARKS).endswith(_CLAUSE_END)


_PREAMBULAR_END = (",", ";", "،", "؛", "，", "；")


def _ends_preambular(text: str) -> bool:
    """Ends the way a preambular paragraph does: a comma (or a semicolon between clauses)."""
    return text.rstrip(_TRAILING_MARKS).endswith(_PREAMBULAR_END)


def _segment(lines: list[Line], vocabulary: set[str], breaks: Breaks, language: str = "",
             joined: list[str] | None = None, indents: list[int] | None = None) -> list[str]:
    """Paragraph texts; `joined` gets the first words of each line that continues a paragraph
    across a page break (for `reso inspect`); `indents` gets each text's first-line indent, counted
    from its page's left edge (`_page_indents`)."""
    groups: list[list[str]] = []
    firsts: list[int] = []
    for line, start, depth in zip(lines, _paragraph_starts(lines, breaks, language), _page_indents(lines)):
        if start or not groups:
            groups.append([])
            firsts.append(depth)
        elif line.break_before and joined is not None:
            joined.append(" ".join(line.text.split()[:4]))
        groups[-1].append(line.text)
    out = [(text, depth) for text, depth in zip((_clean(_join_lines(g, vocabulary)) for g in groups), firsts) if text]
    if indents is not None:
        indents.extend(depth for _, depth in out)
    return [text for text, _ in out]


def _page_indents(lines: list[Line]) -> list[int]:
    """Each line's indent beyond the text's left edge, the edge read page by page.

    A PDF page's text block may sit a character further right or left than the previous page's
    (A/RES/ES-11/1: continuation lines at 17 spaces on page 1, 18 on page 2), so one edge for the
    whole text would make every line of a page look indented. A page's edge is its least indented
    line; a page too short to show one (a line or two) takes the previous page's."""
    out: list[int] = []
    page: list[Line] = []
    base: int | None = None

    def close() -> None:
        nonlocal base
        if page:
            least = min(line.indent for line in page)
            if base is None or len(page) > 2 or least < base:
                base = least
            out.extend(max(0, line.indent - base) for line in page)
            page.clear()

    for line in lines:
        if line.break_before and page:
            close()
        page.append(line)
    close()
    return out


def _vocabulary(lines: Iterable[Line]) -> set[str]:
    """Words the document spells whole on a line: the evidence for rule 6's soft-hyphen test."""
    words: set[str] = set()
    for line in lines:
        text = line.text.rstrip("-\u00ad")
        found = _WORD.findall(text)
        if found and line.text.endswith(("-", "\u00ad")):
            found = found[:-1]
        words.update(w.lower() for w in found)
    return words


_JOIN_TAIL = 400  # characters at the end of the text joined so far that the next join may look at


def _join_lines(lines: list[str], vocabulary: set[str]) -> str:
    """Rule 6 over a paragraph's lines. A join only looks at the end of the text joined so far (the
    word before a line-final hyphen), so each join is given a bounded tail: joining stays linear in
    the paragraph's length, where rescanning the whole text at each line took minutes for a
    paragraph of 20,000 lines."""
    done: list[str] = []
    tail = lines[0]
    for nxt in lines[1:]:
        tail = _join_pair(tail, nxt, vocabulary)
        if len(tail) > 2 * _JOIN_TAIL:
            done.append(tail[:-_JOIN_TAIL])
            tail = tail[-_JOIN_TAIL:]
    return "".join(done) + tail


_LETTER = re.compile(r"[^\W\d_]")
# An ideograph, kana or full-width mark: the line breaks of such text are no spaces
_WIDE = re.compile(f"[{_CJK}\u3000-\u303f\uff00-\uffef]")
_RTL_LETTER = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_LETTERS = re.compile(r"[^\W\d_]+")
_LAST_LETTERS = re.compile(r"[^\W\d_]+$")


def _join_pair(left: str, right: str, vocabulary: set[str]) -> str:
    """Rule 6: join two wrapped lines, repairing a word broken at the end of the first.

    Only the last characters of `left` are examined (never a scan of all of it), and the part of
    the broken word before the hyphen is read from its last 100 characters."""
    left, right = left.rstrip(), right.strip()
    starts_letter = right[:1].isalpha()
    if left.endswith("\u00ad"):
        return left[:-1] + right
    if _WIDE.match(left[-1:]) or _WIDE.match(right[:1]):
        return left + right  # Chinese and Japanese run on across a line break without a space
    if left.endswith(" -") and _LETTER.fullmatch(left[-3:-2]) and starts_letter:
        if _RTL_LETTER.match(left[-3:-2]):
            return f"{left} {right}"  # Arabic is never hyphenated: "السودان -⏎جناح" is a spaced dash
        return left[:-2] + "-" + right
    if left.endswith("-") and _LETTER.fullmatch(left[-2:-1]) and starts_letter:
        tail = _LETTERS.match(right).group(0)  # type: ignore[union-attr]  # right starts with a letter
        if tail.lower() in SUSPENDED_HYPHEN_NEXT:  # the word "and", whatever follows it ("and,", "and3")
            return f"{left} {right}"
        head = _LAST_LETTERS.search(left[-101:-1]).group(0)  # type: ignore[union-attr]  # left[-2] is a letter
        joined, hyphenated = (head + tail).lower(), f"{head}-{tail}".lower()
        soft = right[0].islower() and joined in vocabulary and hyphenated not in vocabulary
        return left[:-1] + right if soft else left + right
    return f"{left} {right}"


def _clean(text: str) -> str:
    """Rule 7: spacing."""
    text = text.replace("\u00ad", "")
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,.])(?=\s|$|[)\]»”])", r"\1", text)
    text = re.sub(r"([(\[])\s+", r"\1", text)
    # a ")" or "]" glued to the next letter opens a bracket (the Arabic vote typed mirrored,
    # "نظره. ]اعتُمد بتصويت …["): its space stays
    text = re.sub(r"\s+([)\]])(?![^\W\d_])", r"\1", text)
    return text.strip()


# ---------------------------------------------------------------------------------------------
# Structure: PP / OP / sub-paragraphs, footnotes
# ---------------------------------------------------------------------------------------------


# An Arabic letter standing alone as a word: the conjunction or preposition glued to the number it
# introduces ("الفقرتان 5 و10", "and 10"), never a word a footnote marker follows
_LONE_ARABIC_LETTER = r"(?<![^\W\d_])[\u0600-\u06ff]"
# Where a footnote marker may stand: glued to a letter (not a CJK ideograph: "目标3.9"; not a lone Arabic letter), to a letter
# or closing mark plus punctuation, to a year, or to a resolution number plus punctuation
# ("49/19,2"); never to a decimal ("28,2 %"). Compiled once: building one pattern per note cost
# seconds on a text with hundreds of notes.
_MARK_PUNCT = "[.;,:，；：。、]"
_GLUED = (rf"(?:(?<=[^\W\d_{_CJK}])(?<!{_LONE_ARABIC_LETTER})|(?<=[^\W\d_]{_MARK_PUNCT})|(?<=[)\]’”»）》」』])"
          rf"|(?<=[)\]’”»）》」』]{_MARK_PUNCT})"
          rf"|(?<=\b(?:19|20)\d\d)|(?<=\b(?:19|20)\d\d{_MARK_PUNCT})"
          rf"|(?<=[{_CJK}](?:19|20)\d\d)|(?<=[{_CJK}](?:19|20)\d\d{_MARK_PUNCT})"
          rf"|(?<=/\d{_MARK_PUNCT})|(?<=/\d\d{_MARK_PUNCT})|(?<=/\d\d\d{_MARK_PUNCT}))")
_MARKER_DIGITS = re.compile(rf"{_GLUED}([0-9]{{1,3}})")
_MARKER_END = re.compile(r"(?=[\s,;:)’”»，；：。、）]|\.(?!\d)|$)")
# In Chinese a marker glued to a closing title mark or a punctuation mark ("《宣言》¹", "工作，²"), or
# to a year within the Chinese text ("包括2023¹⁰年"), is followed by the next ideograph or opening
# mark directly ("《原则》⁴(《巴黎原则》)")
_CJK_MARK_BEFORE = frozenset("》」』），；：。、")
_CJK_NEXT = re.compile(f"[{_CJK}(（《「『“【]")
_CJK_YEAR_BEFORE = re.compile(f"[{_CJK}](?:19|20)\\d\\d$")


def _ends_marker(text: str, start: int, end: int) -> bool:
    """A marker's digits may end at `end`: before a space or punctuation, or before an ideograph
    or opening mark when the marker is glued to a Chinese closing or punctuation mark or to a
    year in Chinese text."""
    if _MARKER_END.match(text, end):
        return True
    return bool(start and _CJK_NEXT.match(text, end)
                and (text[start - 1] in _CJK_MARK_BEFORE or _CJK_YEAR_BEFORE.search(text[max(0, start - 5):start])))


class _Footnotes:
    """Rule 3 of the module docstring: footnote markers are found in sequence, each after the one
    before, so other numbers in the text are never taken for markers.

    Note n's marker is the first ``str(n)`` that starts where `_GLUED` holds and ends where
    `_MARKER_END` holds. A glued position always starts a run of `_MARKER_DIGITS` (a year glue
    needs four digits before it, more than a run holds), so scanning those runs finds every
    candidate in one pass."""

    def __init__(self, notes: dict[int, str]):
        self.notes = {n: _clean(t) for n, t in notes.items()}
        self.order = sorted(self.notes)

    @staticmethod
    def _find(n: int, text: str, pos: int = 0) -> tuple[int, int] | None:
        """Span of note n's marker at or after `pos`, or None."""
        wanted = str(n)
        for m in _MARKER_DIGITS.finditer(text, pos):
            start = m.start(1)
            if text.startswith(wanted, start) and _ends_marker(text, start, start + len(wanted)):
                return start, start + len(wanted)
        return None

    def prune(self, texts: Iterable[str]) -> None:
        """Forget the notes whose marker is nowhere in the text."""
        everything = "\n".join(texts)
        present: set[int] = set()
        for m in _MARKER_DIGITS.finditer(everything):
            digits, start = m.group(1), m.start(1)
            for k in range(1, len(digits) + 1):
                if (k == 1 or digits[0] != "0") and _ends_marker(everything, start, start + k):
                    present.add(int(digits[:k]))
        self.order = [n for n in self.order if n in present]

    def strip(self, text: str, into: list[str] | None = None) -> str:
        pos = 0
        while self.order:
            span = self._find(self.order[0], text, pos)
            if span is None:
                break
            text, pos = text[:span[0]] + text[span[1]:], span[0]
            n = self.order.pop(0)
            if into is not None:
                into.append(self.notes[n])
        return text


def _label(text: str) -> tuple[str, str | None, str] | None:
    """(label as printed, id key, rest) for a sub-paragraph label; the key is None for a bullet.

    Keys follow the AKN reader (`label_key`), so every format and language gives the same ids:
    "(a)", "a)", "a." and the Arabic "(أ)" are all `a`."""
    if m := _BULLET.match(text):
        return m.group(1), None, text[m.end():]
    m = _SUB_LABEL.match(text)
    if not m:
        # "A. To assist the parties in concluding the Lusaka Protocol by:" (S/RES/1433 (2002), OP3(a)):
        # a capital letter whose words end a clause is an item; "A. Mandate" is a heading
        if (c := _CAPITAL_ITEM.match(text)) and len(text) - c.end() >= 40 and _ends_clause(text):
            return c.group(1) + ".", label_key(c.group(1)), text[c.end():]
        return None
    core = m.group("p") or m.group("r") or m.group("n") or m.group("d") or m.group("c") or m.group("q")
    if core != core.lower():
        return None  # "(A)" / "A." are headings or quoted text, not sub-paragraphs
    return m.group(0).strip(), label_key(m.group(0)), text[m.end():]


def _attach_child(parent: Paragraph, printed: str, key: str | None, text: str, bullets: dict[int, int]) -> Paragraph:
    """Place a labelled sub-paragraph at level 1 or, for a new list under an item ending in ':',
    at level 2 (OP1(a)(i)); bullets get positional keys bullet1, bullet2… as in the AKN reader.
    `bullets` counts the bullets given so far per host (by `id`), rather than recounting a host's
    children at every bullet, which was quadratic in a list of thousands of bullets."""
    host = parent
    if parent.children and key is not None:
        last = parent.children[-1]
        continues_nested = bool(last.children) and label_follows(_key(last.children[-1]), key)
        opens_nested = not last.children and last.text.endswith(":") and key in FIRST_KEYS and key != _key(last)
        if continues_nested or opens_nested:
            host = last
    if key is None:
        bullets[id(host)] = bullets.get(id(host), 0) + 1
        key = f"bullet{bullets[id(host)]}"
    child = Paragraph(pid=f"{host.pid}({key})", kind="subparagraph", text=text, number=printed)
    host.children.append(child)
    return child




def _key(p: Paragraph) -> str:
    return p.pid.rsplit("(", 1)[-1].rstrip(")")


# `akn._unpunctuated_heading`: an unpunctuated paragraph this long after the preamble is no heading
_PREAMBLE_HEADING_MAX = 120


def _is_heading(text: str) -> bool:
    return len(text) < 150 and not _ends_clause(text)


def _settle(top: Paragraph, guessed: list[Paragraph], next_key: str | None, warnings: list[str]) -> None:
    """Unlabelled paragraphs after an operative paragraph ending with ":" are its first sub-paragraphs
    whose labels the extraction lost (A/RES/80/12 as Markdown: OP7's "(a)" and "(b)" are gone, "(c)"
    to "(i)" are printed) when the first printed label is the next letter after them ("(c)" after
    two), or when no label follows at all and there are at least two of them (OP8's (a) and (b)):
    they get the letters a, b, … in order, and a warning says so. Otherwise they were the
    paragraph's own words and go back into its text."""
    if not guessed:
        return
    expected = _LATIN[: len(guessed)]
    if (next_key is None and len(guessed) >= 2) or (next_key is not None and next_key == _LATIN[len(guessed)]):
        for child, letter in zip(guessed, expected):
            child.pid = f"{top.pid}({letter})"
        warnings.append(f"{top.pid}: sub-paragraph labels ({expected[0]})–({expected[-1]}) inferred, "
                        "the text prints none")
    else:
        top.children = [c for c in top.children if c not in guessed]
        top.text = " ".join([top.text, *(c.text for c in guessed)])
        for c in guessed:
            top.footnotes.extend(c.footnotes)
    guessed.clear()


_LATIN = "abcdefghijklmnopqrstuvwxyz"


def _structure(texts: list[str], notes: _Footnotes, warnings: list[str] | None = None,
               indents: list[int] | None = None, line_chars: int | None = None) -> list[Paragraph]:
    """Rule 8 of the module docstring: paragraph texts in order → PP/OP paragraphs with children.

    Continuation texts are collected and joined to their paragraph when the next paragraph starts
    (rather than concatenated one by one, quadratic when thousands follow one paragraph)."""
    warnings = [] if warnings is None else warnings
    paragraphs: list[Paragraph] = []
    top: Paragraph | None = None
    last: Paragraph | None = None
    pending: list[str] = []  # labels printed apart from their text ("1."), waiting for it
    continued: list[str] = []  # unnumbered texts continuing `last`
    bullets: dict[int, int] = {}

    guessed: list[Paragraph] = []  # unlabelled paragraphs under an OP ending with ":" (see `_settle`)
    depth: dict[int, int] = {}  # first-line indent of each paragraph made (by `id`), for `_renest`
    pending_depth: int | None = None

    def flush() -> None:
        if continued and last is not None:
            last.text = " ".join([last.text, *continued])
        continued.clear()

    for k, raw in enumerate(texts):
        here = indents[k] if indents is not None and k < len(indents) else None
        if _LABEL_ONLY.match(raw):  # "1." printed apart from its text
            if not pending:
                pending_depth = here
            pending.append(raw)
            continue
        if (len(pending) == 1 and pending[0][:1].isdigit() and _label(raw) and here is not None
                and pending_depth is not None and here >= pending_depth + _DEEPER):
            # "58." alone, then "(a) Requests…" deeper: OP58 prints no words of its own, (a) is its first item
            flush()
            if top is not None:
                _settle(top, guessed, None, warnings)
            number = pending[0].rstrip(".- ")  # "58." or the Arabic "11 -"
            top = last = Paragraph(pid=f"OP{number}", kind="operative", text="", number=number)
            paragraphs.append(top)
            depth[id(top)] = pending_depth
            pending.clear()
        if pending:
            here = pending_depth
        raw = " ".join([*pending, raw])
        pending.clear()
        made = last
        footnotes: list[str] = []
        text = notes.strip(raw, footnotes)
        number, text = _op_number(text, top)
        sub = None if number else _label(text)
        if number:
            flush()
            if top is not None:
                _settle(top, guessed, None, warnings)
            top = last = Paragraph(pid=f"OP{number}", kind="operative", text=text, number=number)
            paragraphs.append(top)
        elif sub and top is not None:
            flush()
            if guessed:
                _settle(top, guessed, sub[1], warnings)
            last = _attach_child(top, *sub, bullets)
        elif (top is not None and top.kind == "operative" and (guessed or (not top.children and top.text.endswith(":")))
              and text[:1].isupper() and _ends_clause(text)):
            flush()  # "Requests the Secretary-General:" then "To continue …;" whose "(a)" the extraction lost
            last = Paragraph(pid="", kind="subparagraph", text=text)
            top.children.append(last)
            guessed.append(last)
        elif (_is_heading(text) and not text[:1].islower() and not _AR_PREAMBLE_OPENER.match(text)
              and not (top is not None and top.kind == "preambular" and len(text) >= _PREAMBLE_HEADING_MAX)
              and not (top is not None and top.kind == "preambular" and k + 1 < len(texts)
                       and _ends_preambular(texts[k + 1]) and not _op_number(notes.strip(texts[k + 1]), None)[0])):
            # CONTRACTS §1: headings ("Follow-up", "Mandate of the mission") are not paragraphs; one
            # between preambular paragraphs (the next one ends with a comma) is a preambular paragraph,
            # as the AKN markup has it (a <container> of S/RES/2806 (2025), "Degrading the threat posed
            # by Al-Shabaab, and the Arms Embargo targeting Al-Shabaab"), but not the one right before
            # OP1 (`akn._unpunctuated_heading`) nor the closing "4745th meeting"; an Arabic "وإذ …"
            # is a preambular paragraph whose closing comma OCR lost, no heading; after a preambular
            # paragraph, an unpunctuated one as long as `_PREAMBLE_HEADING_MAX` is a PP whose comma
            # was not typed, as the AKN reader counts it (S/RES/2504 (2020) EN PP6 "Underscoring that
            # … carry out the Council’s decisions", 145 characters, right before OP1)
            continue
        elif top is None or top.kind == "preambular":
            flush()
            top = last = Paragraph(pid=f"PP{len(paragraphs) + 1}", kind="preambular", text=text)
            paragraphs.append(top)
        elif last is not None:
            continued.append(text)  # an unnumbered continuation after a numbered paragraph
        if last is not None:
            last.footnotes.extend(footnotes)
            if last is not made and here is not None:
                depth[id(last)] = here
    flush()
    if top is not None:
        _settle(top, guessed, None, warnings)
    if indents is not None:
        paragraphs = _renest(paragraphs, depth, line_chars)
    if paragraphs and all(p.kind == "preambular" for p in paragraphs) and not _ends_preambular(paragraphs[-1].text):
        # no numbered paragraph: a final one that does not end as a preambular one (with a comma) is
        # the single operative paragraph: "….", "….”" (a presidential statement, S/PRST/2020/11),
        # or a list of names without a full stop (S/RES/1477 (2003) "Forwards the following
        # nominations …: … (Panama)"); it keeps number None, as nothing is printed
        paragraphs[-1].pid, paragraphs[-1].kind = "OP1", "operative"
    return paragraphs


_DEEPER = 4  # characters (a level is 1 cm, 7 or 8 of them): this much further in is a level deeper;
# less is the approximate widths of right-to-left runs (`pdf.rtl_page_text`)


def _renest(tops: list[Paragraph], depth: dict[int, int], line_chars: int | None = None) -> list[Paragraph]:
    """Sub-paragraph levels from the first-line indents that pypdf's layout mode keeps as leading
    spaces (`common.renest`, the rule the DOCX reader applies to Word's indents). A level (1 cm)
    is 7 or 8 Latin characters but 3 or 4 ideographs: about half of it, measured by the characters
    of a full line (the 14.6 cm column), is a level deeper; `_DEEPER` without that measure."""
    deeper = max(1, round(line_chars / 25)) if line_chars else _DEEPER
    return renest(tops, depth, deeper)


def _op_number(text: str, top: Paragraph | None) -> tuple[str | None, str]:
    """("3", rest) for "3. Decides…"; also the next number typed without its full stop after an
    operative paragraph ("5 Encourages…" after OP4, as A/HRC/RES/54/27 prints it)."""
    if m := _OP_LABEL.match(text):
        return m.group(1), text[m.end():]
    if top is not None and top.kind == "operative" and (top.number or "").isdigit():
        following = str(int(top.number) + 1)
        if (m := re.match(rf"{following}\s+(?=[^\W\d_])", text)) and text[m.end()].isupper():
            return following, text[m.end():]
    return None, text


def _annex_paragraphs(lines: list[Line], vocabulary: set[str], breaks: Breaks,
                      notes: _Footnotes, language: str = "") -> list[Paragraph]:
    """Each `Annex` heading opens ANNEX<k>; its paragraphs get the main text's ids under that
    prefix, as in the AKN reader: ANNEX1.PP1 (unnumbered, before any number), ANNEX1.OP2,
    ANNEX1.OP2(a)."""
    out: list[Paragraph] = []
    k, block = 0, []
    for line in [*lines, None]:
        if line is not None and not _ANNEX_RE.match(line.text):
            block.append(line)
            continue
        if block:
            for top in _structure(_segment(block, vocabulary, breaks, language), notes):
                for p in top.walk():
                    p.pid = annex_pid(k, p.pid)
                top.kind = "annex"
                out.append(top)
        k, block = k + 1, []
    return out


# ---------------------------------------------------------------------------------------------
# Metadata: title, number, symbol, date, meeting, vote
# ---------------------------------------------------------------------------------------------


def _title(cover: list[Line], vocabulary: set[str], body: Body) -> tuple[str, str | None]:
    """`30/25. <title>` (wrapped until the body line) → (title, "30/25"); the Security Council
    numbers without a session (`2699.`)."""
    for i in range(len(cover) - 1, -1, -1):
        m = _TITLE_RE.match(cover[i].text)
        if m and ("/" in m.group(1)) != (body == "SC"):
            parts = [m.group(2) or ""] + [line.text for line in cover[i + 1:]]
            parts = [p for p in parts if p]
            return (_clean(_join_lines(parts, vocabulary)) if parts else ""), m.group(1)
    return "", None


def _find_date(text: str) -> date | None:
    for pattern in _DATE_PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        month = int(m.group("mn")) if "mn" in pattern.groupindex else MONTHS[m.group("m").lower()]
        try:
            return date(int(m.group("y")), month, int(m.group("d")))
        except ValueError:
            continue
    return None


def _vote(text: str) -> Vote:
    for pattern, outcome in VOTE_PATTERNS:
        m = re.search(pattern, text, re.I)
        if not m:
            continue
        counts = {k: int(v) for k, v in m.groupdict().items() if v is not None}
        return Vote(outcome=outcome, in_favour=counts.get("for"), against=counts.get("against"),  # type: ignore[arg-type]
                    abstaining=counts.get("abst"), text=text)
    return Vote(text=text) if text else Vote()


@dataclass
class _Metadata:
    adopted: date | None = None
    meeting: str | None = None
    vote: Vote = field(default_factory=Vote)
    agenda_item: str | None = None
    printed_symbol: str | None = None
    committee: str | None = None
    drafts: list[str] = field(default_factory=list)
    sc_number: tuple[str, int] | None = None

    @classmethod
    def from_lines(cls, cover: list[Line], closing: list[Line]) -> _Metadata:
        meta = cls()
        for line in closing:
            if meta.meeting is None and _MEETING_RE.match(line.text):
                meta.meeting = _MEETING_RE.match(line.text).group(0)
            meta.adopted = meta.adopted or _find_date(line.text)
        closing_text = " ".join(line.text for line in closing)
        bracket = re.search(r"\[[^\]]*\]?", closing_text)
        vote_text = bracket.group(0) if bracket else closing_text
        meta.vote = _vote(_clean(vote_text)) if vote_text else Vote()
        if meta.vote.outcome == "unknown" and not bracket:
            meta.vote = Vote()
        for i, line in enumerate(cover):
            lower = line.text.lower().replace("’", "'")
            if line.text.startswith("[") and meta.committee is None:
                # "[on the report of the Third Committee (A/78/481/Add.2)]", "[without reference to a
                # Main Committee (A/ES-11/L.1 and A/ES-11/L.1/Add.1)]", possibly wrapped
                block = " ".join(later.text for later in cover[i:i + 4])
                block = block[: block.find("]") + 1] if "]" in block else block
                m = re.match(r"\[\s*(?:on the report of the\s+)?([^(\]]+?)\s*(?:\(|\])", block, re.I)
                meta.committee = m.group(1).strip() if m else None
                meta.drafts = list(dict.fromkeys(found.printed for found in symbols.find_all(block)
                                                 if found.kind == "draft"))
            if meta.printed_symbol is None and not line.text.startswith("["):
                # the document's own symbol heads the cover; the draft's, in "[… (A/78/L.5)]" or
                # "(A/ES-11/L.1 …)", is a reference, never the document's
                outside = re.sub(r"\([^()]*\)?", " ", line.text)
                if found := symbols.find_all(outside):
                    meta.printed_symbol = found[0].printed
                    # but a Security Council symbol's own year is kept ("S/RES/2564 (2021)" at the top of
                    # a scan whose adoption line OCR misread)
                    year = re.search(re.escape(found[0].printed) + r"\s*\((\d{4})\)", line.text)
                    if year and re.fullmatch(r"S/RES/\d+", found[0].printed):
                        meta.printed_symbol = f"{found[0].printed} ({year.group(1)})"
            if (m := _SC_NUMBER_RE.match(line.text)) and meta.sc_number is None:
                meta.sc_number = (m.group(1), int(m.group(2)))
            if any(stem in lower for stem in ADOPTION_STEMS):
                # "Adopted by the Security Council at its 9430th meeting, on 2 October 2023" may wrap
                window = " ".join(later.text for later in cover[i:i + 4])
                meta.adopted = meta.adopted or _find_date(window)
                if meta.meeting is None and (m := _COVER_MEETING_RE.search(window)):
                    meta.meeting = m.group(0)
            for phrase in AGENDA_PHRASES:
                # "Agenda item 5" on its own line (PDF), or "Eightieth session Agenda item 90 (b) …" (Markdown)
                at = lower.find(phrase)
                if at >= 0 and meta.agenda_item is None and (at == 0 or lower[at - 1] == " "):
                    meta.agenda_item = line.text[at + len(phrase):].strip(" :.") or None
        return meta


def _identify(body: Body, number: str | None, meta: _Metadata, furniture: list[str], source: str,
              hint: str | None = None, warnings: list[str] | None = None
              ) -> tuple[str | None, str | None, str | None]:
    """CONTRACTS §1: a printed symbol wins (the cover's, else a running header's); else the one
    the file states outside its text (`hint`); else infer from number and body; else the file
    name. Every symbol not printed is said in `warnings`."""
    warnings = [] if warnings is None else warnings
    symbol = meta.printed_symbol or next((s for s in furniture if symbols.kind_of(s) == "resolution"), None)
    if symbol is None and number is None and not meta.sc_number:
        symbol = next(iter(furniture), None)  # a draft's or a statement's running header
    if symbol is None and hint and symbols.parse(hint):
        symbol = hint
        warnings.append(f"the text prints no symbol: {hint} taken from the front matter")
    if symbol is None and meta.sc_number:
        symbol = infer_symbol("SC", meta.sc_number[0], meta.sc_number[1])
    if symbol is None and number is not None:
        year = meta.adopted.year if meta.adopted else None
        if body != "SC" or year is not None:
            symbol = infer_symbol(body, number, year)
            warnings.append(f"the text prints no symbol: {symbol} inferred from its number {number}")
    if symbol is None and source:
        named = symbols.symbol_from_filename(Path(source).name)
        if named and (not named.startswith("S/RES/") or "(" in named or meta.adopted):
            symbol = symbols.with_year(named, meta.adopted.year if meta.adopted else None)
            warnings.append(f"the text prints no symbol: {symbol} read from the file name")
    if symbol is None:
        return None, number, None
    symbol = re.sub(r"\s*\(", " (", symbol.strip())
    # an SC symbol printed without its year ("S/RES/1" wrapped before "(2006)") takes the adoption year
    symbol = symbols.with_year(symbol, meta.sc_number[1] if meta.sc_number else meta.adopted.year if meta.adopted else None)
    if number is None:
        parsed = symbols.parse(symbol)
        number = parsed.number if parsed else None
    session = number.split("/")[0] if number and "/" in number and body != "SC" else None
    return symbol, number, session


def _references(paragraphs: list[Paragraph], body: Body, exclude: str) -> list[str]:
    """Symbols printed in the text and resolutions cited by their number ("its resolution 5/1"),
    read as the AKN reader reads them (`extract_references`), without duplicates or the text itself."""
    found: dict[str, str] = {}
    for top in paragraphs:
        for p in top.walk():
            for text in [p.text, *p.footnotes]:
                for ref in [m.group(0) for m in _REFERENCE_RE.finditer(text)] + extract_references(text, body):
                    found.setdefault(normalise_symbol(ref), ref)
    found.pop(exclude, None)
    return list(found.values())
