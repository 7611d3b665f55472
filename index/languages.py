"""What the assistant knows of each language, read from one data file a language.

`index/data/languages/<iso>.toml` holds a language's stop words, content-word rule, stemmer,
abbreviations, the words a question names a paragraph or asks for a date with, and the
typography of a quoted paragraph. The code reads these tables and has no branch for any one
language: adding a language is adding a file. A code without a file is still accepted (a
document in it is indexed word for word, a question in it is searched with its own words): it
degrades to no stop words and no stemming rather than failing.

Tables are read once per process (`languages()` is cached): nothing rebuilds a stop-word union
per question.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "languages"
_CODE = re.compile(r"^[a-z]{2,3}$")


@dataclass(frozen=True)
class Language:
    """One language's table; every field has a neutral default for a language without a file."""

    code: str
    name: str = ""
    stemmer: str = ""  # a Snowball algorithm name (PyStemmer); "" for none
    min_word_length: int = 2
    search_also: tuple[str, ...] = ()
    quotes: tuple[str, str] = ("“", "”")
    colon: str = ":"
    detect_characters: str = ""
    detect_weight: float = 0.0
    detect_script: str = ""  # a character-class body ("\\u0600-\\u06ff"): a question in this script is in this language
    detect_prior: float = 0.0  # breaks ties between languages with the same evidence (en before fr before es)
    lower_body: bool = True  # the body's name takes a small letter inside a sentence ("the Council"; not in Russian)
    separator: str = " "  # between the words of an answer's frame ("" in Chinese)
    full_stop: str = "."  # ends a quoted clause that has no ending of its own
    stopwords_text: str = ""
    abbreviations: dict[str, str] = field(default_factory=dict)
    generic: tuple[str, ...] = ()  # folded words naming the kind of text, not what it says
    english_name: str = ""  # a recognised language's name in English (the understood ones say theirs in messages.toml)
    nearest: str = ""  # a recognised language: the understood language its speakers most likely read
    within: str = ""  # a recognised language sharing an understood one's script: weighed against that one only
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)  # the other tables, by section

    @classmethod
    def from_table(cls, code: str, table: dict[str, Any]) -> Language:
        sections = {k: v for k, v in table.items() if isinstance(v, dict) and k != "abbreviations"}
        return cls(
            code=code,
            name=table.get("name", ""),
            stemmer=table.get("stemmer", ""),
            min_word_length=int(table.get("min_word_length", 2)),
            search_also=tuple(table.get("search_also", ())),
            quotes=tuple(table.get("quotes", ("“", "”"))),  # type: ignore[arg-type]
            colon=table.get("colon", ":"),
            detect_characters=table.get("detect_characters", ""),
            detect_weight=float(table.get("detect_weight", 0.0)),
            detect_script=table.get("detect_script", ""),
            detect_prior=float(table.get("detect_prior", 0.0)),
            lower_body=bool(table.get("lower_body", True)),
            separator=table.get("separator", " "),
            full_stop=table.get("full_stop", "."),
            stopwords_text=table.get("stopwords", ""),
            abbreviations=dict(table.get("abbreviations", {})),
            generic=tuple(table.get("generic", ())),
            english_name=table.get("english_name", ""),
            nearest=table.get("nearest", ""),
            within=table.get("within", ""),
            sections=sections,
        )

    def get(self, section: str, key: str, default: Any = ()) -> Any:
        return self.sections.get(section, {}).get(key, default)


@dataclass(frozen=True, eq=False)
class Languages:
    """Every language with a table, in a fixed order (by code), and the unions the code reads."""

    tables: dict[str, Language]
    recognised: dict[str, Language] = field(default_factory=dict)  # told apart, not understood (`recognised/`)

    def __call__(self, code: str) -> Language:
        """The table of `code`; an empty one (no stop words, no stemmer) for a language without a file."""
        return self.tables.get(code) or _empty(code)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.tables)

    @cached_property
    def understood(self) -> tuple[str, ...]:
        """The languages a question can be recognised in: those with stop words."""
        return tuple(c for c, t in self.tables.items() if t.stopwords_text.strip())

    @cached_property
    def scripts(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        """(code, its script's characters) for the languages told apart by their script."""
        return tuple((c, re.compile(f"[{t.detect_script}]")) for c, t in self.tables.items() if t.detect_script)

    @cached_property
    def recognised_scripts(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        """(code, its script's characters) for recognised-only languages with a script of their own."""
        return tuple((c, re.compile(f"[{t.detect_script}]")) for c, t in self.recognised.items() if t.detect_script)

    def words(self, section: str, key: str, codes: Iterable[str] | None = None) -> list[Any]:
        """One list from every language's `[section] key` (each language's rows, in code order)."""
        out: list[Any] = []
        for code in self.codes if codes is None else codes:
            out.extend(self(code).get(section, key, ()))
        return out

    def mapping(self, section: str, key: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for t in self.tables.values():
            out.update(t.get(section, key, {}))
        return out

    def alternation(self, section: str, key: str) -> str:
        """The rows as one regular-expression alternation (rows are patterns, in file order)."""
        return "|".join(dict.fromkeys(self.words(section, key)))

    def pattern(self, section: str, key: str, language: str | None = None) -> re.Pattern[str]:
        """The rows compiled as one pattern that matches nothing when there are none: `language`'s
        rows when it has a table, else every language's. Compiled once per (section, key, language)."""
        codes = (language,) if language in self.tables else None
        return _compiled(self, section, key, codes)

    @cached_property
    def generic(self) -> frozenset[str]:
        """Words naming the kind of text asked about ("resolution", "conseil"), in every language."""
        return frozenset(w for t in self.tables.values() for w in t.generic)

    @cached_property
    def abbreviations(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for t in self.tables.values():
            out.update(t.abbreviations)
        return out


@lru_cache(maxsize=256)
def _compiled(langs: Languages, section: str, key: str, codes: tuple[str, ...] | None) -> re.Pattern[str]:
    return re.compile("|".join(dict.fromkeys(langs.words(section, key, codes))) or "(?!)")


@lru_cache(maxsize=64)
def _empty(code: str) -> Language:
    return Language(code)


def _read_tables(directory: Path) -> dict[str, Language]:
    tables: dict[str, Language] = {}
    if directory.is_dir():
        for path in sorted(directory.glob("*.toml")):
            if _CODE.match(path.stem):
                with path.open("rb") as f:
                    tables[path.stem] = Language.from_table(path.stem, tomllib.load(f))
    return tables


def read(directory: Path = DATA) -> Languages:
    """Every `<code>.toml` of `directory` (the understood languages), and of its `recognised/`
    folder (languages a question is recognised in, to say they are not understood); a file that is
    not a language code is ignored."""
    return Languages(_read_tables(directory), _read_tables(directory / "recognised"))


@lru_cache(maxsize=1)
def languages() -> Languages:
    """The bundled tables, read once per process."""
    return read()


def data_files() -> list[Path]:
    """The files the tables come from (part of the search tables' cache key: they decide the tokens)."""
    return sorted(DATA.glob("*.toml")) if DATA.is_dir() else []
