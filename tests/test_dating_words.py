"""The words that date a text, and the abbreviations a question spells out, in the refusal's coverage.

"What did the HRC decide in October 2023 about the Special Rapporteur on the Russian Federation?"
is answered by A/HRC/RES/54/23 OP4, adopted on 12 October 2023. Its paragraphs never write
"October" or "2023": the date is in the text's record. Counted as missing words, with "HRC" (an
abbreviation the question spells out, which no paragraph writes either), they sank the coverage
below its threshold whenever the other best paragraphs changed (corpus-dev corpus-129). Now a year
and the month names written with it are held by a text adopted then, and a spelt-out abbreviation
is covered by its expansion's words.

Real texts of ../shared/corpus: A/HRC/RES/54/23 in English and French.
"""

from __future__ import annotations

import pytest

from reso.assistant.question import Question
from reso.assistant.refusal import RefusalPolicy
from tests.conftest import hrc54_retriever


@pytest.mark.parametrize("text, words", [
    ("What did the HRC decide in October 2023?", {"october", "2023"}),
    ("Qu'a décidé le Conseil fin octobre 2021 ?", {"octobre", "2021"}),
    ("В декабре 2006 года Совет утвердил процедуру", {"декабре", "2006"}),
    ("في تشرين الأول/أكتوبر 2005، بماذا ألزم مجلس الأمن سوريا", {"الاول/اكتوبر", "2005"}),
    ("2012年4月，安理会授权了什么？", {"2012", "年", "4", "月"}),
    ("Until 31 October 2024?", {"2024"}),  # a date the text sets: its year only
    ("What does resolution 2699 (2023) decide?", {"2023"}),  # a symbol's year: its text's year too
])
def test_the_words_that_date_the_text_asked_about(text, words):
    assert Question.ask(text).dating_words == words


def test_an_abbreviation_spelt_out():
    question = Question.ask("What did the HRC decide?")
    assert question.expanded == {"hrc"} and "human" in question.words
    assert Question.ask("What did the Human Rights Council decide?").expanded == frozenset()


@pytest.fixture(scope="module")
def retriever(tmp_path_factory, shared_corpus):
    return hrc54_retriever(tmp_path_factory.mktemp("dating-index"), shared_corpus, 23)


def op4(retriever, question: Question):
    found = [r for r in retriever.retrieve(question, k=60) if r.chunk.paragraph == "OP4"]
    assert found and found[0].chunk.date == "2023-10-12"
    return found[:1]


def test_a_text_adopted_then_holds_the_dating_words(retriever):
    policy = RefusalPolicy(index=retriever.lexical)
    asked = "What did the HRC decide in {} about the Special Rapporteur on the Russian Federation: for how long?"
    then, other_month, other_year = (Question.ask(asked.format(d)) for d in ("October 2023", "March 2023", "October 2019"))
    sources = op4(retriever, then)
    covered = policy.coverage(then, sources)
    assert covered > policy.coverage(other_month, sources) > policy.coverage(other_year, sources)
    assert policy.decide(then, sources).answerable
