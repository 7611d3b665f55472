"""Arabic attaches prepositions, conjunctions and pronouns to the word (issue 17): "لمجلس حقوق
الإنسان" (of the Human Rights Council), "فما القرار" (so which resolution), "قبله" (before it). The
lineage reader's patterns matched the bare words only: the body of "ما أقدم قرار لمجلس حقوق الإنسان
يتناوله؟" was not read (its words became the topic), nor "before it" in a series question."""

from __future__ import annotations

import pytest

from reso.assistant.lineage.questions import _earliest_topic, kind_of
from reso.assistant.question import Question


@pytest.mark.parametrize("question, bodies", [
    ("ما أقدم قرار لمجلس حقوق الإنسان يتناول عمل الأطفال؟", ("HRC",)),
    ("متى أشار مجلس حقوق الإنسان لأول مرة إلى عمل الأطفال؟", ("HRC",)),
    ("ما أول قرار لمجلس الأمن ذكر القرصنة؟", ("SC",)),
    ("ما أقدم قرار للجمعية العامة يذكر القرصنة؟", ("GA",)),
])
def test_a_body_is_read_with_its_attached_preposition(question, bodies):
    assert Question.of(question).bodies == bodies


def test_a_topic_before_a_colon_is_not_the_body_s_name():
    q = Question.of("فقر الأطفال: ما أقدم قرار لمجلس حقوق الإنسان يتناوله؟")
    assert kind_of(q) == "earliest"
    assert _earliest_topic(q) == "فقر الاطفال"


def test_before_it_with_its_pronoun_asks_for_the_previous_text():
    q = Question.of("القرار 2213 (2015) مدّد ولاية بعثة الأمم المتحدة للدعم في ليبيا؛ فما القرار الذي كان قد مدّدها قبله مباشرة؟")
    assert kind_of(q) == "series"
