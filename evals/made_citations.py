"""Choose the citation-completion rules' settings on questions made from the corpus, not on an eval set.

Two kinds of made question, asked of the index in `RESO_DATA_DIR` through the whole assistant:

- **single**: `evals.fit_ranker.make_questions` (a paragraph's words in a question frame, half of
  those whose paragraph gives a date, a period, a number or a session asked for it: "Until when
  …?"). One gold paragraph: a second citation here is padding, and shows as lower precision.
- **two-part**: two such questions about two operative paragraphs of the same document, joined the
  way people join them ("…, and until when …?", or two questions in one message). Both paragraphs
  are gold: a rule that cites each part's paragraph shows as higher recall.

Documents are split by `fit_ranker.held_out` (one in five by a hash of the symbol): settings are
compared on the fitting documents only; the held-out documents are reported once, for the chosen
setting and the rules switched off. Figures are those of `reso eval` (`evals.metrics.report`),
with their 95 % bootstrap intervals.

    RESO_DATA_DIR=/tmp/corpus-minilm python -m reso.evals.made_citations [--questions 600] [--held-out] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from dataclasses import replace

from reso.assistant.answer_types import gives
from reso.assistant.completion import CitationCompletion
from reso.evals.dataset import EvalItem
from reso.evals.fit_ranker import ASKING, BODIES, FRAMES, _content_words, held_out, make_questions
from reso.evals.metrics import report
from reso.evals.run import index_keys, record
from reso.index.analysis import fold
from reso.index.model import normalise_pid

LANGUAGES = ("en", "fr")
KINDS = ("operative", "preambular")
PREAMBULAR_PART = 0.3  # pairs with one part about the preamble (a made single question: one in five)  # the languages every document of the corpus index is in
JOIN = {"en": ", and ", "fr": ", et "}
# a joined part must open on a question word for the question to be read as two (`query.parts_of_folded`)
OPENS_A_PART = {"en": re.compile(r"^(?:what|which|when|until|how)\b", re.I),
                "fr": re.compile(r"^(?:quand|jusqu'à|combien|à quelle|quel)", re.I)}


def _sub_question(chunk, rng: random.Random) -> str | None:
    """A question about one paragraph: its opening verb and 2–5 of its words in a frame; the frame
    asking for the kind of answer the paragraph gives, when it gives one, two times in three."""
    lang = chunk.language
    ws = _content_words(chunk.text, lang)
    if len(ws) < 4:
        return None
    verb, rest = ws[0].lower(), ws[1:]
    keep = sorted(rng.sample(range(len(rest)), min(len(rest), rng.randint(2, 5))))
    words = " ".join(rest[j] for j in keep)
    body = BODIES[lang].get(chunk.body, BODIES[lang]["GA"])
    kinds = [k for k in ASKING[lang] if gives(k, chunk.text)]
    if kinds and rng.random() < 2 / 3:
        frame = ASKING[lang][rng.choice(kinds)]
    else:
        frame = FRAMES[lang][0]
    return re.sub(r"\s{2,}", " ", frame.format(b=body, v=verb, w=words))


def make_two_part(chunks, doc_keys, n: int, seed: int = 0) -> list[tuple[str, str, str, list[str], bool]]:
    """(question, language, document, [two gold paragraph ids], held out) for `n` pairs of operative
    paragraphs of one document (distinct texts, each at least 60 characters)."""
    rng = random.Random(seed)
    by_doc: dict[tuple[str, str], list[int]] = {}
    seen: dict[str, int] = {}
    for i, c in enumerate(chunks):
        seen[fold(c.text[:300])] = seen.get(fold(c.text[:300]), 0) + 1
    for i, c in enumerate(chunks):
        if c.language in LANGUAGES and c.kind in KINDS and len(c.text) >= 60 and seen[fold(c.text[:300])] == 1:
            by_doc.setdefault((doc_keys[i], c.language, c.kind), []).append(i)
    docs = sorted({(d, lang) for (d, lang, kind), rows in by_doc.items() if kind == "operative" and len(rows) >= 2})
    out = []
    while len(out) < n:
        doc, lang = rng.choice(docs)
        operative = by_doc[(doc, lang, "operative")]
        preambular = by_doc.get((doc, lang, "preambular"), [])
        if preambular and rng.random() < PREAMBULAR_PART:  # one part about the preamble
            i, j = rng.choice(preambular), rng.choice(operative)
            if rng.random() < 0.5:
                i, j = j, i
        else:
            i, j = rng.sample(operative, 2)
        first, second = _sub_question(chunks[i], rng), _sub_question(chunks[j], rng)
        if not first or not second:
            continue
        if rng.random() < 0.5:  # the subject, as people name it: a word of the title
            subject = _content_words(chunks[i].title, lang)
            if subject:
                first = f"{rng.choice(subject)} : {first}" if lang == "fr" else f"{rng.choice(subject)}: {first}"
        second_lower = second[:1].lower() + second[1:]
        if OPENS_A_PART[lang].match(second_lower) and rng.random() < 0.6:
            text = first.rstrip(" ?") + JOIN[lang] + second_lower
        else:
            text = f"{first} {second}"
        out.append((text, lang, chunks[i].document, [chunks[i].paragraph, chunks[j].paragraph], held_out(doc)))
    return out


def items(assistant, n: int, seed: int) -> dict[str, list[tuple[EvalItem, bool]]]:
    retriever = assistant.retriever
    rows = [i for i, c in enumerate(retriever.chunks) if c.language in LANGUAGES]
    chunks = [retriever.chunks[i] for i in rows]
    keys = [retriever.doc_keys[i] for i in rows]
    doc_of = {k: c.document for c, k in zip(chunks, keys)}
    single = []
    for m in make_questions(chunks, keys, n, seed=seed):
        item = EvalItem(f"made-{len(single)}", m.text, m.language, [doc_of[m.gold[0]]], [m.gold[1]], kind="single")
        single.append((item, m.held_out))
    two = []
    for text, lang, doc, gold, out in make_two_part(chunks, keys, n // 2, seed=seed + 1):
        two.append((EvalItem(f"two-{len(two)}", text, lang, [doc], [normalise_pid(g) for g in gold], kind="two-part"), out))
    return {"single": single, "two-part": two}


def scored(assistant, made: list[tuple[EvalItem, bool]], held: bool, completion: CitationCompletion, known) -> dict:
    assistant.completion = completion
    records = []
    for item, out in made:
        if out != held:
            continue
        t0 = time.perf_counter()
        answer = assistant.answer(item.question)
        records.append(record(item, answer, (time.perf_counter() - t0) * 1000, known))
    r = report(records)
    return {"n": r["n"], "hit@1": r["retrieval"]["hit@1"], "precision": r["citations"]["precision"],
            "recall": r["citations"]["recall"], "cited": r["citations"]["cited"], "refusal": r["refusal"]["accuracy"],
            "ci95": {k: r["ci95"][k] for k in ("precision", "recall")}}


# before: a part's best paragraph, of the answer's own part (preamble / operative) only, nothing else
OFF = CitationCompletion(part_candidates=1, other_part=False, checked_same_part=False, type_window=0, continuation=False)
KIND_ONLY = replace(OFF, part_candidates=3, other_part=True, part_margin=-1.0)  # the other part when it gives the kind asked
GRID = {
    "off": OFF,
    "parts k=3 kind": KIND_ONLY,
    "parts k=5 kind": replace(KIND_ONLY, part_candidates=5),
    "parts k=3 m=0.2": replace(KIND_ONLY, part_margin=0.2),
    "parts k=5 m=0.2": replace(KIND_ONLY, part_candidates=5, part_margin=0.2),
    "parts k=3 m=0.1 checked": replace(KIND_ONLY, part_margin=0.1, checked_same_part=True),
    "parts k=3 m=0.2 checked": replace(KIND_ONLY, part_margin=0.2, checked_same_part=True),
    "parts k=3 m=0.3 checked": replace(KIND_ONLY, part_margin=0.3, checked_same_part=True),
    "parts k=5 m=0.1 checked": replace(KIND_ONLY, part_candidates=5, part_margin=0.1, checked_same_part=True),
    "parts k=5 m=0.2 checked": replace(KIND_ONLY, part_candidates=5, part_margin=0.2, checked_same_part=True),
    "parts k=5 m=0.3 checked": replace(KIND_ONLY, part_candidates=5, part_margin=0.3, checked_same_part=True),
    "kind w=2": replace(OFF, type_window=2),
    "kind w=3": replace(OFF, type_window=3),
    "kind w=5": replace(OFF, type_window=5),
    "continuation": replace(OFF, continuation=True),
    "all (default)": CitationCompletion(),
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--questions", type=int, default=600)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--held-out", action="store_true", help="score the held-out documents (once, after choosing)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    from reso.assistant.factory import build_assistant
    from reso.settings import Settings

    assistant = build_assistant(Settings(answer_cache=0))
    known = index_keys(assistant)
    made = items(assistant, args.questions, args.seed)
    grid = {"off": OFF, "all (default)": CitationCompletion()} if args.held_out else GRID
    out = {kind: {name: scored(assistant, qs, args.held_out, c, known) for name, c in grid.items()} for kind, qs in made.items()}
    if args.json:
        json.dump(out, sys.stdout, indent=1)
        print()
        return 0
    split = "held-out" if args.held_out else "fitting"
    for kind, rows in out.items():
        print(f"## {kind} ({split} documents)")
        for name, r in rows.items():
            ci = r["ci95"]
            print(f"{name:30} n={r['n']:4} hit@1 {r['hit@1']:.3f}  P {r['precision']:.3f} {ci['precision']}  "
                  f"R {r['recall']:.3f} {ci['recall']}  cited {r['cited']}  refusal {r['refusal']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
