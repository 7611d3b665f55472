"""How well `index.references.find_references` reads the resolutions a paragraph cites.

Scored on `evals/datasets/references.jsonl` (paragraphs of the real index labelled by reading, see
the datasets README): per paragraph the distinct symbols found are compared with the labelled ones
(spelling compared as CONTRACTS §1 does: whitespace and case ignored). Precision = found and
labelled / found, recall = found and labelled / labelled, pooled over paragraphs, overall and per
language, each with its 95 % Wilson interval. The citing text's body and date come from the
paragraph's document symbol (S/RES/n (year) → SC, A/HRC/RES/s/n → HRC of session s, A/RES → GA),
as the graph has them from the chunk.

The held-out part (a fifth of the paragraphs, sha1 of the id ending in 0-2 of 0-f, about 3/16) was
not looked at while the extractor was fixed; both parts are reported.

    python -m reso.evals.references [--json] [--errors] [--part dev|heldout|all]

`--errors` prints the dev paragraphs' misses and extras (never the held-out ones).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

from reso.evals.roundtrip import wilson
from reso.index.model import normalise_symbol
from reso.index.references import find_references, latest_hrc_session

DATASET = Path(__file__).resolve().parent / "datasets" / "references.jsonl"
LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh")


def held_out(row_id: str) -> bool:
    return hashlib.sha1(row_id.encode()).hexdigest()[0] in "012"


def citing(document: str) -> tuple[str, int | None]:
    """The citing text's body and the last HRC session it could cite, from its symbol."""
    sc = re.fullmatch(r"S/RES/\d+\s*\((\d{4})\)", document)
    if sc:
        return "SC", latest_hrc_session("SC", None, int(sc.group(1)))
    hrc = re.fullmatch(r"A/HRC/RES/(\d+)/\d+", document)
    if hrc:
        return "HRC", int(hrc.group(1))
    return ("SC" if document.startswith("S/") else "GA"), None


def score(rows: list[dict]) -> dict:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # true positives, found, labelled
    for row in rows:
        body, latest = citing(row["document"])
        found = {normalise_symbol(r.symbol) for r in find_references(row["text"], body, latest)}
        gold = {normalise_symbol(s) for s in row["references"]}
        for key in ("all", row["language"]):
            c = counts[key]
            c[0] += len(found & gold)
            c[1] += len(found)
            c[2] += len(gold)
    out = {}
    for key in ("all", *LANGUAGES):
        tp, found, gold = counts[key]
        out[key] = {"paragraphs": sum(1 for r in rows if key in ("all", r["language"])), "labelled": gold,
                    "found": found, "precision": tp / found if found else 1.0, "recall": tp / gold if gold else 1.0,
                    "precision_wilson95": wilson(tp, found), "recall_wilson95": wilson(tp, gold)}
    return out


def errors(rows: list[dict]) -> list[str]:
    lines = []
    for row in rows:
        body, latest = citing(row["document"])
        refs = find_references(row["text"], body, latest)
        found = {normalise_symbol(r.symbol): r.symbol for r in refs}
        gold = {normalise_symbol(s): s for s in row["references"]}
        miss = [gold[k] for k in gold if k not in found]
        extra = [found[k] for k in found if k not in gold]
        if miss or extra:
            lines.append(f"{row['id']} {row['document']} {row['paragraph']}: missed {miss} extra {extra}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reso.evals.references", description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--errors", action="store_true", help="the dev paragraphs' misses and extras")
    parser.add_argument("--part", choices=("dev", "heldout", "all"), default=None)
    parser.add_argument("--dataset", type=Path, default=DATASET)
    args = parser.parse_args(argv)
    rows = [json.loads(line) for line in args.dataset.read_text(encoding="utf-8").splitlines() if line.strip()]
    parts = {"dev": [r for r in rows if not held_out(r["id"])], "heldout": [r for r in rows if held_out(r["id"])],
             "all": rows}
    if args.errors:
        print("\n".join(errors(parts["dev"])) or "no errors on the dev part")
        return 0
    names = [args.part] if args.part else ["dev", "heldout", "all"]
    report = {name: score(parts[name]) for name in names}
    if args.json:
        json.dump(report, sys.stdout, indent=1)
        print()
        return 0
    for name in names:
        print(f"{name}:")
        for key, c in report[name].items():
            p, r = c["precision_wilson95"], c["recall_wilson95"]
            print(f"  {key:3} {c['paragraphs']:3} paragraphs {c['labelled']:3} labelled {c['found']:3} found"
                  f"  P {c['precision']:.3f} [{p[0]:.2f}–{p[1]:.2f}]  R {c['recall']:.3f} [{r[0]:.2f}–{r[1]:.2f}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
