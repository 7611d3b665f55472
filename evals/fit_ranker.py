"""Fit the second ranking stage (`assistant/ranker.py`) on questions made from the corpus itself.

No evaluation set is fitted on. The questions are made from the index's own paragraphs, the way
people ask about a resolution: a question frame in the paragraph's language ("What does the
Council … about …?", "¿Qué … el Consejo sobre …?", "决议关于…说了什么？"), often the verb the
paragraph opens on ("requests", "prie", "يطلب"), a few of its words (2–6, in their order, the
rest dropped), sometimes a word from another paragraph (questions use words the text does not),
sometimes the resolution's number or words of its title, or the year it was adopted (or a year the
paragraph sets: "until 2026"), as questions date the text they ask about. The paragraph is the gold answer.
Paragraphs whose text recurs in another document (renewals repeat whole paragraphs) are left
out: no question made from words alone can tell those apart.

Documents are split by a hash of their symbol: one in five is held out (`held_out`), never
looked at while fitting; the regularisation is chosen by 4-fold cross-validation over the
fitting questions (grouped by document). Reported on the held-out questions, per language, with
95 % bootstrap intervals: hit@1, hit@5 and MRR of the first stage alone and with the fitted
second stage.

    python -m reso.evals.fit_ranker --data-dir DIR [--questions N] [--out assistant/data/ranker-e5.json] [--json]

The index in DIR must have been written with the dense model whose family the model is for.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reso.assistant import ranker as second_stage
from reso.assistant.answer_types import gives
from reso.assistant.question import Question
from reso.index.analysis import fold, is_content, tokens
from reso.index.lexical import symbol_numbers
from reso.index.model import normalise_pid

BODIES = {
    "en": {"HRC": "the Human Rights Council", "GA": "the General Assembly", "SC": "the Security Council"},
    "fr": {"HRC": "le Conseil des droits de l'homme", "GA": "l'Assemblée générale", "SC": "le Conseil de sécurité"},
    "es": {"HRC": "el Consejo de Derechos Humanos", "GA": "la Asamblea General", "SC": "el Consejo de Seguridad"},
    "ru": {"HRC": "Совет по правам человека", "GA": "Генеральная Ассамблея", "SC": "Совет Безопасности"},
    "ar": {"HRC": "مجلس حقوق الإنسان", "GA": "الجمعية العامة", "SC": "مجلس الأمن"},
    "zh": {"HRC": "人权理事会", "GA": "大会", "SC": "安全理事会"},
}
# {b}: the body, {v}: the paragraph's opening word, {w}: the words kept; frames without {v} too
FRAMES = {
    "en": ("What does {b} {v} about {w}?", "What does the resolution say on {w}?", "Which paragraph {v} {w}?",
           "{w}: what did {b} {v}?"),
    "fr": ("Que {v} {b} concernant {w} ?", "Que dit la résolution sur {w} ?", "Quel paragraphe {v} {w} ?",
           "{w} : qu'est-ce que {b} {v} ?"),
    "es": ("¿Qué {v} {b} sobre {w}?", "¿Qué dice la resolución sobre {w}?", "¿Qué párrafo {v} {w}?"),
    "ru": ("Что {v} {b} в отношении {w}?", "Что говорится в резолюции о {w}?", "Какой пункт {v} {w}?"),
    "ar": ("ماذا {v} {b} بشأن {w}؟", "ماذا يقول القرار عن {w}؟", "أي فقرة {v} {w}؟"),
    "zh": ("{b}就{w}{v}什么？", "决议关于{w}说了什么？", "哪一段{v}{w}？"),
}
# questions asking for a kind of answer the paragraph gives (`assistant.answer_types`): {w} the words kept
ASKING = {
    "en": {"date": "When does {b} {v} {w}?", "duration": "Until when {w}?", "quantity": "How many {w}?",
           "session": "At which session {w}?"},
    "fr": {"date": "Quand {b} {v}-il {w} ?", "duration": "Jusqu'à quand {w} ?", "quantity": "Combien de {w} ?",
           "session": "À quelle session {w} ?"},
    "es": {"date": "¿Cuándo {v} {b} {w}?", "duration": "¿Hasta cuándo {w}?", "quantity": "¿Cuántos {w}?",
           "session": "¿En qué período de sesiones {w}?"},
    "ru": {"date": "Когда {b} {v} {w}?", "duration": "До какого срока {w}?", "quantity": "Сколько {w}?",
           "session": "На какой сессии {w}?"},
    "ar": {"date": "متى {v} {b} {w}؟", "duration": "إلى متى {w}؟", "quantity": "كم {w}؟", "session": "في أي دورة {w}؟"},
    "zh": {"date": "{b}何时{v}{w}？", "duration": "{w}到什么时候？", "quantity": "{w}多少？", "session": "{w}在哪届会议？"},
}
CROSSLINGUAL_SHARE = 0.3  # of paragraphs whose document lacks a language of the index: asked in that one
OPERATIVE_SHARE = 0.8  # questions are mostly about what a resolution decides or asks, less about its preamble
NAMED = {"en": "in resolution {n}", "fr": "dans la résolution {n}", "es": "en la resolución {n}",
         "ru": "в резолюции {n}", "ar": "في القرار {n}", "zh": "第{n}号决议中"}
# the year the text was adopted, as questions write it ("adopted in March 2011": the year is what the
# second stage's `year` feature reads); or, as often, a year the paragraph itself sets ("until 2026")
YEARS = {"en": ("in {y}", "adopted in {y}"), "fr": ("en {y}", "adoptée en {y}"), "es": ("en {y}", "aprobada en {y}"),
         "ru": ("в {y} году", "принятой в {y} году"), "ar": ("في عام {y}", "المعتمد في عام {y}"), "zh": ("{y}年",)}
YEAR_SHARE = 0.3  # of questions naming no resolution: real questions often date the text they ask about
TEXT_YEAR_SHARE = 0.3  # of the others whose paragraph writes a year: that year instead
_TEXT_YEAR = re.compile(r"(?<!\d)(19[4-9]\d|20[0-4]\d)(?!\d)")
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
_HAN = re.compile(r"[\u4e00-\u9fff]{2,}")


def held_out(document_key: str) -> bool:
    """One document in five, by a hash of its symbol: stable across runs and machines."""
    return hashlib.sha256(f"ranker:{document_key}".encode()).digest()[0] % 5 == 0


def fold_of(document_key: str, folds: int = 4) -> int:
    return hashlib.sha256(f"fold:{document_key}".encode()).digest()[0] % folds


@dataclass(frozen=True)
class Made:
    text: str
    language: str
    gold: tuple[str, str]  # (document key, paragraph id)
    held_out: bool
    crosslingual: bool = False


def _content_words(text: str, language: str) -> list[str]:
    return [w for w in _WORD.findall(text) if len(w) > 2 and is_content(fold(w))]


def _han_spans(text: str, rng: random.Random, n: int) -> list[str]:
    runs = _HAN.findall(text)
    spans = []
    for _ in range(n * 3):
        if not runs or len(spans) >= n:
            break
        run = rng.choice(runs)
        size = rng.randint(2, min(4, len(run)))
        start = rng.randint(0, len(run) - size)
        span = run[start : start + size]
        if span not in spans:
            spans.append(span)
    return spans


def _translated(words: list[str], source: str, target: str, lexicon, rng: random.Random) -> list[str]:
    """Each word's likeliest translation by the bilingual lexicon (a stem: the question is analysed anyway)."""
    out = []
    for w in words:
        options = lexicon.translate(tokens(w, source), source, target)
        if options:
            best = sorted(options.items(), key=lambda kv: -kv[1])[:2]
            out.append(rng.choice(best)[0] if len(best) > 1 and rng.random() < 0.3 else best[0][0])
    return out


