"""The `data_extract/*.json` metadata files that the UNxml repositories publish beside the XML.

Each repository (`UNxml/HRCresolutions`, `SCresolutions`, `GAresolutions`) keeps one JSON Lines file
per session or year in `<root>/data_extract/`, next to `<root>/<session or year>/<Language>/*.xml`.
They carry what the XML lacks or states less cleanly: the Security Council title
(`resolution_title`), sponsors, vote counts, UNBIS subjects.

Quirk (SOURCES.md): in the HRC files every line is wrapped in double quotes *without* escaping the
quotes inside (`"{"symbol":"A/HRC/RES/54/1",...}"`), so a line is not valid JSON as-is; and a few
records are split so that the opening quote stands alone on the line before (`"` then `{...}"`).
We strip one outer quote on each side of every line and skip what is left empty. When a symbol
appears twice (55/15 in `55session.json`), the first record wins.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from reso.index.model import normalise_symbol

Record = dict[str, Any]


def parse_lines(text: str) -> list[Record]:
    """The records of one data_extract file; lines that still do not parse are skipped."""
    records: list[Record] = []
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith('"'):
            line = line[1:]
        if line.endswith('"'):
            line = line[:-1]
        if not line:
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


@functools.lru_cache(maxsize=32)
def load_dir(directory: Path) -> dict[str, Record]:
    """All records of `directory/*.json`, keyed by normalised symbol (cached per resolved directory)."""
    by_symbol: dict[str, Record] = {}
    for path in sorted(directory.glob("*.json")):
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue
        for record in parse_lines(text):
            symbol = record.get("symbol")
            if isinstance(symbol, str) and symbol.strip():
                by_symbol.setdefault(normalise_symbol(symbol), record)
    return by_symbol


def data_extract_dir(xml_path: Path) -> Path | None:
    """`<root>/data_extract` for a file at `<root>/<session or year>/<Language>/<file>.xml`, if it exists."""
    try:
        candidate = xml_path.resolve().parent.parent.parent / "data_extract"
    except (OSError, RuntimeError):
        return None
    return candidate if candidate.is_dir() else None


def lookup(xml_path: Path | str, symbol: str) -> Record | None:
    """The metadata record for `symbol` when `xml_path` sits in a corpus layout; None otherwise."""
    path = Path(xml_path)
    if not str(xml_path) or not path.is_file():
        return None
    directory = data_extract_dir(path)
    if directory is None:
        return None
    return load_dir(directory).get(normalise_symbol(symbol))
