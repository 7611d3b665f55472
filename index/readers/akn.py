"""Reader for UN Akoma Ntoso (AKN4UN) XML resolutions (UNxml repositories of DGACM).

The structure comes from the markup, but the markup has slips, and every slip moves a paragraph id
that users cite. What this module does about each (SOURCES.md lists them; tests/test_akn.py has one
test per quirk):

* Preamble: every `<preamble>/<container>` is a preambular paragraph, PP1, PP2, ... in order
  (`<preamble>` and `<mainBody>` blocks may alternate: HRC session 58), except an empty one, the
  "* Reissued for technical reasons." note, and one that finishes the sentence of the container
  before it ahead of its first italic participle (S/RES/2537 (2020) RU); a container that holds
  two clauses is two paragraphs when the second one's start is sure (`_glued_clauses`: A/HRC/RES/57/29
  FR "…limitées,*Conscient* que…", S/RES/2657 (2022) AR "…،\t*وإذ يعرب*…"); the
  `<formula>` ("The Human Rights Council,") and bare `<p>` headings are not paragraphs, nor is a
  short unnumbered main-body paragraph right before OP1 that ends no clause: the heading of the
  operative part (S/RES/2512 (2020) "Renewal of UNIOGBIS’s mandate").
* Operative part: `<mainBody>/<paragraph>` with a numeric `<num>` ("1.", Arabic "1-") is OP<n> after
  the *printed* number; `eId` values skip numbers and are never used.
* Headings inside the operative part are not paragraphs: `<heading>`/`<subheading>` paragraphs
  (S/RES/2709, 2687), paragraphs whose words are all bold (A/HRC/RES/55/29 "Follow-up") unless
  they are a whole clause (150 characters or more, ending with clause punctuation: A/HRC/RES/58/3
  AR types a preambular paragraph in bold), capital letter numbers (S/RES/2713 "A."). Paragraphs without a letter or digit (S/RES/2705 "*") are dropped.
* Other unnumbered paragraphs of the main body:
  - before the first OP: a preambular paragraph put in the wrong place (A/HRC/RES/55/25 EN
    "Remaining convinced ...") is appended to the PPs; in a text without any numbered paragraph
    the main body is one operative paragraph, OP1, as the UN prints a lone operative paragraph
    without a number (A/RES/78/186; S/RES/1585 (2005), whose "Decides to extend ..., until
    17 March 2005," is continued by "Decides to remain actively seized of the matter.");
  - a number typed in the text ("5 Encourages ...", A/HRC/RES/54/27, empty `<num>`) that continues
    the numbering makes OP5 with the text "Encourages ...";
  - anything else continues the previous OP: the text of an empty `<num>1.</num>` paragraph
    (A/HRC/RES/54/35 EN), the quoted « Décide ... » of S/RES/2699 FR.
* A top-level paragraph numbered like a sub-paragraph ("a)", "b.", "(أ)") is a sub-paragraph of the
  previous OP (before OP1, of the last PP, which swallowed the first OPs: S/RES/1977 (2011)): S/RES/2699 FR splits the quotation of OP14 into such paragraphs (EN nests them in
  `<mod>/<quotedStructure>`; both give OP14, OP14(a), OP14(b)); S/RES/2717 FR does the same for
  OP36 (a)-(c).
* Sub-paragraphs: `<list>/<point>` (and `<blockList>/<item>` in preambles) become children with
  ids `OP3(a)`, `OP3(a)(ii)`, `PP17(i)`. A `<sublist>` is a sibling of the point it belongs to
  and attaches to the preceding point. Labels are normalised across languages: "(a)", "a)", "a."
  → `a`; roman "(ii)" → `ii`; Arabic abjad letters أ ب ج د هـ و ز ح ط ي ك ل م ن س ع ف ص ق ر ش ت ث
  خ ذ ض (ظ غ) → a ... z (aa bb); bullets "•" "–" get positional labels `bullet1`, `bullet2`, ...
  among the bullets of the same parent. `Paragraph.number` keeps the label as printed. A point
  without `<num>` (S/RES/2705 "and, in the context of ...", S/RES/2717 FR "et prie également")
  continues the words of the element that owns the list.
* Text: footnotes (`<authorialNote>`, inline mid-sentence) go to `Paragraph.footnotes`, never into
  the text; inline elements are concatenated with no added space (hyperlinks split tokens:
  `30/</a><a>2</a><a>7` is "30/27"), block elements (`<p>`) are joined with one space; NFC;
  no-break and thin spaces and tabs become spaces, U+2011 becomes "-", whitespace is collapsed.
* Annexes (`<attachments>/<attachment>`) are kept apart in `Resolution.annexes`, ids by
  `annex_pid(k, local)` with k the attachment's rank; an annex typed into the main body after the
  OPs, under a heading that names it and with a numbering that starts again, is the first (`_stream`):
  - an "Article N" heading (A/HRC/RES/54/18 draft covenant) opens `ANNEX1.ART<N>`; its unnumbered
    paragraphs are its text, its numbered paragraphs its children `ANNEX1.ART5(2)`, lettered ones
    below those (`ANNEX1.ART13(1)(a)`);
  - otherwise numbered paragraphs are `ANNEX1.OP<n>`, prefixed by the sections that headings name,
    "Annex A"/"Annexe A" and "Part II"/"Partie II" (S/RES/2713: `ANNEX1.A.OP2`, `ANNEX1.C.II.OP1`);
  - unnumbered paragraphs before any numbered one are `ANNEX1.PP<n>` (the covenant's preamble,
    the introduction of S/RES/2716's annex); lettered ones, in `<num>` or typed at the start of the
    text ("(a) To submit ...", "a) Présenter ..."), are children of the paragraph before.
* Metadata comes from the `meta` block and the cover page, completed by `data_extract/*.json`
  (see metadata.py) when the file sits in a corpus layout: SC files have no title in the XML.
  Votes: `adoptedWithoutVote` → without_vote; `<count>`s → recorded, or unanimous when the
  adoption step says "Adopted unanimously" (SC). `references` are the resolutions the text cites,
  read in the six languages (see `extract_references`).

Malformed, empty or non-AKN input raises `UnreadableFile` with a reason; the parser neither
resolves entities nor touches the network.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any

from lxml import etree

from reso.errors import UnreadableFile
from reso.index.readers import file_bytes
from reso.index.model import Body, Paragraph, ParagraphKind, Resolution, Vote, annex_pid, infer_symbol, normalise_symbol
from reso.index.readers import metadata
from reso.index.readers.common import extract_references, label_key
from reso.index import symbols

LANGUAGES = {"eng": "en", "fra": "fr", "spa": "es", "ara": "ar", "zho": "zh", "rus": "ru"}
_FILE_LANGUAGE = {"E": "en", "F": "fr", "S": "es", "A": "ar", "C": "zh", "R": "ru"}
_URI_BODY: dict[str, Body] = {"unga-hrc": "HRC", "unhrc": "HRC", "unsc": "SC", "unga": "GA"}


# tags whose text is never paragraph text; blocks are joined with a space, inline text is not
_NOT_TEXT = frozenset({"num", "heading", "subheading", "authorialNote", "img"})
_BLOCKS = frozenset({"p", "point", "item", "list", "sublist", "blockList", "content", "intro", "wrapUp",
                     "listIntroduction", "paragraph", "container"})

_WORD = re.compile(r"\w")
_SPACES = re.compile(r"\s+")
# Numbers are at most six digits: a longer "number" is no paragraph number, and int() of thousands
# of digits raises ValueError.
_OP_NUMBER = re.compile(r"(\d{1,6})\s*[.\-)]?")
_SUB_LABEL = re.compile(r"\(?(?:[a-z]{1,5}|[\u0621-\u064a]\u0640?)\s*[.)]")
_HEADING_LABEL = re.compile(r"[A-Z]{1,4}\.")
_TYPED_NUMBER = re.compile(r"(\d{1,6})(\.|\s?-)?\s+(?=\S)")  # "5 Encourages", "13 - يقرر" (Arabic), "13. Decides"
_TYPED_LABEL = re.compile(r"\(?([a-z]{1,2}|[ivx]{1,5})\)\s+")
_ARTICLE = re.compile(r"(?:Article|Artículo|Статья)\s+(\d+|premier|first)\b", re.IGNORECASE)
_ANNEX_LETTER = re.compile(r"Annexe?\s+([A-Z])\b")
_ANNEX_HEADING = re.compile(r"(?<![^\W\d_])(?:annexe?|anexo|приложение|(?:ال)?مرفق)(?![^\W\d_])|附件", re.IGNORECASE)
_PART = re.compile(r"Part(?:ie)?\s+([IVX]+)(?![a-z])")


# ---------------------------------------------------------------------------------------- entry points


def read(path: Path) -> Resolution:
    """Read one AKN4UN XML file (one resolution in one language)."""
    path = Path(path)
    data = file_bytes(path)
    return parse_bytes(data, str(path))


def parse_bytes(data: bytes, source: str) -> Resolution:
    """Parse AKN4UN XML bytes; `source` names the file in errors and locates `data_extract/` metadata."""
    doc = _document(_parse_xml(data, source), source)
    res = _resolution(doc, source)
    preamble: list[Paragraph] = []
    stream, typed_annex = _stream(doc)
    operative = _operative(stream, preamble)
    for n, pp in enumerate(preamble, 1):
        pp.pid, pp.kind = f"PP{n}", "preambular"
    res.paragraphs = [*preamble, *operative]
    res.annexes = _annexes(doc, typed_annex)
    for top in [*res.paragraphs, *res.annexes]:
        _finish(top)
    res.references = _document_references(res)
    return res


# ---------------------------------------------------------------------------------------- XML


def _parse_xml(data: bytes, source: str) -> etree._Element:
    if not data.strip():
        raise UnreadableFile(source, "empty file")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                             remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise UnreadableFile(source, f"malformed XML at line {exc.lineno}: {exc.msg}") from exc
    if root is None:
        raise UnreadableFile(source, "empty file")
    for el in root.iter():  # drop namespaces once, so that lookups below read like the markup
        if isinstance(el.tag, str) and el.tag.startswith("{"):
            el.tag = el.tag.split("}", 1)[1]
    if root.tag != "akomaNtoso":
        raise UnreadableFile(source, f"not Akoma Ntoso: root element <{root.tag}>")
    return root


def _document(root: etree._Element, source: str) -> etree._Element:
    for child in root:
        if isinstance(child.tag, str) and child.find("mainBody") is not None:
            return child
    raise UnreadableFile(source, "Akoma Ntoso without a <mainBody>: no resolution text")


def _inline(el: etree._Element, notes: list[str] | None, skip: frozenset[str] = _NOT_TEXT) -> str:
    """The text of an inline run, as itertext would give it, minus numbers, headings and footnotes."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str):
            if child.tag == "authorialNote":
                if notes is not None:
                    notes.append(clean(_inline(child, None)))
            elif child.tag == "eol":
                parts.append(" ")
            elif child.tag not in skip:
                parts.append(_inline(child, notes, skip))
        parts.append(child.tail or "")
    return "".join(parts)


