"""Count questions (issue 14, item 3): "how many X" is answered only by a paragraph giving a number of
X, not by any number of the topic's paragraph.

Real resolutions of ../shared/corpus: 54/10 in its six languages (the Council encouraged States to
implement "the 15 principles" on workers and toxic substances, PP9; the Special Rapporteur's mandate
extended "for a period of three years" and reporting "annually", OP2, no number of reports), 54/2
(the fact-finding mission for the Sudan "comprising three members", OP18; "more than 5 million
people" displaced, OP2, no number killed), 55/1 (the Commission on South Sudan "composed of three
members", OP15), 54/14 (98 States signed the Convention, PP6) and S/RES/2717 (2023) (MONUSCO's
"660 military observers and staff officers", OP30), in English and French.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reso.assistant.answer_types import counted_folded, counts
from reso.assistant.core import Assistant
from reso.assistant.generators.extractive import ExtractiveGenerator
from reso.assistant.models import Retrieved
from reso.assistant.question import Question
from reso.assistant.refusal import RefusalPolicy
from reso.assistant.retrieval import HybridRetriever
from tests.conftest import hash_retriever, paragraphs_of
from reso.index.analysis import fold, stem_variants

H10, H2, H1, H14, S2717 = "A/HRC/RES/54/10", "A/HRC/RES/54/2", "A/HRC/RES/55/1", "A/HRC/RES/54/14", "S/RES/2717 (2023)"


@pytest.fixture(scope="module")
def corpus_files(shared_corpus) -> list[Path]:
    hrc = shared_corpus / "unxml-hrc"
    files = list(hrc.glob("54session/*/A_HRC_RES_54_10?.xml")) + list(hrc.glob("54session/*/A_HRC_RES_54_2?.xml"))
    files += list(hrc.glob("55session/*/A_HRC_RES_55_1?.xml")) + list(hrc.glob("54session/*/A_HRC_RES_54_14?.xml"))
    files += list((shared_corpus / "unxml-sc" / "2023").glob("*/S_RES_2717-*.xml"))
    assert len(files) == 14, files  # 54/10 in six languages, the four others in English and French
    return files


@pytest.fixture(scope="module")
def retriever(tmp_path_factory, corpus_files) -> HybridRetriever:
    return hash_retriever(tmp_path_factory.mktemp("count-index"), corpus_files)


@pytest.fixture(scope="module")
def policy(retriever) -> RefusalPolicy:
    return RefusalPolicy(index=retriever.lexical)


@pytest.fixture(scope="module")
def assistant(retriever, policy) -> Assistant:
    return Assistant(retriever, ExtractiveGenerator(), policy)


@pytest.fixture(scope="module")
def paragraphs(retriever) -> dict[tuple[str, str], Retrieved]:
    """Every paragraph of the index with its language versions, as the refusal policy receives it."""
    return paragraphs_of(retriever)


def missing(policy, paragraphs, question: str, document: str, paragraph: str) -> str:
    q = Question.of(question)
    assert "quantity" in q.answer_types, question
    return policy.answer_type_missing(q, [paragraphs[(document, paragraph)]])


# -- the paragraph giving the count answers; the topic's paragraph with other numbers does not --------
@pytest.mark.parametrize(
    "question, document, paragraph",
    [
        ("How many principles on workers and toxic substances did the Council encourage States to implement?", H10, "PP9"),
        ("Combien de principes relatifs à la protection des travailleurs le Conseil a-t-il engagé les États à appliquer ?", H10, "PP9"),
        ("¿Cuántos principios sobre la protección de los trabajadores alentó el Consejo a aplicar?", H10, "PP9"),
        ("Сколько принципов защиты работников Совет рекомендовал соблюдать?", H10, "PP9"),
        ("理事会鼓励各国落实多少项关于保护工人的原则？", H10, "PP9"),
        ("كم عدد المبادئ المتعلقة بحماية العمال؟", H10, "PP9"),
        ("How many members will the fact-finding mission for the Sudan comprise?", H2, "OP18"),
        ("Combien de membres compte la Commission sur les droits de l'homme au Soudan du Sud ?", H1, "OP15"),
        ("Сколько членов входит в Комиссию по правам человека в Южном Судане?", H1, "OP15"),  # through the lexicon
        ("How many military observers may MONUSCO keep?", S2717, "OP30"),
        ("Combien d'États ont signé la Convention ?", H14, "PP6"),
    ],
)
def test_a_paragraph_giving_the_count_answers(policy, paragraphs, question, document, paragraph):
    assert missing(policy, paragraphs, question, document, paragraph) == ""


@pytest.mark.parametrize(
    "question, document, paragraph",
    [
        # OP2: "for a period of three years", "annually": numbers, but of years, not of reports
        ("How many reports has the Special Rapporteur on hazardous substances submitted to the General Assembly?", H10, "OP2"),
        ("¿Cuántos informes ha presentado el Relator Especial sobre las sustancias peligrosas?", H10, "OP2"),
        ("Сколько докладов представил Специальный докладчик по опасным веществам?", H10, "OP2"),
        ("特别报告员提交了多少份报告？", H10, "OP2"),
        ("كم عدد التقارير التي قدمها المقرر الخاص؟", H10, "OP2"),
        # OP2 of 54/2: "15 April 2023", "more than 5 million people" displaced: no number killed, no members
        ("Combien de membres compte la mission d'établissement des faits pour le Soudan ?", H2, "OP2"),
        ("How many members does the fact-finding mission for the Sudan have?", H2, "OP2"),
        # PP9 gives 15 principles and a resolution of 2019, not a number of States
        ("How many States implemented the principles on workers exposed to toxic substances?", H10, "PP9"),
    ],
)
def test_a_paragraph_with_other_numbers_does_not_answer(policy, paragraphs, question, document, paragraph):
    assert "quantity" in missing(policy, paragraphs, question, document, paragraph)


def test_the_old_rule_holds_without_a_counted_noun(policy, paragraphs):
    """"How much…" names nothing counted: any number that is not a date or a reference still answers."""
    q = Question.of("How much was displaced in the Sudan?")
    assert q.counted == ()
    assert policy.answer_type_missing(q, [paragraphs[(H2, "OP2")]]) == ""


# -- end to end: the assistant cites the count, or declines --------------------------------------------
@pytest.mark.parametrize(
    "question, expected",
    [
        ("How many military observers and staff officers may MONUSCO keep?", (S2717, "OP30")),
        ("Combien de membres compte la Commission sur les droits de l'homme au Soudan du Sud ?", (H1, "OP15")),
        # "¿Cuántos" opening the question is no unknown name
        ("¿Cuántos principios sobre los derechos humanos y la protección de los trabajadores alentó el Consejo a aplicar?", (H10, "PP9")),
        ("Сколько принципов защиты работников от воздействия токсичных веществ Совет рекомендовал соблюдать?", (H10, "PP9")),
        ("كم عدد المبادئ المتعلقة بحقوق الإنسان وحماية العمال من التعرض للمواد السامة؟", (H10, "PP9")),
    ],
)
def test_a_count_question_cites_the_paragraph_giving_it(assistant, question, expected):
    answer = assistant.answer(question)
    assert [(c.document, c.paragraph) for c in answer.citations] == [expected], answer.text


@pytest.mark.parametrize(
    "question",
    [
        # the topic's paragraph is OP2 ("for a period of three years"): it was cited before, in every language
        "How many reports has the Special Rapporteur on hazardous substances and wastes submitted to the General Assembly?",
        "Combien de rapports le Rapporteur spécial sur les produits et déchets dangereux a-t-il présentés à l'Assemblée générale ?",
        "Сколько докладов представил Специальный докладчик по опасным веществам и отходам Генеральной Ассамблее?",
        "特别报告员向大会提交了多少份报告？",
        "كم عدد التقارير التي قدمها المقرر الخاص المعني بالمواد والنفايات الخطرة إلى الجمعية العامة؟",
    ],
)
def test_a_count_question_on_the_topic_without_the_count_is_declined(assistant, retriever, policy, question):
    answer = assistant.answer(question)
    assert answer.citations == [], answer.text
    q = Question.of(question)
    assert "quantity" in policy.decide(q, retriever.retrieve(q)).reason


# -- the counted noun, read in six languages -------------------------------------------------------------
@pytest.mark.parametrize(
    "question, counted",
    [
        ("How many police advisers will BINUH include?", ("police", "advisers")),
        ("How many members will the mission comprise?", ("members",)),
        ("What is the number of States parties?", ("states", "parties")),
        ("Combien de membres compte la Commission ?", ("membres",)),
        ("Combien d'États ont ratifié la Convention ?", ("etats",)),
        ("¿Cuántas personas murieron en el ataque?", ("personas",)),
        ("Сколько членов входит в группу?", ("членов",)),
        ("Какое количество экспертов входит в группу?", ("экспертов",)),
        ("专家小组有多少名成员？", ("成员",)),
        ("霍尔营地目前收容了多少人？", ("人",)),
        ("理事会鼓励各国落实多少项关于人权与保护工人免于接触有毒物质的原则？", ("原则",)),
        ("成员的数量是多少？", ("成员",)),
        ("كم عدد الدول التي وقعت على الاتفاقية؟", ("الدول",)),
        ("كم يوما تستمر الدورة؟", ("يوما",)),
        ("ما عدد الأعضاء؟", ("الاعضاء",)),
    ],
)
def test_the_counted_noun(question, counted):
    assert counted_folded(fold(question)) == counted


@pytest.mark.parametrize(
    "question",
    ["How much does the package cost?", "Combien de temps dure le mandat ?", "¿Cuánto tiempo dura?", "Сколько времени?", "What is it?"],
)
def test_no_counted_noun(question):
    assert counted_folded(fold(question)) == ()


@pytest.mark.parametrize(
    "text, language, noun, expected",
    [
        ("Further decides that the unit will include up to 70 police advisers", "en", "advisers", True),
        ("composée de 15 membres", "fr", "membres", True),
        ("composed of three members;", "en", "members", True),
        ("部署 800 名 警察", "zh", "警察", True),
        ("لمدة ٣٠ يوما", "ar", "يوما", True),
        ("a police ceiling of 2,101 personnel", "en", "police", True),
        # a year, a resolution, a list's numbering: no count
        ("(2) For each State ratifying the Covenant", "en", "states", False),
        ("Recalling resolution 2688 (2023) on the members of the Group", "en", "members", False),
        ("the members of the Group of Experts, appointed in 2023", "en", "members", False),
        ("the Group decided that its 12 meetings would be open to all members of the Council", "en", "members", False),
    ],
)
def test_a_number_next_to_the_counted_thing(text, language, noun, expected):
    assert counts(text, language, frozenset(stem_variants(fold(noun)))) is expected
