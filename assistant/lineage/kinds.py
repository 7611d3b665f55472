"""A learned reading of a lineage question's kind, for the wordings no row and no cue reads.

The rows (`[lineage] *_patterns`) and the cues (`cue_*`, weighed in `questions._kind_by_cues`)
read the wordings someone wrote down; a question worded apart from them ("Has anybody cited
ES-11/5 since it was adopted?", "Что было до 2670 (2022) по АТМИС?", "第2816（2026）号决议列举了哪些
既往决议？") was read as no lineage question at all: 68 of 198 such wordings written blind
(`evals/datasets/lineage-phrasings3.tsv`) before the cues written from them, 11 after. A rule needs every word and every gap;
a weighted reading of the same signals does not.

The model: a softmax over the five kinds and "none", on hashed features of the question: what it
names (texts, years, a mission), which cue and row families fire (language-independent names, and
their pairs: "a word of citing" with "a word of later"), and its own words (masked numbers, word
prefixes, word pairs; characters and character pairs for Chinese). Fitted by `evals/fit_kinds.py`
on wordings written for the purpose and on the questions of other kinds the evaluation sets hold
(the negatives), the weights shipped in `assistant/data/lineage-kinds.json`. It is asked only when
rows and cues read nothing, and a kind is taken only above `threshold` (fitted so that at most
0.5 % of the ordinary questions it is asked are taken, out of fold). Its features repeat the cue and
row searches `kind_of` has just made (about 0.15 ms a question): kept so, the model reads a
Question alone.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reso.assistant.question import Question

DATA = Path(__file__).resolve().parent.parent / "data" / "lineage-kinds.json"
FEATURE_BITS = 15
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def _bucket(name: str) -> int:
    return zlib.crc32(name.encode("utf-8")) & ((1 << FEATURE_BITS) - 1)


def feature_names(question: Question) -> list[str]:
    """The question's features by name (hashed by `features`): structure, cues, words."""
    from reso.assistant.lineage.questions import _acronyms, _cues, _patterns, _years

    lang = question.language
    text = question.own_folded
    named = min(len(dict.fromkeys(question.numbers)), 2)
    years = min(len(_years(question)), 2)
    cues = _cues(lang)
    fired = sorted(n for n, p in cues.items() if p.search(text))
    mission = bool(_acronyms(question)) or "mission" in fired
    rows = sorted(k for k, p in _patterns(lang).items() if p.search(question.folded))
    out = [f"named:{named}", f"years:{years}", f"mission:{mission}", f"shape:{named}:{years}:{mission}"]
    out += [f"cue:{c}" for c in fired] + [f"row:{r}" for r in rows]
    out += [f"cue:{c}:named:{named}" for c in fired]
    out += [f"cue2:{a}&{b}" for i, a in enumerate(fired) for b in fired[i + 1 :]]
    masked = _DIGITS.sub("0", text)
    if lang == "zh":
        chars = [c for c in masked if _HAN.match(c)]
        out += [f"c:{c}" for c in chars] + [f"cc:{a}{b}" for a, b in zip(chars, chars[1:])]
    else:
        words = _WORD.findall(masked)
        out += [f"w:{lang}:{w}" for w in words] + [f"p:{lang}:{w[:5]}" for w in words if len(w) > 5]
        out += [f"b:{lang}:{a}_{b}" for a, b in zip(words, words[1:])]
    return out


def features(question: Question) -> list[int]:
    return sorted({_bucket(n) for n in feature_names(question)})


@dataclass(frozen=True)
class KindModel:
    classes: tuple[str, ...]
    weights: dict[int, tuple[float, ...]]  # feature bucket → a weight per class
    bias: tuple[float, ...]
    threshold: float

    def probabilities(self, question: Question) -> dict[str, float]:
        scores = list(self.bias)
        for f in features(question):
            w = self.weights.get(f)
            if w is not None:
                scores = [s + x for s, x in zip(scores, w)]
        top = max(scores)
        exp = [math.exp(s - top) for s in scores]
        total = sum(exp)
        return {c: e / total for c, e in zip(self.classes, exp)}

    def kind(self, question: Question) -> str | None:
        """The kind the model reads, when it is not "none" and holds at least `threshold`."""
        probs = self.probabilities(question)
        best = max(probs, key=probs.__getitem__)
        return best if best != "none" and probs[best] >= self.threshold else None

    def to_json(self) -> dict:
        return {"feature_bits": FEATURE_BITS, "classes": list(self.classes), "bias": [round(b, 5) for b in self.bias],
                "threshold": self.threshold,
                "weights": {str(k): [round(x, 5) for x in v] for k, v in sorted(self.weights.items())}}

    @classmethod
    def from_json(cls, raw: dict) -> KindModel:
        if raw.get("feature_bits") != FEATURE_BITS:
            raise ValueError(f"lineage kind model hashed to {raw.get('feature_bits')} bits, the code to {FEATURE_BITS}")
        return cls(tuple(raw["classes"]), {int(k): tuple(v) for k, v in raw["weights"].items()},
                   tuple(raw["bias"]), float(raw["threshold"]))


@lru_cache(maxsize=1)
def shipped() -> KindModel | None:
    """The model shipped with the package, None when its file is absent (the rows and cues alone)."""
    if not DATA.exists():
        return None
    return KindModel.from_json(json.loads(DATA.read_text(encoding="utf-8")))
