"""What the readers share, without any reader's dependencies (no lxml, pypdf or python-docx).

The text reader (and through it PDF, DOCX, HTML and Markdown) and the AKN reader give the same
ids and the same references for the same paragraph; the two rules they share live here, so that
reading a .txt never loads lxml:

* `label_key`: a printed sub-paragraph label → the id part: "(a)", "a)", "a.", "58.a)" → `a`; roman "(ii)"
  → `ii`; Arabic abjad letters أ ب ج د هـ … → a, b, c, d, e …; None for a bullet.
* `extract_references`: the resolutions a paragraph cites (six languages, `reso.index.references`).
"""

from __future__ import annotations

import re

from reso.index.model import Body, Paragraph
from reso.index.references import find_references

_ARABIC_LETTERS = "أ ب ج د ه و ز ح ط ي ك ل م ن س ع ف ص ق ر ش ت ث خ ذ ض ظ غ".split()
_LATIN_LABELS = [*"abcdefghijklmnopqrstuvwxyz", "aa", "bb"]
_ARABIC = dict(zip(_ARABIC_LETTERS, _LATIN_LABELS)) | {"ا": "a", "إ": "a", "آ": "a"}
_BULLETS = {"", "•", "·", "▪", "◦", "○", "-", "–", "—"}
_SPACES = re.compile(r"\s+")


# "58.b)": an item's letter after its paragraph's number (S/RES/2605 (2021) FR, OP58 (b), where the
# other five language versions print "(b)")
_NUMBERED_ITEM = re.compile(r"^\d{1,3}\.(?=[a-z]{1,2}\)$)")


def label_key(label: str) -> str | None:
    """The id part of a printed sub-paragraph label: "(a)", "a)", "a.", "58.b)" → "a"/"b"; None for a bullet."""
    core = _NUMBERED_ITEM.sub("", label.strip())
    core = core.strip("()[].:").strip().replace("\u0640", "")
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


def extract_references(text: str, own: Body) -> list[str]:
    """Symbols of the resolutions a text cites, in order: "its resolution 5/1" in an HRC text is
    A/HRC/RES/5/1, "General Assembly resolution 60/251" A/RES/60/251, "resolution 2653 (2022)"
    S/RES/2653 (2022), in the six languages (`reso.index.references`, where the rules are).
    Presidential statements (S/PRST/…) are mentions the lineage graph keeps, not resolutions."""
    return [r.symbol for r in find_references(text, own) if not r.symbol.startswith("S/PRST/")]


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
