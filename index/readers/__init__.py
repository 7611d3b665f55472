"""Readers turn one file into one `Resolution`, keyed by file suffix.

Each format is a module of its own exposing `read(path: Path) -> Resolution` and raising
`UnreadableFile` with a reason a person can act on. The built-in readers are registered
through the same table a plugin would use (`register`), and are imported lazily so that
`reso --help` does not pay for lxml, pypdf or python-docx.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Protocol

from reso.errors import UnreadableFile, UnsupportedFormat
from reso.index.model import Resolution, make_ids_unique


class Reader(Protocol):
    def __call__(self, path: Path) -> Resolution: ...


# suffix -> "module:function" (lazy) or a callable registered at run time
_REGISTRY: dict[str, str | Reader] = {
    ".xml": "reso.index.readers.akn:read",
    ".akn": "reso.index.readers.akn:read",
    ".txt": "reso.index.readers.text:read",
    ".md": "reso.index.readers.markdown:read",
    ".markdown": "reso.index.readers.markdown:read",
    ".pdf": "reso.index.readers.pdf:read",
    ".docx": "reso.index.readers.docx:read",
    ".html": "reso.index.readers.html:read",
    ".htm": "reso.index.readers.html:read",
}


def file_bytes(path: Path) -> bytes:
    """The file's bytes, or `UnreadableFile` saying why not (the one place readers open files)."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UnreadableFile(str(path), f"cannot read file: {exc.strerror or exc}") from exc


def register(suffix: str, reader: Reader) -> None:
    """Add or replace the reader for a suffix (".rtf", …): adding a format is adding a module."""
    _REGISTRY[suffix.lower()] = reader


def supported_suffixes() -> frozenset[str]:
    return frozenset(_REGISTRY)


def reader_for(path: Path) -> Reader:
    entry = _REGISTRY.get(path.suffix.lower())
    if entry is None:
        known = ", ".join(sorted(_REGISTRY))
        raise UnsupportedFormat(str(path), f"unsupported file type {path.suffix or '(none)'!r}; readable: {known}")
    if isinstance(entry, str):
        module, func = entry.split(":")
        entry = getattr(importlib.import_module(module), func)
    return entry


def read(path: Path) -> Resolution:
    """Read any supported file into a Resolution whose paragraph ids are distinct (`make_ids_unique`)."""
    resolution = reader_for(Path(path))(Path(path))
    resolution.warnings.extend(make_ids_unique(resolution))
    return resolution

