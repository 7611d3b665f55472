"""A word lexicon between the six UN languages, learned from the corpus's own aligned paragraphs.

The UN publishes each resolution in several languages with the same paragraph numbering, so
OP4 in English and OP4 in Chinese say the same thing: the corpus and corpus-large hold tens of
thousands of aligned paragraph pairs for every pair of languages, a parallel corpus. Counting
which index tokens co-occur across the pairs (Dice coefficient, one translation a word, see
`learn`) gives a lexicon good enough for query expansion ("request" → "pri", "请求", "просит"),
which lets a question find a paragraph that exists only in another language (the Security
Council texts of 2000–2019 are English only), and lets the refusal check see that the
question's words are in a paragraph of another language.

Tokens are the index's own (`index.analysis.tokens`: stems for Latin and Cyrillic, folded
Arabic, Chinese characters and bigrams), so a translation is a token the BM25 index holds.
One file a pair of languages ships with the package (`index/data/lexicon-<a>-<b>.tsv`, both
directions), read on the first lookup in that pair. Rebuild them all with
`python -m reso.index.lexicon ../shared/corpus ../shared/corpus-large`; measure with
`python -m reso.evals.lexicon_eval`.
"""

from __future__ import annotations

import re
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh")
MIN_PAIRS = 3  # co-occurrences below this are noise
MIN_DICE = 0.2
# One translation a word: the retriever adds every translation unweighted, and a second one was
# more often noise than a synonym (held-out half, mean over ar/es/fr/ru/zh → en of first / top 5:
# 1 a word 0.24 / 0.48, 2 a word 0.22 / 0.46, 3 0.20 / 0.42; `reso.evals.lexicon_eval`).
PER_WORD = 1
# The mutual-best filter (`learn`): off. Measured on the held-out half it changed nothing beyond
# noise (first / top 5, mean of five languages → en: 0.236 / 0.487 at 0.5, 0.234 / 0.487 at 0);
# on the multilingual dev set it refused 2 more crosslingual questions ("рабоч" → "work" goes:
# "work"'s best source is "работ") and declined 1 more unanswerable one.
MUTUAL = 0.0

_DIGIT = re.compile(r"\d")
Table = dict[str, list[tuple[str, float]]]  # source token → [(target token, strength)]


def pair_path(a: str, b: str, directory: Path = DATA_DIR) -> Path:
    a, b = sorted((a, b))
    return directory / f"lexicon-{a}-{b}.tsv"


@dataclass
class Lexicon:
    """token → [(translated token, strength)], per direction ("en>fr", "zh>en").

    Directions not in `table` are read from `directory` on first use (one file a pair), so a
    French question never reads the Chinese–Arabic table."""

    table: dict[str, Table] = field(default_factory=dict)
    directory: Path | None = None
    _on_disk: list[tuple[str, str]] | None = field(default=None, repr=False, compare=False)

    def direction(self, source: str, target: str) -> Table:
        key = f"{source}>{target}"
        if key not in self.table and self.directory is not None and source != target:
            path = pair_path(source, target, self.directory)
            read = _read(path) if path.exists() else {}
            for a, b in ((source, target), (target, source)):
                self.table.setdefault(f"{a}>{b}", read.get(f"{a}>{b}", {}))
        return self.table.get(key, {})

    def directions(self) -> list[tuple[str, str]]:
        """Every direction the lexicon can translate in (those of its files, read or not)."""
        found = {tuple(d.split(">")) for d in self.table if self.table[d]}
        if self.directory is not None:
            if self._on_disk is None:  # looked up once: the files ship with the package
                self._on_disk = [
                    d for a, b in combinations(LANGUAGES, 2) if pair_path(a, b, self.directory).exists() for d in ((a, b), (b, a))
                ]
            found.update(self._on_disk)
        return sorted(found)  # type: ignore[arg-type]

    def translate(self, stems: Iterable[str], source: str, target: str) -> dict[str, float]:
        direction = self.direction(source, target)
        out: dict[str, float] = {}
        for s in stems:
            for t, w in direction.get(s, ()):
                out[t] = max(out.get(t, 0.0), w)
        return out

    def translate_from(self, stems: Iterable[str], source: str) -> dict[str, float]:
        """Translations of `stems`, tokens of `source`, into every other language."""
        stems = list(stems)
        out: dict[str, float] = {}
        for a, b in self.directions():
            if a == source:
                for t, w in self.translate(stems, a, b).items():
                    out[t] = max(out.get(t, 0.0), w)
        return out

    def translate_all(self, stems: Iterable[str]) -> dict[str, float]:
        """Translations of `stems` in every direction the lexicon holds (the stems' language unknown)."""
        stems = list(stems)
        out: dict[str, float] = {}
        for a, b in self.directions():
            for t, w in self.translate(stems, a, b).items():
                out[t] = max(out.get(t, 0.0), w)
        return out

    def save(self, directory: Path = DATA_DIR) -> list[Path]:
        """One TSV a pair of languages, both directions in it."""
        pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
        for key in self.table:
            a, b = key.split(">")
            pairs[tuple(sorted((a, b)))].append(key)  # type: ignore[index]
        written = []
        directory.mkdir(parents=True, exist_ok=True)
        for (a, b), keys in sorted(pairs.items()):
            path = pair_path(a, b, directory)
            with path.open("w", encoding="utf-8") as f:
                f.write("# direction\tsource token\ttarget token\tstrength (learned from aligned paragraphs)\n")
                for key in sorted(keys):
                    for src, targets in sorted(self.table[key].items()):
                        for tgt, w in targets:
                            f.write(f"{key}\t{src}\t{tgt}\t{w:.3f}\n")
            written.append(path)
        return written

    @classmethod
    def read(cls, path: Path) -> Lexicon:
        return cls(_read(path))


