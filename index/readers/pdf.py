"""PDF → `Resolution`: pypdf extracts the text layer, `text.parse_text` finds the paragraphs.

Pages are extracted in pypdf's layout mode, which keeps horizontal position as leading spaces
and vertical gaps as blank lines: the first-line indents and paragraph gaps are the only
paragraph marks a PDF has. Layout mode splits a word drawn in two runs on a justified line
(`humani       tarian`); plain mode, read too, says which such pairs are one word
(`repair_split_words`). Pages are joined with a form feed so the text parser sees page
breaks; page headers and footers are left in the text and removed there by pattern, so a PDF
and its extracted .txt go through exactly the same rules.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from reso.errors import UnreadableFile
from reso.index.model import Resolution
from reso.index.readers.text import parse_text

PAGE_BREAK = "\n\f\n"


def read(path: Path) -> Resolution:
    path = Path(path)
    return parse_text(extract_text(path), source=str(path))


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


def _has_image(page) -> bool:
    """A page that can be a scan: it draws an image (a blank or vector-only page has nothing to read)."""
    try:
        return bool(page.images)
    except Exception:  # noqa: BLE001 - a damaged image dictionary: let OCR try the page
        return True


def _describe(exc: Exception) -> str:
    return str(exc) or type(exc).__name__
