"""How well short questions are told apart by language (`index.analysis.identify_language`).

`python -m reso.evals.language_id [CORPUS-LARGE] [--json]`

Two kinds of input, neither fitted on by hand:

- **Windows made from the corpus**: 3 to 9 consecutive words of real paragraphs of corpus-large, a
  few hundred a language, in the six languages. The files are split in two halves by a hash of
  their path: `dev` (choices are made looking at it) and `held_out` (reported, never looked at
  while choosing). Paragraph words are formal ("Reaffirming its commitment…"); questions are not,
  hence the second set.
- **Short questions** (`evals/datasets/language-questions.tsv`): written by hand, before the
  detector was changed, the way users ask ("¿Qué cambió entre la resolución 2677 y la 2779?",
  "Is Côte d'Ivoire mentioned?"), including recognised-only languages (Portuguese, Italian,
  German, Dutch), whose expected answer is their own code.

Reported: accuracy per language with a 95 % bootstrap interval, and the confusions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

LANG = {"en": "en", "fr": "fr", "spa": "es", "ara": "ar", "zho": "zh", "rus": "ru"}
QUESTIONS = Path(__file__).resolve().parent / "datasets" / "language-questions.tsv"
FILES_PER_LANGUAGE = 80
WINDOWS_PER_FILE = 6


def split_of(path: str) -> str:
    return "held_out" if hashlib.sha256(f"langid:{path}".encode()).digest()[0] % 2 else "dev"


def windows(corpus: Path, seed: int = 0) -> list[tuple[str, str, str]]:
    """(split, language, text) windows of real paragraphs: a seeded sample of files a language."""
    from reso.index import readers

    expected = json.loads((corpus / "expected.json").read_text(encoding="utf-8"))
    by_language: dict[str, list[str]] = defaultdict(list)
    for rel, want in sorted(expected.items()):
        by_language[LANG.get(want.get("language", ""), want.get("language", ""))].append(rel)
    rng = random.Random(seed)
    out = []
    for language, files in sorted(by_language.items()):
        for rel in rng.sample(files, min(FILES_PER_LANGUAGE, len(files))):
            try:
                res = readers.read(corpus / rel)
            except Exception:  # noqa: BLE001 - a file the readers refuse is no sample
                continue
            texts = [p.text for p in [*res.preambular, *res.operative] if len(p.text) > 40]
            for _ in range(WINDOWS_PER_FILE if texts else 0):
                text = rng.choice(texts)
                if language == "zh":  # no spaces: 6 to 20 characters
                    size = rng.randint(6, 20)
                    start = rng.randint(0, max(0, len(text) - size))
                    out.append((split_of(rel), language, text[start : start + size]))
                    continue
                ws = text.split()
                size = rng.randint(3, 9)
                start = rng.randint(0, max(0, len(ws) - size))
                out.append((split_of(rel), language, " ".join(ws[start : start + size])))
    return out


def questions(path: Path = QUESTIONS) -> list[tuple[str, str, str]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            language, text = line.split("\t", 1)
            out.append(("questions", language, text))
    return out


def detected(text: str) -> str:
    """The language a text is read as: a recognised-only language by its own code."""
    from reso.index.analysis import identify_language, words

    understood, recognised = identify_language(words(text), text)
    return recognised or understood


def score(items: list[tuple[str, str, str]], seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    report: dict = {}
    for split in sorted({s for s, _, _ in items}):
        rows = [(lang, text, detected(text)) for s, lang, text in items if s == split]
        part: dict = {}
        for language in ["all", *sorted({lang for lang, _, _ in rows})]:
            sel = [r for r in rows if language == "all" or r[0] == language]
            hits = np.array([r[0] == r[2] for r in sel], dtype=float)
            boots = [hits[rng.integers(0, len(hits), len(hits))].mean() for _ in range(1000)]
            part[language] = {"n": len(sel), "accuracy": round(float(hits.mean()), 3),
                              "ci95": [round(float(np.percentile(boots, 2.5)), 3),
                                       round(float(np.percentile(boots, 97.5)), 3)]}
        part["confusions"] = dict(Counter(f"{a}→{b}" for a, _, b in rows if a != b).most_common())
        part["misses"] = [{"language": a, "text": t, "read_as": b} for a, t, b in rows if a != b][:40]
        report[split] = part
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    shared = Path(os.environ.get("RESO_SHARED_DIR", Path.cwd().parent / "shared"))
    parser.add_argument("corpus", nargs="?", type=Path, default=shared / "corpus-large")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--split", action="append", help="report only these splits (dev, held_out, questions)")
    args = parser.parse_args(argv)
    items = windows(args.corpus) + questions()
    if args.split:
        items = [i for i in items if i[0] in args.split]
    report = score(items)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    for split, part in report.items():
        line = "  ".join(f"{k} {v['accuracy']:.3f} [{v['ci95'][0]:.2f}–{v['ci95'][1]:.2f}] (n={v['n']})"
                         for k, v in part.items() if isinstance(v, dict) and "accuracy" in v)
        print(f"{split:9} {line}")
        if part["confusions"]:
            print(f"          confusions: {part['confusions']}")
        if split != "held_out":
            for m in part["misses"]:
                print(f"          {m['language']} → {m['read_as']}: {m['text']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
