"""Fuzz the file readers: malformed bytes must end in `UnreadableFile`, never in anything else.

Why: the readers are where untrusted bytes enter reso (`reso ingest` of any folder, `POST
/api/admin/ingest`). `reso ingest` skips a file that raises `UnreadableFile` and names its reason;
any other exception stops the whole ingest, a hang stalls it, and an XML entity that is resolved
can read local files or reach the network. So every reader, for any input, must either return a
`Resolution` or raise `UnreadableFile`, within a few seconds.

How: seed files of every format (the seed resolution laid out as PDF, DOCX and HTML by the very
builders `tests/test_formats.py` uses, `reso.evals.render`; its .txt, and the AKN fixtures) are
mutated — bit flips, truncation, splicing, duplicated ranges, invalid UTF-8, NUL bytes, zip
entries corrupted or dropped, XML trees rewired, deep nesting, billion laughs, external entities, huge attributes,
PDF objects rewired — and each mutant is read through the public registry (`index.readers.read`)
in a forked worker with a memory cap. A file that takes more than `--timeout` seconds of CPU (the
kernel stops the worker: RLIMIT_CPU), or keeps the worker busy four times as long on the wall
clock, is a hang; CPU time rather than wall time, so that a machine shared with other work does
not turn a slow-but-linear parse into a hang. Fixed attack inputs and the regression inputs kept in
`tests/fixtures/fuzz/` run first, so every run covers them.

    python3 -m evals.fuzz --seconds 60 [--seed N] [--timeout 5] [--save DIR] [--format xml ...]

The exit code is 1 when a crash (an exception other than `UnreadableFile`, a dead worker, or a
leak of the canary file / a network connection through an XML entity) or a hang was found.
"""

from __future__ import annotations

import argparse
import copy
import functools
import io
import math
import multiprocessing
import random
import re
import resource
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
import warnings
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Literal

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
REGRESSIONS = FIXTURES / "fuzz"
FORMATS: tuple[str, ...] = ("pdf", "docx", "html", "xml", "txt")
SUFFIX = {"pdf": ".pdf", "docx": ".docx", "html": ".html", "xml": ".xml", "txt": ".txt"}
MAX_INPUT = 12 * 1024 * 1024  # mutants are capped: the point is malformed bytes, not disk-sized files
MEMORY_LIMIT = 2 * 1024 ** 3  # address space of the worker; a blow-up past it is a MemoryError (a crash)
CANARY = "reso-fuzz-canary-7f3a1c"  # written to a local file that XML entities try to read

Kind = Literal["ok", "documented", "crash", "hang"]
Mutator = Callable[[random.Random, bytes], tuple[bytes, str]]


# ------------------------------------------------------------------------------------------ seeds


@dataclass(frozen=True)
class Seed:
    fmt: str
    name: str
    data: bytes


def build_seeds(workdir: Path) -> dict[str, list[Seed]]:
    """Seed files per format. PDF, DOCX and HTML come from `reso.evals.render`'s builders,
    so the fuzzer mutates the same layouts the format tests prove readable."""
    from reso.index.readers import text as text_reader

    seeds: dict[str, list[Seed]] = {fmt: [] for fmt in FORMATS}
    seed_txt = ROOT / "index" / "default_corpus" / "A_HRC_RES_30_25-fr.txt"
    seeds["txt"].append(Seed("txt", seed_txt.name, seed_txt.read_bytes()))
    english = FIXTURES / "text" / "A_HRC_RES_54_10-en.txt"
    if english.is_file():
        seeds["txt"].append(Seed("txt", english.name, english.read_bytes()))
    for name in ("A_HRC_RES_54_10E.xml", "A_HRC_RES_54_10A.xml", "A_HRC_RES_54_20F.xml", "S_RES_2675_E.xml",
                 "S_RES_2716-2325346E.xml", "A_RES_78_186-2326034E.xml", "S_RES_2699-2318982F.xml"):
        path = FIXTURES / "akn" / name
        if path.is_file():
            seeds["xml"].append(Seed("xml", name, path.read_bytes()))
    from reso.evals import render  # the builders of the format tests

    resolution = text_reader.read(seed_txt)
    seeds["html"].append(Seed("html", "seed.html", render.build_html(resolution).encode("utf-8")))
    seeds["docx"].append(Seed("docx", "seed.docx", render.build_docx(resolution, workdir / "seed.docx").read_bytes()))
    try:
        seeds["pdf"].append(Seed("pdf", "seed.pdf", render.build_pdf(resolution, workdir / "seed.pdf").read_bytes()))
    except render.NoFont as exc:
        print(f"fuzz: no PDF seed ({type(exc).__name__}: {exc})", file=sys.stderr)
    return {fmt: found for fmt, found in seeds.items() if found}


# ------------------------------------------------------------------------------ generic mutators

_INTERESTING = [b"\x00", b"\xff", b"\x7f", b"\x80", b"<", b">", b"&", b'"', b"\n", b"\r", b"\f", b"0", b"9",
                b"(", b")", b"/", b"\\", b"-", b" ", b"\xc3", b"\xe2\x80\x8f"]
