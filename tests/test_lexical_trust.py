"""The first stage's lexical part weighs by how much of the question's words its best paragraph holds.

The lexical score is min-max normalised over the candidates: the best lexical paragraph stands at
1.0 whether it holds the question's words or two common ones of them. `_lexical_trust` scales that
part down when even the best BM25 score is a small share of what the question's words could score
(`HybridWeights.lexical_evidence`), so that the dense model's nearest can outrank it. Real texts:
the French seed (A/HRC/RES/30/25) and S/RES/2699 (2023) in English and French.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from reso.assistant.question import Question
from reso.assistant.retrieval import HybridRetriever, HybridWeights
from reso.index.library import Library

from conftest import hash_library

# S/RES/2699 PP2, word for word
QUOTING = "Reaffirming its strong commitment to the sovereignty, independence, territorial integrity and unity of Haiti"
# what the same texts say, in other words than theirs, and a word no text holds
OTHER_WORDS = "Does the Council back the island nation's self-rule and ask outsiders to keep their hands off?"


@pytest.fixture(scope="module")
def library(tmp_path_factory, seed_path, fixtures_dir) -> Library:
    akn = fixtures_dir / "akn"
    return hash_library(tmp_path_factory.mktemp("trust-index"),
                        [seed_path, akn / "S_RES_2699-2318982E.xml", akn / "S_RES_2699-2318982F.xml"])


def retriever(library: Library, **weights) -> HybridRetriever:
    # the priors off, so that the first stage's score is the mix alone
    weights = {"preambular": 1.0, "answer_type": 0.0, "body": 0.0, "year": 0.0, "month": 0.0, **weights}
    return HybridRetriever(library, "hybrid", weights=replace(HybridWeights(), **weights))


def trust(library: Library, text: str, **weights) -> float:
    r = retriever(library, **weights)
    question = Question.of(text)
    first = r.first_stage(question, 10)
    return r._lexical_trust(r.tables, question, first.lex, first.cand)


def test_a_question_quoting_its_paragraph_weighs_its_words_fully(library):
    assert trust(library, QUOTING) == 1.0


def test_a_question_in_other_words_weighs_them_less(library):
    weak = trust(library, OTHER_WORDS)
    assert 0.0 < weak < 1.0
    # in proportion to the share the best paragraph's score holds: twice the threshold, half the trust
    theta = HybridWeights().lexical_evidence
    assert trust(library, OTHER_WORDS, lexical_evidence=2 * theta) == pytest.approx(weak / 2)
    assert trust(library, OTHER_WORDS, lexical_evidence=0.0) == 1.0  # off


def test_the_mix_scales_the_lexical_part_alone(library):
    """Each candidate's score loses `lexical · (1 − trust) · its normalised lexical score`, nothing else."""
    question = Question.of(OTHER_WORDS)
    on, off = retriever(library), retriever(library, lexical_evidence=0.0)
    first_on, first_off = on.first_stage(question, 50), off.first_stage(question, 50)
    weak = on._lexical_trust(on.tables, question, first_on.lex, first_on.cand)
    scores_on, scores_off = dict(first_on.ranked), dict(first_off.ranked)
    shared = [k for k in scores_on if k in scores_off and scores_on[k][1] == scores_off[k][1]]
    assert len(shared) >= 10
    w = HybridWeights().lexical
    for key in shared:
        row = scores_on[key][1]
        lost = w * (1 - weak) * float(first_on.lex_n[row])
        assert scores_off[key][0] - scores_on[key][0] == pytest.approx(lost, abs=1e-5), key
    assert weak < 1.0 and any(first_on.lex_n[scores_on[k][1]] > 0 for k in shared)  # something was lost
