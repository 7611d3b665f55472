"""A bilingual word lexicon learned from the corpus's own aligned paragraphs.

The UN publishes each resolution in several languages with the same paragraph numbering, so
OP4 in English and OP4 in French say the same thing: ~5,000 aligned paragraph pairs are a
parallel corpus. Counting which stems co-occur across the pairs (Dice coefficient) gives a
lexicon good enough for query expansion ("request" → "pri", "extend" → "prorog"), which lets
an English question find a paragraph that exists only in French, and lets the refusal check
see that the question's words are in a paragraph of the other language. The lexicon ships
with the package (`index/data/lexicon-en-fr.tsv`); rebuild it with
`python -m reso.index.lexicon ../shared/corpus`.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "lexicon-en-fr.tsv"
MIN_PAIRS = 3  # co-occurrences below this are noise
MIN_DICE = 0.3
PER_WORD = 2


@dataclass
class Lexicon:
    """stem → [(translated stem, strength)], per direction ("en>fr", "fr>en")."""

    table: dict[str, dict[str, list[tuple[str, float]]]] = field(default_factory=dict)

    def translate(self, stems: Iterable[str], source: str, target: str) -> dict[str, float]:
        direction = self.table.get(f"{source}>{target}", {})
        out: dict[str, float] = {}
        for s in stems:
            for t, w in direction.get(s, ()):
                out[t] = max(out.get(t, 0.0), w)
        return out

    def translate_all(self, stems: Iterable[str]) -> dict[str, float]:
        """Translations of `stems` in every direction the table holds (the stems' language unknown)."""
        stems = list(stems)
        out: dict[str, float] = {}
        for direction in self.table:
            source, target = direction.split(">")
            for t, w in self.translate(stems, source, target).items():
                out[t] = max(out.get(t, 0.0), w)
        return out

    def save(self, path: Path = DATA) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as f:
            f.write("# direction\tsource stem\ttarget stem\tdice (learned from aligned paragraphs)\n")
            for direction, words in sorted(self.table.items()):
                for src, targets in sorted(words.items()):
                    for tgt, w in targets:
                        f.write(f"{direction}\t{src}\t{tgt}\t{w:.3f}\n")

    @classmethod
    def read(cls, path: Path) -> Lexicon:
        table: dict[str, dict[str, list[tuple[str, float]]]] = defaultdict(lambda: defaultdict(list))
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line or line.startswith("#"):
                continue
            direction, src, tgt, w = line.split("\t")
            table[direction][src].append((tgt, float(w)))
        return cls({d: dict(v) for d, v in table.items()})


@lru_cache(maxsize=1)
def bundled() -> Lexicon:
    """The lexicon shipped with the package; empty when absent (expansion is then a no-op)."""
    return Lexicon.read(DATA) if DATA.exists() else Lexicon()


def learn(pairs: Iterable[tuple[set[str], set[str]]], a: str = "en", b: str = "fr") -> Lexicon:
    """Dice-scored stem translations from aligned (language a, language b) token sets."""
    ca: Counter[str] = Counter()
    cb: Counter[str] = Counter()
    cab: Counter[tuple[str, str]] = Counter()
    for sa, sb in pairs:
        ca.update(sa)
        cb.update(sb)
        cab.update((x, y) for x in sa for y in sb)
    fwd: dict[str, list[tuple[str, float]]] = defaultdict(list)
    back: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (x, y), n in cab.items():
        if n < MIN_PAIRS:
            continue
        dice = 2 * n / (ca[x] + cb[y])
        if dice >= MIN_DICE:
            fwd[x].append((y, round(dice, 3)))
            back[y].append((x, round(dice, 3)))

    def top(d: dict[str, list[tuple[str, float]]]) -> dict[str, list[tuple[str, float]]]:
        return {k: sorted(v, key=lambda t: (-t[1], t[0]))[:PER_WORD] for k, v in d.items()}

    return Lexicon({f"{a}>{b}": top(fwd), f"{b}>{a}": top(back)})


def aligned_pairs(paths: Iterable[Path], a: str = "en", b: str = "fr") -> list[tuple[set[str], set[str]]]:
    from reso.index import readers
    from reso.index.analysis import tokens
    from reso.index.chunks import chunks_of
    from reso.errors import UnreadableFile
    from reso.index.ingest import collect_files

    files, _, _ = collect_files(list(paths))
    versions: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(dict)
    for path in files:
        try:
            res = readers.read(path)
        except UnreadableFile:
            continue
        if res.language in (a, b):
            for c in chunks_of(res):
                versions[(c.id.split("@")[0], c.paragraph)][res.language] = set(tokens(c.text, res.language))
    return [(v[a], v[b]) for v in versions.values() if a in v and b in v]


if __name__ == "__main__":  # python -m reso.index.lexicon CORPUS...
    pairs = aligned_pairs([Path(p) for p in sys.argv[1:]])
    lex = learn(pairs)
    lex.save()
    print(f"{len(pairs)} aligned paragraph pairs → {sum(len(v) for v in lex.table.values())} entries in {DATA}")