_INVALID_UTF8 = [b"\xff", b"\xfe", b"\xc3\x28", b"\xa0\xa1", b"\xe2\x28\xa1", b"\xf0\x28\x8c\x28", b"\xc0\xaf",
                 b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\x80"]


def _pos(rng: random.Random, data: bytes) -> int:
    return rng.randrange(len(data) + 1)


def bit_flips(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    if not data:
        return b"\x01", "bit flip of empty"
    k = rng.choice([1, 1, 2, 4, 8, 32, 256])
    out = bytearray(data)
    for _ in range(k):
        i = rng.randrange(len(out))
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out), f"{k} bit flips"


def interesting_bytes(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    out = data
    k = rng.choice([1, 3, 10, 50])
    for _ in range(k):
        i = _pos(rng, out)
        out = out[:i] + rng.choice(_INTERESTING) + out[i + rng.choice([0, 1]):]
    return out, f"{k} interesting bytes"


def truncate(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    n = _pos(rng, data)
    return data[:n], f"truncated to {n} bytes"


def delete_range(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    i = _pos(rng, data)
    j = min(len(data), i + rng.choice([1, 16, 256, 4096, len(data)]))
    return data[:i] + data[j:], f"deleted [{i}:{j}]"


def insert_random(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    i = _pos(rng, data)
    junk = rng.randbytes(rng.choice([1, 8, 64, 1024]))
    return data[:i] + junk + data[i:], f"{len(junk)} random bytes at {i}"


def duplicate_range(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    if not data:
        return data, "duplicate of empty"
    i = rng.randrange(len(data))
    chunk = data[i:i + rng.choice([1, 16, 200, 5000])]
    times = rng.choice([2, 10, 100, 1000, 20000])
    times = max(1, min(times, MAX_INPUT // max(1, len(chunk)) // 2))
    return data[:i] + chunk * times + data[i:], f"{len(chunk)} bytes at {i} repeated {times}x"


def invalid_utf8(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    out = data
    k = rng.choice([1, 5, 40])
    for _ in range(k):
        i = _pos(rng, out)
        out = out[:i] + rng.choice(_INVALID_UTF8) + out[i:]
    return out, f"{k} invalid UTF-8 sequences"


def nul_bytes(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    choice = rng.randrange(3)
    if choice == 0:
        return b"\x00" * rng.choice([1, 100, 100_000]), "only NUL bytes"
    if choice == 1:
        i = _pos(rng, data)
        return data[:i] + b"\x00" + data[i:], f"one NUL at {i}"
    return data.replace(b" ", b"\x00", rng.choice([1, 10, 10_000])), "spaces replaced by NUL"


def empty_like(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    out = rng.choice([b"", b" ", b"\n\n\n", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\t\r\n\f", b"\x1a"])
    return out, f"near-empty {out!r}"


def lying_bom(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    bom = rng.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00"])
    return bom + data, f"BOM {bom!r} prepended"


GENERIC: list[Mutator] = [bit_flips, interesting_bytes, truncate, delete_range, insert_random, duplicate_range,
                          invalid_utf8, nul_bytes, empty_like, lying_bom]


# --------------------------------------------------------------------------------- text mutators

_TEXT_LINES = [
    "The Human Rights Council,", "Le Conseil des droits de l’homme,", "The Security Council,", "L’Assemblée générale,",
    "Annex", "Annexe II", "__________________", "1 A/HRC/54/25.", "12 See resolution 5/1.", "(a)", "(ii) item;",
    "a) item;", "1.", "999. Decides;", "0. Nothing.", "5 Encourages", "[Adopted without a vote.]",
    "[Adoptée par 31 voix contre 2, avec 14 abstentions.]", "46th meeting", "42", "e", " séance", "11 October 2023",
    "2 octobre 2015", "GE.23-19876 (E)", "*2319876*", "A/HRC/RES/54/10", "S/RES/2699 (2023)", "Resolution 2699 (2023)",
    "Please recycle", "- 3 -", "\f", "\u200f", "\u00ad", "30/25. A title", "2699.", "Agenda item 3",
    "Adopted by the Security Council at its 9430th meeting, on 2 October 2023", "• bullet", "– dash",
    "Recalling its resolution 60/251 of 15 March 2006,", "(A) Heading", "Article 1", "Part II",
]
_ODD_CHARS = ["\u00a0", "\u202f", "\u2009", "\u200b", "\ufeff", "\u200e", "\u200f", "\u202e", "\u2066", "\u0301",
              "\u00ad", "\u2011", "\ufb01", "\ufb00", "😀", "\U0001f3f3\ufe0f\u200d\U0001f308", "“", "”", "’", "«", "»",
              "\t", "\r", "\x0b", "\x85", "\u2028", "\u2029", "\ud800", "\U0010ffff", "١٢", "²", "𝟏", "\x1b"]


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="surrogateescape")


def _encode(text: str) -> bytes:
    return text.encode("utf-8", errors="surrogatepass")


def text_lines(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """Line-level edits that hit the text reader's rules: body lines, footnote rules, labels,
    closing-block lines, page furniture, odd characters."""
    lines = _decode(data).split("\n")
    ops = []
    for _ in range(rng.choice([1, 3, 10, 40])):
        op = rng.randrange(6)
        i = rng.randrange(len(lines) + 1)
        if op == 0:
            lines.insert(i, rng.choice(["", " ", "  "]) + rng.choice(_TEXT_LINES))
        elif op == 1 and lines:
            del lines[min(i, len(lines) - 1)]
        elif op == 2 and lines:
            j = min(i, len(lines) - 1)
            lines[j:j] = [lines[j]] * rng.choice([1, 5, 200])
        elif op == 3 and len(lines) > 1:
            a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[a], lines[b] = lines[b], lines[a]
        elif op == 4 and lines:
            j = min(i, len(lines) - 1)
            k = rng.randrange(len(lines[j]) + 1)
            lines[j] = lines[j][:k] + rng.choice(_ODD_CHARS) + lines[j][k:]
        elif op == 5 and lines:
            j = min(i, len(lines) - 1)
            lines[j] = lines[j].rstrip() + rng.choice(["-", " -", "\u00ad", ",1", "2", ";3", ":", ".", "”4"])
        ops.append(op)
    sep = rng.choice(["\n", "\n", "\r\n", "\r"])
    return _encode(sep.join(lines)), f"{len(ops)} line edits, line end {sep!r}"


def huge_text(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """Sizes no resolution has, in shapes that are costly for line-based rules."""
    shapes = {
        "one long line": "x" * 2_000_000,
        "long line of words": "word " * 400_000,
        "one paragraph of many lines": "word\n" * 200_000,
        "hyphenated lines": "wo-\nrd\n" * 100_000,
        "many numbered paragraphs": "".join(f" {i % 999 + 1}. Decides;\n" for i in range(100_000)),
        "many footnotes": "__________\n" + "".join(f"{i} note.\n" for i in range(1, 1000)) * 20,
        "markers everywhere": "Recalling word1 word2 word3 word4 word5 word6,\n" * 50_000,
        "many labels": " 1. Decides:\n" + "(a) item;\n(i) sub:\n" * 50_000,
        "digits": "1 " * 1_000_000,
        "superscripts": "42\ne\n séance\n" * 100_000,
    }
    name = rng.choice(sorted(shapes))
    text = _decode(data)
    i = rng.randrange(len(text) + 1)
    return _encode(text[:i] + "\n" + shapes[name] + "\n" + text[i:]), f"inserted {name}"


# ---------------------------------------------------------------------------------- XML mutators

AKN_NS = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
_AKN_TAGS = ["akomaNtoso", "statement", "meta", "preamble", "formula", "container", "mainBody", "paragraph", "num",
             "content", "p", "list", "intro", "point", "sublist", "blockList", "item", "listIntroduction", "wrapUp",
             "heading", "subheading", "authorialNote", "attachments", "attachment", "conclusions", "coverPage",
             "preface", "docNumber", "docTitle", "span", "a", "eol", "img", "mod", "quotedStructure", "voting",
             "count", "session", "FRBRuri", "FRBRdate", "FRBRlanguage", "step", "outcome", "location", "inline"]
_LABELS = ["", "1.", "2.", "99.", "0.", "-1.", "1", "١-", "(a)", "a)", "a.", "(ii)", "ii", "(أ)", "•", "–", "*", "A.",
           "(A)", "III.", "1.2.", "(a)(i)", "()", "((", ".", "9" * 5000 + ".", "١" * 5000, "²", "𝟏.", "\u200f1.",
           "1.\u00a0", " 3 ", "(aa)", "(zz)", "Article 5", "x" * 100_000]
_TEXTS = ["", " ", "5 Encourages the States,", "Decides:", "Recalling its resolution 60/251 of 15 March 2006,",
          "(a) To submit;", "a) Présenter;", "Article 1", "Annex A", "Part II", "Partie IV", "*", "\u00a0",
          "General Assembly resolution 60/251 and resolution 2653 (2022),", "9" * 5000 + " Decides",
          "resolution " * 2000, "Adopted unanimously", "x" * 1_000_000, "٣٤/٥ résolution", "😀" * 1000]
_ATTRS = {"value": ["", "/akn/un/statement/deliberation/unsc/2023-13-45/9-9/", "/akn/un/x/unga-hrc/0000-00-00/1-1/",
                    "²", "9" * 5000, "54", "-1", "abc"],
          "date": ["", "2023-13-45", "0001-01-01", "9999-99-99T", "²⁰²³-01-01", "2023-10-11"],
          "language": ["", "xx", "eng", "ara", "zzzz", "e"], "refersTo": ["#symbol", "#adoptionMeeting", "#adopted",
                                                                         "#inFavour", "", "#"],
          "outcome": ["adoptedWithoutVote", "adopted", "draftResolution", ""], "class": ["bold", "italic", ""],
          "name": ["adoption", "agenda item", "agenda item name", "adoptionMeeting", ""],
          "marker": ["1", "", "999999"], "href": ["#sc", "#ga", ""], "by": ["A, B (on behalf of C) and D", ""]}


def _tree(data: bytes):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.fromstring(data, parser)


def _edit_tree(rng: random.Random, root, ns: str | None, k: int) -> list[str]:
    """k random structural edits of an lxml tree: what a broken converter could write."""
    from lxml import etree

    def tag(name: str) -> str:
        return f"{{{ns}}}{name}" if ns else name

    done: list[str] = []
    for _ in range(k):
        elements = [el for el in root.iter() if isinstance(el.tag, str)]
        el = rng.choice(elements)
        op = rng.randrange(10)
        try:
            if op == 0 and el is not root:
                el.getparent().remove(el)
            elif op == 1 and el is not root:
                el.addnext(copy.deepcopy(el))
            elif op == 2:
                other = rng.choice(elements)
                if other is not root and el not in list(other.iterancestors()) and el is not other:
                    el.append(other)
            elif op == 3:
                el.tag = tag(rng.choice(_AKN_TAGS))
            elif op == 4:
                el.text = rng.choice(_TEXTS)
            elif op == 5:
                num = el.find(tag("num"))
                target = num if num is not None else etree.SubElement(el, tag("num"))
                target.text = rng.choice(_LABELS)
            elif op == 6:
                name = rng.choice(sorted(_ATTRS))
                el.set(name, rng.choice(_ATTRS[name]))
            elif op == 7 and el is not root:
                wrapper = etree.Element(tag(rng.choice(_AKN_TAGS)))
                el.addprevious(wrapper)
                wrapper.append(el)
            elif op == 8:
                for child in list(el):
                    el.remove(child)
            else:
                child = etree.SubElement(el, tag(rng.choice(_AKN_TAGS)))
                child.text = rng.choice(_TEXTS)
                child.tail = rng.choice(["", " ", "\n", "x"])
        except (ValueError, TypeError):  # lxml refuses some edits (a tag name it cannot hold): skip them
            continue
        done.append(str(op))
    return done


def xml_tree(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    from lxml import etree

    try:
        root = _tree(data)
    except etree.XMLSyntaxError:
        return bit_flips(rng, data)
    ns = etree.QName(root).namespace
    ops = _edit_tree(rng, root, ns, rng.choice([1, 2, 5, 20]))
    out = etree.tostring(root, encoding="utf-8", xml_declaration=rng.random() < 0.5)
    return out, f"tree edits {','.join(ops)}"


def _doctype(internal: str) -> str:
    return f"<!DOCTYPE akomaNtoso [{internal}]>"


def _laughs(depth: int = 10) -> str:
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, depth)]
    return "".join(entities)


@dataclass(frozen=True)
class Attack:
    """An entity attack: a DOCTYPE put before the root element and a reference put inside a <p>."""

    name: str
    doctype: str
    reference: str = ""


def xml_attacks(canary_path: Path, port: int) -> list[Attack]:
    canary = canary_path.as_uri()
    return [
        Attack("billion laughs", _doctype(_laughs()), "&lol9;"),
        Attack("quadratic blowup", _doctype(f'<!ENTITY a "{"a" * 100_000}">'), "&a;" * 20_000),
        Attack("external entity: local file", _doctype(f'<!ENTITY x SYSTEM "{canary}">'), "&x;"),
        Attack("external entity: network", _doctype(f'<!ENTITY x SYSTEM "http://127.0.0.1:{port}/x">'), "&x;"),
        Attack("parameter entity: network", _doctype(f'<!ENTITY % p SYSTEM "http://127.0.0.1:{port}/p"> %p;')),
        Attack("parameter entity: local file",
               _doctype(f'<!ENTITY % p SYSTEM "{canary}"> <!ENTITY % q "<!ENTITY y \'%p;\'>"> %q;'), "&y;"),
        Attack("external DTD", f'<!DOCTYPE akomaNtoso SYSTEM "http://127.0.0.1:{port}/dtd">'),
        Attack("undefined and invalid character references", "", "&undefined;&amp;&#0;&#xD800;&#1114112;"),
    ]


def with_attack(data: bytes, attack: Attack) -> bytes:
    """`data` (XML) with the attack's DOCTYPE before its root element and its reference in the first <p>."""
    dtd, reference = attack.doctype, attack.reference
    text = _decode(data)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    root_at = re.search(r"<[A-Za-z]", text)
    if root_at is None:
        return _encode(dtd + text)
    text = text[:root_at.start()] + dtd + text[root_at.start():]
    p = re.search(r"<(?:\w+:)?p[ >]", text[root_at.start() + len(dtd):])
    if p is not None:
        at = root_at.start() + len(dtd) + p.end()
        close = text.find(">", at - 1) + 1
        text = text[:close] + reference + text[close:]
    return _encode('<?xml version="1.0" encoding="UTF-8"?>\n' + text)


def xml_structure(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """Size and nesting limits: deep trees, huge attributes and text nodes, lying encodings."""
    text = _decode(data)
    at = text.find("<mainBody>")
    at = at + len("<mainBody>") if at >= 0 else len(text) // 2
    choice = rng.randrange(8)
    if choice == 0:
        depth = rng.choice([200, 255, 257, 1000, 100_000])
        tagname = rng.choice(["p", "paragraph", "list", "point", "span", "container"])
        nested = f"<{tagname}>" * depth + "x" + f"</{tagname}>" * depth
        return _encode(text[:at] + nested + text[at:]), f"nesting {depth} deep <{tagname}>"
    if choice == 1:
        size = rng.choice([100_000, 5_000_000, 11_000_000])
        return _encode(text.replace("<mainBody>", f'<mainBody huge="{"x" * size}">', 1)), f"{size}-byte attribute"
    if choice == 2:
        size = rng.choice([1_000_000, 11_000_000])
        return _encode(text[:at] + f"<paragraph><num>1.</num><content><p>{'y ' * (size // 2)}</p></content>"
                                   f"</paragraph>" + text[at:]), f"{size}-byte text node"
    if choice == 3:
        count = rng.choice([1000, 100_000])
        attrs = " ".join(f'a{i}="{i}"' for i in range(count))
        return _encode(text.replace("<mainBody>", f"<mainBody {attrs}>", 1)), f"{count} attributes"
    if choice == 4:
        enc = rng.choice(["UTF-16", "UTF-32", "EBCDIC-US", "x-unknown", "ISO-8859-1", "Shift_JIS", "UTF-7"])
        body = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
        return _encode(f'<?xml version="1.0" encoding="{enc}"?>' + body), f"declared encoding {enc}"
    if choice == 5:
        return (text.encode("utf-16", errors="surrogatepass") if rng.random() < 0.5
                else text.encode("utf-16-be", errors="surrogatepass")), "UTF-16 file"
    if choice == 6:
        junk = rng.choice(["<![CDATA[", "<!--", "<?pi", "<!DOCTYPE", "</akomaNtoso>", "<akomaNtoso>", "&", "]]>",
                           '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="/etc/passwd" parse="text"/>'])
        return _encode(text[:at] + junk + text[at:]), f"inserted {junk[:30]!r}"
    count = rng.choice([1000, 50_000])
    many = "".join(f"<paragraph><num>{i}.</num><content><p>Decides {i};</p></content></paragraph>"
                   for i in range(1, count))
    return _encode(text[:at] + many + text[at:]), f"{count} operative paragraphs"


# --------------------------------------------------------------------------------- HTML mutators

_HTML_TAGS = ["p", "div", "br", "span", "li", "ul", "table", "td", "tr", "script", "style", "head", "title",
              "svg", "template", "iframe", "em", "sup", "h1", "pre", "textarea", "noscript", "math", "object"]


def html_markup(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    text = _decode(data)
    choice = rng.randrange(7)
    if choice == 0:
        old, new = rng.choice(_HTML_TAGS), rng.choice(_HTML_TAGS)
        return _encode(re.sub(rf"(</?){old}\b", rf"\g<1>{new}", text, count=rng.choice([1, 5, 1000]))), \
            f"<{old}> → <{new}>"
    i = rng.randrange(len(text) + 1)
    if choice == 1:
        depth = rng.choice([100, 255, 300, 5000, 200_000])
        tagname = rng.choice(["div", "p", "b", "span", "li", "table"])
        return _encode(text[:i] + f"<{tagname}>" * depth + text[i:]), f"{depth} unclosed <{tagname}>"
    if choice == 2:
        junk = rng.choice(["<!--", "<![CDATA[", "<script>", "<style>", "</html>", "<html>", "<?xml version='1.0'?>",
                           '<meta charset="utf-16">', '<meta charset="x-bogus">', "&#0;", "&#xD800;", "&#1114112;",
                           "&bogus;", "<", "<p", "\x00", "<svg><p>x</svg>", "<body>" * 50, "<plaintext>"])
        return _encode(text[:i] + junk + text[i:]), f"inserted {junk[:20]!r}"
    if choice == 3:
        decl = rng.choice(["<?xml version='1.0' encoding='UTF-16'?>", '<?xml version="1.0" encoding="latin-1"?>\n',
                           "<?xml version='1.0'?>", "\ufeff"])
        return _encode(decl + text), f"declaration {decl!r}"
    if choice == 4:
        return _encode(text[:i] + "<p>" + "x" * rng.choice([10_000, 2_000_000]) + "</p>" + text[i:]), "huge text"
    if choice == 5:
        return _encode(text[:i] + "<p>" * rng.choice([10_000, 200_000]) + text[i:]), "many paragraphs"
    return _encode(text.replace(">", "", rng.choice([1, 10]))), "a few '>' removed"


# --------------------------------------------------------------------------------- DOCX mutators


def _rezip(entries: list[tuple[str, bytes]], stored: bool = False) -> bytes:
    out = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w", method) as archive:
        for name, data in entries:
            warnings.simplefilter("ignore")  # "Duplicate name": a duplicated entry is one of the mutations
            archive.writestr(name, data)
    return out.getvalue()


@functools.lru_cache(maxsize=8)
def _deflated(size: int, byte: bytes = b"\0", wbits: int = -15) -> bytes:
    """`size` (a multiple of 1 MiB) copies of `byte`, deflated once per run: what a bomb holds.
    wbits -15 is the raw deflate a zip entry holds, MAX_WBITS the zlib stream of a PDF filter."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = byte * (1 << 20)
    parts = [compressor.compress(block) for _ in range(size >> 20)]
    return b"".join(parts) + compressor.flush()


@functools.lru_cache(maxsize=4)
def _zeros_crc(size: int) -> int:
    crc, block = 0, b"\0" * (1 << 20)
    for _ in range(size >> 20):
        crc = zlib.crc32(block, crc)
    return crc


def zip_bomb(entries: list[tuple[str, bytes]], name: str, size: int) -> bytes:
    """The zip of `entries` plus an entry `name` of `size` zero bytes, deflated (about 1000:1)."""
    raw = _deflated(size)
    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        warnings.simplefilter("ignore")  # "Duplicate name": an earlier mutation may have duplicated an entry
        for entry, data in entries:
            archive.writestr(entry, data)
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.CRC, info.compress_size, info.file_size = _zeros_crc(size), len(raw), size
        header = info.FileHeader(zip64=size > 0x7FFFFFFF)
        info.header_offset = archive.fp.tell()
        archive.fp.write(header + raw)
        archive.start_dir = archive.fp.tell()
        archive.filelist.append(info)
        archive.NameToInfo[name] = info
        archive._didModify = True
    return out.getvalue()


def docx_bomb(entries: list[tuple[str, bytes]], size: int) -> bytes:
    """The DOCX with an image part of `size` zero bytes that its document links to, so that a
    reader loading every linked part would inflate it."""
    rel = (b'<Relationship Id="rIdFuzz" Target="media/fuzz.png" '
           b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"/></Relationships>')
    png = b'<Default Extension="png" ContentType="image/png"/></Types>'
    edited = [(name, content.replace(b"</Relationships>", rel) if name == "word/_rels/document.xml.rels"
               else content.replace(b"</Types>", png) if name == "[Content_Types].xml" else content)
              for name, content in entries]
    return zip_bomb(edited, "word/media/fuzz.png", size)


def docx_zip(rng: random.Random, data: bytes, attacks: list[Attack]) -> tuple[bytes, str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = [(info.filename, archive.read(info.filename)) for info in archive.infolist()]
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error):
        return bit_flips(rng, data)
    names = [name for name, _ in entries]
    target = "word/document.xml" if "word/document.xml" in names and rng.random() < 0.6 else rng.choice(names)
    index = names.index(target)
    choice = rng.randrange(9)
    name, content = entries[index]
    if choice == 0:
        flipped, how = bit_flips(rng, content)
        entries[index] = (name, flipped)
    elif choice == 1:
        entries[index] = (name, content[:rng.randrange(len(content) + 1)])
        how = "truncated"
    elif choice == 2:
        del entries[index]
        how = "removed"
    elif choice == 3:
        try:
            from lxml import etree

            root = _tree(content)
            _edit_tree(rng, root, None, rng.choice([1, 3, 10]))
            entries[index] = (name, etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))
            how = "tree edits"
        except Exception:  # noqa: BLE001 - not XML: flip bits instead
            entries[index] = (name, bit_flips(rng, content)[0])
            how = "bit flips"
    elif choice == 4:
        attack = rng.choice(attacks)
        entries[index] = (name, with_attack(content, attack))
        how = attack.name
    elif choice == 5:
        size = rng.choice([64 << 20, 1 << 30])
        return docx_bomb(entries, size), f"image part inflating to {size >> 20} MB"
    elif choice == 6:
        entries.append((name, content))
        how = "duplicated (two entries with one name)"
    elif choice == 7:
        entries[index] = (name, xml_structure(rng, content)[0])
        how = "XML structure"
    else:
        return _rezip(entries, stored=True)[:rng.randrange(1, len(data) + 1)], "stored zip truncated"
    return _rezip(entries, stored=rng.random() < 0.2), f"entry {target}: {how}"


# ---------------------------------------------------------------------------------- PDF mutators


def pdf_objects(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """Rewire the object graph: wrong counts and lengths, cycles, deep nesting, odd filters."""
    choice = rng.randrange(8)
    if choice == 0:
        value = rng.choice([b"0", b"-1", b"2147483648", b"999999999999", b"1.5"])
        return re.sub(rb"/Count \d+", b"/Count " + value, data), f"/Count {value.decode()}"
    if choice == 1:
        value = rng.choice([b"0", b"-5", b"99999999", b"1"])
        count = rng.choice([1, 100])
        return re.sub(rb"/Length \d+", b"/Length " + value, data, count=count), f"/Length {value.decode()}"
    if choice == 2:
        refs = re.findall(rb"\b(\d+) 0 R\b", data)
        if not refs:
            return bit_flips(rng, data)
        target = rng.choice(refs + [b"1", b"0", b"999"])
        k = rng.choice([1, 3, 100])
        return re.sub(rb"\b\d+ 0 R\b", target + b" 0 R", data, count=k), f"{k} references to object {target.decode()}"
    if choice == 3:
        depth = rng.choice([100, 1000, 100_000])
        nested = rng.choice([b"[" * depth + b"]" * depth, b"<<" * depth, b"<< /A " * depth + b">>" * depth])
        at = data.find(b"<<")
        at = at + 2 if at >= 0 else len(data) // 2
        return data[:at] + b" /Deep " + nested + b" " + data[at:], f"nesting {depth} deep"
    if choice == 4:
        new = rng.choice([b"/LZWDecode", b"/ASCII85Decode", b"/RunLengthDecode", b"/DCTDecode", b"/JBIG2Decode",
                          b"/Crypt", b"/CCITTFaxDecode", b"/Bogus", b"[/FlateDecode /FlateDecode]"])
        return data.replace(b"/FlateDecode", new), f"filter {new.decode()}"
    if choice == 5:
        word = rng.choice([b"xref", b"startxref", b"trailer", b"%%EOF", b"endobj", b"endstream", b"/Root", b"/Pages"])
        return data.replace(word, b"", rng.choice([1, 100])), f"removed {word.decode()}"
    if choice == 6:
        offset = data.rfind(b"startxref")
        update = (b"\n1 0 obj\n<< /Type /Catalog /Pages 1 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R /Prev "
                  + str(max(offset, 0)).encode() + b" /Size 2 >>\nstartxref\n" + str(len(data) + 1).encode()
                  + b"\n%%EOF\n")
        return data + update, "incremental update with a cyclic catalog"
    size = rng.choice([16 << 20, 100 << 20])
    raw = _deflated(size, b" ", zlib.MAX_WBITS)
    stream = (b"\n99 0 obj\n<< /Length " + str(len(raw)).encode() + b" /Filter /FlateDecode >>\nstream\n" + raw
              + b"\nendstream\nendobj\n")
    replaced = re.sub(rb"/Contents \d+ 0 R", b"/Contents 99 0 R", data, count=1)
    at = replaced.rfind(b"xref")
    at = at if at >= 0 else len(replaced)
    return replaced[:at] + stream + replaced[at:], f"content stream inflating to {size >> 20} MB"


# ------------------------------------------------------------------------------------- the sandbox


@dataclass
class Outcome:
    kind: Kind
    detail: str
    seconds: float  # wall clock
    trace: str = ""
    cpu: float = 0.0  # CPU seconds the worker spent on the input


def _address_space() -> int:
    """This process's current virtual size in bytes (VmSize), 0 where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _worker(conn: Connection, workdir: str, memory: int, cpu_limit: float) -> None:
    """Read each input through the public registry; report how it ended. Runs in a forked child.

    Each read may use `cpu_limit` seconds of CPU (RLIMIT_CPU, reset per input): past it the kernel
    ends the worker with SIGXCPU, which the parent reports as a hang. CPU time, not wall time, so
    that a busy machine does not turn a slow-but-linear parse into a "hang"."""
    try:
        # a budget on top of what the fork inherited: forked from a big process (a whole test session
        # holds models and indexes, GBs of address space), an absolute cap would leave no room at all,
        # and every allocation or stack growth would fail as a spurious "crash"
        budget = _address_space() + memory
        resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
    except (ValueError, OSError):
        pass
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    from reso.index import readers
    from reso.errors import UnreadableFile

    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        suffix, data = message
        path = Path(workdir) / f"input{suffix}"
        path.write_bytes(data)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        before = usage.ru_utime + usage.ru_stime
        soft = math.ceil(before + cpu_limit)
        resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))
        try:
            res = readers.read(path)
            leaked = CANARY in repr(res)
            kind, detail = ("crash", "canary file content leaked into the text") if leaked else (
                "ok", f"{res.symbol}: {sum(1 for top in res.paragraphs for _ in top.walk())} paragraphs")
            conn.send((kind, detail, "", _cpu() - before))
        except UnreadableFile as exc:
            conn.send(("documented", exc.reason, "", _cpu() - before))
        except BaseException as exc:  # noqa: BLE001 - everything else is what we hunt
            conn.send(("crash", f"{type(exc).__name__}: {str(exc)[:300]}", traceback.format_exc()[-5000:],
                       _cpu() - before))
        finally:
            resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))
            del data
            path.unlink(missing_ok=True)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Sandbox:
    """One forked worker at a time, replaced when an input kills it.

    An input that uses more than `timeout` seconds of CPU is a hang (the worker dies of SIGXCPU);
    one that keeps the worker busy for `wall` seconds without using the CPU (waiting on something)
    is a hang too."""

    def __init__(self, workdir: Path, timeout: float, memory: int = MEMORY_LIMIT, wall: float | None = None):
        self.workdir, self.timeout, self.memory = workdir, timeout, memory
        self.wall = wall if wall is not None else max(4 * timeout, timeout + 15)
        self._context = multiprocessing.get_context("fork")
        self._process = None
        self._conn: Connection | None = None

    def _start(self) -> None:
        parent, child = self._context.Pipe()
        self._process = self._context.Process(target=_worker, daemon=True,
                                              args=(child, str(self.workdir), self.memory, self.timeout))
        self._process.start()
        child.close()
        self._conn = parent

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join(5)
        if self._conn is not None:
            self._conn.close()
        self._process = self._conn = None

    def run(self, suffix: str, data: bytes) -> Outcome:
        if self._process is None or not self._process.is_alive():
            self._stop()
            self._start()
        assert self._conn is not None and self._process is not None
        start = time.monotonic()
        try:
            self._conn.send((suffix, data))
            if not self._conn.poll(self.wall):
                self._stop()
                return Outcome("hang", f"no answer within {self.wall:g} s", time.monotonic() - start)
            kind, detail, trace, cpu = self._conn.recv()
        except (EOFError, OSError):
            self._process.join(5)
            code = self._process.exitcode
            self._stop()
            if code == -signal.SIGXCPU:
                return Outcome("hang", f"over {self.timeout:g} s of CPU time", time.monotonic() - start,
                               cpu=self.timeout)
            return Outcome("crash", f"worker died (exit code {code})", time.monotonic() - start)
        return Outcome(kind, detail, time.monotonic() - start, trace, cpu)

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.send(None)
            except OSError:
                pass
        self._stop()


class _Listener:
    """A loopback port that counts connections: an XML entity that reaches it is a finding."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


# ------------------------------------------------------------------------------------- the runner


@dataclass
class Finding:
    fmt: str
    how: str
    kind: Kind
    detail: str
    trace: str = ""
    saved: Path | None = None


@dataclass
class FormatStats:
    tried: int = 0
    parsed: int = 0
    documented: int = 0
    crashes: int = 0
    hangs: int = 0
    slowest: float = 0.0  # CPU seconds
    slowest_input: str = ""


@dataclass
class Report:
    seed: int
    seconds: float
    timeout: float
    stats: dict[str, FormatStats] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    reasons: Counter = field(default_factory=Counter)
    network_connections: int = 0

    @property
    def crashes(self) -> list[Finding]:
        return [f for f in self.findings if f.kind == "crash"]

    @property
    def hangs(self) -> list[Finding]:
        return [f for f in self.findings if f.kind == "hang"]

    @property
    def tried(self) -> int:
        return sum(s.tried for s in self.stats.values())


def regression_inputs() -> Iterator[tuple[str, bytes, str]]:
    """(format, bytes, description) of each input kept in tests/fixtures/fuzz/ (each crashed a reader once)."""
    if REGRESSIONS.is_dir():
        for path in sorted(REGRESSIONS.iterdir()):
            fmt = next((f for f, suffix in SUFFIX.items() if path.suffix == suffix), None)
            if fmt is not None:
                yield fmt, path.read_bytes(), f"regression {path.name}"


class Fuzzer:
    """Generates inputs (fixed attacks, regressions, then random mutants) and runs them."""

    def __init__(self, workdir: Path, seed: int, formats: tuple[str, ...] = FORMATS):
        self.workdir = workdir
        self.rng = random.Random(seed)
        self.seeds = {fmt: s for fmt, s in build_seeds(workdir).items() if fmt in formats}
        self.formats = tuple(fmt for fmt in formats if fmt in self.seeds)
        self.canary = workdir / "canary.txt"
        self.canary.write_text(CANARY + "\n")
        self.listener = _Listener()
        self.attacks = xml_attacks(self.canary, self.listener.port)

    def fixed(self) -> Iterator[tuple[str, bytes, str]]:
        """Inputs every run tries: the regression files, then entity and size attacks per format."""
        yield from regression_inputs()
        for fmt in self.formats:
            yield fmt, b"", "empty"
            yield fmt, b"\x00" * 1000, "NUL bytes"
            yield fmt, self.seeds[fmt][0].data[:100], "first 100 bytes"
        for seed in self.seeds.get("xml", [])[:1]:
            for attack in self.attacks:
                yield "xml", with_attack(seed.data, attack), attack.name
        for seed in self.seeds.get("docx", [])[:1]:
            for attack in self.attacks:
                yield "docx", self._docx_attack(seed.data, attack), f"document.xml: {attack.name}"
            yield "docx", docx_bomb(self._entries(seed.data), 320 << 20), "image part inflating to 320 MB"
        for seed in self.seeds.get("html", [])[:1]:
            yield "html", seed.data.replace(b"<body>", b"<body>" + b"<div>" * 200_000), "200000 nested <div>"

    @staticmethod
    def _entries(data: bytes) -> list[tuple[str, bytes]]:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [(info.filename, archive.read(info.filename)) for info in archive.infolist()]

    def _docx_attack(self, data: bytes, attack: Attack) -> bytes:
        entries = [(n, with_attack(c, attack) if n == "word/document.xml" else c) for n, c in self._entries(data)]
        return _rezip(entries)

    def mutant(self, fmt: str) -> tuple[bytes, str]:
        rng = self.rng
        seed = rng.choice(self.seeds[fmt])
        data, how = seed.data, [seed.name]
        specific: list[Mutator] = {
            "txt": [text_lines, text_lines, huge_text],
            "html": [html_markup, html_markup, text_lines, huge_text],
            "xml": [xml_tree, xml_tree, xml_tree, xml_structure, self._xml_attack],
            "docx": [lambda r, d: docx_zip(r, d, self.attacks)] * 3,
            "pdf": [pdf_objects, pdf_objects],
        }[fmt]
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            if rng.random() < 0.15:
                other = rng.choice([s for seeds in self.seeds.values() for s in seeds])
                i, j = _pos(rng, data), _pos(rng, other.data)
                data, step = data[:i] + other.data[j:], f"spliced with {other.name}[{j}:] at {i}"
            else:
                mutator = rng.choice(specific + GENERIC)
                try:
                    data, step = mutator(rng, data)
                except Exception as exc:  # noqa: BLE001 - a mutator that cannot apply: flip bits instead
                    data, step = bit_flips(rng, data)
                    step += f" (mutator {getattr(mutator, '__name__', 'docx')} failed: {type(exc).__name__})"
            how.append(step)
            if len(data) > MAX_INPUT:
                data = data[:MAX_INPUT]
                how.append("capped")
        return data, " → ".join(how)

    def _xml_attack(self, rng: random.Random, data: bytes) -> tuple[bytes, str]:
        attack = rng.choice(self.attacks)
        return with_attack(data, attack), attack.name

    def close(self) -> None:
        self.listener.close()


def fuzz(*, seconds: float | None = None, max_inputs: int | None = None, seed: int = 0, timeout: float = 5.0,
         formats: tuple[str, ...] = FORMATS, save_dir: Path | None = None, fixed: bool = True,
         progress: Callable[[str], None] | None = None) -> Report:
    """Run the fuzzer for `seconds` (wall clock) or `max_inputs` inputs, whichever ends first."""
    if seconds is None and max_inputs is None:
        raise ValueError("give seconds or max_inputs")
    _preload()
    with tempfile.TemporaryDirectory(prefix="reso-fuzz-") as tmp:
        workdir = Path(tmp)
        (workdir / "w").mkdir()
        fuzzer = Fuzzer(workdir, seed, formats)
        sandbox = Sandbox(workdir / "w", timeout)
        report = Report(seed=seed, seconds=0.0, timeout=timeout, stats={fmt: FormatStats() for fmt in fuzzer.formats})
        start = time.monotonic()
        deadline = start + seconds if seconds is not None else None

        def inputs() -> Iterator[tuple[str, bytes, str]]:
            if fixed:
                yield from fuzzer.fixed()
            turn = 0
            while True:
                fmt = fuzzer.formats[turn % len(fuzzer.formats)]
                turn += 1
                data, how = fuzzer.mutant(fmt)
                yield fmt, data, how

        try:
            for fmt, data, how in inputs():
                if deadline is not None and time.monotonic() >= deadline:
                    break
                if max_inputs is not None and report.tried >= max_inputs:
                    break
                outcome = sandbox.run(SUFFIX[fmt], data)
                stats = report.stats.setdefault(fmt, FormatStats())
                stats.tried += 1
                if outcome.cpu > stats.slowest:
                    stats.slowest, stats.slowest_input = outcome.cpu, f"{how} ({len(data):,} bytes)"
                if outcome.kind == "ok":
                    stats.parsed += 1
                elif outcome.kind == "documented":
                    stats.documented += 1
                    report.reasons[_reason_family(outcome.detail)] += 1
                else:
                    if outcome.kind == "crash":
                        stats.crashes += 1
                    else:
                        stats.hangs += 1
                    finding = Finding(fmt, how, outcome.kind, outcome.detail, outcome.trace)
                    if save_dir is not None:
                        finding.saved = _save(save_dir, fmt, data, len(report.findings))
                    report.findings.append(finding)
                    if progress:
                        progress(f"{outcome.kind}: {fmt} [{how}] {outcome.detail}")
        finally:
            sandbox.close()
            time.sleep(0.3)  # let the listener count a connection still in flight
            report.network_connections = fuzzer.listener.connections
            fuzzer.close()
        if report.network_connections:
            report.findings.append(Finding("xml", "external entity", "crash",
                                           f"{report.network_connections} network connection(s) from a reader"))
        report.seconds = time.monotonic() - start
        return report


def _preload() -> None:
    """Import the readers' libraries once in the parent, so each forked worker starts at once."""
    import docx  # noqa: F401
    import lxml.html  # noqa: F401
    import pypdf  # noqa: F401

    from reso.index.readers import akn, docx as docx_reader, html, pdf, text  # noqa: F401


def _reason_family(reason: str) -> str:
    """The stable head of a reason ("malformed XML at line 3: …" → "malformed XML")."""
    head = re.split(r"[:(]| at line", reason, maxsplit=1)[0].strip()
    return head[:60] or reason[:60]


def _save(save_dir: Path, fmt: str, data: bytes, n: int) -> Path:
    save_dir.mkdir(parents=True, exist_ok=True)
    path = save_dir / f"finding-{n:03d}{SUFFIX[fmt]}"
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------------------------------- the CLI


def format_report(report: Report) -> str:
    lines = [f"fuzz: {report.seconds:.0f} s, seed {report.seed}, per-file limit {report.timeout:g} s of CPU, "
             f"{report.tried} inputs",
             "",
             f"{'format':8}{'inputs':>8}{'parsed':>8}{'documented errors':>19}{'crashes':>9}{'hangs':>7}{'max CPU':>9}"]
    total = FormatStats()
    for fmt, s in report.stats.items():
        lines.append(f"{fmt:8}{s.tried:>8}{s.parsed:>8}{s.documented:>19}{s.crashes:>9}{s.hangs:>7}"
                     f"{s.slowest:>8.2f}s")
        total.tried += s.tried
        total.parsed += s.parsed
        total.documented += s.documented
        total.crashes += s.crashes
        total.hangs += s.hangs
        total.slowest = max(total.slowest, s.slowest)
    lines.append(f"{'total':8}{total.tried:>8}{total.parsed:>8}{total.documented:>19}{total.crashes:>9}"
                 f"{total.hangs:>7}{total.slowest:>8.2f}s")
    lines += ["", "slowest input per format (CPU seconds):"]
    lines += [f"  {fmt:6}{s.slowest:6.2f}s  {s.slowest_input}" for fmt, s in report.stats.items() if s.tried]
    lines += ["", "documented errors by reason:"]
    lines += [f"  {count:6}  {reason}" for reason, count in report.reasons.most_common(15)]
    lines.append(f"network connections from readers: {report.network_connections}")
    if report.findings:
        lines += ["", "findings:"]
        for f in report.findings:
            lines.append(f"  {f.kind.upper()} {f.fmt}: {f.detail}")
            lines.append(f"    input: {f.how}" + (f" (saved as {f.saved})" if f.saved else ""))
            if f.trace:
                lines += ["    " + line for line in f.trace.strip().splitlines()[-6:]]
    else:
        lines += ["", "no crashes, no hangs"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m evals.fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to fuzz (wall clock)")
    parser.add_argument("--max-inputs", type=int, default=None, help="stop after this many inputs")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: from the clock, printed)")
    parser.add_argument("--timeout", type=float, default=5.0,
                        help="CPU seconds per file before it counts as a hang (wall clock: 4x, at least +15 s)")
    parser.add_argument("--format", action="append", choices=FORMATS, help="fuzz only these formats")
    parser.add_argument("--save", type=Path, default=None, help="folder where crashing and hanging inputs are kept")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else int(time.time()) % 100_000
    report = fuzz(seconds=args.seconds, max_inputs=args.max_inputs, seed=seed, timeout=args.timeout,
                  formats=tuple(args.format or FORMATS), save_dir=args.save,
                  progress=lambda line: print(line, file=sys.stderr, flush=True))
    print(format_report(report))
    return 1 if report.crashes or report.hangs else 0


if __name__ == "__main__":
    sys.exit(main())
