"""AKN paragraph counts against the independent labeller of `../shared/corpus-large/expected.json`.

`python -m reso.evals.akn_counts [CORPUS] [--json]`: reads every file `expected.json` lists and
reports, per language, the share of files whose (PP, OP) counts equal `majority` — what most
language versions of the resolution agree on, the UN's numbering — and the files that crash, with
the misses listed. Not a `reso` command: an evaluation of the readers, run by hand or in CI.
"""

from __future__ import annotations

import argparse
import os
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

LANG = {"eng": "en", "fra": "fr", "spa": "es", "ara": "ar", "zho": "zh", "rus": "ru"}


def evaluate(corpus: Path) -> dict:
    from reso.index import readers

    expected = json.loads((corpus / "expected.json").read_text(encoding="utf-8"))
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses, errors = [], []
    started = time.perf_counter()
    for rel, want in sorted(expected.items()):
        language = LANG.get(want.get("language", ""), want.get("language", ""))
        per[language][1] += 1
        try:
            res = readers.read(corpus / rel)
        except Exception as exc:  # noqa: BLE001 - counted and listed
            errors.append({"file": rel, "error": f"{type(exc).__name__}: {exc}"})
            continue
        got = [len(res.preambular), len(res.operative)]
        if got == list(want["majority"]):
            per[language][0] += 1
        else:
            misses.append({"file": rel, "got": got, "majority": want["majority"],
                           "languages_agree": want.get("languages_agree")})
    total = [sum(v[0] for v in per.values()), sum(v[1] for v in per.values())]
    return {
        "files": total[1],
        "exact": round(total[0] / total[1], 4) if total[1] else 0.0,
        "per_language": {k: {"exact": round(v[0] / v[1], 4), "files": v[1]} for k, v in sorted(per.items())},
        "errors": errors,
        "misses": misses,
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    shared = Path(os.environ.get("RESO_SHARED_DIR", Path.cwd().parent / "shared"))
    parser.add_argument("corpus", nargs="?", type=Path, default=shared / "corpus-large",
                        help="a corpus-large folder with its expected.json (default: $RESO_SHARED_DIR/corpus-large, "
                        "else ../shared/corpus-large from the working directory)")
    parser.add_argument("--json", action="store_true", help="print the whole report as JSON")
    args = parser.parse_args(argv)
    report = evaluate(args.corpus)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    print(f"{report['files']} files, exact (PP, OP) = majority: {report['exact']:.2%} ({report['seconds']} s)")
    for language, row in report["per_language"].items():
        print(f"  {language}: {row['exact']:.2%} of {row['files']}")
    print(f"  errors: {len(report['errors'])}")
    for m in report["misses"]:
        print(f"  miss {m['file']}: {m['got']} vs majority {m['majority']}"
              + ("" if m["languages_agree"] else " (languages disagree)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
