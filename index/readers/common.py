"""What the readers share, without any reader's dependencies (no lxml, pypdf or python-docx).

The text reader (and through it PDF, DOCX, HTML and Markdown) and the AKN reader give the same
ids and the same references for the same paragraph; the two rules they share live here, so that
reading a .txt never loads lxml:

* `label_key`: a printed sub-paragraph label → the id part: "(a)", "a)", "a." → `a`; roman "(ii)"
  → `ii`; Arabic abjad letters أ ب ج د هـ … → a, b, c, d, e …; None for a bullet.
* `extract_references`: the resolutions a paragraph cites (English, French and Spanish wording).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from reso.index.model import Body, Paragraph, infer_symbol

_ARABIC_LETTERS = "أ ب ج د ه و ز ح ط ي ك ل م ن س ع ف ص ق ر ش ت ث خ ذ ض ظ غ".split()
_LATIN_LABELS = [*"abcdefghijklmnopqrstuvwxyz", "aa", "bb"]
_ARABIC = dict(zip(_ARABIC_LETTERS, _LATIN_LABELS)) | {"ا": "a", "إ": "a", "آ": "a"}
_BULLETS = {"", "•", "·", "▪", "◦", "○", "-", "–", "—"}
_SPACES = re.compile(r"\s+")


def label_key(label: str) -> str | None:
    """The id part of a printed sub-paragraph label: "(a)", "a)", "a." → "a"; None for a bullet."""
    core = label.strip().strip("()[].:").strip().replace("\u0640", "")
    core = _ARABIC.get(core, core)
    if core in _BULLETS:
        return None
    return _SPACES.sub("", core).lower()


# ---------------------------------------------------------------------------------------- label sequences

FIRST_KEYS = frozenset({"i", "a", "㈠", "一", "’1‘"})  # the first label of a list

_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def roman_value(s: str) -> int | None:
    if not s or any(c not in _ROMAN for c in s):
        return None
    total = 0
    for a, b in zip(s, s[1:] + " "):
        va, vb = _ROMAN[a], _ROMAN.get(b, 0)
        total += -va if va < vb else va
    return total


def label_follows(previous: str, key: str) -> bool:
    """`key` is the label after `previous` in one list: b after a, ii after i, ㈡ after ㈠, (十一) after ㈩."""
    rp, rk = roman_value(previous), roman_value(key)
    if rp is not None and rk is not None and rk == rp + 1:
        return True
    qp, qk = re.fullmatch(r"’(\d+)‘", previous), re.fullmatch(r"’(\d+)‘", key)  # the Arabic ’1‘, ’2‘
    if qp and qk:
        return int(qk.group(1)) == int(qp.group(1)) + 1
    cp, ck = chinese_number(previous), chinese_number(key)  # ㈩ → (十一): the parenthesised ones stop at ten
    if cp is not None and ck is not None:
        return ck == cp + 1
    return len(previous) == len(key) == 1 and ord(key) == ord(previous) + 1  # a→b, ㈠→㈡


_CHINESE_DIGITS = {c: n for n, c in enumerate("一二三四五六七八九", 1)}


def chinese_number(key: str) -> int | None:
    """㈠…㈩ and 一…九十九 ("十一", "二十三"; a list of more than ten items goes on as "(十一)"), else None."""
    if len(key) == 1 and "\u3220" <= key <= "\u3229":
        return ord(key) - 0x3220 + 1
    m = re.fullmatch(r"([一二三四五六七八九]?)(十?)([一二三四五六七八九]?)", key)
    if not key or not m or (m.group(1) and not m.group(2) and m.group(3)):
        return None
    if not m.group(2):
        return _CHINESE_DIGITS.get(key) if len(key) == 1 else None
    return (_CHINESE_DIGITS[m.group(1)] if m.group(1) else 1) * 10 + (_CHINESE_DIGITS[m.group(3)] if m.group(3) else 0)


# ---------------------------------------------------------------------------------------- references

_RESOLUTION_WORD = re.compile(r"\b(?:resolutions?|résolutions?|resoluci(?:ón|ones))\b", re.IGNORECASE)
_STOP = re.compile(r"[;:]|\b(?:decisions?|décisions?|decisi(?:ón|ones))\b", re.IGNORECASE)
_PRESENT = re.compile(r"(?:present|présente|presente)\s*$", re.IGNORECASE)
# Body names, longest first; "Council" and "Conseil" alone are the HRC: an SC resolution is "n (year)".
_NAMES = (r"General Assembly|Assembly|Assemblée générale|Assemblée|Asamblea General|Asamblea"
          r"|Security Council|Conseil de sécurité|Consejo de Seguridad"
          r"|Economic and Social Council|Conseil économique et social|Consejo Económico y Social"
          r"|Commission on Human Rights|Commission des droits de l.homme|Comisión de Derechos Humanos"
          r"|Human Rights Council|Conseil des droits de l.homme|Consejo de Derechos Humanos|Council|Conseil|Consejo")
_POSSESSIVE = r"its|sa|ses|son|su|sus"
_BEFORE = re.compile(rf"\b({_NAMES}|{_POSSESSIVE})(?:\s+(?:own|propres?|propias?))?\s*$", re.IGNORECASE)
_NAMED_IN = re.compile(rf"\b({_NAMES})\W+(?:in|dans|en)\s*$", re.IGNORECASE)
_GENITIVE = rf"(?:of the\s+|de l[’']\s*|de la\s+|du\s+|del\s+|de\s+)({_NAMES})\b"
_ADJACENT = re.compile(
    rf"\s*,?\s*(?:(?:of|du|de|del|en date du)\s+\d{{1,2}}(?:er)?\s+\w+\s+(?:de\s+)?\d{{4}},?\s*)?{_GENITIVE}",
    re.IGNORECASE)
_ANY_GENITIVE = re.compile(_GENITIVE, re.IGNORECASE)
_NUMBERS = re.compile(
    r"(?<![\w/.-])(?:(?P<sc>\d{1,4})\s*\((?P<year>\d{4})\)|(?P<old>\d{1,4})\s*\((?P<roman>[IVXL]+)\)"
    r"|ES-\s?(?P<es>\d+/\d+)|(?P<session>\d{1,2})/(?P<n>\d{1,3}))(?![\w/])")


def _named_body(name: str) -> str:
    """"GA", "HRC", "SC", "OWN" (a possessive) or "SKIP" (E/CN.4 and ECOSOC resolutions)."""
    name = name.lower()
    if name in _POSSESSIVE.split("|"):
        return "OWN"
    if name.startswith(("commission", "comisión", "economic", "conseil économique", "consejo económico")):
        return "SKIP"
    if "assembl" in name or "asamblea" in name:
        return "GA"
    if "sécurité" in name or "security" in name or "seguridad" in name:
        return "SC"
    return "HRC"


def _body_before(window: str) -> str | None:
    match = _BEFORE.search(window)
    if not match:
        return None
    body = _named_body(match.group(1))
    if body == "OWN":  # "as stated by the General Assembly in its resolution 60/251"
        named = _NAMED_IN.search(window[: match.start()])
        return _named_body(named.group(1)) if named else body
    return body


def _body_after(segment: str, numbers: list[re.Match[str]]) -> str | None:
    """A body named between the word and the numbers ("les résolutions de l’Assemblée générale
    62/149") or right after a number ("la résolution 60/251 de l’Assemblée générale")."""
    lead = _ANY_GENITIVE.search(segment, 0, numbers[0].start())
    if lead:
        return _named_body(lead.group(1))
    for number in numbers:
        adjacent = _ADJACENT.match(segment, number.end())
        if adjacent:
            return _named_body(adjacent.group(1))
    return None


def extract_references(text: str, own: Body) -> list[str]:
    """Symbols of the resolutions a text cites, in order: "its resolution 5/1" in an HRC text is
    A/HRC/RES/5/1, "General Assembly resolution 60/251" A/RES/60/251, "resolution 2653 (2022)"
    S/RES/2653 (2022). English, French and Spanish wording. The body of "n/m" numbers is the one
    named just before the word "resolution", else next to the numbers ("les résolutions de
    l’Assemblée générale 62/149", "la résolution 60/251 de l’Assemblée générale"), else the one of
    the previous "resolution" word of the text ("General Assembly resolution 59/113 ..., and
    resolution 60/251"), else the text's own."""
    found: list[str] = []
    last: str | None = None
    matches = list(_RESOLUTION_WORD.finditer(text))
    for i, match in enumerate(matches):
        window = text[max(matches[i - 1].end() if i else 0, match.start() - 80): match.start()]
        if _PRESENT.search(window):
            continue
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        segment = text[match.end(): min(end, match.end() + 800)]
        stop = _STOP.search(segment)
        segment = segment[: stop.start()] if stop else segment
        numbers = list(_NUMBERS.finditer(segment))
        if not numbers:
            genitive = _ANY_GENITIVE.search(segment)
            last = _body_before(window) or (_named_body(genitive.group(1)) if genitive else last)
            continue
        last = _body_before(window) or _body_after(segment, numbers) or last or "OWN"
        found += _symbols(numbers, own if last == "OWN" else last)
    return found


def _symbols(numbers: list[re.Match[str]], body: str) -> Iterable[str]:
    for m in numbers:
        if m.group("sc"):
            yield f"S/RES/{m.group('sc')} ({m.group('year')})"
        elif m.group("old"):
            yield f"A/RES/{m.group('old')} ({m.group('roman')})"
        elif m.group("es"):
            yield f"A/RES/ES-{m.group('es')}"
        elif body != "SKIP":
            yield infer_symbol("HRC" if body == "HRC" else "GA", f"{m.group('session')}/{m.group('n')}")


def continues_numbering(top: Paragraph, p: Paragraph) -> bool:
    """`p`'s number follows `top`'s ("5" after "4"): a new operative paragraph, not an item of a list
    inside `top` (the indent-nesting rule of the text and DOCX readers)."""
    a, b = (top.number or "").strip(), (p.number or "").strip()
    return a.isdigit() and b.isdigit() and int(b) == int(a) + 1


# ---------------------------------------------------------------------------------------- nesting by indent


def renest(tops: list[Paragraph], depth: dict[int, int | None], deeper: int = 1,
           labels: dict[int, str | None] | None = None) -> list[Paragraph]:
    """Sub-paragraph levels from first-line indents, where the layout shows its levels by them.

    One rule for the text reader (indents from pypdf's layout mode, in characters) and the DOCX
    reader (Word's indents, in twips). A label alone says little about its level: "(i)" after
    "(a)" is nested or a sibling, "1." is a new operative paragraph or an item of a list inside
    one, a dash after an operative paragraph is a bullet of it. A UN page indents each level's
    first line further (an operative paragraph's number at 1 cm, "(a)" at 2 cm, "(i)" at 3 cm,
    "–" at 4 cm). When the labels' nesting agrees with the indents (80 % of children start at
    least `deeper` further in than their parents), the paragraphs are nested again by indent: a
    child goes under the nearest paragraph before it that starts less deep, and a numbered
    paragraph that starts deeper than the operative paragraph before it and does not continue its
    numbering is an item of its list (`OP3(f)(iii)(1)`); `labels` (by `id`) gives such an item the
    label printed in the file. Paragraphs are never raised to the top level; ids are given again
    from the labels (`give_ids`).

    `depth` maps each paragraph (by `id`) to its first-line indent; only a preambular paragraph
    may lack one (a Word paragraph the DOCX reader could not find), and then nothing is nested
    under it. Otherwise, a paragraph without an indent leaves the labels' nesting as it is."""
    pairs = [(depth.get(id(parent)), depth.get(id(child)))
             for top in tops for parent in top.walk() for child in parent.children]
    if not pairs or any(a is None or b is None for a, b in pairs):
        return tops
    if sum(b >= a + deeper for a, b in pairs) < 0.8 * len(pairs):
        return tops
    top_ids = {id(t) for t in tops}
    flat = [(p, id(p) in top_ids) for top in tops for p in top.walk()]
    if any(depth.get(id(p)) is None for p, _ in flat if p.kind != "preambular"):
        return tops
    for p, _ in flat:
        p.children = []
    out: list[Paragraph] = []
    stack: list[tuple[int, Paragraph]] = []  # the current top-level paragraph and its open descendants
    for p, was_top in flat:
        level = depth.get(id(p))
        if was_top and (p.kind == "preambular" or not stack or stack[0][1].kind == "preambular"
                        or level < stack[0][0] + deeper or continues_numbering(stack[0][1], p)):
            out.append(p)
            stack = [] if level is None else [(level, p)]
            continue
        if not stack:  # a sub-paragraph with no paragraph above it to hold it: as the labels had it
            out.append(p)
            continue
        if was_top:  # a numbered item of a list inside the paragraph above
            p.kind = "subparagraph"
            if labels is not None:
                p.number = labels.get(id(p)) or p.number
        while len(stack) > 1 and stack[-1][0] > level - deeper:
            stack.pop()
        if len(stack) > 1 and level < stack[-1][0] + 2 * deeper and _next_item(stack[-1][1], p):
            stack.pop()  # less than a level deeper than its list's previous item (a page break shifted the indents)
        stack[-1][1].children.append(p)
        stack.append((level, p))
    for top in out:
        give_ids(top)
    return out


def _next_item(parent: Paragraph, p: Paragraph) -> bool:
    """`p` would open a list under `parent` but its label is the one after `parent`'s ("㈡" under
    "㈠", "(c)" under "(b)"): a list starts with its first label (a, i, ㈠, 一), so `p` is the next
    item of `parent`'s own list, indented deeper only by the layout (S/RES/2662 ZH: a page break
    moves the next page's first lines two characters in). Only for a shift of less than a whole level
    (`deeper` is half of one): a whole level deeper is the text's own nesting, however odd (S/RES/2552
    ZH nests "㈢" under "㈡", and its English "(iii)" under "(ii)", under a sub-heading)."""
    if parent.children or not p.number or not parent.number:
        return False
    key, previous = label_key(p.number), label_key(parent.number)
    return key is not None and previous is not None and key not in FIRST_KEYS and label_follows(previous, key)


def give_ids(parent: Paragraph) -> None:
    """Ids from the printed labels under `parent` (`label_key`), bullets counted in order
    (bullet1, bullet2 … as the AKN reader numbers them). A sub-paragraph whose label the text lost
    keeps the letter its id already has (the text reader's `_settle` inferred it)."""
    bullets = 0
    for child in parent.children:
        key = label_key(child.number) if child.number else (None if "(bullet" in child.pid else last_key(child))
        if key is None:
            bullets += 1
            key = f"bullet{bullets}"
        child.pid = f"{parent.pid}({key})"
        give_ids(child)


def last_key(p: Paragraph) -> str:
    """The last part of a paragraph's id: "a" for OP3(a), "ii" for OP3(a)(ii)."""
    return p.pid.rsplit("(", 1)[-1].rstrip(")")
