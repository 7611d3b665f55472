"""The learned reading of lineage kinds (assistant/lineage/kinds.py), asked when rows and cues read
nothing. Its weights are fitted by evals/fit_kinds.py; here: the shipped file loads and is the one
the reader uses, the model's arithmetic, and a small fit on real questions separating two kinds."""

from __future__ import annotations

import numpy as np
import pytest

from reso.assistant.lineage import kinds
from reso.assistant.lineage.questions import kind_of
from reso.assistant.question import Question
from reso.evals import fit_kinds


def test_the_shipped_model_loads_with_the_six_classes_and_a_fitted_threshold():
    model = kinds.shipped()
    assert model is not None, f"no lineage kind model at {kinds.DATA}"
    assert model.classes == fit_kinds.CLASSES
    assert 0.5 <= model.threshold <= 0.95
    assert len(model.weights) > 1000  # words, word pairs, cues of six languages
    round_trip = kinds.KindModel.from_json(model.to_json())
    q = Question.ask("Has anybody cited A/RES/ES-11/5 since it was adopted?", language="en")
    assert round_trip.probabilities(q) == pytest.approx(model.probabilities(q), abs=1e-4)


def test_features_are_stable_names_hashed_the_same_in_every_process():
    """crc32, not Python's salted hash: a model fitted in one process is read in another."""
    q = Question.ask("Quelles résolutions rappellent la 2334 (2016) ?", language="fr")
    names = kinds.feature_names(q)
    assert "named:1" in names and "cue:reference" in names and "w:fr:rappellent" in names
    assert kinds.features(q) == sorted({kinds._bucket(n) for n in names})
    assert kinds._bucket("named:1") == 15691  # crc32 of the name, masked to FEATURE_BITS
    assert all(0 <= f < 2**kinds.FEATURE_BITS for f in kinds.features(q))


def test_a_small_fit_on_real_questions_separates_two_kinds_and_the_threshold_holds_back():
    rows = [("cited_by", "en", f"Which later resolutions recall resolution {n} (2015)?") for n in range(2200, 2212)]
    rows += [("none", "en", f"What does resolution {n} (2015) request the Secretary-General to do?") for n in range(2200, 2212)]
    questions = fit_kinds._questions(rows)
    x, columns = fit_kinds._matrix(questions)
    y = np.array([fit_kinds.CLASSES.index(k) for k, _, _ in rows])
    w, b = fit_kinds.fit(x, y, l2=0.1, steps=200)
    inverse = {i: f for f, i in columns.items()}
    model = kinds.KindModel(fit_kinds.CLASSES, {inverse[i]: tuple(w[i]) for i in range(len(columns))}, tuple(b), 0.6)
    asked = Question.ask("Which later resolutions recall resolution 2300 (2016)?", language="en")
    other = Question.ask("What does resolution 2300 (2016) request the Secretary-General to do?", language="en")
    assert model.kind(asked) == "cited_by"
    assert model.kind(other) is None
    # a model that reads everything as a kind, asked through the reader: the document questions'
    # own ("what does the preamble recall") are never given to it
    eager = kinds.KindModel(fit_kinds.CLASSES, {}, (0.0, 0.0, 9.0, 0.0, 0.0, 0.0), 0.5)
    preamble = Question.ask("What does the preamble of resolution 2300 (2016) say about Syria?", language="en")
    assert eager.kind(preamble) == "cites"
    assert kind_of(preamble, model=eager) is None
