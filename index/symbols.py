"""UN document symbols of every kind a resolution reader meets, and the document kind each names.

CONTRACTS §1: a document keeps its symbol as printed and has a kind — `resolution`, `draft`,
`decision` or `statement`. The symbols recognised, as the UN prints them:

* resolutions: `A/RES/78/204`, emergency and special sessions `A/RES/ES-11/1`, `A/RES/S-32/1`,
  old-style `A/RES/377 (V)`; `A/HRC/RES/30/25`, special sessions `A/HRC/RES/S-35/1`;
  `S/RES/2699 (2023)` (the year in brackets is the adoption year);
* drafts: `A/78/L.5`, `A/ES-11/L.1`, `A/S-32/L.1`, committees `A/C.3/78/L.12`, `A/HRC/56/L.1`,
  `A/HRC/S-35/L.1`, with revisions and addenda (`/Rev.1`, `/Add.1`);
* decisions: `A/HRC/DEC/55/101`, `A/DEC/78/501`;
* Security Council presidential statements: `S/PRST/2020/11`.

A draft is never given a resolution symbol: its kind comes from its own symbol, and a reader that
meets a draft's symbol at the head of a document files it under that symbol. File names follow the
UN's own convention (`A_RES_ES-11_1-EN.pdf`, `S_RES_2510 (2020)-2002184F.xml`, `S_PRST_2020_11.xml`,
`A_HRC_RES_54_18A.xml`): `symbol_from_filename` reads them when a file prints no symbol.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reso.index.model import Body, DocumentKind

_SESSION = r"(?:ES-\d{1,2}|S-\d{1,2}|\d{1,3})"
_SUFFIXES = r"(?:\s?/(?:Rev|Add|Corr)\.\d{1,2})*"  # extraction may put a space before "/Add.1"

# order matters: the first pattern that matches at a position wins
_PATTERNS: tuple[tuple[str, DocumentKind, Body | None], ...] = (
    (rf"A/HRC/RES/{_SESSION}/\d{{1,3}}", "resolution", "HRC"),
    (rf"A/HRC/DEC/{_SESSION}/\d{{1,3}}", "decision", "HRC"),
    (rf"A/HRC/{_SESSION}/L\.\d{{1,3}}{_SUFFIXES}", "draft", "HRC"),
    (rf"A/RES/{_SESSION}/\d{{1,3}}(?:\s?[A-Z]\b)?", "resolution", "GA"),
    (r"A/RES/\d{1,4}\s?(?:[A-Z]\s?)?\([IVXL]+\)", "resolution", "GA"),
    (rf"A/DEC/{_SESSION}/\d{{1,3}}", "decision", "GA"),
    (rf"A/C\.\d/{_SESSION}/L\.\d{{1,3}}{_SUFFIXES}", "draft", "GA"),
    (rf"A/{_SESSION}/L\.\d{{1,3}}{_SUFFIXES}", "draft", "GA"),
    (r"S/RES/\d{1,4}\s?\(\d{4}\)", "resolution", "SC"),
    (r"S/RES/\d{1,4}(?![\d(])", "resolution", "SC"),
    (r"S/PRST/\d{4}/\d{1,3}", "statement", "SC"),
)
SYMBOL_RE = re.compile(r"(?<![\w/])(?:" + "|".join(f"({p})" for p, _, _ in _PATTERNS) + r")(?![\w/])")


@dataclass(frozen=True)
class Symbol:
    """One symbol as printed, with what it says about its document."""

    printed: str
    kind: DocumentKind
    body: Body | None

    @property
    def number(self) -> str | None:
        """"30/25", "ES-11/1", "2699" (SC), "2020/11" (a statement); None for drafts."""
        if self.kind == "draft":
            return None
        if m := re.match(r"S/RES/(\d+)", self.printed):
            return m.group(1)
        m = re.match(r"S/PRST/(\d{4})/(\d+)", self.printed) or re.search(
            rf"/({_SESSION})/(\d+)(?:\s?[A-Z])?$", self.printed)
        return f"{m.group(1)}/{m.group(2)}" if m else None

    @property
    def session(self) -> str | None:
        """"30", "ES-11", "S-32"; None for the Security Council, whose symbols carry a year."""
        if self.body == "SC":
            return None
        m = re.search(rf"/({_SESSION})/(?:L\.)?\d", self.printed)
        return m.group(1) if m else None

    @property
    def year(self) -> int | None:
        m = re.search(r"\((\d{4})\)$", self.printed) or re.match(r"S/PRST/(\d{4})/", self.printed)
        return int(m.group(1)) if m else None


def parse(text: str) -> Symbol | None:
    """The symbol `text` is (spaces around it allowed), or None."""
    text = " ".join(text.split())
    m = SYMBOL_RE.fullmatch(text)
    return _symbol(m) if m else None


def find_all(text: str) -> list[Symbol]:
    """Every symbol printed in `text`, in order."""
    return [_symbol(m) for m in SYMBOL_RE.finditer(text)]


def _symbol(m: re.Match[str]) -> Symbol:
    index = next(i for i, group in enumerate(m.groups()) if group is not None)
    _, kind, body = _PATTERNS[index]
    printed = re.sub(r"\s+/", "/", m.group(0))
    printed = re.sub(r"\s*\(", " (", printed) if body == "SC" else printed
    return Symbol(printed, kind, body)


def kind_of(symbol: str) -> DocumentKind:
    """The document kind a symbol names; `resolution` for a symbol of no known kind."""
    found = parse(symbol)
    return found.kind if found else "resolution"


_FILENAME = (
    (re.compile(r"A_HRC_RES_(S-?\d+|\d+)_(\d+)", re.I), lambda m: f"A/HRC/RES/{_dash(m[1])}/{m[2]}"),
    (re.compile(r"A_HRC_DEC_(S-?\d+|\d+)_(\d+)", re.I), lambda m: f"A/HRC/DEC/{_dash(m[1])}/{m[2]}"),
    (re.compile(r"A_HRC_(S-?\d+|\d+)_L\.?(\d+)", re.I), lambda m: f"A/HRC/{_dash(m[1])}/L.{m[2]}"),
    (re.compile(r"A_RES_(ES-?\d+|S-?\d+|\d+)_(\d+)", re.I), lambda m: f"A/RES/{_dash(m[1])}/{m[2]}"),
    (re.compile(r"A_C\.?(\d)_(\d+)_L\.?(\d+)", re.I), lambda m: f"A/C.{m[1]}/{m[2]}/L.{m[3]}"),
    (re.compile(r"A_(ES-?\d+|S-?\d+|\d+)_L\.?(\d+)", re.I), lambda m: f"A/{_dash(m[1])}/L.{m[2]}"),
    (re.compile(r"S_RES_(\d{1,4})(?:\s*_?\((\d{4})\)|_(\d{4})(?!\d))?", re.I),
     lambda m: f"S/RES/{m[1]}" + (f" ({m[2] or m[3]})" if (m[2] or m[3]) else "")),
    (re.compile(r"S_PRST_(\d{4})_(\d+)", re.I), lambda m: f"S/PRST/{m[1]}/{m[2]}"),
)


def _dash(session: str) -> str:
    """"ES11" → "ES-11", "s-32" → "S-32"; a plain number unchanged."""
    m = re.fullmatch(r"([A-Za-z]+)-?(\d+)", session)
    return f"{m.group(1).upper()}-{m.group(2)}" if m else session


def symbol_from_filename(name: str) -> str | None:
    """The symbol a file name spells in the UN's convention (`/` written `_`), or None.

    An SC resolution's name may lack its year (`S_RES_2777-2504360S.xml`): the caller adds the
    adoption year (`with_year`)."""
    for pattern, build in _FILENAME:
        if m := pattern.match(name):
            return build(m)
    return None


def with_year(symbol: str, year: int | None) -> str:
    """`S/RES/2777` + 2025 → `S/RES/2777 (2025)`; any other symbol unchanged."""
    if year is not None and re.fullmatch(r"S/RES/\d+", symbol):
        return f"{symbol} ({year})"
    return symbol