def _read(path: Path) -> dict[str, Table]:
    table: dict[str, Table] = defaultdict(lambda: defaultdict(list))
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            direction, src, tgt, w = line.rstrip("\n").split("\t")
            table[direction][src].append((tgt, float(w)))
    return {d: dict(v) for d, v in table.items()}


@lru_cache(maxsize=1)
def bundled() -> Lexicon:
    """The lexicon shipped with the package, each pair's file read on first use (none: no-op)."""
    return Lexicon(directory=DATA_DIR)


@lru_cache(maxsize=16)
def vocabulary(language: str, among: tuple[str, ...]) -> frozenset[str]:
    """The tokens of `language` the shipped lexicon translates into any of `among`: the words the
    corpus uses in that language, as that language's stems. What tells a Spanish "comunicados de
    prensa" from French when both languages' stop words ("de", "la", "que", "y") fit it."""
    lexicon = bundled()
    return frozenset().union(*(lexicon.direction(language, other).keys() for other in among if other != language))


def learn(
    pairs: Sequence[tuple[Iterable[str], Iterable[str]]],
    a: str = "en",
    b: str = "fr",
    mutual: float = MUTUAL,
) -> Lexicon:
    """Token translations from aligned (language a, language b) token sets, both directions.

    Strength is Dice (2·n(x,y) / (n(x) + n(y)) over the pairs). Raw Dice links a frequent
    word with every frequent word of the other side ("council" with "conseil", but also with
    "securite"); the mutual filter keeps x → y only when x is also among y's best sources
    (Dice ≥ `mutual` × y's best Dice), a soft one-to-one constraint like competitive linking's
    (measured with `reso.evals.lexicon_eval`: no gain, so `MUTUAL` is 0, plain Dice). Each word
    keeps its `PER_WORD` strongest translations; a token written alike on both sides (a name, a
    number) is left out, the question's own token matching it already.
    """
    sa = [set(x) for x, _ in pairs]
    sb = [set(y) for _, y in pairs]
    va, na = _vocabulary(sa)
    vb, nb = _vocabulary(sb)
    dice = ((x, y, 2 * n / (na[x] + nb[y])) for x, y, n in _cooccurrences(sa, va, sb, vb))
    links = [(x, y, round(d, 3)) for x, y, d in dice if d >= MIN_DICE]
    best_a: dict[int, float] = defaultdict(float)  # best Dice of each a token (over b), and of each b token
    best_b: dict[int, float] = defaultdict(float)
    for x, y, d in links:
        best_a[x] = max(best_a[x], d)
        best_b[y] = max(best_b[y], d)
    fwd: Table = defaultdict(list)
    back: Table = defaultdict(list)
    for x, y, d in links:
        if va[x] == vb[y] or _DIGIT.search(va[x]) or _DIGIT.search(vb[y]):
            # a name written alike: the question's own token already matches; a number or a symbol is
            # written alike in every language, and the next best "translation" of 2011 is 2012
            continue
        if d >= mutual * best_b[y]:
            fwd[va[x]].append((vb[y], d))
        if d >= mutual * best_a[x]:
            back[vb[y]].append((va[x], d))

    def top(t: Table) -> Table:
        return {k: sorted(v, key=lambda p: (-p[1], p[0]))[:PER_WORD] for k, v in t.items()}

    return Lexicon({f"{a}>{b}": top(fwd), f"{b}>{a}": top(back)})


def _vocabulary(side: list[set[str]]) -> tuple[list[str], list[int]]:
    """Tokens in at least `MIN_PAIRS` pairs (sorted), and in how many pairs each is."""
    df: dict[str, int] = defaultdict(int)
    for s in side:
        for t in s:
            df[t] += 1
    vocab = sorted(t for t, n in df.items() if n >= MIN_PAIRS)
    return vocab, [df[t] for t in vocab]