def clean(text: str) -> str:
    """NFC, no-break/thin spaces and tabs to spaces, U+2011 to "-", whitespace collapsed."""
    text = unicodedata.normalize("NFC", text).translate({0x2011: "-", 0xAD: None, 0x200B: None, 0xFEFF: None})
    return _SPACES.sub(" ", text).strip()


def _label(el: etree._Element) -> str:
    num = el.find("num")
    return clean(_inline(num, None)) if num is not None else ""


def _has_block(el: etree._Element) -> bool:
    """Whether `el` holds block elements (then its children are walked) or only an inline run."""
    for child in el:
        if isinstance(child.tag, str) and child.tag != "authorialNote":
            if child.tag in _BLOCKS or _has_block(child):
                return True
    return False


# ---------------------------------------------------------------------------------------- paragraphs


def _new(kind: ParagraphKind, number: str | None = None, pid: str = "") -> Paragraph:
    return Paragraph(pid=pid, kind=kind, text="", number=number)


def _fill(owner: Paragraph, el: etree._Element) -> None:
    """Add the words of `el` to `owner.text` and its numbered points to `owner.children`, in order."""
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in ("num", "heading", "subheading"):
            continue
        if tag in ("point", "item"):
            label = _label(child)
            if label:
                owner.children.append(sub := _new("subparagraph", label))
                _fill(sub, child)
                if _HEADING_LABEL.fullmatch(label) and not sub.children and not _ends_clause_text(sub.text):
                    owner.children.pop()  # "E. 降低简易爆炸装置构成的威胁": a section heading typed as a point (S/RES/2776 ZH)
            else:  # an unnumbered point continues the words of the list's owner
                _fill(owner, child)
        elif tag == "sublist":
            _fill(owner.children[-1] if owner.children else owner, child)
        elif tag == "authorialNote":
            owner.footnotes.append(clean(_inline(child, None)))
        elif _has_block(child):
            _fill(owner, child)
        else:
            owner.text = f"{owner.text} {_inline(child, owner.footnotes)}"


