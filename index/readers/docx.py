"""DOCX → `Resolution`: python-docx paragraphs → text → `text.parse_text`.

A Word paragraph is already a whole paragraph, which a PDF never tells us. That knowledge is
kept by writing each one as an indented line followed by a blank line and by asking the text
parser to split on blank lines only (`paragraph_breaks="blank_lines"`); line breaks inside a
Word paragraph stay inside it. Tables are read cell by cell, in document order.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from reso.errors import UnreadableFile
from reso.index.model import Resolution
from reso.index.readers.text import parse_text

INDENT = "    "
MAX_UNZIPPED_BYTES = 256 * 2 ** 20  # a Word resolution, images included, is a few MB once unzipped


def read(path: Path) -> Resolution:
    path = Path(path)
    return parse_text(extract_text(path), source=str(path), paragraph_breaks="blank_lines")


def extract_text(path: Path) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    where = str(path)
    if not path.is_file():
        raise UnreadableFile(where, "cannot read file: not found")
    if path.stat().st_size == 0:
        raise UnreadableFile(where, "empty file")
    try:
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except Exception as exc:  # BadZipFile, but also OSError/ValueError/EOFError on mangled headers  # noqa: BLE001
        raise UnreadableFile(where, f"not a valid DOCX (not a Word zip package): {exc or type(exc).__name__}") from exc
    if unzipped > MAX_UNZIPPED_BYTES:
        # python-docx loads every part in memory; zipfile never inflates more than the sizes declared
        raise UnreadableFile(where, f"not a valid DOCX: it would unzip to {unzipped / 2 ** 20:,.0f} MB "
                                    f"(a zip bomb?); the limit is {MAX_UNZIPPED_BYTES // 2 ** 20} MB")
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile) as exc:
        raise UnreadableFile(where, f"not a valid DOCX (not a Word zip package): {exc}") from exc
    except Exception as exc:  # a zip that is not a Word document, broken XML …  # noqa: BLE001
        raise UnreadableFile(where, f"not a valid DOCX: {exc or type(exc).__name__}") from exc
    try:
        blocks = [text for text in _paragraph_texts(document) if text.strip()]
    except Exception as exc:  # python-docx walks whatever XML it got: no <w:body>, a renamed root …  # noqa: BLE001
        raise UnreadableFile(where, f"not a valid DOCX: its main part holds no Word body "
                                    f"({type(exc).__name__}: {exc})") from exc
    if not blocks:
        raise UnreadableFile(where, "empty DOCX: no text in its paragraphs")
    return "\n\n".join(INDENT + text.strip().replace("\n", "\n" + INDENT) for text in blocks)


def _paragraph_texts(document) -> Iterator[str]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            yield block.text
        elif isinstance(block, Table):
            for row in block.rows:
                for cell in row.cells:
                    yield from (p.text for p in cell.paragraphs)
