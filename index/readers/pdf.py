"""PDF → `Resolution`: pypdf extracts the text layer, `text.parse_text` finds the paragraphs.

Pages are extracted in pypdf's layout mode, which keeps horizontal position as leading spaces
and vertical gaps as blank lines: the first-line indents and paragraph gaps are the only
paragraph marks a PDF has. Layout mode splits a word drawn in two runs on a justified line
(`humani       tarian`); plain mode, read too, says which such pairs are one word
(`repair_split_words`). Pages are joined with a form feed so the text parser sees page
breaks; page headers and footers are left in the text and removed there by pattern, so a PDF
and its extracted .txt go through exactly the same rules.

Right-to-left pages (Arabic) are mirrored: a PDF draws their glyphs in visual order, left to
right, so layout mode gives each line backwards, its paragraph number (`1 -`) at the end and its
first-line indent at the right, where leading spaces cannot show it. Such a page is laid out
again from the same text runs (`rtl_page_text`): each line turned into reading order, its indent
measured from the right edge of the text column, so the text parser meets the layout it knows.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from reso.errors import UnreadableFile
from reso.index.model import Resolution
from reso.index.readers.text import parse_text

PAGE_BREAK = "\n\f\n"


def read(path: Path, ocr_report: list | None = None) -> Resolution:
    """The PDF's resolution; each page read by OCR is said in its warnings (with the mean word
    confidence) and appended to `ocr_report` when the caller passes a list (`reso inspect`)."""
    path = Path(path)
    report: list = [] if ocr_report is None else ocr_report
    resolution = parse_text(extract_text(path, ocr_report=report), source=str(path))
    resolution.warnings += [f"page {page.page + 1} has no text layer: read by OCR"
                            f"{f' ({page.languages})' if page.languages else ''}, mean word confidence "
                            f"{page.confidence:.0f}%" for page in report]
    return resolution


def extract_text(path: Path, ocr_report: list | None = None) -> str:
    """The text layer of every page, pages separated by form feeds; `UnreadableFile` when none.

    Pages without a text layer are read by OCR when it is on (`readers.ocr`); each page so read
    is appended to `ocr_report` (an `OcrPage`: text and confidence) when the caller passes a list."""
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError

    # pypdf logs every recoverable oddity of real-world PDFs, some at error level ("Advanced encoding
    # ... not implemented yet, using ... instead") though it goes on reading; they are not ours: this
    # reader either returns the text or raises UnreadableFile.
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    where = str(path)
    try:
        reader = PdfReader(path)
    except FileNotFoundError as exc:
        raise UnreadableFile(where, f"cannot read file: {exc.strerror}") from exc
    except Exception as exc:  # pypdf raises many types on damaged files  # noqa: BLE001
        raise UnreadableFile(where, f"corrupt PDF: {_describe(exc)}") from exc
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except Exception as exc:  # e.g. an algorithm needing a missing crypto library  # noqa: BLE001
            raise UnreadableFile(where, f"encrypted PDF: cannot decrypt ({_describe(exc)})") from exc
        if not opened:
            raise UnreadableFile(where, "encrypted PDF: it needs a password; save an unprotected copy and ingest that")
    try:
        pages = [_page_text(page) for page in reader.pages]
    except FileNotDecryptedError as exc:
        raise UnreadableFile(where, "encrypted PDF: it needs a password") from exc
    except Exception as exc:  # PdfReadError, but also KeyError/ValueError from broken objects  # noqa: BLE001
        raise UnreadableFile(where, f"corrupt PDF: {_describe(exc)}") from exc
    if not pages:
        raise UnreadableFile(where, "corrupt PDF: no pages")
    # --- OCR hook (reso.index.readers.ocr): scanned pages are read with Tesseract when it is on ---
    from reso.index.readers import ocr

    blank = [i for i, text in enumerate(pages) if not text.strip() and _has_image(reader.pages[i])]
    if blank and ocr.enabled():
        try:
            for page in ocr.ocr_pages(path, blank):
                pages[page.page] = page.text
                if ocr_report is not None:
                    ocr_report.append(page)
        except Exception as exc:  # tesseract or pdftoppm failed on this file  # noqa: BLE001
            raise UnreadableFile(where, f"no text layer (scanned?) and OCR failed: {_describe(exc)}") from exc
    # --- end of the OCR hook ---
    if not any(p.strip() for p in pages):
        raise UnreadableFile(where, f"no text layer (scanned?) in {len(pages)} page(s): run OCR first, "
                                    "then ingest the result")
    return PAGE_BREAK.join(pages)


def _page_text(page) -> str:
    try:
        layout = page.extract_text(extraction_mode="layout") or ""
    except Exception:  # layout mode is stricter about odd fonts; plain mode still reads them  # noqa: BLE001
        return page.extract_text() or ""
    if is_rtl(layout):
        try:
            return rtl_page_text(page)
        except Exception:  # noqa: BLE001 - pypdf's layout internals changed: the mirrored text stands
            return layout
    try:
        plain = page.extract_text() or ""
    except Exception:  # noqa: BLE001 - the layout text stands without the repair
        return layout
    return repair_split_words(layout, plain)


_TOKEN = re.compile(r"\S+")
_GAP = re.compile(r"(?<=[^\W\d_])( +)(?=[^\W\d_])")


def repair_split_words(layout: str, plain: str) -> str:
    """Join the words layout mode split apart on a justified line (`humani       tarian`).

    Layout mode places each glyph run at its position, so a word drawn in two runs on a widely
    justified line comes out as two tokens; plain mode reads the same page in runs and keeps the
    word whole. Two letter tokens are joined when plain mode spells their concatenation as a word
    of the page and does not print one of them on its own: words that are really two stay two."""
    words = {t.strip(".,;:()“”\"'’") for t in _TOKEN.findall(plain)}

    def join(m: re.Match[str]) -> str:
        line = m.string
        left = re.search(r"\S+$", line[: m.start()]).group(0)  # type: ignore[union-attr]
        right = re.match(r"\S+", line[m.end():]).group(0).rstrip(".,;:)”\"'’")  # type: ignore[union-attr]
        if not (left.isalpha() and right.isalpha()):
            return m.group(1)  # "de s’acquitter": only two bare letter runs can be one word
        if left + right in words and (left not in words or right not in words):
            return ""
        return m.group(1)

    return "\n".join(_GAP.sub(join, line) for line in layout.split("\n"))


# ------------------------------------------------------------------------------ right-to-left pages

_RTL_CHARS = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff"
_RTL_LETTER = re.compile(f"[{_RTL_CHARS}]")
_LETTER = re.compile(r"[^\W\d_]")
_NEAR_EDGE = 14.0  # points (5 mm)
_MIRROR = str.maketrans("()[]{}<>«»", ")(][}{><»«")


def is_rtl(text: str) -> bool:
    """Most of the page's letters are Arabic (or Hebrew) ones."""
    letters = len(_LETTER.findall(text))
    return bool(letters) and len(_RTL_LETTER.findall(text)) > 0.5 * letters