def _ends_clause_text(text: str) -> bool:
    return clean(text).rstrip("0123456789’”»)\"' \u200f\u200e").endswith(_CLAUSE_END)


def _paragraph(el: etree._Element, kind: ParagraphKind, number: str | None = None, pid: str = "") -> Paragraph:
    para = _new(kind, number, pid)
    _fill(para, el)
    para.text = clean(para.text)
    return para


def _merge(target: Paragraph, extra: Paragraph) -> None:
    target.text = f"{target.text} {extra.text}".strip()
    target.children.extend(extra.children)
    target.footnotes.extend(extra.footnotes)


def _is_empty(para: Paragraph) -> bool:
    return not _WORD.search(para.text) and not para.children


def _finish(para: Paragraph) -> None:
    """Clean texts and give every sub-paragraph its id from its parent's id and its label."""
    para.text = clean(para.text)
    para.footnotes = [f for f in para.footnotes if f]
    bullets = 0
    used: set[str] = set()
    repeats: dict[str, int] = {}
    for child in para.children:
        key = label_key(child.number or "")
        if key is None:
            bullets += 1
            key = f"bullet{bullets}"
        key = _unique(key, used, repeats)
        used.add(key)
        child.pid = f"{para.pid}({key})"
        child.text = clean(child.text)
        if child.number and child.text.startswith(child.number + " "):
            # the label typed again at the start of the text ("(十一)\t协调…" under <num>(十一)</num>,
            # S/RES/2542 (2020) ZH): printed once
            child.text = child.text[len(child.number) + 1:]
        _finish(child)


def _unique(key: str, used: set[str], repeats: dict[str, int]) -> str:
    """A label printed twice under one parent keeps both paragraphs apart: `a`, then `a'`, `a''`,
    `a'''`, then `a'4`, `a'5` ... (a counter rather than ever more primes, so that thousands of
    repeats take neither quadratic time nor ids of thousands of characters)."""
    n = repeats.get(key, 0)
    while True:
        candidate = key + ("'" * n if n <= 3 else f"'{n}")
        if candidate not in used:
            repeats[key] = n + 1
            return candidate
        n += 1




_CLAUSE_END = (",", ";", ":", ".", "،", "؛", "，", "；", "：", "。", "!", "?")
# The Security Council's last preambular paragraph, printed at times without its comma
ACTING_UNDER = ("acting under", "agissant en vertu", "actuando en virtud", "действуя на основании",
                "وإذ يتصرف", "根据《联合国宪章》")


def _unpunctuated_heading(para: Paragraph) -> bool:
    """A short unnumbered paragraph that ends no clause, right before OP1, is the heading
    of the operative part ("Renewal of UNIOGBIS’s mandate" in S/RES/2512 (2020), "防止非法出口石油，
    包括原油和精炼石油产品" in the Chinese S/RES/2509 (2020)); "Acting under Chapter VII …" without
    its comma is still the Council's last preambular paragraph."""
    text = "".join(c for c in para.text if unicodedata.category(c) != "Cf")  # RLM after Arabic
    return (not para.children and len(text) < 120 and not text.lower().startswith(ACTING_UNDER)
            and not text.rstrip("0123456789’”»)\"'").endswith(_CLAUSE_END))


def _stream(doc: etree._Element) -> tuple[list[etree._Element], list[etree._Element]]:
    """The preamble's containers and the main body's paragraphs, in document order; and the
    paragraphs of an annex typed into the main body, from its heading on.

    A text may alternate `<preamble>` and `<mainBody>` blocks (HRC session 58 in all six languages:
    a preamble, one preambular paragraph typed as a main-body paragraph, a second preamble, then
    the OPs): reading only the first of each loses everything after the first switch.

    Some texts type the annex into the main body after the last OP, under a heading ("ANNEX 1 -
    President Donald J. Trump’s Comprehensive Plan…" in S/RES/2803 (2025) EN and AR, where the
    other versions have an `<attachment>`; "المرفق ألف -" in S/RES/2806 (2025) AR, "Приложение А —"
    in S/RES/2776 (2025) RU; "Designation Annex" in all versions of S/RES/2794 (2025)): its
    numbering restarts at 1 and its paragraphs are no OPs. From a main-body heading that names an
    annex, after the OPs, and whose next numbered paragraph does not continue the OPs' numbering,
    the paragraphs are read as the first annex (`_annexes`)."""
    out: list[etree._Element] = []
    for block in doc:
        if block.tag == "preamble":
            out += block.findall("container")
        elif block.tag == "mainBody":
            out += [el for el in block if el.tag == "paragraph"]
    last = 0  # the last OP number so far
    for i, el in enumerate(out):
        number = _op_number(_label(el)) if el.tag == "paragraph" else None
        if number is not None:
            last = number
        elif last and _opens_annex(el):
            following = next((n for x in out[i + 1:] if (n := _op_number(_label(x))) is not None), None)
            if following != last + 1:
                return out[:i], out[i:]
    return out, []


def _opens_annex(el: etree._Element) -> bool:
    """A main-body heading paragraph that names an annex ("ANNEX 1 - …", "Designation Annex",
    "Annex I to resolution 1617 (2005)", "المرفق ألف", "مرفق:", "指认附件", "Приложение: …")."""
    heading = el.find("heading")
    if el.tag != "paragraph" or heading is None or el.find("content") is not None:
        return False
    text = clean(_inline(heading, None))
    return len(text) < 150 and bool(_ANNEX_HEADING.search(text))


def _op_number(label: str) -> int | None:
    match = _OP_NUMBER.fullmatch(label)
    return int(match.group(1)) if match else None


