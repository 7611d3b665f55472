"""A question that names one body is not answered from another body's text (issue 14: honest refusals).

"Which convention on the rights of older persons did the General Assembly adopt, and when?" found the
Human Rights Council's text on older persons (A/HRC/RES/54/13) and answered from its preamble: the
words fit, the author does not. Of the 164 answerable questions of the development and own sets that
name a body and no resolution, 160 name one, always their text's; so a question naming one body and
answered only from another's texts is declined. A question naming a resolution is answered from that
resolution, whatever body it names.

Real texts of ../shared/corpus: A/HRC/RES/54/13 in English and French.
"""

from __future__ import annotations

import pytest

from reso.assistant.question import Question
from reso.assistant.refusal import RefusalPolicy
from tests.conftest import hash_retriever, hrc54_retriever


@pytest.fixture(scope="module")
def retriever(tmp_path_factory, shared_corpus):
    return hrc54_retriever(tmp_path_factory.mktemp("other-body-index"), shared_corpus, 13)


def decide(retriever, text: str):
    question = Question.of(text)
    return question, RefusalPolicy(index=retriever.lexical).decide(question, retriever.retrieve(question))


@pytest.mark.parametrize("text", [
    "Which convention on the rights of older persons did the General Assembly adopt, and when?",
    "Quelle convention sur les droits des personnes âgées l'Assemblée générale a-t-elle adoptée ?",
])
def test_a_question_on_the_assembly_is_not_answered_from_the_council(retriever, text):
    question, decision = decide(retriever, text)
    assert question.bodies == ("GA",)
    assert not decision.answerable and decision.reason == "the texts found are not the GA's"


@pytest.mark.parametrize("text", [
    "What does the Human Rights Council say about the rights of older persons?",
    "What do the texts say about the rights of older persons?",  # no body named
    "What did the General Assembly ask the Human Rights Council about older persons?",  # two bodies
    "What does General Assembly resolution 54/13 say about the rights of older persons?",  # a resolution named
])
def test_the_body_check_stands_aside(retriever, text):
    question = Question.of(text)
    sources = retriever.retrieve(question)
    assert sources and sources[0].chunk.body == "HRC"
    assert RefusalPolicy(index=retriever.lexical).other_body(question, sources[:1]) == ""


def test_a_paragraph_naming_the_body_answers_a_question_about_it(tmp_path_factory, shared_corpus):
    """The Assembly's A/RES/78/186 "takes note of the report of the Human Rights Council": asked
    about that report, the question names the Council, and the Assembly's text answers it."""
    files = sorted((shared_corpus / "unxml-ga").rglob("A_RES_78_186*.xml"))
    assert files, "A/RES/78/186 in ../shared/corpus"
    retriever = hash_retriever(tmp_path_factory.mktemp("ga-index"), files[:2])
    question = Question.of("What was decided about the report of the Human Rights Council?")
    sources = [r for r in retriever.retrieve(question) if r.chunk.paragraph == "OP1"][:1]
    assert question.bodies == ("HRC",) and sources and sources[0].chunk.body == "GA"
    assert RefusalPolicy(index=retriever.lexical).other_body(question, sources) == ""
