"""Words the texts use interchangeably for one act (`[synonyms]` of the language tables): the UN
"proroge" a mandate where a reader writes "prolonge", "extends" it where another writes "renews".
A question's word finds the texts' own at a translation's weight, and counts as present for the
refusal check."""

from __future__ import annotations

import pytest

from reso.assistant.core import Assistant
from reso.assistant.generators.extractive import ExtractiveGenerator
from reso.assistant.question import Question
from reso.index.analysis import similar_words
from tests.conftest import SHARED, cited, hash_retriever, require_shared

UNIFIL_FR = SHARED / "corpus" / "unxml-sc" / "2023" / "French" / "S_RES_2695-2316869F.xml"
PRIVACY_FR = SHARED / "corpus" / "unxml-hrc" / "55session" / "French" / "A_HRC_RES_55_3F.xml"


@pytest.mark.parametrize("word, languages, expected", [
    ("prolongee", ("fr",), "proroger"),
    ("prolonger", ("fr",), "reconduire"),
    ("renewed", ("en",), "extend"),
    ("prolongo", ("es",), "prorrogar"),
    ("renewable", ("en",), None),
    ("продлила", ("ru",), "продлить"),
    ("prolongee", ("en",), None),  # each language's words in its own table
    # the UN writes British English: a reader's American spelling finds the texts' own
    ("labor", ("en",), "labour"),
    ("defense", ("en",), "defence"),
    ("programs", ("en",), "programmes"),
])
def test_a_word_finds_the_texts_own_word_for_the_act(word, languages, expected):
    if expected is None:  # a word of another meaning sharing a stem with one of them: nothing
        assert similar_words(word, languages) == ()
    else:
        assert expected in similar_words(word, languages)


def test_words_without_a_group_and_languages_without_a_table_have_none():
    assert similar_words("mandat", ("fr",)) == ()
    assert similar_words("prolonge", ("de",)) == ()  # no table, no groups
    assert "prolonge" not in similar_words("prolonge", ("fr",))  # never the word itself


def test_the_question_carries_the_stems_it_does_not_have_already():
    q = Question.ask("Quelle résolution a prolongé le mandat de la FINUL ?", [], None, "fr")
    assert "prorog" in q.similar_stems and "prolong" not in q.similar_stems and "prolong" in q.stems


def test_a_mandate_prorogued_is_found_and_cited_for_a_question_saying_prolonged(tmp_path, monkeypatch):
    """S/RES/2695 "Décide de proroger jusqu'au 31 août 2024 le mandat actuel de la FINUL", asked
    with the reader's verb: the paragraph scores higher lexically than without the tables'
    synonyms, and the answer cites it rather than declining for lacking "prolonger"."""
    require_shared(UNIFIL_FR, PRIVACY_FR)
    retriever = hash_retriever(tmp_path / "index", [UNIFIL_FR, PRIVACY_FR])
    question = Question.ask("Jusqu'à quand le mandat de la FINUL a-t-il été prolongé ?", [], None, "fr")
    t = retriever.tables
    row = next(i for i, c in enumerate(t.chunks) if c.document == "S/RES/2695 (2023)" and c.paragraph == "OP1")
    with_synonyms = retriever.lexical_scores(t, question)[row]
    monkeypatch.setattr(Question, "similar_stems", ())  # a fresh question, the tables' synonyms left out
    without = retriever.lexical_scores(t, Question.ask(question.text, [], None, "fr"))[row]
    assert with_synonyms > without
    monkeypatch.undo()

    only_unifil = hash_retriever(tmp_path / "unifil", [UNIFIL_FR])
    answer = Assistant(only_unifil, ExtractiveGenerator()).answer(question.text)
    assert not answer.refused and ("S/RES/2695 (2023)", "OP1") in cited(answer)