def make_questions(chunks, doc_keys, n: int, seed: int = 0, lexicon=None) -> list[Made]:
    """`n` questions from the index's paragraphs (a seeded sample), about the same number a language.

    With a `lexicon`, some questions are asked in a language the paragraph's document lacks, its
    words translated by the lexicon: questions about a text published in another language."""
    rng = random.Random(seed)
    doc_languages: dict[str, set[str]] = defaultdict(set)
    by_text: dict[str, set[str]] = defaultdict(set)
    for c, key in zip(chunks, doc_keys):
        doc_languages[key].add(c.language)
        by_text[fold(c.text[:300])].add(key)
    indexed_languages = sorted({c.language for c in chunks} & set(FRAMES))
    recurring = {text for text, keys in by_text.items() if len(keys) > 1}  # renewals repeat whole paragraphs
    by_language: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    same_document: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, c in enumerate(chunks):
        if c.language in FRAMES and len(c.text) >= 60 and fold(c.text[:300]) not in recurring:
            by_language[c.language][c.kind].append(i)
        same_document[(doc_keys[i], c.language)].append(i)
    out: list[Made] = []
    per_language = max(1, n // max(1, len(by_language)))
    for lang, by_kind in sorted(by_language.items()):
        everything = [i for rows in by_kind.values() for i in rows]
        operative, preambular = by_kind.get("operative", []), by_kind.get("preambular", [])
        for _ in range(per_language):
            pool = operative if operative and (rng.random() < OPERATIVE_SHARE or not preambular) else (preambular or everything)
            i = rng.choice(pool)
            c = chunks[i]
            text = c.text
            neighbours = same_document[(doc_keys[i], lang)]
            if lang == "zh":
                verb = text[:2] if _HAN.match(text[:2]) else ""
                words = _han_spans(text[2:], rng, rng.randint(1, 3))
                if rng.random() < 0.4:
                    words += _han_spans(chunks[rng.choice(everything)].text, rng, 1)
                if rng.random() < 0.5:  # a word of the same document: its subject, not this paragraph's words
                    words.insert(0, (_han_spans(c.title, rng, 1) or _han_spans(chunks[rng.choice(neighbours)].text, rng, 1) or [""])[0])
                joined = "".join(words)
            else:
                ws = _content_words(text, lang)
                if len(ws) < 3:
                    continue
                verb, rest = ws[0].lower(), ws[1:]
                k = min(len(rest), rng.randint(2, 6))
                keep = sorted(rng.sample(range(len(rest)), k))
                words = [rest[j] for j in keep]
                if rng.random() < 0.4:
                    extra = _content_words(chunks[rng.choice(everything)].text, lang)
                    if extra:
                        words.insert(rng.randint(0, len(words)), rng.choice(extra))
                if rng.random() < 0.5:
                    subject = _content_words(c.title, lang) or _content_words(chunks[rng.choice(neighbours)].text, lang)
                    if subject:
                        words.insert(0, rng.choice(subject))
                joined = " ".join(words)
            if not joined:
                continue
            asked = lang
            lacking = [x for x in indexed_languages if x not in doc_languages[doc_keys[i]]]
            if lexicon is not None and lacking and lang != "zh" and rng.random() < CROSSLINGUAL_SHARE:
                asked = rng.choice(lacking)
                words = _translated(words, lang, asked, lexicon, rng)
                verb = (_translated([verb], lang, asked, lexicon, rng) or [""])[0] if verb else ""
                joined = ("" if asked == "zh" else " ").join(words)
                if len(words) < 2:
                    continue
            body = BODIES[asked].get(c.body, BODIES[asked]["GA"])
            kinds = [k for k in ASKING[asked] if gives(k, text)]
            frames = FRAMES[asked]
            if kinds and rng.random() < 0.5:
                frame = ASKING[asked][rng.choice(kinds)]
            else:
                frame = frames[0] if rng.random() < 0.5 else rng.choice(frames)
            if "{v}" in frame and (not verb or rng.random() < 0.2):
                frame = frame.replace("{v}", "") if frame not in frames else frames[1]
            q = re.sub(r"\s{2,}", " ", frame.format(b=body, v=verb, w=joined))
            numbers = symbol_numbers(c.document)
            if numbers and rng.random() < 0.25:
                named = NAMED[asked].format(n=numbers[0])
                q = f"{named}{q}" if asked == "zh" else f"{q[:-1].rstrip()} {named}{q[-1]}"
            elif c.date and rng.random() < YEAR_SHARE:
                in_text = _TEXT_YEAR.findall(text)
                year = rng.choice(in_text) if in_text and rng.random() < TEXT_YEAR_SHARE else c.date[:4]
                dated = rng.choice(YEARS[asked]).format(y=year)
                q = f"{dated}{q}" if asked == "zh" else f"{q[:-1].rstrip()} {dated}{q[-1]}"
            key = (doc_keys[i], normalise_pid(c.paragraph))
            out.append(Made(q, asked, key, held_out(key[0]), asked != lang))
    rng.shuffle(out)
    return out


@dataclass
class Group:
    made: Made
    x: np.ndarray  # candidate features (rows: candidates)
    y: np.ndarray  # 1 at the gold candidate
    first_rank: int  # the gold's rank in the first stage's order (0-based; -1: not found)


def collect(retriever, questions: list[Made], progress: bool = True) -> list[Group]:
    groups = []
    t0 = time.monotonic()
    for i, m in enumerate(questions):
        question = Question.of(m.text, m.language)
        first = retriever.first_stage(question, 10)
        if first is None:
            continue
        order = [key for key, _ in first.ranked]
        first_rank = order.index(m.gold) if m.gold in order else -1
        cands = retriever.candidates(first, question)
        x = second_stage.features(first.tables, question, cands, retriever.terms_for(question),
                                  first.tables.lexical.idf)
        y = np.array([1.0 if c.key == m.gold else 0.0 for c in cands])
        groups.append(Group(m, x, y, first_rank))
        if progress and (i + 1) % 250 == 0:
            print(f"  {i + 1}/{len(questions)} questions, {time.monotonic() - t0:.0f} s", file=sys.stderr)
    return groups


def ranks(groups: list[Group], model: second_stage.RankerModel | None) -> list[int]:
    """The gold's 0-based rank per question (a large number when it is not among the candidates)."""
    out = []
    for g in groups:
        if model is None or not g.y.any():  # the first stage's order (gold not among the candidates: no reorder finds it)
            out.append(g.first_rank if g.first_rank >= 0 else 10**6)
            continue
        z = model.score(g.x)  # g.x holds the model's columns, in its order
        gold = float(z[g.y.argmax()])
        out.append(int((z > gold).sum()))
    return out


def summary(rank_list: list[int], seed: int = 0) -> dict:
    r = np.array(rank_list)
    if not len(r):
        return {"n": 0}
    stats = {"hit@1": (r < 1), "hit@5": (r < 5), "mrr": np.where(r < 10**6, 1.0 / (r + 1), 0.0)}
    rng = np.random.default_rng(seed)
    out: dict = {"n": int(len(r))}
    for name, v in stats.items():
        v = v.astype(float)
        boots = [v[rng.integers(0, len(v), len(v))].mean() for _ in range(1000)]
        out[name] = round(float(v.mean()), 3)
        out[f"{name}_ci95"] = [round(float(np.percentile(boots, 2.5)), 3), round(float(np.percentile(boots, 97.5)), 3)]
    return out


def fit_cv(groups: list[Group], l2s=(0.1, 1.0, 10.0, 100.0), folds: int = 4,
           names: tuple[str, ...] = second_stage.FEATURES) -> tuple[float, dict]:
    """The regularisation with the best mean cross-validated MRR (folds by document)."""
    usable = [g for g in groups if g.y.any()]
    scores = {}
    for l2 in l2s:
        mrrs = []
        for f in range(folds):
            train = [(g.x, g.y) for g in usable if fold_of(g.made.gold[0], folds) != f]
            test = [g for g in groups if fold_of(g.made.gold[0], folds) == f]
            model = second_stage.fit(train, l2=l2, names=names)
            r = np.array(ranks(test, model))
            mrrs.append(float(np.where(r < 10**6, 1.0 / (r + 1), 0.0).mean()))
        scores[l2] = round(float(np.mean(mrrs)), 4)
    return max(scores, key=scores.get), scores


def main(argv: list[str] | None = None) -> int:
    from reso.assistant.retrieval import HybridRetriever
    from reso.assistant.factory import open_library
    from reso.index.tables import tables_dir
    from reso.settings import Settings

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--embedder", default="default", help="as RESO_EMBEDDER (default: the index's own recipe)")
    ap.add_argument("--questions", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, help="write the fitted model here (JSON)")
    ap.add_argument("--without", action="append", default=[], metavar="FEATURE",
                    help="fit without this feature (repeatable): to measure what each one brings")
    ap.add_argument("--json", action="store_true", help="print the report as one JSON object")
    args = ap.parse_args(argv)

    settings = Settings(data_dir=args.data_dir, embedder=args.embedder)
    library = open_library(settings)
    retriever = HybridRetriever(library, "hybrid", cache_dir=tables_dir(settings.data_dir), ranker="off")
    record = library.store.model_record() or {}
    t = retriever.tables
    print(f"index: {len(t.chunks)} paragraphs, embedder {record.get('embedder')}", file=sys.stderr)
    made = make_questions(t.chunks, list(t.doc_keys), args.questions, args.seed, retriever.lexicon)
    t0 = time.monotonic()
    groups = collect(retriever, made)
    collect_s = time.monotonic() - t0
    names = tuple(f for f in second_stage.FEATURES if f not in args.without)
    columns = [second_stage.FEATURES.index(f) for f in names]
    for g in groups:
        g.x = g.x[:, columns]
    fit_groups = [g for g in groups if not g.made.held_out]
    test_groups = [g for g in groups if g.made.held_out]
    l2, cv = fit_cv(fit_groups, names=names)
    model = second_stage.fit([(g.x, g.y) for g in fit_groups if g.y.any()], l2=l2, names=names)
    report: dict = {
        "index": {"paragraphs": len(t.chunks), "embedder": record.get("embedder")},
        "questions": {"made": len(made), "fit": len(fit_groups), "held_out": len(test_groups),
                      "held_out_documents": len({g.made.gold[0] for g in test_groups}),
                      "crosslingual": sum(m.crosslingual for m in made),
                      "gold_among_candidates_fit": round(float(np.mean([g.y.any() for g in fit_groups])), 3)},
        "cv_mrr_by_l2": {str(k): v for k, v in cv.items()},
        "l2": l2,
        "weights": dict(zip(model.features, [round(float(w), 3) for w in model.weights])),
        "held_out": {},
        "seconds_collecting": round(collect_s, 1),
    }
    for lang in ["all", "crosslingual", *sorted({g.made.language for g in test_groups})]:
        sel = [g for g in test_groups
               if lang == "all" or g.made.language == lang or (lang == "crosslingual" and g.made.crosslingual)]
        report["held_out"][lang] = {"first_stage": summary(ranks(sel, None)), "reranked": summary(ranks(sel, model))}
    if args.out:
        model = second_stage.RankerModel(model.features, model.weights, model.mean, model.scale, meta={
            "fitted_on": "questions made from the index's own paragraphs (evals/fit_ranker.py)",
            "index": report["index"], "questions": report["questions"], "l2": l2, "seed": args.seed,
            "held_out": {k: {s: v[s]["mrr"] for s in v} for k, v in report["held_out"].items()},
        })
        model.save(args.out)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