def logical_line(visual: str) -> str:
    """A line of a right-to-left page from visual order (as drawn, left to right) to reading
    order, brackets at right-to-left levels mirrored; Arabic presentation forms (a PDF's shaped
    glyphs) become letters again.

    The Unicode bidirectional algorithm (fpdf2's implementation, a dependency already) reorders
    the visual line: a left-to-right run (a number, a symbol, a Latin word) reads the same in
    both orders, so the algorithm finds the same runs in the visual line as in the logical one,
    and its reversal is its own inverse on such lines."""
    import unicodedata as ud

    if not visual.strip():
        return visual
    line = _reorder(visual)
    if _DIGITS.findall(_reorder(line)) != _DIGITS.findall(visual):
        line = _repair_numbers(line, visual)
    return "".join(ud.normalize("NFKC", c) if "\ufb50" <= c <= "\ufeff" else c for c in line)


_DIGITS = re.compile(r"\d+")
_NUMBER_RUN = re.compile(r"\d+(?:[-–/.:]\d+)+")


def _reorder(text: str) -> str:
    """The bidirectional algorithm on a right-to-left line, brackets at odd levels mirrored: logical
    → visual order, as a PDF draws it (and, on most lines, visual → logical)."""
    import unicodedata as ud

    from fpdf.bidi import BidiParagraph
    from fpdf.enums import TextDirection

    chars = BidiParagraph(text, base_direction=TextDirection.RTL).get_reordered_characters()
    return "".join(c.character.translate(_MIRROR) if c.embedding_level % 2 and ud.mirrored(c.character)
                   else c.character for c in chars)


def _repair_numbers(line: str, visual: str) -> str:
    """The algorithm is not its own inverse on a number range that opens a line: "2023-2025 الذي"
    is drawn "…يذلا 2023-2025" (at the line's start the range is one left-to-right run), but read
    back as a logical line, that range follows Arabic letters, its hyphen separates two Arabic
    numbers, and it comes out "2025-2023". The reading kept is the one whose drawing gives the
    numbers in the order the page has them: the ranges' parts put back in turn, all at once first."""
    runs = list(_NUMBER_RUN.finditer(line))
    want = _DIGITS.findall(visual)

    def flipped(text: str, which: list[re.Match[str]]) -> str:
        for m in sorted(which, key=lambda m: m.start(), reverse=True):
            parts = re.split(r"([-–/.:])", m.group(0))
            text = text[:m.start()] + "".join(reversed(parts)) + text[m.end():]
        return text

    for which in [runs, *([m] for m in runs)]:
        if which and _DIGITS.findall(_reorder(candidate := flipped(line, which))) == want:
            return candidate
    return line


