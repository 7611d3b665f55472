"""A name the question gives that the texts found never mention (issue 14, item 3; issue 17's
unanswerable lineage questions): "the previous renewal of the United Nations Support Mission in
Gabon" is no question about the Support Mission in Libya, though the words around the name all
fit S/RES/2702 (2023). The index knows Gabon (S/RES/2700 (2023) PP12 names the Haiti committee's
Chair, an ambassador of Gabon), so it is no unknown name; the answer declines because no paragraph
of the document it would cite holds it.

Real texts of ../shared/corpus: S/RES/2702 (2023) (UNSMIL's renewal) and S/RES/2700 (2023), in
English and French.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reso.assistant.core import Assistant
from reso.assistant.generators.extractive import ExtractiveGenerator
from reso.assistant.question import Question
from reso.assistant.refusal import RefusalPolicy
from tests.conftest import hash_retriever

S2702 = "S/RES/2702 (2023)"


@pytest.fixture(scope="module")
def retriever(tmp_path_factory, shared_corpus):
    files = sorted((shared_corpus / "unxml-sc" / "2023").glob("*/S_RES_2702-*.xml"))
    files += sorted((shared_corpus / "unxml-sc" / "2023").glob("*/S_RES_2700_?.xml"))
    assert len(files) == 4, files
    return hash_retriever(tmp_path_factory.mktemp("absent-names-index"), files)


@pytest.fixture(scope="module")
def assistant(retriever) -> Assistant:
    return Assistant(retriever, ExtractiveGenerator(), RefusalPolicy(index=retriever.lexical))


def decision(retriever, question: str):
    q = Question.of(question)
    return RefusalPolicy(index=retriever.lexical).decide(q, retriever.retrieve(q))


@pytest.mark.parametrize("question", [
    "Which resolution extended the mandate of the United Nations Support Mission in Gabon?",
    "Quelle résolution a prorogé le mandat de la Mission d’appui des Nations Unies au Gabon ?",
])
def test_a_mission_in_a_country_no_text_found_names_is_declined(retriever, assistant, question):
    d = decision(retriever, question)
    assert not d.answerable
    assert "Gabon" in d.reason and "not in the texts found" in d.reason
    answer = assistant.answer(question)
    assert answer.refused and not answer.citations


@pytest.mark.parametrize("question", [
    "Which resolution extended the mandate of the United Nations Support Mission in Libya?",
    "Quelle résolution a prorogé le mandat de la Mission d’appui des Nations Unies en Libye ?",
])
def test_the_same_question_on_the_mission_the_texts_hold_is_answered(retriever, assistant, question):
    answer = assistant.answer(question)
    assert not answer.refused
    assert {c.document for c in answer.citations} == {S2702}


def test_a_month_is_no_subject_to_check_and_a_name_the_document_holds_anywhere_is_held(retriever):
    """No paragraph of 2702 says "February": a month is a date, not what a text is about. "Libya" is
    held by the document though the paragraph cited might not print it: any paragraph of the
    document, in any of its language versions, holds a name for it."""
    policy = RefusalPolicy(index=retriever.lexical)
    q = Question.of("What did the Council decide in February on the Support Mission in Libya, and on Gabon?")
    top = [r for r in retriever.retrieve(q) if r.chunk.document == S2702][:1]
    assert top
    assert policy.absent_names(q, top) == ["Gabon"]
