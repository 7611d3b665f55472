"""`python -m reso.evals.series_eval [--json]`: the series of `reso related` scored on labelled
anchors (issue 17, item 2).

The gold (`evals/datasets/series.jsonl`) holds, for each anchor document, the members of its series
(the anchor included), labelled by reading the texts (evals/datasets/README.md says how). For each
anchor the series the reference graph gives it is compared with the gold:

* **precision**: share of the members given that are gold members;
* **recall**: share of the gold members given;

per anchor, and micro totals (members summed over anchors) with a 95 % bootstrap interval
(anchors resampled with replacement, 2,000 draws, a fixed seed). An anchor given no series counts
its gold members as missed (recall) and adds nothing to precision.

Eight anchors are held out: the eight whose symbol has the smallest sha256, fixed before the series
code was written (`held_out`); the rules were developed on the other sixteen and the held-out
figures are reported apart.

Documents come from the index of `RESO_DATA_DIR` (the gold uses its symbols): build it from
`../shared/corpus` and `../shared/corpus-large`. The series are those `LineageService.related`
returns, the ones `reso related` and `GET /api/related` show.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

DATASET = Path(__file__).with_name("datasets") / "series.jsonl"
HELD_OUT = 8
DRAWS = 2000


@dataclass(frozen=True)
class Item:
    anchor: str
    kind: str
    subject: str
    members: tuple[str, ...]


def load(path: Path = DATASET) -> list[Item]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            items.append(Item(d["anchor"], d["kind"], d["subject"], tuple(d["members"])))
    return items


def held_out(items: Sequence[Item], n: int = HELD_OUT) -> set[str]:
    """The anchors kept out of development: the `n` with the smallest sha256 (a rule, not a list)."""
    return set(sorted((i.anchor for i in items), key=lambda s: hashlib.sha256(s.encode()).hexdigest())[:n])


@dataclass(frozen=True)
class Scored:
    anchor: str
    gold: int
    given: int
    right: int
    missed: tuple[str, ...]
    extra: tuple[str, ...]


def score_one(item: Item, given: Sequence[str]) -> Scored:
    from reso.index.model import normalise_symbol

    gold = {normalise_symbol(m): m for m in item.members}
    got = {normalise_symbol(m): m for m in given}
    return Scored(item.anchor, len(gold), len(got), len(gold.keys() & got.keys()),
                  tuple(gold[k] for k in gold.keys() - got.keys()), tuple(got[k] for k in got.keys() - gold.keys()))


def _ratio(k: int, n: int) -> float | None:
    return round(k / n, 4) if n else None


def totals(scored: Sequence[Scored], draws: int = DRAWS, seed: int = 17) -> dict:
    """Micro precision and recall over the anchors, each with a bootstrap 95 % interval."""
    def micro(rows: Sequence[Scored]) -> tuple[float | None, float | None]:
        right = sum(r.right for r in rows)
        return _ratio(right, sum(r.given for r in rows)), _ratio(right, sum(r.gold for r in rows))

    p, r = micro(scored)
    rng = random.Random(seed)
    ps, rs = [], []
    for _ in range(draws if scored else 0):
        bp, br = micro([rng.choice(scored) for _ in scored])
        if bp is not None:
            ps.append(bp)
        if br is not None:
            rs.append(br)

    def interval(xs: list[float]) -> list[float] | None:
        if not xs:
            return None
        xs = sorted(xs)
        return [round(xs[int(0.025 * (len(xs) - 1))], 4), round(xs[int(0.975 * (len(xs) - 1))], 4)]

    return {"anchors": len(scored), "gold": sum(s.gold for s in scored), "given": sum(s.given for s in scored),
            "precision": p, "precision_bootstrap95": interval(ps),
            "recall": r, "recall_bootstrap95": interval(rs)}


def evaluate(items: Sequence[Item], series_of: Callable[[str], Sequence[str]]) -> dict:
    hold = held_out(items)
    per: dict[str, dict] = {}
    split: dict[str, list[Scored]] = {"dev": [], "held_out": []}
    for it in items:
        s = score_one(it, series_of(it.anchor))
        name = "held_out" if it.anchor in hold else "dev"
        split[name].append(s)
        per[it.anchor] = {"split": name, "kind": it.kind, "subject": it.subject, "gold": s.gold, "given": s.given,
                          "precision": _ratio(s.right, s.given), "recall": _ratio(s.right, s.gold),
                          "missed": sorted(s.missed), "extra": sorted(s.extra)}
    return {"dev": totals(split["dev"]), "held_out": totals(split["held_out"]), "anchors": per}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reso.evals.series_eval", description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true", help="the full report as JSON")
    ap.add_argument("--split", choices=("dev", "held_out", "all"), default="all",
                    help="which anchors to list one by one (the totals always show both)")
    args = ap.parse_args(argv)

    from reso.assistant.factory import build_assistant, open_library
    from reso.settings import Settings

    settings = Settings()
    lineage = build_assistant(settings, open_library(settings)).lineage
    items = load()

    def series_of(anchor: str) -> list[str]:
        related = lineage.related(anchor)
        if related is None:
            raise SystemExit(f"{anchor} is not indexed in RESO_DATA_DIR; build the index of ../shared/corpus "
                             "and ../shared/corpus-large")
        return [e.document for e in related.series]

    report = evaluate(items, series_of)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0
    for anchor, row in report["anchors"].items():
        if args.split not in ("all", row["split"]):
            continue
        print(f"{row['split']:8} {anchor:22} P={row['precision']} R={row['recall']} "
              f"gold={row['gold']} given={row['given']}  {row['subject'][:40]}")
        if row["missed"]:
            print(f"{'':9}missed: {', '.join(row['missed'])}")
        if row["extra"]:
            print(f"{'':9}extra:  {', '.join(row['extra'])}")
    for name in ("dev", "held_out"):
        t = report[name]
        print(f"{name}: {t['anchors']} anchors, precision {t['precision']} {t['precision_bootstrap95']}, "
              f"recall {t['recall']} {t['recall_bootstrap95']} (gold {t['gold']}, given {t['given']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