def test_the_texts_word_counts_as_present_for_the_refusal_check(tmp_path):
    """Without the tables, "prolongé" is a question word no retrieved paragraph holds, and its
    weight (a word the index never saw is rare) pulls the coverage under the refusal line."""
    from reso.assistant.refusal import RefusalPolicy

    require_shared(UNIFIL_FR)
    retriever = hash_retriever(tmp_path / "index", [UNIFIL_FR])
    policy = RefusalPolicy(index=retriever.lexical)
    question = Question.ask("La FINUL a-t-elle été prolongée ?", [], None, "fr")
    retrieved = [r for r in retriever.retrieve(question, k=40) if r.chunk.paragraph == "OP1"]  # "Décide de proroger…"
    assert retrieved and policy.coverage(question, retrieved) == 1.0
    assert policy.coverage(Question.ask("La FINUL a-t-elle été rebaptisée ?", [], None, "fr"), retrieved) < 0.6


@pytest.mark.parametrize("question, spelt_out", [
    ("What does the HRC decide about the Special Rapporteur on toxics?", "hazardous substances and wastes"),
    ("What does the Council say about DDR in the Central African Republic?", "disarmament, demobilization and reintegration"),
    ("Which resolution renewed the Independent Expert on SOGI?", "sexual orientation and gender identity"),
])
def test_the_short_names_readers_use_are_spelt_out_as_the_texts_print_them(question, spelt_out):
    """The texts never print "toxics" or "SOGI": the Special Rapporteur's mandate is on "hazardous
    substances and wastes" (A/HRC/RES/54/10), the Independent Expert's on "sexual orientation and
    gender identity"."""
    assert spelt_out in Question.ask(question, [], None, None).search_text


@pytest.mark.parametrize("question, spelt_out", [
    ("حتى متى مدد مجلس الأمن ولاية اليونيفيل؟", "قوة الأمم المتحدة المؤقتة في لبنان"),
    ("ما الذي طلبه المجلس من الأونروا؟", "UNRWA"),
    ("ما هي ولاية المينوسما؟", "MINUSMA"),
])
def test_the_names_arabic_readers_give_the_missions_are_spelt_out_as_the_texts_print_them(question, spelt_out):
    """The press writes "اليونيفيل"; the Arabic texts print "قوة الأمم المتحدة المؤقتة في لبنان" and the
    English-only ones "UNIFIL": the question carries both."""
    assert spelt_out in Question.ask(question, [], None, None).search_text


def test_a_mission_named_as_arabic_readers_name_it_is_found_in_its_arabic_text(tmp_path):
    """S/RES/2695 (2023) in Arabic extends "ولاية قوة الأمم المتحدة المؤقتة في لبنان"; the question
    says "اليونيفيل", which no paragraph prints: answered from OP1, not declined."""
    unifil = SHARED / "corpus-large" / "unxml-sc" / "2023" / "Arabic" / "S_RES_2695-2316869A.xml"
    other = SHARED / "corpus-large" / "unxml-sc" / "2023" / "Arabic" / "S_RES_2692-2313856A.xml"
    require_shared(unifil, other)
    retriever = hash_retriever(tmp_path / "index", [unifil, other])
    answer = Assistant(retriever, ExtractiveGenerator()).answer("حتى متى مدد مجلس الأمن ولاية اليونيفيل؟")
    assert not answer.refused and ("S/RES/2695 (2023)", "OP1") in cited(answer)


def test_an_american_spelling_finds_and_cites_the_paragraph_printed_in_british_english(tmp_path, fixtures_dir):
    """S/RES/2713 (2023), annex: "Surface to air missiles, including Man-Portable Air-Defence Systems
    (MANPADS)"; asked as an American writes it, the paragraph is cited, not declined for a name
    ("Air-Defense") no paragraph prints."""
    retriever = hash_retriever(tmp_path / "index", [fixtures_dir / "akn" / "S_RES_2713-2323995E.xml"])
    answer = Assistant(retriever, ExtractiveGenerator()).answer(
        "What does the Council say about Man-Portable Air-Defense Systems?")
    assert not answer.refused
    assert any("Man-Portable Air-Defence Systems" in c.text for c in answer.citations[:1]), answer.answer