def rtl_page_text(page) -> str:
    """A right-to-left page in layout mode's fixed-width form, in reading order: each line starts
    with as many spaces as it stands back from the right edge of the text column (the edge most
    lines end at), so a first-line indent is leading space again, as on a left-to-right page.

    Uses the text runs pypdf's layout mode reads (their start and end x per line)."""
    from pypdf.generic import ContentStream
    from pypdf._text_extraction import _layout_mode

    contents = page.get("/Contents")
    if contents is None:
        return ""
    groups, extents = _text_runs(ContentStream(contents.get_object(), page.pdf, "bytes").operations,
                                 page._layout_mode_fonts())
    if not groups:
        return ""
    char_width = _layout_mode.fixed_char_width(groups, 1.25)
    rows = []
    for y, line in _layout_mode.y_coordinate_groups(groups, None).items():
        # runs of one text object that switch fonts (an Arabic face, a Latin one for "A/HRC/54/25")
        # may all be given the object's starting x: a run that starts before the previous one ends
        # is placed right after it, its own width kept
        parts, end, right = [], None, 0.0
        for g in sorted(line, key=lambda g: g["tx"]):
            start = g["tx"] if end is None or g["tx"] >= end - 1.0 else end
            if end is not None and start - end > char_width * 0.5:
                parts.append(" " * max(1, round((start - end) / char_width)))
            parts.append(g["text"])
            end = start + max(0.0, g["displaced_tx"] - g["tx"])
            right = max(right, end, g["tx"] + extents.get((round(g["ty"], 1), round(g["tx"], 1)), 0.0))
        rows.append((y, "".join(parts), right, line[0]["font_height"]))
    # the column's right edge: the furthest right that two lines or more end at (a short text of
    # indented first lines and one-line paragraphs has more lines ending at the indent than at the edge)
    ends = sorted(right for _, text, right, _ in rows if _RTL_LETTER.search(text))
    shared = [r for i, r in enumerate(ends) if any(abs(r - o) <= 3.0 for j, o in enumerate(ends) if j != i)]
    edge = max(shared) if shared else max(ends) if ends else max(r for _, _, r, _ in rows)
    out: list[str] = []
    last_y = None
    for y, text, right, height in rows:
        if last_y is not None and height:
            out.extend([""] * max(0, min(10, int(abs(y - last_y) / height) - 1)))
        last_y = y
        # widths of runs that switch fonts are approximate: a line within 5 mm of the edge ends
        # at it; the UN's first-line indent is 1 cm
        indent = round((edge - right) / char_width) if edge - right > _NEAR_EDGE else 0
        out.append(" " * indent + logical_line(text.strip()))
    return "\n".join(out)


def _text_runs(operations, fonts) -> tuple[list[dict], dict[tuple[float, float], float]]:
    """pypdf's layout-mode text runs of a page (`text_show_operations`), and the width of each
    line of each text object, keyed by where it starts (y, x, as the runs give them).

    pypdf gives every show-text operator of a text object that switches fonts (an Arabic face and
    a Latin one for "()" or "A/HRC/54/25") the object's starting x, each with its own width, and a
    run made of several of them the width of its last one: a line measured from its runs alone
    comes out short, and reads as indented. The sum of its operators' widths is the line's width."""
    from pypdf._text_extraction._layout_mode import _fixed_width_page as fixed

    state = fixed.TextStateManager()
    groups: list[dict] = []
    lines: dict[tuple[float, float], float] = {}
    ops = iter(operations)
    for operands, op in ops:
        if op in (b"BT", b"q"):
            bts, tjs = fixed.recurse_to_target_op(ops, state, b"ET" if op == b"BT" else b"Q", fonts, True)
            groups.extend(bts)
            starts: dict[float, float] = {}
            widths: dict[float, float] = {}
            for tj in tjs:
                if tj.rotated or not tj.font.interpretable:
                    continue
                y = round(tj.ty, 1)
                starts.setdefault(y, tj.tx)
                widths[y] = widths.get(y, 0.0) + max(0.0, tj.displaced_tx - tj.tx)
            for y, x in starts.items():
                lines[(y, x)] = max(lines.get((y, x), 0.0), widths[y])
        elif op == b"Tf":
            fixed.set_font_operation(state, fonts, operands)
        else:
            state.set_state_param(op, operands)
    # as `text_show_operations`: x counted from the leftmost run, lines top to bottom
    min_x = min((g["tx"] for g in groups), default=0.0)
    groups = sorted((dict(g, tx=g["tx"] - min_x, displaced_tx=g["displaced_tx"] - min_x) for g in groups),
                    key=lambda g: (g["ty"] * g["flip_sort"], -g["tx"]), reverse=True)
    return groups, {(y, round(x - min_x, 1)): w for (y, x), w in lines.items()}


def _has_image(page) -> bool:
    """A page that can be a scan: it draws an image (a blank or vector-only page has nothing to read)."""
    try:
        return bool(page.images)
    except Exception:  # noqa: BLE001 - a damaged image dictionary: let OCR try the page
        return True


def _describe(exc: Exception) -> str:
    return str(exc) or type(exc).__name__
