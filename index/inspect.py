"""`reso inspect FILE...`: how each file reads, without indexing it (CONTRACTS §2).

For a user whose file reads wrong, and for tests: the symbol and kind, language, date, body,
title, vote, every paragraph with its id and words, its sub-paragraphs and the annexes, and the
reader's warnings — what it removed (page headers, footnotes) or guessed (a symbol from the file
name, sub-paragraph labels, repeated ids made distinct). A file that cannot be read gives
`{"file", "error"}` with the reason `reso ingest` would print.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from reso.errors import ResoError, UnreadableFile
from reso.schema import InspectError, InspectOut

FIRST_WORDS = 8  # words of each paragraph in the text report


def inspect_file(path: Path) -> InspectOut | InspectError:
    """The CONTRACTS §2 object for one file, or `{"file", "error"}` (shapes: `reso.schema`)."""
    from reso.index import readers
    from reso.index.ingest import one_line

    ocr_pages: list = []
    try:
        res = _read(Path(path), ocr_pages)
    except UnreadableFile as exc:
        return InspectError(file=str(path), error=exc.reason)
    except ResoError as exc:
        return InspectError(file=str(path), error=str(exc))
    except Exception as exc:  # noqa: BLE001 - a reader bug is reported like `reso ingest` reports it
        return InspectError(file=str(path), error=f"could not be read ({one_line(exc)})")
    return InspectOut.of(res, str(path), ocr_pages)


def _read(path: Path, ocr_pages: list):
    """`readers.read`, a PDF read so that the pages OCR read are reported (`ocr_pages`)."""
    from reso.index import readers
    from reso.index.model import make_ids_unique
    from reso.index.readers import pdf

    if path.suffix.lower() != ".pdf" or readers.reader_for(path) is not pdf.read:
        return readers.read(path)
    res = pdf.read(path, ocr_report=ocr_pages)
    res.warnings.extend(make_ids_unique(res))
    return res


def inspect_files(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """One JSON-ready object per file, in the order given."""
    return [inspect_file(p).model_dump() for p in paths]


def render(results: list[dict[str, Any]]) -> str:
    """The text report: one block per file, each paragraph on a line with its first words."""
    blocks = []
    for r in results:
        if "error" in r:
            blocks.append(f"{r['file']}\n  cannot be read: {r['error']}")
            continue
        c = r["counts"]
        lines = [
            r["file"],
            f"  {r['document']} ({r['kind']}), {r['body']}, {r['language']}, adopted {r['date'] or '?'}",
            f"  title: {r['title'] or '—'}",
            f"  vote: {r['vote']['text'] or r['vote']['outcome']}",
            f"  {c['preambular']} PP, {c['operative']} OP, {c['subparagraphs']} sub-paragraphs, "
            f"{c['annex']} annex paragraphs",
        ]
        for extra in ("session", "agenda_item", "committee"):
            if r[extra]:
                lines.append(f"  {extra.replace('_', ' ')}: {r[extra]}")
        if r["drafts"]:
            lines.append(f"  draft: {', '.join(r['drafts'])}")
        for p in r["paragraphs"]:
            lines.extend(_lines(p, 2))
        lines += [f"  warning: {w}" for w in r["warnings"]]
        lines += [f"  OCR: page {p['page']}, confidence {p['confidence']:.0f}%" for p in r.get("ocr_pages") or []]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _lines(p: dict[str, Any], indent: int) -> list[str]:
    words = p["text"].split()
    first = " ".join(words[:FIRST_WORDS]) + (" …" if len(words) > FIRST_WORDS else "")
    notes = f"  [{len(p['footnotes'])} footnote(s)]" if p.get("footnotes") else ""
    out = [f"{' ' * indent}{p['id']:<12} {first}{notes}"]
    for child in p["children"]:
        out.extend(_lines(child, indent + 2))
    return out
