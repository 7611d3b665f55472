"""The round-trip oracle: AKN files laid out as UN PDFs and DOCX, read back, compared with the AKN reading.

Why: a PDF or a Word file has no paragraph markup, so whether the readers number its paragraphs
right can only be checked against a known reading. An AKN file's reading is one; laid out the way
the UN prints it (`reso.evals.render`: header block, running headers and footers, footnotes, page
breaks inside paragraphs, lettered sub-paragraphs, six languages), it must come back with the same
paragraph ids (and, whitespace aside, the same texts). Reported per language and format: the share
of files whose ids come back identical, and each failure with the first id that differs.

It also reports how the AKN reading itself agrees with `expected.json` (an independent labeller's
ids and the (PP, OP) counts most language versions agree on) where a corpus folder holds one.

    python -m reso.evals.roundtrip CORPUS_DIR... [--formats pdf,docx] [--sample N] [--seed S]
        [--exclude-seeds S,S:N… [--exclude-sample N]] [--exclude-list FILE] [--languages ar,zh] [--json]

`--sample N` takes N files per language (seeded); `--exclude-seeds` first leaves out what the samples
of those seeds pick (`S:N`: that seed's sample was N a language), for a sample never looked at while
fixing. `--languages` keeps only those languages' files of the sample, drawn as without it (so
`--seed 5 --languages ar` picks the Arabic files `--seed 5` picks). `--exclude-list FILE` leaves out
the files it names (paths relative to a corpus folder, one a line, or a former `--json` report,
whose `files` are those it ran): seeds excluded after other exclusions drew from a smaller pool,
which `--exclude-seeds` alone cannot replay, so a list of what was looked at is the sure way. Each share comes with its 95 %
Wilson interval. The exit code is 0: the figures are the result.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from reso.index.model import Resolution

FORMATS = ("pdf", "docx")
_LANG3 = {"eng": "en", "fra": "fr", "spa": "es", "ara": "ar", "zho": "zh", "rus": "ru"}


@dataclass
class Outcome:
    file: str
    language: str
    format: str
    same_ids: bool
    same_texts: bool
    first_diff: dict | None = None  # {"index", "want", "got"} for ids, or {"id", "want", "got"} for texts
    error: str = ""


@dataclass
class Agreement:
    """The AKN reading against expected.json, per language."""

    files: int = 0
    same_counts: int = 0  # (PP, OP) of the reading == `majority`
    same_ids: int = 0  # top-level ids of the reading == the labeller's ids
    misses: list[dict] = field(default_factory=list)


def ids(resolution: Resolution) -> list[str]:
    """Every paragraph id in reading order, sub-paragraphs included (annexes are compared apart)."""
    return [p.pid for top in resolution.paragraphs for p in top.walk()]


def texts(resolution: Resolution, language: str) -> dict[str, str]:
    return {p.pid: normalise(p.text, language) for top in resolution.paragraphs for p in top.walk()}


def normalise(text: str, language: str) -> str:
    """Whitespace collapsed; none at all in Chinese, where a line break joins characters without one."""
    if language == "zh":
        return re.sub(r"\s+", "", text)
    return " ".join(text.split())


def compare(want: Resolution, got: Resolution, language: str) -> tuple[bool, bool, dict | None]:
    a, b = ids(want), ids(got)
    if a != b:
        index = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        return False, False, {"index": index, "want": a[index] if index < len(a) else None,
                              "got": b[index] if index < len(b) else None, "counts": [len(a), len(b)]}
    ta, tb = texts(want, language), texts(got, language)
    for pid in a:
        if ta[pid] != tb[pid]:
            return True, False, {"id": pid, "want": ta[pid][:160], "got": tb[pid][:160]}
    return True, True, None


def language_of(path: Path, resolution: Resolution | None) -> str:
    if resolution is not None and resolution.language:
        return resolution.language
    for part in path.parts:
        lowered = part.lower()
        for name, code in (("english", "en"), ("french", "fr"), ("spanish", "es"), ("arabic", "ar"),
                           ("chinese", "zh"), ("russian", "ru")):
            if lowered == name:
                return code
    return "?"


def collect(roots: list[Path]) -> list[tuple[Path, Path]]:
    """(corpus root, file) for every AKN file under the roots, sorted."""
    found = []
    for root in roots:
        files = [root] if root.is_file() else sorted(root.rglob("*.xml"))
        found.extend((root if root.is_dir() else root.parent, f) for f in files)
    return found


def wilson(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95 % Wilson score interval of a share: honest at 10/10 (0.72–1.0), where the normal
    approximation would say 1.0 ± 0."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    return round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4)


def exclude(files: list[tuple[Path, Path]], per_language: int, seeds: list[int | tuple[int, int]]
            ) -> list[tuple[Path, Path]]:
    """`files` without those the samples of `seeds` (`per_language` each, or a (seed, n) pair's own n)
    picked: a sample disjoint from the ones looked at while fixing the readers."""
    pairs = [s if isinstance(s, tuple) else (s, per_language) for s in seeds]
    seen = {f for seed, n in pairs for _, f in sample(files, n, seed)}
    return [(root, f) for root, f in files if f not in seen]


def sample(files: list[tuple[Path, Path]], per_language: int, seed: int) -> list[tuple[Path, Path]]:
    by_language: dict[str, list[tuple[Path, Path]]] = defaultdict(list)
    for root, f in files:
        by_language[language_of(f.relative_to(root), None)].append((root, f))
    rng = random.Random(seed)
    picked = []
    for language in sorted(by_language):
        group = by_language[language]
        picked.extend(sorted(rng.sample(group, min(per_language, len(group)))))
    return picked


def roundtrip(resolution: Resolution, fmt: str, workdir: Path) -> Resolution:
    from reso.evals import render
    from reso.index import readers

    path = workdir / f"roundtrip.{fmt}"
    (render.render_pdf if fmt == "pdf" else render.render_docx)(resolution, path)
    return readers.read(path)


def _expected(root: Path) -> dict:
    path = root / "expected.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def run(roots: list[Path], formats: tuple[str, ...] = FORMATS, per_language: int | None = None, seed: int = 0,
        progress=None, exclude_seeds: list[int | tuple[int, int]] | None = None, exclude_sample: int = 10,
        languages: set[str] | None = None, exclude_files: set[str] | None = None) -> dict:
    from reso.index import readers

    files = collect(roots)
    if exclude_seeds:
        files = exclude(files, exclude_sample, exclude_seeds)
    if exclude_files:
        files = [(root, f) for root, f in files if f.relative_to(root).as_posix() not in exclude_files]
    if per_language:
        files = sample(files, per_language, seed)
    if languages:
        files = [(root, f) for root, f in files if language_of(f.relative_to(root), None) in languages]
    expected = {root: _expected(root) for root in {r for r, _ in files}}
    outcomes: list[Outcome] = []
    agreement: dict[str, Agreement] = defaultdict(Agreement)
    unreadable: list[dict] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="reso-roundtrip-") as tmp:
        workdir = Path(tmp)
        for n, (root, path) in enumerate(files, 1):
            rel = path.relative_to(root).as_posix()
            try:
                want = readers.read(path)
            except Exception as exc:  # noqa: BLE001 - an AKN file the reader refuses is reported, not fatal
                unreadable.append({"file": rel, "error": f"{type(exc).__name__}: {exc}"[:300]})
                continue
            language = language_of(path, want)
            label = expected[root].get(rel)
            if label is not None:
                _agree(agreement[_LANG3.get(label["language"], label["language"])], rel, want, label)
            for fmt in formats:
                try:
                    got = roundtrip(want, fmt, workdir)
                except Exception as exc:  # noqa: BLE001 - a file read back wrong or refused is a failure
                    outcomes.append(Outcome(rel, language, fmt, False, False, error=f"{type(exc).__name__}: "
                                                                                    f"{exc}"[:300]))
                    continue
                same_ids, same_texts, diff = compare(want, got, language)
                outcomes.append(Outcome(rel, language, fmt, same_ids, same_texts, diff))
            if progress and (n % 25 == 0 or n == len(files)):
                progress(f"{n}/{len(files)} files, {time.perf_counter() - started:.0f} s")
    result = report(outcomes, agreement, unreadable, roots, formats)
    result["files"] = [f.relative_to(root).as_posix() for root, f in files]
    return result


def read_exclude_list(path: Path) -> set[str]:
    """Relative paths, one a line, or a former JSON report's `files`."""
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("{"):
        return set(json.loads(text).get("files", []))
    return {line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")}


def _agree(stats: Agreement, rel: str, want: Resolution, label: dict) -> None:
    stats.files += 1
    counts = [len(want.preambular), len(want.operative)]
    got_ids = [p.pid for p in want.paragraphs]
    majority = list(label.get("majority") or [label["pp"], label["op"]])
    stats.same_counts += counts == majority
    stats.same_ids += got_ids == label["ids"]
    if counts != majority or got_ids != label["ids"]:
        stats.misses.append({"file": rel, "counts": counts, "majority": majority,
                             "ids_agree": got_ids == label["ids"],
                             "languages_agree": label.get("languages_agree")})


def report(outcomes: list[Outcome], agreement: dict[str, Agreement], unreadable: list[dict], roots: list[Path],
           formats: tuple[str, ...]) -> dict:
    by: dict[str, dict[str, dict]] = defaultdict(dict)
    for language in sorted({o.language for o in outcomes}):
        for fmt in formats:
            group = [o for o in outcomes if o.language == language and o.format == fmt]
            if group:
                by[language][fmt] = {"files": len(group), "same_ids": sum(o.same_ids for o in group),
                                     "same_texts": sum(o.same_texts for o in group),
                                     "wilson95_same_ids": wilson(sum(o.same_ids for o in group), len(group)),
                                     "share_same_ids": round(sum(o.same_ids for o in group) / len(group), 4),
                                     "share_same_texts": round(sum(o.same_texts for o in group) / len(group), 4)}
    total = {fmt: {"files": sum(1 for o in outcomes if o.format == fmt),
                   "share_same_ids": round(sum(o.same_ids for o in outcomes if o.format == fmt)
                                           / max(1, sum(1 for o in outcomes if o.format == fmt)), 4)}
             for fmt in formats}
    return {
        "corpora": [str(r) for r in roots],
        "formats": list(formats),
        "by_language": dict(by),
        "total": total,
        "failures": [asdict(o) for o in outcomes if not (o.same_ids and o.same_texts)],
        "akn_unreadable": unreadable,
        "expected_agreement": {
            language: {"files": a.files, "same_counts": a.same_counts, "same_ids": a.same_ids,
                       "share_same_counts": round(a.same_counts / a.files, 4) if a.files else None,
                       "share_same_ids": round(a.same_ids / a.files, 4) if a.files else None,
                       "misses": a.misses}
            for language, a in sorted(agreement.items())},
    }


def print_report(result: dict, out=sys.stdout) -> None:
    print("Round trip (AKN → UN layout → reader), files whose paragraph ids come back identical:", file=out)
    print(f"  {'lang':<5} " + "  ".join(f"{fmt:>22}" for fmt in result["formats"]) + "   (same texts too)", file=out)
    for language, row in result["by_language"].items():
        cells = []
        for fmt in result["formats"]:
            c = row.get(fmt)
            cells.append(f"{c['same_ids']:>5}/{c['files']:<5} {c['share_same_ids']:>6.1%} ({c['same_texts']:>4})"
                         f" [{c['wilson95_same_ids'][0]:.1%}–{c['wilson95_same_ids'][1]:.1%}]"
                         if c else f"{'-':>22}")
        print(f"  {language:<5} " + "  ".join(cells), file=out)
    if result["expected_agreement"]:
        print("\nAKN reading vs expected.json (majority (PP, OP) counts; labeller's ids):", file=out)
        for language, a in result["expected_agreement"].items():
            print(f"  {language:<5} {a['same_counts']:>5}/{a['files']:<5} {a['share_same_counts']:>7.2%} counts   "
                  f"{a['same_ids']:>5}/{a['files']:<5} {a['share_same_ids']:>7.2%} ids", file=out)
    failures = result["failures"]
    if failures:
        print(f"\n{len(failures)} failure(s) (first 40):", file=out)
        for f in failures[:40]:
            why = f["error"] or json.dumps(f["first_diff"], ensure_ascii=False)
            print(f"  [{f['format']}] {f['file']}: {why[:200]}", file=out)
    if result["akn_unreadable"]:
        print(f"\n{len(result['akn_unreadable'])} AKN file(s) unreadable:", file=out)
        for f in result["akn_unreadable"][:20]:
            print(f"  {f['file']}: {f['error']}", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reso.evals.roundtrip", description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="+", type=Path, help="folders (or files) of AKN XML")
    parser.add_argument("--formats", default="pdf,docx", help="comma-separated: pdf, docx (default both)")
    parser.add_argument("--sample", type=int, default=None, metavar="N", help="N files per language")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--exclude-seeds", default="", metavar="S,S:N…",
                        help="leave out the files the samples of these seeds pick (--exclude-sample N each, "
                        "or S:N): a sample disjoint from those looked at while fixing")
    parser.add_argument("--exclude-list", type=Path, action="append", default=[], metavar="FILE",
                        help="leave out the files listed (relative paths, one a line, or a former --json "
                        "report); may be given more than once")
    parser.add_argument("--languages", default="", metavar="L,L",
                        help="only these languages' files of the sample (drawn as without the option)")
    parser.add_argument("--exclude-sample", type=int, default=10, metavar="N")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    unknown = set(formats) - set(FORMATS)
    if unknown:
        parser.error(f"unknown format(s): {', '.join(sorted(unknown))}; known: {', '.join(FORMATS)}")
    seeds = [tuple(int(y) for y in x.split(":")) if ":" in x else int(x)
             for x in args.exclude_seeds.split(",") if x.strip()]
    languages = {x.strip() for x in args.languages.split(",") if x.strip()} or None
    result = run(args.corpus, formats, args.sample, args.seed,
                 progress=lambda line: print(line, file=sys.stderr, flush=True),
                 exclude_seeds=seeds, exclude_sample=args.exclude_sample, languages=languages,
                 exclude_files=set().union(*(read_exclude_list(p) for p in args.exclude_list)))
    if args.json:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print_report(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