def _cooccurrences(sa: list[set[str]], va: list[str], sb: list[set[str]], vb: list[str]) -> Iterator[tuple[int, int, int]]:
    """(a token's index, b token's index, pairs holding both) for every count ≥ `MIN_PAIRS`.

    Counted as sparse matrix products (pairs × vocabulary), a block of a tokens at a time, when
    SciPy is there: Chinese paragraphs hold a few hundred character and bigram tokens each, and
    the whole build takes ~2 minutes. Without it (SciPy is not a dependency: only rebuilding the
    lexicon counts), the same counts in pure Python, fine for small inputs, slow for the corpus.
    """
    try:
        import numpy as np
        from scipy import sparse
    except ImportError:
        ia = {t: i for i, t in enumerate(va)}
        ib = {t: i for i, t in enumerate(vb)}
        counts: dict[tuple[int, int], int] = defaultdict(int)
        for x, y in zip(sa, sb):
            xs = [ia[t] for t in x if t in ia]
            ys = [ib[t] for t in y if t in ib]
            for i in xs:
                for j in ys:
                    counts[(i, j)] += 1
        for (i, j), n in counts.items():
            if n >= MIN_PAIRS:
                yield i, j, n
        return

    def matrix(side: list[set[str]], vocab: list[str]) -> sparse.csr_matrix:
        ids = {t: i for i, t in enumerate(vocab)}
        rows, cols = [], []
        for r, s in enumerate(side):
            for t in s:
                j = ids.get(t)
                if j is not None:
                    rows.append(r)
                    cols.append(j)
        return sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(side), len(vocab)))

    At = matrix(sa, va).T.tocsr()
    B = matrix(sb, vb)
    block = 2000
    for start in range(0, len(va), block):
        c = (At[start : start + block] @ B).tocoo()
        keep = c.data >= MIN_PAIRS
        yield from zip((c.row[keep] + start).tolist(), c.col[keep].tolist(), c.data[keep].astype(int).tolist())


# -- the aligned paragraphs ---------------------------------------------------------------------
def _read_one(path: Path) -> tuple[str, list[tuple[str, str, str]]]:
    """(language, [(document, paragraph, text)]) of one file; no language when unreadable."""
    from reso.errors import UnreadableFile
    from reso.index import readers
    from reso.index.chunks import chunks_of

    try:
        res = readers.read(path)
    except UnreadableFile:
        return "", []
    return res.language, [(c.document, c.paragraph, c.text) for c in chunks_of(res)]


def paragraphs(paths: Iterable[Path], workers: int = 1) -> dict[tuple[str, str], dict[str, str]]:
    """(document, paragraph) → {language: text}, for every file under `paths` (read as the index reads them)."""
    from reso.index.chunks import normalise_symbol
    from reso.index.ingest import collect_files

    files, _, _ = collect_files(list(paths))
    if workers > 1:
        from multiprocessing import Pool

        with Pool(workers) as pool:
            read = pool.map(_read_one, files, chunksize=16)
    else:
        read = map(_read_one, files)
    versions: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for language, chunks in read:
        if language in LANGUAGES:
            for document, paragraph, text in chunks:
                versions[(normalise_symbol(document), paragraph)][language] = text
    return dict(versions)


def aligned(
    versions: dict[tuple[str, str], dict[str, str]] | Iterable[tuple[tuple[str, str], dict[str, str]]],
    a: str,
    b: str,
) -> Iterator[tuple[tuple[str, str], str, str]]:
    """((document, paragraph), text in a, text in b) for each paragraph both languages hold."""
    items = versions.items() if isinstance(versions, dict) else versions
    for key, texts in items:
        if a in texts and b in texts:
            yield key, texts[a], texts[b]


def token_sets(versions: dict[tuple[str, str], dict[str, str]]) -> dict[tuple[str, str], dict[str, frozenset[str]]]:
    """Each version's index tokens as a set (tokenised once, shared by the 15 pairs)."""
    from reso.index.analysis import tokens

    return {k: {lang: frozenset(tokens(t, lang)) for lang, t in v.items()} for k, v in versions.items()}


def learn_all(
    sets: dict[tuple[str, str], dict[str, frozenset[str]]],
    languages_: Sequence[str] = LANGUAGES,
    mutual: float = MUTUAL,
) -> tuple[Lexicon, dict[str, int]]:
    """Every pair of `languages_` learned from its own aligned paragraphs (direct pairs: every
    pair has thousands, corpus-large's Council and HRC texts being in all six).
    Returns the lexicon and the number of aligned pairs each language pair had."""
    table: dict[str, Table] = {}
    counts: dict[str, int] = {}
    for a, b in combinations(sorted(languages_), 2):
        pairs = [(v[a], v[b]) for v in sets.values() if a in v and b in v]
        counts[f"{a}-{b}"] = len(pairs)
        if pairs:
            table.update(learn(pairs, a, b, mutual=mutual).table)
    return Lexicon(table), counts


def main(argv: list[str]) -> None:  # python -m reso.index.lexicon CORPUS...
    import os

    started = time.perf_counter()
    versions = paragraphs([Path(p) for p in argv], workers=min(2, os.cpu_count() or 1))
    sets = token_sets(versions)
    lex, counts = learn_all(sets)
    written = lex.save()
    for pair, n in counts.items():
        print(f"{pair}: {n} aligned paragraph pairs")
    entries = sum(len(v) for v in lex.table.values())
    size = sum(p.stat().st_size for p in written)
    print(f"{entries} entries in {len(written)} files ({size / 1e6:.1f} MB) in {DATA_DIR}, {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