def _is_heading(el: etree._Element, label: str) -> bool:
    if el.find("heading") is not None or el.find("subheading") is not None:
        if el.find("content") is None and el.find("list") is None:
            return True
    if _HEADING_LABEL.fullmatch(label):
        return True
    text = _inline(el, None)
    if len(text) >= 150 and _ends_clause_text(text):
        return False  # a whole paragraph typed in bold (A/HRC/RES/58/3 AR "وإذ يشعر بانزعاج بالغ …،"), no heading
    return bool(_WORD.search(text)) and not _WORD.search(_outside_bold(el))


def _outside_bold(el: etree._Element) -> str:
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and child.tag not in _NOT_TEXT and "bold" not in (child.get("class") or ""):
            parts.append(_outside_bold(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _operative(elements: list[etree._Element], preamble: list[Paragraph]) -> list[Paragraph]:
    """The OPs of the main body; preambular containers and misplaced preambular paragraphs are
    appended to `preamble`, in document order."""
    has_numbers = any(_op_number(_label(el)) is not None for el in elements if el.tag == "paragraph") or any(
        (typed := _TYPED_NUMBER.match(clean(_inline(el, None)))) and typed.group(1) == "1" and typed.group(2)
        for el in elements if el.tag == "paragraph")  # "1 - يطالب …" typed, no <num> (S/RES/2642 (2022) AR)
    ops: list[Paragraph] = []
    elements_of: dict[int, etree._Element] = {}
    openers = _openers([el for el in elements if el.tag == "container"])
    for i, el in enumerate(elements):
        if el.tag == "container":
            if ops:  # a container after the OPs continues the last one (no such file seen)
                _merge(ops[-1], _paragraph(el, "operative"))
                continue
            for part in _glued_clauses(el, openers):
                if _is_empty(para := _paragraph(part, "preambular")) or _is_note(para):
                    continue  # S/RES/2607 (2021) RU: an empty one; S/RES/2653 (2022) RU: "* Переиздано ..."
                elif preamble and _runs_on(preamble[-1]) and _continues(part):
                    # S/RES/2537 (2020) RU: "... приветствуя усилия" | "по объединению ..."
                    _merge(preamble[-1], para)
                else:
                    preamble.append(para)
            continue
        label = _label(el)
        number = _op_number(label)
        if number is not None:
            ops.append(_paragraph(el, "operative", str(number), f"OP{number}"))
            elements_of[id(ops[-1])] = el
        elif _is_heading(el, label):
            continue
        elif not ops and i + 1 < len(elements) and _op_number(_label(elements[i + 1])) is not None \
                and _unpunctuated_heading(_paragraph(el, "operative")):
            continue  # CONTRACTS §1: the heading right before OP1 is not a paragraph
        elif _SUB_LABEL.fullmatch(label) and (ops or preamble):
            # before OP1: the last preambular container swallowed the first OPs ("Acting under
            # Chapter VII ...: 1. Reiterates ..." in S/RES/1977 (2011)) and these are their items
            (ops or preamble)[-1].children.append(_paragraph(el, "subparagraph", label))
        else:
            _unnumbered(_paragraph(el, "operative"), ops, preamble, has_numbers)
    return _split_at_gaps(ops, elements_of)


def _split_at_gaps(ops: list[Paragraph], elements_of: dict[int, etree._Element]) -> list[Paragraph]:
    """OP n+1 typed into OP n's container: the numbering goes n, n+2, and OP n's text holds where
    n+1 starts — its number typed after a clause ("…؛\t25 -\tيؤكد من جديد", S/RES/2607 (2021) AR),
    or, alone in the text, one more operative verb in bold or italics after a clause ("…، *ويؤكد من
    جديد كذلك* أن …", S/RES/2577 (2021) AR, where the five other versions have OP15). OP n is cut
    there; or as the last point, at any depth, of OP n's lists, numbered "n+1." (S/RES/2584 (2021)
    FR, 2820 (2026) EN and ZH). Without
    such evidence a gap stays a gap."""
    out: list[Paragraph] = []
    for i, op in enumerate(ops):
        out.append(op)
        following = ops[i + 1] if i + 1 < len(ops) else None
        if (following is None or not (op.number or "").isdigit()
                or not (following.number or "").isdigit() or int(following.number) != int(op.number) + 2):
            continue
        n = int(op.number) + 1
        host = op  # the last point at any depth: "16." under the "–" items of S/RES/2584 (2021) FR OP15,
        while host.children and not re.fullmatch(rf"{n}\s?[.-]?", (host.children[-1].number or "").strip()):
            host = host.children[-1]  # "5. Decides …" under OP4 (d) (iv) of S/RES/2820 (2026) EN and ZH
        if host.children:
            moved = host.children.pop()
            out.append(Paragraph(pid=f"OP{n}", kind="operative", text=moved.text, number=str(n),
                                 children=moved.children, footnotes=moved.footnotes))
            continue
        if op.children:
            continue
        at = None
        if typed := re.search(rf"(?<=[؛;.:،,])\s*{n}\s?[-.]\s+(?=\S)", op.text):
            at, start = typed.start(), typed.end()
        elif (el := elements_of.get(id(op))) is not None:
            verbs = [clean(_inline(s, None)) for s in el.iter() if s.tag == "i"
                     or (s.tag == "span" and "italic" in (s.get("class") or ""))]
            verbs = [v for v in verbs if _WORD.search(v)]
            places = sorted({m.start() for v in verbs[1:] for m in re.finditer(
                rf"(?<=[؛;،,]) (?={re.escape(v)})", op.text)})
            if len(places) == 1:
                at = start = places[0]
        if at is None:
            continue
        rest = op.text[start:].strip()
        op.text = op.text[:at].strip()
        out.append(Paragraph(pid=f"OP{n}", kind="operative", text=rest, number=str(n)))
    return out


# A clause of a preambular paragraph ends with a comma or a semicolon (Arabic and Chinese forms
# too); not with a full stop: "… in situations of armed conflict. *Stressing*, in this regard, …" is
# one paragraph as printed (S/RES/1738 (2006), 2222 (2015), 1474 (2003) "… unity of Somalia. *Stressing* …")
_CLAUSE_JOIN = (",", ";", "،", "؛", "，", "；")
_QUOTE_PAIRS = (("“", "”"), ("«", "»"), ("《", "》"), ("「", "」"))


def _emphasised(el: etree._Element) -> bool:
    """Italic or bold: how the markup prints a preambular paragraph's opening words."""
    return el.tag in ("i", "b") or (el.tag == "span" and bool(re.search(r"italic|bold", el.get("class") or "")))


def _opening_run(container: etree._Element) -> etree._Element | None:
    """The container's first emphasised inline element, if its text starts the container's words."""
    for p in container.iter("p"):
        for child in p:
            if isinstance(child.tag, str) and _emphasised(child):
                before = [p.text or "", *(_inline(c, None) + (c.tail or "") for c in child.itersiblings(preceding=True))]
                return child if not _WORD.search("".join(before)) else None
        return None
    return None


def _openers(containers: list[etree._Element]) -> frozenset[str]:
    """The preamble's own openers: each container's `name` ("Conscient", "وإذ يعرب") and its
    emphasised opening words, as the markup of this document gives them."""
    out: set[str] = set()
    for c in containers:
        if name := clean(c.get("name") or ""):
            out.add(name)
        if (run := _opening_run(c)) is not None and (words := clean(_inline(run, None)).rstrip(",،，")):
            out.add(words)
    return frozenset(out)


def _glued_clauses(container: etree._Element, openers: frozenset[str]) -> list[etree._Element]:
    """A preambular container cut where a second paragraph was typed into it; `[container]` when
    nothing shows one for sure.

    The sure sign: an emphasised run that opens a preambular paragraph of this very document (one
    of `openers`), right after a clause ends ("," ";" "،" "؛" "，" "；"), outside quotation marks, in
    a `<p>` of the container itself (never inside a list), and printed as a paragraph start, not as
    a participle that goes on with the sentence ("…, and *recalling* …", "…، *وإذ يشير* …" are one
    paragraph): with a capital letter ("…limitées,*Conscient* que…", A/HRC/RES/57/29 FR, where the
    five other versions have two paragraphs), or after the tab that indents a paragraph's first
    line ("…الصومالية،\t*وإذ يعرب* عن…", S/RES/2657 (2022) AR). A full stop is no sign (see
    `_CLAUSE_JOIN`); nor is an emphasised opener after a comma alone, which Chinese and Arabic use
    inside one paragraph ("…，**注意到**…", A/HRC/RES/54/12 ZH, reads the same as the 650 runs of
    one-paragraph texts; "…، *وإذ يسلم*…" of S/RES/2553 (2020) AR as its own PP8): those stay glued."""
    for p in container:
        if not isinstance(p.tag, str) or p.tag != "p":
            continue
        text = p.text or ""
        for k, child in enumerate(p):
            if not isinstance(child.tag, str):
                continue
            if _emphasised(child) and _starts_clause(text, clean(_inline(child, None)), openers):
                rest = _cut(container, p, k, before=False)
                return [_cut(container, p, k, before=True), *_glued_clauses(rest, openers)]
            if child.tag not in _NOT_TEXT:
                text += _inline(child, None)
            text += child.tail or ""
    return [container]


def _starts_clause(before: str, run: str, openers: frozenset[str]) -> bool:
    """`run`, emphasised after the words `before` in one `<p>`, opens a new preambular paragraph."""
    visible = "".join(c for c in before if unicodedata.category(c) != "Cf")  # RLM after Arabic
    stripped = visible.rstrip()
    if not _WORD.search(stripped) or not stripped.endswith(_CLAUSE_JOIN):
        return False
    if stripped.count('"') % 2 or any(stripped.count(a) != stripped.count(b) for a, b in _QUOTE_PAIRS):
        return False  # inside a quotation (Arabic opens with ” and closes with “: the counts are equal all the same)
    if not any(run == o or run.startswith(o + " ") for o in openers):
        return False
    return run[:1].isupper() or "\t" in visible[len(stripped):]


def _cut(container: etree._Element, p: etree._Element, k: int, before: bool) -> etree._Element:
    """A copy of `container` holding what comes before the `k`-th child of its block `p` (`before`),
    or that child and what follows it."""
    out = copy.deepcopy(container)
    blocks = [c for c in out]
    at = list(container).index(p)
    q = blocks[at]
    children = list(q)
    if before:
        for c in blocks[at + 1:]:
            out.remove(c)
        for c in children[k:]:
            q.remove(c)  # lxml moves a removed child's tail out with it: the text before stays
    else:
        for c in blocks[:at]:
            out.remove(c)
        q.text = ""
        for c in children[:k]:
            q.remove(c)
    return out


def _is_note(para: Paragraph) -> bool:
    """"* Reissued for technical reasons." (S/RES/1348 (2001)), "* Переиздано по техническим причинам
    27 октября 2022 года." (S/RES/2653 (2022) RU): the footnote of the symbol's asterisk, printed at
    the foot of page 1 and typed into the markup as a paragraph of its own."""
    return para.text.startswith("*") and not para.children


def _lead_in(el: etree._Element) -> str | None:
    """The words of `el` before its first italic run (None without italics): the opening participle
    of a preambular paragraph is printed in italics ("*Recalling* its resolutions", "*ссылаясь* на")."""
    parts: list[str] = []

    def walk(node: etree._Element) -> bool:
        parts.append(node.text or "")
        for child in node:
            if isinstance(child.tag, str) and child.tag not in _NOT_TEXT:
                if "italic" in (child.get("class") or "") or child.tag == "i":
                    return True
                if walk(child):
                    return True
            parts.append(child.tail or "")
        return False

    return clean("".join(parts)) if walk(el) else None


def _continues(el: etree._Element) -> bool:
    """A container that opens with words ending a clause before its first italic participle
    finishes the sentence of the one before (S/RES/2537 (2020) RU: "по объединению ... сторон,
    *рекомендуя* ..."); "and *welcoming* the letter ..." (S/RES/2172 (2014)) is a paragraph."""
    lead = _lead_in(el)
    return bool(lead) and bool(_WORD.search(lead)) and any(p in lead for p in _CLAUSE_END)


def _runs_on(para: Paragraph) -> bool:
    """Whether a preambular paragraph stops mid-sentence, so that the next container continues it."""
    text = "".join(c for c in para.text if unicodedata.category(c) != "Cf").rstrip("0123456789’”»)\"' ")
    return bool(text) and not para.children and not text.endswith(_CLAUSE_END) \
        and not text.lower().startswith(ACTING_UNDER)


def _unnumbered(para: Paragraph, ops: list[Paragraph], preamble: list[Paragraph], has_numbers: bool) -> None:
    if _is_empty(para) or _is_note(para):
        return  # S/RES/2705 "*"; S/RES/1348 (2001) "* Reissued for technical reasons."
    typed = _TYPED_NUMBER.match(para.text)
    if not ops:
        if typed and typed.group(1) == "1" and typed.group(2):  # S/RES/2633 (2022) AR: every "1 - يقرر" typed
            para.number, para.pid, para.text = "1", "OP1", para.text[typed.end():]
            ops.append(para)
        elif has_numbers:
            preamble.append(para)  # A/HRC/RES/55/25 EN "Remaining convinced ...", S/RES/2642 (2022) AR
        else:  # A/RES/78/186; S/RES/1585 (2005) "Decides to extend ..., until 17 March 2005,"
            para.pid = "OP1"
            ops.append(para)
        return
    last = int(ops[-1].pid[2:])
    # the next number ("5 Encourages ...", A/HRC/RES/54/27); with its full stop or Arabic dash, one a
    # little further on too: S/RES/2633 (2022) AR types "12 - …" into the heading paragraph before it
    if typed and (int(typed.group(1)) == last + 1 or (typed.group(2) and last + 1 < int(typed.group(1)) <= last + 3)):
        para.number, para.pid, para.text = typed.group(1), f"OP{typed.group(1)}", para.text[typed.end():]
        ops.append(para)
    else:
        _merge(ops[-1], para)  # A/HRC/RES/54/35 EN, S/RES/2699 FR


# ---------------------------------------------------------------------------------------- annexes


def _annexes(doc: etree._Element, typed: list[etree._Element] | None = None) -> list[Paragraph]:
    """The attachments' paragraphs; an annex typed into the main body (`_stream`) is the first."""
    out: list[Paragraph] = []
    if typed:
        builder = _AnnexBuilder(1)
        for el in typed:
            builder.add(el)
        out.extend(builder.tops)
    for k, attachment in enumerate(doc.findall("attachments/attachment"), 2 if typed else 1):
        builder = _AnnexBuilder(k)
        for el in attachment.iter("container", "paragraph"):  # document order, as in the main text
            parent = el.getparent()
            if (el.tag, parent.tag) in (("container", "preamble"), ("paragraph", "mainBody")):
                builder.add(el)
        out.extend(builder.tops)
    return out


class _AnnexBuilder:
    """Ids for one attachment (scheme in the module docstring)."""

    def __init__(self, k: int):
        self.k = k
        self.tops: list[Paragraph] = []
        self.sections: list[str] = []
        self.article: Paragraph | None = None
        self.current: Paragraph | None = None
        self.preambular = 0

    def add(self, el: etree._Element) -> None:
        label = _label(el)
        number = _op_number(label)
        if number is None and _is_heading(el, label):
            self.heading(_heading_text(el))
            return
        para = _paragraph(el, "annex", label or None)
        if _is_empty(para):
            return
        typed = _TYPED_LABEL.match(para.text) if not label else None
        if typed:
            label = para.number = para.text[: typed.end()].strip()
            para.text = para.text[typed.end():]
        if number is None and label:
            para.kind = "subparagraph"
            self.parent().children.append(para)
        elif self.article is not None:
            self.in_article(para, number)
        elif number is not None:
            para.number = str(number)
            self.top(para, ".".join([*self.sections, f"OP{number}"]))
        elif self.current is None or self.current.pid.rsplit(".", 1)[-1].startswith("PP"):
            self.preambular += 1
            self.top(para, f"PP{self.preambular}")
        else:
            _merge(self.current, para)

    def heading(self, text: str) -> None:
        if article := _ARTICLE.match(text):
            n = article.group(1)
            n = "1" if n.lower() in ("premier", "first") else n
            self.article = self.top(_new("annex", n), f"ART{n}")
        elif letter := _ANNEX_LETTER.match(text):
            self.sections, self.article, self.current = [letter.group(1)], None, None
        elif part := _PART.match(text):
            self.sections, self.article, self.current = [*self.sections[:1], part.group(1)], None, None

    def top(self, para: Paragraph, local: str) -> Paragraph:
        para.pid, para.kind = annex_pid(self.k, local), "annex"
        self.tops.append(para)
        self.current = para
        return para

    def numbered_child(self) -> Paragraph | None:
        children = self.article.children if self.article is not None else []
        numbered = [c for c in children if _op_number(c.number or "") is not None]
        return numbered[-1] if numbered else None

    def parent(self) -> Paragraph:
        if self.article is not None:
            return self.numbered_child() or self.article
        if self.current is None:
            self.preambular += 1
            self.top(_new("annex"), f"PP{self.preambular}")
        assert self.current is not None
        return self.current

    def in_article(self, para: Paragraph, number: int | None) -> None:
        assert self.article is not None
        if number is not None:
            para.kind, para.number = "subparagraph", str(number)
            self.article.children.append(para)
        else:
            _merge(self.numbered_child() or self.article, para)


def _heading_text(el: etree._Element) -> str:
    heading = el.find("heading")
    if heading is None:
        heading = el.find("subheading")
    return clean(_inline(heading if heading is not None else el, None))


# ---------------------------------------------------------------------------------------- metadata


def _attr(doc: etree._Element, path: str, name: str) -> str:
    el = doc.find(path)
    return (el.get(name) or "").strip() if el is not None else ""


def _text(doc: etree._Element, path: str) -> str:
    el = doc.find(path)
    return clean(_inline(el, None)) if el is not None else ""


def _resolution(doc: etree._Element, source: str) -> Resolution:
    symbol = _text(doc, "coverPage//docNumber[@refersTo='#symbol']") or _text(doc, "coverPage//docNumber")
    body = _body_of(doc, symbol, source)
    number = _number(doc, body, symbol)
    adopted = _iso_date(_attr(doc, "meta/identification/FRBRWork/FRBRdate[@name='adoption']", "date"))
    symbol, warnings = _checked_symbol(symbol, body, number, adopted, source)
    parsed = symbols.parse(symbol)
    if parsed is not None and parsed.number and (body == "SC" or not number):
        number = parsed.number  # S/PRST/2020/11 is statement 2020/11, not "2020"
    record = metadata.lookup(source, symbol) or {}
    return Resolution(
        kind=parsed.kind if parsed else "resolution",
        warnings=warnings,
        symbol=symbol,
        body=body,
        language=_language(doc, source),
        title=_text(doc, "preface//docTitle") or str(record.get("resolution_title") or record.get("title") or ""),
        session=_session(doc, body, number),
        number=number or None,
        adopted=adopted or _english_date(record.get("adoption_date")),
        meeting=_meeting(doc) or str(record.get("adoption_meeting") or "") or None,
        vote=_vote(doc, record),
        sponsors=_sponsors(doc, record),
        agenda_item=_agenda(doc, record),
        subjects=_subjects(doc, record),
        source=source,
    )


def _checked_symbol(symbol: str, body: Body, number: str, adopted: date | None,
                    source: str) -> tuple[str, list[str]]:
    """The markup's symbol, or the file name's when the markup has none or a wrong one.

    UNxml files are named after their symbol (`S_RES_2510 (2020)-2002184F.xml`). A markup without
    a symbol (S/RES/2777 in Spanish) takes the file name's, completed with the adoption year for
    the Security Council; failing that, the one its number implies (CONTRACTS §1). An SC symbol
    whose year is not the adoption year (S/RES/2510 (2020) in French and Spanish says 2019) is
    corrected when the file name spells the corrected symbol: date and name then agree."""
    named = symbols.symbol_from_filename(Path(source).name) if source else None
    year = adopted.year if adopted else None
    if not symbol:
        if named and (not named.startswith("S/RES/") or year or "(" in named):
            symbol = symbols.with_year(named, year)
            return symbol, [f"the markup prints no symbol: {symbol} read from the file name"
                            + (" and the adoption date" if named != symbol else "")]
        if not number:
            raise UnreadableFile(source, "no symbol and no resolution number in the file")
        symbol = infer_symbol(body, number, year)
        return symbol, [f"the markup prints no symbol: {symbol} inferred from the resolution number"]
    parsed = symbols.parse(symbol)
    if parsed and parsed.kind == "resolution" and parsed.body == "SC" and parsed.year and year and parsed.year != year:
        corrected = f"S/RES/{parsed.number} ({year})"
        if named and normalise_symbol(symbols.with_year(named, year)) == normalise_symbol(corrected):
            return corrected, [f"the markup says {symbol}, but the file name and the adoption date ({adopted}) "
                               f"say {corrected}: filed under {corrected}"]
    if named and parsed and _cut_short(symbol, named):
        return named, [f"the markup says {symbol}, a number cut short of the file name's {named}: filed under {named}"]
    return symbol, []


_YEAR = re.compile(r"\s*\(\d{4}\)\s*$")


def _cut_short(symbol: str, named: str) -> bool:
    """Whether the markup's symbol is the file name's with the last number's final digits dropped
    (A/HRC/RES/58/1 printed throughout A_HRC_RES_58_18F.xml, the French text on Nicaragua, whose
    other versions print 58/18): a typing slip, where the name, given to each file by its number,
    is right. Never the other way round: a longer number in the markup is another resolution."""
    a, b = symbols.parse(symbol), symbols.parse(named)
    if not a or not b or (a.kind, a.body) != (b.kind, b.body):
        return False
    short, full = _YEAR.sub("", normalise_symbol(symbol)), _YEAR.sub("", normalise_symbol(named))
    return len(full) > len(short) and full.startswith(short) and full[len(short):].isdigit() and short[-1:].isdigit()


def _body_of(doc: etree._Element, symbol: str, source: str) -> Body:
    uri = _attr(doc, "meta/identification/FRBRWork/FRBRuri", "value")
    for part in uri.split("/"):
        if part in _URI_BODY:
            return _URI_BODY[part]
    key = normalise_symbol(symbol)
    if key.startswith("A/HRC/"):
        return "HRC"
    if key.startswith("S/"):
        return "SC"
    if key.startswith("A/"):
        return "GA"
    author = _attr(doc, "meta/identification/FRBRWork/FRBRauthor", "href").lstrip("#").lower()
    if author in ("sc", "ga"):
        return "SC" if author == "sc" else "GA"
    raise UnreadableFile(source, "cannot tell the body (HRC, GA or SC) from the FRBR uri, the author or the symbol")


def _number(doc: etree._Element, body: Body, symbol: str) -> str:
    if body == "SC":
        match = re.search(r"S/RES/(\d+)", symbol)
        if match:
            return match.group(1)
    printed = _text(doc, "preface//docNumber").rstrip(".").strip()
    if printed:
        return printed
    work = _attr(doc, "meta/identification/FRBRWork/FRBRuri", "value").rstrip("/").rsplit("/", 1)[-1]
    match = re.fullmatch(r"(\d+)-(\d+)", work)
    if not match:
        return ""
    return match.group(1) if body == "SC" else f"{match.group(1)}/{match.group(2)}"


def _session(doc: etree._Element, body: Body, number: str) -> str | None:
    if body == "SC":
        return None
    return _attr(doc, "coverPage//session", "value") or (number.split("/")[0] if "/" in number else None)


# ISO 639-2 codes of languages UN texts are also translated into (UNxml has German versions),
# bibliographic and terminology forms: a version in one of them is indexed under its own code,
# never under the file name's letter ("…E.xml" would file a German text as English)
OTHER_LANGUAGES = {"deu": "de", "ger": "de", "por": "pt", "ita": "it", "jpn": "ja", "kor": "ko", "nld": "nl",
                   "dut": "nl", "ukr": "uk", "fas": "fa", "per": "fa", "tur": "tr", "pol": "pl", "hin": "hi",
                   "swa": "sw", "ind": "id", "chi": "zh"}


def _language(doc: etree._Element, source: str) -> str:
    code = _attr(doc, "meta/identification/FRBRExpression/FRBRlanguage", "language").lower()
    if code in LANGUAGES:
        return LANGUAGES[code]
    if code in OTHER_LANGUAGES:
        return OTHER_LANGUAGES[code]
    if re.fullmatch(r"[a-z]{2,3}", code):
        return code  # a language the tables do not know: kept under its own code, read word for word
    match = re.search(r"([EFSACR])\.xml$", source)
    return _FILE_LANGUAGE[match.group(1)] if match else "en"


def _iso_date(value: str) -> date | None:
    """An ISO date; None for none, a malformed one or one before the UN's first resolution — the
    markup's placeholder "0001-01-01" (S/RES/2696 (2023) AR, whose symbol became "S/RES/2696 (1)")."""
    try:
        day = date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None
    return day if day is None or day.year >= 1946 else None


def _english_date(value: Any) -> date | None:
    try:
        return datetime.strptime(str(value).strip(), "%d %B %Y").date() if value else None
    except ValueError:
        return None


def _meeting(doc: etree._Element) -> str:
    return _text(doc, "conclusions//location[@refersTo='#adoptionMeeting']") or _text(
        doc, "coverPage//inline[@name='adoptionMeeting']")


def _agenda(doc: etree._Element, record: dict[str, Any]) -> str | None:
    item = _text(doc, "coverPage//inline[@name='agenda item']") or str(record.get("agenda_item") or "")
    name = _text(doc, "coverPage//inline[@name='agenda item name']") or clean(str(record.get("agenda_item_name") or ""))
    return ": ".join(part for part in (item, name) if part) or None


def _vote(doc: etree._Element, record: dict[str, Any]) -> Vote:
    voting = doc.find("meta//voting")
    outcome = voting.get("outcome", "") if voting is not None else ""
    counts = {c.get("refersTo", "").lstrip("#"): _int(c.get("value"))
              for c in (voting.findall("count") if voting is not None else [])}
    text = _vote_text(doc) or str(record.get("adoption_type") or "")
    if outcome == "adoptedWithoutVote" or (not counts and record.get("voting_type") == "adoptedWithoutVote"):
        return Vote("without_vote", text=text)
    if not counts and _int(record.get("MS_in_favour_count")):
        counts = {k: _int(record.get(f"MS_{k}_count")) for k in ("in_favour", "against", "abstaining")}
        counts["inFavour"] = counts.pop("in_favour")
    if counts:
        unanimous = "unanimous" in f"{text} {record.get('adoption_type', '')}".lower()
        return Vote("unanimous" if unanimous else "recorded", counts.get("inFavour") or 0,
                    counts.get("against") or 0, counts.get("abstaining") or 0, text)
    if "without" in text.lower():
        return Vote("without_vote", text=text)
    return Vote(text=text)


def _vote_text(doc: etree._Element) -> str:
    for outcome in doc.iterfind("conclusions//outcome"):
        if outcome.get("refersTo", "").startswith("#adopted"):
            return clean(_inline(outcome, None, _NOT_TEXT | {"outcome"}))  # without the lists of States
    step = doc.find("meta/workflow/step[@outcome='adopted']")
    if step is not None:
        for value in (step.get("by", ""), step.get("as", "")):
            if value.lower().startswith("adopt"):
                return clean(value)
    return ""


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


_COMPOUND_NAMES = ("Antigua and Barbuda", "Bosnia and Herzegovina", "Saint Kitts and Nevis",
                   "Saint Vincent and the Grenadines", "Sao Tome and Principe", "Trinidad and Tobago",
                   "United Kingdom of Great Britain and Northern Ireland")


def _sponsors(doc: etree._Element, record: dict[str, Any]) -> list[str]:
    names: list[str] = []
    for outcome in ("draftResolution", "draftResolutionAdditionalSponsors"):
        names += split_names(_attr(doc, f"meta/workflow/step[@outcome='{outcome}']", "by"))
    if not names:
        names = [str(n) for n in [*record.get("sponsors", []), *record.get("additional_sponsors", [])]]
    return list(dict.fromkeys(n for n in names if n))


def split_names(text: str) -> list[str]:
    """ "A, B (on behalf of C, D) and E" → [A, B (on behalf of C, D), E]; country names with "and" kept."""
    for name in _COMPOUND_NAMES:
        text = text.replace(name, name.replace(" and ", "\0"))
    pieces = re.findall(r"(?:\([^()]*\)|[^,(])+", clean(text))
    names: list[str] = []
    for piece in pieces:
        names += re.split(r"\s+and\s+(?![^()]*\))", piece)
    return [n.replace("\0", " and ").strip() for n in names if n.strip()]


def _subjects(doc: etree._Element, record: dict[str, Any]) -> list[str]:
    """UNBIS thesaurus terms: the metadata JSON's when present (SC and GA XML only carry SDG-derived
    keywords such as "civil_society"), else the XML classification keywords."""
    terms = [str(s[0]) for s in record.get("subjects", [])
             if isinstance(s, list) and len(s) == 2 and str(s[1]).startswith("UNBIS")]
    if not terms:
        keywords = doc.iterfind("meta/classification/keyword")
        terms = [(k.get("showAs") or k.get("value") or "").replace("_", " ").upper()
                 for k in keywords if (k.get("dictionary") or "").startswith("UNBIS")]
    return list(dict.fromkeys(clean(t) for t in terms if t.strip()))


# ---------------------------------------------------------------------------------------- references


def _document_references(res: Resolution) -> list[str]:
    """References of all paragraphs and footnotes, without duplicates and without the text itself.

    An HRC session later than the citing text cannot be cited yet (the Council holds three sessions
    a year since 2006): "its resolution 60/251" in a Council text that names the Assembly too far
    back is the Assembly's, A/RES/60/251."""
    session = res.session or ""
    # isdecimal, not isdigit: int() refuses "²"; six digits at most: int() refuses thousands
    latest = int(session) if res.body == "HRC" and session.isdecimal() and len(session) <= 6 else (
        3 * (res.adopted.year - 2005) if res.adopted else None)
    found: dict[str, str] = {}
    for top in res.paragraphs:
        for para in top.walk():
            for text in [para.text, *para.footnotes]:
                for symbol in extract_references(text, res.body):
                    late = re.fullmatch(r"A/HRC/RES/(\d+)/(\d+)", symbol)
                    if late and latest is not None and int(late.group(1)) > latest:
                        symbol = f"A/RES/{late.group(1)}/{late.group(2)}"
                    found.setdefault(normalise_symbol(symbol), symbol)
    found.pop(normalise_symbol(res.symbol), None)
    return list(found.values())
